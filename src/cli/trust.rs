//! `envact trust`: approve a manifest's or a template's exact content.

use envact::context::Context;

use super::args::ProjectDir;
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact trust -r team/aws                 # after reading what it does
  envact trust                             # this project's manifest, for direnv's `use envact`
  envact trust -d ~/src/service
  envact trust --revoke -r team/aws        # forget every version of it trusted so far";

/// Trust a template's (or a manifest's) content, showing what it does.
///
/// Nothing of a remote template (its hook, its profile, its variables, its
/// AWS settings) runs before you trust its exact content; on a terminal
/// envact asks at first use and again whenever it changes. Under direnv,
/// which loads without being asked, a local manifest with a hook or a
/// flagged variable needs the same trust (as `direnv allow` does). This
/// trusts the content as it is now, without asking, after printing what it
/// does.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    project: ProjectDir,

    /// Forget every content trusted for it (each version trusted stays
    /// trusted until then): nothing of it runs before it is trusted again.
    #[arg(long)]
    revoke: bool,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    if args.revoke {
        let (source, any) = envact::app::trust::revoke(cx, &args.project.place())?;
        match any {
            true => eprintln!("revoked: nothing of {source} runs before you trust it again"),
            false => eprintln!("{source} was not trusted: nothing to revoke"),
        }
        return Ok(0);
    }
    let (review, source) = envact::app::trust::trust(cx, &args.project.place())?;
    eprint!("{review}");
    eprintln!("trusted: {source} may run as shown");
    Ok(0)
}
