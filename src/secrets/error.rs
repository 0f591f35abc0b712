//! What can go wrong with a secrets backend, each case with what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("`{program}` is not installed (needed for the {backend} backend)")]
    ProgramMissing {
        backend: &'static str,
        program: &'static str,
        install: &'static str,
    },

    /// Found before anything is asked: this machine cannot use the backend.
    #[error("{what}")]
    NotReady {
        backend: &'static str,
        what: String,
        fix: String,
        /// Another backend this machine can use now.
        instead: String,
    },

    #[error("the {backend} backend is not available: {detail}")]
    Unavailable {
        backend: &'static str,
        detail: String,
        hint: String,
    },

    #[error(
        "no item {item:?} in {location}{}",
        list_suffix("items there", available)
    )]
    ItemNotFound {
        location: String,
        item: String,
        available: Vec<String>,
    },

    #[error(
        "item {item:?} in {location} has no field {field:?}{}",
        list_suffix("its fields", available)
    )]
    FieldNotFound {
        location: String,
        item: String,
        field: String,
        available: Vec<String>,
    },

    #[error("the file backend's vault {vault:?} is not a file name: {reason}")]
    BadVault { vault: String, reason: &'static str },

    #[error("environment variable {var} is not set")]
    VarNotSet { var: String },

    #[error("wrong passphrase for {}", path.display())]
    WrongPassphrase { path: PathBuf },

    #[error("{} is not a readable envact secrets file: {detail}", path.display())]
    Corrupted { path: PathBuf, detail: String },

    #[error("1Password's `op` is not signed in: {detail}")]
    NotSignedIn { detail: String },

    #[error("the {backend} backend is read-only: {detail}")]
    ReadOnly {
        backend: &'static str,
        detail: String,
    },

    #[error("{backend} failed: {detail}")]
    Failed {
        backend: &'static str,
        detail: String,
    },

    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

fn list_suffix(what: &str, names: &[String]) -> String {
    if names.is_empty() {
        format!(" ({what}: none)")
    } else {
        format!(" ({what}: {})", names.join(", "))
    }
}

impl SecretError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            SecretError::ProgramMissing { install, .. } => format!("install it: {install}"),
            SecretError::Unavailable { hint, .. } => hint.clone(),
            SecretError::NotReady { fix, instead, .. } => format!("{fix}; {instead}"),
            SecretError::ItemNotFound { item, .. } => {
                format!("store it with `envact add {item}`, or fix the item name")
            }
            SecretError::FieldNotFound { .. } => {
                "set [secrets.fields] in the manifest to one of the fields listed".into()
            }
            SecretError::BadVault { .. } => {
                "name the file with letters, digits, `-`, `_` and `.` (it is kept in $XDG_CONFIG_HOME/envact/secrets), in the manifest's [secrets] vault or with --vault".into()
            }
            SecretError::VarNotSet { .. } => {
                "set it (a CI secret, for instance), or name another variable in [secrets.fields]"
                    .into()
            }
            SecretError::WrongPassphrase { .. } => {
                "try again, or set ENVACT_FILE_PASSPHRASE to the right passphrase".into()
            }
            SecretError::Corrupted { .. } => {
                "restore the file from a backup, or move it away and `envact add` the keys again"
                    .into()
            }
            SecretError::NotSignedIn { .. } => {
                "run `op signin` (or set OP_SERVICE_ACCOUNT_TOKEN), then try again".into()
            }
            SecretError::ReadOnly { .. } => {
                "set the variables in the environment instead (CI secrets)".into()
            }
            SecretError::Failed { .. } | SecretError::Io { .. } => return None,
        })
    }

    /// 1 when the user named something that is not there; 3 when the backend failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            SecretError::ItemNotFound { .. }
            | SecretError::FieldNotFound { .. }
            | SecretError::VarNotSet { .. }
            | SecretError::BadVault { .. }
            | SecretError::WrongPassphrase { .. }
            | SecretError::ReadOnly { .. } => 1,
            _ => 3,
        }
    }
}
