//! A teammate's first `envact activate` in a project: the wizard asks, on the
//! terminal, for what the manifest leaves to them, with defaults detected on
//! the machine, checks the answers against the real backend (gnome-keyring's
//! Secret Service, the 1Password stand-in), writes them 0600 without a secret,
//! and the next activation asks nothing. Ctrl-C or Ctrl-D writes nothing.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use support::op_standin::{self, OpStandin};
use support::secret_service::SecretService;
use support::sts::Moto;
use support::{Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

const MFA: &str = "arn:aws:iam::123456789012:mfa/alice";

fn answers_dir(sb: &Sandbox) -> PathBuf {
    sb.config.join("envact/envs")
}

fn answers_file(sb: &Sandbox) -> PathBuf {
    let mut files: Vec<_> = std::fs::read_dir(answers_dir(sb))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.pop().unwrap()
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Waits for `prompt`, then types `reply` and Enter.
fn answer(p: &mut rexpect::session::PtySession, prompt: &str, reply: &str) {
    p.exp_string(prompt).unwrap();
    p.send_line(reply).unwrap();
}

/// A yes/no answer, typed as a person does: the letter, then Enter.
fn yes_no(p: &mut rexpect::session::PtySession, k: &str) {
    p.send_line(k).unwrap();
}

struct KeyringProject {
    sb: Sandbox,
    ss: SecretService,
    moto: Moto,
}

impl KeyringProject {
    /// A manifest leaving vault, item, fields, MFA device and persistence open;
    /// the keys stored as `dev` in the keyring; one profile with an MFA device
    /// in ~/.aws/config.
    fn new() -> KeyringProject {
        let e = KeyringProject::empty();
        let out =
            support::run_with_stdin(e.cmd(&["add", "dev", "--stdin"]), &support::keys_input());
        assert!(out.status.success(), "{}", support::stderr(&out));
        e
    }

    /// The same, before any key was stored.
    fn empty() -> KeyringProject {
        let sb = Sandbox::with_manifest(
            "version = 1\nname = \"team\"\n[secrets]\nbackend = \"keyring\"\n[aws]\n",
        );
        std::fs::create_dir_all(sb.home.join(".aws")).unwrap();
        std::fs::write(
            sb.home.join(".aws/config"),
            format!("[profile dev]\nregion = eu-west-1\nmfa_serial = {MFA}\n"),
        )
        .unwrap();
        let ss = SecretService::start(&sb);
        let moto = Moto::start(&sb);
        KeyringProject { sb, ss, moto }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.sb.envact(args);
        self.ss.apply(&mut cmd);
        cmd.env("AWS_ENDPOINT_URL_STS", &self.moto.url)
            .env("AWS_REGION", "us-east-1");
        cmd
    }
}

/// A manifest for 1Password, the Secret Service (for kept sessions and
/// tokens) and the op stand-in, on a device where op knows no account yet.
struct OpProject {
    sb: Sandbox,
    ss: SecretService,
    op: OpStandin,
}

impl OpProject {
    fn new(manifest: &str) -> OpProject {
        let sb = Sandbox::with_manifest(manifest);
        let ss = SecretService::start(&sb);
        let op = OpStandin::new(&sb);
        op.forget_account();
        OpProject { sb, ss, op }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.sb.envact(args);
        self.ss.apply(&mut cmd);
        self.op.apply(&mut cmd);
        cmd
    }

    /// The service-account token is in no file of HOME and on no op command line.
    fn assert_token_nowhere(&self) {
        let leaked = support::files_containing(&self.sb.home, &[op_standin::SERVICE_TOKEN], &[]);
        assert!(leaked.is_empty(), "token in {leaked:?}");
        let argv = std::fs::read_to_string(&self.op.argv_log).unwrap();
        assert!(
            !argv.contains(op_standin::SERVICE_TOKEN),
            "token on a command line"
        );
    }
}

#[test]
fn first_activation_asks_checks_and_writes_the_answers_and_the_next_asks_nothing() {
    let e = KeyringProject::new();
    let mut p = support::spawn_pty(e.cmd(&["activate", "--", "sh", "-c", "echo ACTIVATED"]));
    // Defaults: the keyring's own service, the only item there.
    answer(&mut p, "Keyring service [envact]", "");
    p.exp_string("items in the Secret Service (service \"envact\"): dev")
        .unwrap();
    // An item that is not there is refused (storing one there is declined).
    answer(&mut p, "Item holding your AWS keys [dev]", "nope");
    p.exp_string(
        "there is no item \"nope\" in the Secret Service (service \"envact\") (items there: dev)",
    )
    .unwrap();
    p.exp_string("Store your long-term AWS keys as \"nope\"")
        .unwrap();
    yes_no(&mut p, "n");
    answer(&mut p, "Item holding your AWS keys [dev]", "");
    // A field the item does not have is refused, with the fields it has.
    answer(
        &mut p,
        "Field of \"dev\" holding access_key_id [access_key_id]",
        "username",
    );
    p.exp_string("has no field \"username\" (its fields: access_key_id, secret_access_key)")
        .unwrap();
    answer(&mut p, "holding access_key_id [access_key_id]", "");
    answer(&mut p, "holding secret_access_key [secret_access_key]", "");
    // The MFA device found in ~/.aws/config is the default; a non-ARN is refused.
    p.exp_string(&format!("AWS config: profile dev has mfa_serial {MFA}"))
        .unwrap();
    answer(&mut p, &format!("or none) [{MFA}]"), "alice");
    p.exp_string("\"alice\": ").unwrap();
    answer(&mut p, &format!("or none) [{MFA}]"), "");
    p.exp_string("Keep AWS session credentials in the OS keyring")
        .unwrap();
    yes_no(&mut p, "y");
    // The summary, then the question before anything is written.
    p.exp_string("answers for \"team\":").unwrap();
    p.exp_string("Write them to").unwrap();
    assert!(!answers_dir(&e.sb).exists(), "written before confirming");
    yes_no(&mut p, "y");
    // Then the activation itself goes on with the answers: MFA, STS, the command.
    answer(&mut p, &format!("MFA code for {MFA}"), "123456");
    p.exp_string("ACTIVATED").unwrap();
    p.exp_eof().unwrap();

    let path = answers_file(&e.sb);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!(
            "vault = \"envact\"\nitem = \"dev\"\nmfa_serial = \"{MFA}\"\n\n[fields]\n\
             access_key_id = \"access_key_id\"\nsecret_access_key = \"secret_access_key\"\n\n\
             [persistence]\nsts_session = true\n"
        )
    );

    // The second activation asks nothing: no wizard, and the kept STS session
    // spares the MFA code.
    let mut p = support::spawn_pty(e.cmd(&["activate", "--", "sh", "-c", "echo AGAIN"]));
    let before = p.exp_string("AGAIN").unwrap();
    p.exp_eof().unwrap();
    assert!(!before.contains('?') && !before.contains("MFA"), "{before}");

    // Nothing secret was written anywhere in HOME (the keyring's own files
    // are gnome-keyring's encrypted store).
    let leaked = support::files_containing(&e.sb.home, &[ACCESS_KEY_ID, SECRET_ACCESS_KEY], &[]);
    assert!(leaked.is_empty(), "secrets in {leaked:?}");
}

#[test]
fn reconfigure_asks_again_with_the_current_answers_as_defaults() {
    let e = KeyringProject::new();
    let out = support::run(e.cmd(&[
        "setup",
        "--item",
        "dev",
        "--mfa-serial",
        MFA,
        "--persist-sts-session=false",
        "--yes",
    ]));
    assert!(out.status.success(), "{}", support::stderr(&out));

    let mut p = support::spawn_pty(e.cmd(&["setup", "--reconfigure"]));
    answer(&mut p, "Keyring service [envact]", "");
    answer(&mut p, "Item holding your AWS keys [dev]", "");
    answer(&mut p, "holding access_key_id [access_key_id]", "");
    answer(&mut p, "holding secret_access_key [secret_access_key]", "");
    answer(&mut p, &format!("or none) [{MFA}]"), "none");
    p.exp_string("Keep AWS session credentials in the OS keyring until they expire (fewer MFA prompts)? [y/N]").unwrap();
    yes_no(&mut p, "n");
    p.exp_string("Write them to").unwrap();
    yes_no(&mut p, "y");
    p.exp_eof().unwrap();
    let text = std::fs::read_to_string(answers_file(&e.sb)).unwrap();
    assert!(text.contains("mfa_serial = \"\"\n"), "{text}");
    assert!(text.contains("sts_session = false"), "{text}");

    // "none" means no MFA: activation asks for no code, without a terminal.
    let out = support::run(e.cmd(&["activate", "--", "true"]));
    assert!(out.status.success(), "{}", support::stderr(&out));
}

#[test]
fn ctrl_c_or_ctrl_d_mid_wizard_writes_nothing() {
    let e = KeyringProject::new();
    // Ctrl-C at the first question.
    let mut p = support::spawn_pty(e.cmd(&["activate", "--", "true"]));
    p.exp_string("Keyring service [envact]").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    e.sb.assert_no_runtime_dir();
    // Ctrl-D (end of input) deep in: after the item, at a field.
    let mut p = support::spawn_pty(e.cmd(&["setup"]));
    answer(&mut p, "Keyring service [envact]", "");
    answer(&mut p, "Item holding your AWS keys [dev]", "");
    p.exp_string("holding access_key_id").unwrap();
    p.send_control('d').unwrap();
    p.exp_string("error: setup stopped: end of input (Ctrl-D); nothing was written")
        .unwrap();
    p.exp_eof().unwrap();
    assert!(
        !answers_dir(&e.sb).exists(),
        "an interrupted wizard wrote answers"
    );
}

#[test]
fn onepassword_first_run_adds_the_account_signs_in_and_checks_vault_item_and_fields() {
    let e = OpProject::new("version = 1\nname = \"team\"\n[secrets]\nbackend = \"1password\"\n");
    let (sb, op) = (&e.sb, &e.op);
    let cmd = |args: &[&str]| e.cmd(args);

    let mut p = support::spawn_pty(cmd(&["activate", "--", "sh", "-c", "echo ACTIVATED"]));
    answer(&mut p, "How does op sign in to 1Password?", ""); // the default: an account on this device
    p.exp_string("op has no 1Password account on this device yet")
        .unwrap();
    answer(&mut p, "Sign-in address [my.1password.com]", "");
    answer(&mut p, "Email", "test@example.com");
    // op itself asks for the Secret Key and the password.
    answer(
        &mut p,
        "Enter the Secret Key for test@example.com at my.1password.com",
        op_standin::SECRET_KEY,
    );
    answer(
        &mut p,
        "Enter the password for test@example.com",
        op_standin::PASSWORD,
    );
    p.exp_string("Keep the 1Password session in the OS keyring between activations? [y/N]")
        .unwrap();
    yes_no(&mut p, "y");
    // A vault that does not exist is asked again. (No second password: op
    // signed in when it added the account.)
    answer(&mut p, "1Password vault", "Finance");
    p.exp_string("\"Finance\" isn't a vault in this account")
        .unwrap();
    answer(&mut p, "1Password vault", "Engineering");
    p.exp_string("items in the 1Password vault \"Engineering\": aws-dev")
        .unwrap();
    answer(&mut p, "Item holding your AWS keys [aws-dev]", "");
    answer(
        &mut p,
        "Field of \"aws-dev\" holding access_key_id [username]",
        "access key",
    );
    p.exp_string(
        "has no field \"access key\" (its fields: credential, one-time password, username)",
    )
    .unwrap();
    answer(&mut p, "holding access_key_id [username]", "");
    answer(&mut p, "holding secret_access_key [credential]", "");
    p.exp_string("Write them to").unwrap();
    yes_no(&mut p, "y");
    p.exp_string("ACTIVATED").unwrap();
    p.exp_eof().unwrap();

    let path = answers_file(sb);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "vault = \"Engineering\"\nitem = \"aws-dev\"\n\n[fields]\naccess_key_id = \"username\"\n\
         secret_access_key = \"credential\"\n\n[onepassword]\nauth = \"account\"\n\
         account = \"my.1password.com\"\n\n[persistence]\nbackend_session = true\n"
    );

    // Second activation: no question, no password (the session was kept).
    let signins = op.signins();
    let mut p = support::spawn_pty(cmd(&["activate", "--", "sh", "-c", "echo AGAIN"]));
    let before = p.exp_string("AGAIN").unwrap();
    p.exp_eof().unwrap();
    assert!(
        !before.contains('?') && !before.contains("password"),
        "{before}"
    );
    assert_eq!(op.signins(), signins, "signed in again");

    // No secret value (keys, Secret Key, password, session tokens) in HOME.
    let mut needles: Vec<String> = vec![
        ACCESS_KEY_ID.into(),
        SECRET_ACCESS_KEY.into(),
        op_standin::SECRET_KEY.into(),
        op_standin::PASSWORD.into(),
    ];
    needles.extend(op.read()["sessions"].as_object().unwrap().keys().cloned());
    let leaked = support::files_containing(&sb.home, &needles, &[]);
    assert!(leaked.is_empty(), "secrets in {leaked:?}");
}

