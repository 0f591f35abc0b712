//! The operating system's keyring, through the `keyring` crate: the Secret
//! Service (gnome-keyring, KeePassXC) on Linux when a D-Bus session is there,
//! else the kernel's keyutils store; Keychain on macOS; Credential Manager on
//! Windows.
//!
//! Naming: the service is the manifest's `vault` (default `envact`); each field
//! is an entry whose user is `ITEM/FIELD`. A small index entry, user
//! `envact:index`, lists the items and their fields, so that listing and error
//! messages never scan the whole keyring.

use keyring::{Entry, Error as KrError};
use secrecy::{ExposeSecret, SecretString};

use super::{Backend, SecretError, SecretStore};

const INDEX_USER: &str = "envact:index";
pub use crate::backend::KEYRING_DEFAULT_SERVICE as DEFAULT_SERVICE;

/// Which OS store holds the entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyringKind {
    /// freedesktop Secret Service over D-Bus.
    SecretService,
    /// The Linux kernel's key retention service.
    Keyutils,
    /// Keychain (macOS) or Credential Manager (Windows).
    Native,
}

impl KeyringKind {
    /// `choice` is `ENVACT_KEYRING` (`secret-service` or `keyutils`); without it,
    /// the Secret Service when a D-Bus session bus is known, else keyutils.
    pub fn detect(
        choice: Option<&str>,
        has_dbus_session: bool,
    ) -> Result<KeyringKind, SecretError> {
        if !cfg!(target_os = "linux") {
            return Ok(KeyringKind::Native);
        }
        match choice {
            Some("secret-service") => Ok(KeyringKind::SecretService),
            Some("keyutils") => Ok(KeyringKind::Keyutils),
            Some(other) => Err(SecretError::Unavailable {
                backend: "keyring",
                detail: format!("ENVACT_KEYRING={other:?} is not a keyring store"),
                hint: "set ENVACT_KEYRING to `secret-service` or `keyutils`, or unset it".into(),
            }),
            None if has_dbus_session => Ok(KeyringKind::SecretService),
            None => Ok(KeyringKind::Keyutils),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            KeyringKind::SecretService => "Secret Service",
            KeyringKind::Keyutils => "kernel keyutils",
            KeyringKind::Native => "OS keyring",
        }
    }
}

pub struct KeyringStore {
    kind: KeyringKind,
    service: String,
}

impl KeyringStore {
    pub fn new(kind: KeyringKind, service: Option<&str>) -> KeyringStore {
        if kind == KeyringKind::Keyutils {
            // Before this store touches a key (see the function).
            has_own_session_keyring();
        }
        KeyringStore {
            kind,
            service: service.unwrap_or(DEFAULT_SERVICE).to_string(),
        }
    }

    fn entry(&self, user: &str) -> Result<Entry, SecretError> {
        let built = match self.kind {
            #[cfg(target_os = "linux")]
            KeyringKind::SecretService => {
                keyring::secret_service::SsCredential::new_with_target(None, &self.service, user)
                    .map(|c| Entry::new_with_credential(Box::new(c)))
            }
            #[cfg(target_os = "linux")]
            KeyringKind::Keyutils => {
                keyring::keyutils::KeyutilsCredential::new_with_target(None, &self.service, user)
                    .map(|c| Entry::new_with_credential(Box::new(c)))
            }
            _ => Entry::new(&self.service, user),
        };
        built.map_err(|e| self.error(e))
    }

    fn error(&self, e: KrError) -> SecretError {
        let detail = e.to_string();
        SecretError::Unavailable {
            backend: "keyring",
            detail: format!("{}: {detail}", self.kind.name()),
            hint: self.hint(&detail).into(),
        }
    }

