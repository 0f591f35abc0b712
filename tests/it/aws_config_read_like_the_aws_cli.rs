//! A person's `~/.aws/config` as real configs are written (a comment after a
//! section header, an `s3 =` block, a section written twice, the STS
//! endpoint in a `services` section) gives envact the same region, role and
//! STS as the real AWS CLI reports for the same profile. STS is moto's.

use crate::support;

use std::process::Command;
use support::sts::{Moto, CALLER_ARN};
use support::{run, stderr, stdout, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

const MANIFEST: &str = "version = 1\nname = \"cfg\"\n\
[secrets]\nbackend = \"env\"\nitem = \"ci\"\n\
[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n\
[aws]\nprofile = \"prod\"\nwrap = [\"aws\", \"printenv\", \"env\"]\n";

struct Case {
    sb: Sandbox,
    moto: Moto,
}

impl Case {
    /// `config` as ~/.aws/config (`MOTO` in it is moto's URL) and
    /// ~/.aws/credentials holding `more` and the keys of `base`, which the
    /// AWS CLI uses (envact's come from its backend).
    fn new(config: &str, more: &str) -> Case {
        let sb = Sandbox::with_manifest(MANIFEST);
        let moto = Moto::start(&sb);
        let aws = sb.home.join(".aws");
        std::fs::create_dir_all(&aws).unwrap();
        std::fs::write(aws.join("config"), config.replace("MOTO", &moto.url)).unwrap();
        std::fs::write(
            aws.join("credentials"),
            format!("{more}[base]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET_ACCESS_KEY}\n"),
        )
        .unwrap();
        Case { sb, moto }
    }

    /// The AWS CLI alone, with `--profile prod`.
    fn aws_cli(&self, endpoint_env: bool, args: &[&str]) -> String {
        let mut cmd = Command::new(support::which("aws"));
        self.sb.apply_env(&mut cmd);
        cmd.args(args).args(["--profile", "prod"]);
        if endpoint_env {
            cmd.env("AWS_ENDPOINT_URL_STS", &self.moto.url);
        }
        let out = run(cmd);
        assert!(out.status.success(), "aws {args:?}: {}", stderr(&out));
        stdout(&out).trim().to_string()
    }

    /// `envact activate -- ARGS`, the keys in its env backend.
    fn envact(&self, endpoint_env: bool, args: &[&str]) -> String {
        let mut cmd = self.sb.envact(["activate", "--"]);
        cmd.args(args)
            .env("CI_ID", ACCESS_KEY_ID)
            .env("CI_SECRET", SECRET_ACCESS_KEY);
        if endpoint_env {
            cmd.env("AWS_ENDPOINT_URL_STS", &self.moto.url);
        }
        let out = run(cmd);
        assert!(out.status.success(), "envact {args:?}: {}", stderr(&out));
        stdout(&out).trim().to_string()
    }

    /// The region and the role (`assumed-role/ROLE/`) each one reports.
    fn assert_same_as_the_cli(&self, region: &str, role: &str) {
        let cli_region = self.aws_cli(true, &["configure", "get", "region"]);
        let envact_region = self.envact(true, &["printenv", "AWS_REGION"]);
        assert_eq!(cli_region, region, "the AWS CLI's region");
        assert_eq!(envact_region, region, "envact's region");

        let role = format!("arn:aws:sts::123456789012:assumed-role/{role}/");
        let cli_arn = self.aws_cli(true, &CALLER_ARN);
        let mut args = vec!["aws"];
        args.extend(CALLER_ARN);
        let envact_arn = self.envact(true, &args);
        assert!(cli_arn.starts_with(&role), "the AWS CLI: {cli_arn}");
        assert!(envact_arn.starts_with(&role), "envact: {envact_arn}");
    }
}

#[test]
fn a_comment_after_a_section_header_is_read_as_the_cli_reads_it() {
    Case::new(
        "[profile prod] # the team's production account\n\
         region = eu-central-1\n\
         role_arn = arn:aws:iam::123456789012:role/prod-deployer\n\
         source_profile = base\n\
         [profile base] ; long-term keys (envact: the backend's)\n",
        "",
    )
    .assert_same_as_the_cli("eu-central-1", "prod-deployer");
}

#[test]
fn an_s3_block_keeps_its_region_to_itself() {
    Case::new(
        "[profile prod]\n\
         region = eu-west-1\n\
         s3 =\n  region = us-west-2\n  max_concurrent_requests = 20\n\
         role_arn = arn:aws:iam::123456789012:role/prod-deployer\n\
         source_profile = base\n\
         [profile base]\n",
        "",
    )
    .assert_same_as_the_cli("eu-west-1", "prod-deployer");
}

#[test]
fn a_profile_in_both_files_is_merged_the_credentials_file_winning() {
    Case::new(
        "[profile prod]\n\
         region = ap-southeast-2\n\
         role_arn = arn:aws:iam::123456789012:role/first-try\n\
         source_profile = base\n\
         [profile base]\n",
        "[prod]\n\
         region = ap-northeast-1\n\
         role_arn = arn:aws:iam::123456789012:role/prod-deployer\n",
    )
    .assert_same_as_the_cli("ap-northeast-1", "prod-deployer");
}

#[test]
fn a_section_written_twice_in_one_file_is_merged_as_the_sdks_do() {
    let case = Case::new(
        "[profile prod]\n\
         region = ap-southeast-2\n\
         role_arn = arn:aws:iam::123456789012:role/first-try\n\
         [profile base]\n\
         [profile prod]\n\
         role_arn = arn:aws:iam::123456789012:role/prod-deployer\n\
         source_profile = base\n",
        "",
    );
    // The AWS CLI here (v1, botocore) refuses such a file outright; the
    // SDKs' suite merges it ("Duplicate profiles in the same file merge
    // properties"), and so does envact.
    let mut cmd = Command::new(support::which("aws"));
    case.sb.apply_env(&mut cmd);
    cmd.args(["configure", "get", "region", "--profile", "prod"]);
    let out = run(cmd);
    assert!(
        stderr(&out).contains("Unable to parse config file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        case.envact(true, &["printenv", "AWS_REGION"]),
        "ap-southeast-2"
    );
    // The wrapped CLI would refuse the file too: it reads none.
    let mut args = vec!["env", "AWS_CONFIG_FILE=/dev/null", "aws"];
    args.extend(CALLER_ARN);
    let arn = case.envact(true, &args);
    assert!(arn.contains(":assumed-role/prod-deployer/"), "{arn}");
}

#[test]
fn the_sts_endpoint_in_a_services_section_is_the_one_both_call() {
    let case = Case::new(
        "[profile prod]\n\
         region = eu-west-1\n\
         services = local-sts\n\
         role_arn = arn:aws:iam::123456789012:role/prod-deployer\n\
         source_profile = base\n\
         [profile base]\n\
         [services local-sts]\n\
         sts =\n  endpoint_url = MOTO\n",
        "",
    );
    // No endpoint in the environment: only the config file leads to moto
    // (anything else would be the real STS, which this machine cannot reach).
    let cli_arn = case.aws_cli(false, &CALLER_ARN);
    assert!(
        cli_arn.contains(":assumed-role/prod-deployer/"),
        "{cli_arn}"
    );
    let token = case.envact(false, &["printenv", "AWS_SESSION_TOKEN"]);
    assert!(!token.is_empty(), "envact got no session from moto");
}
