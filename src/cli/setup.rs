//! `envact setup`: each person's answers to what the manifest leaves open.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use envact::config::answers::{source_of, Answers, FIELD_NAMES};
use envact::manifest::{dir_name, Backend, Manifest, Project};
use envact::secrets::{service_token_keeper, OpAuth, OpSignIn};
use envact::wizard::{self, detect::Detected, needs_answers, Gathered, Prompter};
use envact::Error;
use secrecy::zeroize::Zeroizing;
use secrecy::SecretString;

use super::backend::open_store;
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

    /// Your MFA device's ARN (`none`: no MFA device).
    #[arg(long, value_name = "ARN")]
    mfa_serial: Option<String>,

    /// How 1Password's op signs in.
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
        return Ok(if ask_and_save(&project, &manifest, answers, &path)? {
            0
        } else {
            1
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
            })?;
        let token = line.trim();
        if token.is_empty() {
            return Err(Error::Input {
                what: "the service-account token",
                reason: "standard input was empty".into(),
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
/// open, shows the answers and writes them once confirmed. `Ok(false)`: the
/// person declined, nothing was written.
pub fn ask_and_save(
    project: &Project,
    manifest: &Manifest,
    current: Answers,
    path: &Path,
) -> Result<bool, Error> {
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
    save(&gathered, path, manifest, true)
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
    if confirm {
        let confirmed = on_terminal()
            && TerminalPrompter.confirm(&format!("Write them to {}?", path.display()), true)?;
        if !confirmed {
            eprintln!("nothing written (pass --yes to write without asking)");
            return Ok(false);
        }
    }
    if let Some(token) = &gathered.service_token {
        service_token_keeper(&|k: &str| std::env::var_os(k))?.save(token);
    }
    gathered.answers.save(path)?;
    println!("{}", path.display());
    Ok(true)
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
    if m.is_some_and(|x| x.backend == Backend::OnePassword) {
        rows.push((
            "1password sign-in".into(),
            answers.onepassword.as_ref().map(|o| match &o.account {
                Some(a) => format!("{} {a}", auth_name(o.auth)),
                None => auth_name(o.auth).to_string(),
            }),
            source_of(false, answers.onepassword.is_some()),
        ));
    }
    let (written, kept) = (manifest.persistence, merged.persistence);
    for (key, w, a, v) in [
        (
            "persistence.backend_session",
            written.backend_session,
            answers.persistence.backend_session,
            kept.keep_backend_session(),
        ),
        (
            "persistence.sts_session",
            written.sts_session,
            answers.persistence.sts_session,
            kept.keep_sts_session(),
        ),
    ] {
        let source = match (w.is_some(), a.is_some()) {
            (false, false) => "default",
            (m, a) => source_of(m, a),
        };
        rows.push((key.into(), Some(v.to_string()), source));
    }
    println!("answers file: {}", path.display());
    for (key, v, source) in rows {
        println!("{key:<26} {:<40} ({source})", value(v.as_deref()));
    }
}