    /// What to do when the store fails with `detail`.
    fn hint(&self, detail: &str) -> &'static str {
        match self.kind {
            KeyringKind::SecretService if detail.to_lowercase().contains("lock") => {
                "the keyring is locked: unlock it (log in to the desktop session, or `gnome-keyring-daemon --unlock`) and try again"
            }
            KeyringKind::SecretService => {
                "start a Secret Service (gnome-keyring, KeePassXC) in this session, or set ENVACT_KEYRING=keyutils"
            }
            KeyringKind::Keyutils => {
                "the kernel keyring needs a session keyring: run envact under `keyctl session -`, or use a Secret Service (ENVACT_KEYRING=secret-service)"
            }
            KeyringKind::Native => "check that the OS keyring is unlocked",
        }
    }

    /// What is written would not be found again.
    fn not_kept(&self) -> SecretError {
        SecretError::Unavailable {
            backend: "keyring",
            detail: format!(
                "{} does not give back what is written to it from here, so nothing was stored",
                self.kind.name()
            ),
            hint: self.hint("").into(),
        }
    }

    pub(crate) fn get(&self, user: &str) -> Result<Option<SecretString>, SecretError> {
        match self.entry(user)?.get_password() {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(KrError::NoEntry) => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }

    pub(crate) fn set(&self, user: &str, value: &str) -> Result<(), SecretError> {
        self.entry(user)?
            .set_password(value)
            .map_err(|e| self.error(e))
    }

    pub(crate) fn delete(&self, user: &str) -> Result<(), SecretError> {
        match self.entry(user)?.delete_credential() {
            Ok(()) | Err(KrError::NoEntry) => Ok(()),
            Err(e) => Err(self.error(e)),
        }
    }

    fn index(&self) -> Result<Index, SecretError> {
        Ok(self
            .get(INDEX_USER)?
            .map(|text| Index::parse(text.expose_secret()))
            .unwrap_or_default())
    }

    fn save_index(&self, index: &Index) -> Result<(), SecretError> {
        if index.items.is_empty() {
            self.delete(INDEX_USER)
        } else {
            self.set(INDEX_USER, &index.render())
        }
    }

    fn location(&self) -> String {
        self.describe()
    }
}

/// Whether this process was started with a session keyring of its own (a
/// login's, or `keyctl session -`'s). Without one, keyutils puts keys where
/// the next process cannot find them: the kernel's shared user-session
/// keyring (`_uid_ses.UID`) does not hold them beyond this process.
///
/// Asked once, before any key is touched: the first keyutils entry envact
/// makes gives a process without one an anonymous session keyring of its
/// own, which would make a later look say yes (and the wizard then "store"
/// keys that vanish when envact ends, while `add` refused them).
pub fn has_own_session_keyring() -> bool {
    static AT_START: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AT_START.get_or_init(session_keyring_now)
}

fn session_keyring_now() -> bool {
    #[cfg(target_os = "linux")]
    {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        KeyRing::from_special_id(KeyRingIdentifier::Session, false)
            .and_then(|k| k.metadata())
            .is_ok_and(|m| !m.get_description().starts_with("_uid_ses."))
    }
    #[cfg(not(target_os = "linux"))]
    true
}

fn field_user(item: &str, field: &str) -> String {
    format!("{item}/{field}")
}

fn check_item_name(item: &str) -> Result<(), SecretError> {
    if item.is_empty() || item.contains(['/', '\t', '\n']) {
        return Err(SecretError::Failed {
            backend: "keyring",
            detail: format!(
                "{item:?} cannot be an item name: use a name without `/`, tabs or newlines"
            ),
        });
    }
    Ok(())
}

/// Items and their fields: one line per item, `ITEM<TAB>FIELD<TAB>FIELD...`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Index {
    items: Vec<(String, Vec<String>)>,
}

impl Index {
    fn parse(text: &str) -> Index {
        let items = text
            .lines()
            .filter_map(|line| {
                let mut parts = line.split('\t');
                let item = parts.next().filter(|i| !i.is_empty())?;
                Some((item.to_string(), parts.map(str::to_string).collect()))
            })
            .collect();
        Index { items }
    }

    fn render(&self) -> String {
        self.items
            .iter()
            .map(|(item, fields)| {
                std::iter::once(item.as_str())
                    .chain(fields.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join("\t")
                    + "\n"
            })
            .collect()
    }

    fn fields(&self, item: &str) -> Option<&Vec<String>> {
        self.items.iter().find(|(i, _)| i == item).map(|(_, f)| f)
    }

    fn names(&self) -> Vec<String> {
        self.items.iter().map(|(i, _)| i.clone()).collect()
    }

    fn put(&mut self, item: &str, fields: Vec<String>) {
        self.remove(item);
        self.items.push((item.to_string(), fields));
        self.items.sort();
    }

    fn remove(&mut self, item: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|(i, _)| i != item);
        self.items.len() != before
    }
}

impl SecretStore for KeyringStore {
    fn backend(&self) -> Backend {
        Backend::Keyring
    }

    fn describe(&self) -> String {
        format!("the {} (service {:?})", self.kind.name(), self.service)
    }

    fn read_field(&self, item: &str, field: &str) -> Result<SecretString, SecretError> {
        if let Some(value) = self.get(&field_user(item, field))? {
            return Ok(value);
        }
        let index = self.index()?;
        Err(match index.fields(item) {
            Some(fields) => SecretError::FieldNotFound {
                location: self.location(),
                item: item.to_string(),
                field: field.to_string(),
                available: fields.clone(),
            },
            None => SecretError::ItemNotFound {
                location: self.location(),
                item: item.to_string(),
                available: index.names(),
            },
        })
    }

