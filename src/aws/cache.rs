//! Session and role credentials kept with their expiry, so that a second
//! activation within their lifetime calls STS not at all.
//!
//! With `persistence.sts_session = true` (and `store = "keyring"`) they are kept
//! in the OS keyring, service `envact-sts`, entries `ENV-ID/session` and
//! `ENV-ID/final`, each tagged with a fingerprint of what produced it (item,
//! MFA device, roles), so a changed manifest never reuses stale credentials.
//! Otherwise nothing outlives the process. A lock file per environment makes
//! concurrent envact processes take turns, so one STS round trip (and one MFA
//! prompt) serves them all and no write is ever interleaved.

use nix::fcntl::{Flock, FlockArg};
use secrecy::ExposeSecret;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use super::Credentials;
use crate::secrets::{KeyringStore, SecretError};

pub const STS_SERVICE: &str = "envact-sts";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// GetSessionToken's result.
    Session,
    /// What commands get: the last role's credentials, or the session's.
    Final,
}

impl Slot {
    fn name(self) -> &'static str {
        match self {
            Slot::Session => "session",
            Slot::Final => "final",
        }
    }
}

pub trait CredentialCache {
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

pub struct KeyringCache {
    store: KeyringStore,
    env_id: String,
    fingerprint: String,
}

impl KeyringCache {
    pub fn new(store: KeyringStore, env_id: &str, fingerprint: &str) -> KeyringCache {
        KeyringCache {
            store,
            env_id: env_id.to_string(),
            fingerprint: fingerprint.to_string(),
        }
    }

    fn user(&self, slot: Slot) -> String {
        format!("{}/{}", self.env_id, slot.name())
    }

    /// Forgets both slots (`envact clear`), reporting a keyring failure.
    pub fn clear(&self) -> Result<(), SecretError> {
        self.store.delete(&self.user(Slot::Final))?;
        self.store.delete(&self.user(Slot::Session))
    }
}

impl CredentialCache for KeyringCache {
    fn load(&self, slot: Slot) -> Option<Credentials> {
        let value = self.store.get(&self.user(slot)).ok().flatten()?;
        let (fingerprint, json) = value.expose_secret().split_once('\n')?;
        (fingerprint == self.fingerprint)
            .then(|| Credentials::from_cache_json(json))
            .flatten()
    }

    fn save(&self, slot: Slot, creds: &Credentials) {
        let json = creds.to_cache_json();
        let value =
            secrecy::zeroize::Zeroizing::new(format!("{}\n{}", self.fingerprint, json.as_str()));
        // The cache is a convenience: failing to keep credentials is not an error.
        let _ = self.store.set(&self.user(slot), &value);
    }

    fn forget(&self, slot: Slot) {
        let _ = self.store.delete(&self.user(slot));
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
