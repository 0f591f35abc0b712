//! Security rules, checked the way an attacker on the same machine would look:
//! no secret value in the argv of any process envact starts (`ps`), none in any
//! file under HOME, the XDG dirs or the temp dir after `add`, a read and
//! `remove`, and none printed; for an IAM Identity Center sign-in, its tokens
//! in no process's argv or environment and no file but the token cache.

use crate::support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use support::op_standin::{OpStandin, SERVICE_TOKEN};
use support::pass_store::PassStore;
use support::secret_service::SecretService;
use support::{
    keys_input, run, run_with_stdin, stderr, stdout, which, Sandbox, ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
};

const SECRETS: [&str; 2] = [SECRET_ACCESS_KEY, ACCESS_KEY_ID];

/// Records the argv of every backend program envact runs: a wrapper on PATH
/// that logs its arguments and execs the real program.
struct ArgvRecorder {
    dir: PathBuf,
    log: PathBuf,
}

impl ArgvRecorder {
    fn new(sb: &Sandbox, programs: &[(&str, PathBuf)]) -> ArgvRecorder {
        let dir = sb.root.join("argv-wrappers");
        std::fs::create_dir_all(&dir).unwrap();
        let log = sb.root.join("argv.log");
        for (name, real) in programs {
            let script = format!(
                "#!/bin/sh\nprintf '%s\\n' \"{name} $*\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                real.display()
            );
            let path = dir.join(name);
            std::fs::write(&path, script).unwrap();
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
        }
        ArgvRecorder { dir, log }
    }

    fn apply(&self, cmd: &mut Command) {
        let path = cmd
            .get_envs()
            .find(|(k, _)| *k == "PATH")
            .and_then(|(_, v)| v)
            .map(|v| v.to_string_lossy().into_owned())
            .unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", self.dir.display()));
    }

    fn recorded(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Scans /proc/*/cmdline (and, when asked, /proc/*/environ) over and over
/// while envact runs, keeping every argv (and environment) seen.
pub(crate) struct ProcScanner {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<BTreeSet<String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProcScanner {
    fn start() -> ProcScanner {
        ProcScanner::of(&["cmdline"])
    }

    pub(crate) fn of(files: &'static [&'static str]) -> ProcScanner {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(BTreeSet::new()));
        let (s, v) = (stop.clone(), seen.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                    for file in files {
                        if let Ok(bytes) = std::fs::read(entry.path().join(file)) {
                            if !bytes.is_empty() {
                                let text = String::from_utf8_lossy(&bytes).replace('\0', " ");
                                v.lock().unwrap().insert(text);
                            }
                        }
                    }
                }
            }
        });
        ProcScanner {
            stop,
            seen,
            thread: Some(thread),
        }
    }

    pub(crate) fn finish(mut self) -> BTreeSet<String> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn assert_not_printed(out: &Output, what: &str) {
    for s in SECRETS {
        assert!(
            !stdout(out).contains(s) && !stderr(out).contains(s),
            "{what} printed a secret"
        );
    }
}

/// add, list, a read (activation), remove: with argv recorded and /proc scanned.
fn journey(
    sb: &Sandbox,
    setup: &dyn Fn(&mut Command),
    recorder: &ArgvRecorder,
    except: &[PathBuf],
) {
    let cmd = |args: &[&str]| {
        let mut c = sb.envact(args);
        setup(&mut c);
        recorder.apply(&mut c);
        c
    };
    let scanner = ProcScanner::start();
    let out = run_with_stdin(cmd(&["add", "dev", "--stdin"]), &keys_input());
    assert!(out.status.success(), "add: {}", stderr(&out));
    assert_not_printed(&out, "add");
    for args in [
        &["list"][..],
        &["activate", "--", "true"],
        &["remove", "dev"],
    ] {
        let out = run(cmd(args));
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_not_printed(&out, &format!("{args:?}"));
    }
    let seen = scanner.finish();

    let recorded = recorder.recorded();
    for s in SECRETS {
        assert!(
            !recorded.contains(s),
            "a secret on a backend program's command line:\n{recorded}"
        );
        let leaked: Vec<_> = seen.iter().filter(|c| c.contains(s)).collect();
        assert!(
            leaked.is_empty(),
            "a secret in a process's argv: {leaked:?}"
        );
    }
    let files = support::files_containing(&sb.root, &SECRETS, except);
    assert!(files.is_empty(), "secrets in plain text in: {files:?}");
}

