//! `envact login` and `envact logout`: the environment's IAM Identity
//! Center sign-in, in the token cache the AWS tools share. Login uses a
//! cached token while it is good, then its refresh token, and signs in anew
//! (the browser) only when it must; logout ends the session at the portal
//! and removes the cached token.

use std::path::PathBuf;
use std::time::SystemTime;

use crate::aws::sso::sign_in::Had;
use crate::aws::sso::token;
use crate::context::{Context, Place};
use crate::credentials::sign_in_of;
use crate::Error;

/// A sign-in had.
pub struct SignedIn {
    pub start_url: String,
    pub expires_at: SystemTime,
    pub had: Had,
    /// The token cache file it is in.
    pub cache: PathBuf,
}

/// `envact login`; `open_browser`: false for `--no-browser`.
pub fn login(cx: &Context, place: &Place, open_browser: bool) -> Result<SignedIn, Error> {
    let settings = cx.settings_at(place)?;
    let sso = sign_in_of(cx, &settings)?.ok_or_else(|| Error::NoSso {
        manifest: settings.project.manifest.clone(),
    })?;
    // Someone asked to sign in: the device flow may run without a terminal
    // too (the address can be opened on any device).
    let (token, had) = sso.token(cx.ui.as_ref(), true, open_browser)?;
    Ok(SignedIn {
        start_url: sso.config.start_url.clone(),
        expires_at: token.expires_at,
        had,
        cache: sso.config.cache_file(&sso.home),
    })
}

/// `envact logout`: the portal signed out of, and the cached token removed;
/// the portal's start URL, or `None` when no token was cached.
pub fn logout(cx: &Context, place: &Place) -> Result<Option<String>, Error> {
    let settings = cx.settings_at(place)?;
    let sso = sign_in_of(cx, &settings)?.ok_or_else(|| Error::NoSso {
        manifest: settings.project.manifest.clone(),
    })?;
    let path = sso.config.cache_file(&sso.home);
    let Some(cached) = token::read(&path) else {
        token::remove(&path).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        return Ok(None);
    };
    use crate::aws::sso::service::IdentityCenter;
    // A token the portal no longer knows is signed out already.
    let ended = crate::ui::busy(cx.ui.as_ref(), "Signing out of IAM Identity Center", || {
        sso.center.logout(&cached.access_token)
    });
    match ended {
        Err(e) if e.code() != Some("UnauthorizedException") => return Err(e.into()),
        _ => {}
    }
    token::remove(&path).map_err(|source| Error::Write { path, source })?;
    Ok(Some(sso.config.start_url))
}
