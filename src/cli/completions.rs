//! What packagers install, generated from the same clap definitions the
//! parser uses: `envact completions SHELL`, and the hidden `envact man --dir
//! DIR` (one page per command).

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::OneOf;
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact completions bash > ~/.local/share/bash-completion/completions/envact
  envact completions zsh > \"${fpath[1]}/_envact\"      # a directory on $fpath
  envact completions fish > ~/.config/fish/completions/envact.fish
  envact completions elvish >> ~/.config/elvish/rc.elv
  envact completions powershell >> $PROFILE";

/// Print the completion script for a shell.
///
/// The script completes subcommands, options and their values (backends,
/// inject modes, export formats). Install it where the shell looks for
/// completions (see the examples), then start a new shell.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_parser = OneOf::<Shell>::new())]
    shell: Shell,
}

pub fn run(args: Args) -> Outcome {
    let mut cmd = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "envact", &mut script);
    super::out::bytes(&script);
    Ok(0)
}

/// Write envact's man pages (for packagers: `envact man --dir man`).
#[derive(clap::Args)]
pub struct ManArgs {
    /// The directory to write envact.1, envact-activate.1, ... into
    /// (created if missing).
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
}

pub fn man(args: ManArgs) -> Outcome {
    let write = |source| envact::Error::Write {
        path: args.dir.clone(),
        source,
    };
    std::fs::create_dir_all(&args.dir).map_err(write)?;
    clap_mangen::generate_to(super::Cli::command(), &args.dir).map_err(write)?;
    Ok(0)
}
