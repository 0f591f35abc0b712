//! `envact setup`, and the first run of `envact activate`: each person's
//! answers to what the manifest leaves open. On a terminal the wizard asks
//! them; without one (or with `--yes`) they come as flags ([`Flags`]). Either
//! way they are shown, confirmed where someone can confirm, and only then
//! kept: a service-account token in the OS keyring, typed keys in the
//! backend, the answers (never a secret) in the answers file.

use secrecy::SecretString;
use std::path::PathBuf;

use crate::aws::Mfa;
use crate::context::Context;
use crate::context::Place;
use crate::credentials::store::{open_for, open_store};
use crate::manifest::{Backend, OpAuth, OpSignIn};
use crate::secrets::{ready, service_token_keeper, write_keys, SecretError, StoreOptions};
use crate::settings::{Setting, Settings};
use crate::state::answers::{Answers, AnswersError};
use crate::wizard::{self, detect::Detected, Gathered};
use crate::Error;

/// Answers given as flags; `None` leaves the current answer.
#[derive(Default)]
pub struct Flags {
    pub backend: Option<Backend>,
    pub vault: Option<String>,
    pub item: Option<String>,
    /// `NAME=FIELD` pairs.
    pub fields: Vec<(String, String)>,
    /// An MFA device ARN, or `none`.
    pub mfa_serial: Option<String>,
    pub op_auth: Option<OpAuth>,
    pub op_account: Option<String>,
    /// Reads a service-account token (from standard input), when one is given.
    pub op_token: Option<Box<dyn FnOnce() -> Result<SecretString, Error>>>,
    pub persist_backend_session: Option<bool>,
    pub persist_sts_session: Option<bool>,
    /// The IAM Identity Center account and role, checked against what the
    /// sign-in is assigned.
    pub sso_account: Option<String>,
    pub sso_role: Option<String>,
}

/// What `envact setup` was asked to do.
pub struct Request {
    /// `-d DIR`, or `-r TEMPLATE`.
    pub place: Place,
    /// Ask every question again (with flags alone: start over from the flags).
    pub reconfigure: bool,
    /// Write without asking for confirmation, and never run the wizard.
    pub yes: bool,
    pub flags: Flags,
}

/// How `envact setup` ended.
pub enum Outcome {
    /// Written (the path went to [`crate::ui::Prompter::answers_saved`]).
    Saved,
    /// The answers file already says all this.
    Unchanged(PathBuf),
    /// The person did not confirm: nothing was written.
    Declined,
}

/// `envact setup --show`: the answers file, and every setting with its source.
pub fn show(cx: &Context, place: &Place) -> Result<(PathBuf, Vec<Setting>), Error> {
    let settings = cx.settings_at(place)?;
    Ok((settings.answers_path.clone(), settings.sources()))
}

/// `envact setup`.
pub fn setup(cx: &Context, request: Request) -> Result<Outcome, Error> {
    let (settings, broken) = if request.reconfigure {
        // The way to repair a broken answers file: start from the manifest.
        let project = cx.project_at(&request.place)?;
        cx.settings_over_broken_answers(project)?
    } else {
        (cx.settings_at(&request.place)?, None)
    };
    if let Some(e) = &broken {
        cx.ui.say(&format!(
            "{e}; starting from the manifest alone (the file is replaced once the answers are written)"
        ));
    }
    request.flags.refuse_what_the_manifest_fixes(&settings)?;
    let interactive = !request.yes && cx.ui.interactive();
    let path = &settings.answers_path;
    // Asking again shows the current answers as defaults; with flags alone,
    // --reconfigure starts over from what the flags say.
    let start = if request.reconfigure && !interactive {
        Answers::default()
    } else {
        settings.answers.clone()
    };
    let sso_flags = (
        request.flags.sso_account.is_some(),
        request.flags.sso_role.is_some(),
    );
    let (answers, flag_token) = request.flags.apply(start)?;
    let given = settings.with_answers(answers)?;
    check_assigned(cx, &given, sso_flags)?;

    if interactive && (request.reconfigure || !path.exists() || given.needs_answers()) {
        return Ok(match ask_and_save(cx, &given)? {
            Some(_) => Outcome::Saved,
            None => Outcome::Declined,
        });
    }
    if given.needs_answers() {
        return Err(given.unanswered());
    }
    if given.answers == settings.answers
        && path.exists()
        && broken.is_none()
        && flag_token.is_none()
    {
        return Ok(Outcome::Unchanged(path.clone()));
    }
    let gathered = Gathered {
        answers: given.answers.clone(),
        service_token: flag_token,
        new_keys: None,
    };
    Ok(if save(cx, &given, &gathered, !request.yes)? {
        Outcome::Saved
    } else {
        Outcome::Declined
    })
}

