//! `envact activate`: a subshell in the environment, or one command in it.

use std::ffi::OsString;
use std::path::PathBuf;

use envact::app::activate::{activate, Request};
use envact::context::Context;
use envact::manifest::InjectMode;
use envact::shell::Invocation;
use envact::Error;

use super::args::{OneOf, ProjectDir};
use super::{exit_byte, Outcome};

const EXAMPLES: &str = "\
Examples:
  envact activate                            # a subshell; `exit` ends the activation
  envact activate -- aws s3 ls               # one command, as if typed at the prompt
  envact activate --inject server            # no keys in any environment: the ECS endpoint
  envact activate -d ~/src/payments --shell zsh";

/// Open a subshell in the project's environment, or run one command in it.
///
/// The shell is $SHELL (bash, zsh or fish). It reads your own rc files, then the
/// manifest's [vars] and [profile]; [hook] on-activate runs once before it starts,
/// and the prompt shows the environment's name. When the shell exits, or envact
/// gets SIGHUP, SIGTERM or SIGINT, the activation's runtime directory is removed.
///
/// With `-- CMD ARGS...` the command runs as if typed at the activated prompt,
/// and envact exits with its exit code (128+N if it died by signal N).
/// Activating inside an active environment is refused.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    project: ProjectDir,

    /// Shell to start instead of $SHELL: bash, zsh or fish, by name or path.
    #[arg(long, value_name = "SHELL", env = "ENVACT_SHELL")]
    shell: Option<PathBuf>,

    /// How credentials reach commands, for this activation only: per-command
    /// (wrapped commands only), shell (exported into the shell) or server (a
    /// loopback ECS credentials endpoint; no keys in any environment).
    #[arg(long, value_name = "MODE", value_parser = OneOf::<InjectMode>::new())]
    inject: Option<InjectMode>,

    /// Command to run in the environment instead of an interactive shell.
    #[arg(last = true, value_name = "CMD")]
    command: Vec<OsString>,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let invocation = if args.command.is_empty() {
        Invocation::Interactive
    } else {
        Invocation::Command(args.command)
    };
    let request = Request {
        place: args.project.place(),
        shell: args.shell,
        inject: args.inject,
        invocation,
        envact_bin: std::env::current_exe().map_err(Error::Agent)?,
    };
    activate(cx, request).map(exit_byte)
}
