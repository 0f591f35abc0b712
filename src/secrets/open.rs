//! Choosing and configuring the store that a manifest or the command line names.

use std::ffi::OsString;
use std::path::PathBuf;

use super::keyring::KeyringSessionCache;
use super::{
    Backend, EnvStore, FileStore, KeyringKind, KeyringStore, OnePasswordStore, PassStore,
    PassphrasePrompt, SecretError, SecretStore, SessionCache,
};
use crate::config::Dirs;

/// Everything that decides which store is opened, and how.
pub struct StoreOptions {
    pub backend: Backend,
    pub vault: Option<String>,
    /// A person is at a terminal: backends may ask (op signin, passphrase).
    pub interactive: bool,
    /// `persistence.backend_session`: keep a 1Password session in the keyring.
    pub keep_backend_session: bool,
    pub passphrase: Box<dyn PassphrasePrompt>,
}

/// Opens the store; `var` reads the environment (the process's, in the CLI).
pub fn open(
    options: StoreOptions,
    var: impl Fn(&str) -> Option<OsString> + Clone + 'static,
) -> Result<Box<dyn SecretStore>, SecretError> {
    let vault = options.vault.as_deref();
    Ok(match options.backend {
        Backend::Keyring => Box::new(KeyringStore::new(keyring_kind(&var)?, vault)),
        Backend::Pass => {
            let dir = var("PASSWORD_STORE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| Dirs::from_vars(var.clone()).home.join(".password-store"));
            Box::new(PassStore::new(vault, dir))
        }
        Backend::OnePassword => {
            let cache: Option<Box<dyn SessionCache>> = if options.keep_backend_session {
                Some(Box::new(KeyringSessionCache::new(
                    KeyringStore::new(keyring_kind(&var)?, Some(SESSIONS_SERVICE)),
                    "1password",
                )))
            } else {
                None
            };
            let service_account = var("OP_SERVICE_ACCOUNT_TOKEN").is_some_and(|t| !t.is_empty());
            Box::new(OnePasswordStore::new(
                vault,
                options.interactive,
                service_account,
                cache,
            ))
        }
        Backend::File => Box::new(FileStore::new(
            &Dirs::from_vars(var.clone()).secrets(),
            vault,
            options.passphrase,
        )),
        Backend::Env => Box::new(EnvStore::new(var)),
    })
}

/// The keyring namespace for backend session tokens, apart from long-term keys
/// (`envact` or the vault) and, later, STS sessions.
pub const SESSIONS_SERVICE: &str = "envact-sessions";

/// The keyring store the environment asks for (`ENVACT_KEYRING`, D-Bus session).
pub fn keyring_kind(var: &impl Fn(&str) -> Option<OsString>) -> Result<KeyringKind, SecretError> {
    let choice = var("ENVACT_KEYRING").and_then(|v| v.into_string().ok());
    let dbus = var("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
    KeyringKind::detect(choice.as_deref(), dbus)
}
