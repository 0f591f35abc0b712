//! What the session cache holds, for `envact status`.

use std::time::SystemTime;

use super::KeyringCache;
use crate::aws::cache::Slot;
use crate::context::Context;
use crate::settings::Settings;

/// Until when the session cache of the environment in `settings` holds
/// credentials: (what, until), or nothing when it keeps none. With
/// `[aws.profiles]`, each profile's credentials are kept on their own.
pub fn kept(cx: &Context, settings: &Settings) -> Vec<(String, SystemTime)> {
    let manifest = settings.effective();
    if !manifest.persistence.keep_sts_session() {
        return Vec::new();
    }
    let of = |profile: Option<&str>| {
        let cache = KeyringCache::of_environment(&cx.vars(), &settings.env_id, "").ok()?;
        Some(match profile {
            Some(name) => cache.for_profile(name, ""),
            None => cache,
        })
    };
    let mut kept: Vec<(String, SystemTime)> = of(None)
        .iter()
        .flat_map(KeyringCache::kept)
        .map(|(slot, until)| match slot {
            Slot::Session => ("the session".to_string(), until),
            Slot::Final => ("the credentials commands get".to_string(), until),
        })
        .collect();
    for name in manifest.aws.iter().flat_map(|a| a.profiles.keys()) {
        let profile = of(Some(name)).map(|c| c.kept()).unwrap_or_default();
        kept.extend(
            profile
                .into_iter()
                .filter(|(slot, _)| *slot == Slot::Final)
                .map(|(_, until)| (format!("profile {name}'s credentials"), until)),
        );
    }
    kept
}
