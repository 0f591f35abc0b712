//! `envact setup`: each person's answers to what the manifest leaves open.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use envact::config::answers::{Answers, FIELD_NAMES};
use envact::manifest::{dir_name, Backend, Manifest, Project};
use envact::secrets::{
    default_fields, service_token_keeper, write_keys, LongTermKeys, OpAuth, OpSignIn, SecretError,
    FILE_DEFAULT_VAULT, KEYRING_DEFAULT_SERVICE,
};
use envact::wizard::{self, detect::Detected, needs_answers, Gathered, Prompter};
use envact::Error;
use secrecy::zeroize::Zeroizing;
use secrecy::SecretString;

use super::backend::{open_for, open_store};
use super::prompter::TerminalPrompter;
use super::{answers_path, find_project, Outcome};

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
pub struct Args {
    /// Project directory (default: search from the current directory upward).
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: Option<PathBuf>,

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

    /// Your MFA device's ARN (`none`: no MFA device).
    #[arg(long, value_name = "ARN")]
    mfa_serial: Option<String>,

    /// How 1Password's op signs in: account (an account added to op on this
    /// device), service-account, or desktop-app.
    #[arg(long, value_name = "METHOD", value_parser = parse_op_auth)]
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
}

fn auth_name(auth: OpAuth) -> &'static str {
    match auth {
        OpAuth::Account => "account",
        OpAuth::ServiceAccount => "service-account",
        OpAuth::DesktopApp => "desktop-app",
    }
}

fn parse_op_auth(s: &str) -> Result<OpAuth, String> {
    match s {
        "account" => Ok(OpAuth::Account),
        "service-account" => Ok(OpAuth::ServiceAccount),
        "desktop-app" => Ok(OpAuth::DesktopApp),
        _ => Err("expected account, service-account or desktop-app".into()),
    }
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
    let interactive = !args.yes && on_terminal();
    // Asking again shows the current answers as defaults; with flags alone,
    // --reconfigure starts over from what the flags say.
    let mut answers = if args.reconfigure && !interactive {
        Answers::default()
    } else {
        current.clone()
    };
    let flag_token = args.apply(&mut answers)?;
    answers.validate()?;

    if interactive && (args.reconfigure || !path.exists() || needs_answers(&manifest, &answers)) {
        return Ok(match ask_and_save(&project, &manifest, answers, &path)? {
            Some(_) => 0,
            None => 1,
        });
    }
    let missing = answers.missing_flags(&manifest);
    if !missing.is_empty() {
        return Err(Error::Unanswered {
            manifest: project.manifest.clone(),
            flags: missing,
        });
    }
    if answers == current && path.exists() && flag_token.is_none() {
        eprintln!(
            "nothing changed in {} (`envact setup --reconfigure` asks again, `--show` shows the answers)",
            path.display()
        );
        return Ok(0);
    }
    let gathered = Gathered {
        answers,
        service_token: flag_token,
        new_keys: None,
    };
    Ok(if save(&gathered, &path, &manifest, !args.yes)? {
        0
    } else {
        1
    })
}

fn on_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

const TOKEN_HELP: &str =
    "write the token on standard input: `envact setup --op-token-stdin --yes < FILE`";

impl Args {
    /// Puts the flags' answers over `answers`; returns a token read with --op-token-stdin.
    fn apply(&self, answers: &mut Answers) -> Result<Option<SecretString>, Error> {
        if let Some(b) = &self.backend {
            answers.backend = Backend::ALL.into_iter().find(|x| x.name() == b);
        }
        answers.vault = self.vault.clone().or(answers.vault.take());
        answers.item = self.item.clone().or(answers.item.take());
        answers.mfa_serial = self
            .mfa_serial
            .as_ref()
            .map(|s| {
                if s == "none" {
                    String::new()
                } else {
                    s.clone()
                }
            })
            .or(answers.mfa_serial.take());
        answers.fields.extend(self.fields.iter().cloned());
        if let Some(auth) = self.op_auth {
            answers.onepassword = Some(OpSignIn {
                auth,
                account: self.op_account.clone(),
            });
        } else if let (Some(account), Some(sign_in)) =
            (&self.op_account, answers.onepassword.as_mut())
        {
            sign_in.account = Some(account.clone());
        } else if self.op_account.is_some() {
            answers.onepassword = Some(OpSignIn {
                auth: OpAuth::Account,
                account: self.op_account.clone(),
            });
        }
        let p = &mut answers.persistence;
        p.backend_session = self.persist_backend_session.or(p.backend_session);
        p.sts_session = self.persist_sts_session.or(p.sts_session);
        if !self.op_token_stdin {
            return Ok(None);
        }
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
        answers.onepassword = Some(OpSignIn {
            auth: OpAuth::ServiceAccount,
            account: None,
        });
        Ok(Some(SecretString::from(token)))
    }
}

