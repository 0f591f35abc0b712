//! The real AWS CLI gets envact's credentials: as a wrapped command run with
//! `envact activate -- aws ...`, and through a `credential_process` entry in
//! ~/.aws/config. STS is moto's server on loopback.

use crate::support;

use std::process::Command;
use support::sts::{Moto, CALLER_ARN};
use support::{run, stderr, stdout, which, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

fn setup(inject: &str) -> (Sandbox, Moto) {
    let sb = Sandbox::with_manifest(&format!(
        "version = 1\nname = \"cli\"\n[vars]\nAWS_DEFAULT_REGION = \"us-east-1\"\n[secrets]\nbackend = \"env\"\nitem = \"ci\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n[aws]\nrole_arn = \"arn:aws:iam::123456789012:role/deployer\"\ninject = \"{inject}\"\nwrap = [\"aws\"]\n"
    ));
    let moto = Moto::start(&sb);
    (sb, moto)
}

/// The command succeeded and printed the ARN of the manifest's role, assumed by envact.
fn assert_is_the_deployer(out: &std::process::Output) {
    assert!(out.status.success(), "{}", stderr(out));
    assert!(
        stdout(out).starts_with("arn:aws:sts::123456789012:assumed-role/deployer/envact-"),
        "{}",
        stdout(out)
    );
}

fn with_env(sb: &Sandbox, moto: &Moto, cmd: &mut Command) {
    sb.apply_env(cmd);
    cmd.env("CI_ID", ACCESS_KEY_ID)
        .env("CI_SECRET", SECRET_ACCESS_KEY)
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .env("AWS_REGION", "us-east-1");
}

#[test]
fn activate_runs_the_aws_cli_as_the_assumed_role() {
    let (sb, moto) = setup("per-command");
    let mut cmd = Command::new(support::envact_bin());
    with_env(&sb, &moto, &mut cmd);
    cmd.args(["activate", "--", "aws"]).args(CALLER_ARN);
    assert_is_the_deployer(&run(cmd));

    // A command that is not wrapped sees no credentials (per-command mode).
    let mut cmd = Command::new(support::envact_bin());
    with_env(&sb, &moto, &mut cmd);
    cmd.args([
        "activate",
        "--",
        "sh",
        "-c",
        "echo \"key=[${AWS_SECRET_ACCESS_KEY-}] token=[${AWS_SESSION_TOKEN-}]\"",
    ]);
    assert_eq!(stdout(&run(cmd)), "key=[] token=[]\n");
}

#[test]
fn the_aws_cli_uses_envact_as_its_credential_process() {
    let (sb, moto) = setup("per-command");
    std::fs::create_dir_all(sb.home.join(".aws")).unwrap();
    std::fs::write(
        sb.home.join(".aws/config"),
        format!(
            "[profile via-envact]\nregion = us-east-1\ncredential_process = {} export -d {} --format credential-process\n",
            support::envact_bin().display(),
            sb.project.display()
        ),
    )
    .unwrap();
    let mut aws = Command::new(which("aws"));
    with_env(&sb, &moto, &mut aws);
    aws.args(CALLER_ARN).args(["--profile", "via-envact"]);
    assert_is_the_deployer(&run(aws));
}

#[test]
fn shell_mode_exports_the_credentials_with_their_expiry_into_the_shell() {
    let (sb, moto) = setup("shell");
    let mut cmd = Command::new(support::envact_bin());
    with_env(&sb, &moto, &mut cmd);
    cmd.args([
        "activate",
        "--",
        "sh",
        "-c",
        "echo \"$AWS_ACCESS_KEY_ID $AWS_CREDENTIAL_EXPIRATION\"",
    ]);
    let out = run(cmd);
    let text = stdout(&out);
    assert!(text.starts_with("ASIA"), "{text} {}", stderr(&out));
    assert!(text.trim_end().ends_with('Z'), "{text}");
}
