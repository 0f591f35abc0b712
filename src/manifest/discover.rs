//! Finding the manifest: from a directory upward, or in the directory given with `-d`.

use std::fmt;
use std::path::{Path, PathBuf};

pub const MANIFEST_DIR: &str = ".envact";
pub const MANIFEST_FILE: &str = "manifest.toml";

/// A directory with a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The project directory (`ENVACT_DIR`).
    pub dir: PathBuf,
    pub manifest: PathBuf,
    /// Where the manifest comes from when it is a registry's template.
    pub remote: Option<Remote>,
}

/// A template from a registry, as pinned: its manifest is the cached copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// `team/aws`.
    pub name: String,
    pub url: String,
    /// The template's directory in the registry.
    pub template: String,
    pub commit: String,
    /// What trust is given to: this exact content.
    pub content_hash: String,
}

impl Remote {
    /// What names the manifest in messages: `team/aws@1a2b3c4d5e6f/manifest.toml`.
    pub fn shown_manifest(&self) -> PathBuf {
        let short = self.commit.get(..12).unwrap_or(&self.commit);
        PathBuf::from(format!("{}@{short}/manifest.toml", self.name))
    }
}

#[derive(Debug)]
pub enum DiscoverError {
    /// Nothing found from `start` up to the root.
    NotFound { start: PathBuf },
    /// `-d DIR` names a directory without a manifest.
    NotInDir { dir: PathBuf },
    /// `-d DIR` does not exist or is not a directory.
    NoSuchDir { dir: PathBuf },
}

impl fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoverError::NotFound { start } => write!(
                f,
                "no {MANIFEST_DIR}/{MANIFEST_FILE} in {} or any parent directory",
                start.display()
            ),
            DiscoverError::NotInDir { dir } => write!(
                f,
                "{} has neither {MANIFEST_DIR}/{MANIFEST_FILE} nor {MANIFEST_FILE}",
                dir.display()
            ),
            DiscoverError::NoSuchDir { dir } => {
                write!(f, "{} is not a directory", dir.display())
            }
        }
    }
}

impl std::error::Error for DiscoverError {}

/// Looks for `.envact/manifest.toml` in `start` and each parent.
pub fn discover(start: &Path) -> Result<Project, DiscoverError> {
    start
        .ancestors()
        .find_map(|dir| {
            let manifest = dir.join(MANIFEST_DIR).join(MANIFEST_FILE);
            manifest.is_file().then(|| Project {
                dir: dir.to_path_buf(),
                manifest,
                remote: None,
            })
        })
        .ok_or_else(|| DiscoverError::NotFound {
            start: start.to_path_buf(),
        })
}

impl Project {
    /// The project in exactly `dir` (`-d DIR`). A template directory, which holds
    /// `manifest.toml` itself, is accepted too, so that examples run in place.
    pub fn in_dir(dir: &Path) -> Result<Project, DiscoverError> {
        if !dir.is_dir() {
            return Err(DiscoverError::NoSuchDir {
                dir: dir.to_path_buf(),
            });
        }
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        [
            dir.join(MANIFEST_DIR).join(MANIFEST_FILE),
            dir.join(MANIFEST_FILE),
        ]
        .into_iter()
        .find(|m| m.is_file())
        .map(|manifest| Project {
            dir: dir.clone(),
            manifest,
            remote: None,
        })
        .ok_or(DiscoverError::NotInDir { dir })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_manifest_upward() {
        let root = tempfile::tempdir().unwrap();
        let outer = root.path().join("outer");
        let inner = outer.join("a/b");
        std::fs::create_dir_all(outer.join(MANIFEST_DIR)).unwrap();
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(
            outer.join(MANIFEST_DIR).join(MANIFEST_FILE),
            "version = 1\n",
        )
        .unwrap();
        let found = discover(&inner).unwrap();
        assert_eq!(found.dir, outer);
        assert!(matches!(
            discover(root.path()),
            Err(DiscoverError::NotFound { .. })
        ));
    }

    #[test]
    fn in_dir_does_not_look_upward() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(MANIFEST_DIR)).unwrap();
        std::fs::write(root.path().join(MANIFEST_DIR).join(MANIFEST_FILE), "").unwrap();
        let sub = root.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        assert!(matches!(
            Project::in_dir(&sub),
            Err(DiscoverError::NotInDir { .. })
        ));
        assert!(matches!(
            Project::in_dir(&root.path().join("missing")),
            Err(DiscoverError::NoSuchDir { .. })
        ));
        assert_eq!(Project::in_dir(root.path()).unwrap().dir, root.path());
    }
}
