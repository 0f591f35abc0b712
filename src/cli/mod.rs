//! The command line: clap definitions, one module per subcommand, and the one
//! place where errors become messages and exit codes.

mod activate;
mod add;
mod backend;
mod clear;
mod credentials;
mod exec;
mod export;
mod init;
mod list;
mod progress;
mod prompter;
mod remove;
mod setup;
mod status;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

use envact::Error;

/// Activate a project's AWS development environment from `.envact/manifest.toml`.
///
/// envact reads the manifest found in the current directory or a parent, and
/// opens a subshell with the environment's variables, profile and prompt; when
/// that shell exits, everything the activation created is removed.
#[derive(Parser)]
#[command(
    name = "envact",
    version,
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Init(init::Args),
    Activate(activate::Args),
    Exec(exec::Args),
    Add(add::Args),
    Remove(remove::Args),
    List(list::Args),
    Export(export::Args),
    Clear(clear::Args),
    Setup(setup::Args),
    Status(status::Args),
}

/// What a subcommand returns when it did not fail: the exit code.
type Outcome = Result<u8, Error>;

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(args) => init::run(args),
        Command::Activate(args) => activate::run(args),
        Command::Exec(args) => exec::run(args),
        Command::Add(args) => add::run(args),
        Command::Remove(args) => remove::run(args),
        Command::List(args) => list::run(args),
        Command::Export(args) => export::run(args),
        Command::Clear(args) => clear::run(args),
        Command::Setup(args) => setup::run(args),
        Command::Status(args) => status::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report(&err);
            ExitCode::from(err.exit_code())
        }
    }
}

/// `error: what`, the manifest line when there is one, then `help: what to do`.
fn report(err: &Error) {
    let mut out = std::io::stderr().lock();
    let _ = writeln!(out, "error: {err}");
    if let Error::Manifest(m) = err {
        if let Some(snippet) = m.snippet() {
            let _ = writeln!(out, "{snippet}");
        }
    }
    if let Some(help) = err.help() {
        let _ = writeln!(out, "help: {help}");
    }
}

/// The project in `-d DIR`, else the nearest one upward from the current directory.
fn find_project(dir: Option<&std::path::Path>) -> Result<envact::manifest::Project, Error> {
    match dir {
        Some(dir) => Ok(envact::manifest::Project::in_dir(dir)?),
        None => {
            let cwd = std::env::current_dir().map_err(Error::CurrentDir)?;
            Ok(envact::manifest::discover(&cwd)?)
        }
    }
}

/// The manifest, completed with this person's answers (`envact setup`).
fn load_manifest(project: &envact::manifest::Project) -> Result<envact::manifest::Manifest, Error> {
    let mut manifest = envact::manifest::Manifest::load(
        &project.manifest,
        &envact::manifest::dir_name(&project.dir),
    )?;
    envact::config::answers::Answers::load(&answers_path(project))?.apply(&mut manifest)?;
    Ok(manifest)
}

fn answers_path(project: &envact::manifest::Project) -> std::path::PathBuf {
    let dirs = envact::config::Dirs::from_vars(|k| std::env::var_os(k));
    envact::config::answers::Answers::path(
        &dirs,
        &envact::config::environment_id(&project.manifest),
    )
}

/// Exit codes as a u8, 128+N included; anything out of range is reported as 1.
fn exit_byte(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(1)
}