/// Runs the wizard on the terminal for what `manifest` (as written) leaves
/// open, shows the answers and writes them once confirmed; returns them, or
/// `None` when the person declined and nothing was written.
pub fn ask_and_save(
    project: &Project,
    manifest: &Manifest,
    current: Answers,
    path: &Path,
) -> Result<Option<Answers>, Error> {
    let mut merged = manifest.clone();
    current.apply(&mut merged)?;
    let may_be_1password = merged
        .secrets
        .as_ref()
        .map_or(merged.aws.is_some(), |s| s.backend == Backend::OnePassword);
    let detected = super::progress::spin("Looking at what this machine has", || {
        Detected::probe(|k| std::env::var_os(k), may_be_1password)
    });
    eprintln!(
        "Setting up {:?} ({}): what the manifest leaves to you.",
        manifest.name,
        project.manifest.display()
    );
    let mut open = |m: &Manifest, token: Option<&SecretString>| {
        let s = m.secrets.as_ref().ok_or(Error::NoBackend)?;
        open_store(
            s.backend,
            s.vault.clone(),
            m.persistence.keep_backend_session(),
            s.sign_in.clone(),
            token.cloned(),
        )
    };
    let gathered = wizard::run(
        &mut TerminalPrompter,
        manifest,
        current,
        &detected,
        &mut open,
    )?;
    Ok(save(&gathered, path, manifest, true)?.then_some(gathered.answers))
}

/// Shows the answers, asks for confirmation when `confirm`, then writes the
/// file (and keeps a service-account token in the OS keyring).
fn save(
    gathered: &Gathered,
    path: &Path,
    manifest: &Manifest,
    confirm: bool,
) -> Result<bool, Error> {
    let text = toml::to_string(&gathered.answers).unwrap_or_default();
    eprintln!("answers for {:?}:\n{}", manifest.name, indent(&text));
    if gathered.service_token.is_some() {
        eprintln!("  (the service-account token goes to the OS keyring, not to this file)");
    }
    if gathered.new_keys.is_some() {
        eprintln!("  (the long-term keys you typed go to the backend, not to this file)");
    }
    if confirm {
        let confirmed = on_terminal()
            && TerminalPrompter.confirm(&format!("Write them to {}?", path.display()), true)?;
        if !confirmed {
            eprintln!("nothing written (pass --yes to write without asking)");
            return Ok(false);
        }
    }
    if let Some(token) = &gathered.service_token {
        // Unlike a session, a token that is not kept breaks every activation.
        let keeper = service_token_keeper(&|k: &str| std::env::var_os(k))?;
        keeper.save(token);
        if keeper.load().is_none() {
            return Err(SecretError::Unavailable {
                backend: "keyring",
                detail: "the service-account token could not be kept in the OS keyring".into(),
                hint: "unlock or start the keyring (Secret Service), then run `envact setup` again; nothing was written".into(),
            }
            .into());
        }
    }
    if let Some(keys) = &gathered.new_keys {
        store_keys(manifest, &gathered.answers, keys)?;
    }
    gathered.answers.save(path)?;
    println!("{}", path.display());
    Ok(true)
}

