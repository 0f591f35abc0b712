//! A teammate answers what the manifest leaves to each person, with flags
//! (the non-interactive twin of the wizard): the answers file is written 0600
//! without secrets, `--show` says where each setting comes from, activation
//! uses the answers, and without a terminal missing answers fail at once.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use support::{run, stderr, stdout, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

const MANIFEST: &str = "version = 1\nname = \"team\"\n[secrets]\nbackend = \"file\"\n[secrets.fields]\naccess_key_id = \"key_id\"\n";

/// `envact ARGS` with the encrypted file's passphrase at hand.
fn envact(sb: &Sandbox, args: &[&str]) -> std::process::Command {
    let mut cmd = sb.envact(args);
    cmd.env("ENVACT_FILE_PASSPHRASE", "a test passphrase");
    cmd
}

fn answers_file(sb: &Sandbox) -> std::path::PathBuf {
    let dir = sb.config.join("envact/envs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.pop().unwrap()
}

#[test]
fn flags_write_the_answers_and_activation_uses_them() {
    let sb = Sandbox::with_manifest(MANIFEST);
    // Before: the item is missing, and activation says how to answer it.
    let out = run(sb.envact(["activate", "--", "true"]));
    support::assert_fails(&out, 1, &["envact setup --item NAME --yes"]);

    let out = run(sb.envact([
        "setup",
        "--item",
        "ci",
        "--field",
        "secret_access_key=secret",
        "--persist-backend-session",
        "--yes",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let path = answers_file(&sb);
    assert_eq!(stdout(&out).trim(), path.display().to_string());
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "item = \"ci\"\n\n[fields]\nsecret_access_key = \"secret\"\n\n\
         [persistence]\nbackend_session = true\n"
    );

    let out = run(sb.envact(["setup", "--show"]));
    let shown = stdout(&out);
    assert!(
        shown.contains("backend") && shown.contains("file") && shown.contains("(manifest)"),
        "{shown}"
    );
    let item_line = shown.lines().find(|l| l.starts_with("item ")).unwrap();
    assert!(
        item_line.contains("ci") && item_line.ends_with("(user file)"),
        "{shown}"
    );
    let secret_line = shown
        .lines()
        .find(|l| l.starts_with("fields.secret_access_key"))
        .unwrap();
    assert!(
        secret_line.contains("secret") && secret_line.ends_with("(user file)"),
        "{shown}"
    );
    let id_line = shown
        .lines()
        .find(|l| l.starts_with("fields.access_key_id"))
        .unwrap();
    assert!(id_line.ends_with("(manifest)"), "{shown}");
    let line = |key: &str| {
        shown
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no {key} in {shown}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("persistence.backend_session"),
        "persistence.backend_session true (user file)"
    );
    assert_eq!(
        line("persistence.sts_session"),
        "persistence.sts_session false (default)"
    );

    // `envact add` stores the keys under the answered field names, and
    // activation, which now has everything, reads them back.
    let out = support::run_with_stdin(
        envact(&sb, &["add", "ci", "--stdin"]),
        &support::keys_input(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(envact(&sb, &["activate", "--", "true"]));
    assert!(out.status.success(), "{}", stderr(&out));

    // The answers hold names, never values.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(SECRET_ACCESS_KEY) && !text.contains(ACCESS_KEY_ID));

    // --reconfigure starts over: with nothing given, the item is missing again.
    let out = run(sb.envact(["setup", "--reconfigure", "--yes"]));
    support::assert_fails(&out, 1, &["--item NAME"]);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("item = \"ci\""),
        "a failed setup changed the file"
    );
}

#[test]
fn without_a_terminal_missing_answers_fail_at_once_naming_the_flags() {
    let sb = Sandbox::with_manifest(
        "version = 1\n[secrets]\nbackend = \"1password\"\n[aws]\nrole_arn = \"arn:aws:iam::123456789012:role/x\"\n",
    );
    let out = run(sb.envact(["setup"]));
    let err = support::assert_fails(
        &out,
        1,
        &["you have not answered them: --item NAME, --vault VAULT"],
    );
    assert!(
        err.contains("help: run `envact setup` in a terminal, or `envact setup --item NAME --vault VAULT --yes`"),
        "{err}"
    );
    assert!(
        !sb.config.join("envact/envs").exists(),
        "nothing may be written"
    );

    // All given, but no --yes and no terminal: nothing is written either.
    let out = run(sb.envact(["setup", "--item", "x", "--vault", "Eng"]));
    support::assert_fails(&out, 1, &["nothing written (pass --yes"]);
    assert!(!sb.config.join("envact/envs").exists());
}

#[test]
fn bad_answers_are_refused_and_nothing_is_written() {
    let sb = Sandbox::with_manifest(MANIFEST);
    for (args, message) in [
        (
            vec![
                "--item",
                "ci",
                "--mfa-serial",
                "arn:aws:iam::1:mfa/x",
                "--yes",
            ],
            "--mfa-serial:",
        ),
        (
            vec!["--item", "ci", "--field", "password=x", "--yes"],
            "--field password=...: not a field envact reads",
        ),
    ] {
        let mut all = vec!["setup"];
        all.extend(args);
        support::assert_fails(&run(sb.envact(all)), 1, &[message]);
    }
    // A service-account token was promised on stdin, and none came.
    support::assert_fails(
        &support::run_with_stdin(sb.envact(["setup", "--op-token-stdin", "--yes"]), ""),
        1,
        &[
            "cannot read the service-account token: standard input was empty",
            "help: write the token on standard input: `envact setup --op-token-stdin --yes < FILE`",
        ],
    );
    assert!(!sb.config.join("envact/envs").exists());
    let out = run(sb.envact(["setup", "--field", "nonsense", "--yes"]));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_service_account_token_that_cannot_be_kept_writes_nothing() {
    use support::secret_service::SecretService;
    let sb = Sandbox::with_manifest("version = 1\n[secrets]\nbackend = \"1password\"\n");
    // A session bus with no Secret Service on it: the token has nowhere to go.
    let bus = SecretService::bus_only(&sb);
    let mut cmd = sb.envact([
        "setup",
        "--op-token-stdin",
        "--vault",
        "V",
        "--item",
        "I",
        "--yes",
    ]);
    bus.apply(&mut cmd);
    let out = support::run_with_stdin(cmd, "ops_some_token\n");
    support::assert_fails(
        &out,
        3,
        &["the service-account token could not be kept in the OS keyring"],
    );
    assert!(!sb.config.join("envact/envs").exists(), "answers written");
}

#[test]
fn an_answer_flag_the_manifest_fixes_is_refused_naming_the_line() {
    let sb = Sandbox::with_manifest(MANIFEST);
    let manifest = sb.project.join(".envact/manifest.toml");
    for (args, flag, at) in [
        (
            vec!["--field", "access_key_id=username"],
            "--field access_key_id=username",
            "6:17",
        ),
        (vec!["--backend", "keyring"], "--backend", "4:11"),
    ] {
        let mut all = vec!["setup", "--item", "ci"];
        all.extend(args);
        all.push("--yes");
        support::assert_fails(
            &run(sb.envact(all)),
            1,
            &[
                &format!(
                    "{flag} would never be used: the manifest sets {} itself, at {}:{at}",
                    if flag == "--backend" {
                        "backend"
                    } else {
                        "fields.access_key_id"
                    },
                    manifest.display()
                ),
                "help: drop the flag",
            ],
        );
    }
    assert!(!sb.config.join("envact/envs").exists(), "nothing written");
}

#[test]
fn answers_follow_the_project_to_a_second_clone_and_a_moved_checkout() {
    let sb = Sandbox::new();
    let checkout = |dir: &std::path::Path| {
        std::fs::create_dir_all(dir.join("svc/.envact")).unwrap();
        std::fs::write(dir.join("svc/.envact/manifest.toml"), MANIFEST).unwrap();
        for args in [
            vec!["init", "--quiet"],
            vec![
                "remote",
                "add",
                "origin",
                "git@git.example.com:team/payments.git",
            ],
        ] {
            let out = std::process::Command::new("git")
                .args(&args)
                .current_dir(dir)
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}");
        }
        dir.join("svc")
    };
    let first = checkout(&sb.root.join("first"));
    let out = run(sb.envact([
        "setup",
        "-d",
        first.to_str().unwrap(),
        "--item",
        "dev",
        "--yes",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));

    let item_shown = |project: &std::path::Path| {
        let out = run(sb.envact(["setup", "-d", project.to_str().unwrap(), "--show"]));
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("item ") && l.contains("dev") && l.ends_with("(user file)"))
    };
    // Another clone of the same repository (cloned with https), elsewhere.
    let second = checkout(&sb.root.join("work/second"));
    let out = std::process::Command::new("git")
        .args([
            "remote",
            "set-url",
            "origin",
            "https://git.example.com/team/payments",
        ])
        .current_dir(&second)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(item_shown(&second), "the second clone asks again");
    // The first checkout, moved.
    std::fs::rename(sb.root.join("first"), sb.root.join("moved")).unwrap();
    assert!(
        item_shown(&sb.root.join("moved/svc")),
        "the moved checkout asks again"
    );
    // Another repository is another environment.
    let other = sb.root.join("other");
    checkout(&other);
    let out = std::process::Command::new("git")
        .args([
            "remote",
            "set-url",
            "origin",
            "git@git.example.com:team/billing.git",
        ])
        .current_dir(&other)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!item_shown(&other.join("svc")));
}

/// A directory where the answers file goes: the error's own advice
/// (`setup --reconfigure --yes`) repairs an empty one; one with files in
/// it is not envact's to delete, and the error says to move it away.
#[test]
fn a_directory_in_place_of_the_answers_file_is_repaired_as_the_error_advises() {
    let sb = Sandbox::with_manifest(MANIFEST);
    let out = run(sb.envact(["setup", "--item", "ci", "--yes"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let path = answers_file(&sb);
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let out = run(sb.envact(["setup", "--show"]));
    support::assert_fails(
        &out,
        1,
        &["it is not a regular file", "envact setup --reconfigure"],
    );

    std::fs::write(path.join("notes"), "mine").unwrap();
    let out = run(sb.envact(["setup", "--reconfigure", "--item", "ci", "--yes"]));
    support::assert_fails(
        &out,
        1,
        &["a directory with files in it is there: move it away"],
    );
    assert!(path.join("notes").exists());

    std::fs::remove_file(path.join("notes")).unwrap();
    let out = run(sb.envact(["setup", "--reconfigure", "--item", "ci", "--yes"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "item = \"ci\"\n");
}
