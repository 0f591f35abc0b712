//! `envact export`: the environment's AWS credentials for other tools.

use envact::aws::export::Format;
use envact::context::Context;

use super::args::{OneOf, ProfileArg, ProjectDir};
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact export --format env                 # `export AWS_...` lines, for `eval`
  envact export --format json
  envact export -p prod --format json        # a profile of [aws.profiles]

For the AWS CLI and SDKs, in ~/.aws/config:

  [profile dev]
  credential_process = envact export -d /path/to/project --format credential-process";

/// Print the environment's short-lived AWS credentials.
///
/// Inside an activation or a direnv environment, asks its agent. Elsewhere
/// uses cached credentials while they have more than the refresh margin left,
/// else trades the long-term keys from the backend for new ones (MFA and roles
/// as the manifest and ~/.aws/config say). The AWS CLI and SDKs can run it as
/// a profile's credential_process (see the example below).
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    project: ProjectDir,

    #[command(flatten)]
    profile: ProfileArg,

    /// env: `export` lines for a shell; json; credential-process: the AWS
    /// credential_process JSON (Version 1, with Expiration).
    #[arg(long, value_name = "FORMAT", value_parser = OneOf::<Format>::new())]
    format: Format,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let text = envact::app::export::export(
        cx,
        &args.project.place(),
        args.format,
        args.profile.profile.as_deref(),
        &super::envact_bin(),
    )?;
    super::out::bytes(text.as_bytes());
    Ok(0)
}