fn manifest(backend: &str, vault: &str) -> String {
    format!(
        "version = 1\n[secrets]\nbackend = \"{backend}\"\nvault = \"{vault}\"\nitem = \"dev\"\n"
    )
}

#[test]
fn pass_leaves_no_secret_in_argv_or_files() {
    let sb = Sandbox::with_manifest(&manifest("pass", "aws"));
    let ps = PassStore::init(&sb);
    let mut programs = vec![("pass", which("pass")), ("gpg", which("gpg"))];
    if let Some(gpg2) = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("gpg2"))
            .find(|p| p.is_file())
    }) {
        programs.push(("gpg2", gpg2));
    }
    let recorder = ArgvRecorder::new(&sb, &programs);
    journey(&sb, &|c| ps.apply(c), &recorder, &[]);
    assert!(
        recorder.recorded().contains("pass insert"),
        "{}",
        recorder.recorded()
    );
}

#[test]
fn secret_service_keyring_leaves_no_secret_in_files() {
    let sb = Sandbox::with_manifest(&manifest("keyring", "envact-leak-test"));
    let ss = SecretService::start(&sb);
    let recorder = ArgvRecorder::new(&sb, &[]);
    journey(&sb, &|c| ss.apply(c), &recorder, &[]);
}

#[test]
fn encrypted_file_leaves_no_secret_in_files() {
    let sb = Sandbox::with_manifest(&manifest("file", "default"));
    let recorder = ArgvRecorder::new(&sb, &[]);
    journey(
        &sb,
        &|c| {
            c.env("ENVACT_FILE_PASSPHRASE", "leak test passphrase");
        },
        &recorder,
        &[],
    );
}

#[test]
fn onepassword_leaves_no_secret_in_argv_or_files() {
    let sb = Sandbox::with_manifest(&manifest("1password", "Engineering"));
    let op = OpStandin::new(&sb);
    let recorder = ArgvRecorder::new(&sb, &[("op", OpStandin::dir().join("op"))]);
    // The stand-in's state file plays 1Password's servers: it holds the items.
    journey(
        &sb,
        &|c| {
            op.apply(c);
            c.env("OP_SERVICE_ACCOUNT_TOKEN", SERVICE_TOKEN);
        },
        &recorder,
        std::slice::from_ref(&op.state),
    );
    assert!(
        recorder.recorded().contains("op item create"),
        "{}",
        recorder.recorded()
    );
}

/// An IAM Identity Center sign-in: `envact login` (the browser), an
/// activation whose wrapped `aws` gets the role, `export`, `status`: the
/// access and refresh tokens and the client secret appear in no process's
/// argv or environment, no output, and no file but the shared token cache.
#[test]
fn an_sso_sign_in_leaves_no_token_in_argv_environments_output_or_files() {
    use support::sso::{SsoStandin, ACCOUNT, ROLE, START_URL};
    let sb = Sandbox::with_manifest(&format!(
        "version = 1\n[aws]\nwrap = [\"aws\"]\n[aws.sso]\nstart_url = \"{START_URL}\"\n\
         region = \"us-east-1\"\naccount_id = \"{ACCOUNT}\"\nrole_name = \"{ROLE}\"\nsession_name = \"corp\"\n"
    ));
    let moto = support::sts::Moto::start(&sb);
    let sso = SsoStandin::start(&sb, &moto, serde_json::json!({}));
    let cmd = |args: &[&str]| {
        let mut c = sb.envact(args);
        sso.apply(&mut c);
        c.env("AWS_ENDPOINT_URL_STS", &moto.url)
            .env("AWS_DEFAULT_REGION", "us-east-1");
        c
    };
    let scanner = ProcScanner::of(&["cmdline", "environ"]);
    let mut printed = String::new();
    let bin = support::envact_bin().display().to_string();
    for args in [
        &["login"][..],
        &["activate", "--", "aws", "sts", "get-caller-identity"],
        &["export", "--format", "json"],
        &["activate", "--", &bin, "status"],
    ] {
        let out = run(cmd(args));
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        printed += &stdout(&out);
        printed += &stderr(&out);
    }
    let seen = scanner.finish();
    assert!(printed.contains("assumed-role/Developer/"), "{printed}");
    assert!(printed.contains("sign-in:     https://corp"), "{printed}");

    let cache = support::sso::token_cache_file(&sb.home, "corp");
    let token: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    let secrets: Vec<&str> = ["accessToken", "refreshToken", "clientSecret"]
        .iter()
        .map(|k| token[k].as_str().unwrap())
        .collect();
    for (name, secret) in ["accessToken", "refreshToken", "clientSecret"]
        .iter()
        .zip(&secrets)
    {
        assert!(!printed.contains(secret), "the {name} was printed");
        let leaked: Vec<_> = seen.iter().filter(|c| c.contains(secret)).collect();
        assert!(
            leaked.is_empty(),
            "the {name} in a process's argv or environment"
        );
    }
    // The stand-in's own state plays AWS's servers; the cache is the one place.
    let found = support::files_containing(&sb.root, &secrets, &[]);
    let found: Vec<_> = found
        .into_iter()
        .filter(|f| !f.starts_with(sb.root.join("sso-standin")) && f.parent() != Some(&sb.root))
        .collect();
    assert_eq!(found, [cache], "tokens outside the cache");
}

