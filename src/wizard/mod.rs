//! The first-run wizard: the questions a manifest leaves to each person, in
//! order, each group in its own file: where the keys are kept and how the
//! backend signs in ([`backend`]), the vault, item and fields
//! ([`item`]; or the keys, to store as a new item), then the MFA device and
//! what may be kept between activations ([`aws`]). Defaults come from the
//! current answers and from what this machine has ([`detect`]); each answer is
//! checked against the real backend where it can be. It asks through a
//! [`Prompter`] and never prints itself: the command line gives it the
//! terminal, and `setup` shows and saves what it gathered.

mod aws;
mod backend;
pub mod detect;
mod item;
mod sso;

use secrecy::SecretString;

use crate::aws::LongTermKeys;
use crate::backend::SignIn;
use crate::manifest::Manifest;
use crate::secrets::SecretStore;
use crate::settings::Settings;
use crate::state::answers::Answers;
use crate::ui::Prompter;
use crate::Error;
use detect::Detected;

/// What the wizard has of a 1Password sign-in, for the store it opens: a
/// service-account token just typed, or the session of an account just
/// added (op asked its password once, there).
#[derive(Default)]
pub struct OpCredentials {
    pub service_token: Option<SecretString>,
    pub session: Option<SecretString>,
}

/// Opens the store a (completed) manifest names, with what the wizard has of
/// a 1Password sign-in.
pub type OpenStore<'a> =
    dyn FnMut(&Manifest, &OpCredentials) -> Result<Box<dyn SecretStore>, Error> + 'a;

/// Whether this machine can use a backend (with the vault, when known): asked
/// as soon as the backend is known, before any question about it.
pub type CheckReady<'a> = dyn Fn(crate::backend::Backend, Option<&str>) -> Result<(), Error> + 'a;

/// What an IAM Identity Center sign-in is assigned, signing in first when
/// needed (the person approves in the browser).
pub trait SsoAssignments {
    /// The accounts; none is an error naming the sign-in.
    fn accounts(&self) -> Result<Vec<crate::aws::sso::service::Account>, Error>;
    /// An account's roles; none is an error naming the account.
    fn roles(&self, account_id: &str) -> Result<Vec<String>, Error>;
}

/// What the wizard gathered: the answers, and what goes to the backend or the
/// OS keyring (never to the answers file) once the person confirms: a
/// service-account token, and long-term keys typed for an item not yet stored.
pub struct Gathered {
    pub answers: Answers,
    pub service_token: Option<SecretString>,
    pub new_keys: Option<LongTermKeys>,
}

/// Asks every question the manifest (as written) leaves open, starting from
/// the settings' current answers. An answer the manifest gives is never asked.
pub fn run(
    p: &dyn Prompter,
    settings: &Settings,
    detected: &Detected,
    ready: &CheckReady,
    sso: Option<&dyn SsoAssignments>,
    open: &mut OpenStore,
) -> Result<Gathered, Error> {
    let mut w = Wizard {
        p,
        settings,
        manifest: &settings.written,
        answers: settings.answers.clone(),
        detected,
        op: OpCredentials::default(),
        new_keys: None,
    };
    w.backend()?;
    if let Some(assigned) = sso {
        w.sso(assigned)?;
    }
    let Some((backend, vault)) = w.merged()?.secrets.map(|s| (s.backend, s.vault)) else {
        // No keys to read (an IAM Identity Center sign-in, or no [aws]).
        w.keep_sts_session()?;
        return Ok(w.finish());
    };
    ready(backend, vault.as_deref())?;
    let signs_in = backend.info().sign_in == SignIn::OnePassword;
    if signs_in {
        w.sign_in()?;
    }
    // Before the store is first opened, so that a session it signs in to is
    // kept when the person wants it kept.
    w.keep_backend_session(backend)?;
    let store = loop {
        w.vault(backend)?;
        let store = open(&w.merged()?, &w.op)?;
        if w.item(store.as_ref(), backend)? {
            break store;
        }
    };
    w.fields(store.as_ref(), backend)?;
    w.mfa()?;
    // An item stored by this wizard holds the two key halves only.
    if signs_in && w.new_keys.is_none() {
        w.totp_field(store.as_ref())?;
    }
    w.keep_sts_session()?;
    Ok(w.finish())
}

struct Wizard<'a> {
    p: &'a dyn Prompter,
    settings: &'a Settings,
    /// The manifest as written: what it says is never asked.
    manifest: &'a Manifest,
    answers: Answers,
    detected: &'a Detected,
    op: OpCredentials,
    new_keys: Option<LongTermKeys>,
}

