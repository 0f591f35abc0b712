//! Credentials are cached with their expiry: a second activation within their
//! lifetime makes no STS call at all, credentials near expiry are refreshed,
//! `envact clear` forgets them, and concurrent envact processes share one
//! resolution. Cached in the real Secret Service; STS is moto behind the
//! logging loopback endpoint (tests/fixtures/sts-endpoint.py).

use crate::support;

use std::process::Command;
use support::secret_service::SecretService;
use support::sts::{Endpoint, Moto};
use support::{run, stderr, stdout, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

struct Env {
    sb: Sandbox,
    ss: SecretService,
    _moto: Moto,
    endpoint: Endpoint,
}

fn setup(aws: &str, persistence: &str) -> Env {
    let sb = Sandbox::with_manifest(&format!(
        "version = 1\nname = \"cache\"\n[secrets]\nbackend = \"env\"\nitem = \"ci\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n[aws]\n{aws}\n[persistence]\n{persistence}\n"
    ));
    let ss = SecretService::start(&sb);
    let moto = Moto::start(&sb);
    let endpoint = Endpoint::start(&sb, &moto, "proxy");
    Env {
        sb,
        ss,
        _moto: moto,
        endpoint,
    }
}

impl Env {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.sb.envact(args);
        self.ss.apply(&mut cmd);
        cmd.env("CI_ID", ACCESS_KEY_ID)
            .env("CI_SECRET", SECRET_ACCESS_KEY)
            .env("AWS_ENDPOINT_URL_STS", &self.endpoint.url)
            .env("AWS_REGION", "us-east-1");
        cmd
    }

    fn export(&self) -> serde_json::Value {
        let out = run(self.cmd(&["export", "--format", "json"]));
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    }

    fn calls(&self) -> usize {
        self.endpoint.actions().len()
    }
}

const ROLE: &str = "role_arn = \"arn:aws:iam::123456789012:role/dev\"";

#[test]
fn a_second_activation_within_the_lifetime_makes_no_sts_call() {
    let e = setup(ROLE, "sts_session = true");
    let first = e.export();
    assert_eq!(e.calls(), 1);
    let second = e.export();
    assert_eq!(e.calls(), 1, "the cached credentials were not reused");
    assert_eq!(first["AccessKeyId"], second["AccessKeyId"]);
    // An activation too.
    let out = run(e.cmd(&["activate", "--", "true"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(e.calls(), 1);

    // They live in the keyring's STS namespace, not in a file.
    let found =
        e.ss.secret_tool(&e.sb, &["search", "--all", "service", "envact-sts"]);
    assert!(found.contains("/final"), "{found}");

    // `envact clear` forgets them: the next one calls STS again.
    let out = run(e.cmd(&["clear"]));
    assert!(
        stderr(&out).contains("forgot the cached STS credentials of \"cache\""),
        "{}",
        stderr(&out)
    );
    let third = e.export();
    assert_eq!(e.calls(), 2);
    assert_ne!(third["AccessKeyId"], first["AccessKeyId"]);
}

#[test]
fn credentials_near_expiry_are_refreshed() {
    // Credentials live an hour; a refresh margin of an hour means every cached
    // credential is already "near expiry".
    let e = setup(
        &format!("{ROLE}\nsession_duration = \"1h\"\nrefresh_margin = \"1h\""),
        "sts_session = true",
    );
    let first = e.export();
    let second = e.export();
    assert_eq!(
        e.calls(),
        2,
        "near-expiry credentials were served from the cache"
    );
    assert_ne!(first["AccessKeyId"], second["AccessKeyId"]);
}

#[test]
fn without_persistence_nothing_is_kept_between_processes() {
    let e = setup(ROLE, "sts_session = false");
    e.export();
    e.export();
    assert_eq!(e.calls(), 2);
    let out = run(e.cmd(&["clear"]));
    assert!(
        stderr(&out).contains("nothing is cached"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_changed_manifest_does_not_reuse_credentials_for_another_role() {
    let e = setup(ROLE, "sts_session = true");
    e.export();
    let text = std::fs::read_to_string(e.sb.project.join(".envact/manifest.toml")).unwrap();
    e.sb.write_manifest(&text.replace("role/dev", "role/other"));
    let v = e.export();
    assert_eq!(e.calls(), 2);
    assert_eq!(
        e.endpoint.requests()[1]["RoleArn"],
        "arn:aws:iam::123456789012:role/other"
    );
    drop(v);
}

#[test]
fn concurrent_processes_share_one_sts_round_trip() {
    let e = setup("session_duration = \"1h\"", "sts_session = true");
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut c = e.cmd(&["export", "--format", "json"]);
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| support::wait_output(c, std::time::Duration::from_secs(60)))
        .collect();
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr(out));
    }
    assert_eq!(e.endpoint.actions(), ["GetSessionToken"]);
    let ids: std::collections::BTreeSet<_> = outputs
        .iter()
        .map(|o| {
            serde_json::from_str::<serde_json::Value>(&stdout(o)).unwrap()["AccessKeyId"]
                .clone()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every process got the same credentials");
}

#[test]
fn the_activation_says_what_it_gives_and_status_what_is_cached_until_when() {
    let e = setup(ROLE, "sts_session = true");
    let out = run(e.cmd(&[
        "activate",
        "--",
        "sh",
        "-c",
        "envact status; echo status-exit=$?",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let (said, shown) = (stderr(&out), stdout(&out));
    // Once, as the activation starts.
    let line = said
        .lines()
        .find(|l| l.starts_with("envact: cache is active: "))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        line.contains("role dev (account 123456789012) until ")
            && line.ends_with(" UTC; per-command for aws"),
        "{line}"
    );
    // And by `envact status`, with the cache.
    for wanted in [
        "credentials: role dev (account 123456789012)",
        "given:       per-command for aws",
        "cached:      the credentials commands get, until 20",
        "status-exit=0",
    ] {
        assert!(shown.contains(wanted), "{wanted:?} not in:\n{shown}");
    }
    assert!(shown.contains("\nuntil:       20"), "{shown}");
}

/// With `[aws.profiles]`, `envact status` lists each profile's kept
/// credentials (one entry per profile; without MFA there is no session).
#[test]
fn status_lists_the_kept_credentials_of_each_profile() {
    let e = setup(
        "default_profile = \"dev\"\n[aws.profiles.dev]\nrole_arn = \"arn:aws:iam::123456789012:role/dev\"\n\
         [aws.profiles.prod]\nrole_arn = \"arn:aws:iam::123456789012:role/prod\"",
        "sts_session = true",
    );
    let out = run(e.cmd(&["export", "-p", "prod", "--format", "json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(e.cmd(&["activate", "--", "envact", "status"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&out);
    for wanted in [
        "cached:      profile dev's credentials, until 20",
        "cached:      profile prod's credentials, until 20",
    ] {
        assert!(shown.contains(wanted), "{wanted:?} not in:\n{shown}");
    }
}
