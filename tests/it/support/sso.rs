//! IAM Identity Center for tests: the stand-in for its OIDC and portal APIs
//! (tests/fixtures/sso-standin/sso_standin.py) on a free loopback port, whose
//! role credentials are moto's; the `BROWSER` program a person would be (it
//! opens the verification URL, which approves the sign-in); and the token
//! cache the AWS tools share.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::sts::Moto;
use super::Sandbox;

/// The account and role the person is assigned first, and a second account.
pub const ACCOUNT: &str = "111122223333";
pub const ROLE: &str = "Developer";
pub const OTHER_ACCOUNT: &str = "444455556666";
pub const START_URL: &str = "https://corp.awsapps.com/start";

pub struct SsoStandin {
    pub url: String,
    /// The `BROWSER` program: it fetches the URL it is given, and records it.
    pub browser: PathBuf,
    /// One line per URL the browser was given.
    browser_log: PathBuf,
    child: Child,
}

impl SsoStandin {
    /// The stand-in, with `extra` merged into its configuration (`access_ttl`,
    /// `slow_down`, ...): assigned `ACCOUNT` (roles Developer, ReadOnly) and
    /// `OTHER_ACCOUNT` (ReadOnly).
    pub fn start(sb: &Sandbox, moto: &Moto, extra: serde_json::Value) -> SsoStandin {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut config = serde_json::json!({
            "moto": moto.url,
            "interval": 1,
            "assignments": {
                ACCOUNT: {"name": "dev", "email": "dev@example.com", "roles": [ROLE, "ReadOnly"]},
                OTHER_ACCOUNT: {"name": "prod", "email": "prod@example.com", "roles": ["ReadOnly"]},
            },
        });
        if let (Some(base), Some(more)) = (config.as_object_mut(), extra.as_object()) {
            base.extend(more.clone());
        }
        let config_path = sb.root.join(format!("sso-standin-{port}.json"));
        std::fs::write(&config_path, config.to_string()).unwrap();
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sso-standin/sso_standin.py");
        let mut cmd = Command::new("python3");
        sb.apply_env(&mut cmd);
        cmd.arg(script)
            .arg(port.to_string())
            .arg(&config_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("python3 for the SSO stand-in");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SSO stand-in did not start");
        let browser = sb.root.join("browser");
        let browser_log = sb.root.join("browser.log");
        std::fs::write(
            &browser,
            format!(
                "#!/bin/sh\n# A person who approves at once: opens the page they are sent to.\n\
                 echo \"$1\" >> '{}'\nexec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \"$1\"\n",
                browser_log.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
        SsoStandin {
            url: format!("http://127.0.0.1:{port}"),
            browser,
            browser_log,
            child,
        }
    }

    /// The SDKs' endpoint settings pointing at the stand-in, and the browser.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env("AWS_ENDPOINT_URL_SSO_OIDC", &self.url)
            .env("AWS_ENDPOINT_URL_SSO", &self.url)
            .env("BROWSER", &self.browser);
    }

    /// Every call the stand-in answered: (operation, seconds since start, detail).
    pub fn log(&self) -> Vec<(String, f64, String)> {
        let out = self.control("GET", "/_standin/log", None);
        serde_json::from_str::<Vec<(String, f64, String)>>(&out).unwrap()
    }

    /// How many calls of `operation` it answered, and with what detail.
    pub fn calls(&self, operation: &str) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|(op, _, _)| op == operation)
            .map(|(_, _, detail)| detail)
            .collect()
    }

    /// Ends every access token (and with `refresh`, every refresh token) now.
    pub fn expire(&self, access: bool, refresh: bool) {
        let body = serde_json::json!({"access": access, "refresh": refresh}).to_string();
        self.control("POST", "/_standin/expire", Some(&body));
    }

    /// The URLs the browser was given.
    pub fn browser_opened(&self) -> Vec<String> {
        std::fs::read_to_string(&self.browser_log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn control(&self, method: &str, path: &str, body: Option<&str>) -> String {
        let script = "import sys, urllib.request\n\
            data = sys.argv[3].encode() if len(sys.argv) > 3 else None\n\
            req = urllib.request.Request(sys.argv[2], data=data, method=sys.argv[1])\n\
            sys.stdout.write(urllib.request.urlopen(req).read().decode())\n";
        let mut cmd = Command::new("python3");
        cmd.args(["-c", script, method, &format!("{}{path}", self.url)]);
        if let Some(body) = body {
            cmd.arg(body);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for SsoStandin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The token cache file the AWS tools share for an `sso_session` (or, for
/// the legacy form, the start URL): `~/.aws/sso/cache/<sha1>.json`.
pub fn token_cache_file(home: &Path, key: &str) -> PathBuf {
    let out = Command::new("python3")
        .args([
            "-c",
            "import hashlib, sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())",
            key,
        ])
        .output()
        .unwrap();
    let sha1 = String::from_utf8(out.stdout).unwrap();
    home.join(".aws/sso/cache")
        .join(format!("{}.json", sha1.trim()))
}
