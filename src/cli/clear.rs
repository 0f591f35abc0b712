//! `envact clear`: forget the environment's cached STS credentials.

use std::path::PathBuf;

use envact::aws::cache::{KeyringCache, STS_SERVICE};
use envact::config::environment_id;
use envact::secrets::{keyring_kind, KeyringStore};

use super::{find_project, load_manifest, Outcome};

/// Forget the cached STS session and role credentials of this environment.
///
/// The next activation or export trades the long-term keys again (asking for
/// an MFA code if the manifest uses one).
#[derive(clap::Args)]
pub struct Args {
    /// Project directory (default: search from the current directory upward).
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn run(args: Args) -> Outcome {
    let project = find_project(args.dir.as_deref())?;
    let manifest = load_manifest(&project)?;
    if !manifest.persistence.keep_sts_session() {
        eprintln!(
            "nothing is cached for {:?}: persistence.sts_session is off, so sessions last one activation",
            manifest.name
        );
        return Ok(0);
    }
    let store = KeyringStore::new(
        keyring_kind(&|k: &str| std::env::var_os(k))?,
        Some(STS_SERVICE),
    );
    KeyringCache::new(store, &environment_id(&project.manifest), "").clear()?;
    eprintln!("forgot the cached STS credentials of {:?}", manifest.name);
    Ok(0)
}
