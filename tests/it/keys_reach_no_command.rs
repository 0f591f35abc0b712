//! envact's first promise: no command ever sees the long-term keys, nor
//! what unlocks them. Whatever holds them for envact (the env backend's
//! variables, the file backend's passphrase) is removed from everything
//! envact starts, in every injection mode: the on-activate hook, the shell,
//! its unwrapped and wrapped commands, and `envact exec`. Real shells, moto's
//! STS, the real AWS CLI; each child's whole environment is read.

use crate::support;

use std::process::{Command, Output};
use support::sts::{Moto, CALLER_ARN};
use support::{keys_input, run, run_with_stdin, stderr, stdout, Sandbox};
use support::{ACCESS_KEY_ID, SECRET_ACCESS_KEY};

const PASSPHRASE: &str = "a passphrase nothing may see";
const ROLE: &str = "arn:aws:sts::123456789012:assumed-role/keys-role/envact-";

/// A project whose keys are in `backend`, assuming a role (so that the
/// commands' credentials are STS's, never the long-term ones).
fn manifest(backend: &str) -> String {
    format!(
        "version = 1\nname = \"keys\"\n[vars]\nAWS_DEFAULT_REGION = \"us-east-1\"\n\
         [secrets]\n{backend}\n\
         [aws]\nrole_arn = \"arn:aws:iam::123456789012:role/keys-role\"\nwrap = [\"aws\", \"env\"]\n\
         [hook]\non-activate = \"env > \\\"$HOME/hook-env\\\"\"\n"
    )
}

struct Project {
    sb: Sandbox,
    moto: Moto,
    /// Variables the person's shell holds when envact starts, keys among them.
    given: Vec<(&'static str, String)>,
}

impl Project {
    fn new(backend: &str, given: Vec<(&'static str, String)>) -> Project {
        let sb = Sandbox::with_manifest(&manifest(backend));
        let moto = Moto::start(&sb);
        Project { sb, moto, given }
    }

    fn envact(&self, args: &[&str]) -> Command {
        let mut cmd = self.sb.envact(args);
        cmd.env("AWS_ENDPOINT_URL_STS", &self.moto.url)
            .env("AWS_REGION", "us-east-1");
        for (name, value) in &self.given {
            cmd.env(name, value);
        }
        cmd
    }

    /// `envact activate --inject MODE -- ARGS` (as typed at the prompt).
    fn activate(&self, mode: &str, args: &[&str]) -> Output {
        let mut all = vec!["activate", "--inject", mode, "--"];
        all.extend(args);
        let out = run(self.envact(&all));
        assert!(out.status.success(), "{mode} {args:?}: {}", stderr(&out));
        out
    }

    /// Fails naming the child and the variable when `env` (a child's whole
    /// environment) holds a long-term key or the passphrase anywhere.
    fn assert_clean(&self, who: &str, env: &str) {
        for secret in [ACCESS_KEY_ID, SECRET_ACCESS_KEY, PASSPHRASE] {
            let found: Vec<&str> = env.lines().filter(|l| l.contains(secret)).collect();
            assert!(found.is_empty(), "{who} sees {found:?}");
        }
    }

    fn hook_env(&self) -> String {
        std::fs::read_to_string(self.sb.home.join("hook-env")).unwrap()
    }
}

/// Each mode: the hook, the shell's own environment (`printenv`, never
/// wrapped), `env` (wrapped in per-command mode), and the real AWS CLI,
/// which must be the role, not the user.
fn every_child_is_clean(p: &Project) {
    for mode in ["per-command", "shell", "server"] {
        let shell = p.activate(mode, &["printenv"]);
        p.assert_clean(&format!("{mode}: the hook"), &p.hook_env());
        p.assert_clean(&format!("{mode}: the shell"), &stdout(&shell));
        let env = p.activate(mode, &["env"]);
        p.assert_clean(&format!("{mode}: env"), &stdout(&env));
        let mut aws = vec!["aws"];
        aws.extend(CALLER_ARN);
        let who = p.activate(mode, &aws);
        assert!(stdout(&who).starts_with(ROLE), "{mode}: {}", stdout(&who));
    }
    let exec = run(p.envact(&["exec", "--", "env"]));
    assert!(exec.status.success(), "{}", stderr(&exec));
    p.assert_clean("envact exec", &stdout(&exec));
    assert!(stdout(&exec).contains("AWS_SESSION_TOKEN="), "it has STS's");
}

#[test]
fn the_env_backends_keys_reach_no_command_in_any_mode() {
    // As in CI: the keys in AWS's own variable names, the backend's defaults.
    let p = Project::new(
        "backend = \"env\"",
        vec![
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.into()),
        ],
    );
    every_child_is_clean(&p);
}

#[test]
fn the_env_backends_own_variable_names_reach_no_command_either() {
    let p = Project::new(
        "backend = \"env\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"",
        vec![
            ("CI_ID", ACCESS_KEY_ID.into()),
            ("CI_SECRET", SECRET_ACCESS_KEY.into()),
        ],
    );
    every_child_is_clean(&p);
}

#[test]
fn the_file_backends_passphrase_reaches_no_command_in_any_mode() {
    let p = Project::new(
        "backend = \"file\"\nitem = \"dev\"",
        vec![("ENVACT_FILE_PASSPHRASE", PASSPHRASE.into())],
    );
    let added = run_with_stdin(p.envact(&["add", "dev", "--stdin"]), &keys_input());
    assert!(added.status.success(), "{}", stderr(&added));
    every_child_is_clean(&p);
}
