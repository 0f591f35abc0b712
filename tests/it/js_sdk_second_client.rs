//! A second, independent client: the AWS SDK for JavaScript v3 (Node, from
//! npm) gets the assumed role's credentials from envact in every way envact
//! gives them: per-command with `node` wrapped, exported into the shell,
//! from the loopback ECS endpoint (also refreshing a short session), as its
//! `credential_process` named with `--profile`-style options and with
//! `AWS_PROFILE`, and under direnv, where a long-lived process still gets
//! credentials after the background agent's idle time. With the keys in
//! the environment (the env backend's defaults, as in CI) it is the role,
//! never the user. No region is configured anywhere: commands get the one
//! envact used. moto's STS behind the logging endpoint.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use support::sts::{Endpoint, Moto};
use support::{run, stderr, stdout, which, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

const ROLE: &str = "arn:aws:sts::123456789012:assumed-role/js-role/envact-";

fn whoami_js() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/js-sdk/whoami.mjs")
}

/// Where the env backend finds the long-term keys.
#[derive(Clone, Copy)]
enum Keys {
    /// AWS's own variables, the backend's defaults (as in CI): where every
    /// SDK also looks first.
    AwsNames,
    /// Variables of the project's own (`CI_ID`, `CI_SECRET`).
    OwnNames,
}

/// The manifest: keys from the environment, a role, no region anywhere.
fn manifest(keys: Keys, extra_aws: &str, persistence: &str) -> String {
    let fields = match keys {
        Keys::AwsNames => "",
        Keys::OwnNames => {
            "[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n"
        }
    };
    format!(
        "version = 1\nname = \"js\"\n[secrets]\nbackend = \"env\"\n{fields}\
         [aws]\nrole_arn = \"arn:aws:iam::123456789012:role/js-role\"\nwrap = [\"node\"]\n{extra_aws}\n\
         [persistence]\n{persistence}\n"
    )
}

struct Js {
    sb: Sandbox,
    _moto: Moto,
    endpoint: Endpoint,
    keys: Keys,
}

impl Js {
    fn new(extra_aws: &str, persistence: &str, mode: &str) -> Js {
        Js::with_keys(Keys::AwsNames, extra_aws, persistence, mode)
    }

    fn with_keys(keys: Keys, extra_aws: &str, persistence: &str, mode: &str) -> Js {
        assert!(
            whoami_js()
                .with_file_name("node_modules/@aws-sdk/client-sts")
                .is_dir(),
            "the AWS SDK for JavaScript is not installed: scripts/install-js-deps"
        );
        let sb = Sandbox::with_manifest(&manifest(keys, extra_aws, persistence));
        let moto = Moto::start(&sb);
        let endpoint = Endpoint::start(&sb, &moto, mode);
        Js {
            sb,
            _moto: moto,
            endpoint,
            keys,
        }
    }

    /// The person's environment: the long-term keys where the env backend
    /// reads them, STS's endpoint, and no region.
    fn env(&self, cmd: &mut Command) {
        self.sb.apply_env(cmd);
        let (id, secret) = match self.keys {
            Keys::AwsNames => ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
            Keys::OwnNames => ("CI_ID", "CI_SECRET"),
        };
        cmd.env(id, ACCESS_KEY_ID)
            .env(secret, SECRET_ACCESS_KEY)
            .env("AWS_ENDPOINT_URL_STS", &self.endpoint.url)
            .env("NODE_NO_WARNINGS", "1");
    }

    fn envact(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(support::envact_bin());
        self.env(&mut cmd);
        cmd.args(args);
        cmd
    }

    /// `envact activate --inject MODE -- node whoami.mjs EXTRA`.
    fn activate(&self, mode: &str, extra: &[&str]) -> Output {
        let script = whoami_js();
        let mut args = vec![
            "activate",
            "--inject",
            mode,
            "--",
            "node",
            script.to_str().unwrap(),
        ];
        args.extend(extra);
        run(self.envact(&args))
    }

