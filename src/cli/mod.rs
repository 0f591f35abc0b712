//! The command line: arguments and the terminal only. clap definitions, one
//! module per subcommand, each calling one library function; the terminal
//! ([`terminal`]) checked once and handed to the library as its `Ui`; and
//! the one place where errors become messages and exit codes.

/// `print!` to standard output, ending envact quietly when whoever read
/// it has gone (`envact list | head -1`): see [`out::write`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::out::write(format_args!($($arg)*)) };
}

/// `println!` to standard output, likewise.
macro_rules! outln {
    () => { $crate::cli::out::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::out::write(format_args!("{}\n", format_args!($($arg)*))) };
}

mod activate;
mod add;
mod args;
mod browser;
mod clear;
mod completions;
mod direnv;
mod exec;
mod export;
mod init;
mod list;
mod login;
mod out;
mod pull;
mod push;
mod registry;
mod remove;
mod rotate;
mod setup;
mod status;
mod terminal;
mod trust;
mod whoami;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use envact::context::Context;
use envact::visible;
use envact::Error;

/// Activate a project's AWS development environment from `.envact/manifest.toml`.
///
/// envact reads the manifest found in the current directory or a parent (or a
/// team's template from a registry: `-r team/aws`), and opens a subshell with
/// the environment's variables, profile and prompt; when that shell exits,
/// everything the activation created is removed.
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
    Rotate(rotate::Args),
    List(list::Args),
    Export(export::Args),
    Clear(clear::Args),
    Setup(setup::Args),
    Login(login::Args),
    Logout(login::LogoutArgs),
    Status(status::Args),
    Whoami(whoami::Args),
    Registry(registry::Args),
    Pull(pull::Args),
    Push(push::Args),
    Trust(trust::Args),
    Hook(direnv::HookArgs),
    Stop(direnv::StopArgs),
    Completions(completions::Args),
    #[command(hide = true)]
    Man(completions::ManArgs),
    #[command(hide = true, name = "direnv-load")]
    DirenvLoad(direnv::LoadArgs),
    #[command(hide = true)]
    Agent(direnv::AgentArgs),
}

/// What a subcommand returns when it did not fail: the exit code.
type Outcome = Result<u8, Error>;

pub fn run() -> ExitCode {
    // Run as a shim (`aws`, linked to envact by direnv's `use envact`): the
    // real command, through `envact exec`.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(command) = envact::app::direnv::shim_call(&argv, |k| std::env::var_os(k)) {
        return exec::shim(command);
    }
    let cli = Cli::parse();
    // Before anything holds a secret.
    let (cx, terminal) = context();
    let result = match cli.command {
        Command::Init(args) => init::run(args, &cx),
        Command::Activate(args) => activate::run(args, &cx),
        Command::Exec(args) => exec::run(args, &cx),
        Command::Add(args) => add::run(args, &cx, &terminal),
        Command::Remove(args) => remove::run(args, &cx),
        Command::Rotate(args) => rotate::run(args, &cx),
        Command::List(args) => list::run(args, &cx, &terminal),
        Command::Export(args) => export::run(args, &cx),
        Command::Clear(args) => clear::run(args, &cx),
        Command::Setup(args) => setup::run(args, &cx),
        Command::Login(args) => login::run(args, &cx),
        Command::Logout(args) => login::logout(args, &cx),
        Command::Status(args) => status::run(args, &cx),
        Command::Whoami(args) => whoami::run(args, &cx),
        Command::Registry(args) => registry::run(args, &cx),
        Command::Pull(args) => pull::run(args, &cx),
        Command::Push(args) => push::run(args, &cx),
        Command::Trust(args) => trust::run(args, &cx),
        Command::Hook(args) => direnv::hook(args),
        Command::Stop(args) => direnv::stop(args, &cx),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => completions::man(args),
        Command::DirenvLoad(args) => direnv::load(args, &cx),
        Command::Agent(args) => direnv::agent(args, &cx),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report(&err, terminal.colour);
            ExitCode::from(err.exit_code())
        }
    }
}

/// The context every command runs in: memory protected first (before
/// anything holds a secret), the terminal checked once.
fn context() -> (Context, terminal::Terminal) {
    let core_limit = envact::hardening::protect_memory();
    let terminal = terminal::Terminal::detect();
    let cx = Context::new(|k| std::env::var_os(k), Arc::new(terminal), core_limit);
    (cx, terminal)
}

/// This program, for what runs it again (shims, wrappers, the agent).
fn envact_bin() -> std::path::PathBuf {
    std::env::current_exe().unwrap_or_else(|_| "envact".into())
}

/// `error: what`, the manifest line when there is one, then `help: what to
/// do`; the labels coloured as clap colours its own, when `colour`.
fn report(err: &Error, colour: bool) {
    let paint = |label: &str, style: &str| {
        if colour {
            format!("\x1b[{style}m{label}\x1b[0m")
        } else {
            label.to_string()
        }
    };
    let mut out = std::io::stderr().lock();
    // Errors carry words from elsewhere (a server, git, a template's names):
    // their control characters are shown, never acted on by the terminal.
    let _ = writeln!(
        out,
        "{} {}",
        paint("error:", "1;31"),
        visible::block(&err.to_string())
    );
    if let Error::Manifest(m) = err {
        if let Some(snippet) = m.snippet() {
            let _ = writeln!(out, "{}", visible::block(&snippet));
        }
    }
    if let Some(help) = err.help() {
        let _ = writeln!(out, "{} {}", paint("help:", "1;32"), visible::block(&help));
    }
}

/// Exit codes as a u8, 128+N included; anything out of range is reported as 1.
fn exit_byte(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(1)
}
