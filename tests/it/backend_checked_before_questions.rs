//! A newcomer whose machine lacks what the backend needs (1Password's `op`,
//! an initialised pass store, a working keyring) learns it at once, with the
//! fix and a backend that works here, before any question is asked or any
//! key typed: at `init` (a warning), `add`, and the first `activate`'s wizard.

use crate::support;

use std::path::Path;
use std::process::Command;

use support::secret_service::SecretService;
use support::{stderr, Sandbox};

/// What any question of `add` or the wizard would print.
const QUESTIONS: [&str; 8] = [
    "How does op sign in",
    "1Password vault",
    "Item holding your AWS keys",
    "AWS access key id",
    "Keyring service",
    "Folder in the pass store",
    "[Y/n]",
    "[y/N]",
];

/// Runs `cmd` on a terminal to its end; asserts it failed with `error`
/// (and `help`) and asked nothing before.
fn refused_before_asking(cmd: Command, error: &str, help: &str) -> String {
    let mut p = support::spawn_pty(cmd);
    let shown = p.exp_eof().unwrap();
    for question in QUESTIONS {
        assert!(
            !shown.contains(question),
            "asked {question:?} before the error: {shown}"
        );
    }
    assert!(shown.contains(&format!("error: {error}")), "{shown}");
    assert!(shown.contains(&format!("help: {help}")), "{shown}");
    shown
}

/// PATH with envact and nothing else: no `op`, no `pass`.
fn bare_path() -> String {
    support::envact_bin()
        .parent()
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn op_not_installed_is_said_at_init_and_before_any_question_of_activate_or_add() {
    let sb = Sandbox::new();
    let bare = |args: &[&str]| {
        let mut cmd = sb.envact(args);
        cmd.env("PATH", bare_path());
        cmd
    };
    // init writes the team's manifest all the same, and warns.
    let out = support::run(bare(&["init", "--template", "aws-1password"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: `op` is not installed (needed for the 1password backend)"),
        "{err}"
    );
    assert!(
        err.contains("`envact init --template aws-file`"),
        "no working backend offered: {err}"
    );
    assert!(sb.project.join(".envact/manifest.toml").is_file());

    let error = "`op` is not installed (needed for the 1password backend)";
    let help = "install it: see https://developer.1password.com/docs/cli/get-started/; or keep the keys in envact's encrypted file, which needs nothing installed";
    refused_before_asking(bare(&["activate", "--", "true"]), error, help);
    refused_before_asking(bare(&["add", "dev"]), error, help);
    refused_before_asking(bare(&["setup"]), error, help);
    assert!(!sb.config.join("envact/envs").exists(), "answers written");
}

#[test]
fn an_uninitialised_pass_store_is_said_before_any_question() {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"team\"\n[secrets]\nbackend = \"pass\"\nvault = \"aws\"\n[aws]\n",
    );
    let store = sb.home.join(".password-store");
    std::fs::create_dir_all(&store).unwrap();
    let cmd = |args: &[&str]| {
        let mut cmd = sb.envact(args);
        cmd.env("PASSWORD_STORE_DIR", &store);
        cmd
    };
    let error = format!(
        "the pass store at {} is not initialised (it has no .gpg-id)",
        store.display()
    );
    let help = "run `pass init YOUR-GPG-KEY-ID`";
    refused_before_asking(cmd(&["activate", "--", "true"]), &error, help);
    refused_before_asking(cmd(&["add", "dev"]), &error, help);
    // And `list` says the same, rather than "no items".
    let out = support::run(cmd(&["list"]));
    support::assert_fails(&out, 3, &[&error, help]);

    // A store initialised for the folder alone is initialised.
    std::fs::create_dir_all(store.join("aws")).unwrap();
    std::fs::write(store.join("aws/.gpg-id"), "someone@example.com\n").unwrap();
    let out = support::run(cmd(&["list"]));
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_keyring_without_a_secret_service_is_said_before_any_question() {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"team\"\n[secrets]\nbackend = \"keyring\"\n[aws]\n",
    );
    let bus = SecretService::bus_only(&sb);
    let cmd = |args: &[&str]| {
        let mut cmd = sb.envact(args);
        bus.apply(&mut cmd);
        cmd
    };
    let error = "the keyring backend is not available: Secret Service";
    let help = "start a Secret Service";
    refused_before_asking(cmd(&["activate", "--", "true"]), error, help);
    let shown = refused_before_asking(cmd(&["add", "dev"]), error, help);
    assert!(shown.contains("envact's encrypted file"), "{shown}");
}

#[test]
fn a_backend_chosen_in_the_wizard_is_checked_before_its_questions() {
    // [aws] without [secrets]: each person chooses; 1Password, without op.
    let sb = Sandbox::with_manifest("version = 1\nname = \"team\"\n[aws]\n");
    let mut cmd = sb.envact(["setup"]);
    cmd.env("PATH", bare_path());
    let mut p = support::spawn_pty(cmd);
    p.exp_string("Where are your long-term AWS keys kept?")
        .unwrap();
    // Nothing is ready here: the encrypted file is offered; 1password is
    // three lines up.
    p.exp_string("> file").unwrap();
    p.exp_string("env").unwrap();
    for _ in 0..3 {
        p.send("\x1b[A").unwrap();
    }
    p.send_line("").unwrap();
    let shown = p.exp_eof().unwrap();
    assert!(!shown.contains("How does op sign in"), "{shown}");
    assert!(
        shown.contains("error: `op` is not installed (needed for the 1password backend)"),
        "{shown}"
    );
    assert!(!Path::new(&sb.config.join("envact/envs")).exists());
}
