//! `envact init`: write `.envact/manifest.toml` from a built-in template.

use std::path::PathBuf;

use envact::template;

use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact init                                # the plain template, in this directory
  envact init --template aws-keyring         # long-term keys in the OS keyring
  envact init -d ../payments --force         # replace the manifest of another project";

/// Create .envact/manifest.toml from a built-in template.
///
/// The environment is named after the project directory. Templates: plain
/// (default; variables, a hook, aliases), aws-keyring, aws-1password, aws-pass.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Built-in template to start from.
    #[arg(long, short, value_name = "NAME", default_value = template::DEFAULT,
          value_parser = clap::builder::PossibleValuesParser::new(template::BUILTIN.map(|t| t.name)))]
    template: String,

    /// Project directory to initialise.
    #[arg(short = 'd', long = "dir", value_name = "DIR", default_value = ".")]
    dir: PathBuf,

    /// Replace an existing manifest.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> Outcome {
    let template = template::find(&args.template)?;
    let path = template.write_into(&args.dir, args.force)?;
    println!(
        "created {} from template {:?} ({})",
        path.display(),
        template.name,
        template.summary
    );
    println!("next: review it, then run `envact activate`");
    Ok(0)
}
