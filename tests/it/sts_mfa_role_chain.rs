//! A developer's long-term keys become short-lived STS credentials: MFA, role
//! chains from ~/.aws/config, external ids, and the errors STS can give. STS is
//! moto's server on loopback; for the error paths (moto accepts any MFA code and
//! never fails) the loopback endpoint of tests/fixtures/sts-endpoint.py answers
//! with STS's documented error responses. Every request passes that endpoint,
//! which logs it, so the tests see exactly which STS calls were made.

use crate::support;

use std::process::{Command, Output};
use support::sts::{Endpoint, Moto};
use support::{run, spawn_pty, stderr, stdout, which, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

const AWS_CONFIG: &str = "
[profile base]
mfa_serial = arn:aws:iam::123456789012:mfa/tester

[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev

[profile partner]
role_arn = arn:aws:iam::123456789012:role/partner
external_id = ext-42
role_session_name = tester-session

[profile loop-a]
role_arn = arn:aws:iam::123456789012:role/a
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::123456789012:role/b
source_profile = loop-a

[profile orphan]
role_arn = arn:aws:iam::123456789012:role/o
source_profile = nowhere
";

struct Sts {
    sb: Sandbox,
    moto: Moto,
    endpoint: Endpoint,
}

/// A project whose keys come from the `env` backend, with `aws` as its [aws]
/// section, behind an endpoint in `mode`.
fn setup(aws: &str, mode: &str) -> Sts {
    let sb = Sandbox::with_manifest(&format!(
        "version = 1\nname = \"sts\"\n[secrets]\nbackend = \"env\"\nitem = \"ci\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n[aws]\n{aws}\n"
    ));
    std::fs::create_dir_all(sb.home.join(".aws")).unwrap();
    std::fs::write(sb.home.join(".aws/config"), AWS_CONFIG).unwrap();
    let moto = Moto::start(&sb);
    let endpoint = Endpoint::start(&sb, &moto, mode);
    Sts { sb, moto, endpoint }
}

impl Sts {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.sb.envact(args);
        cmd.env("CI_ID", ACCESS_KEY_ID)
            .env("CI_SECRET", SECRET_ACCESS_KEY)
            .env("AWS_ENDPOINT_URL_STS", &self.endpoint.url)
            .env("AWS_REGION", "us-east-1");
        cmd
    }

    /// The caller identity of credentials, asked of moto by the real AWS CLI.
    fn identity(&self, json: &str) -> String {
        let v: serde_json::Value =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
        let mut aws = Command::new(which("aws"));
        self.sb.apply_env(&mut aws);
        aws.args(support::sts::CALLER_ARN)
            .env("AWS_ACCESS_KEY_ID", v["AccessKeyId"].as_str().unwrap())
            .env(
                "AWS_SECRET_ACCESS_KEY",
                v["SecretAccessKey"].as_str().unwrap(),
            )
            .env("AWS_SESSION_TOKEN", v["SessionToken"].as_str().unwrap())
            .env("AWS_ENDPOINT_URL_STS", &self.moto.url)
            .env("AWS_DEFAULT_REGION", "us-east-1");
        let out = run(aws);
        assert!(out.status.success(), "aws: {}", stderr(&out));
        stdout(&out).trim().to_string()
    }

    /// `envact export --format json` on a terminal, typing each MFA code asked for.
    fn export_typing(&self, codes: &[&str]) -> String {
        let mut p = spawn_pty(self.cmd(&["export", "--format", "json"]));
        for code in codes {
            p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
                .unwrap();
            p.send_line(code).unwrap();
        }
        // The JSON follows the spinner's last redraw on the terminal.
        let rest = p.exp_eof().unwrap();
        let (start, end) = (rest.find("{\""), rest.rfind('}'));
        match (start, end) {
            (Some(s), Some(e)) if s < e => rest[s..=e].to_string(),
            _ => panic!("no JSON in: {rest}"),
        }
    }
}

fn json_of(out: &Output) -> String {
    assert!(out.status.success(), "{}", stderr(out));
    stdout(out)
}

#[test]
fn mfa_then_a_chain_of_two_roles() {
    let s = setup("profile = \"admin\"", "proxy");
    let json = s.export_typing(&["123456"]);
    assert_eq!(
        s.endpoint.actions(),
        ["GetSessionToken", "AssumeRole", "AssumeRole"]
    );
    let reqs = s.endpoint.requests();
    assert_eq!(
        reqs[0]["SerialNumber"],
        "arn:aws:iam::123456789012:mfa/tester"
    );
    assert_eq!(
        reqs[0]["TokenCode"], "<6 digits>",
        "the MFA code typed was sent"
    );
    assert_eq!(reqs[1]["RoleArn"], "arn:aws:iam::123456789012:role/dev");
    assert_eq!(reqs[2]["RoleArn"], "arn:aws:iam::123456789012:role/admin");
    // The chained role asks for at most an hour, as AWS allows.
    assert_eq!(reqs[2]["DurationSeconds"], "3600");
    assert!(
        s.identity(&json)
            .starts_with("arn:aws:sts::123456789012:assumed-role/admin/envact-"),
        "{json}"
    );
}

#[test]
fn a_role_without_mfa_is_assumed_directly_with_external_id_and_session_name() {
    let s = setup("profile = \"partner\"", "proxy");
    let json = json_of(&run(s.cmd(&["export", "--format", "json"])));
    assert_eq!(s.endpoint.actions(), ["AssumeRole"]);
    let req = &s.endpoint.requests()[0];
    assert_eq!(req["ExternalId"], "ext-42");
    assert_eq!(req["RoleSessionName"], "tester-session");
    assert_eq!(
        s.identity(&json),
        "arn:aws:sts::123456789012:assumed-role/partner/tester-session"
    );
}

#[test]
fn with_neither_mfa_nor_role_a_session_token_is_still_obtained() {
    let s = setup("session_duration = \"2h\"", "proxy");
    let out = run(s.cmd(&["export", "--format", "credential-process"]));
    let json = json_of(&out);
    assert_eq!(s.endpoint.actions(), ["GetSessionToken"]);
    assert_eq!(s.endpoint.requests()[0]["DurationSeconds"], "7200");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["Version"], 1);
    assert!(v["SessionToken"].as_str().is_some_and(|t| !t.is_empty()));
    let exp = envact::aws::parse_rfc3339(v["Expiration"].as_str().unwrap()).unwrap();
    let left = exp
        .duration_since(std::time::SystemTime::now())
        .unwrap()
        .as_secs();
    assert!((7000..=7200).contains(&left), "expires in {left}s");
}

