//! `envact rotate` against moto's IAM and STS with moto's access control on
//! (after the set-up's free requests, a deleted or unknown key is refused
//! with InvalidClientTokenId): the backend ends up holding a new key that
//! works inside an activation, IAM lists only that key, and the old key is
//! refused. Failures before the old key is deleted leave it stored and
//! working.

use crate::support;

use std::path::Path;
use std::process::Command;
use support::sts::Moto;
use support::{run, run_with_stdin, stderr, stdout, which, Sandbox};

/// alice's first key, as the set-up made it.
struct Key {
    id: String,
    secret: String,
}

/// A command inside an activation that lists alice's key ids.
const LIST_KEYS: &[&str] = &[
    "activate",
    "--",
    "aws",
    "iam",
    "list-access-keys",
    "--user-name",
    "alice",
    "--query",
    "AccessKeyMetadata[].AccessKeyId",
    "--output",
    "text",
];

/// What a backend needs of every command (its daemon, its store).
type Backend = Box<dyn Fn(&mut Command)>;

struct Rotation {
    // Dropped before the sandbox: the backend's daemon first.
    backend: Backend,
    moto: Moto,
    first: Key,
    sb: Sandbox,
}

fn manifest(backend: &str, vault: &str) -> String {
    format!(
        "version = 1\nname = \"keys\"\n[secrets]\nbackend = \"{backend}\"\nvault = \"{vault}\"\nitem = \"dev\"\n\
         [aws]\nrole_arn = \"arn:aws:iam::123456789012:role/dev\"\nwrap = [\"aws\"]\n"
    )
}

impl Rotation {
    /// moto with alice set up, the manifest for `backend`, and alice's key
    /// added to it.
    fn new(name: &str, vault: &str, backend: impl FnOnce(&Sandbox) -> Backend) -> Rotation {
        Rotation::with(&manifest(name, vault), backend)
    }

