//! `envact clear`: forget the environment's cached STS credentials.

use envact::context::Context;

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
    let (name, cleared) = envact::app::clear::clear(cx, &args.project.place())?;
    if cleared.agent_stopped {
        eprintln!("stopped the background agent of {name:?} (direnv's)");
    }
    match cleared.forgotten {
        true => eprintln!("forgot the cached STS credentials of {name:?}"),
        false => eprintln!(
            "nothing is cached for {name:?}: persistence.sts_session is off, so sessions last one activation"
        ),
    }
    Ok(0)
}
