//! `envact pull`: move a template's pin, or copy it into a project.

use std::path::PathBuf;

use envact::context::Context;
use envact::template::TemplateRef;

use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact pull -r team/aws                  # fetch, show what changed, move the pin
  envact pull --copy team/aws              # .envact/manifest.toml here, from the template
  envact pull --copy team/aws -d ~/src/new-service";

/// Fetch a template anew and move its pin, showing what changed.
///
/// Activations use a template's pin without touching the network; `pull`
/// is how a new version arrives: the registry is fetched, the manifest's
/// diff shown, and the pin moved (trust is asked again if the content
/// changed). With --copy the template is written into DIR/.envact/ as a
/// local manifest instead, noting where it came from.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The template whose pin moves: REGISTRY/TEMPLATE[@REF].
    #[arg(
        short = 'r',
        long = "remote",
        value_name = "TEMPLATE",
        conflicts_with = "copy",
        required_unless_present = "copy"
    )]
    remote: Option<TemplateRef>,

    /// Copy the template into a project as its own manifest.
    #[arg(long, value_name = "TEMPLATE")]
    copy: Option<TemplateRef>,

    /// With --copy: the project directory (default: the current directory).
    #[arg(short = 'd', long = "dir", value_name = "DIR", requires = "copy")]
    dir: Option<PathBuf>,

    /// With --copy: replace an existing manifest.
    #[arg(long, requires = "copy")]
    force: bool,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    if let Some(tref) = &args.copy {
        let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
        let path = envact::app::templates::copy(cx, tref, &dir, args.force)?;
        outln!("created {} from {tref}", path.display());
        return Ok(0);
    }
    let Some(tref) = &args.remote else {
        unreachable!("clap requires -r or --copy");
    };
    let pulled = envact::app::templates::pull(cx, tref)?;
    match &pulled.before {
        Some(before) if *before == pulled.after => {
            eprintln!("{tref} is at {} already: nothing changed", pulled.after)
        }
        Some(before) => {
            eprintln!("{tref}: {before} -> {}", pulled.after);
            out!("{}", pulled.diff);
        }
        None => eprintln!("{tref} pinned at {}", pulled.after),
    }
    Ok(0)
}
