//! `envact whoami` asks STS whose credentials a command run here gets: the
//! assumed role outside an activation (`-d`), the agent's inside one, and
//! a clear error when there are none. STS is moto's server on loopback.

use crate::support;

use std::process::Command;
use support::sts::Moto;
use support::{run, stderr, stdout, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

fn setup() -> (Sandbox, Moto) {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"who\"\n[secrets]\nbackend = \"env\"\nitem = \"ci\"\n[secrets.fields]\n\
         access_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n[aws]\n\
         role_arn = \"arn:aws:iam::123456789012:role/deployer\"\nwrap = [\"aws\"]\n",
    );
    let moto = Moto::start(&sb);
    (sb, moto)
}

fn envact(sb: &Sandbox, moto: &Moto, args: &[&str]) -> Command {
    let mut cmd = Command::new(support::envact_bin());
    sb.apply_env(&mut cmd);
    cmd.env("CI_ID", ACCESS_KEY_ID)
        .env("CI_SECRET", SECRET_ACCESS_KEY)
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .args(args);
    cmd
}

/// The three lines, with the role envact assumed.
fn assert_is_the_deployer(out: &std::process::Output) {
    assert!(out.status.success(), "{}", stderr(out));
    let text = stdout(out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0], "Account  123456789012");
    assert!(
        lines[1].starts_with("Arn      arn:aws:sts::123456789012:assumed-role/deployer/envact-"),
        "{text}"
    );
    assert!(lines[2].starts_with("UserId   "), "{text}");
}

#[test]
fn whoami_names_the_assumed_role_for_a_project_and_inside_its_activation() {
    let (sb, moto) = setup();
    let dir = sb.project.display().to_string();
    let out = run(envact(&sb, &moto, &["whoami", "-d", &dir]));
    assert_is_the_deployer(&out);

    // Inside an activation: the agent's credentials, asked once more of STS.
    let bin = support::envact_bin().display().to_string();
    let out = run(envact(&sb, &moto, &["activate", "--", &bin, "whoami"]));
    assert_is_the_deployer(&out);
}

#[test]
fn whoami_without_aws_or_with_sts_unreachable_says_what_to_do() {
    let sb = Sandbox::with_manifest("version = 1\nname = \"plain\"\n");
    let mut cmd = Command::new(support::envact_bin());
    sb.apply_env(&mut cmd);
    cmd.arg("whoami");
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("has no [aws] section: there are no AWS credentials to ask STS about"),
        "{}",
        stderr(&out)
    );

    let (sb, moto) = setup();
    let mut cmd = envact(&sb, &moto, &["whoami"]);
    // Nothing listens on port 9 of loopback.
    cmd.env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    let out = run(cmd);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot reach STS at http://127.0.0.1:9"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}
