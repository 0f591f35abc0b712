//! The credential agent: for the lifetime of an activation, envact holds the
//! credentials in memory, refreshes them before they expire, and answers
//! `envact exec` over a unix socket in the runtime directory (0700 dir, 0600
//! socket, peers of another uid refused). In `server` mode it also serves the
//! ECS container-credentials protocol on 127.0.0.1 with a random bearer token.
//!
//! It runs on envact's supervising thread, polled with the signals, and never
//! blocks it: connections are read without blocking, each request within
//! [`READ_DEADLINE`] of its connection (its first byte within
//! [`FIRST_BYTE_DEADLINE`]) or dropped, at most [`MAX_CONNECTIONS`] held at
//! once (a new one pushes out the oldest that sent nothing, else the oldest
//! still sending its request), and another user's connections to the ECS
//! endpoint are closed as they come; a refresh runs on its own thread
//! ([`worker`]), and only the requests that need its result wait for it. So
//! no client, no slow STS call and no held lock can stall another client's
//! answer or the handling of SIGTERM and SIGHUP.

mod conn;
pub mod detached;
mod ecs;
mod peer;
pub mod protocol;
mod worker;

use secrecy::zeroize::Zeroizing;
use secrecy::SecretString;
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::aws::{rfc3339, Credentials};
use crate::shell::supervise::Service;
use crate::summary::Summary;
use conn::{Conn, Stream, Wait};
pub use ecs::EcsServer;
use protocol::Response;
use worker::Worker;

/// How long a client has, from connecting, to send its whole request.
pub const READ_DEADLINE: Duration = Duration::from_secs(2);

/// How long a client has, from connecting, to send its first byte: an SDK
/// sends at once; a connection that only holds a place is dropped early.
pub const FIRST_BYTE_DEADLINE: Duration = Duration::from_millis(500);

/// How long a request may wait for a refresh; the refresh's own steps (the
/// resolution lock, STS with its timeouts) are bounded well below it.
const REFRESH_DEADLINE: Duration = Duration::from_secs(120);

/// Connections held at once.
pub const MAX_CONNECTIONS: usize = 32;

/// A request on the unix socket is one short JSON line; anything longer is dropped.
const MAX_SOCKET_REQUEST: usize = 64 * 1024;

/// How long writing an answer may take (it fits any socket buffer).
const WRITE_TIMEOUT: Duration = Duration::from_millis(200);

/// Why fresh credentials could not be had.
#[derive(Debug)]
pub enum RefreshError {
    /// The session expired and STS wants an MFA code for this device.
    NeedMfa(String),
    /// What failed; `transient` when trying again later may work.
    Failed { message: String, transient: bool },
}

/// Gets new credentials (from the cached session when it is still good).
/// Runs on the agent's refresh thread.
pub trait Refresh: Send {
    /// Credentials of `profile` (of `[aws.profiles]`; none: the default).
    fn refresh(
        &mut self,
        profile: Option<&str>,
        mfa_code: Option<&SecretString>,
    ) -> Result<Credentials, RefreshError>;
}

pub struct Agent {
    listener: UnixListener,
    ecs: Option<EcsServer>,
    conns: Vec<Conn>,
    next_id: u64,
    /// Each profile's credentials (`None`: the default's), from the last
    /// refresh of each; the default's is missing until the first refresh
    /// of an agent started before anyone asked (direnv's, in server mode).
    current: HashMap<Option<String>, Credentials>,
    /// When the last request came: an agent in the background ends after
    /// being idle for long enough.
    last_request: Instant,
    region: Option<String>,
    margin: Duration,
    worker: Worker,
    /// A refresh is running, for this profile; `true` when it was given an
    /// MFA code.
    refreshing: Option<(Option<String>, bool)>,
    /// Where `envact status` reads what the activation gives (its expiry
    /// changes with each refresh).
    runtime_dir: PathBuf,
    uid: u32,
}

impl Agent {
    /// Listens in `runtime_dir`, and on loopback too when `serve_ecs`.
    pub fn start(
        runtime_dir: &Path,
        initial: Option<Credentials>,
        region: Option<String>,
        margin: Duration,
        refresher: Box<dyn Refresh>,
        serve_ecs: bool,
    ) -> io::Result<Agent> {
        let path = runtime_dir.join(protocol::SOCKET);
        let listener = UnixListener::bind(&path)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        listener.set_nonblocking(true)?;
        let ecs = if serve_ecs {
            Some(EcsServer::bind()?)
        } else {
            None
        };
        Ok(Agent {
            listener,
            ecs,
            conns: Vec::new(),
            next_id: 0,
            current: initial.into_iter().map(|c| (None, c)).collect(),
            last_request: Instant::now(),
            region,
            margin,
            worker: Worker::start(refresher)?,
            refreshing: None,
            runtime_dir: runtime_dir.to_path_buf(),
            uid: nix::unistd::getuid().as_raw(),
        })
    }

