//! Per-user locations and state, following XDG: configuration (answers,
//! registries, encrypted secrets files, locks) under `$XDG_CONFIG_HOME/envact`,
//! fetched templates and their pins under `$XDG_CACHE_HOME/envact`, trust
//! records under `$XDG_DATA_HOME/envact`, and the other directories envact
//! reads (home, the pass store). Tests point these variables at temp dirs.

pub mod answers;
mod identity;
pub mod key_ages;
pub mod registries;

pub use identity::{environment_id, path_id, remote_id};

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::secrets::StoreDirs;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    /// `$XDG_CONFIG_HOME/envact`, or `~/.config/envact`.
    pub config: PathBuf,
    /// `$XDG_CACHE_HOME/envact`, or `~/.cache/envact`: fetched templates.
    pub cache: PathBuf,
    /// `$XDG_DATA_HOME/envact`, or `~/.local/share/envact`: trust records.
    pub data: PathBuf,
    /// The user's home directory.
    pub home: PathBuf,
    /// The pass store: `PASSWORD_STORE_DIR`, or `~/.password-store`.
    pub pass_store: PathBuf,
    /// Where activations make their runtime directories (each a new 0700
    /// directory with a random name): `$XDG_RUNTIME_DIR`, or the temp dir.
    pub runtime: PathBuf,
    /// The AWS config and credentials files (`AWS_CONFIG_FILE`,
    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`), and `AWS_PROFILE`:
    /// whether a profile starts from a sign-in decides what is asked.
    pub aws_files: (PathBuf, PathBuf),
    pub aws_profile: Option<String>,
    /// Where direnv's background agents keep their directories, whose
    /// `bin/` is on PATH: `$XDG_RUNTIME_DIR/envact-direnv-UID` when that is
    /// the person's own private directory, else the cache. Never a
    /// predictable path in a directory another user may write (the temp
    /// dir): they could make it theirs while a shell still has it on PATH.
    pub background: PathBuf,
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
        let config = xdg("XDG_CONFIG_HOME", ".config");
        let cache = xdg("XDG_CACHE_HOME", ".cache");
        let data = xdg("XDG_DATA_HOME", ".local/share");
        let pass_store = var("PASSWORD_STORE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".password-store"));
        let xdg_runtime = var("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() && p.is_dir());
        let uid = nix::unistd::getuid().as_raw();
        let background = match xdg_runtime.as_deref().filter(|p| private_to(p, uid)) {
            Some(dir) => dir.join(format!("envact-direnv-{uid}")),
            None => cache.join("direnv"),
        };
        let aws_files = crate::aws::profile::AwsFiles::paths(&var, &home);
        let aws_profile = var("AWS_PROFILE")
            .and_then(|p| p.into_string().ok())
            .filter(|p| !p.is_empty());
        Dirs {
            aws_files,
            aws_profile,
            config,
            cache,
            data,
            home,
            pass_store,
            runtime: xdg_runtime.unwrap_or_else(std::env::temp_dir),
            background,
        }
    }

    /// Where the `file` backend keeps its encrypted files.
    pub fn secrets(&self) -> PathBuf {
        self.config.join("secrets")
    }

    /// Where the secrets stores keep things.
    pub fn stores(&self) -> StoreDirs {
        StoreDirs {
            owned: self.config.clone(),
            secrets: self.secrets(),
            pass: self.pass_store.clone(),
        }
    }

    /// The lock files that make envact processes take turns resolving one
    /// environment's credentials.
    pub fn locks(&self) -> PathBuf {
        self.config.join("locks")
    }
}

/// Whether `dir` is `uid`'s and no one else may write in it.
fn private_to(dir: &Path, uid: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(dir)
        .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o022 == 0)
}

/// The first 16 hex digits of a digest.
pub fn hex16(digest: &[u8]) -> String {
    hex(&digest[..digest.len().min(8)])
}

/// `bytes` in lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A per-user settings file that could not be read: the file (with
/// `:line:column` when a place in it is known) and why.
type Unreadable = (PathBuf, String);

/// The text of the settings file at `path`; `None` when there is none.
fn read_optional(path: &Path) -> Result<Option<String>, Unreadable> {
    match crate::private_fs::read_text(path, crate::private_fs::MAX_FILE) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err((path.to_path_buf(), e.to_string())),
    }
}

/// `text`, the file at `path`, as TOML; an error is located like a
/// manifest's: `path:line:column`.
fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T, Unreadable> {
    toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|span| crate::manifest::Location::from_offset(text, span.start));
        let place = match at {
            Some(at) => PathBuf::from(format!("{}:{}:{}", path.display(), at.line, at.column)),
            None => path.to_path_buf(),
        };
        (place, e.message().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_variables_win_and_relative_ones_are_ignored() {
        let d = Dirs::from_vars(|k| match k {
            "HOME" => Some("/home/a".into()),
            "XDG_CONFIG_HOME" => Some("/cfg".into()),
            _ => None,
        });
        assert_eq!(d.config, PathBuf::from("/cfg/envact"));
        assert_eq!(d.cache, PathBuf::from("/home/a/.cache/envact"));
        assert_eq!(d.data, PathBuf::from("/home/a/.local/share/envact"));
        assert_eq!(d.secrets(), PathBuf::from("/cfg/envact/secrets"));
        assert_eq!(d.pass_store, PathBuf::from("/home/a/.password-store"));
        let d = Dirs::from_vars(|k| match k {
            "HOME" => Some("/home/a".into()),
            "XDG_CONFIG_HOME" => Some("relative".into()),
            "PASSWORD_STORE_DIR" => Some("/p".into()),
            _ => None,
        });
        assert_eq!(d.config, PathBuf::from("/home/a/.config/envact"));
        assert_eq!(d.pass_store, PathBuf::from("/p"));
    }
}
