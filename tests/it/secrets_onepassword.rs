//! A team keeps its AWS keys in 1Password. These tests run envact against the
//! `op` STAND-IN (tests/fixtures/op-standin/op), because 1Password's CLI cannot
//! be installed here; the stand-in mimics the documented commands and errors.

use crate::support;

use std::process::Command;
use support::op_standin::{OpStandin, PASSWORD, SERVICE_TOKEN};
use support::secret_service::SecretService;
use support::{
    keys_input, run, run_with_stdin, spawn_pty, stderr, stdout, Sandbox, ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
};

fn manifest(item: &str, extra: &str) -> String {
    format!(
        "version = 1\nname = \"op\"\n[secrets]\nbackend = \"1password\"\nvault = \"Engineering\"\nitem = \"{item}\"\n{extra}"
    )
}

fn envact(sb: &Sandbox, op: &OpStandin, token: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = sb.envact(args);
    op.apply(&mut cmd);
    if let Some(token) = token {
        cmd.env("OP_SERVICE_ACCOUNT_TOKEN", token);
    }
    cmd
}

#[test]
fn a_service_account_reads_the_keys_without_signing_in() {
    let sb = Sandbox::with_manifest(&manifest("aws-dev", ""));
    let op = OpStandin::new(&sb);
    let out = run(envact(
        &sb,
        &op,
        Some(SERVICE_TOKEN),
        &["activate", "--", "sh", "-c", "echo in"],
    ));
    assert_eq!(stdout(&out), "in\n", "{}", stderr(&out));
    assert_eq!(op.signins(), 0);

    let out = run(envact(
        &sb,
        &op,
        Some("ops_wrong"),
        &["activate", "--", "true"],
    ));
    support::assert_fails(
        &out,
        3,
        &["not signed in: the service account token was refused"],
    );
}

#[test]
fn signed_out_without_a_terminal_fails_at_once_saying_how_to_sign_in() {
    let sb = Sandbox::with_manifest(&manifest("aws-dev", ""));
    let op = OpStandin::new(&sb);
    let out = run(envact(&sb, &op, None, &["activate", "--", "true"]));
    let err = support::assert_fails(
        &out,
        3,
        &["error: 1Password's `op` is not signed in: [ERROR]"],
    );
    assert!(err.contains("You are not currently signed in"), "{err}");
    assert!(
        err.contains("(and there is no terminal to sign in on)"),
        "{err}"
    );
    assert!(err.contains("help: run `op signin`"), "{err}");
}

/// `envact activate -- sh -c 'echo activated'` on a terminal, answering op's
/// password prompt when `expect_prompt`.
fn activate_on_terminal(sb: &Sandbox, op: &OpStandin, ss: &SecretService, expect_prompt: bool) {
    let mut cmd = envact(
        sb,
        op,
        None,
        &["activate", "--", "sh", "-c", "echo activated"],
    );
    ss.apply(&mut cmd);
    let mut p = spawn_pty(cmd);
    if expect_prompt {
        p.exp_string("Enter the password for test@example.com at my.1password.com:")
            .unwrap();
        p.send_line(PASSWORD).unwrap();
    }
    p.exp_string("activated").unwrap();
    p.exp_eof().unwrap();
}

/// The 1Password session token envact keeps in the keyring, if any.
fn kept_session(sb: &Sandbox, ss: &SecretService) -> String {
    ss.secret_tool(
        sb,
        &[
            "lookup",
            "service",
            "envact-sessions",
            "username",
            "1password",
        ],
    )
}

#[test]
fn signs_in_on_the_terminal_keeps_the_session_in_the_keyring_and_renews_it_when_expired() {
    let sb = Sandbox::with_manifest(&manifest(
        "aws-dev",
        "[persistence]\nbackend_session = true\n",
    ));
    let op = OpStandin::new(&sb);
    let ss = SecretService::start(&sb);

    activate_on_terminal(&sb, &op, &ss, true);
    assert_eq!(op.signins(), 1);

    // The session token went to the keyring, in its own namespace...
    assert!(
        !kept_session(&sb, &ss).trim().is_empty(),
        "no session token in the keyring"
    );

    // ...so a later activation, even without a terminal, needs no sign-in.
    let mut cmd = envact(&sb, &op, None, &["activate", "--", "true"]);
    ss.apply(&mut cmd);
    let out = run(cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(op.signins(), 1);

    // 1Password expires the session: envact notices, signs in again, and works.
    op.expire_sessions();
    activate_on_terminal(&sb, &op, &ss, true);
    assert_eq!(op.signins(), 2);
    let mut cmd = envact(&sb, &op, None, &["activate", "--", "true"]);
    ss.apply(&mut cmd);
    assert!(run(cmd).status.success());
}

#[test]
fn without_backend_session_persistence_nothing_is_kept() {
    let sb = Sandbox::with_manifest(&manifest("aws-dev", ""));
    let op = OpStandin::new(&sb);
    let ss = SecretService::start(&sb);
    activate_on_terminal(&sb, &op, &ss, true);
    let mut cmd = envact(&sb, &op, None, &["activate", "--", "true"]);
    ss.apply(&mut cmd);
    let out = run(cmd);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the session must not have been kept"
    );
    assert_eq!(kept_session(&sb, &ss), "");
}

