//! `envact status`: the environment active in this shell, what it gives,
//! and what the session cache keeps, until when.

use crate::context::Context;
use crate::shell::Enclosing;

/// What `envact status` finds.
pub enum Status {
    Active {
        env: Enclosing,
        /// What it gives (when it gives AWS credentials).
        gives: Option<Box<crate::summary::Summary>>,
        /// What the session cache holds, and until when.
        kept: Vec<(String, std::time::SystemTime)>,
        /// The IAM Identity Center sign-in, when the environment has one.
        sign_in: Option<SignIn>,
        /// What its manifest includes (`[include]`), in merge order, and
        /// which of its values a later part set over an earlier one's.
        includes: Vec<String>,
        overridden: Vec<(String, String, String)>,
        /// The backend item of the long-term key, and how long ago envact
        /// stored it, when it did.
        key_age: Option<(String, crate::state::key_ages::Age)>,
    },
    /// Variables left over from an activation that has ended.
    Ended(Enclosing),
    None,
}

/// An environment's IAM Identity Center sign-in, as the shared cache has it.
pub struct SignIn {
    pub start_url: String,
    /// The `[sso-session]` it shares, if any.
    pub session: Option<String>,
    /// When the cached token expires; `None`: not signed in.
    pub expires_at: Option<std::time::SystemTime>,
}

/// `envact status`: the environment active in this shell, if any.
pub fn status(cx: &Context) -> Status {
    match Enclosing::from_vars(|k| cx.var(k)) {
        Some(env) if env.is_live() => {
            let gives = env
                .runtime_dir
                .as_deref()
                .and_then(crate::summary::Summary::load)
                .map(Box::new);
            let settings = env
                .manifest
                .as_ref()
                .map(|manifest| crate::manifest::Project {
                    dir: env.dir.clone(),
                    manifest: manifest.clone(),
                    remote: None,
                })
                .and_then(|project| cx.settings_of(project).ok());
            let kept = settings
                .as_ref()
                .map(|settings| crate::credentials::kept(cx, settings))
                .unwrap_or_default();
            let sign_in = settings.as_ref().and_then(|s| sign_in(cx, s));
            let includes = settings
                .as_ref()
                .map(|s| s.parts.iter().map(|p| p.name.clone()).collect())
                .unwrap_or_default();
            let key_age = settings.as_ref().and_then(|s| key_age(cx, s));
            let overridden = settings.map(|s| s.origins.overridden).unwrap_or_default();
            Status::Active {
                env,
                gives,
                kept,
                sign_in,
                includes,
                overridden,
                key_age,
            }
        }
        Some(env) => Status::Ended(env),
        None => Status::None,
    }
}

/// The environment's item and how old its key is, when envact knows.
pub fn key_age(
    cx: &Context,
    settings: &crate::settings::Settings,
) -> Option<(String, crate::state::key_ages::Age)> {
    let (item, key) = aged_item(settings)?;
    let ages = crate::state::key_ages::KeyAges::of(&cx.dirs);
    let age = ages.age(&key, std::time::SystemTime::now())?;
    Some((item, age))
}

/// The environment's item, and what names its key in the key ages.
pub(super) fn aged_item(settings: &crate::settings::Settings) -> Option<(String, String)> {
    let secrets = settings.effective().secrets.as_ref()?;
    let item = secrets.item_to_read().filter(|i| !i.is_empty())?;
    let key = crate::state::key_ages::KeyAges::key(
        secrets.backend.name(),
        secrets.vault.as_deref(),
        item,
    );
    Some((item.to_string(), key))
}

/// The sign-in of `settings`' environment, read from the shared cache
/// without touching the network.
fn sign_in(cx: &Context, settings: &crate::settings::Settings) -> Option<SignIn> {
    let sso = crate::credentials::sign_in_of(cx, settings).ok()??;
    let cached = sso.config.cached(&sso.home);
    Some(SignIn {
        start_url: sso.config.start_url.clone(),
        session: sso.config.session.clone(),
        expires_at: cached.map(|t| t.expires_at),
    })
}