/// An activation with `[aws.profiles]`: while the AWS CLI and boto3 ask for
/// profiles by name (`credential_process`), no process of the sandbox holds
/// credentials in its environment or a key in its argv: the profiles are
/// given by name only, the keys pass over the agent's socket and the
/// credential_process pipe.
#[test]
fn profiles_by_name_leave_no_credentials_in_any_environment_or_argv() {
    let sb = Sandbox::with_manifest(
        "version = 1\n[secrets]\nbackend = \"env\"\nitem = \"ci\"\n[secrets.fields]\n\
         access_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n\
         [aws]\ndefault_profile = \"dev\"\nwrap = [\"aws\"]\n\
         [aws.profiles.dev]\nrole_arn = \"arn:aws:iam::111111111111:role/dev\"\n\
         [aws.profiles.prod]\nrole_arn = \"arn:aws:iam::333333333333:role/prod\"\n",
    );
    let moto = support::sts::Moto::start(&sb);
    let script = sb.root.join("boto.py");
    std::fs::write(
        &script,
        "import boto3\nprint(boto3.Session(profile_name='prod').client('sts').get_caller_identity()['Arn'])\n",
    )
    .unwrap();
    let mut cmd = sb.envact(["activate", "--", "sh", "-c"]);
    cmd.arg(format!(
        "aws --profile dev sts get-caller-identity; AWS_PROFILE=prod aws sts get-caller-identity; python3 {}",
        script.display()
    ))
    .env("CI_ID", ACCESS_KEY_ID)
    .env("CI_SECRET", SECRET_ACCESS_KEY)
    .env("AWS_ENDPOINT_URL_STS", &moto.url)
    .env("AWS_DEFAULT_REGION", "us-east-1");
    // And a wrapped command (`aws` is a function of the activated shell).
    let mut wrapped = sb.envact(["activate", "--", "aws", "sts", "get-caller-identity"]);
    for (name, value) in cmd.get_envs() {
        if let Some(value) = value {
            wrapped.env(name, value);
        }
    }
    let scanner = ProcScanner::of(&["cmdline", "environ"]);
    let out = run(cmd);
    let wrapped = run(wrapped);
    let seen = scanner.finish();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).matches("assumed-role/prod/").count(), 2);
    assert!(
        stdout(&wrapped).contains("assumed-role/dev/"),
        "{}",
        stderr(&wrapped)
    );
    // This sandbox's processes (the tests run side by side): its HOME.
    let home = format!("HOME={}", sb.home.display());
    let ours: Vec<&String> = seen.iter().filter(|e| e.contains(&home)).collect();
    assert!(ours.len() > 3, "the scan saw too little: {ours:?}");
    for entry in ours {
        // envact itself was given the keys (the env backend reads them
        // there); everything the activation starts has ENVACT_ENV.
        let started = entry.contains("ENVACT_ENV=");
        for held in [
            "AWS_SESSION_TOKEN=",
            "AWS_SECRET_ACCESS_KEY=",
            SECRET_ACCESS_KEY,
        ] {
            assert!(
                !entry.contains(held) || (!started && held == SECRET_ACCESS_KEY),
                "{held} in a process's environment: {entry}"
            );
        }
    }
    assert!(
        !seen
            .iter()
            .any(|c| c.contains(SECRET_ACCESS_KEY) && !c.contains("CI_SECRET=")),
        "a key in a process's argv"
    );
}
