//! A client of the agent: its connection (the unix socket, or the ECS
//! endpoint's TCP), what it has sent, and what it waits for.

use secrecy::zeroize::Zeroizing;
use secrecy::SecretString;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::time::Instant;

use super::protocol::Response;
use super::{ecs, WRITE_TIMEOUT};

pub(super) enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

/// A client connection, reading its request or waiting for a refresh.
pub(super) struct Conn {
    pub(super) id: u64,
    pub(super) stream: Stream,
    pub(super) buf: Zeroizing<Vec<u8>>,
    pub(super) deadline: Instant,
    /// Until when it may stay without having sent anything.
    pub(super) first_byte: Instant,
    pub(super) waiting: Option<Wait>,
}

impl Conn {
    /// Still on time at `now`.
    pub(super) fn on_time(&self, now: Instant) -> bool {
        self.deadline > now
            && (self.first_byte > now || !self.buf.is_empty() || self.waiting.is_some())
    }
}

/// What a request waiting for a refresh asked for.
pub(super) enum Wait {
    Socket {
        mfa_code: Option<SecretString>,
        profile: Option<String>,
    },
    Http(ecs::Request),
}

impl Wait {
    /// The profile asked for: the ECS endpoint serves the default.
    pub(super) fn profile(&self) -> Option<&str> {
        match self {
            Wait::Socket { profile, .. } => profile.as_deref(),
            Wait::Http(_) => None,
        }
    }
}

impl Stream {
    pub(super) fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Stream::Unix(s) => s.as_fd(),
            Stream::Tcp(s) => s.as_fd(),
        }
    }

    pub(super) fn set_nonblocking(&self) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_nonblocking(true),
            Stream::Tcp(s) => s.set_nonblocking(true),
        }
    }

    pub(super) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }

    /// Writes a whole answer, waiting at most [`WRITE_TIMEOUT`].
    pub(super) fn send(&mut self, bytes: &[u8]) {
        let _ = match self {
            Stream::Unix(s) => s
                .set_nonblocking(false)
                .and_then(|()| s.set_write_timeout(Some(WRITE_TIMEOUT)))
                .and_then(|()| s.write_all(bytes)),
            Stream::Tcp(s) => s
                .set_nonblocking(false)
                .and_then(|()| s.set_write_timeout(Some(WRITE_TIMEOUT)))
                .and_then(|()| s.write_all(bytes)),
        };
    }
}

impl Conn {
    pub(super) fn answer(mut self, wait: Wait, answer: &Response) {
        match wait {
            Wait::Socket { .. } => self.stream.send(answer.to_line().as_bytes()),
            Wait::Http(request) => self.stream.send(&ecs::reply(request, Some(answer))),
        }
    }
}
