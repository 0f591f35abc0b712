//! Where one resolution gets the long-term keys (the backend, behind the
//! busy indicator) and MFA codes (the backend's TOTP field, a code handed to
//! the agent, or the person, a code checked for its six digits first).

use secrecy::{ExposeSecret, SecretString};

use super::{Codes, Resolver};
use crate::aws::flow::{self, FlowError, KeySource, MfaSource};
use crate::aws::{LongTermKeys, MfaSerial};
use crate::secrets::read_keys;
use crate::ui::{AskError, MfaRequest, Ui, Warning};
use crate::Error;

/// The keys and the MFA codes of one resolution.
pub(super) struct Sources<'a> {
    pub resolver: &'a Resolver,
    pub codes: &'a Codes,
}

impl KeySource<Error> for Sources<'_> {
    fn keys(&self) -> Result<LongTermKeys, Error> {
        let r = self.resolver;
        let ui = r.ui.as_ref();
        let store = r.opened.store.as_ref();
        let label = format!("Reading the long-term keys from {}", store.describe());
        Ok(crate::ui::busy(ui, &label, || {
            read_keys(store, &r.item, &r.opened.fields)
        })?)
    }
}

/// MFA codes from the backend's TOTP field when the manifest names one, else
/// as [`Codes`] says, else a clear refusal (never a hang).
impl MfaSource<Error> for Sources<'_> {
    fn code(&self, serial: &MfaSerial, attempt: u32) -> Result<SecretString, Error> {
        let r = self.resolver;
        if let Some(field) = &r.opened.fields.mfa_totp {
            let store = r.opened.store.as_ref();
            let label = format!("Reading a one-time code from {}", store.describe());
            return Ok(crate::ui::busy(r.ui.as_ref(), &label, || {
                store.read_totp(&r.item, field)
            })?);
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
