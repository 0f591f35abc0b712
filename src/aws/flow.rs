//! From long-term keys to the credentials commands get:
//! keys → GetSessionToken (with MFA when a serial is set) → AssumeRole for each
//! role, using the session (no second MFA prompt). With a role and no MFA, the
//! first AssumeRole uses the keys directly; with neither, GetSessionToken still
//! runs, so no command ever sees the long-term keys.
//!
//! Each step is reused from the cache while more than the refresh margin is
//! left: a warm final credential means no STS call and no backend read at all;
//! a warm session means new role credentials without an MFA prompt.

use secrecy::SecretString;
use std::time::{Duration, SystemTime};

use super::cache::{CredentialCache, Slot};
use super::profile::{ProfileChain, RoleStep};
use super::sts::{MfaCode, Sts, StsError};
use super::{Credentials, LongTermKeys, MfaSerial};
use crate::ui::{self, Ui};

/// How many times a rejected MFA code is asked again.
pub const MFA_ATTEMPTS: u32 = 3;

/// Default time before expiry at which cached credentials are no longer served.
pub const DEFAULT_MARGIN: Duration = Duration::from_secs(5 * 60);

/// What the flow itself can fail with; the key and MFA sources fail with
/// the caller's own error type, which converts from this one.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Sts(#[from] StsError),

    #[error("the MFA code for {serial} was rejected {attempts} times")]
    MfaRejected { serial: String, attempts: u32 },

    #[error(
        "an MFA code for {serial} is needed, and there is no terminal to ask on and no TOTP field"
    )]
    NoMfaSource { serial: String },

    #[error("cannot read the MFA code: {0}")]
    MfaInput(String),
}

/// Where the long-term keys come from; only asked when STS must be called.
pub trait KeySource<E> {
    fn keys(&self) -> Result<LongTermKeys, E>;
}

/// Where MFA codes come from: a TOTP field or the person. `attempt` starts at 1.
pub trait MfaSource<E> {
    fn code(&self, serial: &MfaSerial, attempt: u32) -> Result<SecretString, E>;
}

/// One resolution, errors of type `E` (the caller's, holding [`FlowError`]).
pub struct Flow<'a, E> {
    pub chain: &'a ProfileChain,
    pub sts: &'a dyn Sts,
    pub cache: &'a dyn CredentialCache,
    pub mfa: &'a dyn MfaSource<E>,
    pub keys: &'a dyn KeySource<E>,
    /// Each STS call runs through [`Ui::busy`].
    pub ui: &'a dyn Ui,
    pub now: SystemTime,
    pub margin: Duration,
    /// RoleSessionName when a profile does not set one.
    pub session_name: String,
}

impl<E: From<FlowError>> Flow<'_, E> {
    pub fn run(&self) -> Result<Credentials, E> {
        if let Some(cached) = self.fresh(Slot::Final) {
            return Ok(cached);
        }
        let result = match self.roles_on_cached_session() {
            Some(Ok(creds)) => creds,
            // The cached session was refused (revoked, expired early): start over.
            Some(Err(e))
                if e.code() == Some("ExpiredToken") || e.code() == Some("InvalidClientTokenId") =>
            {
                self.cache.forget(Slot::Session);
                self.starting_from_keys()?
            }
            Some(Err(e)) => return Err(FlowError::Sts(e).into()),
            None => self.starting_from_keys()?,
        };
        self.cache.save(Slot::Final, &result);
        Ok(result)
    }

    fn fresh(&self, slot: Slot) -> Option<Credentials> {
        self.cache
            .load(slot)
            .filter(|c| c.fresh_at(self.now, self.margin))
    }

    fn uses_session(&self) -> bool {
        self.chain.mfa_serial.is_some() || self.chain.roles.is_empty()
    }

    /// Roles on top of a still-valid cached session, when there is one.
    fn roles_on_cached_session(&self) -> Option<Result<Credentials, StsError>> {
        if !self.uses_session() {
            return None;
        }
        let session = self.fresh(Slot::Session)?;
        Some(self.assume_roles(session))
    }

    fn starting_from_keys(&self) -> Result<Credentials, E> {
        let keys = self.keys.keys()?;
        let long_term = Credentials {
            access_key_id: keys.access_key_id,
            secret_access_key: keys.secret_access_key,
            session_token: None,
            expiration: None,
        };
        if !self.uses_session() {
            return Ok(self.assume_roles(long_term).map_err(FlowError::from)?);
        }
        let session = self.session(&long_term)?;
        self.cache.save(Slot::Session, &session);
        Ok(self.assume_roles(session).map_err(FlowError::from)?)
    }

    fn session(&self, keys: &Credentials) -> Result<Credentials, E> {
        let duration = self.chain.session_duration;
        let get = |mfa: Option<MfaCode>| {
            ui::busy(self.ui, "Getting an STS session", || {
                self.sts.get_session_token(keys, duration, mfa)
            })
        };
        let Some(serial) = &self.chain.mfa_serial else {
            return Ok(get(None).map_err(FlowError::from)?);
        };
        for attempt in 1..=MFA_ATTEMPTS {
            let code = self.mfa.code(serial, attempt)?;
            match get(Some(MfaCode {
                serial,
                code: &code,
            })) {
                Ok(creds) => return Ok(creds),
                Err(e) if e.is_mfa_rejected() => continue,
                Err(e) => return Err(FlowError::from(e).into()),
            }
        }
        Err(FlowError::MfaRejected {
            serial: serial.to_string(),
            attempts: MFA_ATTEMPTS,
        }
        .into())
    }

    fn assume_roles(&self, mut creds: Credentials) -> Result<Credentials, StsError> {
        for step in &self.chain.roles {
            creds = self.assume(&creds, step)?;
        }
        Ok(creds)
    }

    fn assume(&self, caller: &Credentials, step: &RoleStep) -> Result<Credentials, StsError> {
        ui::busy(self.ui, &format!("Assuming {}", step.role_arn), || {
            self.sts.assume_role(caller, step, &self.session_name)
        })
    }
}

