//! `envact remove`: delete an item from a backend.

use envact::context::Context;

use super::args::BackendArgs;
use super::Outcome;

/// Remove an item (both halves of the key) from the secrets backend.
#[derive(clap::Args)]
pub struct Args {
    /// Name of the item to remove.
    item: String,

    #[command(flatten)]
    backend: BackendArgs,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let place = envact::keys::remove(cx, &args.backend.choice(), &args.item)?;
    eprintln!("removed {:?} from {place}", args.item);
    Ok(0)
}