    fn assumed_role(&self, what: &str, out: &Output, times: usize) {
        let arns: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
        assert!(
            out.status.success() && arns.len() == times && arns.iter().all(|a| a.starts_with(ROLE)),
            "{what}: {arns:?}\n{}",
            stderr(out)
        );
    }

    fn assume_roles(&self) -> usize {
        self.endpoint
            .actions()
            .iter()
            .filter(|a| *a == "AssumeRole")
            .count()
    }
}

#[test]
fn in_every_injection_mode_the_js_sdk_is_the_role_never_the_user() {
    let js = Js::new("", "sts_session = false", "proxy");
    for mode in ["per-command", "shell", "server"] {
        let out = js.activate(mode, &[]);
        js.assumed_role(mode, &out, 1);
    }
}

#[test]
fn in_server_mode_the_js_sdk_refreshes_a_short_session_through_the_endpoint() {
    // Sessions of 302 s: inside both the SDK's and envact's 5-minute
    // margins a few seconds after they were made.
    let js = Js::new("", "sts_session = false", "expire:302");
    let out = js.activate("server", &["--again-after", "3"]);
    js.assumed_role("server, asked twice", &out, 2);
    assert_eq!(js.assume_roles(), 2, "{:?}", js.endpoint.actions());
}

#[test]
fn commands_get_the_region_envact_used_when_none_is_configured() {
    let js = Js::new("", "sts_session = false", "proxy");
    for (mode, command) in [
        (
            "per-command",
            "envact exec -- printenv AWS_REGION AWS_DEFAULT_REGION",
        ),
        ("shell", "printenv AWS_REGION AWS_DEFAULT_REGION"),
        ("server", "printenv AWS_REGION AWS_DEFAULT_REGION"),
    ] {
        let out = run(js.envact(&["activate", "--inject", mode, "--", "sh", "-c", command]));
        assert_eq!(
            stdout(&out),
            "us-east-1\nus-east-1\n",
            "{mode}: {}",
            stderr(&out)
        );
    }
}

/// `~/.aws/config` with a profile whose credential_process is envact.
fn credential_process_profile(js: &Js) {
    let config = format!(
        "[profile jsdev]\ncredential_process = {} export -d {} --format credential-process\nregion = us-east-1\n",
        support::envact_bin().display(),
        js.sb.project.display()
    );
    std::fs::create_dir_all(js.sb.home.join(".aws")).unwrap();
    std::fs::write(js.sb.home.join(".aws/config"), config).unwrap();
}

#[test]
fn as_credential_process_envact_resolves_its_environment_whether_the_profile_is_named_by_option_or_aws_profile(
) {
    // The keys in the project's own variables: an SDK asked for a profile
    // must not find keys of its own in the environment (the AWS CLI would
    // take them over AWS_PROFILE's), and envact, run by the SDK with the
    // SDK's environment, reads them there.
    let js = Js::with_keys(Keys::OwnNames, "", "sts_session = false", "proxy");
    credential_process_profile(&js);
    let node = |option: bool| {
        let mut cmd = Command::new(which("node"));
        js.env(&mut cmd);
        cmd.arg(whoami_js());
        match option {
            true => cmd.args(["--profile", "jsdev"]),
            false => cmd.env("AWS_PROFILE", "jsdev"),
        };
        run(cmd)
    };
    js.assumed_role("node, profile jsdev named in code", &node(true), 1);
    js.assumed_role("AWS_PROFILE=jsdev node", &node(false), 1);

    // The AWS CLI, the same two ways.
    let aws = |option: bool| {
        let mut cmd = Command::new(which("aws"));
        js.env(&mut cmd);
        cmd.args(support::sts::CALLER_ARN);
        match option {
            true => cmd.args(["--profile", "jsdev"]),
            false => cmd.env("AWS_PROFILE", "jsdev"),
        };
        run(cmd)
    };
    js.assumed_role("aws --profile jsdev", &aws(true), 1);
    js.assumed_role("AWS_PROFILE=jsdev aws", &aws(false), 1);
}

