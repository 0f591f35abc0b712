//! `envact exec`: one command with fresh AWS credentials in its environment.
//! Inside an activation they come from its agent (an MFA code is typed here
//! only when the agent's session expired), and only from an agent that is
//! the user's own; outside one, or with `-d DIR`, they are resolved here.
//! envact then becomes the command.

use secrecy::SecretString;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::activation::ActiveEnv;
use crate::agent::protocol::{fetch, FetchError, Response, SOCKET};
use crate::aws::export::variables;
use crate::aws::flow::{FlowError, MFA_ATTEMPTS};
use crate::aws::Credentials;
use crate::context::Context;
use crate::credentials::{ask_mfa_code, obtain};
use crate::remote::Place;
use crate::Error;

/// Runs `command` (program and arguments) with the credentials; returns only
/// when it cannot be started.
pub fn exec(cx: &Context, place: &Place, command: &[OsString]) -> Error {
    match credentials(cx, place) {
        Ok((credentials, region)) => become_command(cx, command, credentials, region.as_deref()),
        Err(e) => e,
    }
}

fn credentials(cx: &Context, place: &Place) -> Result<(Credentials, Option<String>), Error> {
    let active = ActiveEnv::from_vars(|k| cx.var(k));
    match (active, place) {
        // Inside an activation its agent answers, or no one does: resolving
        // from the current directory could be another project's credentials.
        (Some(active), Place::Dir(None)) => match agent_dir(&active) {
            Some(agent) => from_agent(cx, &agent),
            None => Err(Error::NoAgent {
                live: active.is_live(),
                name: active.name,
                dir: active.dir,
            }),
        },
        _ => {
            let settings = cx.settings_at(place)?;
            crate::trust::ensure_trusted(cx, &settings)?;
            let obtained = obtain(cx, &settings)?.ok_or_else(|| Error::NoAws {
                manifest: settings.project.manifest.clone(),
                what: "give to the command",
            })?;
            Ok((obtained.credentials, obtained.region))
        }
    }
}

/// The runtime directory of the activation, when it is running and its
/// agent listens there.
fn agent_dir(active: &ActiveEnv) -> Option<PathBuf> {
    Some(active)
        .filter(|a| a.is_live())
        .and_then(|a| a.runtime_dir.clone())
        .filter(|dir| dir.join(SOCKET).exists())
}

/// Asks the activation's agent, typing an MFA code when it needs one.
fn from_agent(cx: &Context, dir: &Path) -> Result<(Credentials, Option<String>), Error> {
    let mut code: Option<SecretString> = None;
    for attempt in 1..=MFA_ATTEMPTS + 1 {
        let response = fetch(dir, code.as_ref()).map_err(|e| match e {
            FetchError::Io(e) => Error::AgentFailed(e.to_string()),
            untrusted => Error::AgentUntrusted(untrusted.to_string()),
        })?;
        match response {
            Response::Credentials {
                credentials,
                region,
            } => return Ok((credentials, region)),
            Response::Error { message } => return Err(Error::AgentFailed(message)),
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

/// envact becomes the command: its exit code, its signals, its terminal are
/// the command's own, with nothing of envact left in between.
fn become_command(
    cx: &Context,
    command: &[OsString],
    credentials: Credentials,
    region: Option<&str>,
) -> Error {
    let Some((program, rest)) = command.split_first() else {
        return Error::CommandNotFound {
            program: String::new(),
        };
    };
    let mut cmd = Command::new(program);
    cmd.args(rest);
    for (name, value) in variables(&credentials, region) {
        cmd.env(name, value.as_str());
    }
    drop(credentials);
    cx.core_limit.give_to(&mut cmd);
    let source = cmd.exec();
    match source.kind() {
        std::io::ErrorKind::NotFound => Error::CommandNotFound {
            program: program.to_string_lossy().into_owned(),
        },
        _ => Error::Spawn {
            program: program.into(),
            source,
        },
    }
}
