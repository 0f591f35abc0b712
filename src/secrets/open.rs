//! Choosing and configuring the store that a manifest or the command line names.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use secrecy::SecretString;

use super::keyring::KeyringSessionCache;
use super::onepassword::Auth;
use super::{
    Backend, EnvStore, FileStore, KeyringKind, KeyringStore, OnePasswordStore, PassStore,
    Passphrases, SecretError, SecretStore, SessionCache,
};
use crate::manifest::{OpAuth, OpSignIn};
use crate::ui::Ui;

/// The directories stores keep things in, decided by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreDirs {
    /// envact's own directory (`$XDG_CONFIG_HOME/envact`), which holds `secrets`.
    pub owned: PathBuf,
    /// The file backend's encrypted files (`$XDG_CONFIG_HOME/envact/secrets`).
    pub secrets: PathBuf,
    /// The pass store (`PASSWORD_STORE_DIR`, else `~/.password-store`).
    pub pass: PathBuf,
}

/// Everything that decides which store is opened, and how.
pub struct StoreOptions {
    pub backend: Backend,
    pub vault: Option<String>,
    /// `persistence.backend_session`: keep a 1Password session in the keyring.
    pub keep_backend_session: bool,
    /// How 1Password signs in, as the person answered (none: op decides).
    pub op_sign_in: Option<OpSignIn>,
    /// A service-account token just typed in the wizard, not yet kept anywhere.
    pub op_service_token: Option<SecretString>,
    /// A session of an account the wizard just added and signed in to.
    pub op_session: Option<SecretString>,
}

/// Opens the store in `dirs`; `var` reads the environment (the process's, in
/// the CLI), `ui` says whether backends may ask on the terminal (op signin)
/// and asks for the file backend's passphrase, which `typed` then keeps for
/// the other stores of the same command.
pub fn open(
    options: StoreOptions,
    dirs: StoreDirs,
    var: impl Fn(&str) -> Option<OsString> + Send + Sync + 'static,
    ui: Arc<dyn Ui>,
    typed: &Passphrases,
) -> Result<Box<dyn SecretStore>, SecretError> {
    let vault = options.vault.as_deref();
    Ok(match options.backend {
        Backend::Keyring => Box::new(KeyringStore::new(keyring_kind(&var)?, vault)),
        Backend::Pass => Box::new(PassStore::new(vault, dirs.pass)),
        Backend::OnePassword => {
            let cache: Option<Box<dyn SessionCache>> = if options.keep_backend_session {
                Some(Box::new(KeyringSessionCache::new(
                    KeyringStore::new(keyring_kind(&var)?, Some(SESSIONS_SERVICE)),
                    "1password",
                )))
            } else {
                None
            };
            let chosen = options.op_sign_in.as_ref();
            let from_env = var("OP_SERVICE_ACCOUNT_TOKEN")
                .filter(|t| !t.is_empty())
                .map(|t| SecretString::from(t.to_string_lossy().into_owned()));
            let auth = match from_env.or(options.op_service_token) {
                Some(token) => Auth::ServiceAccount(token),
                None if chosen.is_some_and(|c| c.auth == OpAuth::ServiceAccount) => {
                    match service_token_keeper(&var)?.load() {
                        Some(token) => Auth::ServiceAccount(token),
                        None => Auth::MissingToken,
                    }
                }
                None => Auth::Session,
            };
            Box::new(OnePasswordStore::new(
                vault,
                ui.clone(),
                ui.interactive(),
                auth,
                chosen.and_then(|c| c.account.as_deref()),
                cache,
                options.op_session,
            ))
        }
        Backend::File => {
            let given = var(super::PASSPHRASE_VAR)
                .map(|p| SecretString::from(p.to_string_lossy().into_owned()));
            Box::new(FileStore::new(&dirs, vault, given, typed.clone(), ui)?)
        }
        Backend::Env => Box::new(EnvStore::new(var)),
    })
}

/// The keyring namespace for backend session tokens, apart from long-term keys
/// (`envact` or the vault) and STS sessions (`envact-sts`).
pub const SESSIONS_SERVICE: &str = "envact-sessions";

/// Where a 1Password service-account token is kept: the OS keyring, beside
/// the backend sessions, never in the answers file.
pub fn service_token_keeper(
    var: &impl Fn(&str) -> Option<OsString>,
) -> Result<Box<dyn SessionCache>, SecretError> {
    Ok(Box::new(KeyringSessionCache::new(
        KeyringStore::new(keyring_kind(var)?, Some(SESSIONS_SERVICE)),
        "1password-service-account",
    )))
}

/// The keyring store the environment asks for (`ENVACT_KEYRING`, D-Bus session).
pub fn keyring_kind(var: &impl Fn(&str) -> Option<OsString>) -> Result<KeyringKind, SecretError> {
    let choice = var("ENVACT_KEYRING").and_then(|v| v.into_string().ok());
    let dbus = var("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
    KeyringKind::detect(choice.as_deref(), dbus)
}
