//! `envact status`: which environment this shell is in.

use envact::activation::{status, Status};
use envact::context::Context;

use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact status                              # exit 0 inside an activation, 1 outside
  envact status || envact activate";

/// Show the environment active in this shell (exit 1 when none is).
///
/// Inside an activation: its name, directory and manifest, the credentials
/// it gives (role or profile, account, until when, how they reach commands),
/// and what is kept in the session cache, until when. Variables left over
/// from an activation that has ended are recognised as such.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {}

pub fn run(_args: Args, cx: &Context) -> Outcome {
    match status(cx) {
        Status::Active { env, gives, kept } => {
            println!("environment: {}", env.name);
            println!("directory:   {}", env.dir.display());
            if let Some(manifest) = &env.manifest {
                println!("manifest:    {}", manifest.display());
            }
            if let Some(gives) = gives {
                println!("credentials: {}", gives.credentials);
                if let Some(until) = &gives.expires {
                    println!("until:       {until}");
                }
                println!("given:       {}", gives.inject);
            }
            for (what, until) in kept {
                println!("cached:      {what}, until {}", envact::aws::rfc3339(until));
            }
            Ok(0)
        }
        Status::Ended(env) => {
            println!(
                "no environment is active: ENVACT_ENV={:?} is left over from an activation that has ended",
                env.name
            );
            Ok(1)
        }
        Status::None => {
            println!("no envact environment is active in this shell");
            Ok(1)
        }
    }
}
