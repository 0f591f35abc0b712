//! `envact pull`: move a template's pin, or copy it into a project.

use std::path::PathBuf;

use envact::context::Context;
use envact::template::TemplateRef;

use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact pull -r team/aws                  # fetch, show what changed, move the pin
  envact pull                              # in a project with [include]: each template it includes
  envact pull --include team/aws           # one of them
  envact pull --copy team/aws              # .envact/manifest.toml here, from the template
  envact pull --copy team/aws -d ~/src/new-service";

/// Fetch a template anew and move its pin, showing what changed.
///
/// Activations use a template's pin without touching the network; `pull`
/// is how a new version arrives: the registry is fetched, the manifest's
/// diff shown, and the pin moved (trust is asked again if the content
/// changed). Without -r, in a project whose manifest has [include], the
/// pins of the templates it includes move (--include: one of them). With
/// --copy the template is written into DIR/.envact/ as a local manifest
/// instead, noting where it came from.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The template whose pin moves: REGISTRY/TEMPLATE[@REF].
    #[arg(
        short = 'r',
        long = "remote",
        value_name = "TEMPLATE",
        conflicts_with_all = ["copy", "include"]
    )]
    remote: Option<TemplateRef>,

    /// In a project with [include]: only this included template.
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "copy")]
    include: Option<String>,

    /// Copy the template into a project as its own manifest.
    #[arg(long, value_name = "TEMPLATE")]
    copy: Option<TemplateRef>,

    /// The project directory (default: the current directory, or for
    /// includes the project found upward).
    #[arg(
        short = 'd',
        long = "dir",
        value_name = "DIR",
        conflicts_with = "remote"
    )]
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
    let pulled = match &args.remote {
        Some(tref) => vec![(tref.clone(), envact::app::templates::pull(cx, tref)?)],
        None => {
            envact::app::templates::pull_includes(cx, args.dir.as_deref(), args.include.as_deref())?
        }
    };
    for (tref, pulled) in pulled {
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
    }
    Ok(0)
}
