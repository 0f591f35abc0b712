//! Asking an agent for credentials: an activation's, or direnv's
//! background one. An MFA code is typed here when the agent's session
//! expired, and handed only to an agent that is the user's own.

use secrecy::SecretString;
use std::path::Path;

use super::ask_mfa_code;
use crate::agent::protocol::{fetch, FetchError, Response};
use crate::aws::flow::{FlowError, MFA_ATTEMPTS};
use crate::aws::Credentials;
use crate::context::Context;
use crate::Error;

/// Asks the agent listening in `dir` (an activation's, or direnv's
/// background one), typing an MFA code when it needs one.
pub fn from_agent(
    cx: &Context,
    dir: &Path,
    profile: Option<&str>,
) -> Result<(Credentials, Option<String>), Error> {
    let mut code: Option<SecretString> = None;
    for attempt in 1..=MFA_ATTEMPTS + 1 {
        let response = fetch(dir, profile, code.as_ref()).map_err(|e| match e {
            FetchError::Io(e) => Error::AgentFailed(e.to_string()),
            untrusted => Error::AgentUntrusted(untrusted.to_string()),
        })?;
        match response {
            Response::Credentials {
                credentials,
                region,
            } => return Ok((credentials, region)),
            Response::Error { message, .. } => return Err(Error::AgentFailed(message)),
            Response::NeedMfa { serial } if attempt <= MFA_ATTEMPTS => {
                code = Some(ask_mfa_code(cx.ui.as_ref(), &serial, attempt, true)?);
            }
            Response::NeedMfa { serial } => {
                return Err(FlowError::MfaRejected {
                    serial,
                    attempts: MFA_ATTEMPTS,
                }
                .into())
            }
        }
    }
    unreachable!("the loop returns")
}
