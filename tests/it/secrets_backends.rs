//! A person stores their long-term AWS keys once (`envact add`), sees them
//! listed by name (`envact list`), activation reads them, and `envact remove`
//! takes them away: against the real Secret Service, kernel keyutils, pass with
//! gpg, the encrypted file, and environment variables.

use crate::support;

use std::process::{Command, Output};
use support::pass_store::PassStore;
use support::secret_service::SecretService;
use support::{
    keys_input, run, run_with_stdin, stderr, stdout, which, Sandbox, ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
};

fn manifest(secrets: &str) -> String {
    format!("version = 1\nname = \"sec\"\n[secrets]\n{secrets}\n")
}

/// A sandbox plus the extra environment a backend needs.
struct Env<'a> {
    sb: &'a Sandbox,
    extra: Vec<(&'static str, String)>,
    wrap: Option<Vec<String>>,
}

impl<'a> Env<'a> {
    /// envact on the session bus `bus` (with or without a Secret Service on it).
    fn on_bus(sb: &'a Sandbox, bus: &SecretService) -> Env<'a> {
        Env {
            sb,
            extra: vec![("DBUS_SESSION_BUS_ADDRESS", bus.address.clone())],
            wrap: None,
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = match &self.wrap {
            // Run envact under a wrapper, e.g. `keyctl session -`.
            Some(wrap) => {
                let mut c = Command::new(&wrap[0]);
                self.sb.apply_env(&mut c);
                c.args(&wrap[1..]).arg(support::envact_bin());
                c
            }
            None => self.sb.envact(Vec::<&str>::new()),
        };
        cmd.args(args);
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
        cmd
    }

    fn ok(&self, args: &[&str]) -> Output {
        let out = run(self.cmd(args));
        assert!(out.status.success(), "envact {args:?}: {}", stderr(&out));
        out
    }

    fn add(&self, args: &[&str], input: &str) -> Output {
        let mut all = vec!["add"];
        all.extend(args);
        all.push("--stdin");
        run_with_stdin(self.cmd(&all), input)
    }

    fn fails(&self, args: &[&str], code: i32, message: &str) -> String {
        support::assert_fails(&run(self.cmd(args)), code, &[message])
    }
}

/// The journey every writable backend must support, from an empty store.
fn round_trip(env: &Env, item: &str, other_items: &[&str]) {
    let out = env.add(&[item], &keys_input());
    assert!(out.status.success(), "add: {}", stderr(&out));
    assert!(stderr(&out).contains(&format!("stored the access key as {item:?}")));

    let listed = stdout(&env.ok(&["list"]));
    let mut expected: Vec<&str> = other_items.to_vec();
    expected.push(item);
    expected.sort();
    assert_eq!(listed.lines().collect::<Vec<_>>(), expected, "list");
    assert!(!listed.contains(SECRET_ACCESS_KEY) && !listed.contains(ACCESS_KEY_ID));

    // Activation reads both halves before the shell starts.
    let out = env.ok(&["activate", "--", "sh", "-c", "echo activated"]);
    assert_eq!(stdout(&out), "activated\n");

    // A bad key is refused and what was stored stays.
    let out = env.add(&[item], &format!("not-a-key-id\n{SECRET_ACCESS_KEY}\n"));
    support::assert_fails(&out, 1, &["the access key id is not an AWS access key id"]);
    env.ok(&["activate", "--", "true"]);

    env.ok(&["remove", item]);
    let listed = stdout(&env.ok(&["list"]));
    assert!(!listed.lines().any(|l| l == item), "{listed}");
    env.fails(&["remove", item], 1, &format!("no item {item:?}"));
    env.fails(&["activate", "--", "true"], 1, &format!("no item {item:?}"));
}

#[test]
fn keyring_through_the_real_secret_service() {
    let sb = Sandbox::with_manifest(&manifest(
        "backend = \"keyring\"\nvault = \"envact-test\"\nitem = \"dev\"",
    ));
    let ss = SecretService::start(&sb);
    let env = Env::on_bus(&sb, &ss);
    let out = env.add(&["dev"], &keys_input());
    assert!(out.status.success(), "{}", stderr(&out));
    // It really is in the Secret Service, where secret-tool finds it.
    let found = ss.secret_tool(
        &sb,
        &[
            "lookup",
            "service",
            "envact-test",
            "username",
            "dev/secret_access_key",
        ],
    );
    assert_eq!(found.trim_end(), SECRET_ACCESS_KEY);
    env.ok(&["remove", "dev"]);

    round_trip(&env, "dev", &[]);

    // Errors name the place and list what exists.
    let out = env.add(&["other"], &keys_input());
    assert!(out.status.success());
    sb.write_manifest(&manifest(
        "backend = \"keyring\"\nvault = \"envact-test\"\nitem = \"nope\"",
    ));
    env.fails(
        &["activate", "--", "true"],
        1,
        "no item \"nope\" in the Secret Service (service \"envact-test\") (items there: other)",
    );
    sb.write_manifest(&manifest(
        "backend = \"keyring\"\nvault = \"envact-test\"\nitem = \"other\"\n[secrets.fields]\naccess_key_id = \"key_id\"",
    ));
    env.fails(
        &["activate", "--", "true"],
        1,
        "item \"other\" in the Secret Service (service \"envact-test\") has no field \"key_id\" (its fields: access_key_id, secret_access_key)",
    );
}

#[test]
fn keyring_without_a_secret_service_says_what_to_start() {
    let sb = Sandbox::with_manifest(&manifest("backend = \"keyring\"\nitem = \"dev\""));
    let bus = SecretService::bus_only(&sb);
    let env = Env::on_bus(&sb, &bus);
    let out = env.add(&["dev"], &keys_input());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: the keyring backend is not available: Secret Service"),
        "{err}"
    );
    assert!(err.contains("help: start a Secret Service"), "{err}");
    env.fails(
        &["activate", "--", "true"],
        3,
        "the keyring backend is not available",
    );
}

#[test]
fn a_locked_keyring_is_reported_and_nothing_changes() {
    let sb = Sandbox::with_manifest(&manifest(
        "backend = \"keyring\"\nvault = \"envact-test\"\nitem = \"dev\"",
    ));
    let ss = SecretService::start(&sb);
    let env = Env::on_bus(&sb, &ss);
    assert!(env.add(&["dev"], &keys_input()).status.success());
    ss.lock(&sb);
    for args in [&["list"][..], &["activate", "--", "true"]] {
        let err = env.fails(
            args,
            3,
            "the keyring backend is not available: Secret Service",
        );
        assert!(
            err.contains("help: the keyring is locked: unlock it"),
            "{err}"
        );
    }
    let out = env.add(&["other"], &keys_input());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // Still there, once unlocked: log in again (restart with the password).
    drop(ss);
    let ss = SecretService::start(&sb);
    let env = Env::on_bus(&sb, &ss);
    assert_eq!(stdout(&env.ok(&["list"])), "dev\n");
}

#[test]
fn keyring_through_kernel_keyutils_in_a_session_keyring() {
    // The uid keyrings are shared by every process of the user: a unique service.
    let service = format!("envact-test-{}", std::process::id());
    let sb = Sandbox::with_manifest(&manifest(&format!(
        "backend = \"keyring\"\nvault = \"{service}\"\nitem = \"dev\""
    )));
    let env = Env {
        sb: &sb,
        extra: vec![("ENVACT_KEYRING", "keyutils".into())],
        wrap: Some(vec![
            which("keyctl").display().to_string(),
            "session".into(),
            "-".into(),
        ]),
    };
    // Each command runs in a fresh session keyring: what persists across them
    // is the user's persistent keyring, as for a real user.
    round_trip(&env, "dev", &[]);
}

/// One answer from `add`, `list` and the wizard: keys written there would
/// vanish when envact ends (the wizard once "stored" them, `list` then said
/// there were none).
#[test]
fn keyutils_without_a_session_keyring_is_refused_alike_by_add_list_and_the_wizard() {
    let session = Command::new(which("keyctl"))
        .args(["describe", "@s"])
        .output()
        .unwrap();
    if !support::prerequisite(
        String::from_utf8_lossy(&session.stdout).contains("_uid_ses."),
        "the tests must run without a session keyring of their own (keyctl describe @s: _uid_ses.)",
    ) {
        return;
    }
    let service = format!("envact-test-nosession-{}", std::process::id());
    let sb = Sandbox::with_manifest(&format!(
        "version = 1\nname = \"team\"\n[secrets]\nbackend = \"keyring\"\nvault = \"{service}\"\n"
    ));
    let env = Env {
        sb: &sb,
        extra: vec![("ENVACT_KEYRING", "keyutils".into())],
        wrap: None,
    };
    let said = [
        "error: ENVACT_KEYRING chooses the kernel keyring (keyutils), and this process has no session keyring of its own",
        "help: the kernel keyring needs a session keyring: run envact under `keyctl session -`",
    ];
    let out = env.add(&["dev"], &keys_input());
    let err = support::assert_fails(&out, 3, &said);
    assert!(!err.contains("stored the access key"), "{err}");
    let out = run(env.cmd(&["list"]));
    support::assert_fails(&out, 3, &said);
    // The wizard: refused before its first question, where it once took
    // the keys and "stored" them.
    let mut p = support::spawn_pty(env.cmd(&["setup"]));
    let shown = p.exp_eof().unwrap();
    for line in said {
        assert!(shown.contains(line), "{shown}");
    }
    assert!(!shown.contains("Item holding"), "{shown}");
}

#[test]
fn pass_with_a_throwaway_gpg_key() {
    let sb = Sandbox::with_manifest(&manifest(
        "backend = \"pass\"\nvault = \"aws\"\nitem = \"dev\"",
    ));
    let ps = PassStore::init(&sb);
    let env = Env {
        sb: &sb,
        extra: vec![
            ("GNUPGHOME", ps.gnupghome.display().to_string()),
            ("PASSWORD_STORE_DIR", ps.store.display().to_string()),
        ],
        wrap: None,
    };
    let out = env.add(&["dev"], &keys_input());
    assert!(out.status.success(), "{}", stderr(&out));
    // The entry is what pass users expect: the secret first, then named fields.
    let mut show = Command::new(which("pass"));
    sb.apply_env(&mut show);
    ps.apply(&mut show);
    show.args(["show", "aws/dev"]);
    assert_eq!(
        stdout(&run(show)),
        format!("{SECRET_ACCESS_KEY}\naccess_key_id: {ACCESS_KEY_ID}\n")
    );
    assert!(ps.store.join("aws/dev.gpg").is_file());
    env.ok(&["remove", "dev"]);

    round_trip(&env, "dev", &[]);

    assert!(env.add(&["dev"], &keys_input()).status.success());
    sb.write_manifest(&manifest(
        "backend = \"pass\"\nvault = \"aws\"\nitem = \"dev\"\n[secrets.fields]\naccess_key_id = \"id\"",
    ));
    env.fails(
        &["activate", "--", "true"],
        1,
        "item \"dev\" in the password store under aws/ has no field \"id\" (its fields: password, access_key_id)",
    );
}

#[test]
fn pass_not_installed_names_the_program_and_how_to_get_it() {
    let sb = Sandbox::with_manifest(&manifest("backend = \"pass\"\nitem = \"dev\""));
    let env = Env {
        sb: &sb,
        extra: vec![(
            "PATH",
            support::envact_bin()
                .parent()
                .unwrap()
                .display()
                .to_string(),
        )],
        wrap: None,
    };
    let out = env.add(&["dev"], &keys_input());
    let err = support::assert_fails(
        &out,
        3,
        &["`pass` is not installed (needed for the pass backend)"],
    );
    assert!(err.contains("help: install it: apt install pass"), "{err}");
}

fn file_env<'a>(sb: &'a Sandbox, passphrase: &str) -> Env<'a> {
    Env {
        sb,
        extra: vec![("ENVACT_FILE_PASSPHRASE", passphrase.into())],
        wrap: None,
    }
}

