//! The agent holds credentials for an activation, so other local users (and
//! careless or hostile local programs) must not be able to stall it or pose
//! as it: a client that sends its request a byte at a time, or never, delays
//! no one else's answer nor the handling of SIGTERM; only `GET /credentials`
//! is served on the ECS endpoint; `envact exec` asks no agent that is not the
//! user's own, and no ended activation's agent at all.

use crate::support;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::agent_env::setup;
use support::{eventually, process_alive, run, PtySession, Sandbox};

/// The ECS endpoint's port and token, as the activated shell has them.
fn ecs_of(p: &mut PtySession) -> (u16, String) {
    p.send_line("echo \"port=[${AWS_CONTAINER_CREDENTIALS_FULL_URI##*:}] tok=[$AWS_CONTAINER_AUTHORIZATION_TOKEN]\"")
        .unwrap();
    let (_, line) = p
        .exp_regex(r"port=\[\d+/credentials\] tok=\[[0-9a-f]{64}\]")
        .unwrap();
    let parts: Vec<&str> = line.split(['[', ']', '/']).collect();
    (parts[1].parse().unwrap(), parts[4].to_string())
}

/// SIGTERM to the activating envact: it is gone within 3 s.
fn sigterm_ends_it_within_3_s(p: &mut PtySession) {
    let envact = p.process.child_pid.as_raw();
    let started = Instant::now();
    kill(Pid::from_raw(envact), Signal::SIGTERM).unwrap();
    let _ = p.process.wait();
    eventually(Duration::from_secs(3), "envact handles SIGTERM", || {
        !process_alive(envact)
    });
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// One HTTP request, read to the end of the answer (the server closes).
fn http(port: u16, request: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(request.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

fn get_credentials(port: u16, token: &str) -> std::io::Result<String> {
    http(
        port,
        &format!("GET /credentials HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n\r\n"),
    )
}

/// Writes `prefix` a byte every 400 ms on each stream until `stop`.
fn drip(streams: Vec<Box<dyn Write + Send>>, prefix: &'static [u8], stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let mut streams = streams;
        for byte in prefix.iter().cycle() {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            for s in &mut streams {
                let _ = s.write_all(&[*byte]);
            }
            std::thread::sleep(Duration::from_millis(400));
        }
    });
}

#[test]
fn clients_that_drip_or_idle_stall_no_other_answer_nor_sigterm() {
    let e = setup("inject = \"server\"");
    let mut p = e.activate("bash", &[]);
    let (port, token) = ecs_of(&mut p);
    let socket = e.sb.runtime_leftovers()[0].join("agent.sock");
    let stop = Arc::new(AtomicBool::new(false));

    // More idle connections than the agent holds, and clients on both
    // endpoints sending their request a byte at a time, for as long as the
    // test runs.
    let idle: Vec<TcpStream> = (0..40)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    let mut dripping: Vec<Box<dyn Write + Send>> = Vec::new();
    for _ in 0..3 {
        dripping.push(Box::new(TcpStream::connect(("127.0.0.1", port)).unwrap()));
        dripping.push(Box::new(UnixStream::connect(&socket).unwrap()));
    }
    drip(dripping, b"GET /credentials HTTP/1.1\r\nX: ", stop.clone());

    // A real client is answered within 5 s (trying again if its connection
    // was one pushed out to make room).
    let started = Instant::now();
    let answer = loop {
        match get_credentials(port, &token) {
            Ok(answer) if answer.starts_with("HTTP/1.1 200") => break answer,
            _ if started.elapsed() > Duration::from_secs(5) => {
                panic!("no answer within 5 s while others drip")
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    assert!(answer.contains("\"AccessKeyId\":\"ASIA"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // So is a wrapped command, over the unix socket.
    let started = Instant::now();
    p.send_line("envact exec -- true && echo exec-$((1+1))-done")
        .unwrap();
    p.exp_string("exec-2-done").unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "exec took {:?}",
        started.elapsed()
    );

    // The idle connections were dropped rather than held.
    for mut conn in idle {
        conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 16];
        assert!(
            matches!(conn.read(&mut buf), Ok(0) | Err(_)),
            "an idle connection is still held"
        );
    }

    // SIGTERM is handled within 3 s though clients are still dripping.
    sigterm_ends_it_within_3_s(&mut p);
    stop.store(true, Ordering::Relaxed);
    e.sb.assert_no_runtime_dir();
}

#[test]
fn the_ecs_endpoint_answers_get_on_its_path_only() {
    let e = setup("inject = \"server\"");
    let mut p = e.activate("bash", &[]);
    let (port, token) = ecs_of(&mut p);
    let auth = format!("Authorization: {token}\r\n");
    let ask = |line: &str| http(port, &format!("{line}\r\nHost: x\r\n{auth}\r\n")).unwrap();

    let other = ask("GET /latest/meta-data HTTP/1.1");
    assert!(other.starts_with("HTTP/1.1 404 "), "{other}");
    for method in ["POST", "PUT", "DELETE"] {
        let answer = ask(&format!("{method} /credentials HTTP/1.1"));
        assert!(answer.starts_with("HTTP/1.1 405 "), "{method}: {answer}");
        assert!(answer.contains("\r\nAllow: GET\r\n"), "{method}: {answer}");
        assert!(!answer.contains("AccessKeyId"), "{method}: {answer}");
    }
    // A HEAD answer has no body.
    let head = ask("HEAD /credentials HTTP/1.1");
    assert!(head.starts_with("HTTP/1.1 405 "), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "a body after HEAD: {head}");
    let garbage = http(port, "\u{1}\u{2}\u{3}\r\n\r\n").unwrap();
    assert!(garbage.starts_with("HTTP/1.1 400 "), "{garbage}");

    let ok = ask("GET /credentials HTTP/1.1");
    assert!(ok.starts_with("HTTP/1.1 200 "), "{ok}");
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn exec_inside_an_ended_activation_is_refused_not_resolved_from_here() {
    let sb = Sandbox::with_manifest(
        "version = 1\n[secrets]\nbackend = \"env\"\n[aws]\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\n",
    );
    let mut cmd = sb.envact(["exec", "--", "true"]);
    cmd.current_dir(&sb.project)
        .env("ENVACT_ENV", "payments")
        .env("ENVACT_DIR", "/src/payments")
        .env("ENVACT_RUNTIME_DIR", sb.runtime.join("envact-123-gone"))
        .env("AWS_ACCESS_KEY_ID", support::ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", support::SECRET_ACCESS_KEY)
        // Were the project here resolved, this would be the error.
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    let err = support::assert_fails(
        &run(cmd),
        1,
        &[
            "the activation \"payments\" (from /src/payments) has ended",
            "help: leave this shell",
        ],
    );
    assert!(!err.contains("STS"), "{err}");
}

/// A fake agent that another user runs: it answers with made-up credentials
/// and writes down what it was sent (an MFA code, say).
const FAKE_AGENT: &str = r#"
import os, socket, sys
path, log, ready = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
os.chmod(path, 0o777)
s.listen(8)
open(ready, "w").close()
while True:
    c, _ = s.accept()
    data = c.recv(65536)
    with open(log, "ab") as f:
        f.write(data or b"(connected)")
    c.sendall(b'{"status":"ok","access_key_id":"ASIAFAKEFAKEFAKEFAKE","secret_access_key":"fake","session_token":"fake","expiration":"2099-01-01T00:00:00Z","region":"us-east-1"}\n')
    c.close()
"#;

/// A directory that `nobody` may use, outside the 0700 sandbox.
struct Shared(PathBuf);

impl Shared {
    fn new() -> Shared {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new()
            .prefix("envact-other-user-")
            .tempdir()
            .unwrap()
            .keep();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        std::fs::write(dir.join("agent.py"), FAKE_AGENT).unwrap();
        Shared(dir)
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The fake agent, stopped when the test ends however it ends.
struct FakeAgent(std::process::Child);

impl Drop for FakeAgent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the fake agent as `nobody`, listening on `dir/agent.sock`.
fn fake_agent_as_nobody(shared: &Shared, dir: &Path) -> FakeAgent {
    let ready = shared.0.join("ready");
    let child = support::as_nobody("/usr/bin/python3")
        .arg(shared.0.join("agent.py"))
        .arg(dir.join("agent.sock"))
        .arg(shared.0.join("log"))
        .arg(&ready)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let agent = FakeAgent(child);
    eventually(Duration::from_secs(10), "the fake agent listens", || {
        ready.exists()
    });
    agent
}

#[test]
fn exec_asks_no_agent_that_is_not_the_users_own() {
    if !support::can_act_as_nobody() {
        return;
    }
    use std::os::unix::fs::{chown, PermissionsExt};
    let sb = Sandbox::new();
    let exec = |runtime_dir: &Path| {
        let mut cmd = sb.envact([
            "exec",
            "--",
            "sh",
            "-c",
            "echo \"key=[$AWS_ACCESS_KEY_ID]\"",
        ]);
        cmd.env("ENVACT_ENV", "team")
            .env("ENVACT_DIR", &sb.project)
            .env("ENVACT_RUNTIME_DIR", runtime_dir);
        run(cmd)
    };

    // Another user made the runtime directory (in the shared temp dir) and
    // serves an agent in it.
    let shared = Shared::new();
    let theirs = shared.0.join("envact-4242-abcdef");
    std::fs::create_dir(&theirs).unwrap();
    chown(&theirs, Some(65534), Some(65534)).unwrap();
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o700)).unwrap();
    let _agent = fake_agent_as_nobody(&shared, &theirs);
    let out = exec(&theirs);
    let err = support::assert_fails(
        &out,
        1,
        &[
            "refusing to ask the credential agent named by ENVACT_RUNTIME_DIR",
            "is not your own private directory (it belongs to uid 65534)",
            "help: this shell's ENVACT_* variables point at an agent envact cannot trust",
        ],
    );
    assert!(!support::stdout(&out).contains("FAKE"), "{err}");
    assert!(!shared.0.join("log").exists(), "the fake agent was asked");

    // The user's own directory, but open to others: refused as well.
    let open = sb.root.join("envact-open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _listening = std::os::unix::net::UnixListener::bind(open.join("agent.sock")).unwrap();
    support::assert_fails(&exec(&open), 1, &["its mode is 755, not 700"]);

    // The user's own private directory, but the socket in it leads to a
    // process of another user: refused once connected, before a word is sent.
    let ours = sb.root.join("envact-ours");
    std::fs::create_dir(&ours).unwrap();
    std::fs::set_permissions(&ours, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::rename(theirs.join("agent.sock"), ours.join("agent.sock")).unwrap();
    let err = support::assert_fails(&exec(&ours), 1, &["runs as uid 65534, not as you"]);
    let log = shared.0.join("log");
    eventually(
        Duration::from_secs(5),
        "the fake agent saw the connection",
        // The agent creates the log, then writes to it: wait for the words.
        || std::fs::metadata(&log).is_ok_and(|m| m.len() > 0),
    );
    assert_eq!(
        std::fs::read(&log).unwrap(),
        b"(connected)",
        "the fake agent was sent something: {err}"
    );
}

#[test]
fn a_refresh_waiting_for_a_held_lock_does_not_delay_sigterm() {
    // Every credential is inside the margin: each request needs a refresh.
    let e = setup("inject = \"server\"\nrefresh_margin = \"1h\"");
    let mut p = e.activate("bash", &[]);
    let (port, token) = ecs_of(&mut p);
    // Another process holds this environment's resolution lock.
    let locks = e.sb.config.join("envact/locks");
    let lock = std::fs::read_dir(&locks)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut holder = std::process::Command::new("flock")
        .arg(&lock)
        .args(["sleep", "60"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // A request that needs a refresh now waits for the lock, on the agent's
    // refresh thread.
    let waiting = std::thread::spawn(move || get_credentials(port, &token));
    std::thread::sleep(Duration::from_millis(500));

    sigterm_ends_it_within_3_s(&mut p);
    // The waiting client got no credentials, just a closed connection.
    let answer = waiting.join().unwrap().unwrap_or_default();
    assert!(!answer.contains("AccessKeyId"), "{answer}");
    let _ = holder.kill();
    let _ = holder.wait();
    e.sb.assert_no_runtime_dir();
}

/// Another user's flood of bare connections: 8 processes of 5 threads
/// connecting as fast as they can, each holding its last 20.
const FLOOD: &str = r#"
import collections, socket, sys, threading, time
port = int(sys.argv[1])
def flood():
    held = collections.deque()
    while True:
        try:
            held.append(socket.create_connection(("127.0.0.1", port)))
        except OSError:
            time.sleep(0.001)
        if len(held) > 20:
            held.popleft().close()
import os
for _ in range(3):
    os.fork()
for _ in range(5):
    threading.Thread(target=flood, daemon=True).start()
open(sys.argv[2], "w").close()
time.sleep(3600)
"#;

/// A process group, killed whole when the test ends however it ends.
struct Group(std::process::Child);

impl Drop for Group {
    fn drop(&mut self) {
        let _ = kill(Pid::from_raw(-(self.0.id() as i32)), Signal::SIGKILL);
        let _ = self.0.wait();
    }
}

#[test]
fn another_users_connection_flood_leaves_the_token_holder_served() {
    if !support::can_act_as_nobody() {
        return;
    }
    let e = setup("inject = \"server\"");
    let mut p = e.activate("bash", &[]);
    let (port, token) = ecs_of(&mut p);
    let shared = Shared::new();
    std::fs::write(shared.0.join("flood.py"), FLOOD).unwrap();
    let ready = shared.0.join("flooding");
    let mut flood = support::as_nobody("/usr/bin/python3");
    flood
        .arg(shared.0.join("flood.py"))
        .arg(port.to_string())
        .arg(&ready)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    let _flood = Group(flood.spawn().unwrap());
    eventually(Duration::from_secs(10), "the flood runs", || ready.exists());
    std::thread::sleep(Duration::from_millis(500));

    // Every request of the token holder is answered, the first time; each
    // connects, then sends a moment later, as a client busy elsewhere does.
    for i in 0..60 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let request =
            format!("GET /credentials HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n\r\n");
        let mut answer = String::new();
        let got = stream
            .write_all(request.as_bytes())
            .and_then(|()| stream.read_to_string(&mut answer));
        assert!(
            got.is_ok() && answer.starts_with("HTTP/1.1 200"),
            "request {i}: {got:?} {answer:?}"
        );
    }
    sigterm_ends_it_within_3_s(&mut p);
}
