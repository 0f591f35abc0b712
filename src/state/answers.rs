//! Each person's answers to what a manifest leaves open (backend and how it
//! signs in, location, item and field names, MFA device, what may be kept):
//! `$XDG_CONFIG_HOME/envact/envs/ENV-ID.toml`, 0600 in a 0700 directory.
//! Never a secret value: names, ARNs and yes/no only.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Dirs;
use crate::aws::Mfa;
use crate::manifest::sso::{is_account_id, is_role_name};
use crate::manifest::{Backend, OpSignIn};
use crate::private_fs::write_private;

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
    /// The MFA device, or none (written `""`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_serial: Option<Mfa>,
    /// How 1Password signs in (`[onepassword]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onepassword: Option<OpSignIn>,
    #[serde(default, skip_serializing_if = "PersistenceAnswers::is_empty")]
    pub persistence: PersistenceAnswers,
    /// The IAM Identity Center account and role, where `[aws.sso]` leaves
    /// them to each person (`[sso]`).
    #[serde(default, skip_serializing_if = "SsoAnswers::is_empty")]
    pub sso: SsoAnswers,
}

/// The account and role an `[aws.sso]` leaves to each person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoAnswers {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
}

impl SsoAnswers {
    fn is_empty(&self) -> bool {
        self.account_id.is_none() && self.role_name.is_none()
    }
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

impl AnswersError {
    fn unreadable((path, reason): super::Unreadable) -> AnswersError {
        AnswersError::Read { path, reason }
    }
}

impl Answers {
    /// Where the answers for the environment `env_id` live.
    pub fn path(dirs: &Dirs, env_id: &str) -> PathBuf {
        dirs.config.join("envs").join(format!("{env_id}.toml"))
    }

    /// The answers at `path`, or empty ones when there is no file.
    pub fn load(path: &Path) -> Result<Answers, AnswersError> {
        match super::read_optional(path).map_err(AnswersError::unreadable)? {
            Some(text) => Answers::parse(&text, path),
            None => Ok(Answers::default()),
        }
    }

    /// Answers from the text of an answers file; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Answers, AnswersError> {
        super::parse_toml(text, path).map_err(AnswersError::unreadable)
    }

    /// Writes the answers, 0600 in a 0700 directory inside envact's own
    /// `owned` one, replacing the file atomically.
    pub fn save(&self, path: &Path, owned: &Path) -> Result<(), AnswersError> {
        let err = |source| AnswersError::Write {
            path: path.to_path_buf(),
            source,
        };
        let text = toml::to_string(self).map_err(|e| err(std::io::Error::other(e.to_string())))?;
        // A directory where the file goes (made by hand, or by another
        // tool): an empty one is put aside, anything in it is not envact's
        // to delete.
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            std::fs::remove_dir(path).map_err(|_| {
                err(std::io::Error::other(
                    "a directory with files in it is there: move it away, then answer again",
                ))
            })?;
        }
        write_private(path, owned, text.as_bytes()).map_err(err)
    }

    /// Checks what can be checked without a backend.
    pub fn validate(&self) -> Result<(), AnswersError> {
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
        if let Some(id) = self.sso.account_id.as_deref().filter(|a| !is_account_id(a)) {
            return Err(AnswersError::Invalid(format!(
                "--sso-account {id:?}: an AWS account id is 12 digits"
            )));
        }
        if let Some(name) = self.sso.role_name.as_deref().filter(|r| !is_role_name(r)) {
            return Err(AnswersError::Invalid(format!(
                "--sso-role {name:?}: a role name is letters, digits and +=,.@_-, up to 64"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn answers(text: &str) -> Answers {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn bad_answers_are_refused_and_files_round_trip_0600() {
        assert!(toml::from_str::<Answers>("mfa_serial = \"nope\"\n").is_err());
        assert_eq!(answers("mfa_serial = \"\"\n").mfa_serial, Some(Mfa::None));
        let mut bad = Answers::default();
        bad.fields.insert("password".into(), "x".into());
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("not a field envact reads"));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("envs/id.toml");
        assert_eq!(Answers::load(&path).unwrap(), Answers::default());
        let a = answers("item = \"I\"\n[persistence]\nbackend_session = false\n");
        a.save(&path, dir.path()).unwrap();
        assert_eq!(Answers::load(&path).unwrap(), a);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        std::fs::write(&path, "colour = \"blue\"\n").unwrap();
        let err = Answers::load(&path).unwrap_err().to_string();
        assert!(err.contains("id.toml:1:1: unknown field `colour`"), "{err}");
    }
}
