//! How the library reaches the person without printing or prompting itself,
//! the way jj's library takes `RemoteCallbacks`: it reports warnings as
//! values, marks slow work so a spinner can run, and asks for an MFA code or a
//! passphrase through [`Ui`]; the wizard's questions go through [`Prompter`].
//! The command line implements both on the terminal, which it checks once.
//!
//! Methods take `&self` so that one `Arc<dyn Prompter>` can be shared (and
//! upcast to `Arc<dyn Ui>`) by everything a command opens: the file backend's
//! passphrase prompt lives as long as the store, the agent's refresh (on its
//! own thread) as long as the activation.

use secrecy::SecretString;
use std::path::{Path, PathBuf};

/// Something worth knowing that does not stop the work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A profile's long-term secret sits in plain text in the AWS credentials file.
    PlaintextKeys { profile: String, file: PathBuf },
    /// What was typed for an MFA code is not one: asked again, sent nowhere.
    NotAnMfaCode,
    /// The backend refused the sign-in: asked again.
    SignInRefused { attempt: u32, attempts: u32 },
    /// The manifest's `[secrets]` names a backend, but its profile starts
    /// from an IAM Identity Center sign-in: the backend is never read.
    SecretsUnused { profile: String, manifest: PathBuf },
    /// The long-term key is older than `[secrets] max_key_age`.
    OldKey {
        item: String,
        /// `created 100 days ago`, `stored 100 days ago`.
        age: String,
        max: String,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::PlaintextKeys { profile, file } => write!(
                f,
                "the long-term keys of profile {profile:?} are in plain text in {}: move them into the backend with `envact add ITEM` and delete them from that file",
                file.display()
            ),
            Warning::NotAnMfaCode => {
                f.write_str("an MFA code is the 6 digits your device shows: type it again")
            }
            Warning::SignInRefused { attempt, attempts } => write!(
                f,
                "that password was refused (attempt {attempt} of {attempts})"
            ),
            Warning::OldKey { item, age, max } => write!(
                f,
                "the key in {item} was {age}, more than max_key_age ({max}): replace it with `envact rotate`"
            ),
            Warning::SecretsUnused { profile, manifest } => write!(
                f,
                "profile {profile:?} signs in with IAM Identity Center, so [secrets] in {} is not used: remove it, or name a profile whose credentials start from long-term keys",
                manifest.display()
            ),
        }
    }
}

/// Why the person could not be asked, or gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AskError {
    #[error("there is no terminal to ask on")]
    NoTerminal,
    /// Ctrl-C, Ctrl-D, or a terminal that cannot be read: why.
    #[error("{0}")]
    Stopped(String),
}

/// A request for an MFA code.
#[derive(Debug, Clone, Copy)]
pub struct MfaRequest<'a> {
    /// The MFA device's ARN.
    pub serial: &'a str,
    /// 1 for the first code; more when the previous one was rejected.
    pub attempt: u32,
    /// How many codes may be tried in all.
    pub attempts: u32,
    /// The session the code is for had expired (the agent asks again).
    pub expired: bool,
}

/// An IAM Identity Center sign-in the person approves in a browser.
#[derive(Debug, Clone, Copy)]
pub struct SignInRequest<'a> {
    /// The portal signed in to.
    pub start_url: &'a str,
    /// Where to approve it, with the code in it when the service says.
    pub url: &'a str,
    /// The code the page must show.
    pub code: &'a str,
    /// Whether to open a browser there (not with `envact login --no-browser`).
    pub open_browser: bool,
}

/// What every command may need from the person.
pub trait Ui: Send + Sync {
    /// Whether a person is at a terminal (standard input and error) to be asked.
    fn interactive(&self) -> bool;

    fn warn(&self, warning: &Warning);

    /// An activation has started, giving what `active` says.
    fn activated(&self, active: &crate::summary::Summary) {
        let _ = active;
    }

    /// Runs slow work (the network, a backend's program) behind a progress
    /// indicator. A prompt that the work itself needs must still be answerable.
    fn busy(&self, label: &str, work: &mut dyn FnMut());

    /// Runs `work`, which hands the terminal to another program that asks
    /// there itself (1Password's `op signin`): no indicator may draw over it.
    fn pause(&self, work: &mut dyn FnMut()) {
        work()
    }

    /// A code from the MFA device, typed by the person.
    fn mfa_code(&self, request: &MfaRequest) -> Result<SecretString, AskError>;

    /// Shows where to approve an IAM Identity Center sign-in, and the code,
    /// and opens the browser there when asked to and one can be opened.
    fn approve_sign_in(&self, request: &SignInRequest) {
        let _ = request;
    }

    /// The passphrase of the encrypted file at `path`; `new_file`: it is about
    /// to be created, so the passphrase is asked twice.
    fn passphrase(&self, path: &Path, new_file: bool) -> Result<SecretString, AskError>;
}

/// The wizard's side of the conversation. Every question fails with
/// [`AskError::Stopped`] when the person presses Ctrl-C or ends the input.
pub trait Prompter: Ui {
    /// A line shown before a question: what was detected, why an answer was refused.
    fn say(&self, text: &str);
    /// Free text; Enter alone takes `default`.
    fn input(&self, prompt: &str, default: Option<&str>) -> Result<String, AskError>;
    /// One of `choices`, by index.
    fn select(&self, prompt: &str, choices: &[String], default: usize) -> Result<usize, AskError>;
    fn confirm(&self, prompt: &str, default: bool) -> Result<bool, AskError>;
    /// Hidden input, for a token or a key.
    fn secret(&self, prompt: &str) -> Result<SecretString, AskError>;
    /// The answers were written to `path` (the command's result: standard output).
    fn answers_saved(&self, path: &Path);
}

/// Runs `work` through [`Ui::busy`] and hands back what it returned.
pub fn busy<T>(ui: &dyn Ui, label: &str, work: impl FnOnce() -> T) -> T {
    once(work, |w| ui.busy(label, w))
}

/// Runs `work` through [`Ui::pause`] and hands back what it returned.
pub fn pause<T>(ui: &dyn Ui, work: impl FnOnce() -> T) -> T {
    once(work, |w| ui.pause(w))
}

/// `work`, run by `runner` (which takes an `FnMut`), its result handed back.
fn once<T>(work: impl FnOnce() -> T, runner: impl FnOnce(&mut dyn FnMut())) -> T {
    let mut work = Some(work);
    let mut result = None;
    runner(&mut || {
        if let Some(w) = work.take() {
            result = Some(w());
        }
    });
    match (result, work) {
        (Some(r), _) => r,
        // A Ui that did not run the work: run it here.
        (None, Some(w)) => w(),
        (None, None) => unreachable!("the work ran and returned"),
    }
}

/// No one to ask and nothing shown: background work and tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Ui for Quiet {
    fn interactive(&self) -> bool {
        false
    }
    fn warn(&self, _: &Warning) {}
    fn busy(&self, _: &str, work: &mut dyn FnMut()) {
        work()
    }
    fn mfa_code(&self, _: &MfaRequest) -> Result<SecretString, AskError> {
        Err(AskError::NoTerminal)
    }
    fn passphrase(&self, _: &Path, _: bool) -> Result<SecretString, AskError> {
        Err(AskError::NoTerminal)
    }
}
