//! The IAM Identity Center token cache the AWS tools share:
//! `~/.aws/sso/cache/<sha1 of the sso-session name, or of the start URL for
//! the legacy form>.json`, with the fields and times the AWS CLI and
//! botocore write (`startUrl`, `region`, `accessToken`, `expiresAt`, and for
//! refreshing: `refreshToken`, `clientId`, `clientSecret`,
//! `registrationExpiresAt`). A token one of them wrote is read here; one
//! written here is read by them. Written 0600 and atomically; a file that
//! cannot be read as a token is treated as absent (a new sign-in replaces it).

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha1::Digest;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A token file is a few hundred bytes.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// A sign-in, as cached.
#[derive(Debug, Clone)]
pub struct Token {
    pub start_url: String,
    pub region: String,
    pub access_token: SecretString,
    pub expires_at: SystemTime,
    pub refresh_token: Option<SecretString>,
    /// The OIDC client the token was issued to, which a refresh needs.
    pub client: Option<Client>,
    /// Fields another tool wrote that envact does not use, kept as they were.
    other: BTreeMap<String, serde_json::Value>,
}

/// An OIDC client registration.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: SecretString,
    pub expires_at: SystemTime,
}

/// The file as the AWS tools write it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct File {
    start_url: String,
    region: String,
    access_token: String,
    expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    registration_expires_at: Option<String>,
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

impl Token {
    pub fn new(
        start_url: &str,
        region: &str,
        access_token: SecretString,
        expires_at: SystemTime,
        refresh_token: Option<SecretString>,
        client: Option<Client>,
    ) -> Token {
        Token {
            start_url: start_url.to_string(),
            region: region.to_string(),
            access_token,
            expires_at,
            refresh_token,
            client,
            other: BTreeMap::new(),
        }
    }

    /// Usable at `now` with `margin` to spare.
    pub fn fresh_at(&self, now: SystemTime, margin: Duration) -> bool {
        self.expires_at > now + margin
    }

    /// A refresh can be tried at `now`: a refresh token and a client whose
    /// registration has not expired.
    pub fn refreshable_at(&self, now: SystemTime) -> bool {
        self.refresh_token.is_some() && self.client.as_ref().is_some_and(|c| c.expires_at > now)
    }

    /// The same sign-in with a new access (and maybe refresh) token; what
    /// else the file held stays.
    pub fn renewed(
        &self,
        access_token: SecretString,
        expires_at: SystemTime,
        refresh_token: Option<SecretString>,
    ) -> Token {
        Token {
            access_token,
            expires_at,
            refresh_token: refresh_token.or_else(|| self.refresh_token.clone()),
            ..self.clone()
        }
    }
}

