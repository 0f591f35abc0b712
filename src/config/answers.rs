//! Each person's answers to what a manifest leaves open (backend and how it
//! signs in, location, item and field names, MFA device, what may be kept):
//! `$XDG_CONFIG_HOME/envact/envs/ENV-ID.toml`, 0600 in a 0700 directory.
//! Never a secret value: names, ARNs and yes/no only.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::Dirs;
use crate::aws::MfaSerial;
use crate::manifest::{Backend, Manifest, SecretFields, Secrets};
use crate::secrets::OpSignIn;

/// The field names an answer may set.
pub const FIELD_NAMES: [&str; 3] = ["access_key_id", "secret_access_key", "mfa_totp"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<Backend>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// The MFA device's ARN; empty when the person has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_serial: Option<String>,
    /// How 1Password signs in (`[onepassword]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onepassword: Option<OpSignIn>,
    #[serde(default, skip_serializing_if = "PersistenceAnswers::is_empty")]
    pub persistence: PersistenceAnswers,
}

/// The persistence toggles a manifest leaves to each person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersistenceAnswers {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend_session: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sts_session: Option<bool>,
}

impl PersistenceAnswers {
    fn is_empty(&self) -> bool {
        self.backend_session.is_none() && self.sts_session.is_none()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl Answers {
    /// Where the answers for the environment `env_id` live.
    pub fn path(dirs: &Dirs, env_id: &str) -> PathBuf {
        dirs.config.join("envs").join(format!("{env_id}.toml"))
    }

    /// The answers at `path`, or empty ones when there is no file.
    pub fn load(path: &Path) -> Result<Answers, AnswersError> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| AnswersError::Read {
                path: path.to_path_buf(),
                reason: e.message().to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Answers::default()),
            Err(e) => Err(AnswersError::Read {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }),
        }
    }

    /// Writes the answers, 0600 in a 0700 directory, replacing the file atomically.
    pub fn save(&self, path: &Path) -> Result<(), AnswersError> {
        let err = |source| AnswersError::Write {
            path: path.to_path_buf(),
            source,
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(err)?;
        let text = toml::to_string(self).map_err(|e| err(std::io::Error::other(e.to_string())))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
        tmp.write_all(text.as_bytes()).map_err(err)?;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(err)?;
        tmp.persist(path).map_err(|e| err(e.error))?;
        Ok(())
    }

    /// Checks what can be checked without a backend.
    pub fn validate(&self) -> Result<(), AnswersError> {
        if let Some(serial) = self.mfa_serial.as_ref().filter(|s| !s.is_empty()) {
            serial
                .parse::<MfaSerial>()
                .map_err(|e| AnswersError::Invalid(format!("--mfa-serial: {e}")))?;
        }
        if let Some(name) = self
            .fields
            .keys()
            .find(|k| !FIELD_NAMES.contains(&k.as_str()))
        {
            return Err(AnswersError::Invalid(format!(
                "--field {name}=...: not a field envact reads; use one of {}",
                FIELD_NAMES.join(", ")
            )));
        }
        Ok(())
    }

    /// Fills what the manifest leaves open; what the manifest says wins.
    pub fn apply(&self, manifest: &mut Manifest) -> Result<(), AnswersError> {
        self.validate()?;
        if manifest.secrets.is_none() {
            if let Some(backend) = self.backend {
                manifest.secrets = Some(Secrets {
                    backend,
                    vault: None,
                    item: None,
                    fields: SecretFields::default(),
                    sign_in: None,
                });
            }
        }
        if let Some(s) = manifest.secrets.as_mut() {
            s.vault = s.vault.take().or_else(|| self.vault.clone());
            s.item = s.item.take().or_else(|| self.item.clone());
            if s.backend == Backend::OnePassword {
                s.sign_in = s.sign_in.take().or_else(|| self.onepassword.clone());
            }
            for name in FIELD_NAMES {
                if let Some(slot) = s.fields.get_mut(name) {
                    if slot.is_none() {
                        *slot = self.fields.get(name).cloned();
                    }
                }
            }
        }
        if let (Some(aws), Some(serial)) = (manifest.aws.as_mut(), &self.mfa_serial) {
            if aws.mfa_serial.is_none() {
                aws.mfa_serial = serial.parse().ok();
            }
        }
        let p = &mut manifest.persistence;
        p.backend_session = p.backend_session.or(self.persistence.backend_session);
        p.sts_session = p.sts_session.or(self.persistence.sts_session);
        Ok(())
    }

    /// What the manifest leaves open and these answers do not give, as the
    /// `envact setup` flags that would give it.
    pub fn missing_flags(&self, manifest: &Manifest) -> Vec<&'static str> {
        let mut merged = manifest.clone();
        if self.apply(&mut merged).is_err() {
            return vec![];
        }
        let mut flags = Vec::new();
        match &merged.secrets {
            None if merged.aws.is_some() => flags.push("--backend BACKEND"),
            None => {}
            Some(s) => {
                if s.item_to_read().is_none() {
                    flags.push("--item NAME");
                }
                if s.vault.is_none() && s.backend == Backend::OnePassword {
                    flags.push("--vault VAULT");
                }
            }
        }
        flags
    }
}
