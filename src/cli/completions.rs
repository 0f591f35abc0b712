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

/// Write envact's man pages, one per command.
///
/// Without --dir they go beside this envact, in ../share/man/man1 (for
/// `cargo install`: ~/.cargo/share/man/man1), where `man` looks for the
/// commands on your PATH; envact says when `man` will not look where they
/// went, and how to make it.
#[derive(clap::Args)]
pub struct ManArgs {
    /// The directory to write envact.1, envact-activate.1, ... into
    /// (created if missing).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn man(args: ManArgs) -> Outcome {
    let dir = match args.dir {
        Some(dir) => dir,
        None => beside_this_envact()?,
    };
    let write = |source| envact::Error::Write {
        path: dir.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(write)?;
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let written = pages(&cmd, &dir).map_err(write)?;
    eprintln!("wrote {written} man pages to {}", dir.display());
    // man-db and mandoc look in MANPATH, and beside each directory on PATH.
    let section_root = dir.parent().unwrap_or(&dir);
    let searched = std::process::Command::new("manpath")
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string());
    if let Some(searched) = searched {
        let root = section_root.canonicalize().unwrap_or(section_root.into());
        let found =
            std::env::split_paths(&searched).any(|p| p.canonicalize().is_ok_and(|p| p == root));
        if !found {
            eprintln!(
                "note: man does not look in {0}: add `export MANPATH=\"{0}:\"` to your shell's rc file (the trailing colon keeps man's own places)",
                root.display()
            );
        }
    }
    Ok(0)
}

/// `../share/man/man1` from the directory this envact is in.
fn beside_this_envact() -> Result<PathBuf, envact::Error> {
    let exe = std::env::current_exe().map_err(|source| envact::Error::Write {
        path: "envact".into(),
        source,
    })?;
    let bin = exe.parent().unwrap_or(std::path::Path::new("."));
    Ok(bin.join("../share/man/man1"))
}

/// Writes the page of `cmd` and of each of its (visible) subcommands;
/// returns how many.
fn pages(cmd: &clap::Command, dir: &std::path::Path) -> std::io::Result<usize> {
    let mut written = 0;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        written += pages(sub, dir)?;
    }
    let with_synopsis = cmd.clone().override_usage(synopsis(cmd));
    clap_mangen::Man::new(with_synopsis).generate_to(dir)?;
    Ok(written + 1)
}

/// The synopsis with each option's value name (`[-d|--dir DIR]`), which
/// clap_mangen's own leaves out.
fn synopsis(cmd: &clap::Command) -> String {
    let mut parts = vec![cmd.get_bin_name().unwrap_or(cmd.get_name()).to_string()];
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let value = || {
            arg.get_value_names()
                .map(|v| v.join(" "))
                .unwrap_or_else(|| arg.get_id().as_str().to_uppercase())
        };
        let piece = if arg.is_positional() {
            let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
            let value = format!("{}{}", value(), if many { "..." } else { "" });
            match arg.is_last_set() {
                true => format!("-- {value}"),
                false => value,
            }
        } else {
            let flag = match (arg.get_short(), arg.get_long()) {
                (Some(s), Some(l)) => format!("-{s}|--{l}"),
                (Some(s), None) => format!("-{s}"),
                (None, Some(l)) => format!("--{l}"),
                (None, None) => continue,
            };
            match arg.get_action().takes_values() {
                true => format!("{flag} {}", value()),
                false => flag,
            }
        };
        parts.push(match arg.is_required_set() {
            true => piece,
            false => format!("[{piece}]"),
        });
    }
    if cmd.has_subcommands() {
        parts.push("<COMMAND>".into());
    }
    parts.join(" ")
}
