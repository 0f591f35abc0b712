//! The first-run wizard: the questions a manifest leaves to each person, in
//! order (backend, 1Password sign-in, vault, item (or the keys, to store as a
//! new one), fields, MFA device, persistence), with defaults from the current answers and from what this
//! machine has ([`detect`]), each answer checked against the real backend
//! where it can be. It asks through a [`Prompter`] and never prints itself:
//! the command line gives it the terminal.

pub mod detect;

use secrecy::{ExposeSecret, SecretString};

use crate::aws::MfaSerial;
use crate::config::answers::Answers;
use crate::manifest::{Backend, Manifest};
use crate::secrets::{
    self, default_fields, LongTermKeys, OpAuth, OpSignIn, SecretError, SecretStore,
};
use crate::Error;
use detect::Detected;

/// The person at the terminal. Every method fails with [`Error::SetupInterrupted`]
/// when they press Ctrl-C or end the input.
pub trait Prompter {
    /// A line shown before a question: what was detected, why an answer was refused.
    fn say(&mut self, text: &str);
    /// Free text; Enter alone takes `default`.
    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, Error>;
    /// One of `choices`, by index.
    fn select(&mut self, prompt: &str, choices: &[String], default: usize) -> Result<usize, Error>;
    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, Error>;
    /// Hidden input, for a token.
    fn secret(&mut self, prompt: &str) -> Result<SecretString, Error>;
    /// Runs slow work (a backend's program) behind a progress indicator.
    fn busy(&mut self, label: &str, work: &mut dyn FnMut());
}

/// Opens the store a (completed) manifest names; the service-account token
/// typed in this wizard, if any, goes with it.
pub type OpenStore<'a> =
    dyn FnMut(&Manifest, Option<&SecretString>) -> Result<Box<dyn SecretStore>, Error> + 'a;

/// What the wizard gathered: the answers, and what goes to the backend or the
/// OS keyring (never to the answers file) once the person confirms: a
/// service-account token, and long-term keys typed for an item not yet stored.
pub struct Gathered {
    pub answers: Answers,
    pub service_token: Option<SecretString>,
    pub new_keys: Option<LongTermKeys>,
}

/// Whether the manifest, completed with `answers`, still lacks something
/// without which nothing can be read: then activation runs the wizard.
pub fn needs_answers(manifest: &Manifest, answers: &Answers) -> bool {
    !answers.missing_flags(manifest).is_empty()
}

/// Asks every question `manifest` (as written) leaves open, starting from the
/// `current` answers. An answer the manifest gives is never asked.
pub fn run(
    p: &mut dyn Prompter,
    manifest: &Manifest,
    current: Answers,
    detected: &Detected,
    open: &mut OpenStore,
) -> Result<Gathered, Error> {
    let mut w = Wizard {
        p,
        manifest,
        answers: current,
        detected,
        service_token: None,
        new_keys: None,
    };
    w.backend()?;
    let Some(backend) = w.merged()?.secrets.map(|s| s.backend) else {
        return Ok(w.finish());
    };
    if backend == Backend::OnePassword {
        w.sign_in()?;
    }
    // Before the store is first opened, so that a session it signs in to is
    // kept when the person wants it kept.
    w.keep_backend_session(backend)?;
    let store = loop {
        w.vault(backend)?;
        let store = w.open_store(open)?;
        if w.item(store.as_ref(), backend)? {
            break store;
        }
    };
    w.fields(store.as_ref(), backend)?;
    w.mfa()?;
    // An item stored by this wizard holds the two key halves only.
    if backend == Backend::OnePassword && w.new_keys.is_none() {
        w.totp_field(store.as_ref())?;
    }
    w.keep_sts_session()?;
    Ok(w.finish())
}

struct Wizard<'a> {
    p: &'a mut dyn Prompter,
    manifest: &'a Manifest,
    answers: Answers,
    detected: &'a Detected,
    service_token: Option<SecretString>,
    new_keys: Option<LongTermKeys>,
}

