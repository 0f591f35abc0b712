//! `envact exec`: one command with fresh AWS credentials in its environment.
//! Inside an activation they come from its agent (an MFA code is typed here
//! only when the agent's session expired), and only from an agent that is
//! the user's own; under direnv from the environment's background agent
//! (started here when none runs); outside both, or with `-d DIR`, they are
//! resolved here. envact then becomes the command.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::agent::protocol::SOCKET;
use crate::aws::export::variables;
use crate::aws::Credentials;
use crate::context::Context;
use crate::context::Place;
use crate::credentials::Purpose;
use crate::shell::Enclosing;
use crate::Error;

/// Runs `command` (program and arguments) with the credentials; returns only
/// when it cannot be started.
pub fn exec(cx: &Context, place: &Place, command: &[OsString], envact_bin: &Path) -> Error {
    match credentials(cx, place, envact_bin, "give to the command") {
        Ok(given) => become_command(cx, command, given),
        Err(e) => e,
    }
}

/// What the command is given, and what it must not inherit.
pub(super) struct Given {
    pub(super) credentials: Credentials,
    pub(super) region: Option<String>,
    /// Variables that hold long-term keys or unlock them.
    held: Vec<String>,
}

impl Given {
    /// From an agent: the variables any environment may hold (an activation
    /// or direnv removed the environment's own ones already).
    fn from_agent((credentials, region): (Credentials, Option<String>)) -> Given {
        let mut held = vec![crate::secrets::PASSPHRASE_VAR.to_string()];
        held.extend(crate::secrets::AWS_KEY_VARS.iter().map(|n| n.to_string()));
        Given {
            credentials,
            region,
            held,
        }
    }
}

/// The credentials a command run here gets (also what `envact whoami` asks
/// about); `what` they are for, in the error of an environment without [aws].
pub(super) fn credentials(
    cx: &Context,
    place: &Place,
    envact_bin: &Path,
    what: &'static str,
) -> Result<Given, Error> {
    let active = Enclosing::from_vars(|k| cx.var(k));
    let direnv = cx
        .var(crate::app::direnv::ENV_DIRENV)
        .and_then(|v| v.into_string().ok());
    match (active, place) {
        // Under direnv: the environment's background agent.
        (Some(active), Place::Dir(None)) if direnv.is_some() => {
            let direnv = direnv.unwrap_or_default();
            crate::app::direnv::credentials(cx, &active, &direnv, envact_bin).map(Given::from_agent)
        }
        // Inside an activation its agent answers, or no one does: resolving
        // from the current directory could be another project's credentials.
        (Some(active), Place::Dir(None)) => match agent_dir(&active) {
            Some(agent) => crate::credentials::from_agent(cx, &agent).map(Given::from_agent),
            None => Err(Error::NoAgent {
                live: active.is_live(),
                name: active.name,
                dir: active.dir,
            }),
        },
        _ => {
            let (settings, obtained) = super::resolve_at(cx, place, Purpose::Once, what)?;
            Ok(Given {
                credentials: obtained.credentials,
                region: obtained.region,
                held: crate::secrets::held_in_environment(settings.effective()),
            })
        }
    }
}

/// The runtime directory of the activation, when it is running and its
/// agent listens there.
fn agent_dir(active: &Enclosing) -> Option<PathBuf> {
    Some(active)
        .filter(|a| a.is_live())
        .and_then(|a| a.runtime_dir.clone())
        .filter(|dir| dir.join(SOCKET).exists())
}

/// envact becomes the command: its exit code, its signals, its terminal are
/// the command's own, with nothing of envact left in between.
fn become_command(cx: &Context, command: &[OsString], given: Given) -> Error {
    let Some((program, rest)) = command.split_first() else {
        return Error::CommandNotFound {
            program: String::new(),
        };
    };
    let mut cmd = Command::new(program);
    cmd.args(rest);
    for name in &given.held {
        cmd.env_remove(name);
    }
    for (name, value) in variables(&given.credentials, given.region.as_deref()) {
        cmd.env(name, value.as_str());
    }
    drop(given);
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
