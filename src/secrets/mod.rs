//! Where long-term keys live: one [`SecretStore`] trait and a module per backend
//! (`keyring`, `pass`, `onepassword`, `file`, `env`). Values are [`SecretString`]s,
//! zeroed on drop and redacted in Debug; they never go on a command line, in a
//! log, or to disk in plain text. A store is handed the directories and the
//! environment it reads ([`StoreOptions`]); it never looks them up itself.

mod env;
mod error;
mod file;
mod keyring;
mod onepassword;
mod open;
mod pass;
mod program;
pub mod ready;

use secrecy::SecretString;

pub use self::env::EnvStore;
pub use self::error::SecretError;
pub use self::file::{FileStore, Passphrases};
pub use self::keyring::{KeyringKind, KeyringStore};
pub use self::onepassword::{
    accounts as op_accounts, add_account as op_add_account, OnePasswordStore, OpAccount,
    SessionCache,
};
pub use self::open::keyring_kind;
pub use self::open::{open, service_token_keeper, StoreDirs, StoreOptions, SESSIONS_SERVICE};
pub use self::pass::PassStore;
use crate::aws::LongTermKeys;
pub use crate::backend::Backend;

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
pub trait SecretStore: Send {
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
    let defaults = backend.info().default_fields;
    FieldNames {
        access_key_id: defaults.access_key_id.to_string(),
        secret_access_key: defaults.secret_access_key.to_string(),
        mfa_totp: None,
    }
}

/// The variable that gives the file backend its passphrase.
pub const PASSPHRASE_VAR: &str = "ENVACT_FILE_PASSPHRASE";

/// The variables through which AWS tools take keys from the environment.
pub const AWS_KEY_VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
];

/// The variables of envact's own environment that hold long-term keys, or
/// what unlocks them, for `manifest`: removed from everything envact starts
/// (a background agent excepted, which reads the keys again). The file
/// backend's passphrase always; AWS's key variables wherever envact gives
/// the credentials (an inherited key would win over envact's in an SDK's
/// chain); the env backend's own variables; 1Password's service-account
/// token when 1Password holds the keys.
pub fn held_in_environment(manifest: &crate::manifest::Manifest) -> Vec<String> {
    let mut names = vec![PASSPHRASE_VAR.to_string()];
    if manifest.aws.is_some() || manifest.secrets.is_some() {
        names.extend(AWS_KEY_VARS.iter().map(|n| n.to_string()));
    }
    if let Some(secrets) = &manifest.secrets {
        match secrets.backend {
            Backend::Env => {
                let fields = FieldNames::resolve(Backend::Env, Some(secrets));
                names.push(fields.access_key_id);
                names.push(fields.secret_access_key);
                names.extend(fields.mfa_totp);
            }
            Backend::OnePassword => names.push("OP_SERVICE_ACCOUNT_TOKEN".into()),
            Backend::Keyring | Backend::Pass | Backend::File => {}
        }
    }
    names.sort();
    names.dedup();
    names
}
