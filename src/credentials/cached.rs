//! What the session cache holds, for `envact status`.

use std::time::SystemTime;

use super::KeyringCache;
use crate::context::Context;
use crate::settings::Settings;

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