#[test]
fn encrypted_file_round_trip_private_modes() {
    let sb = Sandbox::with_manifest(&manifest("backend = \"file\"\nitem = \"dev\""));
    let env = file_env(&sb, "correct horse battery staple");
    round_trip(&env, "dev", &[]);
    let file = sb.config.join("envact/secrets/default.age");
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
}

#[test]
fn encrypted_file_wrong_passphrase_and_corruption_change_nothing() {
    let sb = Sandbox::with_manifest(&manifest("backend = \"file\"\nitem = \"dev\""));
    let good = file_env(&sb, "right passphrase");
    assert!(good.add(&["dev"], &keys_input()).status.success());
    let file = sb.config.join("envact/secrets/default.age");
    let before = std::fs::read(&file).unwrap();

    let bad = file_env(&sb, "wrong passphrase");
    bad.fails(
        &["activate", "--", "true"],
        1,
        &format!("wrong passphrase for {}", file.display()),
    );
    let out = bad.add(&["other"], &keys_input());
    support::assert_fails(&out, 1, &["wrong passphrase"]);
    bad.fails(&["remove", "dev"], 1, "wrong passphrase");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "a failed operation changed the file"
    );

    // Damage in the encrypted payload.
    let mut damaged = before.clone();
    let n = damaged.len();
    damaged[n - 20] ^= 0xff;
    std::fs::write(&file, &damaged).unwrap();
    good.fails(&["list"], 3, "is not a readable envact secrets file");
    // Not an age file at all.
    std::fs::write(&file, b"AKIA... plain text").unwrap();
    let err = good.fails(
        &["activate", "--", "true"],
        3,
        "is not a readable envact secrets file",
    );
    assert!(
        err.contains("help: restore the file from a backup"),
        "{err}"
    );
}

