//! The library's error type: each variant says what was wrong and where, and
//! knows which exit code and advice the command line should give.

use std::path::PathBuf;

use crate::manifest::{DiscoverError, Location, ManifestError};
use crate::secrets::SecretError;
use crate::shell::UnsupportedShell;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Manifest(#[from] ManifestError),

    #[error(transparent)]
    Discover(#[from] DiscoverError),

    #[error(transparent)]
    UnsupportedShell(#[from] UnsupportedShell),

    #[error(transparent)]
    Secret(#[from] SecretError),

    #[error("{} names no item in [secrets]", manifest.display())]
    NoItem { manifest: PathBuf },

    #[error("no secrets backend is configured")]
    NoBackend,

    #[error("{what} is not an AWS {expected}: {reason}")]
    BadKey {
        what: &'static str,
        expected: &'static str,
        reason: String,
    },

    #[error("cannot read {what}: {reason}")]
    Input { what: &'static str, reason: String },

    #[error("already inside the envact environment {name:?} (from {})", dir.display())]
    Nested { name: String, dir: PathBuf },

    #[error("the on-activate hook ({}:{}:{}) failed with exit code {code}; the environment was not activated",
        manifest.display(), location.line, location.column)]
    HookFailed {
        manifest: PathBuf,
        location: Location,
        code: i32,
    },

    #[error("cannot start {}: {source}", program.display())]
    Spawn {
        program: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot prepare the runtime directory in {}: {source}", base.display())]
    RuntimeDir {
        base: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot read the current directory: {0}")]
    CurrentDir(std::io::Error),

    #[error("cannot handle signals: {0}")]
    Signals(std::io::Error),

    #[error("{} already exists", path.display())]
    ManifestExists { path: PathBuf },

    #[error("no built-in template named {name:?}; available: {}", available.join(", "))]
    UnknownTemplate {
        name: String,
        available: Vec<&'static str>,
    },

    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    /// 1 for a user error; 3 for a backend (or AWS) failure (DESIGN.md).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Secret(e) => e.exit_code(),
            _ => 1,
        }
    }

    /// What to do about it, when the message alone does not say.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Error::Manifest(e) => return e.help().map(str::to_string),
            Error::Secret(e) => return e.help(),
            Error::NoItem { .. } => "set [secrets] item to the name the keys are stored under (`envact list` shows them)".into(),
            Error::NoBackend => "pass --backend (keyring, pass, 1password, file), or run inside a project whose manifest has [secrets]".into(),
            Error::BadKey { .. } => "check that you pasted the right value; nothing was stored".into(),
            Error::Input { .. } => "run it in a terminal, or pass --stdin and write the access key id and the secret access key on two lines".into(),
            Error::Discover(DiscoverError::NotFound { .. }) => {
                "run `envact init` to create one, or pass -d DIR".into()
            }
            Error::Discover(DiscoverError::NotInDir { .. }) => {
                "run `envact init -d DIR` to create one there".into()
            }
            Error::Discover(DiscoverError::NoSuchDir { .. }) => {
                "pass an existing project directory to -d".into()
            }
            Error::UnsupportedShell(_) => {
                "choose a supported shell with --shell PATH or ENVACT_SHELL=PATH, e.g. --shell bash"
                    .into()
            }
            Error::Nested { .. } => {
                "nesting is not supported: `exit` this shell first, then activate the other environment"
                    .into()
            }
            Error::HookFailed { .. } => {
                "fix [hook] on-activate in the manifest, or run it by hand to see why it fails".into()
            }
            Error::Spawn { .. } => {
                "install the program, or choose another shell with --shell PATH".into()
            }
            Error::RuntimeDir { .. } => {
                "check that $XDG_RUNTIME_DIR (or the temp dir) exists and is writable".into()
            }
            Error::ManifestExists { .. } => {
                "pass --force to overwrite it, or edit it by hand".into()
            }
            Error::UnknownTemplate { .. } => "pass one of the names above to --template".into(),
            Error::CurrentDir(_) => "cd to an existing directory, or pass -d DIR".into(),
            Error::Signals(_) | Error::Write { .. } => return None,
        })
    }
}
