//! How old each long-term key is: when IAM says it was created (learned by
//! `envact rotate`, and once a day when activation reads the key), else
//! when envact stored it (`envact add`, `envact rotate`); and when
//! activation last warned that one is old. A small file of this person's
//! (`$XDG_DATA_HOME/envact/key-ages.toml`), keyed by backend, vault and
//! item. It holds no secret: times, and the last four characters of the
//! key id IAM's time is for.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::Dirs;
use crate::aws::{parse_rfc3339, rfc3339};

/// One stored key's times (RFC 3339; days as YYYY-MM-DD).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyAge {
    /// When envact stored it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored: Option<String>,
    /// When IAM says it was created, and the key that was (its id's last
    /// four characters): a key changed outside envact is not given the
    /// old one's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_tail: Option<String>,
    /// The day IAM was last asked (answered or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<String>,
    /// The day activation last warned that it is old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warned: Option<String>,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct File {
    #[serde(default)]
    keys: BTreeMap<String, KeyAge>,
}

/// Where a key's age comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// IAM's creation date.
    Created,
    /// When envact stored it (IAM did not say).
    Stored,
}

/// A key's age, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Age {
    pub age: Duration,
    pub since: Since,
}

/// `created 3 days ago`, `stored 5 hours ago`.
impl std::fmt::Display for Age {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = match self.since {
            Since::Created => "created",
            Since::Stored => "stored",
        };
        write!(f, "{verb} {} ago", shown(self.age))
    }
}

fn day(at: SystemTime) -> String {
    rfc3339(at).get(..10).unwrap_or_default().to_string()
}

/// The times of this person's keys.
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

    fn change(&self, key: &str, how: impl FnOnce(&mut KeyAge)) -> std::io::Result<()> {
        let mut file = self.load();
        how(file.keys.entry(key.to_string()).or_default());
        self.save(&file)
    }

    /// How old `key` is at `now`: IAM's creation date when known, else
    /// when envact stored it; none when neither is known.
    pub fn age(&self, key: &str, now: SystemTime) -> Option<Age> {
        let file = self.load();
        let times = file.keys.get(key)?;
        let (at, since) = match (&times.created, &times.stored) {
            (Some(created), _) => (created, Since::Created),
            (None, Some(stored)) => (stored, Since::Stored),
            (None, None) => return None,
        };
        let age = now.duration_since(parse_rfc3339(at)?).unwrap_or_default();
        Some(Age { age, since })
    }

    /// Notes that a new key was stored for `key` `at`; `created`: when IAM
    /// made it and its id's tail, when known.
    pub fn record(
        &self,
        key: &str,
        at: SystemTime,
        created: Option<(SystemTime, &str)>,
    ) -> std::io::Result<()> {
        self.change(key, |times| {
            *times = KeyAge {
                stored: Some(rfc3339(at)),
                created: created.map(|(c, _)| rfc3339(c)),
                id_tail: created.map(|(_, tail)| tail.to_string()),
                asked: created.map(|_| day(at)),
                warned: None,
            }
        })
    }

    /// Whether IAM is to be asked about `key` today: once a day.
    pub fn ask_today(&self, key: &str, now: SystemTime) -> bool {
        let file = self.load();
        let asked = file.keys.get(key).and_then(|t| t.asked.as_deref());
        asked != Some(day(now).as_str())
    }

    /// Notes IAM's answer about the key `id_tail` of `key`: its creation
    /// time, or none (refused, unreachable, not listed), which forgets a
    /// time learned for another key.
    pub fn learned(
        &self,
        key: &str,
        id_tail: &str,
        created: Option<SystemTime>,
        now: SystemTime,
    ) -> std::io::Result<()> {
        self.change(key, |times| {
            times.asked = Some(day(now));
            match created {
                Some(created) => {
                    times.created = Some(rfc3339(created));
                    times.id_tail = Some(id_tail.to_string());
                }
                None if times.id_tail.as_deref() != Some(id_tail) => {
                    times.created = None;
                    times.id_tail = None;
                }
                None => {}
            }
        })
    }

    /// Whether to warn today that `key` is old: true once a day (noted).
    pub fn warn_today(&self, key: &str, now: SystemTime) -> bool {
        let today = day(now);
        let mut file = self.load();
        let Some(times) = file.keys.get_mut(key) else {
            return false;
        };
        if times.warned.as_deref() == Some(today.as_str()) {
            return false;
        }
        times.warned = Some(today);
        self.save(&file).is_ok()
    }
}

