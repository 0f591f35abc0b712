//! `envact trust`: approve a template's exact content.

use envact::context::Context;
use envact::template::TemplateRef;

use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact trust -r team/aws                 # after reading what it does";

/// Trust a template's content, showing what it does.
///
/// Nothing of a remote template (its hook, its profile, its variables, its
/// AWS settings) runs before you trust its exact content; on a terminal
/// envact asks at first use and again whenever it changes. This trusts the
/// pinned content without asking, for scripts and CI, after printing what
/// it does.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The template: REGISTRY/TEMPLATE[@REF].
    #[arg(short = 'r', long = "remote", value_name = "TEMPLATE")]
    remote: TemplateRef,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let review = envact::remote::trust(cx, &args.remote)?;
    eprint!("{review}");
    eprintln!("trusted: {} may run as shown", args.remote.name());
    Ok(0)
}
