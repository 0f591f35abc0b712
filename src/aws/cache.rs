//! Session and role credentials kept with their expiry, so that a second
//! resolution within their lifetime calls STS not at all: the slots the flow
//! reads and writes, and the caches that keep nothing or keep them for this
//! process. The OS keyring cache is built by the caller, which knows the
//! keyring (`credentials::KeyringCache`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

/// Sessions kept for the life of this process, shared by the caches of one
/// environment's profiles (each a [`MemoryCache`] on the shelf), so that one
/// MFA prompt serves every profile; each session under the fingerprint of
/// what produced it.
#[derive(Clone, Default)]
pub struct SessionShelf(Arc<Mutex<HashMap<String, Credentials>>>);

/// Keeps credentials for the life of this process: the agent's cache when
/// nothing may outlive the activation. Its session is on a shelf that other
/// profiles' caches may share.
#[derive(Default)]
pub struct MemoryCache {
    shelf: SessionShelf,
    /// Whose session this cache reads and writes on the shelf.
    session_key: String,
    last: Mutex<Option<Credentials>>,
}

impl MemoryCache {
    /// A cache whose session is `shelf`'s, under `session_key`.
    pub fn on_shelf(shelf: &SessionShelf, session_key: &str) -> MemoryCache {
        MemoryCache {
            shelf: shelf.clone(),
            session_key: session_key.to_string(),
            last: Mutex::default(),
        }
    }
}

impl CredentialCache for MemoryCache {
    fn load(&self, slot: Slot) -> Option<Credentials> {
        match slot {
            Slot::Session => lock(&self.shelf.0).get(&self.session_key).cloned(),
            Slot::Final => lock(&self.last).clone(),
        }
    }
    fn save(&self, slot: Slot, creds: &Credentials) {
        match slot {
            Slot::Session => {
                lock(&self.shelf.0).insert(self.session_key.clone(), creds.clone());
            }
            Slot::Final => *lock(&self.last) = Some(creds.clone()),
        }
    }
    fn forget(&self, slot: Slot) {
        match slot {
            Slot::Session => {
                lock(&self.shelf.0).remove(&self.session_key);
            }
            Slot::Final => *lock(&self.last) = None,
        }
    }
}

/// A lock whose holder panicked still guards plain data: take it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::{ExposeSecret, SecretString};

    fn creds(id: &str) -> Credentials {
        Credentials {
            access_key_id: SecretString::from(id),
            secret_access_key: SecretString::from("s"),
            session_token: None,
            expiration: None,
        }
    }

    #[test]
    fn profiles_on_one_shelf_share_their_session_and_keep_their_own_credentials() {
        let shelf = SessionShelf::default();
        let (dev, prod) = (
            MemoryCache::on_shelf(&shelf, "keys+mfa"),
            MemoryCache::on_shelf(&shelf, "keys+mfa"),
        );
        let other = MemoryCache::on_shelf(&shelf, "another source");
        dev.save(Slot::Session, &creds("session"));
        dev.save(Slot::Final, &creds("dev"));
        let id = |c: Option<Credentials>| c.map(|c| c.access_key_id.expose_secret().to_string());
        assert_eq!(id(prod.load(Slot::Session)).as_deref(), Some("session"));
        assert_eq!(id(prod.load(Slot::Final)), None);
        assert_eq!(id(other.load(Slot::Session)), None);
        prod.forget(Slot::Session);
        assert_eq!(id(dev.load(Slot::Session)), None);
        assert_eq!(id(dev.load(Slot::Final)).as_deref(), Some("dev"));
        dev.forget(Slot::Final);
        assert_eq!(id(dev.load(Slot::Final)), None);
    }
}
