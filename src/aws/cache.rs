//! Session and role credentials kept with their expiry, so that a second
//! resolution within their lifetime calls STS not at all: the slots the flow
//! reads and writes, and the caches that keep nothing or keep them for this
//! process. The OS keyring cache is built by the caller, which knows the
//! keyring (`credentials::KeyringCache`).

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
