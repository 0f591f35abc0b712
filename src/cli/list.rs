//! `envact list`: item names in a backend, never values.

use envact::context::Context;

use super::args::BackendArgs;
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact list                                # the project's backend
  envact list --backend file --vault team";

/// List the items in the secrets backend (names only, never values).
///
/// The backend and vault are the project's manifest's [secrets] (with your
/// answers), or those given here; outside a project, --backend is needed.
/// Nothing secret is read: only the names of the items. On a terminal each
/// is shown with its key's age: when IAM created it (asked once a day when
/// an activation reads the key), else when envact stored it (`envact add`,
/// `envact rotate`); piped, names only, one per line.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    backend: BackendArgs,
}

pub fn run(args: Args, cx: &Context, terminal: &super::terminal::Terminal) -> Outcome {
    let (items, place) = envact::app::items::list(cx, &args.backend.choice())?;
    if items.is_empty() {
        eprintln!("no items in {place}");
    }
    let width = items
        .iter()
        .map(|(i, _)| i.chars().count())
        .max()
        .unwrap_or(0);
    for (item, age) in items {
        match age.filter(|_| terminal.stdout_is_terminal()) {
            Some(age) => outln!("{item:<width$}  key {age}"),
            None => outln!("{item}"),
        }
    }
    Ok(0)
}