#[test]
fn the_backend_is_chosen_among_what_the_machine_has_and_a_service_token_goes_to_the_keyring() {
    // [aws] without [secrets]: the backend itself is each person's choice.
    let e = OpProject::new("version = 1\nname = \"team\"\n[aws]\n");
    let sb = &e.sb;
    let cmd = |args: &[&str]| e.cmd(args);
    // An initialised pass store is seen too.
    std::fs::create_dir_all(sb.home.join(".password-store")).unwrap();
    std::fs::write(
        sb.home.join(".password-store/.gpg-id"),
        "someone@example.com\n",
    )
    .unwrap();
    let mut p = support::spawn_pty(cmd(&["setup"]));
    p.exp_string("Where are your long-term AWS keys kept?")
        .unwrap();
    // Offered first: the Secret Service, which answers on this machine.
    p.exp_string("keyring  (Secret Service reachable)").unwrap();
    p.exp_string(&format!(
        "pass  (pass store at {})",
        sb.home.join(".password-store").display()
    ))
    .unwrap();
    p.send("\x1b[A").unwrap(); // up, to 1password
    p.send_line("").unwrap();
    p.exp_string("How does op sign in to 1Password?").unwrap();
    p.send("\x1b[B").unwrap(); // down, to the service account
    p.send_line("").unwrap();
    answer(
        &mut p,
        "Service-account token (kept in the OS keyring)",
        op_standin::SERVICE_TOKEN,
    );
    answer(&mut p, "1Password vault", "Engineering");
    answer(&mut p, "Item holding your AWS keys [aws-dev]", "");
    answer(&mut p, "holding access_key_id [username]", "");
    answer(&mut p, "holding secret_access_key [credential]", "");
    // No MFA device anywhere on this machine: the default is none. With one,
    // 1Password may give the codes from the item's one-time password.
    answer(&mut p, "or none) [none]", MFA);
    let totp = "with a one-time password, for MFA codes (none: you type them) [none]";
    answer(&mut p, totp, "username");
    p.exp_string("is not a one-time password field").unwrap();
    answer(&mut p, totp, "one-time password");
    p.exp_string("Keep AWS session credentials").unwrap();
    yes_no(&mut p, "n");
    p.exp_string("the service-account token goes to the OS keyring, not to this file")
        .unwrap();
    p.exp_string("Write them to").unwrap();
    yes_no(&mut p, "y");
    p.exp_eof().unwrap();

    let text = std::fs::read_to_string(answers_file(sb)).unwrap();
    assert_eq!(
        text,
        format!(
            "backend = \"1password\"\nvault = \"Engineering\"\nitem = \"aws-dev\"\nmfa_serial = \"{MFA}\"\n\n\
         [fields]\naccess_key_id = \"username\"\nmfa_totp = \"one-time password\"\n\
         secret_access_key = \"credential\"\n\n\
         [onepassword]\nauth = \"service-account\"\n\n[persistence]\nsts_session = false\n"
        )
    );
    // The token kept in the keyring signs op in, with no terminal and no
    // OP_SERVICE_ACCOUNT_TOKEN: the vault's items are listed.
    let out = support::run(cmd(&["list"]));
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains("aws-dev"));
    e.assert_token_nowhere();
}