/// direnv with `use envact`, allowed, in `dir`.
fn with_direnv(js: &Js) {
    js.sb.use_envact_in_direnv();
    let mut allow = Command::new("direnv");
    js.env(&mut allow);
    allow.arg("allow").arg(&js.sb.project);
    assert!(run(allow).status.success());
}

/// `direnv exec PROJECT node whoami.mjs EXTRA`, as a command started from
/// a shell direnv loaded the environment into. The keys are not in that
/// shell: under direnv the env backend reads them as the agent starts.
fn under_direnv(js: &Js, extra: &[&str]) -> Output {
    run(under_direnv_command(js, extra))
}

fn under_direnv_command(js: &Js, extra: &[&str]) -> Command {
    let mut cmd = Command::new("direnv");
    js.env(&mut cmd);
    cmd.arg("exec")
        .arg(&js.sb.project)
        .arg(which("node"))
        .arg(whoami_js())
        .args(extra);
    cmd
}

#[test]
fn under_direnv_the_js_sdk_gets_the_role_and_a_long_lived_process_outlasts_the_agents_idle_time() {
    let js = Js::with_keys(
        Keys::OwnNames,
        "inject = \"server\"",
        "sts_session = false\nagent_idle = \"1s\"",
        "expire:302",
    );
    with_direnv(&js);
    let out = under_direnv(&js, &[]);
    js.assumed_role("direnv, server mode", &out, 1);
    let socket = agent_socket(&js);
    support::eventually(Duration::from_secs(10), "the idle agent ends", || {
        !socket.exists()
    });

    // A process that keeps its environment asks again after the agent's
    // idle time (its session inside the SDK's margin by then): the agent
    // is there for it, and ends once the process is gone.
    let node = std::thread::spawn({
        let js_cmd = under_direnv_command(&js, &["--again-after", "4"]);
        move || run(js_cmd)
    });
    support::eventually(Duration::from_secs(10), "an agent listens", || {
        socket.exists()
    });
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        socket.exists(),
        "the agent ended while a process held its endpoint"
    );
    let out = node.join().unwrap();
    js.assumed_role("direnv, asked again after the idle time", &out, 2);
    support::eventually(
        Duration::from_secs(10),
        "the agent ends after the process",
        || !socket.exists(),
    );
}

/// The background agent's socket (the environment's directory under the
/// sandbox's runtime dir).
fn agent_socket(js: &Js) -> PathBuf {
    let base = js
        .sb
        .runtime
        .join(format!("envact-direnv-{}", nix::unistd::getuid().as_raw()));
    let env = std::fs::read_dir(&base)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    env.join("agent.sock")
}

/// Keys in AWS's variables in the shell would win over the endpoint in
/// every SDK, and direnv cannot remove them: the load refuses, naming them,
/// instead of letting every command run as the IAM user.
#[test]
fn under_direnv_in_server_mode_keys_in_the_shell_are_refused_not_silently_used() {
    let js = Js::new("inject = \"server\"", "sts_session = false", "proxy");
    with_direnv(&js);
    let out = under_direnv(&js, &[]);
    let err = stderr(&out);
    assert!(
        err.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set in your shell: in server mode an SDK takes them before envact's endpoint"),
        "{err}"
    );
    assert!(
        !stdout(&out).contains("user/moto"),
        "the SDK ran as the user: {}",
        stdout(&out)
    );
}

/// When STS refuses the role, the endpoint's answer reaches the JS SDK's
/// container provider: its `Code` and `Message`, not only a status (the
/// default chain then moves on to its next provider, as it does for any).
#[test]
fn an_endpoint_error_reaches_the_js_sdk_with_its_code_and_message() {
    let js = Js::with_keys(
        Keys::OwnNames,
        "inject = \"server\"",
        "sts_session = false",
        "error:AccessDenied",
    );
    with_direnv(&js);
    let out = under_direnv(&js, &["--container"]);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("(CredentialsUnavailable: STS AssumeRole failed with AccessDenied: User: arn:aws:iam::123456789012:user/test is not authorized"),
        "{err}"
    );
}
