//! STS for tests: moto's STS server on a free loopback port, and optionally the
//! loopback endpoint of tests/fixtures/sts-endpoint.py in front of it, which
//! logs every request and answers with documented STS errors when asked.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{eventually, which, Sandbox};

/// `aws sts get-caller-identity`, printing the caller's ARN alone.
pub const CALLER_ARN: [&str; 6] = [
    "sts",
    "get-caller-identity",
    "--output",
    "text",
    "--query",
    "Arn",
];

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn answers(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

pub struct Moto {
    pub url: String,
    child: Child,
}

impl Moto {
    pub fn start(sb: &Sandbox) -> Moto {
        Moto::start_checking_after(sb, None)
    }

    /// With moto's access control on after `free` requests: every later
    /// request must be signed by a key IAM knows and allowed by its policies.
    pub fn start_checking_after(sb: &Sandbox, free: Option<u32>) -> Moto {
        let port = free_port();
        let mut cmd = Command::new(which("moto_server"));
        sb.apply_env(&mut cmd);
        if let Some(free) = free {
            cmd.env("INITIAL_NO_AUTH_ACTION_COUNT", free.to_string());
        }
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd
            .spawn()
            .expect("moto_server (pip install 'moto[server]')");
        eventually(Duration::from_secs(30), "moto's STS server answers", || {
            answers(port)
        });
        Moto {
            url: format!("http://127.0.0.1:{port}"),
            child,
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The logging (and, by mode, failing) endpoint in front of moto.
pub struct Endpoint {
    pub url: String,
    log: PathBuf,
    child: Child,
}

impl Endpoint {
    /// `mode`: `proxy`, `mfa:CODE` or `error:CODE` (see the script).
    pub fn start(sb: &Sandbox, upstream: &Moto, mode: &str) -> Endpoint {
        Endpoint::signing_for(sb, upstream, mode, &[])
    }

    /// In mode `iam-needs-mfa:CODE`: `keys` (id, secret) are those its
    /// sessions are signed again with, as moto knows them.
    pub fn signing_for(
        sb: &Sandbox,
        upstream: &Moto,
        mode: &str,
        keys: &[(&str, &str)],
    ) -> Endpoint {
        let port = free_port();
        let log = sb.root.join(format!("sts-{port}.log"));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sts-endpoint.py");
        let mut cmd = Command::new(which("python3"));
        sb.apply_env(&mut cmd);
        cmd.arg(script)
            .args([
                "--port",
                &port.to_string(),
                "--upstream",
                &upstream.url,
                "--mode",
                mode,
            ])
            .args(
                keys.iter()
                    .flat_map(|(id, secret)| ["--key".to_string(), format!("{id}:{secret}")]),
            )
            .arg("--log")
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("python3 sts-endpoint.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready");
        Endpoint {
            url: format!("http://127.0.0.1:{port}"),
            log,
            child,
        }
    }

    /// The requests that reached it, oldest first.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The `Action` of each request.
    pub fn actions(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| r["Action"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
