//! Where long-term keys live: one [`SecretStore`] trait and a module per backend
//! (`keyring`, `pass`, `onepassword`, `file`, `env`). Values are [`SecretString`]s,
//! zeroed on drop and redacted in Debug; they never go on a command line, in a
//! log, or to disk in plain text.

mod env;
mod error;
mod file;
mod keyring;
mod onepassword;
mod open;
mod pass;
mod program;

use secrecy::SecretString;

pub use self::env::EnvStore;
pub use self::error::SecretError;
pub use self::file::{FileStore, PassphrasePrompt, DEFAULT_VAULT as FILE_DEFAULT_VAULT};
pub use self::keyring::{KeyringKind, KeyringStore, DEFAULT_SERVICE as KEYRING_DEFAULT_SERVICE};
pub use self::onepassword::{
    accounts as op_accounts, add_account as op_add_account, OnePasswordStore, OpAccount, OpAuth,
    OpSignIn, SessionCache,
};
pub use self::open::keyring_kind;
pub use self::open::{open, service_token_keeper, StoreOptions, SESSIONS_SERVICE};
pub use self::pass::PassStore;
pub use crate::manifest::Backend;

/// The two halves of an AWS long-term access key.
pub struct LongTermKeys {
    pub access_key_id: SecretString,
    pub secret_access_key: SecretString,
}

impl std::fmt::Debug for LongTermKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LongTermKeys([REDACTED])")
    }
}

/// Names of the fields inside an item (for `env`: variable names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNames {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub mfa_totp: Option<String>,
}

impl FieldNames {
    /// The manifest's field names where it gives them for `backend`, else the
    /// backend's defaults.
    pub fn resolve(backend: Backend, secrets: Option<&crate::manifest::Secrets>) -> FieldNames {
        let defaults = default_fields(backend);
        match secrets.filter(|s| s.backend == backend) {
            Some(s) => FieldNames {
                access_key_id: s
                    .fields
                    .access_key_id
                    .clone()
                    .unwrap_or(defaults.access_key_id),
                secret_access_key: s
                    .fields
                    .secret_access_key
                    .clone()
                    .unwrap_or(defaults.secret_access_key),
                mfa_totp: s.fields.mfa_totp.clone(),
            },
            None => defaults,
        }
    }
}

/// A secrets backend, configured with its location (vault, store, file).
pub trait SecretStore {
    fn backend(&self) -> Backend;

    /// Where this store keeps things, for messages: "keyring service envact".
    fn describe(&self) -> String;

    /// One field of one item.
    fn read_field(&self, item: &str, field: &str) -> Result<SecretString, SecretError>;

    /// A current one-time code from a TOTP field.
    fn read_totp(&self, item: &str, field: &str) -> Result<SecretString, SecretError> {
        self.read_field(item, field)
    }

    /// Stores `fields` as `item`, replacing an item of that name. On failure
    /// what was stored before is left as it was.
    fn write_item(&self, item: &str, fields: &[(&str, &SecretString)]) -> Result<(), SecretError>;

    fn remove_item(&self, item: &str) -> Result<(), SecretError>;

    /// Item names, never values.
    fn list_items(&self) -> Result<Vec<String>, SecretError>;
}

/// Reads both halves of the long-term key.
pub fn read_keys(
    store: &dyn SecretStore,
    item: &str,
    fields: &FieldNames,
) -> Result<LongTermKeys, SecretError> {
    Ok(LongTermKeys {
        access_key_id: store.read_field(item, &fields.access_key_id)?,
        secret_access_key: store.read_field(item, &fields.secret_access_key)?,
    })
}

/// Stores both halves of the long-term key under the configured field names.
pub fn write_keys(
    store: &dyn SecretStore,
    item: &str,
    fields: &FieldNames,
    keys: &LongTermKeys,
) -> Result<(), SecretError> {
    store.write_item(
        item,
        &[
            (&fields.access_key_id, &keys.access_key_id),
            (&fields.secret_access_key, &keys.secret_access_key),
        ],
    )
}

/// The field names a backend uses when the manifest does not name them.
pub fn default_fields(backend: Backend) -> FieldNames {
    let (id, secret) = match backend {
        // pass keeps the secret on the entry's first line, its `password`.
        Backend::Pass => ("access_key_id", "password"),
        // 1Password's "API Credential" item category.
        Backend::OnePassword => ("username", "credential"),
        Backend::Env => ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
        Backend::Keyring | Backend::File => ("access_key_id", "secret_access_key"),
    };
    FieldNames {
        access_key_id: id.to_string(),
        secret_access_key: secret.to_string(),
        mfa_totp: None,
    }
}

/// Checks the shape of an access key id, so that a paste of the wrong value is
/// caught before it is stored.
pub fn check_access_key_id(id: &str) -> Result<(), String> {
    let well_formed = id.len() == 20
        && id.starts_with("AKIA")
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if well_formed {
        Ok(())
    } else if id.starts_with("ASIA") {
        Err("this is a temporary (STS) key id, starting ASIA: store the long-term key, starting AKIA".into())
    } else {
        Err("an AWS access key id is 20 characters, starting AKIA, in capitals and digits".into())
    }
}

/// Checks the shape of a secret access key: 40 characters of base64.
pub fn check_secret_access_key(secret: &str) -> Result<(), String> {
    let well_formed = secret.len() == 40
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+');
    if well_formed {
        Ok(())
    } else {
        Err("an AWS secret access key is 40 characters of letters, digits, `/` and `+`".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shapes() {
        assert!(check_access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(check_access_key_id("ASIAIOSFODNN7EXAMPLE")
            .unwrap_err()
            .contains("temporary"));
        assert!(check_access_key_id("akiaiosfodnn7example").is_err());
        assert!(check_secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_ok());
        assert!(check_secret_access_key("short").is_err());
    }

    #[test]
    fn debug_never_shows_values() {
        let keys = LongTermKeys {
            access_key_id: SecretString::from("AKIAIOSFODNN7EXAMPLE"),
            secret_access_key: SecretString::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        };
        let shown = format!("{keys:?} {:?}", keys.secret_access_key);
        assert!(!shown.contains("EXAMPLE"), "{shown}");
    }
}
