//! A valid IAM Identity Center token, as cheaply as it can be had: the
//! cached one while it is good; else a refresh (the refresh-token grant),
//! so people sign in again only when they must; else, where someone can
//! approve, the OIDC device authorization flow (RFC 8628): the verification
//! URL and code shown and the browser opened through the [`Approver`], then
//! CreateToken polled at the interval the service asks, slower at each
//! `slow_down`, until approved, denied or expired. Nothing is written until
//! a token is had, and then atomically: an interrupted sign-in leaves the
//! cache as it was.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::service::{DeviceAuthorization, Grant, IdentityCenter, SsoError};
use super::token::{self, Client, Token};
use super::SsoConfig;

/// A token with less than this left is renewed first (as botocore does,
/// which refreshes inside fifteen minutes).
pub const TOKEN_MARGIN: Duration = Duration::from_secs(15 * 60);

/// How much longer to wait between polls after each `slow_down` (RFC 8628).
const SLOW_DOWN: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Service(#[from] SsoError),

    #[error("there is no valid sign-in to {start_url} (none yet, or it expired), and no terminal to sign in on")]
    Needed { start_url: String },

    #[error("the sign-in to {start_url} was not approved before its code expired")]
    Expired { start_url: String },

    #[error("the sign-in to {start_url} was denied")]
    Denied { start_url: String },

    #[error("cannot write the sign-in to {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The person's side of a device sign-in.
pub trait Approver {
    /// Whether someone is there to approve (a terminal, or `envact login`).
    fn present(&self) -> bool;
    /// Shows the verification URL and the code, and opens the browser.
    fn approve(&self, start_url: &str, authorization: &DeviceAuthorization);
    /// Waits `interval` between polls (the busy indicator runs meanwhile).
    fn wait(&self, interval: Duration);
}

/// How a token was had, for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Had {
    Cached,
    Refreshed,
    SignedIn,
}

/// A token for `config` good for at least [`TOKEN_MARGIN`] at `now`; the
/// cache in `home` is read and, when a new token is had, replaced.
pub fn token(
    config: &SsoConfig,
    home: &Path,
    center: &dyn IdentityCenter,
    approver: &dyn Approver,
    now: SystemTime,
) -> Result<(Token, Had), SignInError> {
    let path = config.cache_file(home);
    let cached = config.cached(home);
    if let Some(t) = cached.as_ref().filter(|t| t.fresh_at(now, TOKEN_MARGIN)) {
        return Ok((t.clone(), Had::Cached));
    }
    if let Some(renewed) = cached.as_ref().and_then(|t| refreshed(center, t, now)) {
        save(&path, &renewed)?;
        return Ok((renewed, Had::Refreshed));
    }
    if !approver.present() {
        return Err(SignInError::Needed {
            start_url: config.start_url.clone(),
        });
    }
    let client = cached
        .and_then(|t| t.client)
        .filter(|c| c.expires_at > now + Duration::from_secs(3600));
    let signed_in = device_flow(config, center, approver, client, now)?;
    save(&path, &signed_in)?;
    Ok((signed_in, Had::SignedIn))
}

/// The device flow from the start: a new sign-in, whatever is cached.
pub fn sign_in_anew(
    config: &SsoConfig,
    home: &Path,
    center: &dyn IdentityCenter,
    approver: &dyn Approver,
    now: SystemTime,
) -> Result<Token, SignInError> {
    let path = config.cache_file(home);
    let client = token::read(&path)
        .and_then(|t| t.client)
        .filter(|c| c.expires_at > now + Duration::from_secs(3600));
    let signed_in = device_flow(config, center, approver, client, now)?;
    save(&path, &signed_in)?;
    Ok(signed_in)
}

fn save(path: &Path, token: &Token) -> Result<(), SignInError> {
    token::write(path, token).map_err(|source| SignInError::Write {
        path: path.display().to_string(),
        source,
    })
}

/// The token renewed with its refresh token, when that still works.
fn refreshed(center: &dyn IdentityCenter, cached: &Token, now: SystemTime) -> Option<Token> {
    if !cached.refreshable_at(now) {
        return None;
    }
    let client = cached.client.as_ref()?;
    let refresh = cached.refresh_token.as_ref()?;
    let issued = center.create_token(client, Grant::Refresh(refresh)).ok()?;
    Some(cached.renewed(
        issued.access_token,
        now + issued.expires_in,
        issued.refresh_token,
    ))
}

fn device_flow(
    config: &SsoConfig,
    center: &dyn IdentityCenter,
    approver: &dyn Approver,
    client: Option<Client>,
    now: SystemTime,
) -> Result<Token, SignInError> {
    let client = match client {
        Some(client) => client,
        None => center.register_client()?,
    };
    let auth = center.start_device_authorization(&client, &config.start_url)?;
    approver.approve(&config.start_url, &auth);
    let mut interval = auth.interval;
    let mut waited = Duration::ZERO;
    let expired = || SignInError::Expired {
        start_url: config.start_url.clone(),
    };
    loop {
        if waited >= auth.expires_in {
            return Err(expired());
        }
        approver.wait(interval);
        waited += interval;
        match center.create_token(&client, Grant::Device(&auth.device_code)) {
            Ok(issued) => {
                return Ok(Token::new(
                    &config.start_url,
                    &config.region,
                    issued.access_token,
                    now + waited + issued.expires_in,
                    issued.refresh_token,
                    Some(client),
                ))
            }
            Err(e) => match e.code() {
                Some("AuthorizationPendingException") => {}
                Some("SlowDownException") => interval += SLOW_DOWN,
                Some("ExpiredTokenException") => return Err(expired()),
                Some("AccessDeniedException") => {
                    return Err(SignInError::Denied {
                        start_url: config.start_url.clone(),
                    })
                }
                _ => return Err(e.into()),
            },
        }
    }
}

#[cfg(test)]
#[path = "sign_in_tests.rs"]
mod tests;
