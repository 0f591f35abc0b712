//! `envact setup`: each person's answers to what the manifest leaves open.

use std::io::IsTerminal;
use std::path::PathBuf;

use envact::config::answers::{source_of, Answers, FIELD_NAMES};
use envact::manifest::{dir_name, Backend, Manifest};
use envact::Error;

use super::{answers_path, find_project, Outcome};

/// Answer what the manifest leaves to each person (non-interactive form).
///
/// The answers (names and ARNs, never secret values) are written to
/// $XDG_CONFIG_HOME/envact/envs/ENV-ID.toml (0600) and completed into the
/// manifest by every command; what the manifest itself says always wins.
/// `--show` prints the settings in effect and where each comes from. Without a
/// terminal, answers must come as flags with --yes; missing ones are named.
#[derive(clap::Args)]
pub struct Args {
    /// Project directory (default: search from the current directory upward).
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: Option<PathBuf>,

    /// Print the settings in effect and where each comes from.
    #[arg(long, conflicts_with_all = ["reconfigure", "yes"])]
    show: bool,

    /// Start from no answers instead of the current ones.
    #[arg(long)]
    reconfigure: bool,

    /// Write the answers without asking for confirmation.
    #[arg(long)]
    yes: bool,

    /// Secrets backend, when the manifest has no [secrets].
    #[arg(long, value_name = "BACKEND", value_parser = ["1password", "keyring", "pass", "file", "env"])]
    backend: Option<String>,

    /// Vault (keyring service, pass prefix, 1Password vault, file name).
    #[arg(long, value_name = "VAULT")]
    vault: Option<String>,

    /// Item holding the keys.
    #[arg(long, value_name = "NAME")]
    item: Option<String>,

    /// A field name inside the item: access_key_id=F, secret_access_key=F or mfa_totp=F.
    #[arg(long = "field", value_name = "NAME=FIELD", value_parser = parse_field)]
    fields: Vec<(String, String)>,

    /// Your MFA device's ARN.
    #[arg(long, value_name = "ARN")]
    mfa_serial: Option<String>,
}

fn parse_field(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| "expected NAME=FIELD, such as access_key_id=username".into())
}

pub fn run(args: Args) -> Outcome {
    let project = find_project(args.dir.as_deref())?;
    let manifest = Manifest::load(&project.manifest, &dir_name(&project.dir))?;
    let path = answers_path(&project);
    let current = Answers::load(&path)?;
    if args.show {
        show(&manifest, &current, &path);
        return Ok(0);
    }

    let mut answers = if args.reconfigure {
        Answers::default()
    } else {
        current
    };
    if let Some(b) = &args.backend {
        answers.backend = Backend::ALL.into_iter().find(|x| x.name() == b);
    }
    answers.vault = args.vault.or(answers.vault);
    answers.item = args.item.or(answers.item);
    answers.mfa_serial = args.mfa_serial.or(answers.mfa_serial);
    answers.fields.extend(args.fields);
    answers.validate()?;

    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if interactive && !args.yes {
        ask_missing(&manifest, &mut answers)?;
    }
    let missing = answers.missing_flags(&manifest);
    if !missing.is_empty() {
        return Err(Error::Unanswered {
            manifest: project.manifest.clone(),
            flags: missing,
        });
    }
    let text = toml::to_string(&answers).unwrap_or_default();
    eprintln!("answers for {:?}:\n{}", manifest.name, indent(&text));
    if !args.yes {
        let confirmed = std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal()
            && dialoguer::Confirm::new()
                .with_prompt(format!("Write them to {}?", path.display()))
                .default(true)
                .interact()
                .unwrap_or(false);
        if !confirmed {
            eprintln!("nothing written (pass --yes to write without asking)");
            return Ok(1);
        }
    }
    answers.save(&path)?;
    println!("{}", path.display());
    Ok(0)
}

