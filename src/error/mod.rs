//! The library's error type: each variant says what was wrong and where, and
//! knows which exit code and advice the command line should give.

use std::path::PathBuf;

use crate::aws::error::{AwsError, Service};
use crate::aws::flow::FlowError;
use crate::aws::profile::ProfileError;
use crate::aws::sso::service::SsoError;
use crate::aws::sso::sign_in::SignInError;
use crate::aws::sts::StsError;
use crate::manifest::{DiscoverError, Location, ManifestError};
use crate::secrets::SecretError;
use crate::shell::UnsupportedShell;
use crate::ui::AskError;

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

    #[error(transparent)]
    Profile(#[from] ProfileError),

    #[error(transparent)]
    Flow(#[from] FlowError),

    #[error(transparent)]
    SignIn(#[from] SignInError),

    #[error("{} has [aws] but no [secrets] to read the long-term keys from", manifest.display())]
    AwsWithoutSecrets { manifest: PathBuf },

    #[error("your sign-in to {start_url} is assigned {what}")]
    NothingAssigned { what: String, start_url: String },

    #[error("{what} {value:?} is not one your sign-in to {start_url} is assigned (yours: {})", available.join(", "))]
    NotAssigned {
        what: &'static str,
        value: String,
        available: Vec<String>,
        start_url: String,
    },

    #[error("{} has no [aws.sso], and names no AWS profile that signs in through IAM Identity Center: there is no sign-in to use", manifest.display())]
    NoSso { manifest: PathBuf },

    #[error("{} has no profile {name:?}{}", manifest.display(), if known.is_empty() { ": it has no [aws.profiles]".to_string() } else { format!(": its profiles are {known}") })]
    UnknownProfile {
        name: String,
        /// The profiles it has, `a, b, c`.
        known: String,
        manifest: PathBuf,
    },

    #[error("{} has no [aws] section: there are no AWS credentials to {what}", manifest.display())]
    NoAws {
        manifest: PathBuf,
        what: &'static str,
    },

    #[error(
        "an MFA code for {serial} is needed, and there is no terminal to ask on and no TOTP field"
    )]
    MfaUnreachable {
        serial: String,
        project: PathBuf,
        keeps_sessions: bool,
    },

    #[error("{flag} would never be used: the manifest sets {setting} itself, at {}:{}:{}",
        manifest.display(), location.line, location.column)]
    FixedByManifest {
        flag: String,
        setting: String,
        manifest: PathBuf,
        location: Location,
    },

    #[error("no item {item:?} in {location} (items there: {})",
        if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    NothingToRemove {
        location: String,
        item: String,
        available: Vec<String>,
    },

    #[error(transparent)]
    Template(#[from] crate::template::fetch::TemplateError),

    #[error(transparent)]
    Registries(#[from] crate::state::registries::RegistriesError),

    #[error("{name:?} cannot be a registry's name: {reason}")]
    BadRegistry { name: String, reason: String },

    #[error("the registry {name:?} cannot be added: {reason}")]
    BadRegistryUrl { name: String, reason: &'static str },

    #[error("the template {name} {}: nothing of it runs before you trust it", if *changed { "has changed since you trusted it" } else { "is not trusted yet" })]
    Untrusted { name: String, changed: bool },

    #[error("{}: inject = \"shell\" cannot work under direnv: direnv would copy the credentials into DIRENV_DIFF and into every process", manifest.display())]
    ShellUnderDirenv { manifest: PathBuf },

    #[error("{} {} set in your shell: in server mode an SDK takes {} before envact's endpoint and runs as whoever those keys are, and direnv cannot take {} out of the shell without copying {} into DIRENV_DIFF", names.join(" and "), if names.len() == 1 { "is" } else { "are" }, if names.len() == 1 { "it" } else { "them" }, if names.len() == 1 { "it" } else { "them" }, if names.len() == 1 { "its value" } else { "their values" })]
    KeysInShellUnderDirenv { names: Vec<String> },

    #[error("{name} is {reason}")]
    BadEnvVar { name: &'static str, reason: String },

    #[error("{} {}: direnv loads nothing of it before you trust it", manifest.display(), if *changed { "has changed since you trusted it" } else { "has a hook or a flagged variable and is not trusted yet" })]
    UntrustedManifest {
        manifest: PathBuf,
        dir: PathBuf,
        changed: bool,
    },

    #[error("denied: nothing of {name} ran")]
    Denied { name: String },

    #[error("{origin} is {value:?}, which is not an AWS region")]
    BadRegion { value: String, origin: String },

    #[error("cannot lock {}: {source}", path.display())]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("gave up after {} s waiting for {} to finish resolving these credentials (lock {})",
        waited.as_secs(),
        holder.map_or("another envact".to_string(), |pid| format!("envact (pid {pid})")),
        path.display())]
    LockTimeout {
        path: PathBuf,
        holder: Option<u32>,
        waited: std::time::Duration,
    },

    #[error(transparent)]
    Answers(#[from] crate::state::answers::AnswersError),

    #[error("{} leaves these to each person, and you have not answered them: {}", manifest.display(), flags.join(", "))]
    Unanswered {
        manifest: PathBuf,
        flags: Vec<&'static str>,
        /// `team/aws` when the environment is a template: the commands
        /// that answer name it with `-r`.
        remote: Option<String>,
    },

    #[error("setup stopped: {reason}; nothing was written")]
    SetupInterrupted { reason: String },

    #[error("cannot start the credential agent: {0}")]
    Agent(std::io::Error),

    #[error("the credential agent of this activation failed: {0}")]
    AgentFailed(String),

    /// `said` is the agent's own `error: ...` (and `help: ...`) lines.
    #[error("the environment's background agent could not start: {}", said.lines().next().unwrap_or("").trim_start_matches("error: "))]
    BackgroundAgent { log: PathBuf, said: String },

    #[error("refusing to ask the credential agent named by ENVACT_RUNTIME_DIR: {0}")]
    AgentUntrusted(String),

    #[error("{}", if *live {
        format!("the activation {name:?} (from {}) has no credential agent: it gives no credentials to wrapped commands (no [aws], or inject = \"shell\")", dir.display())
    } else {
        format!("the activation {name:?} (from {}) has ended, and its credential agent with it", dir.display())
    })]
    NoAgent {
        name: String,
        dir: PathBuf,
        live: bool,
    },

    #[error("{program}: command not found")]
    CommandNotFound { program: String },

    #[error("no secrets backend is configured")]
    NoBackend,

    #[error("{what} is not an AWS {expected}: {reason}")]
    BadKey {
        what: &'static str,
        expected: &'static str,
        reason: String,
    },

    #[error("cannot read {what}: {reason}")]
    Input {
        what: &'static str,
        reason: String,
        /// What to do, which depends on what was being read.
        help: &'static str,
    },

    #[error("already inside the envact environment {name:?} (from {}{})", dir.display(), if *direnv { ", loaded by direnv" } else { "" })]
    Nested {
        name: String,
        dir: PathBuf,
        direnv: bool,
    },

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

    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{}:{line}: cannot include: {detail}", manifest.display())]
    IncludeInvalid {
        manifest: PathBuf,
        line: usize,
        detail: String,
    },

    #[error("{}: {}", manifest.display(), match (only, included.is_empty()) {
        (_, true) => "it includes no registry's template, so no pin to move".to_string(),
        (Some(name), false) => format!("it does not include {name}; it includes {}", included.join(", ")),
        (None, false) => unreachable!("something to pull"),
    })]
    NothingToPull {
        manifest: PathBuf,
        only: Option<String>,
        included: Vec<String>,
    },

    #[error(transparent)]
    Rotate(Box<rotate::RotateError>),

    #[error("includes include each other: {}", chain.join(" -> "))]
    IncludeLoop { chain: Vec<String> },

    #[error("includes go deeper than {most}: {}", chain.join(" -> "))]
    IncludeTooDeep { chain: Vec<String>, most: usize },

    #[error("{}:{line}: a registry's template includes a directory", manifest.display())]
    IncludeRefused { manifest: PathBuf, line: usize },

    #[error("{}:{line}: the include {dir:?} has no manifest (.envact/manifest.toml or manifest.toml)", manifest.display())]
    IncludeMissing {
        manifest: PathBuf,
        line: usize,
        dir: PathBuf,
    },
}