impl Wizard<'_> {
    /// The manifest completed with the answers given so far.
    fn merged(&self) -> Result<Manifest, Error> {
        let settings = self.settings.with_answers(self.answers.clone())?;
        Ok(settings.effective().clone())
    }

    fn finish(self) -> Gathered {
        Gathered {
            answers: self.answers,
            service_token: self.op.service_token,
            new_keys: self.new_keys,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::OpAuth;
    use crate::secrets::EnvStore;
    use crate::ui::{AskError, MfaRequest, Ui, Warning};
    use secrecy::ExposeSecret;
    use std::collections::VecDeque;
    use std::path::Path;
    use std::sync::Mutex;

    /// Answers from a script, in order; any question beyond it fails the test.
    #[derive(Default)]
    struct Script {
        answers: Mutex<VecDeque<&'static str>>,
        asked: Mutex<Vec<String>>,
        said: Mutex<Vec<String>>,
    }

    impl Script {
        fn next(&self, prompt: &str) -> &'static str {
            self.asked.lock().unwrap().push(prompt.to_string());
            self.answers
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| panic!("unexpected question {prompt:?}"))
        }
    }

    impl Ui for Script {
        fn interactive(&self) -> bool {
            true
        }
        fn warn(&self, _: &Warning) {}
        fn busy(&self, _: &str, work: &mut dyn FnMut()) {
            work()
        }
        fn mfa_code(&self, _: &MfaRequest) -> Result<SecretString, AskError> {
            unreachable!("the wizard asks no MFA code")
        }
        fn passphrase(&self, _: &Path, _: bool) -> Result<SecretString, AskError> {
            unreachable!("the wizard opens no file store here")
        }
    }

    impl Prompter for Script {
        fn say(&self, text: &str) {
            self.said.lock().unwrap().push(text.to_string());
        }
        fn input(&self, prompt: &str, default: Option<&str>) -> Result<String, AskError> {
            Ok(match self.next(prompt) {
                "" => default.unwrap_or_default().to_string(),
                a => a.to_string(),
            })
        }
        fn select(&self, prompt: &str, _: &[String], default: usize) -> Result<usize, AskError> {
            Ok(self.next(prompt).parse().unwrap_or(default))
        }
        fn confirm(&self, prompt: &str, _: bool) -> Result<bool, AskError> {
            Ok(self.next(prompt) == "y")
        }
        fn secret(&self, prompt: &str) -> Result<SecretString, AskError> {
            Ok(SecretString::from(self.next(prompt)))
        }
        fn answers_saved(&self, _: &Path) {}
    }

    fn manifest(text: &str) -> Manifest {
        Manifest::parse(text, Path::new("m.toml"), "t").unwrap()
    }

    fn needs_answers(m: &Manifest, answers: &Answers) -> bool {
        Settings::in_memory(m.clone(), answers.clone())
            .unwrap()
            .needs_answers()
    }

    fn run_script(m: &Manifest, answers: &[&'static str]) -> (Answers, Script) {
        let (got, script) = gather(m, answers);
        (got.answers, script)
    }

    fn gather(m: &Manifest, answers: &[&'static str]) -> (Gathered, Script) {
        let script = Script {
            answers: Mutex::new(answers.iter().copied().collect()),
            ..Script::default()
        };
        let mut open = |_: &Manifest, _: &OpCredentials| -> Result<Box<dyn SecretStore>, Error> {
            Ok(Box::new(EnvStore::new(|k| match k {
                "ID" | "SECRET" => Some("value".into()),
                _ => None,
            })))
        };
        let settings = Settings::in_memory(m.clone(), Answers::default()).unwrap();
        let got = run(
            &script,
            &settings,
            &Detected::default(),
            &|_, _| Ok(()),
            None,
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
        assert!(script.asked.lock().unwrap().is_empty());
        assert!(!Settings::in_memory(m, answers).unwrap().needs_answers());
    }

    #[test]
    fn open_answers_are_asked_checked_and_kept() {
        let m = manifest("version = 1\n[secrets]\nbackend = \"env\"\n[aws]\n");
        let (answers, script) =
            run_script(&m, &["NOPE", "ID", "SECRET", "not-an-arn", "none", "y"]);
        assert_eq!(answers.item, None, "env reads variables: no item");
        assert_eq!(answers.fields["access_key_id"], "ID");
        assert_eq!(answers.fields["secret_access_key"], "SECRET");
        assert_eq!(answers.mfa_serial, Some(crate::aws::Mfa::None));
        assert_eq!(answers.persistence.sts_session, Some(true));
        // The unset variable and the bad ARN were each refused once.
        assert_eq!(script.asked.lock().unwrap().len(), 6, "{:?}", script.asked);
        assert!(
            script
                .said
                .lock()
                .unwrap()
                .iter()
                .any(|s| s.contains("NOPE")),
            "{:?}",
            script.said.lock().unwrap()
        );
        assert!(
            script
                .said
                .lock()
                .unwrap()
                .iter()
                .any(|s| s.contains("not-an-arn")),
            "{:?}",
            script.said.lock().unwrap()
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
        assert_eq!(
            *script.asked.lock().unwrap(),
            ["How does op sign in to 1Password?"]
        );
        assert!(got.service_token.is_none());
        // A service account: its token, hidden, kept apart from the answers.
        let (got, script) = gather(&m, &["1", "ops_token"]);
        assert_eq!(
            got.answers.onepassword.unwrap().auth,
            OpAuth::ServiceAccount
        );
        assert_eq!(script.asked.lock().unwrap().len(), 2);
        assert_eq!(got.service_token.unwrap().expose_secret(), "ops_token");
        assert!(!toml::to_string(&gather(&m, &["1", "ops_token"]).0.answers)
            .unwrap()
            .contains("ops_token"));
    }
}
