//! `envact push`: a project's manifest committed into a registry as a template.

use std::path::PathBuf;

use envact::context::Context;
use envact::template::TemplateRef;

use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact pull --copy team/aws && $EDITOR .envact/manifest.toml
  envact push -r team/aws                  # the edited manifest becomes team/aws
  envact push -r team/aws -d ~/src/service";

/// Commit a project's manifest into a registry as a template, and push it.
///
/// The manifest in DIR/.envact/ (checked first, as `activate` would) becomes
/// the template's manifest.toml in one commit on top of your pin of the
/// template, pushed with your git credentials; your pin moves to it. When
/// someone pushed since your pin, nothing is pushed: `envact pull -r` shows
/// what changed, and you push again once your manifest has it. Into an
/// empty registry (a new repository), the push is its first commit.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The template to write: REGISTRY/TEMPLATE[@BRANCH].
    #[arg(short = 'r', long = "remote", value_name = "TEMPLATE")]
    remote: TemplateRef,

    /// The project whose manifest is pushed (default: the one found from
    /// the current directory upward).
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let pushed = envact::app::templates::push(cx, &args.remote, args.dir.as_deref())?;
    let before = pushed.before.as_deref().unwrap_or("an empty registry");
    match &pushed.after {
        Some(after) => eprintln!(
            "pushed {}: {before} -> {after} (your pin moved with it{})",
            args.remote,
            match pushed.trusted {
                true => ", and what you pushed is trusted",
                false =>
                    "; trust it with `envact trust -r` once you have read the rest of the template",
            }
        ),
        None => eprintln!(
            "nothing to push: {} at {before} has this manifest already",
            args.remote
        ),
    }
    Ok(0)
}