    fn write_item(&self, item: &str, fields: &[(&str, &SecretString)]) -> Result<(), SecretError> {
        check_item_name(item)?;
        if self.kind == KeyringKind::Keyutils && !has_own_session_keyring() {
            return Err(self.not_kept());
        }
        let mut index = self.index()?;
        let old_fields = index.fields(item).cloned().unwrap_or_default();
        // What was there before, to put back if any step fails.
        let mut previous = Vec::new();
        for (field, _) in fields {
            let user = field_user(item, field);
            let old = self.get(&user)?;
            previous.push((user, old));
        }
        let rollback = |written: usize| {
            for (user, old) in previous.iter().take(written) {
                let _ = match old {
                    Some(v) => self.set(user, v.expose_secret()),
                    None => self.delete(user),
                };
            }
        };
        for (n, (field, value)) in fields.iter().enumerate() {
            if let Err(e) = self.set(&field_user(item, field), value.expose_secret()) {
                rollback(n + 1);
                return Err(e);
            }
        }
        let new_fields: Vec<String> = fields.iter().map(|(f, _)| f.to_string()).collect();
        index.put(item, new_fields.clone());
        if let Err(e) = self.save_index(&index) {
            rollback(fields.len());
            return Err(e);
        }
        // A store that takes a write and then cannot give it back (keyutils
        // without a session keyring) must not be reported as having kept it.
        let kept = fields.iter().all(|(field, value)| {
            self.get(&field_user(item, field))
                .ok()
                .flatten()
                .is_some_and(|v| v.expose_secret() == value.expose_secret())
        }) && self.index().is_ok_and(|i| i.fields(item).is_some());
        if !kept {
            rollback(fields.len());
            return Err(self.not_kept());
        }
        // Fields the item had before and no longer has.
        for stale in old_fields.iter().filter(|f| !new_fields.contains(f)) {
            let _ = self.delete(&field_user(item, stale));
        }
        Ok(())
    }

    fn remove_item(&self, item: &str) -> Result<(), SecretError> {
        let mut index = self.index()?;
        let Some(fields) = index.fields(item).cloned() else {
            return Err(SecretError::ItemNotFound {
                location: self.location(),
                item: item.to_string(),
                available: index.names(),
            });
        };
        for field in &fields {
            self.delete(&field_user(item, field))?;
        }
        index.remove(item);
        self.save_index(&index)
    }

    fn list_items(&self) -> Result<Vec<String>, SecretError> {
        Ok(self.index()?.names())
    }
}

/// A backend session token kept in the keyring, under its own service.
pub struct KeyringSessionCache {
    store: KeyringStore,
    user: String,
}

impl KeyringSessionCache {
    pub fn new(store: KeyringStore, user: &str) -> KeyringSessionCache {
        KeyringSessionCache {
            store,
            user: user.to_string(),
        }
    }
}

impl super::SessionCache for KeyringSessionCache {
    fn load(&self) -> Option<SecretString> {
        self.store.get(&self.user).ok().flatten()
    }

    fn save(&self, token: &SecretString) {
        // Keeping the session is a convenience: failing to is not an error.
        let _ = self.store.set(&self.user, token.expose_secret());
    }

    fn forget(&self) {
        let _ = self.store.delete(&self.user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trips_and_replaces_items() {
        let mut index = Index::default();
        index.put("b", vec!["x".into()]);
        index.put(
            "a",
            vec!["access_key_id".into(), "secret_access_key".into()],
        );
        index.put("b", vec!["y".into()]);
        let parsed = Index::parse(&index.render());
        assert_eq!(parsed, index);
        assert_eq!(parsed.names(), ["a", "b"]);
        assert_eq!(parsed.fields("b").unwrap(), &["y"]);
    }

    #[test]
    fn store_choice() {
        if cfg!(target_os = "linux") {
            assert_eq!(
                KeyringKind::detect(None, true).unwrap(),
                KeyringKind::SecretService
            );
            assert_eq!(
                KeyringKind::detect(None, false).unwrap(),
                KeyringKind::Keyutils
            );
            assert_eq!(
                KeyringKind::detect(Some("keyutils"), true).unwrap(),
                KeyringKind::Keyutils
            );
            assert!(KeyringKind::detect(Some("kwallet"), true).is_err());
        }
    }
}
