//! Short-lived AWS credentials with their expiry. Values are zeroized on drop
//! and never shown by Debug.

use secrecy::{ExposeSecret, SecretString};
use std::time::{Duration, SystemTime};

#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: SecretString,
    pub secret_access_key: SecretString,
    pub session_token: Option<SecretString>,
    /// `None` only for long-term keys, which envact never hands to a command.
    pub expiration: Option<SystemTime>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("values", &"[REDACTED]")
            .field("expiration", &self.expiration.map(rfc3339))
            .finish()
    }
}

impl Credentials {
    /// Whether more than `margin` is left before expiry at `now`.
    pub fn fresh_at(&self, now: SystemTime, margin: Duration) -> bool {
        self.expiration
            .is_some_and(|exp| exp.duration_since(now).is_ok_and(|left| left > margin))
    }

    /// The serialised form kept in the cache: JSON, as the values themselves
    /// are only ever exposed into a zeroizing buffer.
    pub fn to_cache_json(&self) -> secrecy::zeroize::Zeroizing<String> {
        let value = serde_json::json!({
            "AccessKeyId": self.access_key_id.expose_secret(),
            "SecretAccessKey": self.secret_access_key.expose_secret(),
            "SessionToken": self.session_token.as_ref().map(|t| t.expose_secret()),
            "Expiration": self.expiration.map(rfc3339),
        });
        secrecy::zeroize::Zeroizing::new(value.to_string())
    }

    pub fn from_cache_json(text: &str) -> Option<Credentials> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Cached {
            access_key_id: SecretString,
            secret_access_key: SecretString,
            session_token: Option<SecretString>,
            expiration: Option<String>,
        }
        let c: Cached = serde_json::from_str(text).ok()?;
        Some(Credentials {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: c.session_token,
            expiration: Some(parse_rfc3339(c.expiration.as_deref()?)?),
        })
    }
}

/// `2026-11-25T21:00:00Z`, the form AWS tools expect.
pub fn rfc3339(t: SystemTime) -> String {
    let dt = time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::from(t));
    dt.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(expiration: SystemTime) -> Credentials {
        Credentials {
            access_key_id: SecretString::from("ASIAEXAMPLE"),
            secret_access_key: SecretString::from("secret"),
            session_token: Some(SecretString::from("token")),
            expiration: Some(expiration),
        }
    }

    #[test]
    fn freshness_respects_the_margin() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let c = creds(now + Duration::from_secs(600));
        assert!(c.fresh_at(now, Duration::from_secs(300)));
        assert!(!c.fresh_at(now, Duration::from_secs(600)));
        assert!(!c.fresh_at(now + Duration::from_secs(700), Duration::ZERO));
    }

    #[test]
    fn cache_json_round_trips_and_debug_is_redacted() {
        let exp = parse_rfc3339("2026-11-25T21:00:00Z").unwrap();
        let c = creds(exp);
        let back = Credentials::from_cache_json(&c.to_cache_json()).unwrap();
        assert_eq!(back.expiration, Some(exp));
        assert_eq!(back.secret_access_key.expose_secret(), "secret");
        assert_eq!(rfc3339(exp), "2026-11-25T21:00:00Z");
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret") || shown.contains("[REDACTED]"));
        assert!(!shown.contains("token\""), "{shown}");
    }
}