#[test]
fn onepassword_service_account_token_goes_to_the_keyring_not_the_file() {
    let e = OpProject::new(
        "version = 1\nname = \"team\"\n[secrets]\nbackend = \"1password\"\nvault = \"Engineering\"\nitem = \"aws-dev\"\n",
    );
    let sb = &e.sb;
    let cmd = |args: &[&str]| e.cmd(args);
    // Non-interactive: the token on stdin, the rest as flags.
    let out = support::run_with_stdin(
        cmd(&["setup", "--op-token-stdin", "--yes"]),
        &format!("{}\n", op_standin::SERVICE_TOKEN),
    );
    assert!(out.status.success(), "{}", support::stderr(&out));
    let text = std::fs::read_to_string(answers_file(sb)).unwrap();
    assert_eq!(text, "[onepassword]\nauth = \"service-account\"\n");

    // Activation (no terminal) reads the keys with the kept token.
    let out = support::run(cmd(&["activate", "--", "true"]));
    assert!(out.status.success(), "{}", support::stderr(&out));
    e.assert_token_nowhere();
}

#[test]
fn an_account_op_already_knows_is_offered_and_only_the_open_fields_are_asked() {
    let e = OpProject::new(
        "version = 1\nname = \"team\"\n[secrets]\nbackend = \"1password\"\nvault = \"Engineering\"\n\
         item = \"aws-dev\"\n[secrets.fields]\naccess_key_id = \"username\"\n",
    );
    e.op.add_account();
    let mut p = support::spawn_pty(e.cmd(&["setup"]));
    answer(&mut p, "How does op sign in to 1Password?", "");
    // op account list: the account is the default choice.
    p.exp_string("1Password account").unwrap();
    answer(&mut p, "my.1password.com (test@example.com)", "");
    p.exp_string("Keep the 1Password session").unwrap();
    yes_no(&mut p, "n");
    // Vault, item and one field are the manifest's: only the other field is asked.
    answer(&mut p, "holding secret_access_key [credential]", "");
    // Checking it is the first read: op signs in now.
    answer(
        &mut p,
        "Enter the password for test@example.com",
        op_standin::PASSWORD,
    );
    p.exp_string("Write them to").unwrap();
    yes_no(&mut p, "y");
    let rest = p.exp_eof().unwrap();
    assert!(
        !rest.contains("vault") && !rest.contains("Item holding"),
        "{rest}"
    );
    assert_eq!(
        std::fs::read_to_string(answers_file(&e.sb)).unwrap(),
        "[fields]\nsecret_access_key = \"credential\"\n\n[onepassword]\nauth = \"account\"\n\
         account = \"my.1password.com\"\n\n[persistence]\nbackend_session = false\n"
    );
}

