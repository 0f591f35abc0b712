//! The refresh worker: one thread that owns the [`Refresh`] and runs each
//! refresh (backend reads, the resolution lock, STS) away from the thread
//! that answers clients and handles signals, so a slow STS call or a held
//! lock delays only the requests that need the new credentials. It says it
//! is done by writing a byte the agent's poll loop wakes up on.

use secrecy::SecretString;
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

use super::{Refresh, RefreshError};
use crate::aws::Credentials;

pub type Outcome = Result<Credentials, RefreshError>;

/// A refresh asked for: the profile (none: the default), the MFA code typed.
type Job = (Option<String>, Option<SecretString>);

pub struct Worker {
    requests: Sender<Job>,
    results: Receiver<(Option<String>, Outcome)>,
    /// Readable when a result is waiting.
    wake: UnixStream,
}

impl Worker {
    pub fn start(mut refresher: Box<dyn Refresh>) -> std::io::Result<Worker> {
        let (wake, mut waker) = UnixStream::pair()?;
        wake.set_nonblocking(true)?;
        let (requests, todo) = mpsc::channel::<Job>();
        let (done, results) = mpsc::channel();
        std::thread::Builder::new()
            .name("envact-refresh".into())
            .spawn(move || {
                // Signals are the supervising thread's to take.
                crate::shell::supervise::block_in_this_thread();
                // Ends when the agent (the sender) is gone.
                for (profile, code) in todo {
                    let outcome = refresher.refresh(profile.as_deref(), code.as_ref());
                    if done.send((profile, outcome)).is_err() {
                        break;
                    }
                    let _ = waker.write_all(&[1]);
                }
            })?;
        Ok(Worker {
            requests,
            results,
            wake,
        })
    }

    /// Starts a refresh of `profile`, with an MFA code when one was typed.
    pub fn refresh(&self, profile: Option<String>, mfa_code: Option<SecretString>) {
        let _ = self.requests.send((profile, mfa_code));
    }

    /// The profile whose refresh finished, and its result, if one did
    /// (none: the refresh stopped working at all).
    pub fn finished(&mut self) -> Option<(Option<Option<String>>, Outcome)> {
        let mut drained = [0u8; 64];
        while matches!(self.wake.read(&mut drained), Ok(n) if n > 0) {}
        match self.results.try_recv() {
            Ok((profile, outcome)) => Some((Some(profile), outcome)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some((
                None,
                Err(RefreshError::Failed {
                    message: "the credential refresh stopped working".into(),
                    transient: false,
                }),
            )),
        }
    }
}

impl AsFd for Worker {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.wake.as_fd()
    }
}
