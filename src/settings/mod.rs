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

pub mod compose;
mod sources;

pub use compose::{Loader, Origins, Part};
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
    /// The profile the manifest (or `AWS_PROFILE`) names starts from an IAM
    /// Identity Center sign-in: no backend is needed for it.
    profile_signs_in: bool,
    /// What the manifest includes (`[include]`), in merge order.
    pub parts: Vec<Part>,
    /// Where each setting of the composition comes from.
    pub origins: Origins,
}

impl Settings {
    /// Reads the project's manifest (composed with what it includes, each
    /// include loaded by `load`) and this person's answers for it.
    pub fn load(project: Project, dirs: &Dirs, load: Loader) -> Result<Settings, Error> {
        let (written, text, parts) = load_manifest(&project, load)?;
        let (env_id, answers_path, read_from) = where_answers_are(&project, dirs);
        let answers = Answers::load(&read_from)?;
        Settings::new(project, (written, text), answers, answers_path, env_id)
            .map(|s| s.with_parts(parts).knowing_profiles(dirs))
    }

    /// Looks in the AWS config file, only when it could matter (`[aws]`
    /// naming a profile, without `[aws.sso]`): does the profile start from a
    /// sign-in? Then no backend is asked about, even one `[secrets]` names.
    fn knowing_profiles(mut self, dirs: &Dirs) -> Settings {
        let m = &self.effective;
        let Some(aws) = m.aws.as_ref().filter(|a| a.sso.is_none()) else {
            return self;
        };
        let Some(profile) = aws.profile.clone().or_else(|| dirs.aws_profile.clone()) else {
            return self;
        };
        let (config, credentials) = &dirs.aws_files;
        self.profile_signs_in =
            crate::aws::profile::AwsFiles::load(config, credentials, Some(&profile))
                .ok()
                .and_then(|files| {
                    crate::aws::profile::resolve(&aws.chain_request(), &files, None).ok()
                })
                .is_some_and(|chain| chain.sso.is_some());
        self
    }

    /// Like [`Settings::load`], but an answers file that cannot be read (or
    /// holds answers that make no sense) counts as none: for answering anew.
    /// Returns why it was set aside.
    pub fn load_over_broken_answers(
        project: Project,
        dirs: &Dirs,
        load: Loader,
    ) -> Result<(Settings, Option<Error>), Error> {
        let (written, text, parts) = load_manifest(&project, load)?;
        let (env_id, answers_path, read_from) = where_answers_are(&project, dirs);
        let loaded = Answers::load(&read_from).map_err(Error::from);
        let checked = loaded.and_then(|a| a.validate().map(|()| a).map_err(Error::from));
        let (answers, broken) = match checked {
            Ok(answers) => (answers, None),
            Err(e) => (Answers::default(), Some(e)),
        };
        let settings = Settings::new(project, (written, text), answers, answers_path, env_id)?;
        Ok((settings.with_parts(parts).knowing_profiles(dirs), broken))
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
            profile_signs_in: false,
            parts: Vec::new(),
            origins: Origins::default(),
        })
    }

    /// A registry's template that the manifest includes, as a manifest of
    /// its own (not composed with what it includes: those are parts of the
    /// including manifest too): what its trust review shows.
    pub fn of_included(part: &Part, dirs: &Dirs) -> Option<Result<Settings, Error>> {
        let project = part.remote.clone()?;
        Some((|| {
            let written = Manifest::parse_part(&part.text, &part.shown, &part.name)?;
            let (env_id, answers_path, _) = where_answers_are(&project, dirs);
            Settings::new(
                project,
                (written, part.text.clone()),
                Answers::default(),
                answers_path,
                env_id,
            )
        })())
    }

    fn with_parts(mut self, (parts, origins): (Vec<Part>, Origins)) -> Settings {
        self.parts = parts;
        self.origins = origins;
        self
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
        let mut settings = Settings::new(
            self.project.clone(),
            (self.written.clone(), self.text.clone()),
            answers,
            self.answers_path.clone(),
            self.env_id.clone(),
        )?;
        settings.profile_signs_in = self.profile_signs_in;
        settings.parts = self.parts.clone();
        settings.origins = self.origins.clone();
        Ok(settings)
    }

    /// What the manifest leaves open and the answers do not give, without
    /// which nothing can be read: as the `envact setup` flags that give it.
    pub fn missing_flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        match &self.effective.secrets {
            // An IAM Identity Center sign-in needs no backend.
            _ if self.profile_signs_in => {}
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
        // With [aws.profiles], each profile names its account and role.
        let sso = self
            .effective
            .aws
            .as_ref()
            .filter(|a| a.profiles.is_empty());
        if let Some(sso) = sso.and_then(|a| a.sso.as_ref()) {
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

    /// Whether the profile named starts from an IAM Identity Center sign-in.
    pub fn profile_signs_in(&self) -> bool {
        self.profile_signs_in
    }

    /// Whether activation must ask (the wizard) before anything can be read.
    pub fn needs_answers(&self) -> bool {
        !self.missing_flags().is_empty()
    }
}

/// The manifest as written, and its text; a template's is named by its
/// registry and commit in messages, not by its place in the cache.
type Composition = (Vec<Part>, Origins);

fn load_manifest(
    project: &Project,
    load: Loader,
) -> Result<(Manifest, String, Composition), Error> {
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
    // Most manifests include nothing: one check, of the whole. One that
    // includes is a part (what spans parts is the composition's to check).
    match Manifest::parse(&text, &shown, &default_name) {
        Ok(manifest) if manifest.includes.is_empty() => {
            return Ok((manifest, text, Default::default()))
        }
        Ok(_) => {}
        Err(whole) => {
            let alone = Manifest::parse_part(&text, &shown, &default_name)?;
            if alone.includes.is_empty() {
                return Err(whole.into());
            }
        }
    }
    let root = compose::root_part(project, &shown, &text);
    let composed = compose::compose(root, &default_name, load)?;
    Ok((composed.manifest, text, (composed.parts, composed.origins)))
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
                max_key_age: None,
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
#[path = "settings_tests.rs"]
mod tests;
