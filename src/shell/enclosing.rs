//! The activation a process runs inside (its enclosing activation), as the
//! `ENVACT_*` variables an activation, or direnv's `use envact`, gives every
//! program describe it; and whether it is still running.

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

/// The activation this process runs inside, as its environment describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosing {
    pub name: String,
    pub dir: PathBuf,
    pub manifest: Option<PathBuf>,
    pub runtime_dir: Option<PathBuf>,
}

impl Enclosing {
    /// Reads `ENVACT_*` through `var` (the process environment in the CLI).
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Option<Enclosing> {
        let name = var(ENV_NAME)?.into_string().ok()?;
        Some(Enclosing {
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