#[test]
fn a_first_run_before_any_key_is_stored_offers_to_store_them_and_does_once_confirmed() {
    let e = KeyringProject::empty();
    let mut p = support::spawn_pty(e.cmd(&["activate", "--", "sh", "-c", "echo ACTIVATED"]));
    answer(&mut p, "Keyring service [envact]", "");
    p.exp_string("items in the Secret Service (service \"envact\"): none")
        .unwrap();
    answer(&mut p, "Item holding your AWS keys", "dev");
    p.exp_string("there is no item \"dev\"").unwrap();
    p.exp_string("Store your long-term AWS keys as \"dev\"")
        .unwrap();
    // `y` then Enter: the Enter ends this answer, it does not answer the key id.
    yes_no(&mut p, "y");
    // Typed hidden, each half checked for its shape.
    answer(&mut p, "AWS access key id", "ASIAIOSFODNN7EXAMPLE");
    let between = p.exp_string("temporary (STS) key id").unwrap();
    assert!(
        !between.contains("20 characters, starting AKIA"),
        "the Enter after `y` answered the key id: {between:?}"
    );
    answer(&mut p, "AWS access key id", ACCESS_KEY_ID);
    // The key id is shown as typed (it is not secret); the secret is not.
    let echoed = p.exp_string("AWS secret access key").unwrap();
    assert!(echoed.contains(ACCESS_KEY_ID), "{echoed:?}");
    p.send_line(SECRET_ACCESS_KEY).unwrap();
    // No field question: the new item gets the field names in effect.
    answer(&mut p, "or none)", "none");
    p.exp_string("Keep AWS session credentials").unwrap();
    yes_no(&mut p, "n");
    p.exp_string("the long-term keys you typed go to the backend, not to this file")
        .unwrap();
    p.exp_string("Write them to").unwrap();
    // Nothing is stored before the confirmation.
    let listed = support::run(e.cmd(&["list"]));
    assert_eq!(support::stdout(&listed), "", "stored before confirming");
    yes_no(&mut p, "y");
    p.exp_string("stored the access key as \"dev\"").unwrap();
    let shown = p.exp_string("ACTIVATED").unwrap();
    p.exp_eof().unwrap();
    assert!(
        !shown.contains(SECRET_ACCESS_KEY) && !shown.contains(ACCESS_KEY_ID),
        "echoed: {shown}"
    );
    let listed = support::run(e.cmd(&["list"]));
    assert_eq!(support::stdout(&listed), "dev\n");
    let leaked = support::files_containing(&e.sb.home, &[ACCESS_KEY_ID, SECRET_ACCESS_KEY], &[]);
    assert!(leaked.is_empty(), "secrets in {leaked:?}");
}

