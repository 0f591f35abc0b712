//! `envact setup`: each person's answers to what the manifest leaves open.

use secrecy::zeroize::Zeroizing;
use secrecy::SecretString;

use envact::app::setup::{setup, show, Flags, Outcome, Request};
use envact::context::Context;
use envact::manifest::{Backend, OpAuth};
use envact::Error;

use super::args::{OneOf, ProjectDir};

const EXAMPLES: &str = "\
Examples:
  envact setup                               # the wizard, on a terminal
  envact setup --show                        # each setting, and where it comes from
  envact setup --item dev --mfa-serial none --yes
  envact setup --op-token-stdin --yes < token-file
  envact setup --reconfigure                 # ask again (or repair a broken answers file)";

/// Answer what the manifest leaves to each person: the first-run wizard.
///
/// On a terminal, envact asks for what the manifest leaves open (backend and
/// how 1Password signs in, vault, item, field names, MFA device, what may be
/// kept between activations), with defaults from your current answers and
/// from this machine (~/.aws/config, op's accounts, the Secret Service, the
/// pass store), checks each answer against the backend, shows a summary, and
/// writes the answers (names and ARNs, never secret values) to
/// $XDG_CONFIG_HOME/envact/envs/ENV-ID.toml, 0600. `envact activate` runs it
/// by itself when something is missing. Ctrl-C or Ctrl-D writes nothing.
///
/// Without a terminal, or with --yes, answers come as flags; missing ones are
/// named. What the manifest itself says always wins.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    project: ProjectDir,

    /// Print the settings in effect and where each comes from.
    #[arg(long, conflicts_with_all = ["reconfigure", "yes"])]
    show: bool,

    /// Ask every question again, the current answers as defaults (with --yes:
    /// start over from the flags alone).
    #[arg(long)]
    reconfigure: bool,

    /// Write the answers without asking for confirmation.
    #[arg(long)]
    yes: bool,

    /// Secrets backend, when the manifest has no [secrets].
    #[arg(long, value_name = "BACKEND", value_parser = OneOf::<Backend>::new())]
    backend: Option<Backend>,

    /// Vault (keyring service, pass prefix, 1Password vault, file name).
    #[arg(long, value_name = "VAULT")]
    vault: Option<String>,

    /// Item holding the keys.
    #[arg(long, value_name = "NAME")]
    item: Option<String>,

    /// A field name inside the item: access_key_id=F, secret_access_key=F or mfa_totp=F.
    #[arg(long = "field", value_name = "NAME=FIELD", value_parser = parse_field)]
    fields: Vec<(String, String)>,

    /// Your MFA device's ARN (`none`: no MFA device).
    #[arg(long, value_name = "ARN")]
    mfa_serial: Option<String>,

    /// How 1Password's op signs in: account (an account added to op on this
    /// device), service-account, or desktop-app.
    #[arg(long, value_name = "METHOD", value_parser = OneOf::<OpAuth>::new())]
    op_auth: Option<OpAuth>,

    /// The 1Password account's sign-in address (my.1password.com), already added to op.
    #[arg(long, value_name = "ADDRESS")]
    op_account: Option<String>,

    /// Read a 1Password service-account token from standard input and keep it
    /// in the OS keyring (implies --op-auth service-account).
    #[arg(long)]
    op_token_stdin: bool,

    /// Keep the 1Password session in the OS keyring between activations.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    persist_backend_session: Option<bool>,

    /// Keep AWS session credentials in the OS keyring until they expire.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    persist_sts_session: Option<bool>,

    /// The IAM Identity Center account to work in, where [aws.sso] leaves it
    /// to you: checked against the accounts your sign-in is assigned.
    #[arg(long, value_name = "ID")]
    sso_account: Option<String>,

    /// The role (permission set) in that account, checked likewise.
    #[arg(long, value_name = "NAME")]
    sso_role: Option<String>,
}

fn parse_field(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| "expected NAME=FIELD, such as access_key_id=username".into())
}

pub fn run(args: Args, cx: &Context) -> super::Outcome {
    if args.show {
        let (path, settings) = show(cx, &args.project.place())?;
        outln!("answers file: {}", path.display());
        for s in settings {
            outln!("{:<28} {:<40} ({})", s.key, s.value, s.source);
        }
        return Ok(0);
    }
    let flags = Flags {
        backend: args.backend,
        vault: args.vault,
        item: args.item,
        fields: args.fields,
        mfa_serial: args.mfa_serial,
        op_auth: args.op_auth,
        op_account: args.op_account,
        op_token: args
            .op_token_stdin
            .then(|| Box::new(read_token) as Box<dyn FnOnce() -> Result<SecretString, Error>>),
        persist_backend_session: args.persist_backend_session,
        persist_sts_session: args.persist_sts_session,
        sso_account: args.sso_account,
        sso_role: args.sso_role,
    };
    let request = Request {
        place: args.project.place(),
        reconfigure: args.reconfigure,
        yes: args.yes,
        flags,
    };
    Ok(match setup(cx, request)? {
        Outcome::Saved => 0,
        Outcome::Unchanged(path) => {
            eprintln!(
                "nothing changed in {} (`envact setup --reconfigure` asks again, `--show` shows the answers)",
                path.display()
            );
            0
        }
        Outcome::Declined => 1,
    })
}

const TOKEN_HELP: &str =
    "write the token on standard input: `envact setup --op-token-stdin --yes < FILE`";

/// The service-account token, one line on standard input.
fn read_token() -> Result<SecretString, Error> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::Input {
            what: "the service-account token",
            reason: e.to_string(),
            help: TOKEN_HELP,
        })?;
    let token = line.trim();
    if token.is_empty() {
        return Err(Error::Input {
            what: "the service-account token",
            reason: "standard input was empty".into(),
            help: TOKEN_HELP,
        });
    }
    Ok(SecretString::from(token))
}
