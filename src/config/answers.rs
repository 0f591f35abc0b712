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
use crate::manifest::{Backend, Location, Manifest, SecretFields, Secrets};
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
            Ok(text) => toml::from_str(&text).map_err(|e| {
                // Located like a manifest error: file:line:column.
                let at = e
                    .span()
                    .map(|span| Location::from_offset(&text, span.start));
                AnswersError::Read {
                    path: match at {
                        Some(at) => {
                            PathBuf::from(format!("{}:{}:{}", path.display(), at.line, at.column))
                        }
                        None => path.to_path_buf(),
                    },
                    reason: e.message().to_string(),
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::OpAuth;

    fn manifest(text: &str) -> Manifest {
        Manifest::parse(&format!("version = 1\n{text}"), Path::new("m.toml"), "t").unwrap()
    }

    fn answers(text: &str) -> Answers {
        toml::from_str(text).unwrap()
    }

    /// (manifest, answers, expected backend, vault, item, secret field, mfa, keep sts)
    #[test]
    fn the_manifest_wins_and_answers_fill_only_what_it_leaves_open() {
        type Row = (
            &'static str,
            &'static str,
            Option<Backend>,
            Option<&'static str>,
            Option<&'static str>,
            Option<&'static str>,
            Option<&'static str>,
            bool,
        );
        let mfa = "arn:aws:iam::123456789012:mfa/a";
        let rows: [Row; 6] = [
            // Nothing answered: the manifest as written.
            (
                "[secrets]\nbackend = \"pass\"\nitem = \"m\"\n",
                "",
                Some(Backend::Pass),
                None,
                Some("m"),
                None,
                None,
                false,
            ),
            // The manifest's item and vault win over the answers'.
            (
                "[secrets]\nbackend = \"keyring\"\nvault = \"mv\"\nitem = \"m\"\n",
                "vault = \"av\"\nitem = \"a\"\n",
                Some(Backend::Keyring),
                Some("mv"),
                Some("m"),
                None,
                None,
                false,
            ),
            // Open ones are filled, fields one by one.
            (
                "[secrets]\nbackend = \"keyring\"\n[secrets.fields]\naccess_key_id = \"id\"\n",
                "item = \"a\"\n[fields]\naccess_key_id = \"x\"\nsecret_access_key = \"s\"\n",
                Some(Backend::Keyring),
                None,
                Some("a"),
                Some("s"),
                None,
                false,
            ),
            // The backend is answered only where the manifest has no [secrets].
            (
                "[aws]\n",
                "backend = \"file\"\nitem = \"a\"\n",
                Some(Backend::File),
                None,
                Some("a"),
                None,
                None,
                false,
            ),
            (
                "[secrets]\nbackend = \"pass\"\n",
                "backend = \"file\"\n",
                Some(Backend::Pass),
                None,
                None,
                None,
                None,
                false,
            ),
            // MFA device and persistence: the answer fills, "" means none.
            (
                "[aws]\n[secrets]\nbackend = \"env\"\n",
                "mfa_serial = \"\"\n[persistence]\nsts_session = true\n",
                Some(Backend::Env),
                None,
                None,
                None,
                None,
                true,
            ),
        ];
        for (m, a, backend, vault, item, secret, serial, keep) in rows {
            let mut merged = manifest(m);
            answers(a).apply(&mut merged).unwrap();
            let s = merged.secrets.as_ref();
            let case = format!("{m:?} + {a:?}");
            assert_eq!(s.map(|s| s.backend), backend, "{case}");
            assert_eq!(s.and_then(|s| s.vault.as_deref()), vault, "{case}");
            assert_eq!(s.and_then(|s| s.item.as_deref()), item, "{case}");
            assert_eq!(
                s.and_then(|s| s.fields.secret_access_key.as_deref()),
                secret,
                "{case}"
            );
            let got = merged.aws.as_ref().and_then(|a| a.mfa_serial.as_ref());
            assert_eq!(got.map(|m| m.to_string()).as_deref(), serial, "{case}");
            assert_eq!(merged.persistence.keep_sts_session(), keep, "{case}");
        }
        // An MFA answer fills the manifest's gap; the manifest's own persistence wins.
        let mut merged = manifest("[aws]\n[persistence]\nsts_session = false\n");
        answers(&format!(
            "mfa_serial = \"{mfa}\"\n[persistence]\nsts_session = true\n"
        ))
        .apply(&mut merged)
        .unwrap();
        assert_eq!(merged.aws.unwrap().mfa_serial.unwrap().to_string(), mfa);
        assert!(!merged.persistence.keep_sts_session());
    }

    #[test]
    fn sign_in_answers_apply_to_1password_only() {
        let a = answers("[onepassword]\nauth = \"account\"\naccount = \"my.1password.com\"\n");
        let mut op = manifest("[secrets]\nbackend = \"1password\"\n");
        a.apply(&mut op).unwrap();
        let sign_in = op.secrets.unwrap().sign_in.unwrap();
        assert_eq!(sign_in.auth, OpAuth::Account);
        assert_eq!(sign_in.account.as_deref(), Some("my.1password.com"));
        let mut keyring = manifest("[secrets]\nbackend = \"keyring\"\n");
        a.apply(&mut keyring).unwrap();
        assert_eq!(keyring.secrets.unwrap().sign_in, None);
    }

    #[test]
    fn missing_answers_are_named_as_the_flags_that_give_them() {
        let none = Answers::default();
        for (m, flags) in [
            ("[aws]\n", vec!["--backend BACKEND"]),
            ("[secrets]\nbackend = \"keyring\"\n", vec!["--item NAME"]),
            (
                "[secrets]\nbackend = \"1password\"\n",
                vec!["--item NAME", "--vault VAULT"],
            ),
            ("[secrets]\nbackend = \"env\"\n", vec![]),
            ("", vec![]),
        ] {
            assert_eq!(none.missing_flags(&manifest(m)), flags, "{m:?}");
        }
        let given = answers("vault = \"V\"\nitem = \"I\"\n");
        assert!(given
            .missing_flags(&manifest("[secrets]\nbackend = \"1password\"\n"))
            .is_empty());
    }

    #[test]
    fn bad_answers_are_refused_and_files_round_trip_0600() {
        assert!(answers("mfa_serial = \"nope\"\n").validate().is_err());
        assert!(answers("mfa_serial = \"\"\n").validate().is_ok());
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
        a.save(&path).unwrap();
        assert_eq!(Answers::load(&path).unwrap(), a);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        std::fs::write(&path, "colour = \"blue\"\n").unwrap();
        let err = Answers::load(&path).unwrap_err().to_string();
        assert!(err.contains("id.toml:1:1: unknown field `colour`"), "{err}");
    }
}
