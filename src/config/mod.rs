//! Per-user locations, following XDG: configuration (answers, trust records,
//! encrypted secrets files) under `$XDG_CONFIG_HOME/envact`, the template cache
//! under `$XDG_CACHE_HOME/envact`. Tests point these variables at temp dirs.

pub mod answers;

use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    /// `$XDG_CONFIG_HOME/envact`, or `~/.config/envact`.
    pub config: PathBuf,
    /// `$XDG_CACHE_HOME/envact`, or `~/.cache/envact`.
    pub cache: PathBuf,
    /// The user's home directory.
    pub home: PathBuf,
}

impl Dirs {
    /// Reads the locations through `var` (the process environment in the CLI).
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Dirs {
        let home = var("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/"));
        let xdg = |name: &str, fallback: &str| {
            var(name)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(fallback))
                .join("envact")
        };
        Dirs {
            config: xdg("XDG_CONFIG_HOME", ".config"),
            cache: xdg("XDG_CACHE_HOME", ".cache"),
            home: home.clone(),
        }
    }

    /// Where the `file` backend keeps its encrypted files.
    pub fn secrets(&self) -> PathBuf {
        self.config.join("secrets")
    }
}

/// A stable, short id for the environment a manifest defines: its path, hashed.
/// Names per-user state (answers, cached sessions) without exposing the path.
pub fn environment_id(manifest: &std::path::Path) -> String {
    use sha2::Digest;
    let path = std::fs::canonicalize(manifest).unwrap_or_else(|_| manifest.to_path_buf());
    hex16(&sha2::Sha256::digest(path.as_os_str().as_encoded_bytes()))
}

/// The first 16 hex digits of a digest.
pub fn hex16(digest: &[u8]) -> String {
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_variables_win_and_relative_ones_are_ignored() {
        let d = Dirs::from_vars(|k| match k {
            "HOME" => Some("/home/a".into()),
            "XDG_CONFIG_HOME" => Some("/cfg".into()),
            "XDG_CACHE_HOME" => Some("relative".into()),
            _ => None,
        });
        assert_eq!(d.config, PathBuf::from("/cfg/envact"));
        assert_eq!(d.cache, PathBuf::from("/home/a/.cache/envact"));
        assert_eq!(d.secrets(), PathBuf::from("/cfg/envact/secrets"));
    }
}
