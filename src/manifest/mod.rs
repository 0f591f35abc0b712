//! The project manifest, `.envact/manifest.toml`: its schema (version 1), where it
//! is found, and the validation that turns what was written into typed values or
//! into an error pointing at file:line:column.

mod discover;
mod error;
mod include;
mod names;
pub mod profiles;
mod schema;
mod sign_in;
pub mod sso;
mod validate;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::aws::profile::ChainRequest;
use crate::aws::{MfaSerial, RoleArn};

pub use discover::{discover, DiscoverError, Project, Remote, MANIFEST_DIR, MANIFEST_FILE};
pub use error::{InvalidManifest, Location, ManifestError};
pub use profiles::NamedProfile;
pub use sign_in::{OpAuth, OpSignIn};
pub use sso::Sso;

/// The only manifest schema version this build reads.
pub const SCHEMA_VERSION: i64 = 1;

/// A manifest larger than this is refused: a real one is a few hundred bytes.
pub const MAX_MANIFEST: u64 = 1024 * 1024;

/// A validated manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Shown in the prompt and in `envact status`.
    pub name: String,
    /// Plain, non-secret variables set in the activated shell.
    pub vars: BTreeMap<String, String>,
    pub secrets: Option<Secrets>,
    pub aws: Option<Aws>,
    pub persistence: Persistence,
    pub on_activate: Option<Hook>,
    pub profile: ShellProfile,
    /// `[include]`: the environments merged under this one, in order.
    pub includes: Vec<Include>,
    /// The on-activate hooks of what it includes, in order: they run
    /// before its own.
    pub included_hooks: Vec<Hook>,
    /// Where the manifest sets each setting a person could otherwise answer
    /// (`vault`, `fields.access_key_id`, `persistence.sts_session`, ...).
    pub written_at: BTreeMap<&'static str, Location>,
}

pub use crate::backend::Backend;

#[derive(Debug, Clone, PartialEq)]
pub struct Secrets {
    pub backend: Backend,
    /// Backend-specific location; `None` leaves it to the first-run wizard.
    pub vault: Option<String>,
    pub item: Option<String>,
    pub fields: SecretFields,
    /// Activation warns (once a day) when the key envact stored is older.
    pub max_key_age: Option<Duration>,
    /// How 1Password signs in: never in a manifest, only in each person's answers.
    pub sign_in: Option<OpSignIn>,
}

impl Secrets {
    /// The item the keys are read from; `""` for a backend without items
    /// (`env` reads variables).
    pub fn item_to_read(&self) -> Option<&str> {
        match (&self.item, self.backend.info().item) {
            (Some(item), _) => Some(item),
            (None, crate::backend::Item::None) => Some(""),
            (None, crate::backend::Item::Named) => None,
        }
    }
}

/// Field names inside the backend item (for `env`: variable names).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecretFields {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub mfa_totp: Option<String>,
}

impl SecretFields {
    /// The field named as in `[secrets.fields]` (`access_key_id`, ...).
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        match name {
            "access_key_id" => Some(&mut self.access_key_id),
            "secret_access_key" => Some(&mut self.secret_access_key),
            "mfa_totp" => Some(&mut self.mfa_totp),
            _ => None,
        }
    }

    pub fn get(&self, name: &str) -> Option<&String> {
        match name {
            "access_key_id" => self.access_key_id.as_ref(),
            "secret_access_key" => self.secret_access_key.as_ref(),
            "mfa_totp" => self.mfa_totp.as_ref(),
            _ => None,
        }
    }
}

/// How credentials reach commands inside an activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum InjectMode {
    /// Only wrapped commands see credentials, for their lifetime.
    #[default]
    PerCommand,
    /// Exported into the subshell.
    Shell,
    /// Served from a loopback ECS-compatible endpoint.
    Server,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Aws {
    pub profile: Option<String>,
    pub role_arn: Option<RoleArn>,
    pub mfa_serial: Option<MfaSerial>,
    pub session_duration: Duration,
    pub inject: InjectMode,
    /// Commands that get credentials in `per-command` mode.
    pub wrap: Vec<String>,
    /// Cached credentials with less than this left are refreshed (default 5m).
    pub refresh_margin: Option<Duration>,
    /// `[aws.sso]`: credentials start from an IAM Identity Center sign-in
    /// (and `[secrets]` has no part).
    pub sso: Option<Sso>,
    /// `[aws.profiles.NAME]`: roles given by name; empty for an environment
    /// of one role (the `[aws]` role itself).
    pub profiles: BTreeMap<String, NamedProfile>,
    /// The profile commands get when they name none (set when `profiles` is not empty).
    pub default_profile: Option<String>,
}