/// `3 days`, `5 hours`: an age for a person.
pub fn shown(age: Duration) -> String {
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
    use std::path::Path;

    const DAY: Duration = Duration::from_secs(86_400);

    fn ages(dir: &Path) -> KeyAges {
        KeyAges {
            path: dir.join("key-ages.toml"),
            owned: dir.to_path_buf(),
        }
    }

    #[test]
    fn a_stored_key_has_its_time_and_is_warned_about_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let ages = ages(dir.path());
        let key = KeyAges::key("pass", Some("aws"), "dev");
        assert_eq!(key, "pass/aws/dev");
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert!(ages.age(&key, at).is_none());
        assert!(!ages.warn_today(&key, at), "a key envact did not store");
        ages.record(&key, at, None).unwrap();
        let stored = |age| {
            Some(Age {
                age,
                since: Since::Stored,
            })
        };
        assert_eq!(ages.age(&key, at + 3 * DAY), stored(3 * DAY));
        assert!(ages.warn_today(&key, at));
        assert!(!ages.warn_today(&key, at + Duration::from_secs(60)));
        assert!(ages.warn_today(&key, at + DAY));
        // Stored anew: the age starts again.
        ages.record(&key, at + Duration::from_secs(7), None)
            .unwrap();
        assert_eq!(
            ages.age(&key, at + Duration::from_secs(7)),
            stored(Duration::ZERO)
        );
        assert_eq!(shown(Duration::from_secs(3600)), "less than 2 hours");
        assert_eq!(shown(Duration::from_secs(5 * 3600)), "5 hours");
        assert_eq!(shown(Duration::from_secs(100 * 86_400)), "100 days");
        assert_eq!(stored(3 * DAY).unwrap().to_string(), "stored 3 days ago");
    }

    #[test]
    fn iam_is_asked_once_a_day_and_its_creation_date_is_the_age_of_that_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let ages = ages(dir.path());
        let key = KeyAges::key("file", None, "dev");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        // A key envact never stored: IAM alone can say.
        assert!(ages.ask_today(&key, now));
        ages.learned(&key, "WXYZ", Some(now - 200 * DAY), now)
            .unwrap();
        assert!(!ages.ask_today(&key, now + Duration::from_secs(60)));
        assert!(ages.ask_today(&key, now + DAY));
        let created = Age {
            age: 200 * DAY,
            since: Since::Created,
        };
        assert_eq!(ages.age(&key, now), Some(created));
        assert_eq!(created.to_string(), "created 200 days ago");
        // Refused the next day, same key: its known date stands.
        ages.learned(&key, "WXYZ", None, now + DAY).unwrap();
        assert_eq!(ages.age(&key, now).map(|a| a.since), Some(Since::Created));
        // Another key in the item: the old key's date is not its age.
        ages.learned(&key, "ABCD", None, now + 2 * DAY).unwrap();
        assert_eq!(ages.age(&key, now), None);
        // A rotation knows both times, and asked today.
        ages.record(&key, now, Some((now - DAY, "NEW1"))).unwrap();
        assert_eq!(ages.age(&key, now).map(|a| a.age), Some(DAY));
        assert!(!ages.ask_today(&key, now));
    }

    #[test]
    fn many_keys_keep_their_times() {
        let dir = tempfile::tempdir().unwrap();
        let ages = ages(dir.path());
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let key = |i: usize| KeyAges::key("keyring", Some("envact-work"), &format!("account-{i}"));
        // Some kilobytes of them.
        for i in 0..40 {
            ages.record(&key(i), now - DAY, Some((now - 2 * DAY, "TAIL")))
                .unwrap();
        }
        for i in [0, 39] {
            assert_eq!(ages.age(&key(i), now).map(|a| a.age), Some(2 * DAY), "{i}");
        }
    }
}
