//! From where credentials start to the credentials commands get. A
//! [`Source`] gives the start: long-term keys (a backend's), or credentials
//! that are already temporary (an IAM Identity Center role's).
//!
//! From long-term keys: GetSessionToken (with MFA when a serial is set) →
//! AssumeRole for each role, using the session (no second MFA prompt). With a
//! role and no MFA, the first AssumeRole uses the keys directly; with neither,
//! GetSessionToken still runs, so no command ever sees the long-term keys.
//! From temporary credentials: the roles go on top of them directly (no
//! GetSessionToken, no MFA: they are a session already).
//!
//! Each step is reused from the cache while more than the refresh margin is
//! left: a warm final credential means no STS call and no source read at all;
//! a warm session means new role credentials without an MFA prompt (or, from
//! a temporary source, without asking it).

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

/// Where a resolution starts.
pub enum Start {
    /// Long-term keys: never given to a command as they are.
    LongTerm(LongTermKeys),
    /// Credentials with an expiry (and a session token), already a session.
    Temporary(Credentials),
}

/// Where credentials start; only asked when no cached session serves.
pub trait Source<E> {
    /// Whether [`Source::start`] gives [`Start::Temporary`]; known before it
    /// is asked, so that a cached session can serve instead.
    fn temporary(&self) -> bool;
    fn start(&self) -> Result<Start, E>;
}

/// Where MFA codes come from: a TOTP field or the person. `attempt` starts at 1.
pub trait MfaSource<E> {
    fn code(&self, serial: &MfaSerial, attempt: u32) -> Result<SecretString, E>;
}

/// A GetSessionToken of `keys`, with a code of `serial` from `mfa` when
/// there is a device: a rejected code is asked for again, [`MFA_ATTEMPTS`]
/// in all. Shared by resolutions and `envact rotate` (whose IAM calls an
/// MFA session signs).
pub fn session<E: From<FlowError>>(
    sts: &dyn Sts,
    ui: &dyn Ui,
    mfa: &dyn MfaSource<E>,
    keys: &Credentials,
    serial: Option<&MfaSerial>,
    duration: Duration,
) -> Result<Credentials, E> {
    let get = |code: Option<MfaCode>| {
        ui::busy(ui, "Getting an STS session", || {
            sts.get_session_token(keys, duration, code)
        })
    };
    let Some(serial) = serial else {
        return Ok(get(None).map_err(FlowError::from)?);
    };
    for attempt in 1..=MFA_ATTEMPTS {
        let code = mfa.code(serial, attempt)?;
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

/// One resolution, errors of type `E` (the caller's, holding [`FlowError`]).
pub struct Flow<'a, E> {
    pub chain: &'a ProfileChain,
    pub sts: &'a dyn Sts,
    pub cache: &'a dyn CredentialCache,
    pub mfa: &'a dyn MfaSource<E>,
    pub source: &'a dyn Source<E>,
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
        let result = match self.roles_on_cached_session()? {
            Some(Ok(creds)) => creds,
            // The cached session was refused (revoked, expired early): start over.
            Some(Err(e))
                if e.code() == Some("ExpiredToken") || e.code() == Some("InvalidClientTokenId") =>
            {
                self.cache.forget(Slot::Session);
                self.starting_from_source()?
            }
            Some(Err(e)) => return Err(FlowError::Sts(e).into()),
            None => self.starting_from_source()?,
        };
        self.cache.save(Slot::Final, &result);
        Ok(result)
    }

    fn fresh(&self, slot: Slot) -> Option<Credentials> {
        self.cache
            .load(slot)
            .filter(|c| c.fresh_at(self.now, self.margin))
    }

    /// Whether the roles go on top of a session (kept in [`Slot::Session`]):
    /// always from a temporary source; from keys, with MFA or without roles.
    fn uses_session(&self) -> bool {
        self.source.temporary() || self.chain.mfa_serial.is_some() || self.chain.roles.is_empty()
    }

    /// Roles on top of a still-valid cached session, when there is one.
    fn roles_on_cached_session(&self) -> Result<Option<Result<Credentials, StsError>>, E> {
        if !self.uses_session() {
            return Ok(None);
        }
        match self.fresh(Slot::Session) {
            Some(session) => self.roles_on_session(session).map(Some),
            None => Ok(None),
        }
    }

    /// The MFA device the first AssumeRole is made with: a session from a
    /// temporary source cannot be a GetSessionToken with MFA, so as in the
    /// AWS CLI the chain's `mfa_serial` goes with the role instead.
    fn role_mfa(&self) -> Option<&MfaSerial> {
        self.chain
            .mfa_serial
            .as_ref()
            .filter(|_| self.source.temporary() && !self.chain.roles.is_empty())
    }

    /// The roles on top of a session (an STS failure left to the caller to
    /// judge), asking for MFA codes when the first role needs one.
    fn roles_on_session(&self, session: Credentials) -> Result<Result<Credentials, StsError>, E> {
        let Some(serial) = self.role_mfa() else {
            return Ok(self.assume_roles(session, None));
        };
        for attempt in 1..=MFA_ATTEMPTS {
            let code = self.mfa.code(serial, attempt)?;
            let mfa = MfaCode {
                serial,
                code: &code,
            };
            match self.assume_roles(session.clone(), Some(mfa)) {
                Err(e) if e.is_mfa_rejected() => continue,
                other => return Ok(other),
            }
        }
        Err(FlowError::MfaRejected {
            serial: serial.to_string(),
            attempts: MFA_ATTEMPTS,
        }
        .into())
    }

    fn starting_from_source(&self) -> Result<Credentials, E> {
        let keys = match self.source.start()? {
            Start::LongTerm(keys) => keys,
            Start::Temporary(session) => {
                self.cache.save(Slot::Session, &session);
                return Ok(self.roles_on_session(session)?.map_err(FlowError::from)?);
            }
        };
        let long_term = Credentials {
            access_key_id: keys.access_key_id,
            secret_access_key: keys.secret_access_key,
            session_token: None,
            expiration: None,
        };
        if !self.uses_session() {
            return Ok(self
                .assume_roles(long_term, None)
                .map_err(FlowError::from)?);
        }
        let session = self.session(&long_term)?;
        self.cache.save(Slot::Session, &session);
        Ok(self.roles_on_session(session)?.map_err(FlowError::from)?)
    }

    fn session(&self, keys: &Credentials) -> Result<Credentials, E> {
        let serial = self.chain.mfa_serial.as_ref();
        let duration = self.chain.session_duration;
        session(self.sts, self.ui, self.mfa, keys, serial, duration)
    }

    /// Each role of the chain in turn, the first with `mfa` when given.
    fn assume_roles(
        &self,
        mut creds: Credentials,
        mut mfa: Option<MfaCode>,
    ) -> Result<Credentials, StsError> {
        for step in &self.chain.roles {
            creds = self.assume(&creds, step, mfa.take())?;
        }
        Ok(creds)
    }

    fn assume(
        &self,
        caller: &Credentials,
        step: &RoleStep,
        mfa: Option<MfaCode>,
    ) -> Result<Credentials, StsError> {
        ui::busy(self.ui, &format!("Assuming {}", step.role_arn), || {
            self.sts.assume_role(caller, step, &self.session_name, mfa)
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
#[path = "flow_tests.rs"]
mod tests;