#[test]
fn a_field_the_manifest_fixes_is_checked_against_the_item_listing_its_fields() {
    let e = OpProject::new(
        "version = 1\nname = \"team\"\n[secrets]\nbackend = \"1password\"\nvault = \"Engineering\"\n\
         item = \"aws-dev\"\n[secrets.fields]\naccess_key_id = \"access key id\"\n",
    );
    e.op.add_account();
    let mut p = support::spawn_pty(e.cmd(&["setup"]));
    answer(&mut p, "How does op sign in to 1Password?", "");
    answer(&mut p, "my.1password.com (test@example.com)", "");
    p.exp_string("Keep the 1Password session").unwrap();
    yes_no(&mut p, "n");
    answer(&mut p, "holding secret_access_key [credential]", "");
    answer(
        &mut p,
        "Enter the password for test@example.com",
        op_standin::PASSWORD,
    );
    p.exp_string(
        "has no field \"access key id\" (its fields: credential, one-time password, username)",
    )
    .unwrap();
    p.exp_string("help: set [secrets.fields] in the manifest to one of the fields listed")
        .unwrap();
    p.exp_eof().unwrap();
    assert!(!answers_dir(&e.sb).exists(), "answers were written");
}

#[test]
fn the_shipped_1password_template_reads_1passwords_own_api_credential_item() {
    let e = OpProject::new("version = 1\n");
    let moto = support::sts::Moto::start(&e.sb);
    std::fs::remove_file(e.sb.project.join(".envact/manifest.toml")).unwrap();
    let out = support::run(e.cmd(&["init", "--template", "aws-1password"]));
    assert!(out.status.success(), "{}", support::stderr(&out));
    let out = support::run_with_stdin(
        e.cmd(&["setup", "--op-token-stdin", "--item", "aws-dev", "--yes"]),
        &format!("{}\n", op_standin::SERVICE_TOKEN),
    );
    assert!(out.status.success(), "{}", support::stderr(&out));
    // No field name was answered: 1Password's own (username, credential) are read.
    let mut cmd = e.cmd(&["export", "--format", "json"]);
    cmd.env("AWS_ENDPOINT_URL_STS", &moto.url);
    let out = support::run(cmd);
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains("\"AccessKeyId\""));
    let argv = std::fs::read_to_string(&e.op.argv_log).unwrap();
    assert!(argv.contains("op://Engineering/aws-dev/username"), "{argv}");
    assert!(
        argv.contains("op://Engineering/aws-dev/credential"),
        "{argv}"
    );
}

