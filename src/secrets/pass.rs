//! The standard Unix password store, through the `pass` program (gpg underneath).
//!
//! An item is the entry `VAULT/ITEM` (`vault` is the store prefix). Its first
//! line is the field `password`; every further `name: value` line is the field
//! `name`, as browserpass and passff read them. Entries are written through
//! `pass insert --multiline`'s stdin, never on a command line.

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

use super::program::{Captured, Program};
use super::{Backend, SecretError, SecretStore};

pub(super) const PASS: Program = Program {
    backend: "pass",
    name: "pass",
    install: "apt install pass (Debian/Ubuntu), brew install pass (macOS)",
};

/// What pass encrypts with.
pub(super) const GPG: Program = Program {
    backend: "pass",
    name: "gpg",
    install: "apt install gnupg (Debian/Ubuntu), brew install gnupg (macOS)",
};

pub struct PassStore {
    prefix: Option<String>,
    /// `$PASSWORD_STORE_DIR` or `~/.password-store`, for listing entries.
    store_dir: PathBuf,
}

impl PassStore {
    pub fn new(prefix: Option<&str>, store_dir: PathBuf) -> PassStore {
        PassStore {
            prefix: prefix
                .map(|p| p.trim_matches('/').to_string())
                .filter(|p| !p.is_empty()),
            store_dir,
        }
    }

    fn entry(&self, item: &str) -> String {
        match &self.prefix {
            Some(prefix) => format!("{prefix}/{item}"),
            None => item.to_string(),
        }
    }

    fn prefix_dir(&self) -> PathBuf {
        match &self.prefix {
            Some(prefix) => self.store_dir.join(prefix),
            None => self.store_dir.clone(),
        }
    }

    fn failure(&self, out: &Captured) -> SecretError {
        let line = out.error_line();
        if line.contains("pass init") || line.contains("not initialized") {
            SecretError::Unavailable {
                backend: "pass",
                detail: line,
                hint: "create the store with `pass init GPG-KEY-ID`".into(),
            }
        } else {
            SecretError::Failed {
                backend: "pass",
                detail: line,
            }
        }
    }

    fn not_found(&self, item: &str) -> SecretError {
        SecretError::ItemNotFound {
            location: self.describe(),
            item: item.to_string(),
            available: self.list_items().unwrap_or_default(),
        }
    }
}

/// Field name and value of each line of an entry.
fn fields(content: &str) -> Vec<(&str, &str)> {
    let mut lines = content.lines();
    let mut out = vec![("password", lines.next().unwrap_or(""))];
    out.extend(lines.filter_map(|l| l.split_once(": ")));
    out
}

fn list_entries(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            list_entries(&path, base, out);
        } else if let Some(rel) = path
            .strip_prefix(base)
            .ok()
            .and_then(|r| r.to_str())
            .and_then(|r| r.strip_suffix(".gpg"))
        {
            out.push(rel.to_string());
        }
    }
}

impl SecretStore for PassStore {
    fn backend(&self) -> Backend {
        Backend::Pass
    }

    fn describe(&self) -> String {
        match &self.prefix {
            Some(prefix) => format!("the password store under {prefix}/"),
            None => "the password store".into(),
        }
    }

    fn read_field(&self, item: &str, field: &str) -> Result<SecretString, SecretError> {
        let mut cmd = PASS.command();
        cmd.arg("show").arg(self.entry(item));
        let out = PASS.run(cmd, None)?;
        if !out.status.success() {
            return Err(if out.stderr.contains("is not in the password store") {
                self.not_found(item)
            } else {
                self.failure(&out)
            });
        }
        let content = Zeroizing::new(String::from_utf8_lossy(&out.stdout).into_owned());
        let all = fields(&content);
        match all.iter().find(|(name, _)| *name == field) {
            Some((_, value)) => Ok(SecretString::from(value.to_string())),
            None => Err(SecretError::FieldNotFound {
                location: self.describe(),
                item: item.to_string(),
                field: field.to_string(),
                available: all.iter().map(|(n, _)| n.to_string()).collect(),
            }),
        }
    }

    fn write_item(&self, item: &str, fields: &[(&str, &SecretString)]) -> Result<(), SecretError> {
        let first = fields
            .iter()
            .find(|(name, _)| *name == "password")
            .map(|(_, v)| v.expose_secret())
            .unwrap_or("");
        let mut content = Zeroizing::new(format!("{first}\n"));
        for (name, value) in fields.iter().filter(|(name, _)| *name != "password") {
            content.push_str(&format!("{name}: {}\n", value.expose_secret()));
        }
        let mut cmd = PASS.command();
        cmd.args(["insert", "--multiline", "--force"])
            .arg(self.entry(item));
        let out = PASS.run(cmd, Some(content.as_bytes()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(self.failure(&out))
        }
    }

    fn remove_item(&self, item: &str) -> Result<(), SecretError> {
        if !self.list_items()?.iter().any(|i| i == item) {
            return Err(self.not_found(item));
        }
        let mut cmd = PASS.command();
        cmd.args(["rm", "--force"]).arg(self.entry(item));
        let out = PASS.run(cmd, None)?;
        if out.status.success() {
            Ok(())
        } else {
            Err(self.failure(&out))
        }
    }

    fn list_items(&self) -> Result<Vec<String>, SecretError> {
        let dir = self.prefix_dir();
        let mut out = Vec::new();
        list_entries(&dir, &dir, &mut out);
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_is_password_and_the_rest_are_named_fields() {
        let parsed = fields("s3cret\naccess_key_id: AKIA\nurl: https://x\nnot a field\n");
        assert_eq!(
            parsed,
            [
                ("password", "s3cret"),
                ("access_key_id", "AKIA"),
                ("url", "https://x")
            ]
        );
    }
}