/// The cache file for `key`: the sso-session's name, or the start URL.
pub fn cache_file(home: &Path, key: &str) -> PathBuf {
    let digest = sha1::Sha1::digest(key.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    home.join(".aws/sso/cache").join(format!("{hex}.json"))
}

/// The token in `path`; `None` when there is none, or the file is not a
/// token (a new sign-in replaces it).
pub fn read(path: &Path) -> Option<Token> {
    let text = crate::private_fs::read_text(path, MAX_TOKEN_FILE).ok()?;
    let file: File = serde_json::from_str(&text).ok()?;
    let client = match (
        file.client_id,
        file.client_secret,
        file.registration_expires_at.as_deref().and_then(parse_time),
    ) {
        (Some(id), Some(secret), Some(expires_at)) => Some(Client {
            id,
            secret: SecretString::from(secret),
            expires_at,
        }),
        _ => None,
    };
    Some(Token {
        start_url: file.start_url,
        region: file.region,
        access_token: SecretString::from(file.access_token),
        expires_at: parse_time(&file.expires_at)?,
        refresh_token: file.refresh_token.map(SecretString::from),
        client,
        other: file.other,
    })
}

/// Replaces the token in `path`, 0600, atomically.
pub fn write(path: &Path, token: &Token) -> std::io::Result<()> {
    let file = File {
        start_url: token.start_url.clone(),
        region: token.region.clone(),
        access_token: token.access_token.expose_secret().to_string(),
        expires_at: format_time(token.expires_at),
        refresh_token: token
            .refresh_token
            .as_ref()
            .map(|t| t.expose_secret().to_string()),
        client_id: token.client.as_ref().map(|c| c.id.clone()),
        client_secret: token
            .client
            .as_ref()
            .map(|c| c.secret.expose_secret().to_string()),
        registration_expires_at: token.client.as_ref().map(|c| format_time(c.expires_at)),
        other: token.other.clone(),
    };
    let text = secrecy::zeroize::Zeroizing::new(serde_json::to_vec(&file)?);
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::private_fs::write_private(path, dir, &text)
}

/// Removes the token in `path`; false when there was none.
pub fn remove(path: &Path) -> std::io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The AWS CLI writes `2026-12-01T15:00:00Z`; botocore writes Python's
/// `isoformat()`, `2026-12-01T15:00:00.123456+00:00`: both are RFC 3339.
fn parse_time(text: &str) -> Option<SystemTime> {
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(SystemTime::from(at))
}

fn format_time(at: SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn the_cache_file_is_named_by_the_sha1_of_the_session_or_the_start_url() {
        // As the AWS CLI names them (sha1sum of the name).
        let home = Path::new("/h");
        assert_eq!(
            cache_file(home, "my-sso"),
            Path::new("/h/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json")
        );
        assert_eq!(
            cache_file(home, "https://d-abc123.awsapps.com/start"),
            Path::new("/h/.aws/sso/cache/40a89917e3175433e361b710a9d43528d7f1890a.json")
        );
    }

    #[test]
    fn both_time_formats_are_read_and_the_aws_clis_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sso/cache/t.json");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // As botocore writes it after a refresh, with a field envact does not use.
        std::fs::write(
            &path,
            r#"{"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1",
                "accessToken": "a", "expiresAt": "2033-05-18T03:33:20.123456+00:00",
                "clientId": "c", "clientSecret": "s",
                "registrationExpiresAt": "2033-05-18T03:33:20Z", "refreshToken": "r",
                "scopes": ["sso:account:access"]}"#,
        )
        .unwrap();
        let token = read(&path).unwrap();
        assert_eq!(
            token.expires_at,
            at(2_000_000_000) + Duration::from_micros(123_456)
        );
        assert!(token.refreshable_at(at(1_999_999_999)));
        assert!(!token.refreshable_at(at(2_000_000_000)));
        assert!(token.fresh_at(at(1_999_999_000), Duration::from_secs(60)));
        assert!(!token.fresh_at(at(1_999_999_990), Duration::from_secs(60)));

        let renewed = token.renewed(SecretString::from("b"), at(2_000_003_600), None);
        write(&path, &renewed).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["accessToken"], "b");
        assert_eq!(json["expiresAt"], "2033-05-18T04:33:20Z");
        assert_eq!(json["refreshToken"], "r", "the refresh token was dropped");
        assert_eq!(json["clientSecret"], "s");
        assert_eq!(
            json["scopes"][0], "sso:account:access",
            "another tool's field was lost"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn fresh_means_more_than_the_margin_left_and_a_large_file_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        let token = Token::new(
            "https://corp.awsapps.com/start",
            "eu-west-1",
            SecretString::from("a"),
            at(2_000),
            None,
            None,
        );
        assert!(token.fresh_at(at(1_000), Duration::from_secs(999)));
        assert!(!token.fresh_at(at(1_000), Duration::from_secs(1_000)));
        // Another tool's fields make a file of some KiB: still a token.
        let mut big = token.clone();
        big.other
            .insert("note".into(), serde_json::Value::String("x".repeat(8_000)));
        write(&path, &big).unwrap();
        assert!(read(&path).is_some());
        // A refresh that gives a new refresh token keeps the new one.
        let with_refresh = Token {
            refresh_token: Some(SecretString::from("r1")),
            ..token
        };
        let renewed = with_refresh.renewed(
            SecretString::from("b"),
            at(3_000),
            Some(SecretString::from("r2")),
        );
        assert_eq!(renewed.refresh_token.unwrap().expose_secret(), "r2");
        let kept = with_refresh.renewed(SecretString::from("b"), at(3_000), None);
        assert_eq!(kept.refresh_token.unwrap().expose_secret(), "r1");
    }

    #[test]
    fn removing_says_whether_there_was_a_token_and_fails_loudly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        assert!(!remove(&path).unwrap());
        std::fs::write(&path, "{}").unwrap();
        assert!(remove(&path).unwrap());
        assert!(!path.exists());
        // What cannot be removed is an error: nobody is told "signed out".
        std::fs::create_dir(&path).unwrap();
        assert!(remove(&path).is_err());
    }

    #[test]
    fn a_file_that_is_not_a_token_is_no_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        for text in [
            "",
            "not json",
            "{}",
            r#"{"startUrl": "u", "region": "r", "accessToken": "a", "expiresAt": "tomorrow"}"#,
            &"x".repeat(100_000),
        ] {
            std::fs::write(&path, text).unwrap();
            assert!(read(&path).is_none(), "{text:.40}");
        }
        assert!(read(&dir.path().join("missing.json")).is_none());
        // Without all of the client's fields, no refresh is tried.
        std::fs::write(
            &path,
            r#"{"startUrl": "u", "region": "r", "accessToken": "a",
                "expiresAt": "2033-05-18T03:33:20Z", "refreshToken": "r", "clientId": "c"}"#,
        )
        .unwrap();
        let token = read(&path).unwrap();
        assert!(!token.refreshable_at(at(0)));
    }
}