#[test]
fn the_wizard_reads_plainly_and_ctrl_c_like_ctrl_d_writes_nothing() {
    let e = KeyringProject::new();
    let mut p = support::spawn_pty(e.cmd(&["setup"]));
    let mut shown = String::new();
    for (prompt, reply) in [
        ("Keyring service [envact]", ""),
        ("Item holding your AWS keys [dev]", ""),
        ("holding access_key_id [access_key_id]", ""),
        ("holding secret_access_key [secret_access_key]", ""),
        ("or none)", "none"),
    ] {
        shown += &p.exp_string(prompt).unwrap();
        p.send_line(reply).unwrap();
    }
    shown += &p.exp_string("(fewer MFA prompts)?").unwrap();
    yes_no(&mut p, "n");
    // No MFA device is said as such, not as an empty string.
    shown += &p.exp_string("mfa_serial = none (no MFA device)").unwrap();
    shown += &p.exp_string("Write them to").unwrap();
    yes_no(&mut p, "y");
    let path = answers_file_when_written(&e.sb, &mut p);
    shown += &p.exp_eof().unwrap();
    assert!(!shown.contains("?:"), "double punctuation: {shown}");
    assert!(!shown.contains("mfa_serial = \"\""), "{shown}");
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("mfa_serial = \"\"\n"), "{written}");

    // Ctrl-C at a question: the same words as Ctrl-D, and the file as it was.
    let mut p = support::spawn_pty(e.cmd(&["setup", "--reconfigure"]));
    p.exp_string("Keyring service [envact]").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("error: setup stopped: interrupted; nothing was written")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
}