#[test]
fn env_backend_reads_named_variables_and_is_read_only() {
    // No item: env reads variables, and nobody is asked for one.
    let sb = Sandbox::with_manifest(&manifest(
        "backend = \"env\"\n[secrets.fields]\naccess_key_id = \"CI_AWS_ID\"\nsecret_access_key = \"CI_AWS_SECRET\"",
    ));
    let with = Env {
        sb: &sb,
        extra: vec![
            ("CI_AWS_ID", ACCESS_KEY_ID.into()),
            ("CI_AWS_SECRET", SECRET_ACCESS_KEY.into()),
        ],
        wrap: None,
    };
    with.ok(&["activate", "--", "true"]);
    let without = Env {
        sb: &sb,
        extra: vec![("CI_AWS_ID", ACCESS_KEY_ID.into())],
        wrap: None,
    };
    without.fails(
        &["activate", "--", "true"],
        1,
        "environment variable CI_AWS_SECRET is not set",
    );
    let out = with.add(&["ci"], &keys_input());
    support::assert_fails(&out, 1, &["the env backend is read-only"]);
    // Said before anyone is asked for a key: no terminal needed to learn it.
    let out = run(sb.envact(["add", "ci"]));
    let err = support::assert_fails(
        &out,
        1,
        &["the env backend is read-only: envact cannot store keys in the environment"],
    );
    assert!(!err.contains("no terminal"), "{err}");
}

