//! `envact exec`: one command with fresh AWS credentials in its environment.

use std::ffi::OsString;

use envact::context::Context;

use super::args::{ProfileArg, ProjectDir};
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact exec -- terraform plan              # inside an activation: the agent's credentials
  envact exec -d ~/src/payments -- aws sts get-caller-identity
  envact exec -p prod -- terraform plan      # a profile of [aws.profiles]";

/// Run one command with fresh AWS credentials in its environment.
///
/// Inside an activation the credentials come from its agent (which refreshes
/// them; you are asked for an MFA code only when the session itself expired);
/// under direnv's `use envact`, from the environment's background agent,
/// started here when none runs. Outside both, or with -d, envact resolves
/// them itself: the cache, then STS.
/// The command gets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
/// AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION and
/// AWS_CREDENTIAL_EXPIRATION. envact then becomes the command (exec): its exit
/// code, signals and terminal are its own.
///
/// In an environment with [aws.profiles], inside its activation, the command
/// gets AWS_PROFILE (the -p profile, else the one already set, else the
/// default) and the activation's AWS config file instead of keys: every SDK
/// then asks envact for the profile it uses.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    project: ProjectDir,

    #[command(flatten)]
    profile: ProfileArg,

    /// The command and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<OsString>,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let bin = super::envact_bin();
    Err(envact::app::exec::exec(
        cx,
        &args.project.place(),
        &args.command,
        &bin,
        args.profile.profile.as_deref(),
    ))
}

/// A shim's command, run as `envact exec -- COMMAND` would run it.
pub fn shim(command: Vec<OsString>) -> std::process::ExitCode {
    let (cx, terminal) = super::context();
    let place = envact::context::Place::Dir(None);
    let err = envact::app::exec::exec(&cx, &place, &command, &super::envact_bin(), None);
    super::report(&err, terminal.colour);
    std::process::ExitCode::from(err.exit_code())
}
