//! `envact list`: item names in a backend, never values.

use envact::context::Context;

use super::args::BackendArgs;
use super::Outcome;

/// List the items in the secrets backend (names only, never values).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    backend: BackendArgs,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let (items, place) = envact::keys::list(cx, &args.backend.choice())?;
    if items.is_empty() {
        eprintln!("no items in {place}");
    }
    for item in items {
        println!("{item}");
    }
    Ok(0)
}
