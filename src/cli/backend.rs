//! Opening the secrets store for `add`, `remove` and `list`: the backend, vault
//! and field names come from the flags, else from the project's manifest.

use std::io::IsTerminal;
use std::path::PathBuf;

use envact::manifest::{discover, Backend, Manifest, Project};
use envact::secrets::{
    self, FieldNames, OpSignIn, PassphrasePrompt, SecretError, SecretStore, StoreOptions,
};
use envact::Error;
use secrecy::SecretString;

/// Flags shared by the commands that work on a backend.
#[derive(clap::Args)]
pub struct BackendArgs {
    /// Backend to use instead of the manifest's [secrets] backend.
    #[arg(long, value_name = "BACKEND", value_parser = parse_backend)]
    backend: Option<Backend>,

    /// Vault (keyring service, pass prefix, 1Password vault, file name) instead of the manifest's.
    #[arg(long, value_name = "VAULT")]
    vault: Option<String>,

    /// Project directory whose manifest names the backend (default: search upward).
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: Option<PathBuf>,
}

fn parse_backend(s: &str) -> Result<Backend, String> {
    Backend::ALL
        .into_iter()
        .find(|b| b.name() == s)
        .ok_or_else(|| {
            let names: Vec<_> = Backend::ALL.iter().map(|b| b.name()).collect();
            format!("expected one of {}", names.join(", "))
        })
}

pub struct Opened {
    pub store: Box<dyn SecretStore>,
    pub fields: FieldNames,
}

impl Opened {
    /// Runs backend work under a spinner, except for 1Password, whose `op`
    /// may ask on the terminal itself (sign-in).
    pub fn spin<T>(&self, label: &str, work: impl FnOnce(&dyn SecretStore) -> T) -> T {
        let store = self.store.as_ref();
        if store.backend() == Backend::OnePassword {
            work(store)
        } else {
            super::progress::spin(&format!("{label} {}", store.describe()), || work(store))
        }
    }
}

impl BackendArgs {
    pub fn open(&self) -> Result<Opened, Error> {
        let manifest = self.manifest()?;
        let secrets = manifest.as_ref().and_then(|m| m.secrets.as_ref());
        let backend = self
            .backend
            .or(secrets.map(|s| s.backend))
            .ok_or(Error::NoBackend)?;
        // The manifest's vault and field names belong to the manifest's backend.
        let same = secrets.filter(|s| s.backend == backend);
        let vault = self
            .vault
            .clone()
            .or_else(|| same.and_then(|s| s.vault.clone()));
        let fields = FieldNames::resolve(backend, secrets);
        let keep_backend_session = manifest
            .as_ref()
            .is_some_and(|m| m.persistence.keep_backend_session());
        let sign_in = same.and_then(|s| s.sign_in.clone());
        let store = open_store(backend, vault, keep_backend_session, sign_in, None)?;
        Ok(Opened { store, fields })
    }

    /// The project's manifest, completed with the answers, when there is one;
    /// with `-d`, it must be there.
    fn manifest(&self) -> Result<Option<Manifest>, Error> {
        let project = match &self.dir {
            Some(dir) => Project::in_dir(dir)?,
            None => match std::env::current_dir().ok().map(|cwd| discover(&cwd)) {
                Some(Ok(project)) => project,
                _ => return Ok(None),
            },
        };
        Ok(Some(super::load_manifest(&project)?))
    }
}

/// The store a manifest's [secrets] names, as activation reads it.
pub fn open_for(manifest: &Manifest) -> Result<Option<Opened>, Error> {
    let Some(secrets) = &manifest.secrets else {
        return Ok(None);
    };
    Ok(Some(Opened {
        store: open_store(
            secrets.backend,
            secrets.vault.clone(),
            manifest.persistence.keep_backend_session(),
            secrets.sign_in.clone(),
            None,
        )?,
        fields: FieldNames::resolve(secrets.backend, Some(secrets)),
    }))
}

/// Backends may ask on the terminal only when a person is at one.
pub fn open_store(
    backend: Backend,
    vault: Option<String>,
    keep_backend_session: bool,
    op_sign_in: Option<OpSignIn>,
    op_service_token: Option<SecretString>,
) -> Result<Box<dyn SecretStore>, Error> {
    Ok(secrets::open(
        StoreOptions {
            backend,
            vault,
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            keep_backend_session,
            passphrase: Box::new(TerminalPassphrase),
            op_sign_in,
            op_service_token,
        },
        |k| std::env::var_os(k),
    )?)
}

/// The `file` backend's passphrase: `ENVACT_FILE_PASSPHRASE`, else a hidden
/// prompt on the terminal (asked twice for a new file).
struct TerminalPassphrase;

impl PassphrasePrompt for TerminalPassphrase {
    fn passphrase(
        &self,
        path: &std::path::Path,
        new_file: bool,
    ) -> Result<SecretString, SecretError> {
        if let Some(p) = std::env::var_os("ENVACT_FILE_PASSPHRASE") {
            return Ok(SecretString::from(p.to_string_lossy().into_owned()));
        }
        let unavailable = |detail: String| SecretError::Unavailable {
            backend: "file",
            detail,
            hint: "set ENVACT_FILE_PASSPHRASE, or run envact in a terminal".into(),
        };
        if !std::io::stderr().is_terminal() {
            return Err(unavailable(format!("no passphrase for {}", path.display())));
        }
        let mut prompt =
            dialoguer::Password::new().with_prompt(format!("Passphrase for {}", path.display()));
        if new_file {
            prompt =
                prompt.with_confirmation("Repeat the passphrase", "the two passphrases differ");
        }
        super::progress::suspend(|| prompt.interact())
            .map(SecretString::from)
            .map_err(|e| unavailable(format!("cannot read the passphrase: {e}")))
    }
}
