//! The activation this process runs in, as its environment describes it
//! (`ENVACT_*`), and whether that activation is still running.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Variables that envact sets in the activated shell.
pub const ENV_NAME: &str = "ENVACT_ENV";
pub const ENV_DIR: &str = "ENVACT_DIR";
pub const ENV_MANIFEST: &str = "ENVACT_MANIFEST";
pub const ENV_RUNTIME_DIR: &str = "ENVACT_RUNTIME_DIR";
/// `team/aws@COMMIT` when the environment is a registry's template.
pub const ENV_REMOTE: &str = "ENVACT_REMOTE";
/// Set by direnv's `use envact`: `.` for the project in `ENVACT_DIR`, else
/// the template (`team/aws`) as `use envact -r` named it.
pub const ENV_DIRENV: &str = "ENVACT_DIRENV";

/// The `ENVACT_*` variables of the environment `name` of `project`, whose
/// runtime directory is `runtime_dir`: what every program an activation
/// starts gets, and what direnv's `use envact` exports.
pub fn envact_variables(
    name: &str,
    project: &crate::manifest::Project,
    runtime_dir: &Path,
) -> Vec<(&'static str, OsString)> {
    let mut vars = vec![
        (ENV_NAME, name.into()),
        (ENV_DIR, project.dir.clone().into()),
        (ENV_MANIFEST, project.manifest.clone().into()),
        (ENV_RUNTIME_DIR, runtime_dir.into()),
    ];
    if let Some(remote) = &project.remote {
        let short = remote.commit.get(..12).unwrap_or(&remote.commit);
        vars.push((ENV_REMOTE, format!("{}@{short}", remote.name).into()));
    }
    vars
}

/// The activation this process runs in, as its environment describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveEnv {
    pub name: String,
    pub dir: PathBuf,
    pub manifest: Option<PathBuf>,
    pub runtime_dir: Option<PathBuf>,
}

impl ActiveEnv {
    /// Reads `ENVACT_*` through `var` (the process environment in the CLI).
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Option<ActiveEnv> {
        let name = var(ENV_NAME)?.into_string().ok()?;
        Some(ActiveEnv {
            name,
            dir: var(ENV_DIR).map(PathBuf::from).unwrap_or_default(),
            manifest: var(ENV_MANIFEST).map(PathBuf::from),
            runtime_dir: var(ENV_RUNTIME_DIR).map(PathBuf::from),
        })
    }

    /// False when the variables were inherited by something that outlived the
    /// activation, whose runtime directory is gone.
    pub fn is_live(&self) -> bool {
        self.runtime_dir.as_deref().is_some_and(Path::is_dir)
    }
}

/// What `envact status` finds.
pub enum Status {
    Active {
        env: ActiveEnv,
        /// What it gives (when it gives AWS credentials).
        gives: Option<crate::active::Active>,
        /// What the session cache holds, and until when.
        kept: Vec<(&'static str, std::time::SystemTime)>,
    },
    /// Variables left over from an activation that has ended.
    Ended(ActiveEnv),
    None,
}

/// `envact status`: the environment active in this shell, if any.
pub fn status(cx: &crate::context::Context) -> Status {
    match ActiveEnv::from_vars(|k| cx.var(k)) {
        Some(env) if env.is_live() => {
            let gives = env
                .runtime_dir
                .as_deref()
                .and_then(crate::active::Active::load);
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