    fn with(text: &str, backend: impl FnOnce(&Sandbox) -> Backend) -> Rotation {
        let sb = Sandbox::with_manifest(text);
        let backend = backend(&sb);
        let moto = Moto::start_checking_after(&sb, Some(5));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iam-user.py");
        let mut setup = Command::new(which("python3"));
        sb.apply_env(&mut setup);
        setup.arg(script).arg(&moto.url);
        let out = run(setup);
        assert!(out.status.success(), "{}", stderr(&out));
        let key: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let first = Key {
            id: key["id"].as_str().unwrap().to_string(),
            secret: key["secret"].as_str().unwrap().to_string(),
        };
        let r = Rotation {
            backend,
            moto,
            first,
            sb,
        };
        let out = run_with_stdin(
            r.envact(&["add", "dev", "--stdin"]),
            &format!("{}\n{}\n", r.first.id, r.first.secret),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        r
    }

    fn envact(&self, args: &[&str]) -> Command {
        let mut cmd = self.sb.envact(args);
        (self.backend)(&mut cmd);
        cmd.env("AWS_ENDPOINT_URL", &self.moto.url)
            .env("AWS_ENDPOINT_URL_IAM", &self.moto.url)
            .env("AWS_REGION", "us-east-1");
        cmd
    }

    /// The ids of alice's keys, as IAM lists them to a command inside an
    /// activation (the role's credentials, from the stored key).
    fn listed(&self) -> Result<Vec<String>, String> {
        let out = run(self.envact(LIST_KEYS));
        match out.status.success() {
            true => Ok(stdout(&out)
                .split_whitespace()
                .map(str::to_string)
                .collect()),
            false => Err(stderr(&out)),
        }
    }

    /// moto refuses alice's first key: it was deleted.
    fn assert_first_key_refused(&self) {
        let refused = self.first_key_answer();
        assert!(!refused.status.success());
        assert!(
            stderr(&refused).contains("InvalidClientTokenId"),
            "{}",
            stderr(&refused)
        );
    }

    /// The endpoint of an IAM that requires MFA (code `code`), in front of
    /// moto, signing its sessions' requests with the first key.
    fn mfa_gate(&self, code: &str) -> support::sts::Endpoint {
        support::sts::Endpoint::signing_for(
            &self.sb,
            &self.moto,
            &format!("iam-needs-mfa:{code}"),
            &[(&self.first.id, &self.first.secret)],
        )
    }

    /// What moto says to GetCallerIdentity signed by alice's first key.
    fn first_key_answer(&self) -> std::process::Output {
        let mut aws = Command::new(which("aws"));
        self.sb.apply_env(&mut aws);
        aws.env("AWS_ACCESS_KEY_ID", &self.first.id)
            .env("AWS_SECRET_ACCESS_KEY", &self.first.secret)
            .env("AWS_ENDPOINT_URL", &self.moto.url)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .args(["sts", "get-caller-identity"]);
        run(aws)
    }
}

/// Rotated in `backend`: a new key in the backend that works, the only one
/// IAM lists; the old one refused; no key printed.
fn rotates_in(r: &Rotation) {
    assert_eq!(r.listed().unwrap(), std::slice::from_ref(&r.first.id));
    let out = run(r.envact(&["rotate"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out) + &stdout(&out);
    assert!(said.contains("rotated dev: the new key (…"), "{said}");
    assert!(
        !said.contains(&r.first.id) && !said.contains(&r.first.secret),
        "{said}"
    );
    let listed = r.listed().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_ne!(listed[0], r.first.id);
    assert!(
        !said.contains(&listed[0]),
        "the new key's id was printed: {said}"
    );
    r.assert_first_key_refused();
    // What a person would try first.
    let who = run(r.envact(&["activate", "--", "aws", "sts", "get-caller-identity"]));
    assert!(who.status.success(), "{}", stderr(&who));
    assert!(
        stdout(&who).contains("assumed-role/dev/"),
        "{}",
        stdout(&who)
    );
}

fn encrypted_file(_: &Sandbox) -> Backend {
    Box::new(|cmd: &mut Command| {
        cmd.env("ENVACT_FILE_PASSPHRASE", "rotation test");
    })
}

#[test]
fn rotate_replaces_the_key_in_the_encrypted_file() {
    rotates_in(&Rotation::new("file", "default", encrypted_file));
}

#[test]
fn rotate_replaces_the_key_in_the_keyring() {
    rotates_in(&Rotation::new("keyring", "envact-rotation", |sb| {
        let ss = support::secret_service::SecretService::start(sb);
        Box::new(move |cmd: &mut Command| ss.apply(cmd))
    }));
}

#[test]
fn rotate_replaces_the_key_in_pass() {
    rotates_in(&Rotation::new("pass", "aws", |sb| {
        let store = support::pass_store::PassStore::init(sb);
        Box::new(move |cmd: &mut Command| store.apply(cmd))
    }));
}

#[test]
fn the_env_backend_is_refused_before_anything_is_asked_of_iam() {
    let sb = Sandbox::with_manifest(
        "version = 1\n[secrets]\nbackend = \"env\"\n[secrets.fields]\naccess_key_id = \"ID\"\nsecret_access_key = \"SECRET\"\n[aws]\n",
    );
    let out = run(sb.envact(["rotate"]));
    support::assert_fails(
        &out,
        1,
        &[
            "env keys cannot be rotated by envact: it cannot write them",
            "help: rotate the key where it is kept",
        ],
    );
}

/// The key stored after a failed rotation is the first one, and works.
fn still_the_first(r: &Rotation) {
    assert_eq!(r.listed().unwrap(), std::slice::from_ref(&r.first.id));
    assert!(r.first_key_answer().status.success());
}

#[test]
fn a_refused_new_key_changes_nothing() {
    let r = Rotation::new("file", "default", encrypted_file);
    // IAM's limit: alice has two keys already.
    let mut aws = Command::new(which("aws"));
    r.sb.apply_env(&mut aws);
    aws.env("AWS_ACCESS_KEY_ID", &r.first.id)
        .env("AWS_SECRET_ACCESS_KEY", &r.first.secret)
        .env("AWS_ENDPOINT_URL", &r.moto.url)
        .env("AWS_ENDPOINT_URL_IAM", &r.moto.url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .args([
            "iam",
            "create-access-key",
            "--query",
            "AccessKey.AccessKeyId",
            "--output",
            "text",
        ]);
    let second = stdout(&run(aws)).trim().to_string();
    let out = run(r.envact(&["rotate"]));
    support::assert_fails(
        &out,
        1,
        &[
            "IAM refused a new key: IAM CreateAccessKey failed with LimitExceeded",
            "nothing changed",
            "help: the user has two keys already",
        ],
    );
    let mut listed = r.listed().unwrap();
    listed.sort();
    let mut both = vec![r.first.id.clone(), second];
    both.sort();
    assert_eq!(listed, both);
    assert!(r.first_key_answer().status.success());
}

#[test]
fn a_new_key_that_never_works_is_deleted_and_the_old_one_kept() {
    let r = Rotation::new("file", "default", encrypted_file);
    let sts = support::sts::Endpoint::start(
        &r.sb,
        &r.moto,
        "fail:GetCallerIdentity:InvalidClientTokenId",
    );
    let mut cmd = r.envact(&["rotate", "--wait", "2s"]);
    cmd.env("AWS_ENDPOINT_URL_STS", &sts.url);
    support::assert_fails(
        &run(cmd),
        1,
        &["the new key did not work within 2s; the old key is stored again and works, and the new one was deleted"],
    );
    still_the_first(&r);
}

#[test]
fn a_refused_deletion_of_the_old_key_says_where_each_key_is() {
    let r = Rotation::new("file", "default", encrypted_file);
    let iam = support::sts::Endpoint::start(&r.sb, &r.moto, "fail:DeleteAccessKey:AccessDenied");
    let mut cmd = r.envact(&["rotate"]);
    cmd.env("AWS_ENDPOINT_URL_IAM", &iam.url);
    let err = support::assert_fails(
        &run(cmd),
        1,
        &[
            "is stored and works, but the old key (…",
            "could not be deleted",
            "help: delete the old key yourself",
        ],
    );
    assert!(!err.contains(&r.first.id), "{err}");
    // Both keys exist; the stored one is the new one.
    let listed = r.listed().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(r.first_key_answer().status.success());
}

#[test]
fn a_backend_that_cannot_store_the_new_key_leaves_the_old_one() {
    let r = Rotation::new("pass", "aws", |sb| {
        let store = support::pass_store::PassStore::init(sb);
        Box::new(move |cmd: &mut Command| store.apply(cmd))
    });
    // Writes now encrypt for a key no one has: pass refuses them; reads work.
    let store_dir = r.sb.root.join("password-store");
    std::fs::write(store_dir.join(".gpg-id"), "nobody-at-all@example.invalid\n").unwrap();
    support::assert_fails(
        &run(r.envact(&["rotate"])),
        1,
        &[
            "the new key could not be stored",
            "it was deleted in IAM",
            "the stored key is the old one and works",
        ],
    );
    still_the_first(&r);
}

/// Keys say how old they are: `list` on a terminal and `status` show when
/// envact stored the key; past `[secrets] max_key_age` activation warns
/// once a day, naming `envact rotate`.
#[test]
fn keys_say_how_old_they_are_and_an_old_one_is_warned_about_once_a_day() {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"aged\"\n[secrets]\nbackend = \"file\"\nvault = \"default\"\nitem = \"dev\"\n\
         max_key_age = \"90d\"\n",
    );
    let envact = |args: &[&str]| {
        let mut cmd = sb.envact(args);
        cmd.env("ENVACT_FILE_PASSPHRASE", "ages");
        cmd
    };
    let out = run_with_stdin(envact(&["add", "dev", "--stdin"]), &support::keys_input());
    assert!(out.status.success(), "{}", stderr(&out));
    // Piped: names only, as scripts read them.
    assert_eq!(stdout(&run(envact(&["list"]))), "dev\n");
    let mut p = support::spawn_pty(envact(&["list"]));
    let shown = p.exp_eof().unwrap();
    assert!(
        shown.contains("dev  key stored less than 2 hours ago"),
        "{shown}"
    );
    let bin = support::envact_bin().display().to_string();
    let out = run(envact(&["activate", "--", &bin, "status"]));
    assert!(
        stdout(&out).contains(
            "key:         dev, stored less than 2 hours ago (`envact rotate` replaces it)"
        ),
        "{}",
        stdout(&out)
    );
    assert!(!stderr(&out).contains("max_key_age"), "{}", stderr(&out));

    // A hundred days later (the time envact noted, moved back).
    let ages = sb.data.join("envact/key-ages.toml");
    let text = std::fs::read_to_string(&ages).unwrap();
    let stored = humantime::format_rfc3339_seconds(
        std::time::SystemTime::now() - std::time::Duration::from_secs(100 * 86_400),
    );
    let moved: String = text
        .lines()
        .map(|l| match l.starts_with("stored = ") {
            true => format!("stored = \"{stored}\""),
            false => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&ages, moved).unwrap();
    let out = run(envact(&["activate", "--", "true"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the key in dev was stored 100 days ago, more than max_key_age (90 days): replace it with `envact rotate`"),
        "{}",
        stderr(&out)
    );
    let again = run(envact(&["activate", "--", "true"]));
    assert!(
        !stderr(&again).contains("max_key_age"),
        "warned twice in a day"
    );

    // A max_key_age that is not a duration of a day or more.
    std::fs::write(
        sb.project.join(".envact/manifest.toml"),
        "version = 1\n[secrets]\nbackend = \"file\"\nmax_key_age = \"3h\"\n",
    )
    .unwrap();
    support::assert_fails(
        &run(envact(&["activate", "--", "true"])),
        1,
        &[
            "manifest.toml:4:15: invalid max_key_age \"3h\"",
            "help: write a duration of a day or more",
        ],
    );
}

/// Neither key is ever in a process's argv, in a file outside the backend,
/// or in what rotate prints (pass: the new key read back from its store).
#[test]
fn no_key_in_argv_files_or_output() {
    let r = Rotation::new("pass", "aws", |sb| {
        let store = support::pass_store::PassStore::init(sb);
        Box::new(move |cmd: &mut Command| store.apply(cmd))
    });
    let scanner = crate::secrets_never_leak::ProcScanner::of(&["cmdline"]);
    let out = run(r.envact(&["rotate"]));
    let seen = scanner.finish();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut pass = Command::new(which("pass"));
    r.sb.apply_env(&mut pass);
    (r.backend)(&mut pass);
    pass.args(["show", "aws/dev"]);
    let stored = stdout(&run(pass));
    let new_secret = stored
        .lines()
        .find_map(|l| l.strip_prefix("secret_access_key: "));
    let new_secret = new_secret.unwrap_or_else(|| stored.lines().next().unwrap_or_default());
    assert!(new_secret.len() >= 20, "no key read back");
    let said = stdout(&out) + &stderr(&out);
    for secret in [r.first.secret.as_str(), r.first.id.as_str(), new_secret] {
        assert!(!said.contains(secret), "a key in rotate's output");
        assert!(
            !seen.iter().any(|c| c.contains(secret)),
            "a key in a process's argv"
        );
    }
    let store = r.sb.root.join("password-store");
    let found = support::files_containing(&r.sb.root, &[new_secret, &r.first.secret], &[]);
    let outside: Vec<_> = found.iter().filter(|f| !f.starts_with(&store)).collect();
    assert!(outside.is_empty(), "keys in files: {outside:?}");
}

#[test]
fn rotate_replaces_the_key_in_1password() {
    use support::op_standin::{OpStandin, SERVICE_TOKEN};
    rotates_in(&Rotation::new("1password", "Engineering", |sb| {
        let op = OpStandin::new(sb);
        Box::new(move |cmd: &mut Command| {
            op.apply(cmd);
            cmd.env("OP_SERVICE_ACCOUNT_TOKEN", SERVICE_TOKEN);
        })
    }));
}

/// Kept STS sessions are forgotten: the next command starts from the new key.
#[test]
fn rotation_forgets_the_kept_sessions() {
    let text = manifest("keyring", "envact-rotation") + "[persistence]\nsts_session = true\n";
    let r = Rotation::with(&text, |sb| {
        let ss = support::secret_service::SecretService::start(sb);
        Box::new(move |cmd: &mut Command| ss.apply(cmd))
    });
    // secret-tool prints the attributes (the entries' names) on stderr.
    let kept = || {
        let mut cmd = Command::new(which("secret-tool"));
        r.sb.apply_env(&mut cmd);
        (r.backend)(&mut cmd);
        cmd.args(["search", "--all", "service", "envact-sts"]);
        let out = run(cmd);
        stdout(&out) + &stderr(&out)
    };
    assert!(run(r.envact(&["activate", "--", "true"])).status.success());
    assert!(kept().contains("/final"), "nothing kept: {}", kept());
    let out = run(r.envact(&["rotate"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!kept().contains("/final"), "still kept: {}", kept());
    assert_eq!(r.listed().unwrap().len(), 1);
}

/// Where IAM requires MFA to manage keys (the endpoint in front of moto
/// refuses long-term keys and sessions without MFA), rotate signs every
/// IAM call with an MFA session: the code is asked for (again when
/// rejected), the old key is deleted by that session, and the new key
/// works inside an activation.
#[test]
fn rotate_goes_through_an_mfa_session_where_iam_requires_mfa() {
    let text =
        manifest("file", "default") + "mfa_serial = \"arn:aws:iam::123456789012:mfa/alice\"\n";
    let r = Rotation::with(&text, encrypted_file);
    let gate = r.mfa_gate("123456");
    let through_gate = |args: &[&str]| {
        let mut cmd = r.envact(args);
        cmd.env("AWS_ENDPOINT_URL_IAM", &gate.url)
            .env("AWS_ENDPOINT_URL_STS", &gate.url);
        cmd
    };
    // The gate holds: the key alone may not list its own keys.
    let mut aws = Command::new(which("aws"));
    r.sb.apply_env(&mut aws);
    aws.env("AWS_ACCESS_KEY_ID", &r.first.id)
        .env("AWS_SECRET_ACCESS_KEY", &r.first.secret)
        .env("AWS_ENDPOINT_URL_IAM", &gate.url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .args(["iam", "list-access-keys"]);
    let refused = run(aws);
    assert!(
        stderr(&refused).contains("MultiFactorAuthPresent"),
        "{}",
        stderr(&refused)
    );

    let before = gate.requests().len();
    let mut p = support::spawn_pty(through_gate(&["rotate"]));
    p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/alice")
        .unwrap();
    p.send_line("111111").unwrap();
    p.exp_string("that code was rejected (attempt 2 of 3)")
        .unwrap();
    p.send_line("123456").unwrap();
    let said = p.exp_eof().unwrap();
    assert!(said.contains("rotated dev: the new key ("), "{said}");
    let asked = gate.requests().split_off(before);
    let actions: Vec<&str> = asked.iter().filter_map(|r| r["Action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "GetSessionToken",
            "GetSessionToken",
            "CreateAccessKey",
            "GetCallerIdentity",
            "DeleteAccessKey"
        ]
    );
    assert!(asked[1]["SerialNumber"].is_string(), "{asked:?}");

    // The new key, through a new MFA session, inside an activation.
    let mut p = support::spawn_pty(through_gate(LIST_KEYS));
    p.exp_string("MFA code for").unwrap();
    p.send_line("123456").unwrap();
    let listed = p.exp_eof().unwrap();
    let ids: Vec<&str> = listed
        .split_whitespace()
        .filter(|w| w.starts_with("AKIA"))
        .collect();
    assert_eq!(ids.len(), 1, "{listed}");
    assert_ne!(ids[0], r.first.id);
    r.assert_first_key_refused();
}

/// The MFA device may be said where the SDKs read it, in the profile's
/// section of ~/.aws/config (`[aws] profile`): rotate finds it there as a
/// resolution does.
#[test]
fn rotate_finds_the_mfa_device_in_the_aws_config_profile() {
    let text = manifest("file", "default") + "profile = \"alice\"\n";
    let r = Rotation::with(&text, encrypted_file);
    let aws_dir = r.sb.home.join(".aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    std::fs::write(
        aws_dir.join("config"),
        "[profile alice]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
    )
    .unwrap();
    let gate = r.mfa_gate("123456");
    let mut cmd = r.envact(&["rotate"]);
    cmd.env("AWS_ENDPOINT_URL_IAM", &gate.url)
        .env("AWS_ENDPOINT_URL_STS", &gate.url);
    let mut p = support::spawn_pty(cmd);
    p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/alice")
        .unwrap();
    p.send_line("123456").unwrap();
    let said = p.exp_eof().unwrap();
    assert!(said.contains("rotated dev: the new key ("), "{said}");
    r.assert_first_key_refused();
}

/// Where IAM requires MFA and the environment names no MFA device, the
/// key alone is refused: nothing changes, and the advice names the device.
#[test]
fn without_an_mfa_device_an_iam_that_requires_mfa_refuses_and_nothing_changes() {
    let r = Rotation::new("file", "default", encrypted_file);
    let gate = r.mfa_gate("123456");
    let mut cmd = r.envact(&["rotate"]);
    cmd.env("AWS_ENDPOINT_URL_IAM", &gate.url);
    support::assert_fails(
        &run(cmd),
        1,
        &[
            "IAM refused a new key: IAM CreateAccessKey failed with AccessDenied",
            "nothing changed, the stored key is the old one and works",
            "help: check that the user may create its own keys",
            "`envact setup --mfa-serial ARN`",
        ],
    );
    still_the_first(&r);
}

/// With a TOTP field beside the key (1Password, the stand-in), rotate's MFA
/// session takes the code from it, as activation does: no prompt, and the
/// field is still there beside the new key.
#[test]
fn rotate_takes_the_mfa_code_from_the_totp_field() {
    use support::op_standin::{OpStandin, SERVICE_TOKEN};
    let text = manifest("1password", "Engineering")
        + "mfa_serial = \"arn:aws:iam::123456789012:mfa/alice\"\n\
           [secrets.fields]\nmfa_totp = \"one-time password\"\n";
    let op = std::rc::Rc::new(std::cell::OnceCell::new());
    let shared = op.clone();
    let r = Rotation::with(&text, move |sb| {
        let standin = std::rc::Rc::new(OpStandin::new(sb));
        let _ = shared.set(standin.clone());
        Box::new(move |cmd: &mut Command| {
            standin.apply(cmd);
            cmd.env("OP_SERVICE_ACCOUNT_TOKEN", SERVICE_TOKEN);
        })
    });
    let op: &OpStandin = op.get().unwrap();
    let mut state = op.read();
    state["vaults"]["Engineering"]["items"]["dev"]["fields"]["one-time password"] =
        "totp:JBSWY3DPEHPK3PXP".into();
    op.write(&state);
    // Where IAM and STS take only the item's current code. A 30-second
    // window may turn between the code and the call: one retry (a rejected
    // code changes nothing).
    let with_current_code = |args: &[&str]| {
        (0..2).find_map(|_| {
            let code = crate::onepassword_totp::current_code();
            // The gate signs for the key the item holds now.
            let item = &op.read()["vaults"]["Engineering"]["items"]["dev"]["fields"];
            let stored = |field: &str| item[field].as_str().unwrap_or_default().to_string();
            let (id, secret) = (stored("username"), stored("credential"));
            let gate = support::sts::Endpoint::signing_for(
                &r.sb,
                &r.moto,
                &format!("iam-needs-mfa:{code}"),
                &[(&id, &secret)],
            );
            let mut cmd = r.envact(args);
            cmd.env("AWS_ENDPOINT_URL_IAM", &gate.url)
                .env("AWS_ENDPOINT_URL_STS", &gate.url);
            Some(run(cmd)).filter(|out| out.status.success())
        })
    };
    assert!(
        with_current_code(&["rotate"]).is_some(),
        "rotate did not use the item's current code"
    );
    let fields = &op.read()["vaults"]["Engineering"]["items"]["dev"]["fields"];
    assert_eq!(fields["one-time password"], "totp:JBSWY3DPEHPK3PXP");
    // Still a one-time password field: activation reads its code.
    let whoami = with_current_code(&["whoami"]).expect("no code from the field after rotation");
    assert!(
        stdout(&whoami).contains("assumed-role/dev"),
        "{}",
        stdout(&whoami)
    );
    r.assert_first_key_refused();
}

fn utc_day(at: std::time::SystemTime) -> u64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / 86_400
}

/// A key's age is IAM's when IAM tells it: activation asks (ListAccessKeys,
/// once a day) and `status`, `list` and `max_key_age` go by the key's
/// creation date, not by when envact stored it (here today, while IAM, the
/// logging endpoint dating moto's keys back, says 120 days).
#[test]
fn a_key_is_as_old_as_iam_says_once_iam_is_asked() {
    let text = manifest("file", "default").replace(
        "item = \"dev\"\n",
        "item = \"dev\"\nmax_key_age = \"90d\"\n",
    );
    let started = std::time::SystemTime::now();
    let r = Rotation::with(&text, encrypted_file);
    let iam = support::sts::Endpoint::start(&r.sb, &r.moto, "age:120");
    let with_iam = |args: &[&str]| {
        let mut cmd = r.envact(args);
        cmd.env("AWS_ENDPOINT_URL_IAM", &iam.url);
        cmd
    };
    let bin = support::envact_bin().display().to_string();
    let status = |cmd: Command| stdout(&run(cmd));
    let out = run(with_iam(&[
        "activate",
        "--",
        "aws",
        "sts",
        "get-caller-identity",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the key in dev was created 120 days ago, more than max_key_age (90 days): replace it with `envact rotate`"),
        "{}",
        stderr(&out)
    );
    let shown = status(with_iam(&["activate", "--", &bin, "status"]));
    assert!(
        shown.contains("key:         dev, created 120 days ago (`envact rotate` replaces it)"),
        "{shown}"
    );
    let mut p = support::spawn_pty(with_iam(&["list"]));
    let listed = p.exp_eof().unwrap();
    assert!(listed.contains("dev  key created 120 days ago"), "{listed}");
    // Once a day: the activations after the first did not ask again (a
    // run across midnight UTC may ask once more).
    let asked = iam.actions();
    let times = asked.iter().filter(|a| *a == "ListAccessKeys").count();
    let midnight = utc_day(started) != utc_day(std::time::SystemTime::now());
    assert!(times == 1 || (midnight && times == 2), "{asked:?}");
    // Rotated: the new key's date, from IAM's answer to CreateAccessKey.
    let out = run(with_iam(&["rotate"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = status(with_iam(&["activate", "--", &bin, "status"]));
    assert!(
        shown.contains("key:         dev, created 120 days ago"),
        "{shown}"
    );
}

/// Where IAM does not allow ListAccessKeys, or does not answer, the age is
/// when envact stored the key, and activation works as before, saying
/// nothing of it.
#[test]
fn a_key_is_as_old_as_its_storing_where_iam_will_not_say() {
    let r = Rotation::new("file", "default", encrypted_file);
    let iam = support::sts::Endpoint::start(&r.sb, &r.moto, "fail:ListAccessKeys:AccessDenied");
    let bin = support::envact_bin().display().to_string();
    for endpoint in [iam.url.as_str(), support::NO_IAM] {
        let mut cmd = r.envact(&["activate", "--", &bin, "status"]);
        cmd.env("AWS_ENDPOINT_URL_IAM", endpoint);
        let out = run(cmd);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("key:         dev, stored less than 2 hours ago"),
            "{}",
            stdout(&out)
        );
        assert!(!stderr(&out).contains("IAM"), "{}", stderr(&out));
    }
    assert_eq!(iam.actions(), ["ListAccessKeys"]);
}
