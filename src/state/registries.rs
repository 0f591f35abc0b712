//! Each person's template registries: `$XDG_CONFIG_HOME/envact/registries.toml`,
//! a name for each git repository (or plain directory) that holds a team's
//! templates, and the branch to follow in it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::private_fs::write_private;

/// One registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// Anything `git` can fetch from (https, ssh, a path), or a plain directory.
    pub url: String,
    /// The branch (or tag) followed when a template names none.
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// The registries, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Registries(pub BTreeMap<String, Registry>);

#[derive(Debug, thiserror::Error)]
pub enum RegistriesError {
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Registries {
    pub fn path(config: &Path) -> PathBuf {
        config.join("registries.toml")
    }

    /// The registries in `config`, none when the file does not exist.
    pub fn load(config: &Path) -> Result<Registries, RegistriesError> {
        let path = Registries::path(config);
        let unreadable = |(path, reason)| RegistriesError::Read { path, reason };
        match super::read_optional(&path).map_err(unreadable)? {
            Some(text) => super::parse_toml(&text, &path).map_err(unreadable),
            None => Ok(Registries::default()),
        }
    }

    /// Writes them (0600 in envact's own 0700 directory), atomically.
    pub fn save(&self, config: &Path) -> Result<(), RegistriesError> {
        let path = Registries::path(config);
        let err = |source| RegistriesError::Write {
            path: path.clone(),
            source,
        };
        let text = toml::to_string(self).map_err(|e| err(std::io::Error::other(e)))?;
        write_private(&path, config, text.as_bytes()).map_err(err)
    }
}

/// A registry's name: what `-r NAME/TEMPLATE` starts with.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    let ok = !name.is_empty()
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err("a registry's name is letters, digits, `-`, `_` and `.`, not starting with `.` or `-`")
    }
}

/// A registry URL must not carry a password: it would be kept in plain
/// text and passed on git's command line, where `ps` shows it.
pub fn check_url(url: &str) -> Result<(), &'static str> {
    let authority = url
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest));
    let userinfo = authority.and_then(|a| a.rsplit_once('@')).map(|(u, _)| u);
    if userinfo.is_some_and(|u| u.contains(':')) {
        return Err("it holds a password, which would be kept in plain text and shown on git's command line: \
            give the URL without it, and let a git credential helper keep it (git config --global credential.helper)");
    }
    let web = url.starts_with("https://") || url.starts_with("http://");
    if web && userinfo.is_some_and(looks_like_a_token) {
        return Err("its user name looks like an access token, which would be kept in plain text and shown on git's command line: \
            give the URL without it, and let a git credential helper keep the token (git config --global credential.helper)");
    }
    if url.starts_with('-') {
        return Err("a URL does not start with `-`");
    }
    Ok(())
}

/// A user name that is really a token: a known token prefix, or long
/// and mixing letters and digits as no one's name does.
fn looks_like_a_token(user: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "x-token-auth",
    ];
    let mixed =
        user.chars().any(|c| c.is_ascii_digit()) && user.chars().any(|c| c.is_ascii_alphabetic());
    PREFIXES.iter().any(|p| user.starts_with(p)) || (user.len() >= 20 && mixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_url_with_a_password_is_refused() {
        assert!(check_url("https://me:hunter2@git.example.com/envs.git").is_err());
        assert!(check_url("--upload-pack=touch x").is_err());
        for token in [
            "https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/acme/envs.git",
            "https://glpat-abcdefgh@gitlab.example.com/envs.git",
            "https://3f8a9c0d1e2b4a5968778695a4b3c2d1e0f9a8b7@git.example.com/envs.git",
        ] {
            assert!(
                check_url(token)
                    .unwrap_err()
                    .contains("looks like an access token"),
                "{token}"
            );
        }
        for ok in [
            "https://git.example.com/envs.git",
            "https://me@git.example.com/envs.git",
            "https://firstname.lastname@git.example.com/envs.git",
            "ssh://git@git.example.com:2222/envs.git",
            "git@git.example.com:platform/envs.git",
            "/srv/git/envs.git",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn registries_round_trip_0600() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("envact");
        assert_eq!(Registries::load(&config).unwrap(), Registries::default());
        let mut r = Registries::default();
        r.0.insert(
            "team".into(),
            Registry {
                url: "git@example.com:team/envs.git".into(),
                branch: Some("main".into()),
            },
        );
        r.save(&config).unwrap();
        assert_eq!(Registries::load(&config).unwrap(), r);
        let text = std::fs::read_to_string(Registries::path(&config)).unwrap();
        assert_eq!(
            text,
            "[team]\nurl = \"git@example.com:team/envs.git\"\nref = \"main\"\n"
        );
        let mode = std::fs::metadata(Registries::path(&config))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(check_name("team-aws").is_ok());
        assert!(check_name("a/b").is_err() && check_name(".x").is_err());
    }
}
