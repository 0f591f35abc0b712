//! What an activation gives, as the person is told: said once it starts,
//! kept (nothing secret) in its runtime directory for `envact status`, and
//! brought up to date by the agent when it refreshes the credentials.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The file in the runtime directory.
pub const FILE: &str = "active.json";

/// What an activation gives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// The environment's name.
    pub name: String,
    /// Whose credentials: `role admin (account 123456789012)`, `profile dev`.
    pub credentials: String,
    /// When they expire (RFC 3339); refreshed ones are newer.
    pub expires: Option<String>,
    /// How they reach commands: `per-command for aws, terraform`, `shell`, `server`.
    pub inject: String,
    /// The profiles of `[aws.profiles]`, by name; `credentials` and
    /// `expires` above are the default one's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<ProfileSummary>,
}

/// What one profile gives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProfileSummary {
    pub name: String,
    /// `role prod (account 333333333333)`.
    pub credentials: String,
    /// When its credentials expire; none until something asked for them.
    pub expires: Option<String>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is active: {}", self.name, self.credentials)?;
        if let Some(until) = &self.expires {
            // 2026-11-27T17:05:00Z -> 17:05 UTC
            let time = until.get(11..16).unwrap_or(until);
            write!(f, " until {time} UTC")?;
        }
        write!(f, "; {}", self.inject)
    }
}

impl Summary {
    /// Keeps when the credentials of `profile` (`None`: the default) now expire.
    pub fn refreshed(&mut self, profile: Option<&str>, expires: Option<String>) {
        match profile {
            None => self.expires = expires,
            Some(name) => {
                if let Some(p) = self.profiles.iter_mut().find(|p| p.name == name) {
                    p.expires = expires;
                }
            }
        }
    }

    pub fn path(runtime_dir: &Path) -> PathBuf {
        runtime_dir.join(FILE)
    }

    /// Writes it into the runtime directory (0600), replacing what was there.
    pub fn save(&self, runtime_dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string(self).map_err(std::io::Error::other)?;
        let tmp = runtime_dir.join(format!("{FILE}.new"));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(text.as_bytes())?;
        std::fs::rename(tmp, Summary::path(runtime_dir))
    }

    pub fn load(runtime_dir: &Path) -> Option<Summary> {
        let text = crate::private_fs::read_text(&Summary::path(runtime_dir), 64 * 1024).ok()?;
        serde_json::from_str(&text).ok()
    }
}
