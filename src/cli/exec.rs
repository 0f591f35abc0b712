//! `envact exec`: one command with fresh AWS credentials in its environment.

use secrecy::SecretString;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

use envact::activation::ActiveEnv;
use envact::agent::protocol::{fetch, Response, SOCKET};
use envact::aws::export::variables;
use envact::aws::flow::{FlowError, MFA_ATTEMPTS};
use envact::aws::Credentials;
use envact::Error;

use super::credentials::obtain;
use super::{find_project, load_manifest, Outcome};

/// Run one command with fresh AWS credentials in its environment.
///
/// Inside an activation the credentials come from its agent (which refreshes
/// them; you are asked for an MFA code only when the session itself expired).
/// Outside one, envact resolves them itself: the cache, then STS. The command
/// gets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
/// AWS_REGION, AWS_DEFAULT_REGION and AWS_CREDENTIAL_EXPIRATION. envact then
/// becomes the command (exec): its exit code, signals and terminal are its own.
#[derive(clap::Args)]
pub struct Args {
    /// Project directory, outside an activation (default: search upward).
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: Option<PathBuf>,

    /// The command and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<OsString>,
}

pub fn run(args: Args) -> Outcome {
    let agent_dir = ActiveEnv::from_vars(|k| std::env::var_os(k))
        .filter(ActiveEnv::is_live)
        .and_then(|a| a.runtime_dir)
        .filter(|dir| dir.join(SOCKET).exists());
    let (credentials, region) = match (agent_dir, &args.dir) {
        (Some(dir), None) => from_agent(&dir)?,
        _ => {
            let project = find_project(args.dir.as_deref())?;
            let manifest = load_manifest(&project)?;
            let obtained = obtain(&project, &manifest)?.ok_or_else(|| Error::NoAws {
                manifest: project.manifest.clone(),
                what: "give to the command",
            })?;
            (obtained.credentials, obtained.region)
        }
    };

    let (program, rest) = args
        .command
        .split_first()
        .unwrap_or_else(|| unreachable!("clap requires CMD"));
    let mut cmd = Command::new(program);
    cmd.args(rest);
    for (name, value) in variables(&credentials, region.as_deref()) {
        cmd.env(name, value.as_str());
    }
    drop(credentials);
    // envact becomes the command: its exit code, its signals, its terminal are
    // the command's own, with nothing of envact left in between.
    let source = cmd.exec();
    Err(match source.kind() {
        std::io::ErrorKind::NotFound => Error::CommandNotFound {
            program: program.to_string_lossy().into_owned(),
        },
        _ => Error::Spawn {
            program: program.into(),
            source,
        },
    })
}

/// Asks the activation's agent, typing an MFA code when it needs one.
fn from_agent(dir: &std::path::Path) -> Result<(Credentials, Option<String>), Error> {
    let mut code: Option<SecretString> = None;
    for attempt in 1..=MFA_ATTEMPTS + 1 {
        let response = fetch(dir, code.as_ref()).map_err(|e| Error::AgentFailed(e.to_string()))?;
        match response {
            Response::Credentials {
                credentials,
                region,
            } => return Ok((credentials, region)),
            Response::Error { message } => return Err(Error::AgentFailed(message)),
            Response::NeedMfa { serial } if attempt <= MFA_ATTEMPTS => {
                if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
                    return Err(Error::Flow(FlowError::NoMfaSource { serial }));
                }
                if attempt > 1 {
                    eprintln!("that code was rejected (attempt {attempt} of {MFA_ATTEMPTS})");
                }
                let typed = dialoguer::Password::new()
                    .with_prompt(format!("The session expired. MFA code for {serial}"))
                    .interact()
                    .map_err(|e| Error::Flow(FlowError::MfaInput(e.to_string())))?;
                code = Some(SecretString::from(typed.trim()));
            }
            Response::NeedMfa { serial } => {
                return Err(Error::Flow(FlowError::MfaRejected {
                    serial,
                    attempts: MFA_ATTEMPTS,
                }))
            }
        }
    }
    unreachable!("the loop returns")
}
