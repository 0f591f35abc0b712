//! `envact list`: item names in a backend, never values.

use super::backend::BackendArgs;
use super::Outcome;

/// List the items in the secrets backend (names only, never values).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    backend: BackendArgs,
}

pub fn run(args: Args) -> Outcome {
    let opened = args.backend.open()?;
    let place = opened.store.describe();
    let items = opened.spin("Listing", |store| store.list_items())?;
    if items.is_empty() {
        eprintln!("no items in {place}");
    }
    for item in items {
        println!("{item}");
    }
    Ok(0)
}
