//! The one load path for an environment's settings: the manifest as written,
//! this person's answers (`envact setup`), and the two completed into the
//! effective manifest that every command uses, with where each value came
//! from. Whatever else may one day supply a manifest (a remote template, an
//! include) plugs in here, as another source of the manifest as written.
//!
//! Precedence is simple and total: what the manifest says wins; an answer
//! fills only what the manifest leaves open; the backend's defaults fill the
//! rest where there is one.

use std::path::PathBuf;

mod sources;

pub use sources::{Setting, Source};

use crate::manifest::{dir_name, Manifest, Project, SecretFields, Secrets};
use crate::state::answers::{Answers, FIELD_NAMES};
use crate::state::{environment_id, path_id, remote_id, Dirs};
use crate::Error;

/// An environment's settings, loaded once.
#[derive(Debug, Clone)]
pub struct Settings {
    pub project: Project,
    /// The manifest as written.
    pub written: Manifest,
    /// Its text, as read: what trust is given to, byte for byte.
    pub text: String,
    /// This person's answers, as loaded or as last given.
    pub answers: Answers,
    /// Where the answers are kept.
    pub answers_path: PathBuf,
    /// Names this environment's per-user state: answers, cached sessions, locks.
    pub env_id: String,
    /// `written` completed with `answers`.
    effective: Manifest,
}

impl Settings {
    /// Reads the project's manifest and this person's answers for it.
    pub fn load(project: Project, dirs: &Dirs) -> Result<Settings, Error> {
        let (written, text) = load_manifest(&project)?;
        let (env_id, answers_path, read_from) = where_answers_are(&project, dirs);
        let answers = Answers::load(&read_from)?;
        Settings::new(project, (written, text), answers, answers_path, env_id)
    }

    /// Like [`Settings::load`], but an answers file that cannot be read (or
    /// holds answers that make no sense) counts as none: for answering anew.
    /// Returns why it was set aside.
    pub fn load_over_broken_answers(
        project: Project,
        dirs: &Dirs,
    ) -> Result<(Settings, Option<Error>), Error> {
        let written = load_manifest(&project)?;
        let (env_id, answers_path, read_from) = where_answers_are(&project, dirs);
        let loaded = Answers::load(&read_from).map_err(Error::from);
        let checked = loaded.and_then(|a| a.validate().map(|()| a).map_err(Error::from));
        let (answers, broken) = match checked {
            Ok(answers) => (answers, None),
            Err(e) => (Answers::default(), Some(e)),
        };
        let settings = Settings::new(project, written, answers, answers_path, env_id)?;
        Ok((settings, broken))
    }

    /// `written`: the manifest as written, and its text.
    fn new(
        project: Project,
        (written, text): (Manifest, String),
        answers: Answers,
        answers_path: PathBuf,
        env_id: String,
    ) -> Result<Settings, Error> {
        answers.validate()?;
        let effective = complete(&written, &answers);
        Ok(Settings {
            project,
            written,
            text,
            answers,
            answers_path,
            env_id,
            effective,
        })
    }

    /// Settings that were never on disk, for tests.
    #[cfg(test)]
    pub(crate) fn in_memory(written: Manifest, answers: Answers) -> Result<Settings, Error> {
        let project = Project {
            dir: "/p".into(),
            manifest: "/p/.envact/manifest.toml".into(),
            remote: None,
        };
        Settings::new(
            project,
            (written, String::new()),
            answers,
            "/a.toml".into(),
            "id".into(),
        )
    }

    /// The manifest completed with the answers: what commands act on.
    pub fn effective(&self) -> &Manifest {
        &self.effective
    }

    /// The same environment with other answers (given, or being asked).
    pub fn with_answers(&self, answers: Answers) -> Result<Settings, Error> {
        Settings::new(
            self.project.clone(),
            (self.written.clone(), self.text.clone()),
            answers,
            self.answers_path.clone(),
            self.env_id.clone(),
        )
    }

