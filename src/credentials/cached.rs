//! What the session cache holds for `envact status`, and `envact clear`,
//! which forgets it.

use std::time::SystemTime;

use super::KeyringCache;
use crate::context::Context;
use crate::settings::Settings;
use crate::Error;

/// Until when the session cache of the environment in `settings` holds
/// credentials: (what, until), or nothing when it keeps none.
pub fn kept(cx: &Context, settings: &Settings) -> Vec<(&'static str, SystemTime)> {
    if !settings.effective().persistence.keep_sts_session() {
        return Vec::new();
    }
    let Ok(cache) = KeyringCache::of_environment(&cx.vars(), &settings.env_id, "") else {
        return Vec::new();
    };
    cache
        .kept()
        .into_iter()
        .map(|(slot, until)| match slot {
            crate::aws::cache::Slot::Session => ("the session", until),
            crate::aws::cache::Slot::Final => ("the credentials commands get", until),
        })
        .collect()
}

/// What `envact clear` did.
pub struct Cleared {
    /// False when `persistence.sts_session` is off: sessions last one
    /// activation, and nothing was kept.
    pub forgotten: bool,
    /// direnv's background agent for the environment ran, and was stopped.
    pub agent_stopped: bool,
}

/// `envact clear`: forgets the environment's kept STS credentials and ends
/// its background agent (direnv's); returns the environment's name with
/// what was done.
pub fn clear(cx: &Context, place: &crate::remote::Place) -> Result<(String, Cleared), Error> {
    let settings = cx.settings_at(place)?;
    let name = settings.effective().name.clone();
    let agent_stopped = crate::agent::background::stop(&crate::agent::background::dir(
        &cx.dirs.background,
        &settings.env_id,
    ))
    .map_err(Error::Agent)?;
    let forgotten = settings.effective().persistence.keep_sts_session();
    if forgotten {
        KeyringCache::of_environment(&cx.vars(), &settings.env_id, "")?.clear()?;
    }
    Ok((
        name,
        Cleared {
            forgotten,
            agent_stopped,
        },
    ))
}
