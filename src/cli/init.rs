//! `envact init`: write `.envact/manifest.toml` from a built-in template.

use std::path::PathBuf;

use envact::context::Context;
use envact::template;

use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact init                                # the plain template, in this directory
  envact init --template aws-keyring         # long-term keys in the OS keyring
  envact init --template aws-file            # in an encrypted file: works on any machine
  envact init --template aws-sso             # IAM Identity Center: sign in, no keys
  envact init -d ../payments --force         # replace the manifest of another project
  envact init --template aws-pass --direnv   # and an .envrc with `use envact`
  envact init --direnv -r team/aws           # only the .envrc: `use envact -r team/aws`";

/// Create .envact/manifest.toml from a built-in template.
///
/// The environment is named after the project directory. Templates: plain
/// (default; variables, a hook, aliases), aws-keyring, aws-1password, aws-pass,
/// aws-file (an encrypted file: the one that needs nothing installed),
/// aws-sso (an IAM Identity Center sign-in, no keys).
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

    /// Also write `use envact` into DIR/.envrc, for direnv (added to an
    /// .envrc that is there). See `envact hook direnv`.
    #[arg(long)]
    direnv: bool,

    /// With --direnv: the project uses a team's template
    /// (REGISTRY/TEMPLATE[@REF]); only the .envrc is written.
    #[arg(
        short = 'r',
        long = "remote",
        value_name = "TEMPLATE",
        requires = "direnv"
    )]
    remote: Option<envact::template::TemplateRef>,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    if args.remote.is_none() {
        let done = envact::app::init::init(cx, &args.template, &args.dir, args.force)?;
        outln!(
            "created {} from template {:?} ({})",
            done.path.display(),
            done.template.name,
            done.template.summary
        );
        if let Some(e) = done.not_ready {
            eprintln!("warning: {e}");
            if let Some(help) = e.help() {
                eprintln!("help: {help}");
            }
        }
    }
    if args.direnv {
        use envact::app::direnv::Envrc;
        let (path, change) = envact::app::direnv::write_envrc(&args.dir, args.remote.as_ref())?;
        match change {
            Envrc::Created => outln!("created {}", path.display()),
            Envrc::Appended => outln!("added `use envact` to {}", path.display()),
            Envrc::Unchanged => outln!("{} says `use envact` already", path.display()),
        }
        let trust = match &args.remote {
            Some(tref) => format!("envact trust -r {tref}"),
            None => "envact trust".into(),
        };
        outln!(
            "next: `envact hook direnv > ~/.config/direnv/lib/envact.sh` (once), review the manifest, `{trust}`, then `direnv allow`"
        );
        return Ok(0);
    }
    outln!("next: review it, then run `envact activate`");
    Ok(0)
}
