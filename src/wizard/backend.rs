//! The wizard's first group of questions: where the keys are kept (the
//! backend) and, for 1Password, how op signs in.

use super::Wizard;
use crate::manifest::{Backend, OpAuth, OpSignIn};
use crate::secrets::{self, SecretError};
use crate::Error;

impl Wizard<'_> {
    pub(super) fn backend(&mut self) -> Result<(), Error> {
        // Nothing to choose when the manifest names the backend, or the
        // credentials do not come from keys (an IAM Identity Center sign-in).
        let keys = self.manifest.aws.as_ref().is_some_and(|a| a.sso.is_none())
            && !self.settings.profile_signs_in();
        if self.manifest.secrets.is_some() || !keys {
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

    pub(super) fn sign_in(&mut self) -> Result<(), Error> {
        let d = self.detected;
        if d.probe.op_token_in_env {
            self.p
                .say("1Password: OP_SERVICE_ACCOUNT_TOKEN is set, op uses that service account");
        }
        let default = match &self.answers.onepassword {
            Some(s) => s.auth,
            None if d.probe.op_token_in_env => OpAuth::ServiceAccount,
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
                if !d.probe.op_token_in_env {
                    let token = self
                        .p
                        .secret("Service-account token (kept in the OS keyring)")?;
                    self.op.service_token = Some(token);
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
        let attempts = crate::aws::flow::MFA_ATTEMPTS;
        for attempt in 1..=attempts {
            let address = self.p.input("Sign-in address", Some("my.1password.com"))?;
            let email = self.p.input("Email", None)?;
            match secrets::op_add_account(&address, &email) {
                // Signed in too: the store uses this session, no second password.
                Ok(session) => {
                    self.op.session = Some(session);
                    return Ok(address);
                }
                Err(e @ SecretError::ProgramMissing { .. }) => return Err(e.into()),
                Err(e) if attempt == attempts => return Err(e.into()),
                Err(e) => self.p.say(&format!(
                    "{e}; try again (attempt {} of {attempts})",
                    attempt + 1
                )),
            }
        }
        unreachable!("the last attempt returns")
    }
}
