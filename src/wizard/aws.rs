//! The wizard's last group: the AWS side (the MFA device) and what may be
//! kept between activations.

use super::Wizard;
use crate::aws::Mfa;
use crate::backend::SignIn;
use crate::manifest::{Backend, OpAuth};
use crate::Error;

impl Wizard<'_> {
    pub(super) fn mfa(&mut self) -> Result<(), Error> {
        let Some(aws) = &self.manifest.aws else {
            return Ok(());
        };
        // The sign-in in the browser is an SSO environment's second factor.
        if aws.mfa_serial.is_some() || aws.sso.is_some() {
            return Ok(());
        }
        let detected = self.detected.mfa_serial(aws.profile.as_deref());
        if let Some((profile, serial)) = &detected {
            self.p.say(&format!(
                "AWS config: profile {profile} has mfa_serial {serial}"
            ));
        }
        let default = match &self.answers.mfa_serial {
            Some(mfa) => mfa.to_string(),
            None => detected.map_or_else(|| Mfa::None.to_string(), |(_, s)| s),
        };
        loop {
            let answer = self.p.input(
                "MFA device ARN (arn:aws:iam::ACCOUNT:mfa/NAME, or none)",
                Some(&default),
            )?;
            match answer.parse::<Mfa>() {
                Ok(mfa) => {
                    self.answers.mfa_serial = Some(mfa);
                    return Ok(());
                }
                Err(e) => self.p.say(&format!("{:?}: {e}", answer.trim())),
            }
        }
    }

    pub(super) fn keep_backend_session(&mut self, backend: Backend) -> Result<(), Error> {
        if backend.info().sign_in == SignIn::OnePassword
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

    pub(super) fn keep_sts_session(&mut self) -> Result<(), Error> {
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
