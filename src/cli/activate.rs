//! `envact activate`: a subshell in the environment, or one command in it.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use envact::activation::{Activation, ActiveEnv, AgentStarter};
use envact::agent::{Agent, Refresh, RefreshError};
use envact::aws::export::variables;
use envact::aws::flow::FlowError;
use envact::aws::Credentials;
use envact::config::answers::Answers;
use envact::manifest::InjectMode;
use envact::shell::{Invocation, RuntimeDir, Shell};
use envact::wizard::needs_answers;
use envact::Error;
use secrecy::SecretString;

use super::backend::open_for;
use super::credentials::{Mfa, Resolver};
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

    /// How credentials reach commands, for this activation only: per-command
    /// (wrapped commands only), shell (exported into the shell) or server (a
    /// loopback ECS credentials endpoint; no keys in any environment).
    #[arg(long, value_name = "MODE", value_parser = ["per-command", "shell", "server"])]
    inject: Option<String>,

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
    // First run: what the manifest leaves to this person is asked now, on a
    // terminal; without one, the flags that would answer it are named.
    let answers_file = super::answers_path(&activation.project);
    let mut answers = Answers::load(&answers_file)?;
    if needs_answers(&activation.manifest, &answers) {
        let on_terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        if !on_terminal {
            return Err(Error::Unanswered {
                manifest: activation.project.manifest.clone(),
                flags: answers.missing_flags(&activation.manifest),
            });
        }
        answers = match super::setup::ask_and_save(
            &activation.project,
            &activation.manifest,
            answers,
            &answers_file,
        )? {
            Some(saved) => saved,
            None => return Ok(1),
        };
    }
    answers.apply(&mut activation.manifest)?;
    if let Some(mode) = args.inject.as_deref() {
        let mode = match mode {
            "shell" => InjectMode::Shell,
            "server" => InjectMode::Server,
            _ => InjectMode::PerCommand,
        };
        match activation.manifest.aws.as_mut() {
            Some(aws) => aws.inject = mode,
            None => {
                return Err(Error::NoAws {
                    manifest: activation.project.manifest.clone(),
                    what: "inject",
                })
            }
        }
    }
    match Resolver::new(&activation.project, &activation.manifest, true)? {
        Some(resolver) => {
            let obtained = resolver.resolve(Mfa::Terminal)?;
            let aws = activation
                .manifest
                .aws
                .clone()
                .unwrap_or_else(|| unreachable!("a resolver means [aws]"));
            match aws.inject {
                InjectMode::Shell => {
                    activation.inject(variables(&obtained.credentials, obtained.region.as_deref()))
                }
                mode => {
                    let margin = resolver.margin;
                    let serve_ecs = mode == InjectMode::Server;
                    let start: AgentStarter = Box::new(move |dir| {
                        Agent::start(
                            dir,
                            obtained.credentials,
                            obtained.region,
                            margin,
                            Box::new(AgentRefresh(resolver)),
                            serve_ecs,
                        )
                        .map_err(Error::Agent)
                    });
                    let wrappers = if serve_ecs {
                        Vec::new()
                    } else {
                        aws.wrap.clone()
                    };
                    let bin = std::env::current_exe().map_err(Error::Agent)?;
                    activation.serve(start, bin, wrappers);
                }
            }
        }
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

/// The agent refreshes through the same resolver, with a code from `envact exec`.
struct AgentRefresh(Resolver);

impl Refresh for AgentRefresh {
    fn refresh(&mut self, mfa_code: Option<&SecretString>) -> Result<Credentials, RefreshError> {
        match self.0.resolve(Mfa::Given(mfa_code)) {
            Ok(obtained) => Ok(obtained.credentials),
            Err(Error::Flow(FlowError::NoMfaSource { serial })) => {
                Err(RefreshError::NeedMfa(serial))
            }
            Err(e) => Err(RefreshError::Failed(match e.help() {
                Some(help) => format!("{e} ({help})"),
                None => e.to_string(),
            })),
        }
    }
}
