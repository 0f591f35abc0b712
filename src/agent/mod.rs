//! The credential agent: for the lifetime of an activation, envact holds the
//! credentials in memory, refreshes them before they expire, and answers
//! `envact exec` over a unix socket in the runtime directory (0700 dir, 0600
//! socket, peers of another uid refused). In `server` mode it also serves the
//! ECS container-credentials protocol on 127.0.0.1 with a random bearer token.
//! It runs on envact's supervising thread, polled with the signals, so it needs
//! no locks and stops exactly when the activation does.

mod ecs;
pub mod protocol;

use secrecy::SecretString;
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::aws::Credentials;
use crate::shell::supervise::Service;
pub use ecs::EcsServer;
use protocol::Response;

/// Why fresh credentials could not be had.
pub enum RefreshError {
    /// The session expired and STS wants an MFA code for this device.
    NeedMfa(String),
    Failed(String),
}

/// Gets new credentials (from the cached session when it is still good).
pub trait Refresh {
    fn refresh(&mut self, mfa_code: Option<&SecretString>) -> Result<Credentials, RefreshError>;
}

pub struct Agent {
    listener: UnixListener,
    ecs: Option<EcsServer>,
    current: Credentials,
    region: Option<String>,
    margin: Duration,
    refresher: Box<dyn Refresh>,
    uid: u32,
}

impl Agent {
    /// Listens in `runtime_dir`, and on loopback too when `serve_ecs`.
    pub fn start(
        runtime_dir: &Path,
        initial: Credentials,
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
            current: initial,
            region,
            margin,
            refresher,
            uid: nix::unistd::getuid().as_raw(),
        })
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

    /// Current credentials, refreshed first when inside the margin.
    fn credentials(
        &mut self,
        mfa_code: Option<&SecretString>,
    ) -> Result<&Credentials, RefreshError> {
        if !self.current.fresh_at(SystemTime::now(), self.margin) {
            self.current = self.refresher.refresh(mfa_code)?;
        }
        Ok(&self.current)
    }

    fn respond(&mut self, mfa_code: Option<&SecretString>) -> Response {
        let region = self.region.clone();
        match self.credentials(mfa_code) {
            Ok(c) => Response::Credentials {
                credentials: c.clone(),
                region,
            },
            Err(RefreshError::NeedMfa(serial)) => Response::NeedMfa { serial },
            Err(RefreshError::Failed(message)) => Response::Error { message },
        }
    }

    fn serve_socket(&mut self) {
        while let Ok((stream, _)) = self.listener.accept() {
            let _ = self.serve_client(stream);
        }
    }

    fn serve_client(&mut self, mut stream: UnixStream) -> io::Result<()> {
        stream.set_nonblocking(false)?;
        let peer =
            nix::sys::socket::getsockopt(&stream, nix::sys::socket::sockopt::PeerCredentials)?;
        if peer.uid() != self.uid {
            return Ok(()); // not the user's process: say nothing
        }
        let request = protocol::read_request(&stream)?;
        let response = self.respond(request.mfa_code.as_ref());
        stream.write_all(response.to_line().as_bytes())
    }
}

impl Service for Agent {
    fn fds(&self) -> Vec<BorrowedFd<'_>> {
        let mut fds = vec![self.listener.as_fd()];
        if let Some(ecs) = &self.ecs {
            fds.push(ecs.as_fd());
        }
        fds
    }

    fn ready(&mut self, index: usize) {
        match index {
            0 => self.serve_socket(),
            _ => {
                while let Some(conn) = self.ecs.as_ref().and_then(|e| e.accept()) {
                    let answer = conn.authorized().then(|| self.respond(None));
                    conn.reply(answer);
                }
            }
        }
    }
}