    /// The region commands are given with the credentials.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub fn ecs_env(&self) -> Option<[(&'static str, String); 2]> {
        self.ecs.as_ref().map(|e| {
            [
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", e.url()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", e.token().to_string()),
            ]
        })
    }

    fn accept(&mut self, unix: bool) {
        loop {
            let stream = if unix {
                match self.listener.accept() {
                    Ok((stream, _)) => {
                        let peer = nix::sys::socket::getsockopt(
                            &stream,
                            nix::sys::socket::sockopt::PeerCredentials,
                        );
                        // Not the user's process: say nothing.
                        if !peer.is_ok_and(|p| p.uid() == self.uid) {
                            continue;
                        }
                        Stream::Unix(stream)
                    }
                    Err(_) => return,
                }
            } else {
                match self.ecs.as_ref().and_then(EcsServer::accept) {
                    Some(stream) => Stream::Tcp(stream),
                    None => return,
                }
            };
            // At the bound, the oldest connection that has sent nothing makes
            // room, else the oldest still sending its request: idle clients
            // cannot keep a new one out for long.
            if self.conns.len() >= MAX_CONNECTIONS {
                let reading = |c: &Conn| c.waiting.is_none();
                let silent = self
                    .conns
                    .iter()
                    .position(|c| reading(c) && c.buf.is_empty());
                match silent.or_else(|| self.conns.iter().position(reading)) {
                    Some(oldest) => drop(self.conns.remove(oldest)),
                    None => continue,
                }
            }
            if stream.set_nonblocking().is_err() {
                continue;
            }
            self.next_id += 1;
            let now = Instant::now();
            self.conns.push(Conn {
                id: self.next_id,
                stream,
                buf: Zeroizing::new(Vec::new()),
                deadline: now + READ_DEADLINE,
                first_byte: now + FIRST_BYTE_DEADLINE,
                waiting: None,
            });
        }
    }

    /// Reads what connection `id` sent; acts on its request once complete.
    fn read(&mut self, id: u64) {
        let Some(at) = self.conns.iter().position(|c| c.id == id) else {
            return;
        };
        let conn = &mut self.conns[at];
        let mut chunk = Zeroizing::new([0u8; 4096]);
        let closed = loop {
            match conn.stream.read(&mut chunk[..]) {
                Ok(0) => break true,
                Ok(n) => conn.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break false,
                Err(_) => break true,
            }
            if conn.buf.len() > MAX_SOCKET_REQUEST {
                break true;
            }
        };
        let wait = match &conn.stream {
            Stream::Unix(_) => match conn.buf.iter().position(|b| *b == b'\n') {
                Some(end) => match protocol::parse_request(&conn.buf[..end]) {
                    Some(request) => Some(Wait::Socket {
                        mfa_code: request.mfa_code,
                        profile: request.profile,
                    }),
                    None => {
                        self.conns.remove(at);
                        return;
                    }
                },
                None => None,
            },
            Stream::Tcp(_) => match self.ecs.as_ref().and_then(|e| e.parse(&conn.buf)) {
                Some(request) if request.verdict == ecs::Verdict::Serve => {
                    Some(Wait::Http(request))
                }
                Some(request) => {
                    let mut conn = self.conns.remove(at);
                    conn.stream.send(&ecs::reply(request, None));
                    return;
                }
                None => None,
            },
        };
        match wait {
            Some(wait) => self.serve(at, wait),
            None if closed => {
                self.conns.remove(at);
            }
            None => {}
        }
    }

    /// Answers the request at `at` now, or when a refresh brings fresh credentials.
    fn serve(&mut self, at: usize, wait: Wait) {
        self.last_request = Instant::now();
        let profile = wait.profile().map(str::to_string);
        let fresh = self
            .current
            .get(&profile)
            .is_some_and(|c| c.fresh_at(SystemTime::now(), self.margin));
        if fresh {
            let answer = self.credentials(&profile);
            let conn = self.conns.remove(at);
            conn.answer(wait, &answer);
            return;
        }
        let code = match &wait {
            Wait::Socket { mfa_code, .. } => mfa_code.clone(),
            Wait::Http(_) => None,
        };
        let conn = &mut self.conns[at];
        conn.waiting = Some(wait);
        conn.deadline = Instant::now() + REFRESH_DEADLINE;
        if self.refreshing.is_none() {
            self.start_refresh(profile, code);
        }
    }

    fn start_refresh(&mut self, profile: Option<String>, code: Option<SecretString>) {
        self.refreshing = Some((profile.clone(), code.is_some()));
        self.worker.refresh(profile, code);
    }

    fn credentials(&self, profile: &Option<String>) -> Response {
        match self.current.get(profile) {
            Some(credentials) => Response::Credentials {
                credentials: credentials.clone(),
                region: self.region.clone(),
            },
            None => Response::Error {
                message: "no credentials yet".into(),
                transient: true,
            },
        }
    }

    /// How long since the last request, when nothing is in progress.
    pub fn idle_for(&self) -> Option<Duration> {
        (self.conns.is_empty() && self.refreshing.is_none()).then(|| self.last_request.elapsed())
    }

    /// A refresh of `profile` ended (`None`: the refresher is gone): the
    /// requests waiting for it get its result, then a refresh starts for
    /// any request waiting for another profile.
    fn refreshed(
        &mut self,
        profile: Option<Option<String>>,
        outcome: Result<Credentials, RefreshError>,
    ) {
        self.refreshing = None;
        let answer = match outcome {
            Ok(credentials) => {
                let profile = profile.clone().flatten();
                if let Some(mut active) = Summary::load(&self.runtime_dir) {
                    active.refreshed(profile.as_deref(), credentials.expiration.map(rfc3339));
                    let _ = active.save(&self.runtime_dir);
                }
                self.current.insert(profile.clone(), credentials);
                self.credentials(&profile)
            }
            Err(RefreshError::NeedMfa(serial)) => Response::NeedMfa { serial },
            Err(RefreshError::Failed { message, transient }) => {
                Response::Error { message, transient }
            }
        };
        // Who waited for this refresh: everyone, when the refresher is gone.
        let for_it = |w: &Wait| match &profile {
            Some(p) => w.profile() == p.as_deref(),
            None => true,
        };
        // A code typed while a refresh without one ran is tried now.
        let code_brought = matches!(answer, Response::NeedMfa { .. })
            .then(|| {
                self.conns.iter().find_map(|c| match &c.waiting {
                    Some(
                        w @ Wait::Socket {
                            mfa_code: Some(code),
                            ..
                        },
                    ) if for_it(w) => Some(code.clone()),
                    _ => None,
                })
            })
            .flatten();
        let (done, kept): (Vec<Conn>, Vec<Conn>) = std::mem::take(&mut self.conns)
            .into_iter()
            .partition(|c| match &c.waiting {
                None => false,
                Some(w) if !for_it(w) => false,
                Some(Wait::Socket {
                    mfa_code: Some(_), ..
                }) => code_brought.is_none(),
                Some(_) => true,
            });
        self.conns = kept;
        for mut conn in done {
            if let Some(wait) = conn.waiting.take() {
                conn.answer(wait, &answer);
            }
        }
        let next = match code_brought {
            Some(code) => Some((profile.flatten(), Some(code))),
            // Requests for another profile waited their turn.
            None => self.conns.iter().find_map(|c| {
                c.waiting.as_ref().map(|w| {
                    let code = match w {
                        Wait::Socket { mfa_code, .. } => mfa_code.clone(),
                        Wait::Http(_) => None,
                    };
                    (w.profile().map(str::to_string), code)
                })
            }),
        };
        if let Some((profile, code)) = next {
            self.start_refresh(profile, code);
        }
    }
}

