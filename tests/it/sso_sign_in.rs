//! A team whose people sign in through IAM Identity Center: the manifest's
//! `[aws.sso]` names the portal, the account and the role; the first
//! activation on a terminal signs in (the address and code printed, the
//! browser opened once), the wrapped `aws` gets the role's credentials;
//! later activations open no browser (a cached token, or its refresh), and
//! the AWS CLI uses the same sign-in. The stand-in answers for Identity
//! Center; moto's STS takes its credentials.

use crate::support;

use std::process::Command;

use support::sso::{self, SsoStandin, ACCOUNT, ROLE, START_URL};
use support::sts::Moto;
use support::{run, stderr, stdout, which, Sandbox};

fn manifest(extra: &str) -> String {
    format!(
        "version = 1\nname = \"team\"\n[aws]\nwrap = [\"aws\"]\n{extra}[aws.sso]\nstart_url = \"{START_URL}\"\n\
         region = \"us-east-1\"\naccount_id = \"{ACCOUNT}\"\nrole_name = \"{ROLE}\"\nsession_name = \"corp\"\n"
    )
}

struct Team {
    sb: Sandbox,
    moto: Moto,
    sso: SsoStandin,
}

impl Team {
    fn new(standin: serde_json::Value) -> Team {
        Team::with_manifest(&manifest(""), standin)
    }

    fn with_manifest(text: &str, standin: serde_json::Value) -> Team {
        let sb = Sandbox::with_manifest(text);
        let moto = Moto::start(&sb);
        let sso = SsoStandin::start(&sb, &moto, standin);
        Team { sb, moto, sso }
    }

    fn cmd(&self, program: &std::path::Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        self.sb.apply_env(&mut cmd);
        self.sso.apply(&mut cmd);
        cmd.env("AWS_ENDPOINT_URL_STS", &self.moto.url)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .args(args);
        cmd
    }

    fn envact(&self, args: &[&str]) -> Command {
        self.cmd(support::envact_bin(), args)
    }

    /// `envact activate -- aws sts get-caller-identity` on a terminal: what it showed.
    fn whoami_on_a_terminal(&self) -> String {
        let mut args = vec!["activate", "--", "aws"];
        args.extend(support::sts::CALLER_ARN);
        let mut p = support::spawn_pty(self.envact(&args));
        p.exp_eof().unwrap()
    }

    fn cache(&self) -> std::path::PathBuf {
        sso::token_cache_file(&self.sb.home, "corp")
    }

    /// Writes ~/.aws/config: the SSO profile `dev` of `[sso-session corp]`
    /// (the manifest's portal), then `more` (other profiles).
    fn aws_config(&self, more: &str) {
        let aws = self.sb.home.join(".aws");
        std::fs::create_dir_all(&aws).unwrap();
        std::fs::write(
            aws.join("config"),
            format!(
                "[profile dev]\nsso_session = corp\nsso_account_id = {ACCOUNT}\nsso_role_name = {ROLE}\n\
                 {more}[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
            ),
        )
        .unwrap();
    }

    /// Moves the cached token's expiry into the past, as time would.
    fn age_cached_token(&self) {
        let mut token: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(self.cache()).unwrap()).unwrap();
        token["expiresAt"] = "2020-01-01T00:00:00Z".into();
        std::fs::write(self.cache(), token.to_string()).unwrap();
    }
}

const ROLE_ARN: &str = "111122223333:assumed-role/Developer/";

