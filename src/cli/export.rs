//! `envact export`: the environment's AWS credentials for other tools.

use std::io::Write;
use std::path::PathBuf;

use envact::aws::export::{render, Format};
use envact::Error;

use super::credentials::obtain;
use super::{find_project, load_manifest, Outcome};

/// Print the environment's short-lived AWS credentials.
///
/// Uses cached credentials while they have more than the refresh margin left,
/// else trades the long-term keys from the backend for new ones (MFA and roles
/// as the manifest and ~/.aws/config say). For the AWS CLI and SDKs, in
/// ~/.aws/config:
///
///     [profile dev]
///     credential_process = envact export -d /path/to/project --format credential-process
#[derive(clap::Args)]
pub struct Args {
    /// Project directory (default: search from the current directory upward).
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: Option<PathBuf>,

    /// env: `export` lines for a shell; json; credential-process: the AWS
    /// credential_process JSON (Version 1, with Expiration).
    #[arg(long, value_name = "FORMAT", value_parser = ["env", "json", "credential-process"])]
    format: String,
}

pub fn run(args: Args) -> Outcome {
    let format = match args.format.as_str() {
        "env" => Format::Env,
        "json" => Format::Json,
        _ => Format::CredentialProcess,
    };
    let project = find_project(args.dir.as_deref())?;
    let manifest = load_manifest(&project)?;
    let obtained = obtain(&project, &manifest)?.ok_or_else(|| Error::NoAws {
        manifest: project.manifest.clone(),
        what: "export",
    })?;
    let text = render(&obtained.credentials, obtained.region.as_deref(), format);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Write {
            path: "standard output".into(),
            source,
        })?;
    Ok(0)
}
