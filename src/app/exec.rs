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
use crate::shell::profiles::Profiles;
use crate::shell::Enclosing;
use crate::Error;

/// Runs `command` (program and arguments) with the credentials of
/// `profile` (`None`: the environment's default); returns only when it
/// cannot be started.
pub fn exec(
    cx: &Context,
    place: &Place,
    command: &[OsString],
    envact_bin: &Path,
    profile: Option<&str>,
) -> Error {
    // In an environment of profiles the command gets a profile's name, and
    // the AWS config file the activation owns: every SDK then asks envact
    // for exactly the profile it uses (keys in the environment would win
    // over a profile named later, in some SDKs and not others).
    if let (Place::Dir(None), Some(profiles)) = (place, Profiles::from_vars(|k| cx.var(k))) {
        return match profiles.choose(profile, cx.var_string("AWS_PROFILE").as_deref()) {
            Ok(name) => become_profile(cx, command, &name),
            Err(e) => e.into(),
        };
    }
    match credentials(
        cx,
        place,
        envact_bin,
        "give to the command",
        Purpose::Once,
        profile,
    ) {
        Ok(given) => become_command(cx, command, given, profile.is_some()),
        Err(e) => e,
    }
}

/// The profile asked of an agent here: in an activation of profiles, the
/// one `asked` (which must be one of them), else `AWS_PROFILE`'s, else the
/// default; elsewhere `asked`, checked where the manifest is read.
pub(super) fn profile_here(
    cx: &Context,
    place: &Place,
    asked: Option<&str>,
) -> Result<Option<String>, Error> {
    match (place, Profiles::from_vars(|k| cx.var(k))) {
        (Place::Dir(None), Some(profiles)) => Ok(Some(
            profiles.choose(asked, cx.var_string("AWS_PROFILE").as_deref())?,
        )),
        _ => Ok(asked.map(str::to_string)),
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
/// `profile` names one of `[aws.profiles]` (`None`: the default); `purpose`
/// is what they are resolved for when no agent gives them.
pub(super) fn credentials(
    cx: &Context,
    place: &Place,
    envact_bin: &Path,
    what: &'static str,
    purpose: Purpose,
    profile: Option<&str>,
) -> Result<Given, Error> {
    let active = Enclosing::from_vars(|k| cx.var(k));
    let direnv = cx
        .var(crate::app::direnv::ENV_DIRENV)
        .and_then(|v| v.into_string().ok());
    match (active, place) {
        // Under direnv: the environment's background agent.
        (Some(active), Place::Dir(None)) if direnv.is_some() => {
            let direnv = direnv.unwrap_or_default();
            crate::app::direnv::credentials(cx, &active, &direnv, envact_bin, profile)
                .map(Given::from_agent)
        }
        // Inside an activation its agent answers, or no one does: resolving
        // from the current directory could be another project's credentials.
        (Some(active), Place::Dir(None)) => match agent_dir(&active) {
            Some(agent) => {
                crate::credentials::from_agent(cx, &agent, profile).map(Given::from_agent)
            }
            None => Err(Error::NoAgent {
                live: active.is_live(),
                name: active.name,
                dir: active.dir,
            }),
        },
        _ => {
            let (settings, obtained) = super::resolve_at(cx, place, purpose, what, profile)?;
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
/// the command's own, with nothing of envact left in between. `named`: a
/// profile was asked for by name, so none the environment names may bend
/// the command's SDK away from the credentials given.
fn become_command(cx: &Context, command: &[OsString], given: Given, named: bool) -> Error {
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
    if named {
        for name in PROFILE_VARS {
            cmd.env_remove(name);
        }
    }
    for (name, value) in variables(&given.credentials, given.region.as_deref()) {
        cmd.env(name, value.as_str());
    }
    drop(given);
    exec_command(cx, cmd, program)
}

/// The variables that name the profile an SDK uses.
const PROFILE_VARS: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// The command with the profile `name`, and no credentials of its own: its
/// SDK reads the profile from the activation's AWS config file and asks
/// envact (`credential_process`) for it.
fn become_profile(cx: &Context, command: &[OsString], name: &str) -> Error {
    let Some((program, rest)) = command.split_first() else {
        return Error::CommandNotFound {
            program: String::new(),
        };
    };
    let mut cmd = Command::new(program);
    cmd.args(rest);
    cmd.env_remove(crate::secrets::PASSPHRASE_VAR);
    for name in crate::secrets::AWS_KEY_VARS
        .iter()
        .chain(&["AWS_DEFAULT_PROFILE"])
    {
        cmd.env_remove(name);
    }
    cmd.env("AWS_PROFILE", name);
    exec_command(cx, cmd, program)
}

fn exec_command(cx: &Context, mut cmd: Command, program: &OsString) -> Error {
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
