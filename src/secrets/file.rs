//! An encrypted file, for headless machines and SSH sessions without a keyring:
//! age (scrypt passphrase) around a small JSON document of items and fields.
//!
//! The file is `$XDG_CONFIG_HOME/envact/secrets/VAULT.age` (`vault` defaults to
//! `default`), 0600 in a 0700 directory, replaced atomically on every change so
//! a failed write leaves the previous file intact.

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{Backend, SecretError, SecretStore};
use crate::private_fs::{private_dir, read_bounded, MAX_FILE};
use crate::ui::{AskError, Ui};

pub use crate::backend::FILE_DEFAULT_VAULT as DEFAULT_VAULT;
const FORMAT_VERSION: u32 = 1;

/// scrypt's work factor (log2 N) for the passphrase: 256 MiB and about half a
/// second, and the most envact accepts when it reads a file.
const WORK_FACTOR: u8 = 18;

pub struct FileStore {
    path: PathBuf,
    /// envact's own directory, which holds the file's.
    owned: PathBuf,
    /// Asks for the passphrase when none was given.
    ui: Arc<dyn Ui>,
    /// Given (`ENVACT_FILE_PASSPHRASE`): never asked.
    given: Option<SecretString>,
    /// What was typed for each file during this command, shared by every
    /// store the command opens: the wizard's and the activation's are two.
    typed: Passphrases,
}

/// The passphrases typed during one command, by file: each is asked once
/// however many times the command opens the file, and forgotten when it
/// proves wrong, so that a retry asks again.
#[derive(Clone, Default)]
pub struct Passphrases(Arc<Mutex<BTreeMap<PathBuf, SecretString>>>);

impl Passphrases {
    fn get(&self, path: &Path) -> Option<SecretString> {
        self.0.lock().ok()?.get(path).cloned()
    }

    fn keep(&self, path: &Path, passphrase: SecretString) {
        if let Ok(mut typed) = self.0.lock() {
            typed.insert(path.to_path_buf(), passphrase);
        }
    }

    fn forget(&self, path: &Path) {
        if let Ok(mut typed) = self.0.lock() {
            typed.remove(path);
        }
    }
}

#[derive(Deserialize)]
struct Content {
    version: u32,
    items: BTreeMap<String, BTreeMap<String, SecretString>>,
}

#[derive(Serialize)]
struct ContentOut<'a> {
    version: u32,
    items: BTreeMap<&'a str, BTreeMap<&'a str, &'a str>>,
}

type Items = BTreeMap<String, BTreeMap<String, SecretString>>;

