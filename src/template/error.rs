//! What can go wrong with a remote template, each with what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("`git` is not installed: remote templates are fetched with it")]
    GitMissing,

    #[error("git failed: {detail}")]
    Git { detail: String },

    #[error("no registry named {name:?} (registries: {})", list(known))]
    UnknownRegistry { name: String, known: Vec<String> },

    #[error("cannot fetch the registry {name:?} from {url}: {detail}")]
    Unreachable {
        name: String,
        url: String,
        detail: String,
    },

    #[error("the registry {name:?} has no branch, tag or commit {at:?}")]
    NoRef { name: String, at: String },

    #[error(
        "the registry {name:?} has no template {template:?} at {commit} (templates there: {})",
        list(available)
    )]
    NoTemplate {
        name: String,
        template: String,
        commit: String,
        available: Vec<String>,
    },

    #[error("the template {name} at {at} is refused, and nothing of it was written: {reason}")]
    Unsafe {
        name: String,
        at: String,
        reason: String,
    },

    #[error("the cached copy of {name} ({}) was changed and cannot be taken again from the registry: {detail}", path.display())]
    Corrupt {
        name: String,
        path: PathBuf,
        detail: String,
    },

    #[error("{name} moved since your pin ({pinned}; the registry is at {now}): pushing would undo what others pushed")]
    Moved {
        name: String,
        pinned: String,
        now: String,
    },

    #[error("cannot push to the registry {name:?}: {reason}")]
    NotPushable { name: String, reason: String },

    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

impl TemplateError {
    pub fn help(&self) -> &'static str {
        match self {
            TemplateError::GitMissing => "install git (apt install git)",
            TemplateError::Git { .. } => "run the git command by hand to see why it fails",
            TemplateError::UnknownRegistry { .. } => {
                "add it with `envact registry add NAME URL` (`envact registry list` shows yours)"
            }
            TemplateError::Unreachable { .. } => {
                "check the URL (`envact registry list`) and that git can fetch it (network, SSH key, credentials)"
            }
            TemplateError::NoRef { .. } => "name a branch, tag or commit the registry has",
            TemplateError::NoTemplate { .. } => "name one of the templates listed",
            TemplateError::Unsafe { .. } => {
                "a template holds regular files only, each path inside its directory, within the bounds envact sets (README: Security); tell whoever keeps the registry"
            }
            TemplateError::Corrupt { .. } => {
                "fetch it again when the registry is reachable: `envact pull -r REGISTRY/TEMPLATE`"
            }
            TemplateError::Write { .. } => "check that $XDG_CACHE_HOME/envact is writable",
            TemplateError::Moved { .. } => "bring your manifest up to date first: `envact pull -r REGISTRY/TEMPLATE` shows what changed; fold it into yours, then push again",
            TemplateError::NotPushable { .. } => "check that you may push to the registry (and that git knows your name and email: git config --global user.name / user.email)",
        }
    }

    /// 1 for what the person named wrong; 3 for the registry or git failing.
    pub fn exit_code(&self) -> u8 {
        match self {
            TemplateError::UnknownRegistry { .. }
            | TemplateError::NoRef { .. }
            | TemplateError::NoTemplate { .. }
            | TemplateError::Moved { .. } => 1,
            _ => 3,
        }
    }
}
