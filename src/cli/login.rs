//! `envact login` and `envact logout`: the IAM Identity Center sign-in.

use std::time::SystemTime;

use envact::aws::sso::sign_in::Had;
use envact::context::Context;

use super::args::ProjectDir;
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact login                       # the project found from here
  envact login -r team/aws           # a team's template
  envact login --no-browser          # print the address, open it on any device
  envact logout";

/// Sign in to the environment's IAM Identity Center (its [aws.sso]).
///
/// A cached token is used while it is good, then its refresh token; only
/// when neither works is a new sign-in started: envact prints an address
/// and a code, opens the browser there ($BROWSER, else xdg-open or open),
/// and waits while you approve. The token goes to ~/.aws/sso/cache, which
/// the AWS CLI and SDKs share: one sign-in serves them all. Activation,
/// exec and export sign in by themselves on a terminal; elsewhere they ask
/// for `envact login`.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    project: ProjectDir,

    /// Print the address and the code only; open no browser.
    #[arg(long)]
    no_browser: bool,
}

pub fn run(args: Args, cx: &Context) -> Outcome {
    let signed = envact::app::login::login(cx, &args.project.place(), !args.no_browser)?;
    let how = match signed.had {
        Had::Cached => "already signed in",
        Had::Refreshed => "sign-in renewed",
        Had::SignedIn => "signed in",
    };
    eprintln!(
        "{how} to {} until {} (the AWS CLI and SDKs share it: {})",
        signed.start_url,
        until(signed.expires_at),
        signed.cache.display()
    );
    Ok(0)
}

/// Sign out of the environment's IAM Identity Center.
///
/// Ends the session at the portal and removes the cached token, for
/// envact and for the AWS tools that share it.
#[derive(clap::Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    project: ProjectDir,
}

pub fn logout(args: LogoutArgs, cx: &Context) -> Outcome {
    match envact::app::login::logout(cx, &args.project.place())? {
        Some(start_url) => eprintln!("signed out of {start_url}"),
        None => eprintln!("not signed in: nothing to sign out of"),
    }
    Ok(0)
}

/// A time as the person reads it: UTC, to the minute.
fn until(at: SystemTime) -> String {
    let text = humantime::format_rfc3339_seconds(at).to_string();
    // 2026-12-01T15:04:05Z -> 2026-12-01 15:04 UTC
    match (text.get(..10), text.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => text,
    }
}