fn indent(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(|l| format!("  {l}")).collect();
    if lines.is_empty() {
        "  (none)".into()
    } else {
        lines.join("\n")
    }
}

fn show(manifest: &Manifest, answers: &Answers, path: &std::path::Path) {
    let s = manifest.secrets.as_ref();
    let mut merged = manifest.clone();
    let _ = answers.apply(&mut merged);
    let m = merged.secrets.as_ref();
    let value = |v: Option<&str>| v.map(str::to_string).unwrap_or_else(|| "-".into());
    let mut rows: Vec<(String, Option<String>, &str)> = vec![
        (
            "backend".into(),
            m.map(|x| x.backend.name().to_string()),
            source_of(s.is_some(), answers.backend.is_some()),
        ),
        (
            "vault".into(),
            m.and_then(|x| x.vault.clone()),
            source_of(
                s.is_some_and(|x| x.vault.is_some()),
                answers.vault.is_some(),
            ),
        ),
        (
            "item".into(),
            m.and_then(|x| x.item.clone()),
            source_of(s.is_some_and(|x| x.item.is_some()), answers.item.is_some()),
        ),
        (
            "mfa_serial".into(),
            merged
                .aws
                .as_ref()
                .and_then(|a| a.mfa_serial.as_ref().map(|m| m.to_string())),
            source_of(
                manifest
                    .aws
                    .as_ref()
                    .is_some_and(|a| a.mfa_serial.is_some()),
                answers.mfa_serial.is_some(),
            ),
        ),
    ];
    // The fields, after the item, in the order the manifest documents them.
    for (i, name) in FIELD_NAMES.into_iter().enumerate() {
        rows.insert(
            3 + i,
            (
                format!("fields.{name}"),
                m.and_then(|x| x.fields.get(name).cloned()),
                source_of(
                    s.is_some_and(|x| x.fields.get(name).is_some()),
                    answers.fields.contains_key(name),
                ),
            ),
        );
    }
    println!("answers file: {}", path.display());
    for (key, v, source) in rows {
        println!("{key:<26} {:<40} ({source})", value(v.as_deref()));
    }
}

/// Asks on the terminal for what is still missing, checking each answer that
/// can be checked against the backend: the item must exist there.
/// Ctrl-C or EOF at any prompt ends setup with nothing written.
fn ask_missing(manifest: &Manifest, answers: &mut Answers) -> Result<(), Error> {
    let input_error = |e: dialoguer::Error| Error::Input {
        what: "the answer",
        reason: e.to_string(),
    };
    let mut merged = manifest.clone();
    answers.apply(&mut merged)?;
    let Some(secrets) = merged.secrets.clone() else {
        return Ok(());
    };
    if secrets.vault.is_none() && secrets.backend == Backend::OnePassword {
        let vault: String = dialoguer::Input::new()
            .with_prompt("1Password vault")
            .interact_text()
            .map_err(input_error)?;
        answers.vault = Some(vault);
        merged = manifest.clone();
        answers.apply(&mut merged)?;
    }
    if secrets.item.is_none() {
        let opened = super::backend::open_for(&merged)?;
        let existing = match &opened {
            Some(o) if o.store.backend() != Backend::Env => {
                o.spin("Listing", |store| store.list_items()).ok()
            }
            _ => None,
        };
        if let Some(items) = &existing {
            eprintln!(
                "items in the backend: {}",
                if items.is_empty() {
                    "none".into()
                } else {
                    items.join(", ")
                }
            );
        }
        loop {
            let item: String = dialoguer::Input::new()
                .with_prompt("Item holding your AWS keys")
                .interact_text()
                .map_err(input_error)?;
            match &existing {
                Some(items) if !items.contains(&item) => {
                    eprintln!("there is no item {item:?} in the backend (items there: {}); `envact add {item}` stores one", items.join(", "));
                }
                _ => {
                    answers.item = Some(item);
                    break;
                }
            }
        }
    }
    Ok(())
}
