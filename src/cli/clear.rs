//! `envact clear`: forget the environment's cached STS credentials.

use envact::context::Context;
use envact::credentials::Cleared;

use super::args::ProjectDir;
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact clear                               # the project found from here
  envact clear -d ~/src/payments";

/// Forget the cached STS session and role credentials of this environment.
///
/// The next activation or export trades the long-term keys again (asking for
/// an MFA code if the manifest uses one).
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    project: ProjectDir,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    match envact::credentials::clear(cx, &args.project.place())? {
        (name, Cleared::NothingKept) => eprintln!(
            "nothing is cached for {name:?}: persistence.sts_session is off, so sessions last one activation"
        ),
        (name, Cleared::Forgotten) => eprintln!("forgot the cached STS credentials of {name:?}"),
    }
    Ok(0)
}
