//! Inside an activation, credentials reach only the commands that need them:
//! per-command wrappers ask the agent, server mode serves the ECS endpoint,
//! shell mode exports them; they are refreshed, and they vanish with the shell.
//! STS is moto behind the logging loopback endpoint; the client is the real
//! AWS CLI in real shells on a pseudo-terminal.

use crate::support;

use std::time::Duration;
use support::agent_env::setup;
use support::{eventually, process_alive, run, spawn_pty, stderr, stdout, PtySession, SHELLS};

const WHOAMI: &str = "aws sts get-caller-identity --output text --query Arn";

fn assumed_role_shown(p: &mut PtySession) {
    p.send_line(WHOAMI).unwrap();
    p.exp_string("arn:aws:sts::123456789012:assumed-role/agent-role/envact-")
        .unwrap();
}

/// `env` in the interactive shell, checked for credential variables.
fn shell_env_has(p: &mut PtySession, var: &str) -> bool {
    // The typed line shows `count=(`, never `count=` and a digit.
    p.send_line(&format!("echo \"count=($(env | grep -c '^{var}='))\""))
        .unwrap();
    let (_, found) = p.exp_regex(r"count=\(\d+\)").unwrap();
    found != "count=(0)"
}

fn exit_shell(p: &mut PtySession) {
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn per_command_wrapped_aws_works_and_the_shell_holds_no_secret() {
    for shell in SHELLS {
        let e = setup("inject = \"per-command\"");
        let mut p = e.activate(shell, &[]);
        assumed_role_shown(&mut p);
        for var in [
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(
                !shell_env_has(&mut p, var),
                "{shell}: {var} in the interactive shell"
            );
        }
        // `command aws` is the real binary, without credentials.
        p.send_line("command aws sts get-caller-identity").unwrap();
        p.exp_string("Unable to locate credentials").unwrap();
        exit_shell(&mut p);
        e.sb.assert_no_runtime_dir();
    }
}

#[test]
fn server_mode_serves_the_ecs_endpoint_and_refuses_requests_without_the_token() {
    let e = setup("inject = \"server\"");
    let mut p = e.activate("bash", &[]);
    assumed_role_shown(&mut p);
    assert!(shell_env_has(&mut p, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    assert!(!shell_env_has(&mut p, "AWS_SECRET_ACCESS_KEY"));
    assert!(!shell_env_has(&mut p, "AWS_SESSION_TOKEN"));
    let probe = |auth: &str| {
        format!(
            "python3 -c 'import os,urllib.request as u\ntry:\n  r=u.urlopen(u.Request(os.environ[\"AWS_CONTAINER_CREDENTIALS_FULL_URI\"],headers={auth}));print(\"status\",r.status)\nexcept Exception as x: print(\"status\", x.code)'"
        )
    };
    p.send_line(&probe("{}")).unwrap();
    p.exp_string("status 403").unwrap();
    p.send_line(&probe("{\"Authorization\":\"wrong-token\"}"))
        .unwrap();
    p.exp_string("status 403").unwrap();
    p.send_line(&probe(
        "{\"Authorization\":os.environ[\"AWS_CONTAINER_AUTHORIZATION_TOKEN\"]}",
    ))
    .unwrap();
    p.exp_string("status 200").unwrap();
    // The port, for the teardown check.
    p.send_line("echo \"uri=[$AWS_CONTAINER_CREDENTIALS_FULL_URI]\"")
        .unwrap();
    let (_, uri) = p
        .exp_regex(r"uri=\[http://127\.0\.0\.1:\d+/credentials\]")
        .unwrap();
    let port: u16 = uri
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    exit_shell(&mut p);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the port is still open"
    );
    e.sb.assert_no_runtime_dir();
}

#[test]
fn inject_flag_overrides_the_manifest_for_one_activation() {
    let e = setup("inject = \"per-command\"");
    let mut p = e.activate("bash", &["--inject", "shell"]);
    assert!(shell_env_has(&mut p, "AWS_SECRET_ACCESS_KEY"));
    assert!(shell_env_has(&mut p, "AWS_CREDENTIAL_EXPIRATION"));
    assumed_role_shown(&mut p);
    exit_shell(&mut p);
    let mut p = e.activate("bash", &["--inject", "server"]);
    assert!(!shell_env_has(&mut p, "AWS_SECRET_ACCESS_KEY"));
    assert!(shell_env_has(&mut p, "AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    exit_shell(&mut p);
}

#[test]
fn credentials_are_refreshed_from_the_session_without_a_new_mfa_prompt() {
    // The role's credentials (1 h) are always inside a 1 h margin, so every
    // wrapped command needs fresh ones; the 12 h session is not.
    let e = setup("mfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"\nsession_duration = \"12h\"\nrefresh_margin = \"1h\"");
    let mut p = spawn_pty(e.envact("bash", &["activate"]));
    p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    p.send_line("123456").unwrap();
    p.exp_string("(agent) inner").unwrap();
    assert_eq!(e.endpoint.actions(), ["GetSessionToken", "AssumeRole"]);
    for _ in 0..2 {
        assumed_role_shown(&mut p);
    }
    let sts_calls: Vec<String> = e
        .endpoint
        .actions()
        .into_iter()
        .filter(|a| a != "GetCallerIdentity") // the AWS CLI's own calls
        .collect();
    assert_eq!(
        sts_calls,
        ["GetSessionToken", "AssumeRole", "AssumeRole", "AssumeRole"],
        "each command got new role credentials from the same session"
    );
    exit_shell(&mut p);
}

#[test]
fn exec_outside_an_activation_resolves_itself_and_passes_the_exit_code() {
    let e = setup("inject = \"per-command\"");
    let mut cmd = e.envact(
        "bash",
        &[
            "exec",
            "--",
            "sh",
            "-c",
            "echo \"$AWS_ACCESS_KEY_ID $AWS_REGION\"; exit 4",
        ],
    );
    cmd.current_dir(&e.sb.project);
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("ASIA"), "{}", stdout(&out));
    assert!(stdout(&out).trim_end().ends_with("us-east-1"));
    let out = run(e.envact("bash", &["exec", "--", "no-such-program-xyz"]));
    support::assert_fails(&out, 127, &["no-such-program-xyz: command not found"]);
}

/// Credential values a wrapped command received, read from inside the activation.
fn received_credentials(p: &mut PtySession) -> Vec<String> {
    p.send_line(
        "envact exec -- sh -c 'echo \"k=[$AWS_ACCESS_KEY_ID] s=[$AWS_SECRET_ACCESS_KEY]\"'",
    )
    .unwrap();
    let (_, line) = p.exp_regex(r"k=\[ASIA[A-Z0-9]+\] s=\[[^\]]+\]").unwrap();
    line.split(['[', ']'])
        .filter(|s| s.len() > 10)
        .map(str::to_string)
        .collect()
}

#[test]
fn teardown_on_exit_sighup_sigterm_and_sigkill_leaves_nothing() {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    for how in ["exit", "SIGHUP", "SIGTERM", "SIGKILL shell"] {
        let e = setup("inject = \"server\"");
        let mut p = e.activate("bash", &[]);
        let creds = received_credentials(&mut p);
        assert_eq!(creds.len(), 2, "{how}: {creds:?}");
        p.send_line("echo \"pid=[$$] port=[${AWS_CONTAINER_CREDENTIALS_FULL_URI##*:}]\"")
            .unwrap();
        let (_, line) = p
            .exp_regex(r"pid=\[\d+\] port=\[\d+/credentials\]")
            .unwrap();
        let nums: Vec<&str> = line
            .split(['[', ']', '/'])
            .filter(|s| s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty())
            .collect();
        let (shell_pid, port): (i32, u16) = (nums[0].parse().unwrap(), nums[1].parse().unwrap());
        let envact = p.process.child_pid.as_raw();
        let socket = e.sb.runtime_leftovers()[0].join("agent.sock");
        assert!(socket.exists(), "{how}: no agent socket while active");
        match how {
            "exit" => drop(p.send_line("exit").unwrap()),
            "SIGHUP" => kill(Pid::from_raw(envact), Signal::SIGHUP).unwrap(),
            "SIGTERM" => kill(Pid::from_raw(envact), Signal::SIGTERM).unwrap(),
            _ => kill(Pid::from_raw(shell_pid), Signal::SIGKILL).unwrap(),
        }
        let _ = p.process.wait();
        eventually(
            Duration::from_secs(5),
            &format!("{how}: envact and the shell are gone"),
            || !process_alive(envact) && !process_alive(shell_pid),
        );
        e.sb.assert_no_runtime_dir();
        assert!(!socket.exists(), "{how}: the socket is left");
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "{how}: the port is open"
        );
        let leaked = support::files_containing(&e.sb.root, &creds, &[]);
        assert!(leaked.is_empty(), "{how}: credentials in files: {leaked:?}");
    }
}

#[test]
fn when_the_session_itself_expires_a_wrapped_command_asks_for_mfa_on_its_terminal() {
    // Session and role both live an hour, inside a margin of an hour: after the
    // activation, every credential the agent holds counts as expired.
    let e = setup("mfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"\nsession_duration = \"1h\"\nrefresh_margin = \"1h\"");
    let mut p = spawn_pty(e.envact("bash", &["activate"]));
    p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    p.send_line("123456").unwrap();
    p.exp_string("(agent) inner").unwrap();
    p.send_line(WHOAMI).unwrap();
    p.exp_string("The session expired. MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    p.send_line("654321").unwrap();
    p.exp_string("arn:aws:sts::123456789012:assumed-role/agent-role/envact-")
        .unwrap();
    let gst = e
        .endpoint
        .actions()
        .iter()
        .filter(|a| *a == "GetSessionToken")
        .count();
    assert_eq!(gst, 2, "a new session for the wrapped command");
    exit_shell(&mut p);
}
