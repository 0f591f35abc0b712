//! `envact clear`: the environment's kept STS credentials forgotten, and its
//! background agent (direnv's) ended.

use crate::context::{Context, Place};
use crate::credentials::KeyringCache;
use crate::Error;

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
pub fn clear(cx: &Context, place: &Place) -> Result<(String, Cleared), Error> {
    let settings = cx.settings_at(place)?;
    let name = settings.effective().name.clone();
    let agent_stopped = crate::agent::detached::stop(&crate::agent::detached::dir(
        &cx.dirs.background,
        &settings.env_id,
    ))
    .map_err(Error::Agent)?;
    let forgotten = settings.effective().persistence.keep_sts_session();
    if forgotten {
        let profiles: Vec<&str> = settings
            .effective()
            .aws
            .iter()
            .flat_map(|a| a.profiles.keys().map(String::as_str))
            .collect();
        KeyringCache::of_environment(&cx.vars(), &settings.env_id, "")?.clear(&profiles)?;
    }
    Ok((
        name,
        Cleared {
            forgotten,
            agent_stopped,
        },
    ))
}