/// Stores keys typed in the wizard as the answered item, under the field
/// names in effect; the answers are written only once this succeeded.
fn store_keys(manifest: &Manifest, answers: &Answers, keys: &LongTermKeys) -> Result<(), Error> {
    let mut merged = manifest.clone();
    answers.apply(&mut merged)?;
    let item = merged
        .secrets
        .as_ref()
        .and_then(|s| s.item.clone())
        .ok_or(Error::NoBackend)?;
    let opened = open_for(&merged)?.ok_or(Error::NoBackend)?;
    opened.spin(&format!("Storing {item} in"), |store| {
        write_keys(store, &item, &opened.fields, keys)
    })?;
    eprintln!(
        "stored the access key as {item:?} in {}",
        opened.store.describe()
    );
    Ok(())
}

fn indent(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(|l| format!("  {l}")).collect();
    if lines.is_empty() {
        "  (none)".into()
    } else {
        lines.join("\n")
    }
}

/// One line per setting: its value in effect and where it comes from
/// (manifest, user file, default), in the order the wizard asks.
fn show(manifest: &Manifest, answers: &Answers, path: &Path) {
    let mut merged = manifest.clone();
    let _ = answers.apply(&mut merged);
    let written = manifest.secrets.as_ref();
    let backend = merged.secrets.as_ref().map(|s| s.backend);
    let mut rows: Vec<(String, String, &str)> = Vec::new();
    let mut row = |key: &str, w: Option<String>, a: Option<String>, d: Option<String>| {
        let (value, source) = match (w, a, d) {
            (Some(v), _, _) => (v, "manifest"),
            (None, Some(v), _) => (v, "user file"),
            (None, None, Some(v)) => (v, "default"),
            (None, None, None) => ("-".into(), "not set"),
        };
        rows.push((key.to_string(), value, source));
    };
    row(
        "backend",
        written.map(|s| s.backend.name().into()),
        answers.backend.map(|b| b.name().into()),
        None,
    );
    if backend == Some(Backend::OnePassword) {
        row(
            "1password sign-in",
            None,
            answers.onepassword.as_ref().map(|o| match &o.account {
                Some(a) => format!("{} {a}", auth_name(o.auth)),
                None => auth_name(o.auth).into(),
            }),
            Some("op decides".into()),
        );
    }
    let default_vault = match backend {
        Some(Backend::Keyring) => Some(KEYRING_DEFAULT_SERVICE.to_string()),
        Some(Backend::File) => Some(FILE_DEFAULT_VAULT.to_string()),
        Some(Backend::Pass) => Some("(the store's top)".into()),
        _ => None,
    };
    row(
        "vault",
        written.and_then(|s| s.vault.clone()),
        answers.vault.clone(),
        default_vault,
    );
    row(
        "item",
        written.and_then(|s| s.item.clone()),
        answers.item.clone(),
        None,
    );
    let defaults = backend.map(default_fields);
    for name in FIELD_NAMES {
        let default = defaults.as_ref().and_then(|d| match name {
            "access_key_id" => Some(d.access_key_id.clone()),
            "secret_access_key" => Some(d.secret_access_key.clone()),
            _ => None,
        });
        row(
            &format!("fields.{name}"),
            written.and_then(|s| s.fields.get(name).cloned()),
            answers.fields.get(name).cloned(),
            default,
        );
    }
    if let Some(aws) = &manifest.aws {
        row(
            "mfa_serial",
            aws.mfa_serial.as_ref().map(|m| m.to_string()),
            answers.mfa_serial.as_ref().map(|m| match m.as_str() {
                "" => "none".into(),
                m => m.into(),
            }),
            None,
        );
    }
    let (w, a) = (manifest.persistence, answers.persistence);
    let off = Some("false".to_string());
    let text = |b: Option<bool>| b.map(|b| b.to_string());
    row(
        "persistence.backend_session",
        text(w.backend_session),
        text(a.backend_session),
        off.clone(),
    );
    row(
        "persistence.sts_session",
        text(w.sts_session),
        text(a.sts_session),
        off,
    );
    println!("answers file: {}", path.display());
    for (key, value, source) in rows {
        println!("{key:<28} {value:<40} ({source})");
    }
}