#[test]
fn the_manifest_role_on_top_of_no_profile() {
    let s = setup(
        "role_arn = \"arn:aws:iam::123456789012:role/from-manifest\"",
        "proxy",
    );
    let json = json_of(&run(s.cmd(&["export", "--format", "json"])));
    assert_eq!(s.endpoint.actions(), ["AssumeRole"]);
    assert!(s.identity(&json).contains("assumed-role/from-manifest/"));
}

#[test]
fn a_rejected_mfa_code_is_asked_again() {
    let s = setup(
        "mfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"",
        "mfa:654321",
    );
    let mut p = spawn_pty(s.cmd(&["export", "--format", "json"]));
    p.exp_string("MFA code for").unwrap();
    p.send_line("111111").unwrap();
    p.exp_string("that code was rejected (attempt 2 of 3)")
        .unwrap();
    p.exp_string("MFA code for").unwrap();
    p.send_line("654321").unwrap();
    p.exp_string("\"AccessKeyId\"").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(s.endpoint.actions(), ["GetSessionToken", "GetSessionToken"]);

    // Three wrong codes: one clear error, exit 3.
    let mut p = spawn_pty(s.cmd(&["export", "--format", "json"]));
    for attempt in 1..=3 {
        if attempt > 1 {
            p.exp_string(&format!("that code was rejected (attempt {attempt} of 3)"))
                .unwrap();
        }
        p.exp_string("MFA code for").unwrap();
        p.send_line("000000").unwrap();
    }
    p.exp_string(
        "error: the MFA code for arn:aws:iam::123456789012:mfa/tester was rejected 3 times",
    )
    .unwrap();
    p.exp_eof().unwrap();
    match p.process.wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => assert_eq!(code, 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn mfa_without_a_terminal_or_totp_field_fails_at_once() {
    let s = setup(
        "mfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"",
        "proxy",
    );
    let out = run(s.cmd(&["export", "--format", "json"]));
    let err = support::assert_fails(&out, 1, &["an MFA code for arn:aws:iam::123456789012:mfa/tester is needed, and there is no terminal"]);
    assert!(
        err.contains("help: run it in a terminal, or name the TOTP field"),
        "{err}"
    );
    assert!(s.endpoint.actions().is_empty());
}

#[test]
fn sts_errors_each_say_what_failed_and_what_to_do() {
    for (code, help) in [
        ("AccessDenied", "check that the role's trust policy lets you assume it"),
        ("ExpiredToken", "the session has expired: run `envact clear`"),
        ("InvalidClientTokenId", "AWS does not know the stored access key (deleted or mistyped): store the current one with `envact add ITEM`"),
    ] {
        let s = setup("role_arn = \"arn:aws:iam::123456789012:role/denied\"", &format!("error:{code}"));
        let out = run(s.cmd(&["export", "--format", "json"]));
        assert_eq!(out.status.code(), Some(3), "{code}");
        let err = stderr(&out);
        assert!(err.contains(&format!("error: STS AssumeRole failed with {code}: ")), "{err}");
        assert!(err.contains(&format!("help: {help}")), "{code}: {err}");
        assert!(stdout(&out).is_empty());
    }
}

/// An answer with no AWS error in it (a proxy's page) is said by its HTTP
/// status, not as an "Unknown" error.
#[test]
fn an_answer_without_an_aws_error_is_said_by_its_http_status() {
    let s = setup(
        "role_arn = \"arn:aws:iam::123456789012:role/dev\"",
        "status:403",
    );
    let out = run(s.cmd(&["export", "--format", "json"]));
    support::assert_fails(
        &out,
        3,
        &[
            "error: STS AssumeRole failed with HTTP 403: an answer without an error code",
            "help: the answer is not STS's own (a proxy's?)",
        ],
    );
    assert!(!stderr(&out).contains("Unknown"), "{}", stderr(&out));
}

#[test]
fn an_unreachable_endpoint_is_named() {
    let s = setup("", "proxy");
    let mut cmd = s.cmd(&["export", "--format", "json"]);
    cmd.env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    let out = run(cmd);
    let err = support::assert_fails(&out, 3, &["cannot reach STS at http://127.0.0.1:9"]);
    assert!(
        err.contains("help: check the network connection, or AWS_ENDPOINT_URL_STS"),
        "{err}"
    );
}

#[test]
fn profile_loops_and_missing_source_profiles_are_refused_before_any_call() {
    let s = setup("profile = \"loop-a\"", "proxy");
    let out = run(s.cmd(&["export", "--format", "json"]));
    support::assert_fails(
        &out,
        1,
        &["the source_profile chain loops: loop-a -> loop-b -> loop-a"],
    );

    s.sb.write_manifest(
        &std::fs::read_to_string(s.sb.project.join(".envact/manifest.toml"))
            .unwrap()
            .replace("loop-a", "orphan"),
    );
    let out = run(s.cmd(&["export", "--format", "json"]));
    let err = support::assert_fails(&out, 1, &["profile \"nowhere\" does not exist in"]);
    assert!(
        err.contains("(it is the source_profile of \"orphan\")"),
        "{err}"
    );
    assert!(s.endpoint.actions().is_empty());
}

#[test]
fn plain_text_keys_in_aws_credentials_get_a_warning_offering_envact_add() {
    let s = setup("", "proxy");
    std::fs::write(
        s.sb.home.join(".aws/credentials"),
        format!("[default]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET_ACCESS_KEY}\n"),
    )
    .unwrap();
    let out = run(s.cmd(&["export", "--format", "json"]));
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("warning: the long-term keys of profile \"default\" are in plain text in"),
        "{err}"
    );
    assert!(err.contains("`envact add ITEM`"), "{err}");
    assert!(!err.contains(SECRET_ACCESS_KEY));
}

#[test]
fn the_mfa_code_comes_from_the_1password_totp_field_without_a_prompt() {
    use support::op_standin::{OpStandin, SERVICE_TOKEN};
    let s = setup(
        "mfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"",
        "proxy",
    );
    s.sb.write_manifest(
        "version = 1\n[secrets]\nbackend = \"1password\"\nvault = \"Engineering\"\nitem = \"aws-dev\"\n[secrets.fields]\nmfa_totp = \"one-time password\"\n[aws]\nmfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"\n",
    );
    let op = OpStandin::new(&s.sb);
    let mut cmd = s.cmd(&["export", "--format", "json"]);
    op.apply(&mut cmd);
    cmd.env("OP_SERVICE_ACCOUNT_TOKEN", SERVICE_TOKEN);
    // No terminal: the code can only have come from the TOTP field.
    let out = run(cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    let req = &s.endpoint.requests()[0];
    assert_eq!(req["Action"], "GetSessionToken");
    assert_eq!(req["SerialNumber"], "arn:aws:iam::123456789012:mfa/tester");
    assert_eq!(req["TokenCode"], "<6 digits>");
    let argv = std::fs::read_to_string(&op.argv_log).unwrap();
    assert!(
        argv.contains("op://Engineering/aws-dev/one-time password?attribute=otp"),
        "{argv}"
    );
}

#[test]
fn a_second_resolution_waits_for_the_first_shows_its_pid_and_gives_up_in_time() {
    let s = setup("profile = \"admin\"", "proxy");
    // The first export holds the environment's lock while it waits for a code.
    let mut first = spawn_pty(s.cmd(&["export", "--format", "json"]));
    first
        .exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    let holder = first.process.child_pid.as_raw();

    let started = std::time::Instant::now();
    let mut second = spawn_pty(s.cmd(&["export", "--format", "json"]));
    second
        .exp_string(&format!(
            "Waiting for envact (pid {holder}), which is resolving these credentials"
        ))
        .unwrap();
    second
        .exp_string(&format!(
            "error: gave up after 20 s waiting for envact (pid {holder}) to finish resolving these credentials"
        ))
        .unwrap();
    second.exp_string("help: let it finish").unwrap();
    let waited = started.elapsed();
    assert!(
        (19..=40).contains(&waited.as_secs()),
        "gave up after {waited:?}"
    );
    assert!(s.endpoint.actions().is_empty(), "the second one called STS");

    // The first one was never disturbed.
    first.send_line("123456").unwrap();
    let rest = first.exp_eof().unwrap();
    assert!(rest.contains("\"AccessKeyId\""), "{rest}");
}

#[test]
fn an_sts_endpoint_that_never_stops_answering_is_cut_off() {
    let s = setup(
        "role_arn = \"arn:aws:iam::123456789012:role/dev\"",
        "endless",
    );
    let started = std::time::Instant::now();
    let mut cmd = s.cmd(&["export", "--format", "json"]);
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = support::wait_output(cmd.spawn().unwrap(), std::time::Duration::from_secs(25));
    let err = support::assert_fails(&out, 3, &["STS AssumeRole failed"]);
    assert!(err.contains("length limit exceeded"), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn the_manifests_vars_point_envacts_own_sts_calls_as_they_point_the_shells() {
    let s = setup("", "proxy");
    s.sb.write_manifest(&format!(
        "version = 1\nname = \"sts\"\n[vars]\nAWS_ENDPOINT_URL_STS = \"{}\"\nAWS_REGION = \"us-east-1\"\n\
         [secrets]\nbackend = \"env\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n\
         [aws]\nrole_arn = \"arn:aws:iam::123456789012:role/dev\"\n",
        s.endpoint.url
    ));
    // The person's own environment points elsewhere: the manifest wins.
    let mut cmd = s.cmd(&["export", "--format", "json"]);
    cmd.env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
        .env("AWS_REGION", "eu-west-1");
    let json = json_of(&run(cmd));
    assert_eq!(s.endpoint.actions(), ["AssumeRole"]);
    assert!(json.contains("\"Region\":\"us-east-1\""), "{json}");
}

#[test]
fn an_unreachable_or_silent_sts_is_named_in_one_sentence_within_seconds() {
    let s = setup("role_arn = \"arn:aws:iam::123456789012:role/dev\"", "proxy");
    // Nothing listens: refused at once.
    let mut cmd = s.cmd(&["export", "--format", "json"]);
    cmd.env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    let err = support::assert_fails(
        &run(cmd),
        3,
        &["error: cannot reach STS at http://127.0.0.1:9: ", "refused"],
    );
    assert_eq!(err.lines().count(), 2, "one sentence and its help:\n{err}");
    assert!(!err.contains("Dispatch") && !err.contains('{'), "{err}");

    // Something listens and never answers: a few seconds, not half a minute.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let mut cmd = s.cmd(&["export", "--format", "json"]);
    cmd.env("AWS_ENDPOINT_URL_STS", &url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let started = std::time::Instant::now();
    let out = support::wait_output(cmd.spawn().unwrap(), std::time::Duration::from_secs(30));
    let took = started.elapsed();
    let err = support::assert_fails(
        &out,
        3,
        &[&format!(
            "error: cannot reach STS at {url}: no answer after "
        )],
    );
    assert!(!err.contains("Dispatch") && !err.contains('{'), "{err}");
    assert!(took < std::time::Duration::from_secs(16), "took {took:?}");
    // The time it says is the time it waited.
    let said: f64 = err
        .split("no answer after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        (said - took.as_secs_f64()).abs() < 1.5,
        "said {said} s, waited {took:?}: {err}"
    );
}

#[test]
fn a_region_that_is_not_one_is_named_where_it_was_written() {
    let s = setup("profile = \"odd\"", "proxy");
    std::fs::write(
        s.sb.home.join(".aws/config"),
        "[profile odd]\nregion = eu west 1\n",
    )
    .unwrap();
    let mut cmd = s.cmd(&["export", "--format", "json"]);
    cmd.env_remove("AWS_REGION");
    let err = support::assert_fails(
        &run(cmd),
        1,
        &[&format!(
            "profile \"odd\" in {}: region = \"eu west 1\" is invalid: not an AWS region",
            s.sb.home.join(".aws/config").display()
        )],
    );
    assert!(!err.contains("ConstructionFailure"), "{err}");

    std::fs::write(s.sb.home.join(".aws/config"), "[profile odd]\n").unwrap();
    let mut cmd = s.cmd(&["export", "--format", "json"]);
    cmd.env("AWS_REGION", "Europe/Paris");
    support::assert_fails(
        &run(cmd),
        1,
        &["AWS_REGION in the environment is \"Europe/Paris\", which is not an AWS region"],
    );
    assert!(s.endpoint.actions().is_empty());
}

#[test]
fn without_a_terminal_the_advice_is_to_type_the_code_once_where_there_is_one() {
    let s = setup(
        "mfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"",
        "proxy",
    );
    let out = run(s.cmd(&["export", "--format", "credential-process"]));
    support::assert_fails(
        &out,
        1,
        &[&format!(
            "type the code once in a terminal with `envact export -d {} --format credential-process`",
            s.sb.project.display()
        )],
    );
}

#[test]
fn a_code_that_is_not_six_digits_is_asked_again_without_costing_an_attempt() {
    let s = setup(
        "mfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"",
        "proxy",
    );
    let mut p = spawn_pty(s.cmd(&["export", "--format", "json"]));
    p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    p.send_line("12345").unwrap();
    p.exp_string("an MFA code is the 6 digits your device shows")
        .unwrap();
    p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    p.send_line("123456").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("\"AccessKeyId\""), "{rest}");
    assert!(!rest.contains("attempt"), "{rest}");
    assert_eq!(s.endpoint.actions(), ["GetSessionToken"]);
}

#[test]
fn ctrl_c_during_a_spinner_leaves_no_spinner_on_screen() {
    let s = setup("role_arn = \"arn:aws:iam::123456789012:role/dev\"", "proxy");
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut cmd = s.cmd(&["export", "--format", "json"]);
    cmd.env(
        "AWS_ENDPOINT_URL_STS",
        format!("http://{}", silent.local_addr().unwrap()),
    )
    .env("TERM", "xterm-256color");
    let mut p = spawn_pty(cmd);
    p.exp_string("Assuming arn:aws:iam::123456789012:role/dev")
        .unwrap();
    p.send_control('c').unwrap();
    let rest = p.exp_eof().unwrap();
    // The last thing drawn is the cleared line, not a spinner frame.
    let last_frame = rest.rfind("Assuming").unwrap_or(0);
    assert!(
        rest[last_frame..].contains("\r\u{1b}[2K"),
        "the spinner stayed: {rest:?}"
    );
}

/// A server's words reach the terminal bounded, with its control
/// characters shown: no clipboard write (OSC 52), no erased line, no
/// 100 kB message.
#[test]
fn an_sts_error_message_is_bounded_and_shows_its_control_characters() {
    let s = setup(
        "role_arn = \"arn:aws:iam::123456789012:role/denied\"",
        "error:Hostile",
    );
    let out = run(s.cmd(&["export", "--format", "json"]));
    let err = support::assert_fails(
        &out,
        3,
        &["error: STS AssumeRole failed with AccessDenied: \\u{1b}]52;c;ZXZpbA==\\u{7}\\u{1b}[2Kall is well"],
    );
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.len() < 2000, "{} bytes", err.len());
    assert!(err.contains("(99519 more characters)"), "{err}");
}