#[test]
fn a_missing_item_or_field_is_named_with_what_exists() {
    let sb = Sandbox::with_manifest(&manifest("nope", ""));
    let op = OpStandin::new(&sb);
    let out = run(envact(
        &sb,
        &op,
        Some(SERVICE_TOKEN),
        &["activate", "--", "true"],
    ));
    support::assert_fails(
        &out,
        1,
        &["no item \"nope\" in the 1Password vault \"Engineering\" (items there: aws-dev)"],
    );
    sb.write_manifest(&manifest(
        "aws-dev",
        "[secrets.fields]\naccess_key_id = \"access key id\"\n",
    ));
    let out = run(envact(
        &sb,
        &op,
        Some(SERVICE_TOKEN),
        &["activate", "--", "true"],
    ));
    support::assert_fails(&out, 1, &["item \"aws-dev\" in the 1Password vault \"Engineering\" has no field \"access key id\" (its fields: credential, one-time password, username)"]);
}

#[test]
fn add_pipes_an_item_template_replaces_the_old_item_and_remove_deletes_it() {
    let sb = Sandbox::with_manifest(&manifest("aws-new", ""));
    let op = OpStandin::new(&sb);
    for _ in 0..2 {
        let out = run_with_stdin(
            envact(
                &sb,
                &op,
                Some(SERVICE_TOKEN),
                &["add", "aws-new", "--stdin"],
            ),
            &keys_input(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let state = op.read();
    let items = state["vaults"]["Engineering"]["items"].as_object().unwrap();
    assert_eq!(items.len(), 2, "aws-dev and one aws-new: {items:?}");
    assert_eq!(items["aws-new"]["fields"]["username"], ACCESS_KEY_ID);
    assert_eq!(items["aws-new"]["fields"]["credential"], SECRET_ACCESS_KEY);

    let out = run(envact(&sb, &op, Some(SERVICE_TOKEN), &["list"]));
    assert_eq!(stdout(&out), "aws-dev\naws-new\n");
    let out = run(envact(
        &sb,
        &op,
        Some(SERVICE_TOKEN),
        &["activate", "--", "true"],
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(envact(
        &sb,
        &op,
        Some(SERVICE_TOKEN),
        &["remove", "aws-new"],
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&run(envact(&sb, &op, Some(SERVICE_TOKEN), &["list"]))),
        "aws-dev\n"
    );

    // No secret ever went on op's command line.
    let argv = std::fs::read_to_string(&op.argv_log).unwrap();
    assert!(argv.contains("\"item\", \"create\""), "{argv}");
    assert!(
        !argv.contains(SECRET_ACCESS_KEY) && !argv.contains(ACCESS_KEY_ID),
        "{argv}"
    );
}

#[test]
fn op_not_installed_names_it() {
    let sb = Sandbox::with_manifest(&manifest("aws-dev", ""));
    let mut cmd = sb.envact(["activate", "--", "true"]);
    cmd.env("PATH", support::envact_bin().parent().unwrap());
    let out = run(cmd);
    support::assert_fails(
        &out,
        3,
        &["`op` is not installed (needed for the 1password backend)"],
    );
}

#[test]
fn reading_from_1password_shows_the_spinner_and_op_signs_in_without_it_in_the_way() {
    let sb = Sandbox::with_manifest(&manifest("aws-dev", ""));
    let op = OpStandin::new(&sb);
    let mut cmd = envact(
        &sb,
        &op,
        None,
        &["activate", "--", "sh", "-c", "echo in-$((40+2))"],
    );
    cmd.env("TERM", "xterm-256color");
    let mut p = spawn_pty(cmd);
    // The read starts behind the spinner; op's own password prompt then has
    // the terminal to itself, and the read goes on.
    p.exp_string("Reading the long-term keys from the 1Password vault \"Engineering\"")
        .unwrap();
    p.exp_string("Enter the password for test@example.com at my.1password.com:")
        .unwrap();
    p.send_line(PASSWORD).unwrap();
    p.exp_string("in-42").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(op.signins(), 1);
}

#[test]
fn a_mistyped_password_is_asked_again_three_times_in_all() {
    let sb = Sandbox::with_manifest(&manifest("aws-dev", ""));
    let op = OpStandin::new(&sb);
    let mut p = spawn_pty(envact(
        &sb,
        &op,
        None,
        &["activate", "--", "sh", "-c", "echo in-$((40+2))"],
    ));
    let prompt = "Enter the password for test@example.com at my.1password.com:";
    p.exp_string(prompt).unwrap();
    p.send_line("wrong").unwrap();
    p.exp_string("that password was refused (attempt 2 of 3)")
        .unwrap();
    p.exp_string(prompt).unwrap();
    p.send_line(PASSWORD).unwrap();
    p.exp_string("in-42").unwrap();
    p.exp_eof().unwrap();
    // Three wrong ones: refused, nothing started.
    let mut p = spawn_pty(envact(
        &sb,
        &op,
        None,
        &["activate", "--", "sh", "-c", "echo in-$((40+2))"],
    ));
    for _ in 0..3 {
        p.exp_string(prompt).unwrap();
        p.send_line("wrong").unwrap();
    }
    p.exp_string("`op signin` did not succeed (3 tries)")
        .unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("in-42"), "{rest}");
}
