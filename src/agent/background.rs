//! The agent in the background, for direnv: one per environment, in
//! `Dirs::background/ENV-ID/` (0700; the socket 0600,
//! same-uid peers only), started on first need, ending by itself after
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

/// In server mode: the endpoint's URL, written once it listens.
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
    write_private(&dir.join(ECS_URL), owned, url.as_bytes())
}

/// Serves until idle for `idle` or told to stop; then removes the socket
/// and the ECS files. The credentials are wiped as the agent drops.
pub fn serve(
    dir: &Path,
    agent: Agent,
    idle: Duration,
    signals: &mut SignalGuard,
) -> io::Result<()> {
    let mut service = Idle { agent, idle };
    let served = signals.serve(&mut service);
    drop(service);
    for name in [SOCKET, ECS_URL, ECS_TOKEN, crate::active::FILE] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    if served.is_ok() {
        let _ = std::fs::remove_file(dir.join(LOG));
    }
    served.map(|_| ())
}

/// The agent, finished once idle for long enough.
struct Idle {
    agent: Agent,
    idle: Duration,
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
        self.agent.idle_for().is_some_and(|d| d >= self.idle)
    }
}
