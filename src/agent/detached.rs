//! The agent running on its own, outside an activation (direnv's
//! background agent): one per environment, in `Dirs::background/ENV-ID/`
//! (0700; the socket 0600, same-uid peers only), started on first need, ending by itself after
//! being idle for `[persistence] agent_idle`, or when told to (SIGTERM from
//! `envact stop` or `envact clear`). The directory also holds the PATH
//! shims direnv exports (nothing secret), and in server mode the ECS URL
//! and the token file; the socket, the token and the URL go with the agent.

use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{protocol::SOCKET, Agent};
use crate::private_fs::write_private;
use crate::shell::supervise::{Service, SignalGuard};

/// In server mode: the endpoint's URL, written once it listens, and on a
/// second line the region the agent uses (what commands are given).
pub const ECS_URL: &str = "ecs.url";
/// In server mode: the bearer token, 0600 (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`).
pub const ECS_TOKEN: &str = "ecs.token";
/// The PATH shims for the wrapped commands.
pub const BIN: &str = "bin";
/// What the agent wrote on its standard error (warnings, the error it
/// ended with: never a secret), 0600; removed when it ends without one.
pub const LOG: &str = "agent.log";
/// The most of the log a message quotes.
const LOG_MAX: u64 = 16 * 1024;

/// The environment's directory under `base` (`Dirs::background`).
pub fn dir(base: &Path, env_id: &str) -> PathBuf {
    base.join(env_id)
}

/// Creates it (and its parent) private to this user.
pub fn prepare(dir: &Path) -> io::Result<()> {
    let owned = dir.parent().unwrap_or(dir);
    crate::private_fs::private_dir(dir, owned)
}

/// Whether an agent answers in `dir`. A socket no one answers on (its agent
/// was killed) is removed.
pub fn running(dir: &Path) -> bool {
    let socket = dir.join(SOCKET);
    match UnixStream::connect(&socket) {
        Ok(_) => true,
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            let _ = std::fs::remove_file(&socket);
            false
        }
        Err(_) => false,
    }
}

/// Ends the agent in `dir`, if one runs: the process answering on the
/// socket (when it is this user's) gets SIGTERM; waits until it is gone.
pub fn stop(dir: &Path) -> io::Result<bool> {
    let socket = dir.join(SOCKET);
    let stream = match UnixStream::connect(&socket) {
        Ok(stream) => stream,
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            let _ = std::fs::remove_file(&socket);
            return Ok(false);
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let peer = nix::sys::socket::getsockopt(&stream, nix::sys::socket::sockopt::PeerCredentials)
        .map_err(io::Error::from)?;
    if peer.uid() != nix::unistd::getuid().as_raw() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("the process on {} is not yours", socket.display()),
        ));
    }
    drop(stream);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(peer.pid()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .map_err(io::Error::from)?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while socket.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(true)
}

/// The agent's log in `dir`, emptied: its standard error.
pub fn new_log(dir: &Path) -> io::Result<std::fs::File> {
    let path = dir.join(LOG);
    let _ = std::fs::remove_file(&path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// The error the agent in `dir` ended with (the log's `error:` line and
/// what follows it), if it did.
pub fn failure(dir: &Path) -> Option<String> {
    let text = crate::private_fs::read_text(&dir.join(LOG), LOG_MAX).ok()?;
    let start = text.find("error:")?;
    Some(text[start..].trim_end().to_string())
}

/// Writes the ECS endpoint's token (0600) and then its URL, which tells
/// whoever waits that the agent listens.
pub fn publish_ecs(dir: &Path, agent: &Agent) -> io::Result<()> {
    let Some([(_, url), (_, token)]) = agent.ecs_env() else {
        return Ok(());
    };
    let owned = dir.parent().unwrap_or(dir);
    write_private(&dir.join(ECS_TOKEN), owned, token.as_bytes())?;
    let published = format!("{url}\n{}\n", agent.region().unwrap_or_default());
    write_private(&dir.join(ECS_URL), owned, published.as_bytes())
}

/// What [`publish_ecs`] wrote: the endpoint's URL and the region.
pub fn published(text: &str) -> (String, Option<String>) {
    let mut lines = text.lines();
    let url = lines.next().unwrap_or_default().to_string();
    let region = lines.next().filter(|r| !r.is_empty()).map(str::to_string);
    (url, region)
}

/// Serves until idle for `idle` or told to stop; then removes the socket
/// and the ECS files. The credentials are wiped as the agent drops.
pub fn serve(
    dir: &Path,
    agent: Agent,
    idle: Duration,
    signals: &mut SignalGuard,
) -> io::Result<()> {
    // In server mode an SDK asks again whenever it likes, with the URL and
    // token file it was started with: while a process holds them, the
    // agent stays, idle or not.
    let held_by = agent.ecs_env().map(|_| {
        let mut needle = b"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=".to_vec();
        needle.extend_from_slice(dir.join(ECS_TOKEN).as_os_str().as_encoded_bytes());
        needle.push(0);
        needle
    });
    let mut service = Idle {
        agent,
        idle,
        held_by,
        looked: std::cell::Cell::new(None),
    };
    let served = signals.serve(&mut service);
    drop(service);
    for name in [SOCKET, ECS_URL, ECS_TOKEN, crate::summary::FILE] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    if served.is_ok() {
        let _ = std::fs::remove_file(dir.join(LOG));
    }
    served.map(|_| ())
}

/// The agent, finished once idle for long enough and, in server mode, once
/// no process holds its endpoint.
struct Idle {
    agent: Agent,
    idle: Duration,
    /// The entry that a process started with the endpoint has in its
    /// environment.
    held_by: Option<Vec<u8>>,
    /// When the processes were last looked at (at most once a second).
    looked: std::cell::Cell<Option<Instant>>,
}

impl Service for Idle {
    fn fds(&self) -> Vec<std::os::fd::BorrowedFd<'_>> {
        self.agent.fds()
    }
    fn ready(&mut self, ready: &[usize]) {
        self.agent.ready(ready)
    }
    fn tick(&mut self) {
        self.agent.tick()
    }
    fn finished(&self) -> bool {
        if self.agent.idle_for().is_none_or(|d| d < self.idle) {
            return false;
        }
        let Some(needle) = &self.held_by else {
            return true;
        };
        let now = Instant::now();
        if self
            .looked
            .get()
            .is_some_and(|t| now.duration_since(t) < Duration::from_secs(1))
        {
            return false;
        }
        self.looked.set(Some(now));
        !held_by_a_process(needle)
    }
}

/// Whether a running process's environment holds `entry` (`NAME=VALUE\0`):
/// the person's own processes are the ones whose environment can be read.
fn held_by_a_process(entry: &[u8]) -> bool {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return false;
    };
    let me = std::process::id().to_string();
    procs.flatten().any(|p| {
        let name = p.file_name();
        let pid = name.to_string_lossy();
        if pid == me || !pid.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        std::fs::read(p.path().join("environ"))
            .is_ok_and(|env| env.windows(entry.len()).any(|w| w == entry))
    })
}
