//! `envact registry`: the template registries you use.

use envact::context::Context;

use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact registry add team git@github.com:acme/envs.git     # a git repository
  envact registry add team https://git.acme.dev/envs --ref stable
  envact registry add local ~/envs                          # a plain directory
  envact registry list
  envact registry remove team";

/// Add, list or remove the registries your templates come from.
///
/// A registry is a git repository (any URL git understands: https, ssh, a
/// path) or a plain directory; each template is a directory in it holding a
/// manifest.toml. `envact activate -r NAME/TEMPLATE` uses one. They are kept
/// in $XDG_CONFIG_HOME/envact/registries.toml; git is run for fetching, so
/// your SSH keys, credential helpers and proxies apply.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Add a registry (checked first: git must be able to read it).
    Add {
        /// The name templates are named by: NAME/TEMPLATE.
        name: String,
        /// A git URL (https, ssh, a path) or a directory.
        url: String,
        /// The branch (or tag) to follow when a template names none
        /// (default: the repository's own).
        #[arg(long = "ref", value_name = "BRANCH", value_parser = branch)]
        branch: Option<String>,
    },
    /// List your registries.
    List,
    /// Forget a registry (its templates' pins stay in the cache).
    Remove { name: String },
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    match args.action {
        Action::Add { name, url, branch } => {
            envact::app::templates::add_registry(cx, &name, &url, branch)?;
            eprintln!("added the registry {name:?} ({url})");
        }
        Action::List => {
            let registries = envact::app::templates::registries(cx)?;
            if registries.0.is_empty() {
                eprintln!("no registries yet: `envact registry add NAME URL`");
            }
            for (name, r) in registries.0 {
                match r.branch {
                    Some(b) => outln!("{name}\t{}\t{b}", r.url),
                    None => outln!("{name}\t{}", r.url),
                }
            }
        }
        Action::Remove { name } => {
            envact::app::templates::remove_registry(cx, &name)?;
            eprintln!("removed the registry {name:?}");
        }
    }
    Ok(0)
}

/// `--ref`, checked as `@REF` is.
fn branch(value: &str) -> Result<String, String> {
    envact::template::reference::check_ref(value)
        .map(|()| value.to_string())
        .map_err(|e| format!("{value:?} {e}"))
}
