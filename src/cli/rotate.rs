//! `envact rotate`: replace the long-term key with a new one.

use std::time::Duration;

use envact::context::Context;

use super::args::ProjectDir;
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact rotate                              # the manifest's item
  envact rotate dev --wait 2m
  envact rotate -r team/aws";

/// Replace the long-term AWS key with a new one of the same IAM user.
///
/// With the current key (through an MFA session when the environment has an
/// MFA device: the code from the item's TOTP field when it has one, else
/// asked), envact creates a new key (CreateAccessKey), stores it in the
/// backend in place of the old one (the item's other fields kept), waits
/// until IAM accepts it, then deletes the old key (DeleteAccessKey). Any
/// failure before that puts the old key back and deletes the new one: one
/// stored key works at every moment. Kept STS sessions are forgotten; a
/// running agent keeps its credentials until they expire.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The backend item holding the key (default: the manifest's).
    #[arg(value_name = "ITEM")]
    item: Option<String>,

    #[command(flatten)]
    project: ProjectDir,

    /// How long IAM is given to accept the new key.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = humantime::parse_duration)]
    wait: Duration,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let done =
        envact::app::rotate::rotate(cx, &args.project.place(), args.item.as_deref(), args.wait)?;
    eprintln!(
        "rotated {}: the new key (…{}) is stored in {} and works; the old key (…{}) is deleted",
        done.item, done.new, done.store, done.old
    );
    Ok(0)
}
