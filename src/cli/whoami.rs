//! `envact whoami`: whose credentials a command run here gets.

use envact::context::Context;

use super::args::{ProfileArg, ProjectDir};
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact whoami                              # inside an activation or a direnv environment
  envact whoami -d ~/src/payments
  envact whoami -r team/aws";

/// Show whose AWS credentials a command run here gets.
///
/// Asks STS (GetCallerIdentity) with exactly the credentials `envact exec`
/// would give a command: the activation's agent, direnv's, or those envact
/// resolves for the project (the cache, then the backend or the sign-in, MFA
/// and roles). Prints the account, the ARN (the assumed role and its session
/// name) and the user id.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    project: ProjectDir,

    #[command(flatten)]
    profile: ProfileArg,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let me = envact::app::whoami::whoami(
        cx,
        &args.project.place(),
        &super::envact_bin(),
        args.profile.profile.as_deref(),
    )?;
    outln!("Account  {}", me.account);
    outln!("Arn      {}", me.arn);
    outln!("UserId   {}", me.user_id);
    Ok(0)
}
