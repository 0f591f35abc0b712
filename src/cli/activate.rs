//! `envact activate`: a subshell in the environment, or one command in it.

use std::ffi::OsString;
use std::path::PathBuf;

use envact::activation::{Activation, ActiveEnv, Injection};
use envact::aws::export::variables;
use envact::shell::{Invocation, RuntimeDir, Shell};

use super::backend::open_for;
use super::credentials;
use super::{exit_byte, find_project, Outcome};

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
pub struct Args {
    /// Project directory holding .envact/manifest.toml (default: search from the
    /// current directory upward). A template directory with manifest.toml works too.
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: Option<PathBuf>,

    /// Shell to start instead of $SHELL: bash, zsh or fish, by name or path.
    #[arg(long, value_name = "SHELL", env = "ENVACT_SHELL")]
    shell: Option<PathBuf>,

    /// Command to run in the environment instead of an interactive shell.
    #[arg(last = true, value_name = "CMD")]
    command: Vec<OsString>,
}

pub fn run(args: Args) -> Outcome {
    let project = find_project(args.dir.as_deref())?;
    let shell = Shell::detect(args.shell.as_deref(), std::env::var_os("SHELL"))?;
    let invocation = if args.command.is_empty() {
        Invocation::Interactive
    } else {
        Invocation::Command(args.command)
    };
    let runtime_base =
        RuntimeDir::default_base(std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from));
    let active = ActiveEnv::from_vars(|k| std::env::var_os(k));
    let mut activation =
        Activation::prepare(project, shell, invocation, runtime_base, active.as_ref())?;
    match credentials::obtain(&activation.project, &activation.manifest)? {
        Some(obtained) => match activation.injection() {
            Some(Injection::Environment) => {
                activation.inject(variables(&obtained.credentials, obtained.region.as_deref()))
            }
            Some(Injection::NeedsAgent) => eprintln!(
                "warning: the credentials are ready, but this version cannot yet give them to commands in an interactive shell in per-command or server mode (that needs the credential agent); use `envact activate -- CMD`, `envact export`, or inject = \"shell\""
            ),
            Some(Injection::NotWrapped) | None => {}
        },
        // No [aws]: check that the long-term keys can be read, then wipe them.
        None => {
            if let Some(opened) = open_for(&activation.manifest)? {
                let keys = opened.spin("Reading the long-term keys from", |store| {
                    activation.read_long_term_keys(store, &opened.fields)
                })?;
                drop(keys);
            }
        }
    }
    activation.run().map(exit_byte)
}
