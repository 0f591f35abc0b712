//! Session and role credentials kept with their expiry, so that a second
//! resolution within their lifetime calls STS not at all: the slots the flow
//! reads and writes, the caches that keep nothing or keep them for this
//! process, and the lock that makes concurrent envact processes take turns,
//! so one STS round trip (and one MFA prompt) serves them all and no write is
//! ever interleaved. The OS keyring cache is built by the caller, which knows
//! the keyring (`credentials::KeyringCache`).

use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use super::Credentials;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// GetSessionToken's result.
    Session,
    /// What commands get: the last role's credentials, or the session's.
    Final,
}

impl Slot {
    pub fn name(self) -> &'static str {
        match self {
            Slot::Session => "session",
            Slot::Final => "final",
        }
    }
}

pub trait CredentialCache: Send {
    fn load(&self, slot: Slot) -> Option<Credentials>;
    fn save(&self, slot: Slot, creds: &Credentials);
    fn forget(&self, slot: Slot);
}

/// Keeps nothing: every process starts from the long-term keys.
pub struct NoCache;

impl CredentialCache for NoCache {
    fn load(&self, _: Slot) -> Option<Credentials> {
        None
    }
    fn save(&self, _: Slot, _: &Credentials) {}
    fn forget(&self, _: Slot) {}
}

/// Keeps credentials for the life of this process: the agent's cache when
/// nothing may outlive the activation.
#[derive(Default)]
pub struct MemoryCache {
    slots: std::cell::RefCell<Vec<(Slot, Credentials)>>,
}

impl CredentialCache for MemoryCache {
    fn load(&self, slot: Slot) -> Option<Credentials> {
        self.slots
            .borrow()
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, c)| c.clone())
    }
    fn save(&self, slot: Slot, creds: &Credentials) {
        self.forget(slot);
        self.slots.borrow_mut().push((slot, creds.clone()));
    }
    fn forget(&self, slot: Slot) {
        self.slots.borrow_mut().retain(|(s, _)| *s != slot);
    }
}

/// An exclusive lock on this environment's credential resolution, held until dropped.
pub struct ResolutionLock {
    _lock: Flock<File>,
}

impl ResolutionLock {
    /// Waits for the lock in `dir` (created 0700), file `ENV-ID.lock` (empty).
    pub fn acquire(dir: &Path, env_id: &str) -> std::io::Result<ResolutionLock> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(dir.join(format!("{env_id}.lock")))?;
        let lock =
            Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| std::io::Error::from(e))?;
        Ok(ResolutionLock { _lock: lock })
    }
}
