//! `envact remove`: delete an item from a backend.

use envact::context::Context;

use super::args::BackendArgs;
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact remove dev
  envact remove old --backend keyring --vault envact";

/// Remove an item (both halves of the key) from the secrets backend.
///
/// The backend and vault are the project's manifest's [secrets] (with your
/// answers), or those given here. Only that item is touched; an item that is
/// not there is an error naming the items that are.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Name of the item to remove.
    item: String,

    #[command(flatten)]
    backend: BackendArgs,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let place = envact::app::items::remove(cx, &args.backend.choice(), &args.item)?;
    eprintln!("removed {:?} from {place}", args.item);
    Ok(0)
}
