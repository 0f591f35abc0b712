//! When envact stored each long-term key (`envact add`, `envact rotate`),
//! and when it last warned that one is old: a small file of this person's
//! (`$XDG_DATA_HOME/envact/key-ages.toml`), keyed by backend, vault and
//! item. It holds no secret: times only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::Dirs;
use crate::aws::{parse_rfc3339, rfc3339};

/// One stored key's times.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyAge {
    /// When envact stored it (RFC 3339).
    pub stored: String,
    /// The day (YYYY-MM-DD) activation last warned that it is old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warned: Option<String>,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct File {
    #[serde(default)]
    keys: BTreeMap<String, KeyAge>,
}

/// The times of the keys this person stored with envact.
pub struct KeyAges {
    path: PathBuf,
    owned: PathBuf,
}

impl KeyAges {
    pub fn of(dirs: &Dirs) -> KeyAges {
        KeyAges {
            path: dirs.data.join("key-ages.toml"),
            owned: dirs.data.clone(),
        }
    }

    /// What names a key: its backend, vault (`-` for the default) and item.
    pub fn key(backend: &str, vault: Option<&str>, item: &str) -> String {
        format!("{backend}/{}/{item}", vault.unwrap_or("-"))
    }

    fn load(&self) -> File {
        crate::private_fs::read_text(&self.path, 1024 * 1024)
            .ok()
            .and_then(|text| toml::from_str(&text).ok())
            .unwrap_or_default()
    }

    fn save(&self, file: &File) -> std::io::Result<()> {
        let text = toml::to_string(file).map_err(std::io::Error::other)?;
        crate::private_fs::write_private(&self.path, &self.owned, text.as_bytes())
    }

    /// When the key `key` was stored, if envact stored it.
    pub fn stored(&self, key: &str) -> Option<SystemTime> {
        self.load()
            .keys
            .get(key)
            .and_then(|k| parse_rfc3339(&k.stored))
    }

    /// Notes that `key` was stored `at`.
    pub fn record(&self, key: &str, at: SystemTime) -> std::io::Result<()> {
        let mut file = self.load();
        file.keys.insert(
            key.to_string(),
            KeyAge {
                stored: rfc3339(at),
                warned: None,
            },
        );
        self.save(&file)
    }

    /// Whether to warn today that `key` is old: true once a day (noted).
    pub fn warn_today(&self, key: &str, now: SystemTime) -> bool {
        let today = rfc3339(now).get(..10).unwrap_or_default().to_string();
        let mut file = self.load();
        let Some(age) = file.keys.get_mut(key) else {
            return false;
        };
        if age.warned.as_deref() == Some(today.as_str()) {
            return false;
        }
        age.warned = Some(today);
        self.save(&file).is_ok()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `3 days`, `5 hours`: an age for a person.
pub fn shown(age: std::time::Duration) -> String {
    let hours = age.as_secs() / 3600;
    match hours {
        0..=1 => "less than 2 hours".to_string(),
        2..=47 => format!("{hours} hours"),
        _ => format!("{} days", hours / 24),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_stored_key_has_its_time_and_is_warned_about_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let ages = KeyAges {
            path: dir.path().join("key-ages.toml"),
            owned: dir.path().to_path_buf(),
        };
        let key = KeyAges::key("pass", Some("aws"), "dev");
        assert_eq!(key, "pass/aws/dev");
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert!(ages.stored(&key).is_none());
        assert!(!ages.warn_today(&key, at), "a key envact did not store");
        ages.record(&key, at).unwrap();
        assert_eq!(ages.stored(&key), Some(at));
        assert!(ages.warn_today(&key, at));
        assert!(!ages.warn_today(&key, at + Duration::from_secs(60)));
        assert!(ages.warn_today(&key, at + Duration::from_secs(86_400)));
        // Stored anew: the age starts again.
        ages.record(&key, at + Duration::from_secs(7)).unwrap();
        assert_eq!(ages.stored(&key), Some(at + Duration::from_secs(7)));
        assert_eq!(shown(Duration::from_secs(3600)), "less than 2 hours");
        assert_eq!(shown(Duration::from_secs(5 * 3600)), "5 hours");
        assert_eq!(shown(Duration::from_secs(100 * 86_400)), "100 days");
    }
}
