//! Where one resolution starts (its [`super::CredentialSource`]) and gets
//! MFA codes (the source's own TOTP field, a code handed to the agent, or
//! the person, a code checked for its six digits first).

use secrecy::{ExposeSecret, SecretString};

use super::{Codes, Resolver};
use crate::aws::flow::{self, FlowError, MfaSource, Source, Start};
use crate::aws::MfaSerial;
use crate::ui::{AskError, MfaRequest, Ui, Warning};
use crate::Error;

/// The start and the MFA codes of one resolution.
pub(super) struct Sources<'a> {
    pub resolver: &'a Resolver,
    pub codes: &'a Codes,
}

impl Source<Error> for Sources<'_> {
    fn temporary(&self) -> bool {
        self.resolver.source.temporary()
    }

    fn start(&self) -> Result<Start, Error> {
        // The agent's refreshes never start a sign-in: the wrapped command
        // that asked says to run `envact login`.
        let may_ask = matches!(self.codes, Codes::Person);
        self.resolver
            .source
            .start(self.resolver.ui.as_ref(), may_ask)
    }
}

/// MFA codes from the source's TOTP field when it has one, else as
/// [`Codes`] says, else a clear refusal (never a hang).
impl MfaSource<Error> for Sources<'_> {
    fn code(&self, serial: &MfaSerial, attempt: u32) -> Result<SecretString, Error> {
        let r = self.resolver;
        if let Some(code) = r.source.totp(r.ui.as_ref()) {
            return code;
        }
        let serial = serial.to_string();
        match self.codes {
            Codes::Given(Some(code)) if attempt == 1 => Ok(code.clone()),
            Codes::Given(Some(_)) => Err(FlowError::MfaRejected {
                serial,
                attempts: 1,
            }
            .into()),
            Codes::Given(None) => Err(FlowError::NoMfaSource { serial }.into()),
            Codes::Person => ask_mfa_code(r.ui.as_ref(), &serial, attempt, false),
        }
    }
}

/// Asks the person for a code; without a terminal, says that one is needed.
pub fn ask_mfa_code(
    ui: &dyn Ui,
    serial: &str,
    attempt: u32,
    expired: bool,
) -> Result<SecretString, Error> {
    if !ui.interactive() {
        return Err(FlowError::NoMfaSource {
            serial: serial.to_string(),
        }
        .into());
    }
    let request = MfaRequest {
        serial,
        attempt,
        attempts: flow::MFA_ATTEMPTS,
        expired,
    };
    loop {
        let code = ui.mfa_code(&request).map_err(|e| -> Error {
            match e {
                AskError::NoTerminal => FlowError::NoMfaSource {
                    serial: serial.to_string(),
                },
                AskError::Stopped(reason) => FlowError::MfaInput(reason),
            }
            .into()
        })?;
        // Checked here: a slip of the keyboard costs none of the attempts.
        let digits = code.expose_secret();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(code);
        }
        ui.warn(&Warning::NotAnMfaCode);
    }
}
