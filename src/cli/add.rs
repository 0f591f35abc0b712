//! `envact add`: store long-term AWS keys in a backend.

use secrecy::zeroize::Zeroizing;
use secrecy::SecretString;
use std::io::BufRead;

use envact::aws::LongTermKeys;
use envact::context::Context;
use envact::ui::{AskError, Ui};
use envact::Error;

use super::args::BackendArgs;
use super::terminal::Terminal;
use super::Outcome;

const EXAMPLES: &str = "\
Examples:
  envact add dev                             # the key id (shown), then the secret (hidden)
  envact add dev --stdin < keys.txt          # two lines: the key id, then the secret
  envact add ci --backend pass --vault aws   # outside a project: name the backend";

/// Store an AWS access key (id and secret) in the secrets backend.
///
/// Asks for both values with hidden input, or reads them from stdin, one per
/// line, with --stdin. The backend, vault and field names come from the
/// project's manifest unless given here. An existing item of that name is
/// replaced; if storing fails, what was stored before is left as it was.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Name of the item to store the keys as.
    item: String,

    #[command(flatten)]
    backend: BackendArgs,

    /// Read the access key id and the secret access key from stdin, one per line.
    #[arg(long)]
    stdin: bool,
}

pub fn run(args: Args, cx: &Context, terminal: &Terminal) -> Outcome {
    let from_stdin = args.stdin;
    let place = envact::app::items::add(cx, &args.backend.choice(), &args.item, || {
        if from_stdin {
            read_stdin()
        } else {
            ask(terminal)
        }
    })?;
    eprintln!("stored the access key as {:?} in {place}", args.item);
    Ok(0)
}

const TERMINAL_HELP: &str = "run it in a terminal, or pass --stdin and write the access key id and the secret access key on two lines";
const STDIN_HELP: &str =
    "write the access key id and the secret access key on two lines of standard input";

fn input_error(what: &'static str, reason: String) -> Error {
    Error::Input {
        what,
        reason,
        help: TERMINAL_HELP,
    }
}

fn read_stdin() -> Result<LongTermKeys, Error> {
    let mut lines = std::io::stdin().lock();
    let mut read = |what: &'static str| -> Result<SecretString, Error> {
        let mut line = Zeroizing::new(String::new());
        let failed = |reason: String| Error::Input {
            what,
            reason,
            help: STDIN_HELP,
        };
        match lines.read_line(&mut line) {
            Ok(0) => Err(failed("stdin ended before it".into())),
            Ok(_) => Ok(SecretString::from(line.trim())),
            Err(e) => Err(failed(e.to_string())),
        }
    };
    Ok(LongTermKeys {
        access_key_id: read("the access key id")?,
        secret_access_key: read("the secret access key")?,
    })
}

fn ask(terminal: &Terminal) -> Result<LongTermKeys, Error> {
    if !terminal.interactive() {
        return Err(input_error("the keys", AskError::NoTerminal.to_string()));
    }
    let ask = |what: &'static str, prompt: &str| {
        terminal
            .hidden(prompt)
            .map_err(|e| input_error(what, e.to_string()))
    };
    Ok(LongTermKeys {
        access_key_id: ask("the access key id", "AWS access key id")?,
        secret_access_key: ask("the secret access key", "AWS secret access key")?,
    })
}