    /// What the manifest leaves open and the answers do not give, without
    /// which nothing can be read: as the `envact setup` flags that give it.
    pub fn missing_flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        match &self.effective.secrets {
            // An IAM Identity Center sign-in needs no backend.
            None if self.effective.aws.as_ref().is_some_and(|a| a.sso.is_none()) => {
                flags.push("--backend BACKEND")
            }
            None => {}
            Some(s) => {
                if s.item_to_read().is_none() {
                    flags.push("--item NAME");
                }
                let required = matches!(
                    s.backend.info().vault,
                    crate::backend::Vault::Asked { required: true, .. }
                );
                if s.vault.is_none() && required {
                    flags.push("--vault VAULT");
                }
            }
        }
        if let Some(sso) = self.effective.aws.as_ref().and_then(|a| a.sso.as_ref()) {
            if sso.account_id.is_none() {
                flags.push("--sso-account ID");
            }
            if sso.role_name.is_none() {
                flags.push("--sso-role NAME");
            }
        }
        flags
    }

    /// The error for what is left unanswered, naming the flags (and the
    /// template's `-r`) that would answer it.
    pub fn unanswered(&self) -> Error {
        Error::Unanswered {
            manifest: self.project.manifest.clone(),
            flags: self.missing_flags(),
            remote: self.project.remote.as_ref().map(|r| r.name.clone()),
        }
    }

    /// Whether activation must ask (the wizard) before anything can be read.
    pub fn needs_answers(&self) -> bool {
        !self.missing_flags().is_empty()
    }
}

/// The manifest as written, and its text; a template's is named by its
/// registry and commit in messages, not by its place in the cache.
fn load_manifest(project: &Project) -> Result<(Manifest, String), Error> {
    let (shown, default_name) = match &project.remote {
        None => (project.manifest.clone(), dir_name(&project.dir)),
        Some(remote) => (
            remote.shown_manifest(),
            remote
                .template
                .rsplit('/')
                .next()
                .unwrap_or(&remote.template)
                .to_string(),
        ),
    };
    let text = crate::private_fs::read_text(&project.manifest, crate::manifest::MAX_MANIFEST)
        .map_err(|source| crate::manifest::ManifestError::Read {
            path: shown.clone(),
            source,
        })?;
    let manifest = Manifest::parse(&text, &shown, &default_name)?;
    Ok((manifest, text))
}

/// The environment's id, where its answers are written, and where they are
/// read from: there, or (until written again) where envact kept them when it
/// keyed them by the manifest's path alone.
fn where_answers_are(project: &Project, dirs: &Dirs) -> (String, PathBuf, PathBuf) {
    if let Some(remote) = &project.remote {
        // A template is the same environment at every commit, in every directory.
        let env_id = remote_id(&remote.url, &remote.template);
        let path = Answers::path(dirs, &env_id);
        return (env_id, path.clone(), path);
    }
    let env_id = environment_id(&project.manifest);
    let path = Answers::path(dirs, &env_id);
    let old = Answers::path(dirs, &path_id(&project.manifest));
    let read_from = if !path.exists() && old.exists() {
        old
    } else {
        path.clone()
    };
    (env_id, path, read_from)
}

