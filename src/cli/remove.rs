//! `envact remove`: delete an item from a backend.

use super::backend::BackendArgs;
use super::Outcome;

/// Remove an item (both halves of the key) from the secrets backend.
#[derive(clap::Args)]
pub struct Args {
    /// Name of the item to remove.
    item: String,

    #[command(flatten)]
    backend: BackendArgs,
}

pub fn run(args: Args) -> Outcome {
    let opened = args.backend.open()?;
    let place = opened.store.describe();
    opened.spin(&format!("Removing {} from", args.item), |store| {
        store.remove_item(&args.item)
    })?;
    eprintln!("removed {:?} from {place}", args.item);
    Ok(0)
}