impl From<crate::shell::profiles::NotAProfile> for Error {
    fn from(e: crate::shell::profiles::NotAProfile) -> Error {
        Error::UnknownProfile {
            name: e.name,
            known: e.known,
            manifest: e.manifest,
        }
    }
}

impl From<crate::template::BuiltinError> for Error {
    fn from(e: crate::template::BuiltinError) -> Error {
        use crate::template::BuiltinError as B;
        match e {
            B::Unknown { name, available } => Error::UnknownTemplate { name, available },
            B::Exists { path } => Error::ManifestExists { path },
            B::Write { path, source } => Error::Write { path, source },
        }
    }
}

/// A question that got no answer (Ctrl-C, Ctrl-D, no terminal) ends setup.
impl From<rotate::RotateError> for Error {
    fn from(e: rotate::RotateError) -> Error {
        Error::Rotate(Box::new(e))
    }
}

impl From<AskError> for Error {
    fn from(e: AskError) -> Error {
        Error::SetupInterrupted {
            reason: e.to_string(),
        }
    }
}

/// An AWS failure with nothing more said: IAM Identity Center's is the
/// sign-in's; STS's (and IAM's, which `rotate` says more of itself) the
/// credential flow's.
impl From<AwsError> for Error {
    fn from(e: AwsError) -> Error {
        match e.service() {
            Service::IdentityCenter => Error::SignIn(SignInError::Service(e)),
            Service::Sts | Service::Iam => Error::Flow(FlowError::Sts(e)),
        }
    }
}

impl Error {
    /// 1 for a user error; 3 for a backend (or AWS) failure (README.md,
    /// "How activation behaves").
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Secret(e) => e.exit_code(),
            Error::Template(e) => e.exit_code(),
            Error::Flow(FlowError::NoMfaSource { .. } | FlowError::MfaInput(_)) => 1,
            Error::MfaUnreachable { .. } => 1,
            Error::Flow(_) | Error::AgentFailed(_) => 3,
            Error::SignIn(SignInError::Service(_) | SignInError::Write { .. }) => 3,
            Error::CommandNotFound { .. } => 127,
            _ => 1,
        }
    }
}

mod help;
mod rotate;

pub use rotate::RotateError;