/// The manifest with what it leaves open filled from the answers.
fn complete(written: &Manifest, answers: &Answers) -> Manifest {
    let mut m = written.clone();
    if m.secrets.is_none() {
        if let Some(backend) = answers.backend {
            m.secrets = Some(Secrets {
                backend,
                vault: None,
                item: None,
                fields: SecretFields::default(),
                sign_in: None,
            });
        }
    }
    if let Some(s) = m.secrets.as_mut() {
        s.vault = s.vault.take().or_else(|| answers.vault.clone());
        s.item = s.item.take().or_else(|| answers.item.clone());
        if s.backend.info().sign_in == crate::backend::SignIn::OnePassword {
            s.sign_in = s.sign_in.take().or_else(|| answers.onepassword.clone());
        }
        for name in FIELD_NAMES {
            if let Some(slot) = s.fields.get_mut(name) {
                if slot.is_none() {
                    *slot = answers.fields.get(name).cloned();
                }
            }
        }
    }
    if let (Some(aws), Some(mfa)) = (m.aws.as_mut(), &answers.mfa_serial) {
        if aws.mfa_serial.is_none() {
            aws.mfa_serial = mfa.device().cloned();
        }
    }
    if let Some(sso) = m.aws.as_mut().and_then(|a| a.sso.as_mut()) {
        sso.account_id = sso
            .account_id
            .take()
            .or_else(|| answers.sso.account_id.clone());
        sso.role_name = sso
            .role_name
            .take()
            .or_else(|| answers.sso.role_name.clone());
    }
    let p = &mut m.persistence;
    p.backend_session = p.backend_session.or(answers.persistence.backend_session);
    p.sts_session = p.sts_session.or(answers.persistence.sts_session);
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Backend;
    use crate::manifest::OpAuth;
    use std::path::Path;

    fn manifest(text: &str) -> Manifest {
        Manifest::parse(&format!("version = 1\n{text}"), Path::new("m.toml"), "t").unwrap()
    }

    fn answers(text: &str) -> Answers {
        toml::from_str(text).unwrap()
    }

    fn settings(m: &str, a: &str) -> Settings {
        Settings::in_memory(manifest(m), answers(a)).unwrap()
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
            let s = settings(m, a);
            let merged = s.effective();
            let sec = merged.secrets.as_ref();
            let case = format!("{m:?} + {a:?}");
            assert_eq!(sec.map(|s| s.backend), backend, "{case}");
            assert_eq!(sec.and_then(|s| s.vault.as_deref()), vault, "{case}");
            assert_eq!(sec.and_then(|s| s.item.as_deref()), item, "{case}");
            assert_eq!(
                sec.and_then(|s| s.fields.secret_access_key.as_deref()),
                secret,
                "{case}"
            );
            let got = merged.aws.as_ref().and_then(|a| a.mfa_serial.as_ref());
            assert_eq!(got.map(|m| m.to_string()).as_deref(), serial, "{case}");
            assert_eq!(merged.persistence.keep_sts_session(), keep, "{case}");
            // The manifest as written is kept apart.
            assert_eq!(s.written, manifest(m), "{case}");
        }
        // An MFA answer fills the manifest's gap; the manifest's own persistence wins.
        let s = settings(
            "[aws]\n[persistence]\nsts_session = false\n",
            &format!("mfa_serial = \"{mfa}\"\n[persistence]\nsts_session = true\n"),
        );
        let merged = s.effective();
        let device = merged.aws.as_ref().and_then(|a| a.mfa_serial.as_ref());
        assert_eq!(device.map(|d| d.to_string()).as_deref(), Some(mfa));
        assert!(!merged.persistence.keep_sts_session());
    }

    #[test]
    fn sign_in_answers_apply_to_1password_only() {
        let a = "[onepassword]\nauth = \"account\"\naccount = \"my.1password.com\"\n";
        let op = settings("[secrets]\nbackend = \"1password\"\n", a);
        let sign_in = op.effective().secrets.clone().unwrap().sign_in.unwrap();
        assert_eq!(sign_in.auth, OpAuth::Account);
        assert_eq!(sign_in.account.as_deref(), Some("my.1password.com"));
        let keyring = settings("[secrets]\nbackend = \"keyring\"\n", a);
        assert_eq!(keyring.effective().secrets.clone().unwrap().sign_in, None);
    }

    #[test]
    fn missing_answers_are_named_as_the_flags_that_give_them() {
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
            let s = settings(m, "");
            assert_eq!(s.missing_flags(), flags, "{m:?}");
            assert_eq!(s.needs_answers(), !flags.is_empty(), "{m:?}");
        }
        let given = settings(
            "[secrets]\nbackend = \"1password\"\n",
            "vault = \"V\"\nitem = \"I\"\n",
        );
        assert!(given.missing_flags().is_empty());
        assert!(!given.needs_answers());
    }

    #[test]
    fn each_setting_says_where_its_value_comes_from() {
        let s = settings(
            "[secrets]\nbackend = \"keyring\"\n[secrets.fields]\naccess_key_id = \"id\"\n\
             [aws]\n[persistence]\nsts_session = true\n",
            "item = \"dev\"\nmfa_serial = \"\"\n[persistence]\nsts_session = false\n",
        );
        let shown: Vec<(String, String, Source)> = s
            .sources()
            .into_iter()
            .map(|r| (r.key, r.value, r.source))
            .collect();
        let row = |k: &str, v: &str, src: Source| (k.to_string(), v.to_string(), src);
        assert_eq!(
            shown,
            [
                row("backend", "keyring", Source::Manifest),
                row("vault", "envact", Source::Default),
                row("item", "dev", Source::UserFile),
                row("fields.access_key_id", "id", Source::Manifest),
                row(
                    "fields.secret_access_key",
                    "secret_access_key",
                    Source::Default
                ),
                row("fields.mfa_totp", "-", Source::NotSet),
                row("mfa_serial", "none", Source::UserFile),
                row("persistence.backend_session", "false", Source::Default),
                row("persistence.sts_session", "true", Source::Manifest),
            ]
        );
    }
}