#[test]
fn one_sign_in_in_the_browser_then_none_while_the_token_or_its_refresh_is_good() {
    let t = Team::new(serde_json::json!({}));
    // First: the address and code shown, the browser opened once, the role's
    // credentials in the wrapped command.
    let shown = t.whoami_on_a_terminal();
    assert!(shown.contains("Sign in to IAM Identity Center"), "{shown}");
    assert!(
        shown.contains("check that the page shows the code"),
        "{shown}"
    );
    assert!(shown.contains(ROLE_ARN), "{shown}");
    assert_eq!(t.sso.browser_opened().len(), 1);
    // The token is where the AWS tools look, 0600.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(t.cache()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // Again: the cached token; no browser, no sign-in.
    let shown = t.whoami_on_a_terminal();
    assert!(shown.contains(ROLE_ARN), "{shown}");
    assert!(!shown.contains("Sign in to"), "{shown}");
    assert_eq!(t.sso.browser_opened().len(), 1);
    // `envact whoami` asks STS with the same sign-in's role credentials.
    let out = run(t.envact(&["whoami"]));
    assert!(stdout(&out).contains(ROLE_ARN), "{}", stderr(&out));
    assert_eq!(t.sso.browser_opened().len(), 1);

    // The access token expired, its refresh token good: renewed, no browser.
    t.sso.expire(true, false);
    t.age_cached_token();
    let shown = t.whoami_on_a_terminal();
    assert!(shown.contains(ROLE_ARN), "{shown}");
    assert_eq!(t.sso.browser_opened().len(), 1);
    assert!(t
        .sso
        .calls("CreateToken")
        .contains(&"refresh_token".to_string()));

    // Both expired: one new sign-in.
    t.sso.expire(true, true);
    t.age_cached_token();
    let shown = t.whoami_on_a_terminal();
    assert!(shown.contains(ROLE_ARN), "{shown}");
    assert_eq!(t.sso.browser_opened().len(), 2);

    // The AWS CLI, for a profile of the same sso-session, needs no sign-in
    // of its own: botocore reads the token envact cached.
    t.aws_config("");
    let mut args = vec!["--profile", "dev"];
    args.extend(support::sts::CALLER_ARN);
    let out = run(t.cmd(&which("aws"), &args));
    assert!(stdout(&out).contains(ROLE_ARN), "{}", stderr(&out));
    assert_eq!(t.sso.browser_opened().len(), 2);

    // botocore refreshes the token envact wrote (five minutes left is
    // inside its window) and writes it back its own way; envact then goes
    // on with botocore's token, no browser.
    let mut token: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.cache()).unwrap()).unwrap();
    token["expiresAt"] = humantime::format_rfc3339_seconds(
        std::time::SystemTime::now() + std::time::Duration::from_secs(300),
    )
    .to_string()
    .into();
    std::fs::write(t.cache(), token.to_string()).unwrap();
    let refreshes = t.sso.calls("CreateToken").len();
    let out = run(t.cmd(&which("aws"), &args));
    assert!(stdout(&out).contains(ROLE_ARN), "{}", stderr(&out));
    assert_eq!(
        t.sso.calls("CreateToken").len(),
        refreshes + 1,
        "botocore did not refresh"
    );
    let botocores: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.cache()).unwrap()).unwrap();
    assert_ne!(botocores["accessToken"], token["accessToken"]);
    let out = run(t.envact(&["export", "--format", "env"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.sso.browser_opened().len(), 2);

    // No token anywhere but the cache: not in any file of HOME but that one.
    let token: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.cache()).unwrap()).unwrap();
    let access = token["accessToken"].as_str().unwrap();
    let refresh = token["refreshToken"].as_str().unwrap();
    let found = support::files_containing(&t.sb.home, &[access, refresh], &[]);
    assert_eq!(found, [t.cache()], "tokens outside the cache");
}