impl Flags {
    /// An answer the manifest gives itself would never be used: refused,
    /// naming the line that fixes it.
    fn refuse_what_the_manifest_fixes(&self, settings: &Settings) -> Result<(), Error> {
        let mut given: Vec<(String, String)> = Vec::new();
        let mut flag = |key: &str, flag: String, set: bool| {
            if set {
                given.push((key.to_string(), flag));
            }
        };
        flag("backend", "--backend".into(), self.backend.is_some());
        flag("vault", "--vault".into(), self.vault.is_some());
        flag("item", "--item".into(), self.item.is_some());
        flag(
            "mfa_serial",
            "--mfa-serial".into(),
            self.mfa_serial.is_some(),
        );
        flag(
            "persistence.backend_session",
            "--persist-backend-session".into(),
            self.persist_backend_session.is_some(),
        );
        flag(
            "persistence.sts_session",
            "--persist-sts-session".into(),
            self.persist_sts_session.is_some(),
        );
        flag(
            "sso.account_id",
            "--sso-account".into(),
            self.sso_account.is_some(),
        );
        flag(
            "sso.role_name",
            "--sso-role".into(),
            self.sso_role.is_some(),
        );
        for (name, field) in &self.fields {
            flag(
                &format!("fields.{name}"),
                format!("--field {name}={field}"),
                true,
            );
        }
        let written = &settings.written.written_at;
        for (key, flag) in given {
            if let Some(at) = written.get(key.as_str()) {
                return Err(Error::FixedByManifest {
                    flag,
                    setting: key,
                    manifest: settings.project.manifest.clone(),
                    location: *at,
                });
            }
        }
        Ok(())
    }

    /// Puts the flags' answers over `answers`; returns them with a token read
    /// for `--op-token-stdin`.
    fn apply(self, mut answers: Answers) -> Result<(Answers, Option<SecretString>), Error> {
        if let Some(backend) = self.backend {
            answers.backend = Some(backend);
        }
        answers.vault = self.vault.or(answers.vault.take());
        answers.item = self.item.or(answers.item.take());
        answers.fields.extend(self.fields);
        if let Some(auth) = self.op_auth {
            answers.onepassword = Some(OpSignIn {
                auth,
                account: self.op_account.clone(),
            });
        } else if let (Some(account), Some(sign_in)) =
            (&self.op_account, answers.onepassword.as_mut())
        {
            sign_in.account = Some(account.clone());
        } else if self.op_account.is_some() {
            answers.onepassword = Some(OpSignIn {
                auth: OpAuth::Account,
                account: self.op_account.clone(),
            });
        }
        answers.sso.account_id = self.sso_account.or(answers.sso.account_id.take());
        answers.sso.role_name = self.sso_role.or(answers.sso.role_name.take());
        let p = &mut answers.persistence;
        p.backend_session = self.persist_backend_session.or(p.backend_session);
        p.sts_session = self.persist_sts_session.or(p.sts_session);
        let token = match self.op_token {
            Some(read) => {
                let token = read()?;
                answers.onepassword = Some(OpSignIn {
                    auth: OpAuth::ServiceAccount,
                    account: None,
                });
                Some(token)
            }
            None => None,
        };
        if let Some(text) = &self.mfa_serial {
            let mfa = text
                .parse::<Mfa>()
                .map_err(|e| AnswersError::Invalid(format!("--mfa-serial: {e}")))?;
            answers.mfa_serial = Some(mfa);
        }
        answers.validate()?;
        Ok((answers, token))
    }
}

/// `--sso-account` and `--sso-role` name what the sign-in is assigned
/// (signing in first when needed): checked against the portal's lists.
fn check_assigned(
    cx: &Context,
    given: &Settings,
    (account, role): (bool, bool),
) -> Result<(), Error> {
    if !account && !role {
        return Ok(());
    }
    let Some(sso) = crate::credentials::sign_in_of(cx, given)? else {
        return Ok(());
    };
    let chosen = given.effective().aws.as_ref().and_then(|a| a.sso.clone());
    let Some(chosen) = chosen else {
        return Ok(());
    };
    let assigned = crate::credentials::sso::Assigned::new(&sso, cx.ui.as_ref());
    if let (true, Some(id)) = (account, &chosen.account_id) {
        assigned.check_account(id)?;
    }
    if let (true, Some(id), Some(name)) = (role, &chosen.account_id, &chosen.role_name) {
        assigned.check_role(id, name)?;
    }
    Ok(())
}