/// Waits for "wrote PATH" and returns PATH, the answers file.
fn answers_file_when_written(sb: &Sandbox, p: &mut rexpect::session::PtySession) -> PathBuf {
    p.exp_string("wrote ").unwrap();
    let (_, line) = p.exp_regex(r"[^\r\n]+\.toml").unwrap();
    let path = PathBuf::from(line.trim());
    assert_eq!(path, answers_file(sb));
    path
}

#[test]
fn ctrl_c_at_a_menu_or_a_yes_no_question_gives_the_cursor_back() {
    let e = OpProject::new("version = 1\nname = \"team\"\n[aws]\n");
    let mut p = support::spawn_pty(e.cmd(&["setup"]));
    // The menu hides the cursor while it is drawn.
    let shown = p
        .exp_string("Where are your long-term AWS keys kept?")
        .unwrap();
    let menu = p.exp_string("keyring").unwrap();
    assert!(
        format!("{shown}{menu}").contains("\x1b[?25l"),
        "the menu did not hide the cursor: {shown:?}"
    );
    p.send_control('c').unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("setup stopped: interrupted"), "{rest:?}");
    assert!(rest.contains("\x1b[?25h"), "cursor left hidden: {rest:?}");

    let e = KeyringProject::empty();
    let mut p = support::spawn_pty(e.cmd(&["setup"]));
    answer(&mut p, "Keyring service [envact]", "");
    answer(&mut p, "Item holding your AWS keys", "dev");
    p.exp_string("Store your long-term AWS keys as \"dev\"")
        .unwrap();
    p.send_control('c').unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("setup stopped: interrupted"), "{rest:?}");
    assert!(rest.contains("\x1b[?25h"), "cursor left hidden: {rest:?}");

    // Told to end (SIGTERM) at a menu: the same.
    let e = OpProject::new("version = 1\nname = \"team\"\n[aws]\n");
    let mut p = support::spawn_pty(e.cmd(&["setup"]));
    p.exp_string("Where are your long-term AWS keys kept?")
        .unwrap();
    p.exp_string("env").unwrap();
    let pid = p.process.child_pid.as_raw().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("setup stopped: interrupted"), "{rest:?}");
    assert!(rest.contains("\x1b[?25h"), "cursor left hidden: {rest:?}");
}