#[test]
fn without_a_terminal_an_expired_sign_in_says_envact_login_and_opens_no_browser() {
    let t = Team::new(serde_json::json!({}));
    let out = run(t.envact(&["export", "--format", "env"]));
    let err = support::assert_fails(
        &out,
        1,
        &[
            &format!("there is no valid sign-in to {START_URL} (none yet, or it expired)"),
            "help: run `envact login`",
        ],
    );
    assert!(t.sso.browser_opened().is_empty(), "{err}");
    assert!(t.sso.calls("StartDeviceAuthorization").is_empty());

    // `envact login`, with no terminal and no browser: the address and
    // code, opened on "another device" (here, by the test), then signed in.
    let mut login = t.envact(&["login", "--no-browser"]);
    login
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = login.spawn().unwrap();
    let mut said = std::io::BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert_ne!(
            std::io::BufRead::read_line(&mut said, &mut line).unwrap(),
            0,
            "login ended without an address"
        );
        if let Some(url) = line.trim().strip_prefix("http://") {
            break format!("http://{url}");
        }
    };
    assert!(Command::new(&t.sso.browser)
        .arg(&url)
        .status()
        .unwrap()
        .success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut said, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(
        rest.contains(&format!("signed in to {START_URL} until")),
        "{rest}"
    );
    // Only the test's own visit: envact opened nothing.
    assert_eq!(t.sso.browser_opened().len(), 1);

    // Now export works without a terminal.
    let out = run(t.envact(&["export", "--format", "env"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("AWS_SESSION_TOKEN"));

    // Logout: the portal's session ended, the cache gone; export refused again.
    let out = run(t.envact(&["logout"]));
    assert!(
        stderr(&out).contains(&format!("signed out of {START_URL}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(t.sso.calls("Logout").len(), 1);
    assert!(!t.cache().exists());
    let out = run(t.envact(&["logout"]));
    assert!(stderr(&out).contains("not signed in"), "{}", stderr(&out));
}

#[test]
fn polling_slows_down_when_told_and_ctrl_c_while_waiting_writes_nothing() {
    // The first poll is answered slow_down: the next comes 5 s later than
    // the interval (1 s) said.
    let t = Team::new(serde_json::json!({"slow_down": 1}));
    let shown = t.whoami_on_a_terminal();
    assert!(shown.contains(ROLE_ARN), "{shown}");
    let polls: Vec<f64> = t
        .sso
        .log()
        .into_iter()
        .filter(|(op, _, detail)| op == "CreateToken" && detail.starts_with("device_code"))
        .map(|(_, at, _)| at)
        .collect();
    assert!(polls.len() >= 2, "{polls:?}");
    assert!(polls[1] - polls[0] >= 5.9, "polls at {polls:?}");

    // Nobody approves; Ctrl-C while waiting: nothing written.
    let t = Team::new(serde_json::json!({}));
    let mut cmd = t.envact(&["activate", "--", "true"]);
    cmd.env("BROWSER", "true");
    let mut p = support::spawn_pty(cmd);
    p.exp_string("check that the page shows the code").unwrap();
    p.exp_string("Waiting for the sign-in").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    assert!(!t.cache().exists(), "a half sign-in was written");
}

#[test]
fn an_account_or_role_not_assigned_is_refused_listing_what_is() {
    let t = Team::with_manifest(&manifest("").replace(ROLE, "Admin"), serde_json::json!({}));
    let shown = t.whoami_on_a_terminal();
    assert!(
        shown.contains(&format!(
            "role \"Admin\" is not one your sign-in to {START_URL} is assigned (yours: {ROLE}, ReadOnly)"
        )),
        "{shown}"
    );
    assert!(shown.contains("choose one of yours"), "{shown}");
    // An account not assigned: the accounts are listed.
    let t = Team::with_manifest(
        &manifest("").replace(ACCOUNT, "999999999999"),
        serde_json::json!({}),
    );
    let shown = t.whoami_on_a_terminal();
    assert!(
        shown.contains(&format!(
            "account \"999999999999\" is not one your sign-in to {START_URL} is assigned (yours: {ACCOUNT}, {})",
            sso::OTHER_ACCOUNT
        )),
        "{shown}"
    );
}

#[test]
fn bad_sso_settings_are_refused_where_they_are_written() {
    let sb = Sandbox::new();
    for (text, error) in [
        (
            manifest("").replace("https://corp", "http://corp"),
            "invalid `start_url`",
        ),
        (
            manifest("").replace("us-east-1", "Europe"),
            "invalid `region`",
        ),
        (
            manifest("").replace(ACCOUNT, "1234"),
            "invalid `account_id`",
        ),
        (
            manifest("").replace(&format!("start_url = \"{START_URL}\"\n"), ""),
            "missing field `start_url`",
        ),
        (manifest("").replace(ROLE, "Dev Ops"), "invalid `role_name`"),
        (
            manifest("mfa_serial = \"arn:aws:iam::123456789012:mfa/a\"\n"),
            "[aws.sso] and `mfa_serial` do not go together",
        ),
        (
            format!("{}[secrets]\nbackend = \"file\"\n", manifest("")),
            "[aws.sso] and [secrets] both say where the credentials start",
        ),
    ] {
        sb.write_manifest(&text);
        let out = run(sb.envact(["activate", "--", "true"]));
        let err = support::assert_fails(&out, 1, &[error]);
        assert!(err.contains("manifest.toml:"), "no place named: {err}");
    }
}

/// Inside an open activation the sign-in expires: the next wrapped command
/// fails at once, saying to run `envact login` (the agent starts no sign-in
/// and opens no browser); after `envact login` elsewhere, the same shell
/// works again without activating anew.
#[test]
fn an_expired_sign_in_inside_an_activation_says_login_and_login_elsewhere_mends_it() {
    // Credentials of an hour inside a margin of an hour: every wrapped
    // command makes the agent resolve again.
    let t = Team::with_manifest(
        &manifest("refresh_margin = \"1h\"\n"),
        serde_json::json!({}),
    );
    let mut p = support::spawn_pty(t.envact(&["activate", "--shell", "bash"]));
    p.exp_string("check that the page shows the code").unwrap();
    p.exp_string("(team) inner").unwrap();
    let whoami = format!("aws {}", support::sts::CALLER_ARN.join(" "));
    p.send_line(&whoami).unwrap();
    p.exp_string(ROLE_ARN).unwrap();
    assert_eq!(t.sso.browser_opened().len(), 1);
    // `envact status` shows the sign-in, from the cache, offline.
    p.send_line("envact status").unwrap();
    p.exp_string(&format!(
        "sign-in:     {START_URL} (sso-session corp), token until"
    ))
    .unwrap();

    t.sso.expire(true, true);
    t.age_cached_token();
    p.send_line(&whoami).unwrap();
    p.exp_string("there is no valid sign-in to").unwrap();
    p.exp_string("run `envact login`").unwrap();
    assert_eq!(
        t.sso.browser_opened().len(),
        1,
        "the agent opened a browser"
    );

    // Another terminal: `envact login` (the browser approves at once).
    let out = run(t.envact(&["login"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.sso.browser_opened().len(), 2);
    p.send_line(&whoami).unwrap();
    p.exp_string(ROLE_ARN).unwrap();
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

/// The sign-in's tokens exist only in the cache file the AWS tools share:
/// never in the environment of the hook, the shell's commands (wrapped or
/// not, in every injection mode), nor in what envact prints.
#[test]
fn the_sign_ins_tokens_reach_no_command_and_no_output() {
    let text = manifest("").replace("wrap = [\"aws\"]\n", "wrap = [\"aws\", \"env\"]\n")
        + "[hook]\non-activate = \"env > \\\"$HOME/hook-env\\\"\"\n";
    let t = Team::with_manifest(&text, serde_json::json!({}));
    let mut seen = t.whoami_on_a_terminal();
    let token: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.cache()).unwrap()).unwrap();
    let secrets = [
        token["accessToken"].as_str().unwrap().to_string(),
        token["refreshToken"].as_str().unwrap().to_string(),
        token["clientSecret"].as_str().unwrap().to_string(),
    ];
    for mode in ["per-command", "shell", "server"] {
        for command in [&["env"][..], &["sh", "-c", "env"]] {
            let mut args = vec!["activate", "--inject", mode, "--"];
            args.extend(command);
            let out = run(t.envact(&args));
            assert!(out.status.success(), "{mode}: {}", stderr(&out));
            seen += &stdout(&out);
            seen += &stderr(&out);
            seen += &std::fs::read_to_string(t.sb.home.join("hook-env")).unwrap();
        }
    }
    for secret in &secrets {
        assert!(!seen.contains(secret.as_str()), "a token was seen");
    }
    let found = support::files_containing(&t.sb.home, &secrets, &[]);
    assert_eq!(found, [t.cache()], "tokens outside the cache");
}

/// The cache is shared both ways: a token written as the AWS CLI writes it
/// (`aws sso login`) is used with no browser; a file that is not a token is
/// replaced by a new sign-in, never a panic; a portal that never answers is
/// named, with the time waited.
#[test]
fn a_token_the_aws_cli_wrote_is_used_and_a_broken_cache_or_a_silent_portal_is_handled() {
    let t = Team::new(serde_json::json!({}));
    // A token envact had, rewritten as the AWS CLI v2 writes its own.
    let _ = t.whoami_on_a_terminal();
    let mine: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.cache()).unwrap()).unwrap();
    let cli_format = serde_json::json!({
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": mine["accessToken"],
        "expiresAt": humantime::format_rfc3339_seconds(
            std::time::SystemTime::now() + std::time::Duration::from_secs(3600)
        ).to_string(),
    });
    std::fs::write(t.cache(), cli_format.to_string()).unwrap();
    let opened = t.sso.browser_opened().len();
    let out = run(t.envact(&["export", "--format", "env"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.sso.browser_opened().len(), opened, "signed in again");

    // Not a token: a new sign-in replaces it.
    std::fs::write(t.cache(), "{\"this is\": \"not a token\"").unwrap();
    let shown = t.whoami_on_a_terminal();
    assert!(shown.contains(ROLE_ARN), "{shown}");
    assert_eq!(t.sso.browser_opened().len(), opened + 1);
    let replaced: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.cache()).unwrap()).unwrap();
    assert!(replaced["accessToken"].is_string());

    // A portal that takes the connection and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    std::fs::remove_file(t.cache()).unwrap();
    let mut cmd = t.envact(&["login", "--no-browser"]);
    cmd.env("AWS_ENDPOINT_URL_SSO_OIDC", &url);
    let out = run(cmd);
    support::assert_fails(
        &out,
        3,
        &[
            &format!("cannot reach IAM Identity Center at {url}: no answer after"),
            "help: check the network",
        ],
    );
}

/// A template that leaves the account and the role to each person: the
/// first activation signs in, lists the accounts and then the roles the
/// person is assigned, keeps the choice in their answers, and the wrapped
/// `aws` sees the chosen role; the browser opened once in all. The flag
/// twins are checked against the same lists.
#[test]
fn the_wizard_lists_the_accounts_and_roles_and_the_flags_are_checked_against_them() {
    let open = manifest("")
        .replace(&format!("account_id = \"{ACCOUNT}\"\n"), "")
        .replace(&format!("role_name = \"{ROLE}\"\n"), "");
    let t = Team::with_manifest(&open, serde_json::json!({}));
    let mut args = vec!["activate", "--", "aws"];
    args.extend(support::sts::CALLER_ARN);
    let mut p = support::spawn_pty(t.envact(&args));
    p.exp_string("check that the page shows the code").unwrap();
    p.exp_string("Which AWS account?").unwrap();
    p.exp_string(&format!("{ACCOUNT}  dev (dev@example.com)"))
        .unwrap();
    p.exp_string(&format!("{}  prod (prod@example.com)", sso::OTHER_ACCOUNT))
        .unwrap();
    p.send_line("").unwrap();
    p.exp_string(&format!("Which role in {ACCOUNT}?")).unwrap();
    p.exp_string("ReadOnly").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Keep AWS session credentials").unwrap();
    p.send_line("n").unwrap();
    p.exp_string("Write them to").unwrap();
    p.send_line("y").unwrap();
    p.exp_string(ROLE_ARN).unwrap();
    p.exp_eof().unwrap();
    assert_eq!(t.sso.browser_opened().len(), 1);
    let shown = run(t.envact(&["setup", "--show"]));
    assert!(stdout(&shown).contains(ACCOUNT), "{}", stdout(&shown));

    // The flags: an account or a role not assigned is refused, listing yours.
    let out = run(t.envact(&["setup", "--sso-account", "999999999999", "--yes"]));
    support::assert_fails(
        &out,
        1,
        &[&format!(
            "account \"999999999999\" is not one your sign-in to {START_URL} is assigned (yours: {ACCOUNT}, {})",
            sso::OTHER_ACCOUNT
        )],
    );
    let out = run(t.envact(&[
        "setup",
        "--sso-account",
        sso::OTHER_ACCOUNT,
        "--sso-role",
        ROLE,
        "--yes",
    ]));
    support::assert_fails(
        &out,
        1,
        &["role \"Developer\" is not one", "(yours: ReadOnly)"],
    );
    let out = run(t.envact(&[
        "setup",
        "--sso-account",
        sso::OTHER_ACCOUNT,
        "--sso-role",
        "ReadOnly",
        "--yes",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let mut args = vec!["activate", "--", "aws"];
    args.extend(support::sts::CALLER_ARN);
    let out = run(t.envact(&args));
    assert!(
        stdout(&out).contains(&format!("{}:assumed-role/ReadOnly/", sso::OTHER_ACCOUNT)),
        "{}",
        stderr(&out)
    );
}

/// A profile of `~/.aws/config` (as `aws configure sso` writes it) starts
/// the chain from its sign-in: the manifest names a profile whose
/// source_profile is the SSO one; no backend is asked for, the role on top
/// is assumed with the SSO role's credentials, and the AWS CLI's own
/// `--profile` works from the same sign-in.
#[test]
fn a_chain_starts_from_an_sso_profile_of_the_aws_config_file() {
    let t = Team::with_manifest(
        "version = 1\nname = \"team\"\n[aws]\nprofile = \"deploy\"\nwrap = [\"aws\"]\n",
        serde_json::json!({}),
    );
    t.aws_config(&format!(
        "region = us-east-1\n[profile deploy]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/deploy\nsource_profile = dev\n"
    ));
    // Nothing to answer: the profile says where the credentials start.
    let shown = run(t.envact(&["setup", "--show"]));
    assert!(shown.status.success(), "{}", stderr(&shown));
    let shown = t.whoami_on_a_terminal();
    assert!(
        !shown.contains("Where are your long-term AWS keys kept?"),
        "{shown}"
    );
    assert!(
        shown.contains("check that the page shows the code"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("{ACCOUNT}:assumed-role/deploy/")),
        "{shown}"
    );
    assert_eq!(t.sso.browser_opened().len(), 1);
    // The AWS CLI's own chain, from envact's sign-in.
    let mut args = vec!["--profile", "deploy"];
    args.extend(support::sts::CALLER_ARN);
    let out = run(t.cmd(&which("aws"), &args));
    assert!(
        stdout(&out).contains(&format!("{ACCOUNT}:assumed-role/deploy/")),
        "{}",
        stderr(&out)
    );
    assert_eq!(t.sso.browser_opened().len(), 1);
}

/// A manifest whose `[secrets]` names a backend, but whose profile signs in
/// through IAM Identity Center: nothing is asked about the backend (no item
/// wanted), it is never opened, and each command says once that
/// `[secrets]` is not used.
#[test]
fn secrets_beside_an_sso_profile_are_not_asked_for_and_said_to_be_unused() {
    let t = Team::with_manifest(
        "version = 1\nname = \"team\"\n[secrets]\nbackend = \"pass\"\n[aws]\nprofile = \"dev\"\nwrap = [\"aws\"]\n",
        serde_json::json!({}),
    );
    t.aws_config("");
    let out = run(t.envact(&["login"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.sso.browser_opened().len(), 1);
    // No pass store exists here: had the backend been opened, this failed.
    let out = run(t.envact(&["export", "--format", "env"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("AWS_SESSION_TOKEN"));
    let warned = stderr(&out);
    assert_eq!(
        warned
            .matches("profile \"dev\" signs in with IAM Identity Center, so [secrets] in ")
            .count(),
        1,
        "{warned}"
    );
    assert!(warned.contains("is not used: remove it"), "{warned}");
}

/// A role profile with `mfa_serial` above an SSO profile: as with the AWS
/// CLI, the code goes with the AssumeRole (role credentials cannot call
/// GetSessionToken), asked once on the terminal; a wrong code is asked again.
#[test]
fn an_mfa_device_above_an_sso_profile_is_asked_for_with_the_role() {
    let t = Team::with_manifest(
        "version = 1\nname = \"team\"\n[aws]\nprofile = \"deploy\"\nwrap = [\"aws\"]\n",
        serde_json::json!({}),
    );
    let sts = support::sts::Endpoint::start(&t.sb, &t.moto, "role-mfa:246810");
    t.aws_config(&format!(
        "[profile deploy]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/deploy\nsource_profile = dev\n\
         mfa_serial = arn:aws:iam::{ACCOUNT}:mfa/alice\n"
    ));
    let mut args = vec!["activate", "--", "aws"];
    args.extend(support::sts::CALLER_ARN);
    let mut cmd = t.envact(&args);
    cmd.env("AWS_ENDPOINT_URL_STS", &sts.url);
    let mut p = support::spawn_pty(cmd);
    p.exp_string(&format!("MFA code for arn:aws:iam::{ACCOUNT}:mfa/alice"))
        .unwrap();
    p.send_line("111111").unwrap();
    p.exp_string("that code was rejected (attempt 2 of 3)")
        .unwrap();
    p.exp_string("MFA code for").unwrap();
    p.send_line("246810").unwrap();
    let shown = p.exp_eof().unwrap();
    assert!(
        shown.contains(&format!("{ACCOUNT}:assumed-role/deploy/")),
        "{shown}"
    );
    let assumed: Vec<serde_json::Value> = sts
        .requests()
        .into_iter()
        .filter(|r| r["Action"] == "AssumeRole")
        .collect();
    assert_eq!(assumed.len(), 2, "{assumed:?}");
    assert_eq!(
        assumed[1]["SerialNumber"],
        format!("arn:aws:iam::{ACCOUNT}:mfa/alice")
    );
    assert!(!sts.actions().contains(&"GetSessionToken".to_string()));
}

/// Server mode: an expired sign-in is a 503 whose message says to run
/// `envact login` (an SDK tries again later), and after the login the
/// endpoint serves again.
#[test]
fn in_server_mode_an_expired_sign_in_is_a_503_saying_login() {
    let t = Team::with_manifest(
        &manifest("refresh_margin = \"1h\"\ninject = \"server\"\n"),
        serde_json::json!({}),
    );
    let mut p = support::spawn_pty(t.envact(&["activate", "--shell", "bash"]));
    p.exp_string("(team) inner").unwrap();
    // The endpoint's answer: status, and its Message.
    let probe = "python3 -c 'import os,json,urllib.request as u\nreq=u.Request(os.environ[\"AWS_CONTAINER_CREDENTIALS_FULL_URI\"],headers={\"Authorization\":os.environ[\"AWS_CONTAINER_AUTHORIZATION_TOKEN\"]})\ntry:\n  r=u.urlopen(req);print(\"status\",r.status)\nexcept Exception as x: print(\"status\", x.code, json.load(x)[\"Message\"])'";
    p.send_line(probe).unwrap();
    p.exp_string("status 200").unwrap();
    t.sso.expire(true, true);
    t.age_cached_token();
    p.send_line(probe).unwrap();
    p.exp_string("status 503 there is no valid sign-in to")
        .unwrap();
    p.exp_string("run `envact login`").unwrap();
    let out = run(t.envact(&["login"]));
    assert!(out.status.success(), "{}", stderr(&out));
    p.send_line(probe).unwrap();
    p.exp_string("status 200").unwrap();
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

/// direnv: `use envact` for an `[aws.sso]` project. The first wrapped `aws`
/// signs in on its terminal and gets the role; neither the shell, direnv's
/// export nor DIRENV_DIFF ever holds a token; an expired sign-in is said
/// with `envact login`, which mends it for the same shell.
#[test]
fn direnv_brings_an_sso_environment_without_a_token_in_the_shell() {
    let t = Team::with_manifest(
        &manifest("refresh_margin = \"1h\"\n"),
        serde_json::json!({}),
    );
    t.sb.use_envact_in_direnv();
    let mut allow = t.cmd(&which("direnv"), &["allow"]);
    allow.arg(&t.sb.project);
    assert!(run(allow).status.success());

    let mut shell = t.cmd(&which("bash"), &["--norc", "--noprofile", "-i"]);
    shell.current_dir(&t.sb.root).env("PS1", "outer$ ");
    let mut p = support::spawn_pty(shell);
    p.exp_string("outer$ ").unwrap();
    p.send_line("eval \"$(direnv hook bash)\"").unwrap();
    p.exp_string("outer$ ").unwrap();
    p.send_line(&format!("cd {}", t.sb.project.display()))
        .unwrap();
    p.exp_string("direnv: export").unwrap();
    p.exp_string("outer$ ").unwrap();
    let whoami = format!("aws {}", support::sts::CALLER_ARN.join(" "));
    p.send_line(&whoami).unwrap();
    p.exp_string("check that the page shows the code").unwrap();
    p.exp_string(ROLE_ARN).unwrap();
    p.exp_string("outer$ ").unwrap();

    // What the shell holds, what direnv exports, DIRENV_DIFF decoded.
    let seen = t.sb.root.join("seen");
    p.send_line(&format!(
        "{{ env; direnv export bash; python3 -c 'import os,zlib,base64; d=os.environ[\"DIRENV_DIFF\"]; print(zlib.decompress(base64.urlsafe_b64decode(d + \"=\" * (-len(d) % 4))).decode())'; }} > {} 2>&1; echo written",
        seen.display()
    ))
    .unwrap();
    p.exp_string("written").unwrap();
    p.exp_string("outer$ ").unwrap();
    let token: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.cache()).unwrap()).unwrap();
    let seen_text = std::fs::read_to_string(&seen).unwrap();
    assert!(seen_text.contains("ENVACT_ENV"), "{seen_text}");
    for key in ["accessToken", "refreshToken", "clientSecret"] {
        let secret = token[key].as_str().unwrap();
        assert!(!seen_text.contains(secret), "{key} in the shell or direnv");
    }

    // Expired: said, with `envact login`; mended by it.
    t.sso.expire(true, true);
    t.age_cached_token();
    p.send_line(&format!("{whoami} </dev/null")).unwrap();
    p.exp_string("run `envact login`").unwrap();
    p.exp_string("outer$ ").unwrap();
    let out = run(t.envact(&["login"]));
    assert!(out.status.success(), "{}", stderr(&out));
    p.send_line(&whoami).unwrap();
    p.exp_string(ROLE_ARN).unwrap();
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}