impl FileStore {
    /// The file is in `dirs.secrets`; `vault` names it (never a path);
    /// `given`, when there, is used instead of asking the person through
    /// `ui`; what the person types is kept in `typed`.
    pub fn new(
        dirs: &super::StoreDirs,
        vault: Option<&str>,
        given: Option<SecretString>,
        typed: Passphrases,
        ui: Arc<dyn Ui>,
    ) -> Result<FileStore, SecretError> {
        let name = vault.unwrap_or(DEFAULT_VAULT);
        check_name(name).map_err(|reason| SecretError::BadVault {
            vault: name.to_string(),
            reason,
        })?;
        Ok(FileStore {
            path: dirs.secrets.join(format!("{name}.age")),
            owned: dirs.owned.clone(),
            ui,
            given,
            typed,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn passphrase(&self, new_file: bool) -> Result<SecretString, SecretError> {
        if let Some(p) = self.given.clone().or_else(|| self.typed.get(&self.path)) {
            return Ok(p);
        }
        let p = self
            .ui
            .passphrase(&self.path, new_file)
            .map_err(|e| SecretError::Unavailable {
                backend: "file",
                detail: match e {
                    AskError::NoTerminal => format!("no passphrase for {}", self.path.display()),
                    AskError::Stopped(e) => format!("cannot read the passphrase: {e}"),
                },
                hint: "set ENVACT_FILE_PASSPHRASE, or run envact in a terminal".into(),
            })?;
        self.typed.keep(&self.path, p.clone());
        Ok(p)
    }

    fn corrupted(&self, detail: impl std::fmt::Display) -> SecretError {
        SecretError::Corrupted {
            path: self.path.clone(),
            detail: detail.to_string(),
        }
    }

    fn io(&self, what: &str, source: std::io::Error) -> SecretError {
        SecretError::Io {
            what: format!("{what} {}", self.path.display()),
            source,
        }
    }

    /// The items, or `None` when the file does not exist yet.
    fn load(&self) -> Result<Option<Items>, SecretError> {
        let bytes = match read_bounded(&self.path, MAX_FILE) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io("cannot read", e)),
        };
        let decryptor = age::Decryptor::new_buffered(&bytes[..]).map_err(|e| self.corrupted(e))?;
        if !decryptor.is_scrypt() {
            return Err(self.corrupted("it is not encrypted with a passphrase"));
        }
        let mut identity = age::scrypt::Identity::new(self.passphrase(false)?);
        // A planted file must not make envact spend gigabytes on scrypt.
        identity.set_max_work_factor(WORK_FACTOR);
        let mut reader = decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::DecryptionFailed
                | age::DecryptError::NoMatchingKeys
                | age::DecryptError::KeyDecryptionFailed => {
                    // Forget it, so that a retry in this process asks again.
                    self.typed.forget(&self.path);
                    SecretError::WrongPassphrase {
                        path: self.path.clone(),
                    }
                }
                other => self.corrupted(other),
            })?;
        let mut plain = Zeroizing::new(Vec::new());
        reader
            .read_to_end(&mut plain)
            .map_err(|e| self.corrupted(format!("the encrypted content is damaged ({e})")))?;
        let content: Content = serde_json::from_slice(&plain)
            .map_err(|e| self.corrupted(format!("bad content ({e})")))?;
        if content.version != FORMAT_VERSION {
            return Err(self.corrupted(format!(
                "format version {} is not {FORMAT_VERSION}; upgrade envact",
                content.version
            )));
        }
        Ok(Some(content.items))
    }

    fn save(&self, items: &Items, new_file: bool) -> Result<(), SecretError> {
        let out = ContentOut {
            version: FORMAT_VERSION,
            items: items
                .iter()
                .map(|(item, fields)| {
                    let fields = fields
                        .iter()
                        .map(|(f, v)| (f.as_str(), v.expose_secret()))
                        .collect();
                    (item.as_str(), fields)
                })
                .collect(),
        };
        let plain = Zeroizing::new(serde_json::to_vec(&out).map_err(|e| self.corrupted(e))?);
        let mut recipient = age::scrypt::Recipient::new(self.passphrase(new_file)?);
        recipient.set_work_factor(WORK_FACTOR);
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| self.io("cannot encrypt", std::io::Error::other(e)))?;
        let mut sealed = Vec::new();
        let mut writer = encryptor
            .wrap_output(&mut sealed)
            .map_err(|e| self.io("cannot encrypt", e))?;
        writer
            .write_all(&plain)
            .and_then(|()| writer.finish().map(drop))
            .map_err(|e| self.io("cannot encrypt", e))?;

        let dir = self.path.parent().unwrap_or(Path::new("."));
        private_dir(dir, &self.owned).map_err(|e| self.io("cannot create the directory of", e))?;
        // NamedTempFile is 0600 and in the same directory, so the rename is atomic.
        let mut tmp =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| self.io("cannot write", e))?;
        tmp.write_all(&sealed)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| self.io("cannot write", e))?;
        tmp.persist(&self.path)
            .map_err(|e| self.io("cannot replace", e.error))?;
        Ok(())
    }

    fn not_found(&self, item: &str, items: Option<&Items>) -> SecretError {
        SecretError::ItemNotFound {
            location: self.describe(),
            item: item.to_string(),
            available: items
                .map(|i| i.keys().cloned().collect())
                .unwrap_or_default(),
        }
    }
}

/// A vault is a file name in envact's own directory: letters, digits, `-`,
/// `_` and `.`, not starting with `.`, so that it can never point elsewhere.
fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.starts_with('.') {
        return Err("it starts with `.`");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("only letters, digits, `-`, `_` and `.` may be used (no `/`)");
    }
    Ok(())
}

impl SecretStore for FileStore {
    fn backend(&self) -> Backend {
        Backend::File
    }

    fn describe(&self) -> String {
        format!("the encrypted file {}", self.path.display())
    }

    fn read_field(&self, item: &str, field: &str) -> Result<SecretString, SecretError> {
        let items = self.load()?;
        let Some(fields) = items.as_ref().and_then(|i| i.get(item)) else {
            return Err(self.not_found(item, items.as_ref()));
        };
        fields
            .get(field)
            .cloned()
            .ok_or_else(|| SecretError::FieldNotFound {
                location: self.describe(),
                item: item.to_string(),
                field: field.to_string(),
                available: fields.keys().cloned().collect(),
            })
    }

    fn write_item(&self, item: &str, fields: &[(&str, &SecretString)]) -> Result<(), SecretError> {
        let existing = self.load()?;
        let new_file = existing.is_none();
        let mut items = existing.unwrap_or_default();
        items.insert(
            item.to_string(),
            fields
                .iter()
                .map(|(f, v)| (f.to_string(), (*v).clone()))
                .collect(),
        );
        self.save(&items, new_file)
    }

    fn remove_item(&self, item: &str) -> Result<(), SecretError> {
        let mut items = self.load()?;
        match items.as_mut().map(|i| i.remove(item)) {
            Some(Some(_)) => self.save(items.as_ref().unwrap_or(&Items::new()), false),
            _ => Err(self.not_found(item, items.as_ref())),
        }
    }

    fn list_items(&self) -> Result<Vec<String>, SecretError> {
        Ok(self
            .load()?
            .map(|items| items.keys().cloned().collect())
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vault_is_a_file_name_never_a_path() {
        for ok in ["default", "team-aws", "a_b.c", "2026"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "", ".hidden", "..", "../../x", "/tmp/x", "a/b", "a b", "x\0",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