/// Runs the wizard for what the manifest leaves open, starting from the
/// settings' answers, shows what it gathered and keeps it once confirmed;
/// returns the settings with the new answers, or `None` when the person
/// declined and nothing was written.
pub fn ask_and_save(cx: &Context, settings: &Settings) -> Result<Option<Settings>, Error> {
    let p = cx.ui.as_ref();
    let effective = settings.effective();
    let may_be_1password = effective
        .secrets
        .as_ref()
        .map_or(effective.aws.is_some(), |s| {
            s.backend.info().sign_in == crate::backend::SignIn::OnePassword
        });
    let detected = crate::ui::busy(p, "Looking at what this machine has", || {
        Detected::probe(cx.vars(), &cx.dirs, may_be_1password)
    });
    p.say(&format!(
        "Setting up {:?} ({}): what the manifest leaves to you.",
        settings.written.name,
        settings.project.manifest.display()
    ));
    let mut open = |m: &crate::manifest::Manifest, op: &wizard::OpCredentials| {
        let s = m.secrets.as_ref().ok_or(Error::NoBackend)?;
        open_store(
            cx,
            StoreOptions {
                backend: s.backend,
                vault: s.vault.clone(),
                keep_backend_session: m.persistence.keep_backend_session(),
                op_sign_in: s.sign_in.clone(),
                op_service_token: op.service_token.clone(),
                op_session: op.session.clone(),
            },
        )
    };
    let ready = |backend: Backend, vault: Option<&str>| -> Result<(), Error> {
        Ok(ready::check(backend, vault, &cx.vars(), &cx.dirs.stores())?)
    };
    let sso = crate::credentials::sign_in_of(cx, settings)?;
    let assigned = sso
        .as_ref()
        .map(|sso| crate::credentials::sso::Assigned::new(sso, cx.ui.as_ref()));
    let assigned = assigned
        .as_ref()
        .map(|a| a as &dyn crate::wizard::SsoAssignments);
    let gathered = wizard::run(p, settings, &detected, &ready, assigned, &mut open)?;
    if !save(cx, settings, &gathered, true)? {
        return Ok(None);
    }
    settings.with_answers(gathered.answers).map(Some)
}

/// Shows the answers, asks for confirmation when `confirm`, then keeps a
/// service-account token in the OS keyring, stores typed keys in the
/// backend, and writes the answers file; `false` when not confirmed.
fn save(
    cx: &Context,
    settings: &Settings,
    gathered: &Gathered,
    confirm: bool,
) -> Result<bool, Error> {
    let p = cx.ui.as_ref();
    let path = &settings.answers_path;
    // No MFA device is written `""` in the file, and shown as what it means.
    let text = toml::to_string(&gathered.answers)
        .unwrap_or_default()
        .replace("mfa_serial = \"\"", "mfa_serial = none (no MFA device)");
    p.say(&format!(
        "answers for {:?}:\n{}",
        settings.written.name,
        indent(&text)
    ));
    if gathered.service_token.is_some() {
        p.say("  (the service-account token goes to the OS keyring, not to this file)");
    }
    if gathered.new_keys.is_some() {
        p.say("  (the long-term keys you typed go to the backend, not to this file)");
    }
    if confirm {
        let confirmed =
            p.interactive() && p.confirm(&format!("Write them to {}?", path.display()), true)?;
        if !confirmed {
            p.say("nothing written (pass --yes to write without asking)");
            return Ok(false);
        }
    }
    if let Some(token) = &gathered.service_token {
        // Unlike a session, a token that is not kept breaks every activation.
        let keeper = service_token_keeper(&cx.vars())?;
        keeper.save(token);
        if keeper.load().is_none() {
            return Err(SecretError::Unavailable {
                backend: "keyring",
                detail: "the service-account token could not be kept in the OS keyring".into(),
                hint: "unlock or start the keyring (Secret Service), then run `envact setup` again; nothing was written".into(),
            }
            .into());
        }
    }
    if let Some(keys) = &gathered.new_keys {
        // Under the item and field names these answers put in effect.
        let answered = settings.with_answers(gathered.answers.clone())?;
        let manifest = answered.effective();
        let item = manifest
            .secrets
            .as_ref()
            .and_then(|s| s.item.clone())
            .ok_or(Error::NoBackend)?;
        let opened = open_for(cx, manifest)?.ok_or(Error::NoBackend)?;
        opened.busy(cx, &format!("Storing {item} in"), |store| {
            write_keys(store, &item, &opened.fields, keys)
        })?;
        p.say(&format!(
            "stored the access key as {item:?} in {}",
            opened.store.describe()
        ));
    }
    gathered.answers.save(path, &cx.dirs.config)?;
    p.answers_saved(path);
    Ok(true)
}

fn indent(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(|l| format!("  {l}")).collect();
    if lines.is_empty() {
        "  (none)".into()
    } else {
        lines.join("\n")
    }
}