impl Aws {
    /// What the environment asks of the AWS profile chain.
    pub fn chain_request(&self) -> ChainRequest {
        ChainRequest {
            profile: self.profile.clone(),
            role_arn: self.role_arn.clone(),
            mfa_serial: self.mfa_serial.clone(),
            session_duration: self.session_duration,
        }
    }

    pub const DEFAULT_SESSION_DURATION: Duration = Duration::from_secs(3600);
    /// STS refuses sessions shorter than 15 minutes or longer than 12 hours for roles.
    pub const MIN_SESSION_DURATION: Duration = Duration::from_secs(15 * 60);
    pub const MAX_SESSION_DURATION: Duration = Duration::from_secs(12 * 3600);
}

/// Where kept sessions are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersistStore {
    #[default]
    Keyring,
    Memory,
}

/// What may outlive an activation. Everything defaults to off; `None` means
/// the manifest leaves the choice to each person (the wizard asks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Persistence {
    pub backend_session: Option<bool>,
    pub sts_session: Option<bool>,
    pub store: PersistStore,
    /// How long direnv's background agent lives without a request.
    pub agent_idle: Option<Duration>,
}

impl Persistence {
    /// What `agent_idle` is when the manifest does not say.
    pub const DEFAULT_AGENT_IDLE: Duration = Duration::from_secs(15 * 60);

    pub fn agent_idle(&self) -> Duration {
        self.agent_idle.unwrap_or(Self::DEFAULT_AGENT_IDLE)
    }

    /// Keep the backend's session token (1Password) between activations.
    pub fn keep_backend_session(&self) -> bool {
        self.backend_session.unwrap_or(false)
    }

    /// Keep STS session credentials in the keyring until they expire.
    pub fn keep_sts_session(&self) -> bool {
        self.sts_session.unwrap_or(false) && self.store == PersistStore::Keyring
    }
}

/// An environment `[include]` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Include {
    /// `REGISTRY/TEMPLATE[@REF]`, pinned as `-r` pins it (checked where the
    /// registries are known).
    Remote { name: String, location: Location },
    /// A directory, relative to the including manifest's project.
    Dir { dir: PathBuf, location: Location },
}

impl Include {
    pub fn location(&self) -> Location {
        match self {
            Include::Remote { location, .. } | Include::Dir { location, .. } => *location,
        }
    }
}

/// The `[hook] on-activate` script and where it was written, for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    pub script: String,
    pub location: Location,
    /// The manifest it is written in, when it is an included one's.
    pub file: Option<PathBuf>,
}

/// `[profile]`: shell code sourced into the interactive shell, common part first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShellProfile {
    pub common: Option<String>,
    pub bash: Option<String>,
    pub zsh: Option<String>,
    pub fish: Option<String>,
}

impl Manifest {
    /// Validates manifest text; `path` is only used to name the file in errors.
    /// `default_name` is used when the manifest has no `name` (the project
    /// directory's name). Settings read the file (`Settings::load`).
    pub fn parse(source: &str, path: &Path, default_name: &str) -> Result<Manifest, ManifestError> {
        validate::parse(source, path, default_name)
    }

    /// The on-activate hooks in the order they run: the included ones,
    /// then the manifest's own.
    pub fn hooks(&self) -> impl Iterator<Item = &Hook> {
        self.included_hooks.iter().chain(self.on_activate.as_ref())
    }

    /// Validates the text of one part of a composition (a manifest with
    /// `[include]`, or one it includes): what spans parts is left to the
    /// whole.
    pub fn parse_part(
        source: &str,
        path: &Path,
        default_name: &str,
    ) -> Result<Manifest, ManifestError> {
        validate::parse_as(source, path, default_name, false)
    }
}

/// A project directory's display name: its last path component.
pub fn dir_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "envact".to_string())
}

/// The manifest path for a project directory.
pub fn manifest_path(project_dir: &Path) -> PathBuf {
    project_dir.join(MANIFEST_DIR).join(MANIFEST_FILE)
}
