//! `envact status`: the environment active in this shell, what it gives,
//! and what the session cache keeps, until when.

use crate::context::Context;
use crate::shell::Enclosing;

/// What `envact status` finds.
pub enum Status {
    Active {
        env: Enclosing,
        /// What it gives (when it gives AWS credentials).
        gives: Option<crate::summary::Summary>,
        /// What the session cache holds, and until when.
        kept: Vec<(&'static str, std::time::SystemTime)>,
    },
    /// Variables left over from an activation that has ended.
    Ended(Enclosing),
    None,
}

/// `envact status`: the environment active in this shell, if any.
pub fn status(cx: &Context) -> Status {
    match Enclosing::from_vars(|k| cx.var(k)) {
        Some(env) if env.is_live() => {
            let gives = env
                .runtime_dir
                .as_deref()
                .and_then(crate::summary::Summary::load);
            let kept = env
                .manifest
                .as_ref()
                .map(|manifest| crate::manifest::Project {
                    dir: env.dir.clone(),
                    manifest: manifest.clone(),
                    remote: None,
                })
                .and_then(|project| crate::settings::Settings::load(project, &cx.dirs).ok())
                .map(|settings| crate::credentials::kept(cx, &settings))
                .unwrap_or_default();
            Status::Active { env, gives, kept }
        }
        Some(env) => Status::Ended(env),
        None => Status::None,
    }
}
