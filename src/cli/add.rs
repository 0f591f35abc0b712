//! `envact add`: store long-term AWS keys in a backend.

use std::io::{BufRead, IsTerminal};

use envact::secrets::{check_access_key_id, check_secret_access_key, write_keys, LongTermKeys};
use envact::Error;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};

use super::backend::BackendArgs;
use super::Outcome;

/// Store an AWS access key (id and secret) in the secrets backend.
///
/// Asks for both values with hidden input, or reads them from stdin, one per
/// line, with --stdin. The backend, vault and field names come from the
/// project's manifest unless given here. An existing item of that name is
/// replaced; if storing fails, what was stored before is left as it was.
#[derive(clap::Args)]
pub struct Args {
    /// Name of the item to store the keys as.
    item: String,

    #[command(flatten)]
    backend: BackendArgs,

    /// Read the access key id and the secret access key from stdin, one per line.
    #[arg(long)]
    stdin: bool,
}

pub fn run(args: Args) -> Outcome {
    let opened = args.backend.open()?;
    let keys = if args.stdin { from_stdin()? } else { prompt()? };
    check_access_key_id(keys.access_key_id.expose_secret()).map_err(|reason| Error::BadKey {
        what: "the access key id",
        expected: "access key id",
        reason,
    })?;
    check_secret_access_key(keys.secret_access_key.expose_secret()).map_err(|reason| {
        Error::BadKey {
            what: "the secret access key",
            expected: "secret access key",
            reason,
        }
    })?;
    let place = opened.store.describe();
    opened.spin(&format!("Storing {} in", args.item), |store| {
        write_keys(store, &args.item, &opened.fields, &keys)
    })?;
    eprintln!("stored the access key as {:?} in {place}", args.item);
    Ok(0)
}

const KEYS_HELP: &str = "run it in a terminal, or pass --stdin and write the access key id and the secret access key on two lines";

fn from_stdin() -> Result<LongTermKeys, Error> {
    let mut lines = std::io::stdin().lock();
    let mut read = |what: &'static str| -> Result<SecretString, Error> {
        let mut line = Zeroizing::new(String::new());
        match lines.read_line(&mut line) {
            Ok(0) => Err(Error::Input {
                what,
                reason: "stdin ended before it".into(),
                help: KEYS_HELP,
            }),
            Ok(_) => Ok(SecretString::from(line.trim())),
            Err(e) => Err(Error::Input {
                what,
                reason: e.to_string(),
                help: KEYS_HELP,
            }),
        }
    };
    Ok(LongTermKeys {
        access_key_id: read("the access key id")?,
        secret_access_key: read("the secret access key")?,
    })
}

fn prompt() -> Result<LongTermKeys, Error> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Error::Input {
            what: "the keys",
            reason: "there is no terminal to ask on".into(),
            help: KEYS_HELP,
        });
    }
    let ask = |what: &'static str, prompt: &str| -> Result<SecretString, Error> {
        dialoguer::Password::new()
            .with_prompt(prompt)
            .interact()
            .map(|v| SecretString::from(v.trim()))
            .map_err(|e| Error::Input {
                what,
                reason: e.to_string(),
                help: KEYS_HELP,
            })
    };
    Ok(LongTermKeys {
        access_key_id: ask("the access key id", "AWS access key id")?,
        secret_access_key: ask("the secret access key", "AWS secret access key")?,
    })
}
