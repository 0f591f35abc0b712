//! STS session and role credentials kept in the OS keyring until they expire
//! (`persistence.sts_session = true`, `store = "keyring"`): service
//! `envact-sts`, entries `ENV-ID/session` and `ENV-ID/final` (for a profile
//! of `[aws.profiles]`, `ENV-ID/final/NAME`: the profiles share the session),
//! each tagged with a fingerprint of what produced it (item, MFA device,
//! roles), so that a changed manifest never reuses stale credentials. A
//! namespace apart from the long-term keys and the backend sessions.

use secrecy::ExposeSecret;

use crate::aws::cache::{CredentialCache, Slot};
use crate::aws::Credentials;
use crate::secrets::{KeyringStore, SecretError};

pub const STS_SERVICE: &str = "envact-sts";

pub struct KeyringCache {
    store: KeyringStore,
    env_id: String,
    fingerprint: String,
    /// What produced the session, when not all of `fingerprint` did (a
    /// profile's role is not part of the session the profiles share).
    session_fingerprint: Option<String>,
    /// The profile whose final credentials these are.
    profile: Option<String>,
}

impl KeyringCache {
    pub fn new(store: KeyringStore, env_id: &str, fingerprint: &str) -> KeyringCache {
        KeyringCache {
            store,
            env_id: env_id.to_string(),
            fingerprint: fingerprint.to_string(),
            session_fingerprint: None,
            profile: None,
        }
    }

    /// The same cache for the profile `name`, whose session (produced by
    /// `session_fingerprint`) the environment's profiles share.
    pub fn for_profile(mut self, name: &str, session_fingerprint: &str) -> KeyringCache {
        self.profile = Some(name.to_string());
        self.session_fingerprint = Some(session_fingerprint.to_string());
        self
    }

    fn fingerprint_of(&self, slot: Slot) -> &str {
        match (slot, &self.session_fingerprint) {
            (Slot::Session, Some(session)) => session,
            _ => &self.fingerprint,
        }
    }

    /// The cache of the environment `env_id` in the keyring the environment
    /// (`var`) asks for, under envact's STS namespace; `fingerprint` names
    /// what produced the credentials ("" to read or clear whatever is kept).
    pub fn of_environment(
        var: &impl Fn(&str) -> Option<std::ffi::OsString>,
        env_id: &str,
        fingerprint: &str,
    ) -> Result<KeyringCache, crate::secrets::SecretError> {
        let kind = crate::secrets::keyring_kind(var)?;
        Ok(KeyringCache::new(
            KeyringStore::new(kind, Some(STS_SERVICE)),
            env_id,
            fingerprint,
        ))
    }

    fn user(&self, slot: Slot) -> String {
        match (slot, &self.profile) {
            (Slot::Final, Some(profile)) => format!("{}/final/{profile}", self.env_id),
            _ => format!("{}/{}", self.env_id, slot.name()),
        }
    }

    /// Until when each slot holds credentials (whatever produced them), for
    /// `envact status`; the values themselves are dropped at once.
    pub fn kept(&self) -> Vec<(Slot, std::time::SystemTime)> {
        [Slot::Session, Slot::Final]
            .into_iter()
            .filter_map(|slot| {
                let value = self.store.get(&self.user(slot)).ok().flatten()?;
                let (_, json) = value.expose_secret().split_once('\n')?;
                let expiry = Credentials::from_cache_json(json)?.expiration?;
                Some((slot, expiry))
            })
            .collect()
    }

    /// Forgets both slots (`envact clear`), and the final credentials of
    /// each of `profiles`, reporting a keyring failure.
    pub fn clear(&self, profiles: &[&str]) -> Result<(), SecretError> {
        self.store.delete(&self.user(Slot::Final))?;
        for profile in profiles {
            self.store
                .delete(&format!("{}/final/{profile}", self.env_id))?;
        }
        self.store.delete(&self.user(Slot::Session))
    }
}

impl CredentialCache for KeyringCache {
    fn load(&self, slot: Slot) -> Option<Credentials> {
        let value = self.store.get(&self.user(slot)).ok().flatten()?;
        let (fingerprint, json) = value.expose_secret().split_once('\n')?;
        (fingerprint == self.fingerprint_of(slot))
            .then(|| Credentials::from_cache_json(json))
            .flatten()
    }

    fn save(&self, slot: Slot, creds: &Credentials) {
        let json = creds.to_cache_json();
        let value = secrecy::zeroize::Zeroizing::new(format!(
            "{}\n{}",
            self.fingerprint_of(slot),
            json.as_str()
        ));
        // The cache is a convenience: failing to keep credentials is not an error.
        let _ = self.store.set(&self.user(slot), &value);
    }

    fn forget(&self, slot: Slot) {
        let _ = self.store.delete(&self.user(slot));
    }
}