/// Descriptors, in order: the socket's listener, the refresh worker, the
/// ECS listener (server mode), then each connection still reading.
impl Service for Agent {
    fn fds(&self) -> Vec<BorrowedFd<'_>> {
        let mut fds = vec![self.listener.as_fd(), self.worker.as_fd()];
        if let Some(ecs) = &self.ecs {
            fds.push(ecs.as_fd());
        }
        fds.extend(
            self.conns
                .iter()
                .filter(|c| c.waiting.is_none())
                .map(|c| c.stream.as_fd()),
        );
        fds
    }

    fn ready(&mut self, ready: &[usize]) {
        let fixed = if self.ecs.is_some() { 3 } else { 2 };
        // Which connections the indices name, before any is added or removed.
        let reading: Vec<u64> = self
            .conns
            .iter()
            .filter(|c| c.waiting.is_none())
            .map(|c| c.id)
            .collect();
        let readable: Vec<u64> = ready
            .iter()
            .filter_map(|i| i.checked_sub(fixed).and_then(|i| reading.get(i)))
            .copied()
            .collect();
        for id in readable {
            self.read(id);
        }
        if ready.contains(&1) {
            if let Some((profile, outcome)) = self.worker.finished() {
                self.refreshed(profile, outcome);
            }
        }
        if ready.contains(&0) {
            self.accept(true);
        }
        if fixed == 3 && ready.contains(&2) {
            self.accept(false);
        }
    }

    /// Drops the connections whose time is up: nothing sent in time, a
    /// request not sent in time, or a refresh that never came.
    fn tick(&mut self) {
        let now = Instant::now();
        self.conns.retain(|c| c.on_time(now));
    }
}