/// A RoleSessionName from a user name: the characters STS accepts, 2 to 64 long.
pub fn session_name(user: &str) -> String {
    let clean: String = user
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c))
        .collect();
    let name = format!("envact-{}", if clean.is_empty() { "user" } else { &clean });
    name.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// STS in memory: records calls, rejects MFA codes other than "123456".
    #[derive(Default)]
    struct FakeSts {
        log: RefCell<Vec<String>>,
        fail_assume_with: RefCell<Option<StsError>>,
    }

    fn issued(name: &str, ttl: u64) -> Credentials {
        Credentials {
            access_key_id: SecretString::from(name),
            secret_access_key: SecretString::from("s"),
            session_token: Some(SecretString::from("t")),
            expiration: Some(t0() + Duration::from_secs(ttl)),
        }
    }

    impl Sts for FakeSts {
        fn get_session_token(
            &self,
            caller: &Credentials,
            _: Duration,
            mfa: Option<MfaCode>,
        ) -> Result<Credentials, StsError> {
            let code = mfa.map(|m| m.code.expose_secret().to_string());
            self.log.borrow_mut().push(format!(
                "GST({},{})",
                caller.access_key_id.expose_secret(),
                code.clone().unwrap_or_default()
            ));
            if code.as_deref().is_some_and(|c| c != "123456") {
                return Err(StsError::Service {
                    operation: "GetSessionToken",
                    code: "AccessDenied".into(),
                    message:
                        "MultiFactorAuthentication failed with invalid MFA one time pass code."
                            .into(),
                });
            }
            Ok(issued("session", 3600))
        }
        fn assume_role(
            &self,
            caller: &Credentials,
            step: &RoleStep,
            _: &str,
        ) -> Result<Credentials, StsError> {
            self.log.borrow_mut().push(format!(
                "AR({}->{})",
                caller.access_key_id.expose_secret(),
                step.role_arn.as_str().rsplit('/').next().unwrap()
            ));
            if let Some(e) = self.fail_assume_with.borrow_mut().take() {
                return Err(e);
            }
            Ok(issued(
                step.role_arn.as_str().rsplit('/').next().unwrap(),
                3600,
            ))
        }
    }

    #[derive(Default)]
    struct MemCache(RefCell<HashMap<&'static str, Credentials>>);
    impl CredentialCache for MemCache {
        fn load(&self, slot: Slot) -> Option<Credentials> {
            self.0.borrow().get(key(slot)).cloned()
        }
        fn save(&self, slot: Slot, c: &Credentials) {
            self.0.borrow_mut().insert(key(slot), c.clone());
        }
        fn forget(&self, slot: Slot) {
            self.0.borrow_mut().remove(key(slot));
        }
    }
    fn key(slot: Slot) -> &'static str {
        match slot {
            Slot::Session => "session",
            Slot::Final => "final",
        }
    }

    struct Codes(RefCell<Vec<&'static str>>);
    impl MfaSource<FlowError> for Codes {
        fn code(&self, _: &MfaSerial, _: u32) -> Result<SecretString, FlowError> {
            Ok(SecretString::from(self.0.borrow_mut().remove(0)))
        }
    }

    struct Keys;
    impl KeySource<FlowError> for Keys {
        fn keys(&self) -> Result<LongTermKeys, FlowError> {
            Ok(LongTermKeys {
                access_key_id: SecretString::from("AKIA"),
                secret_access_key: SecretString::from("x"),
            })
        }
    }

    fn t0() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000)
    }

    fn chain(mfa: bool, roles: &[&str]) -> ProfileChain {
        ProfileChain {
            region: None,
            base_profile: None,
            mfa_serial: mfa.then(|| "arn:aws:iam::123456789012:mfa/a".parse().unwrap()),
            session_duration: Duration::from_secs(3600),
            roles: roles
                .iter()
                .map(|r| RoleStep {
                    role_arn: format!("arn:aws:iam::123456789012:role/{r}")
                        .parse()
                        .unwrap(),
                    external_id: None,
                    session_name: None,
                    duration: Duration::from_secs(3600),
                    profile: None,
                })
                .collect(),
        }
    }

    fn run(
        chain: &ProfileChain,
        sts: &FakeSts,
        cache: &MemCache,
        codes: &[&'static str],
        now: SystemTime,
    ) -> Result<Credentials, FlowError> {
        let mfa = Codes(RefCell::new(codes.to_vec()));
        Flow {
            chain,
            sts,
            cache,
            mfa: &mfa,
            keys: &Keys,
            ui: &crate::ui::Quiet,
            now,
            margin: DEFAULT_MARGIN,
            session_name: "envact-test".into(),
        }
        .run()
    }

    #[test]
    fn the_four_shapes_of_the_flow() {
        let table: [(bool, &[&str], &[&str]); 4] = [
            (
                true,
                &["a", "b"],
                &["GST(AKIA,123456)", "AR(session->a)", "AR(a->b)"],
            ),
            (false, &["a"], &["AR(AKIA->a)"]),
            (false, &[], &["GST(AKIA,)"]),
            (true, &[], &["GST(AKIA,123456)"]),
        ];
        for (mfa, roles, expected) in table {
            let sts = FakeSts::default();
            run(
                &chain(mfa, roles),
                &sts,
                &MemCache::default(),
                &["123456"],
                t0(),
            )
            .unwrap();
            assert_eq!(*sts.log.borrow(), expected, "mfa={mfa} roles={roles:?}");
        }
    }

    #[test]
    fn a_rejected_code_is_asked_again_up_to_three_times() {
        let sts = FakeSts::default();
        run(
            &chain(true, &[]),
            &sts,
            &MemCache::default(),
            &["000000", "111111", "123456"],
            t0(),
        )
        .unwrap();
        assert_eq!(sts.log.borrow().len(), 3);
        let err = run(
            &chain(true, &[]),
            &FakeSts::default(),
            &MemCache::default(),
            &["1", "2", "3"],
            t0(),
        )
        .unwrap_err();
        assert!(
            matches!(err, FlowError::MfaRejected { attempts: 3, .. }),
            "{err}"
        );
    }

    #[test]
    fn warm_cache_means_no_call_and_a_warm_session_means_no_mfa() {
        let c = chain(true, &["a"]);
        let cache = MemCache::default();
        run(&c, &FakeSts::default(), &cache, &["123456"], t0()).unwrap();

        let sts = FakeSts::default();
        run(&c, &sts, &cache, &[], t0() + Duration::from_secs(60)).unwrap();
        assert!(sts.log.borrow().is_empty());

        // Final credentials inside the margin are not served; the session is
        // still good for a new role without an MFA code.
        let mut cache_state = cache.0.borrow_mut();
        cache_state.insert("final", issued("old", 200));
        cache_state.insert("session", issued("session", 3000));
        drop(cache_state);
        let sts = FakeSts::default();
        let out = run(&c, &sts, &cache, &[], t0()).unwrap();
        assert_eq!(*sts.log.borrow(), ["AR(session->a)"]);
        assert_eq!(out.access_key_id.expose_secret(), "a");
    }

    #[test]
    fn a_refused_cached_session_starts_over_from_the_keys() {
        let c = chain(true, &["a"]);
        let cache = MemCache::default();
        cache.save(Slot::Session, &issued("revoked", 3000));
        let sts = FakeSts::default();
        *sts.fail_assume_with.borrow_mut() = Some(StsError::Service {
            operation: "AssumeRole",
            code: "ExpiredToken".into(),
            message: "The security token included in the request is expired".into(),
        });
        run(&c, &sts, &cache, &["123456"], t0()).unwrap();
        assert_eq!(
            *sts.log.borrow(),
            ["AR(revoked->a)", "GST(AKIA,123456)", "AR(session->a)"]
        );
    }

    #[test]
    fn session_names_are_what_sts_accepts() {
        assert_eq!(session_name("alice"), "envact-alice");
        assert_eq!(session_name("a b/c"), "envact-abc");
        assert_eq!(session_name(""), "envact-user");
        assert_eq!(session_name(&"x".repeat(100)).len(), 64);
    }
}