#[test]
fn add_without_terminal_or_stdin_fails_fast_and_backend_must_be_known() {
    let sb = Sandbox::new();
    let out = run(sb.envact(["add", "dev", "--backend", "file"]));
    support::assert_fails(&out, 1, &["there is no terminal to ask on"]);
    assert!(stderr(&out).contains("--stdin"), "{}", stderr(&out));
    let out = run(sb.envact(["list"]));
    support::assert_fails(&out, 1, &["no secrets backend is configured"]);
    let out = run(sb.envact(["list", "--backend", "lastpass"]));
    support::assert_fails(
        &out,
        2,
        &["expected one of 1password, keyring, pass, file, env"],
    );
}

#[test]
fn add_asks_on_the_terminal_with_hidden_input_and_confirms_a_new_files_passphrase() {
    let sb = Sandbox::new();
    let mut p = support::spawn_pty(sb.envact(["add", "dev", "--backend", "file"]));
    let mut shown = String::new();
    for (prompt, answer) in [
        ("AWS access key id", ACCESS_KEY_ID),
        ("AWS secret access key", SECRET_ACCESS_KEY),
        ("Passphrase for", "terminal passphrase"),
        ("Repeat the passphrase", "terminal passphrase"),
    ] {
        shown += &p.exp_string(prompt).unwrap();
        p.send_line(answer).unwrap();
    }
    shown += &p.exp_string("stored the access key as \"dev\"").unwrap();
    shown += &p.exp_eof().unwrap();
    // Hidden input: nothing typed was echoed to the terminal.
    for typed in [ACCESS_KEY_ID, SECRET_ACCESS_KEY, "terminal passphrase"] {
        assert!(!shown.contains(typed), "{typed} was echoed: {shown}");
    }
    let listed = file_env(&sb, "terminal passphrase").ok(&["list", "--backend", "file"]);
    assert_eq!(stdout(&listed), "dev\n");
}