impl Wizard<'_> {
    fn merged(&self) -> Result<Manifest, Error> {
        let mut m = self.manifest.clone();
        self.answers.apply(&mut m)?;
        Ok(m)
    }

    fn finish(self) -> Gathered {
        Gathered {
            answers: self.answers,
            service_token: self.service_token,
            new_keys: self.new_keys,
        }
    }

    fn open_store(&mut self, open: &mut OpenStore) -> Result<Box<dyn SecretStore>, Error> {
        open(&self.merged()?, self.service_token.as_ref())
    }

    /// Runs backend work behind a spinner, except for 1Password, whose op may
    /// ask on the terminal itself (sign-in).
    fn busy<T>(&mut self, backend: Backend, label: &str, work: impl FnOnce() -> T) -> T {
        if backend == Backend::OnePassword {
            return work();
        }
        let mut work = Some(work);
        let mut result = None;
        self.p.busy(label, &mut || {
            if let Some(w) = work.take() {
                result = Some(w());
            }
        });
        match result {
            Some(r) => r,
            // A prompter that did not run the work: run it here.
            None => (work.take().unwrap_or_else(|| unreachable!("taken once")))(),
        }
    }

    fn backend(&mut self) -> Result<(), Error> {
        if self.manifest.secrets.is_some() || self.manifest.aws.is_none() {
            return Ok(());
        }
        let default = self
            .answers
            .backend
            .unwrap_or(self.detected.suggested_backend());
        let choices: Vec<String> = Backend::ALL
            .iter()
            .map(|b| match self.detected.note_for(*b) {
                Some(note) => format!("{b}  ({note})"),
                None => b.to_string(),
            })
            .collect();
        let at = Backend::ALL.iter().position(|b| *b == default).unwrap_or(0);
        let i = self
            .p
            .select("Where are your long-term AWS keys kept?", &choices, at)?;
        self.answers.backend = Some(Backend::ALL[i]);
        Ok(())
    }

    fn sign_in(&mut self) -> Result<(), Error> {
        let d = self.detected;
        if d.op_token_in_env {
            self.p
                .say("1Password: OP_SERVICE_ACCOUNT_TOKEN is set, op uses that service account");
        }
        let default = match &self.answers.onepassword {
            Some(s) => s.auth,
            None if d.op_token_in_env => OpAuth::ServiceAccount,
            None => OpAuth::Account,
        };
        let choices: Vec<String> = OpAuth::ALL.iter().map(|a| a.describe().into()).collect();
        let at = OpAuth::ALL.iter().position(|a| *a == default).unwrap_or(0);
        let auth = OpAuth::ALL[self
            .p
            .select("How does op sign in to 1Password?", &choices, at)?];
        let account = match auth {
            OpAuth::Account => Some(self.account()?),
            OpAuth::ServiceAccount => {
                if !d.op_token_in_env {
                    let token = self
                        .p
                        .secret("Service-account token (kept in the OS keyring)")?;
                    self.service_token = Some(token);
                }
                None
            }
            OpAuth::DesktopApp => None,
        };
        self.answers.onepassword = Some(OpSignIn { auth, account });
        Ok(())
    }

    /// The 1Password account: one op already knows, else a new one, added to
    /// op now (op itself asks for the Secret Key and the password).
    fn account(&mut self) -> Result<String, Error> {
        const ADD: &str = "add another account";
        let known: Vec<String> = self
            .detected
            .op_accounts
            .iter()
            .map(|a| {
                if a.email.is_empty() {
                    a.url.clone()
                } else {
                    format!("{} ({})", a.url, a.email)
                }
            })
            .collect();
        if !known.is_empty() {
            let current = self
                .answers
                .onepassword
                .as_ref()
                .and_then(|s| s.account.as_deref());
            let at = self
                .detected
                .op_accounts
                .iter()
                .position(|a| Some(a.url.as_str()) == current)
                .unwrap_or(0);
            let mut choices = known;
            choices.push(ADD.into());
            let i = self.p.select("1Password account", &choices, at)?;
            if let Some(a) = self.detected.op_accounts.get(i) {
                return Ok(a.url.clone());
            }
        } else {
            self.p.say("op has no 1Password account on this device yet: add yours (the sign-in address, your email, then op asks for your Secret Key and password)");
        }
        loop {
            let address = self.p.input("Sign-in address", Some("my.1password.com"))?;
            let email = self.p.input("Email", None)?;
            match secrets::op_add_account(&address, &email) {
                Ok(()) => return Ok(address),
                Err(e @ SecretError::ProgramMissing { .. }) => return Err(e.into()),
                Err(e) => self.p.say(&format!("{e}; try again")),
            }
        }
    }

    fn vault(&mut self, backend: Backend) -> Result<(), Error> {
        let written = self.manifest.secrets.as_ref().and_then(|s| s.vault.clone());
        if written.is_some() || backend == Backend::Env {
            return Ok(());
        }
        let (prompt, default) = match backend {
            Backend::OnePassword => ("1Password vault", None),
            Backend::Keyring => ("Keyring service", Some(secrets::KEYRING_DEFAULT_SERVICE)),
            Backend::Pass => ("Folder in the pass store (empty: its top)", Some("")),
            _ => ("Secrets file name", Some(secrets::FILE_DEFAULT_VAULT)),
        };
        let current = self.answers.vault.clone();
        let answer = self.p.input(
            prompt,
            current.as_deref().or(default).filter(|d| !d.is_empty()),
        )?;
        self.answers.vault = Some(answer).filter(|v| !v.is_empty());
        Ok(())
    }

    /// Asks for the item; `false` when the vault just answered turned out not
    /// to exist (it is asked again).
    fn item(&mut self, store: &dyn SecretStore, backend: Backend) -> Result<bool, Error> {
        let written = self.manifest.secrets.as_ref().and_then(|s| s.item.as_ref());
        if written.is_some() || backend == Backend::Env {
            return Ok(true);
        }
        let vault_answered = self
            .manifest
            .secrets
            .as_ref()
            .is_some_and(|s| s.vault.is_none());
        let label = format!("Listing the items in {}", store.describe());
        let items = match self.busy(backend, &label, || store.list_items()) {
            Ok(items) => items,
            // A wrong 1Password vault shows here: ask for it again.
            Err(SecretError::Failed { detail, .. })
                if backend == Backend::OnePassword && vault_answered =>
            {
                self.p.say(&detail);
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        };
        let shown = if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        };
        self.p
            .say(&format!("items in {}: {shown}", store.describe()));
        let default = self
            .answers
            .item
            .clone()
            .or_else(|| match items.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            });
        loop {
            let item = self
                .p
                .input("Item holding your AWS keys", default.as_deref())?;
            if items.contains(&item) {
                self.answers.item = Some(item);
                return Ok(true);
            }
            self.p.say(&format!(
                "there is no item {item:?} in {} (items there: {shown})",
                store.describe()
            ));
            // A first run may well be before any key was stored: offer to.
            let store_now = format!(
                "Store your long-term AWS keys as {item:?} in {} now?",
                store.describe()
            );
            if self.p.confirm(&store_now, true)? {
                self.new_keys = Some(self.keys()?);
                self.answers.item = Some(item);
                return Ok(true);
            }
        }
    }

    /// The long-term key, typed hidden, each half checked for its shape.
    fn keys(&mut self) -> Result<LongTermKeys, Error> {
        let mut ask = |prompt: &str, check: fn(&str) -> Result<(), String>| loop {
            let value = self.p.secret(prompt)?;
            match check(value.expose_secret()) {
                Ok(()) => return Ok::<_, Error>(value),
                Err(e) => self.p.say(&e),
            }
        };
        Ok(LongTermKeys {
            access_key_id: ask("AWS access key id", secrets::check_access_key_id)?,
            secret_access_key: ask("AWS secret access key", secrets::check_secret_access_key)?,
        })
    }

    /// Each key field the manifest leaves open, read once to check it exists
    /// (the value is dropped at once); a missing one is asked again, with the
    /// fields the item has.
    fn fields(&mut self, store: &dyn SecretStore, backend: Backend) -> Result<(), Error> {
        if self.new_keys.is_some() {
            // They will be stored under the field names in effect.
            return Ok(());
        }
        let merged = self.merged()?;
        let Some(secrets) = merged.secrets else {
            return Ok(());
        };
        let item = secrets.item_to_read().unwrap_or_default().to_string();
        let defaults = default_fields(backend);
        for (name, default) in [
            ("access_key_id", defaults.access_key_id),
            ("secret_access_key", defaults.secret_access_key),
        ] {
            let written = self
                .manifest
                .secrets
                .as_ref()
                .is_some_and(|s| s.fields.get(name).is_some());
            if written {
                continue;
            }
            let mut default = self.answers.fields.get(name).cloned().unwrap_or(default);
            loop {
                let prompt = match backend {
                    Backend::Env => format!("Variable holding {name}"),
                    _ => format!("Field of {item:?} holding {name}"),
                };
                let field = self.p.input(&prompt, Some(&default))?;
                let label = format!("Checking {item}/{field} in {}", store.describe());
                let checked = self.busy(backend, &label, || {
                    store.read_field(&item, &field).map(drop)
                });
                match checked {
                    Ok(()) => {
                        self.answers.fields.insert(name.to_string(), field);
                        break;
                    }
                    Err(e @ SecretError::FieldNotFound { .. })
                    | Err(e @ SecretError::VarNotSet { .. }) => {
                        // Offer a field the item has, keeping the default if it does.
                        if let SecretError::FieldNotFound { available, .. } = &e {
                            if !available.contains(&default) {
                                if let Some(first) = available.first() {
                                    default = first.clone();
                                }
                            }
                        }
                        self.p.say(&e.to_string());
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }

    /// 1Password can give the MFA codes itself, from the item's one-time
    /// password: asked when there is an MFA device and the manifest names no
    /// such field; checked by asking op for a code.
    fn totp_field(&mut self, store: &dyn SecretStore) -> Result<(), Error> {
        let merged = self.merged()?;
        let has_mfa = merged.aws.as_ref().is_some_and(|a| a.mfa_serial.is_some());
        let Some(secrets) = merged.secrets.filter(|_| has_mfa) else {
            return Ok(());
        };
        let written = self.manifest.secrets.as_ref();
        if written.is_some_and(|s| s.fields.mfa_totp.is_some()) {
            return Ok(());
        }
        let item = secrets.item_to_read().unwrap_or_default().to_string();
        let default = self
            .answers
            .fields
            .get("mfa_totp")
            .cloned()
            .unwrap_or_else(|| "none".into());
        loop {
            let field = self.p.input(
                &format!("Field of {item:?} with a one-time password, for MFA codes (none: you type them)"),
                Some(&default),
            )?;
            if field == "none" {
                self.answers.fields.remove("mfa_totp");
                return Ok(());
            }
            match store.read_totp(&item, &field) {
                Ok(_) => {
                    self.answers.fields.insert("mfa_totp".into(), field);
                    return Ok(());
                }
                Err(e @ (SecretError::Failed { .. } | SecretError::FieldNotFound { .. })) => {
                    self.p.say(&e.to_string())
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn mfa(&mut self) -> Result<(), Error> {
        let Some(aws) = &self.manifest.aws else {
            return Ok(());
        };
        if aws.mfa_serial.is_some() {
            return Ok(());
        }
        let detected = self.detected.mfa_serial(aws.profile.as_deref());
        if let Some((profile, serial)) = &detected {
            self.p.say(&format!(
                "AWS config: profile {profile} has mfa_serial {serial}"
            ));
        }
        let default = match &self.answers.mfa_serial {
            Some(s) if s.is_empty() => Some("none".to_string()),
            Some(s) => Some(s.clone()),
            None => detected.map(|(_, s)| s).or(Some("none".into())),
        };
        loop {
            let answer = self.p.input(
                "MFA device ARN (arn:aws:iam::ACCOUNT:mfa/NAME, or none)",
                default.as_deref(),
            )?;
            let answer = answer.trim();
            if answer.is_empty() || answer == "none" {
                self.answers.mfa_serial = Some(String::new());
                return Ok(());
            }
            match answer.parse::<MfaSerial>() {
                Ok(_) => {
                    self.answers.mfa_serial = Some(answer.to_string());
                    return Ok(());
                }
                Err(e) => self.p.say(&format!("{answer:?}: {e}")),
            }
        }
    }

    fn keep_backend_session(&mut self, backend: Backend) -> Result<(), Error> {
        if backend == Backend::OnePassword
            && self.manifest.persistence.backend_session.is_none()
            && self.answers.onepassword.as_ref().map(|s| s.auth) == Some(OpAuth::Account)
        {
            let keep = self.p.confirm(
                "Keep the 1Password session in the OS keyring between activations?",
                self.answers.persistence.backend_session.unwrap_or(false),
            )?;
            self.answers.persistence.backend_session = Some(keep);
        }
        Ok(())
    }

    fn keep_sts_session(&mut self) -> Result<(), Error> {
        if self.manifest.aws.is_some() && self.manifest.persistence.sts_session.is_none() {
            let keep = self.p.confirm(
                "Keep AWS session credentials in the OS keyring until they expire (fewer MFA prompts)?",
                self.answers.persistence.sts_session.unwrap_or(false),
            )?;
            self.answers.persistence.sts_session = Some(keep);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::EnvStore;
    use std::collections::VecDeque;
    use std::path::Path;

    /// Answers from a script, in order; any question beyond it fails the test.
    #[derive(Default)]
    struct Script {
        answers: VecDeque<&'static str>,
        asked: Vec<String>,
        said: Vec<String>,
    }

    impl Script {
        fn next(&mut self, prompt: &str) -> &'static str {
            self.asked.push(prompt.to_string());
            self.answers
                .pop_front()
                .unwrap_or_else(|| panic!("unexpected question {prompt:?}"))
        }
    }

    impl Prompter for Script {
        fn say(&mut self, text: &str) {
            self.said.push(text.to_string());
        }
        fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, Error> {
            Ok(match self.next(prompt) {
                "" => default.unwrap_or_default().to_string(),
                a => a.to_string(),
            })
        }
        fn select(&mut self, prompt: &str, _: &[String], default: usize) -> Result<usize, Error> {
            Ok(self.next(prompt).parse().unwrap_or(default))
        }
        fn confirm(&mut self, prompt: &str, _: bool) -> Result<bool, Error> {
            Ok(self.next(prompt) == "y")
        }
        fn secret(&mut self, prompt: &str) -> Result<SecretString, Error> {
            Ok(SecretString::from(self.next(prompt)))
        }
        fn busy(&mut self, _: &str, work: &mut dyn FnMut()) {
            work()
        }
    }

    fn manifest(text: &str) -> Manifest {
        Manifest::parse(text, Path::new("m.toml"), "t").unwrap()
    }

    fn run_script(m: &Manifest, answers: &[&'static str]) -> (Answers, Script) {
        let (got, script) = gather(m, answers);
        (got.answers, script)
    }

    fn gather(m: &Manifest, answers: &[&'static str]) -> (Gathered, Script) {
        let mut script = Script {
            answers: answers.iter().copied().collect(),
            ..Script::default()
        };
        let mut open =
            |_: &Manifest, _: Option<&SecretString>| -> Result<Box<dyn SecretStore>, Error> {
                Ok(Box::new(EnvStore::new(|k| match k {
                    "ID" | "SECRET" => Some("value".into()),
                    _ => None,
                })))
            };
        let got = run(
            &mut script,
            m,
            Answers::default(),
            &Detected::default(),
            &mut open,
        )
        .unwrap();
        (got, script)
    }

    #[test]
    fn what_the_manifest_says_is_never_asked() {
        let m = manifest(
            "version = 1\n[secrets]\nbackend = \"env\"\nitem = \"x\"\n\
             [secrets.fields]\naccess_key_id = \"ID\"\nsecret_access_key = \"SECRET\"\n\
             [aws]\nmfa_serial = \"arn:aws:iam::123456789012:mfa/a\"\n[persistence]\nsts_session = false\n",
        );
        let (answers, script) = run_script(&m, &[]);
        assert_eq!(answers, Answers::default());
        assert!(script.asked.is_empty());
        assert!(!needs_answers(&m, &answers));
    }

    #[test]
    fn open_answers_are_asked_checked_and_kept() {
        let m = manifest("version = 1\n[secrets]\nbackend = \"env\"\n[aws]\n");
        let (answers, script) =
            run_script(&m, &["NOPE", "ID", "SECRET", "not-an-arn", "none", "y"]);
        assert_eq!(answers.item, None, "env reads variables: no item");
        assert_eq!(answers.fields["access_key_id"], "ID");
        assert_eq!(answers.fields["secret_access_key"], "SECRET");
        assert_eq!(answers.mfa_serial.as_deref(), Some(""));
        assert_eq!(answers.persistence.sts_session, Some(true));
        // The unset variable and the bad ARN were each refused once.
        assert_eq!(script.asked.len(), 6, "{:?}", script.asked);
        assert!(
            script.said.iter().any(|s| s.contains("NOPE")),
            "{:?}",
            script.said
        );
        assert!(
            script.said.iter().any(|s| s.contains("not-an-arn")),
            "{:?}",
            script.said
        );
    }

    #[test]
    fn only_what_nothing_can_be_read_without_makes_activation_ask() {
        let m = |t: &str| manifest(&format!("version = 1\n{t}"));
        let none = Answers::default();
        assert!(needs_answers(
            &m("[secrets]\nbackend = \"keyring\"\n"),
            &none
        ));
        assert!(needs_answers(&m("[aws]\n"), &none), "no backend");
        assert!(needs_answers(
            &m("[secrets]\nbackend = \"1password\"\nitem = \"x\"\n"),
            &none
        ));
        assert!(!needs_answers(
            &m("[secrets]\nbackend = \"env\"\n[aws]\n"),
            &none
        ));
        assert!(!needs_answers(
            &m("[secrets]\nbackend = \"pass\"\nitem = \"x\"\n"),
            &none
        ));
        let answered = Answers {
            item: Some("x".into()),
            ..Answers::default()
        };
        assert!(!needs_answers(
            &m("[secrets]\nbackend = \"keyring\"\n"),
            &answered
        ));
    }

    #[test]
    fn each_1password_sign_in_asks_only_what_it_needs() {
        let m = manifest(
            "version = 1\n[secrets]\nbackend = \"1password\"\nvault = \"V\"\nitem = \"x\"\n\
             [secrets.fields]\naccess_key_id = \"ID\"\nsecret_access_key = \"SECRET\"\n",
        );
        // The desktop app: nothing more to ask, nothing to keep.
        let (got, script) = gather(&m, &["2"]);
        let sign_in = got.answers.onepassword.unwrap();
        assert_eq!((sign_in.auth, sign_in.account), (OpAuth::DesktopApp, None));
        assert_eq!(script.asked, ["How does op sign in to 1Password?"]);
        assert!(got.service_token.is_none());
        // A service account: its token, hidden, kept apart from the answers.
        let (got, script) = gather(&m, &["1", "ops_token"]);
        assert_eq!(
            got.answers.onepassword.unwrap().auth,
            OpAuth::ServiceAccount
        );
        assert_eq!(script.asked.len(), 2);
        assert_eq!(got.service_token.unwrap().expose_secret(), "ops_token");
        assert!(!toml::to_string(&gather(&m, &["1", "ops_token"]).0.answers)
            .unwrap()
            .contains("ops_token"));
    }
}
