//! direnv: `envact hook direnv` (the `use_envact` function), and the two
//! commands it runs behind the scenes, hidden from `--help`: `direnv-load`
//! (what `use envact` exports) and `agent` (an environment's background
//! agent, started by the first command that needs credentials).

use std::io::Read;

use envact::context::Context;

use super::args::ProjectDir;
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  mkdir -p ~/.config/direnv/lib
  envact hook direnv > ~/.config/direnv/lib/envact.sh
  echo 'use envact' > .envrc && envact trust && direnv allow";

/// Print shell code that integrates envact with another tool.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct HookArgs {
    #[command(subcommand)]
    tool: Tool,
}

#[derive(clap::Subcommand)]
enum Tool {
    /// The `use_envact` function for direnv: `use envact` in an .envrc.
    ///
    /// Put it in direnv's lib directory (~/.config/direnv/lib/envact.sh).
    /// Entering the directory then exports the manifest's [vars], ENVACT_*,
    /// and a PATH entry whose `aws` (each `wrap` command) runs through
    /// `envact exec`; in server mode the ECS endpoint and a token file.
    /// Never a credential: direnv copies what it exports everywhere. The
    /// credentials live in a background agent that ends after
    /// [persistence] agent_idle (default 15m) or `envact stop`.
    Direnv,
}

pub fn hook(args: HookArgs) -> Outcome {
    match args.tool {
        Tool::Direnv => out!("{}", envact::app::direnv::hook(&super::envact_bin())),
    }
    Ok(0)
}

/// What `use envact` exports (run by the `use_envact` function).
#[derive(clap::Args)]
pub struct LoadArgs {
    #[command(flatten)]
    project: ProjectDir,
}

pub fn load(args: LoadArgs, cx: &Context) -> Outcome {
    let place = args.project.place();
    let loaded = envact::app::direnv::load(cx, &place, &super::envact_bin()).inspect_err(|_| {
        out!("{}", envact::app::direnv::watch_after_failure(cx, &place));
    })?;
    for note in &loaded.notes {
        eprintln!("envact: {note}");
    }
    out!("{}", loaded.script);
    Ok(0)
}

/// An environment's background agent (started by envact itself).
#[derive(clap::Args)]
pub struct AgentArgs {
    #[command(flatten)]
    project: ProjectDir,
}

/// The largest first-credentials line read from standard input.
const MAX_INITIAL: u64 = 64 * 1024;

pub fn agent(args: AgentArgs, cx: &Context) -> Outcome {
    let mut initial = secrecy::zeroize::Zeroizing::new(String::new());
    let _ = std::io::stdin()
        .take(MAX_INITIAL)
        .read_to_string(&mut initial);
    // SAFETY: nothing so far has started a thread (no spinner, no runtime:
    // the command line starts those only for work that needs them).
    if !unsafe { envact::app::direnv::detach() }.map_err(envact::Error::Agent)? {
        return Ok(0);
    }
    let initial = Some(initial.as_str()).filter(|line| !line.is_empty());
    envact::app::direnv::serve_agent(cx, &args.project.place(), initial)?;
    Ok(0)
}

/// End the background agent that holds an environment's credentials for direnv.
///
/// It also ends by itself after [persistence] agent_idle without a request
/// (default 15m), and with `envact clear`; the credentials it held are wiped.
#[derive(clap::Args)]
#[command(
    after_long_help = "Examples:\n  envact stop                                # the project found from here\n  envact stop -r team/aws"
)]
pub struct StopArgs {
    #[command(flatten)]
    project: ProjectDir,
}

pub fn stop(args: StopArgs, cx: &Context) -> Outcome {
    match envact::app::direnv::stop(cx, &args.project.place())? {
        (name, true) => eprintln!("stopped the background agent of {name:?}"),
        (name, false) => eprintln!("no background agent runs for {name:?}"),
    }
    Ok(0)
}
