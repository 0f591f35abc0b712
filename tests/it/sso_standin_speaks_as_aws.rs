//! The IAM Identity Center stand-in is checked against a real AWS client
//! before envact is tested against it: the AWS CLI (botocore) signs in
//! through its OIDC API (the device flow, `authorization_pending` until the
//! browser approves), lists what the person is assigned, gets role
//! credentials that moto's STS accepts, is refused what is not assigned, and
//! logs out; and botocore, for an `sso_session` profile, reads the token
//! cache the AWS tools share and refreshes a token near its expiry through
//! the stand-in (the refresh grant).

use crate::support;

use std::process::{Command, Output};

use serde_json::Value;
use support::sso::{self, SsoStandin, ACCOUNT, OTHER_ACCOUNT, ROLE, START_URL};
use support::sts::Moto;
use support::{run, stderr, stdout, which, Sandbox};

struct World {
    sb: Sandbox,
    moto: Moto,
    sso: SsoStandin,
}

impl World {
    fn new() -> World {
        let sb = Sandbox::new();
        let moto = Moto::start(&sb);
        let sso = SsoStandin::start(&sb, &moto, serde_json::json!({}));
        // The AWS CLI v1 would fetch an https:// parameter (the start URL)
        // and pass its content instead.
        std::fs::create_dir_all(sb.home.join(".aws")).unwrap();
        std::fs::write(
            sb.home.join(".aws/config"),
            "[default]\ncli_follow_urlparam = false\n",
        )
        .unwrap();
        World { sb, moto, sso }
    }

    fn aws(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(which("aws"));
        self.sb.apply_env(&mut cmd);
        self.sso.apply(&mut cmd);
        // The AWS CLI v1 reads AWS_DEFAULT_REGION.
        cmd.env("AWS_ENDPOINT_URL_STS", &self.moto.url)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .args(args)
            .args(["--output", "json"]);
        run(cmd)
    }

