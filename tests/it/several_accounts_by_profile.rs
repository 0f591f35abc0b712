//! One environment, several accounts: `[aws.profiles]` names dev, staging
//! and prod (three roles in three accounts), and inside one activation every
//! AWS tool gets each by name — `aws --profile NAME`, `AWS_PROFILE=NAME`,
//! boto3's `Session(profile_name=...)` — from one GetSessionToken and one
//! MFA prompt, through the AWS config file the activation owns, whose
//! `credential_process` asks the activation's agent. STS is moto's, behind
//! the logging endpoint that counts the calls.

use crate::support;

use std::process::Command;
use support::sts::{Endpoint, Moto};
use support::{which, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

const MANIFEST: &str = "version = 1\nname = \"accounts\"\n\
[secrets]\nbackend = \"env\"\nitem = \"ci\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n\
[aws]\nmfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"\ndefault_profile = \"dev\"\nwrap = [\"aws\"]\n\
[aws.profiles.dev]\nrole_arn = \"arn:aws:iam::111111111111:role/dev\"\n\
[aws.profiles.staging]\nrole_arn = \"arn:aws:iam::222222222222:role/staging\"\n\
[aws.profiles.prod]\nrole_arn = \"arn:aws:iam::333333333333:role/prod\"\nregion = \"eu-west-1\"\n";

/// Each profile's role, as `aws sts get-caller-identity` shows it.
const DEV: &str = "arn:aws:sts::111111111111:assumed-role/dev/";
const STAGING: &str = "arn:aws:sts::222222222222:assumed-role/staging/";
const PROD: &str = "arn:aws:sts::333333333333:assumed-role/prod/";

struct Accounts {
    sb: Sandbox,
    _moto: Moto,
    sts: Endpoint,
}

impl Accounts {
    fn new() -> Accounts {
        let sb = Sandbox::with_manifest(MANIFEST);
        let moto = Moto::start(&sb);
        let sts = Endpoint::start(&sb, &moto, "mfa:123456");
        Accounts {
            sb,
            _moto: moto,
            sts,
        }
    }

    fn envact(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(support::envact_bin());
        self.sb.apply_env(&mut cmd);
        cmd.env("CI_ID", ACCESS_KEY_ID)
            .env("CI_SECRET", SECRET_ACCESS_KEY)
            .env("AWS_ENDPOINT_URL_STS", &self.sts.url)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .args(args);
        cmd
    }

    /// `envact activate -- sh -c SCRIPT` on a terminal, typing the MFA code
    /// when asked: what it showed, and how many times it asked.
    fn inside(&self, script: &str) -> (String, usize) {
        let mut p = support::spawn_pty(self.envact(&["activate", "--", "sh", "-c", script]));
        p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
            .unwrap();
        p.send_line("123456").unwrap();
        let shown = p.exp_eof().unwrap();
        // The answered prompt is drawn again with `[hidden]`; any other
        // is a prompt more (left unanswered).
        let asked = 1 + shown.matches("MFA code for").count() - shown.matches(": [hidden]").count();
        (shown, asked)
    }

    /// The manifest names no MFA device.
    fn without_mfa_device(&self) {
        std::fs::write(
            self.sb.project.join(".envact/manifest.toml"),
            MANIFEST.replace(
                "mfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"\n",
                "",
            ),
        )
        .unwrap();
    }

    fn count(&self, action: &str) -> usize {
        self.sts.actions().iter().filter(|a| *a == action).count()
    }
}

fn boto3_script(sb: &Sandbox) -> std::path::PathBuf {
    let path = sb.root.join("profiles.py");
    std::fs::write(
        &path,
        "import boto3\nfor name in ('dev', 'staging', 'prod'):\n    \
         arn = boto3.Session(profile_name=name).client('sts').get_caller_identity()['Arn']\n    \
         print('boto3', name, arn)\n",
    )
    .unwrap();
    path
}

#[test]
fn every_tool_gets_each_profile_by_name_from_one_session_and_one_mfa_prompt() {
    let a = Accounts::new();
    let boto = boto3_script(&a.sb);
    let caller = "sts get-caller-identity --query Arn --output text";
    let script = format!(
        "aws --profile dev {caller}; aws --profile staging {caller}; aws --profile prod {caller}; \
         AWS_PROFILE=prod aws {caller}; python3 {}; \
         echo \"region of prod: $(aws configure get region --profile prod)\"",
        boto.display()
    );
    let (shown, asked) = a.inside(&script);
    // Each `aws` (prod twice: --profile, AWS_PROFILE), and boto3's.
    let shown_times = |arn: &str| shown.matches(arn).count();
    assert_eq!(shown_times(DEV), 2, "{shown}");
    assert_eq!(shown_times(STAGING), 2, "{shown}");
    assert_eq!(shown_times(PROD), 3, "{shown}");
    for (name, arn) in [("dev", DEV), ("staging", STAGING), ("prod", PROD)] {
        assert_eq!(
            shown.matches(&format!("boto3 {name} {arn}")).count(),
            1,
            "{shown}"
        );
    }
    assert!(shown.contains("region of prod: eu-west-1"), "{shown}");
    assert_eq!(asked, 1, "{shown}");
    assert_eq!(a.count("GetSessionToken"), 1, "{:?}", a.sts.actions());
    assert_eq!(a.count("AssumeRole"), 3, "{:?}", a.sts.actions());
}

#[test]
fn a_wrapped_command_naming_no_profile_gets_the_default_and_an_unwrapped_one_none() {
    let a = Accounts::new();
    let mut p = support::spawn_pty(a.envact(&[
        "activate",
        "--",
        "aws",
        "sts",
        "get-caller-identity",
        "--query",
        "Arn",
        "--output",
        "text",
    ]));
    p.exp_string("MFA code for").unwrap();
    p.send_line("123456").unwrap();
    let shown = p.exp_eof().unwrap();
    assert!(shown.contains(DEV), "{shown}");

    // Unwrapped, naming none: nothing, as for one role.
    let (shown, _) = a.inside(&format!(
        "{} sts get-caller-identity 2>&1; echo \"keys: [${{AWS_ACCESS_KEY_ID-}}]\"",
        which("aws").display()
    ));
    assert!(shown.contains("Unable to locate credentials"), "{shown}");
    assert!(shown.contains("keys: []"), "{shown}");
}

#[test]
fn the_persons_own_config_is_kept_beside_the_profiles_and_left_as_it_was() {
    let a = Accounts::new();
    let aws_dir = a.sb.home.join(".aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    let own = "[default]\noutput = yaml\n\n[profile prod]\nregion = us-west-2\n\
               credential_process = /bin/false\n\n[profile sandbox]\nregion = eu-north-1\n";
    std::fs::write(aws_dir.join("config"), own).unwrap();
    let (shown, _) = a.inside(
        "echo \"output: $(aws configure get output)\"; \
         echo \"sandbox: $(aws configure get region --profile sandbox)\"; \
         echo \"prod: $(aws configure get region --profile prod)\"; \
         aws --profile prod sts get-caller-identity --query Arn --output text; \
         echo \"file: $AWS_CONFIG_FILE\"",
    );
    assert!(shown.contains("output: yaml"), "{shown}");
    assert!(shown.contains("sandbox: eu-north-1"), "{shown}");
    assert!(shown.contains("prod: eu-west-1"), "{shown}");
    assert!(shown.contains(PROD), "{shown}");
    // The file was the activation's, and is gone with it; the person's is
    // byte for byte as it was.
    let file = shown
        .lines()
        .find_map(|l| l.trim().strip_prefix("file: "))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(file.ends_with("/aws-config"), "{file}");
    assert!(!std::path::Path::new(file).exists());
    assert_eq!(
        std::fs::read_to_string(aws_dir.join("config")).unwrap(),
        own
    );
}

#[test]
fn the_generated_file_holds_no_secret_and_the_aws_cli_v1_parses_it() {
    let a = Accounts::new();
    let (shown, _) = a.inside(
        "cat \"$AWS_CONFIG_FILE\"; echo; \
         python3 -c 'import configparser, os; c = configparser.RawConfigParser(strict=True); \
         c.read(os.environ[\"AWS_CONFIG_FILE\"]); print(\"sections:\", sorted(c.sections()))'",
    );
    assert!(
        shown.contains("sections: ['profile dev', 'profile prod', 'profile staging']"),
        "{shown}"
    );
    assert!(
        shown.contains("export -p prod --format credential-process"),
        "{shown}"
    );
    for secret in [ACCESS_KEY_ID, SECRET_ACCESS_KEY] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(!shown.contains("ASIA"), "{shown}");
}

#[test]
fn an_unknown_profile_is_named_with_the_environments_profiles() {
    let a = Accounts::new();
    let (shown, _) = a.inside(&format!(
        "aws --profile nope sts get-caller-identity 2>&1; {} exec -p nope -- true 2>&1; echo \"exit $?\"",
        support::envact_bin().display()
    ));
    assert!(
        shown.contains("The config profile (nope) could not be found"),
        "{shown}"
    );
    assert!(
        shown.contains("has no profile \"nope\": its profiles are dev, prod, staging"),
        "{shown}"
    );
    assert!(shown.contains("exit 1"), "{shown}");
}

#[test]
fn the_prompt_names_the_default_profile_and_status_lists_each_profile() {
    let a = Accounts::new();
    std::fs::write(a.sb.home.join(".bashrc"), "PS1='inner$ '\n").unwrap();
    let mut cmd = a.envact(&["activate", "--shell", which("bash").to_str().unwrap()]);
    cmd.env("TERM", "dumb");
    let mut p = support::spawn_pty(cmd);
    p.exp_string("MFA code for").unwrap();
    p.send_line("123456").unwrap();
    p.exp_string("(accounts:dev) inner$ ").unwrap();
    p.send_line("aws --profile prod sts get-caller-identity >/dev/null && envact status")
        .unwrap();
    let shown = p.exp_string("(accounts:dev) inner$ ").unwrap();
    for line in [
        "credentials: role dev (account 111111111111)",
        "given:       per-command for aws; every profile by name (dev, prod, staging)",
        "profiles:    dev: role dev (account 111111111111), until 20",
        "prod: role prod (account 333333333333), until 20",
        "staging: role staging (account 222222222222), not asked for yet",
    ] {
        assert!(shown.contains(line), "{line:?} not in:\n{shown}");
    }
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn outside_an_activation_exec_and_export_take_a_profile_and_keep_others_away() {
    let a = Accounts::new();
    // exec -p: that profile's keys, and no profile name left to bend an SDK.
    let mut cmd = a.envact(&[
        "exec",
        "-p",
        "prod",
        "--",
        "sh",
        "-c",
        "echo \"profile=[${AWS_PROFILE-}]\"; aws sts get-caller-identity --query Arn --output text",
    ]);
    cmd.env("AWS_PROFILE", "dev");
    let mut p = support::spawn_pty(cmd);
    p.exp_string("MFA code for").unwrap();
    p.send_line("123456").unwrap();
    let shown = p.exp_eof().unwrap();
    assert!(shown.contains("profile=[]"), "{shown}");
    assert!(shown.contains(PROD), "{shown}");

    let mut p = support::spawn_pty(a.envact(&["export", "-p", "staging", "--format", "env"]));
    p.exp_string("MFA code for").unwrap();
    p.send_line("123456").unwrap();
    let shown = p.exp_eof().unwrap();
    assert!(shown.contains("export AWS_SESSION_TOKEN="), "{shown}");

    // A name the manifest does not have: its profiles listed, nothing asked.
    let out = support::run(a.envact(&["exec", "-p", "nope", "--", "true"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        support::stderr(&out)
            .contains("has no profile \"nope\": its profiles are dev, prod, staging"),
        "{}",
        support::stderr(&out)
    );
    assert!(support::stderr(&out).contains("help: name one of its profiles"));
}

#[test]
fn shell_and_server_modes_name_the_default_profile_never_keys() {
    let a = Accounts::new();
    let caller = "aws sts get-caller-identity --query Arn --output text";
    for mode in ["shell", "server"] {
        let mut p = support::spawn_pty(a.envact(&[
            "activate",
            "--inject",
            mode,
            "--",
            "sh",
            "-c",
            &format!("echo \"keys=[${{AWS_ACCESS_KEY_ID-}}]\"; {caller}; {caller} --profile prod"),
        ]));
        p.exp_string("MFA code for").unwrap();
        p.send_line("123456").unwrap();
        let shown = p.exp_eof().unwrap();
        assert!(shown.contains("keys=[]"), "{mode}: {shown}");
        assert!(shown.contains(DEV), "{mode}: {shown}");
        assert!(shown.contains(PROD), "{mode}: {shown}");
    }
}

/// Profiles of an IAM Identity Center sign-in: each an account and a role
/// the person is assigned; one sign-in in the browser serves both.
#[test]
fn profiles_of_one_sign_in_are_each_an_account_and_role() {
    use support::sso::{SsoStandin, ACCOUNT, OTHER_ACCOUNT, ROLE, START_URL};
    let sb = Sandbox::with_manifest(&format!(
        "version = 1\nname = \"sso-accounts\"\n[aws]\ndefault_profile = \"dev\"\nwrap = [\"aws\"]\n\
         [aws.profiles.dev]\naccount_id = \"{ACCOUNT}\"\nrole_name = \"{ROLE}\"\n\
         [aws.profiles.prod]\naccount_id = \"{OTHER_ACCOUNT}\"\nrole_name = \"ReadOnly\"\n\
         [aws.sso]\nstart_url = \"{START_URL}\"\nregion = \"us-east-1\"\nsession_name = \"corp\"\n"
    ));
    let moto = Moto::start(&sb);
    let sso = SsoStandin::start(&sb, &moto, serde_json::json!({}));
    let mut cmd = Command::new(support::envact_bin());
    sb.apply_env(&mut cmd);
    sso.apply(&mut cmd);
    let caller = "sts get-caller-identity --query Arn --output text";
    cmd.env("AWS_ENDPOINT_URL_STS", &moto.url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .args(["activate", "--", "sh", "-c"])
        .arg(format!(
            "aws --profile dev {caller}; aws --profile prod {caller}"
        ));
    let mut p = support::spawn_pty(cmd);
    let shown = p.exp_eof().unwrap();
    assert!(
        shown.contains(&format!("{ACCOUNT}:assumed-role/{ROLE}/")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("{OTHER_ACCOUNT}:assumed-role/ReadOnly/")),
        "{shown}"
    );
    assert_eq!(sso.browser_opened().len(), 1);
    assert_eq!(sso.calls("GetRoleCredentials").len(), 2, "{:?}", sso.log());
}

/// Under direnv's `use envact`: the shims and every SDK get the profiles by
/// name through the AWS config file direnv exports, from the background agent.
#[test]
fn under_direnv_the_profiles_are_given_by_name_too() {
    let a = Accounts::new();
    a.without_mfa_device();
    a.sb.use_envact_in_direnv();
    let mut allow = Command::new(which("direnv"));
    a.sb.apply_env(&mut allow);
    allow.arg("allow").arg(&a.sb.project);
    assert!(support::run(allow).status.success());

    let mut shell = Command::new(which("bash"));
    a.sb.apply_env(&mut shell);
    shell
        .env("CI_ID", ACCESS_KEY_ID)
        .env("CI_SECRET", SECRET_ACCESS_KEY)
        .env("AWS_ENDPOINT_URL_STS", &a.sts.url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("PS1", "outer$ ")
        .current_dir(&a.sb.root)
        .args(["--norc", "--noprofile", "-i"]);
    let mut p = support::spawn_pty(shell);
    p.exp_string("outer$ ").unwrap();
    p.send_line("eval \"$(direnv hook bash)\"").unwrap();
    p.exp_string("outer$ ").unwrap();
    p.send_line(&format!("cd {}", a.sb.project.display()))
        .unwrap();
    p.exp_string("direnv: export").unwrap();
    p.exp_string("outer$ ").unwrap();
    let boto = boto3_script(&a.sb);
    let caller = "sts get-caller-identity --query Arn --output text";
    p.send_line(&format!(
        "aws {caller}; aws --profile staging {caller}; AWS_PROFILE=prod aws {caller}; python3 {}; echo done",
        boto.display()
    ))
    .unwrap();
    let shown = p.exp_string("\ndone").unwrap();
    assert_eq!(shown.matches(DEV).count(), 2, "{shown}");
    assert_eq!(shown.matches(STAGING).count(), 2, "{shown}");
    assert_eq!(shown.matches(PROD).count(), 2, "{shown}");
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

/// Each person's MFA device, given once (here with the wizard's flag twin),
/// serves every profile: one prompt, one session.
#[test]
fn each_persons_mfa_device_is_given_once_for_every_profile() {
    let a = Accounts::new();
    a.without_mfa_device();
    let out = support::run(a.envact(&[
        "setup",
        "--yes",
        "--mfa-serial",
        "arn:aws:iam::123456789012:mfa/tester",
    ]));
    assert!(out.status.success(), "{}", support::stderr(&out));
    let caller = "sts get-caller-identity --query Arn --output text";
    let (shown, asked) = a.inside(&format!(
        "aws --profile staging {caller}; aws --profile prod {caller}"
    ));
    assert!(shown.contains(STAGING) && shown.contains(PROD), "{shown}");
    assert_eq!(asked, 1, "{shown}");
    assert_eq!(a.count("GetSessionToken"), 1, "{:?}", a.sts.actions());
}