    fn aws_json(&self, args: &[&str]) -> Value {
        let out = self.aws(args);
        assert!(out.status.success(), "aws {args:?}: {}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    }

    /// The device flow through the AWS CLI: (client id, client secret,
    /// access token, refresh token).
    fn sign_in(&self) -> (String, String, String, String) {
        let client = self.aws_json(&[
            "sso-oidc",
            "register-client",
            "--client-name",
            "envact-test",
            "--client-type",
            "public",
        ]);
        let (id, secret) = (s(&client["clientId"]), s(&client["clientSecret"]));
        let device = self.aws_json(&[
            "sso-oidc",
            "start-device-authorization",
            "--client-id",
            &id,
            "--client-secret",
            &secret,
            "--start-url",
            START_URL,
        ]);
        let create = [
            "sso-oidc",
            "create-token",
            "--client-id",
            &id,
            "--client-secret",
            &secret,
            "--grant-type",
            "urn:ietf:params:oauth:grant-type:device_code",
            "--device-code",
            device["deviceCode"].as_str().unwrap(),
        ];
        // Before the person approves: pending, as RFC 8628 says.
        let pending = self.aws(&create);
        assert!(!pending.status.success());
        assert!(
            stderr(&pending).contains("AuthorizationPendingException"),
            "{}",
            stderr(&pending)
        );
        let approved = Command::new(&self.sso.browser)
            .arg(device["verificationUriComplete"].as_str().unwrap())
            .status()
            .unwrap();
        assert!(approved.success());
        let token = self.aws_json(&create);
        assert_eq!(token["tokenType"], "Bearer");
        (
            id,
            secret,
            s(&token["accessToken"]),
            s(&token["refreshToken"]),
        )
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

#[test]
fn the_aws_cli_signs_in_lists_gets_moto_credentials_and_logs_out() {
    let w = World::new();
    let (_, _, access, _) = w.sign_in();

    let accounts = w.aws_json(&["sso", "list-accounts", "--access-token", &access]);
    let ids: Vec<String> = accounts["accountList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["accountId"]))
        .collect();
    assert_eq!(ids, [ACCOUNT, OTHER_ACCOUNT]);
    let roles = w.aws_json(&[
        "sso",
        "list-account-roles",
        "--access-token",
        &access,
        "--account-id",
        ACCOUNT,
    ]);
    let names: Vec<String> = roles["roleList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| s(&r["roleName"]))
        .collect();
    assert_eq!(names, [ROLE, "ReadOnly"]);

    // Role credentials that moto's STS takes: the assigned role's.
    let creds = w.aws_json(&[
        "sso",
        "get-role-credentials",
        "--access-token",
        &access,
        "--account-id",
        ACCOUNT,
        "--role-name",
        ROLE,
    ])["roleCredentials"]
        .clone();
    assert!(creds["expiration"].as_i64().unwrap() > 1_700_000_000_000);
    let mut whoami = Command::new(which("aws"));
    w.sb.apply_env(&mut whoami);
    whoami
        .env("AWS_ENDPOINT_URL_STS", &w.moto.url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", s(&creds["accessKeyId"]))
        .env("AWS_SECRET_ACCESS_KEY", s(&creds["secretAccessKey"]))
        .env("AWS_SESSION_TOKEN", s(&creds["sessionToken"]))
        .args(support::sts::CALLER_ARN);
    let arn = stdout(&run(whoami));
    assert!(
        arn.contains(&format!("{ACCOUNT}:assumed-role/{ROLE}/")),
        "{arn}"
    );

    // What is not assigned is refused.
    let refused = w.aws(&[
        "sso",
        "get-role-credentials",
        "--access-token",
        &access,
        "--account-id",
        OTHER_ACCOUNT,
        "--role-name",
        ROLE,
    ]);
    assert!(
        stderr(&refused).contains("No access"),
        "{}",
        stderr(&refused)
    );

    // After logout the token is refused.
    w.aws(&["sso", "logout", "--access-token", &access]);
    let after = w.aws(&["sso", "list-accounts", "--access-token", &access]);
    assert!(
        stderr(&after).contains("UnauthorizedException"),
        "{}",
        stderr(&after)
    );
}

#[test]
fn botocore_reads_the_shared_token_cache_and_refreshes_a_token_near_its_expiry() {
    let w = World::new();
    let (id, secret, access, refresh) = w.sign_in();
    let aws_dir = w.sb.home.join(".aws");
    std::fs::write(
        aws_dir.join("config"),
        format!(
            "[default]\ncli_follow_urlparam = false\n[profile dev]\nsso_session = corp\nsso_account_id = {ACCOUNT}\nsso_role_name = {ROLE}\n\
             region = us-east-1\n[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
        ),
    )
    .unwrap();
    // Written as the AWS CLI writes it; five minutes left, inside botocore's
    // refresh window of fifteen.
    let cache = sso::token_cache_file(&w.sb.home, "corp");
    std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
    let in_five_minutes = std::time::SystemTime::now() + std::time::Duration::from_secs(300);
    let stamp = |t: std::time::SystemTime| humantime::format_rfc3339_seconds(t).to_string();
    let token = serde_json::json!({
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": access,
        "expiresAt": stamp(in_five_minutes),
        "clientId": id,
        "clientSecret": secret,
        "registrationExpiresAt": stamp(in_five_minutes + std::time::Duration::from_secs(60 * 86400)),
        "refreshToken": refresh,
    });
    std::fs::write(&cache, token.to_string()).unwrap();

    let out = w.aws(&["sts", "get-caller-identity", "--profile", "dev"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("{ACCOUNT}:assumed-role/{ROLE}/")),
        "{}",
        stdout(&out)
    );
    let log = w.sso.log();
    let ops: Vec<(&str, &str)> = log
        .iter()
        .map(|(op, _, detail)| (op.as_str(), detail.as_str()))
        .collect();
    assert!(ops.contains(&("CreateToken", "refresh_token")), "{ops:?}");
    assert!(
        ops.contains(&("GetRoleCredentials", &*format!("{ACCOUNT}/{ROLE}"))),
        "{ops:?}"
    );
    // botocore wrote the new token back, in the same file.
    let rewritten: Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_ne!(rewritten["accessToken"], token["accessToken"]);
    assert_eq!(rewritten["refreshToken"], token["refreshToken"]);
    assert_eq!(rewritten["clientId"], token["clientId"]);
}
