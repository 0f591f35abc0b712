//! The long-term access key a secrets backend holds: its two halves, never
//! shown, and the shapes AWS gives them, so that a paste of the wrong value is
//! caught before it is stored.

use secrecy::{ExposeSecret, SecretString};

/// The two halves of an AWS long-term access key.
pub struct LongTermKeys {
    pub access_key_id: SecretString,
    pub secret_access_key: SecretString,
}

impl LongTermKeys {
    /// The last four characters of the key's id: enough to tell keys apart
    /// in a message or a record, never the id itself.
    pub fn id_tail(&self) -> String {
        let id = self.access_key_id.expose_secret();
        id.get(id.len().saturating_sub(4)..)
            .unwrap_or("")
            .to_string()
    }

    /// The key as credentials a client signs with.
    pub fn as_credentials(&self) -> super::Credentials {
        super::Credentials {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: None,
            expiration: None,
        }
    }
}

impl std::fmt::Debug for LongTermKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LongTermKeys([REDACTED])")
    }
}

/// Checks the shape of an access key id.
pub fn check_access_key_id(id: &str) -> Result<(), String> {
    let well_formed = id.len() == 20
        && id.starts_with("AKIA")
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if well_formed {
        Ok(())
    } else if id.starts_with("ASIA") {
        Err("this is a temporary (STS) key id, starting ASIA: store the long-term key, starting AKIA".into())
    } else {
        Err("an AWS access key id is 20 characters, starting AKIA, in capitals and digits".into())
    }
}

/// Checks the shape of a secret access key: 40 characters of base64.
pub fn check_secret_access_key(secret: &str) -> Result<(), String> {
    let well_formed = secret.len() == 40
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+');
    if well_formed {
        Ok(())
    } else {
        Err("an AWS secret access key is 40 characters of letters, digits, `/` and `+`".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shapes() {
        assert!(check_access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(check_access_key_id("ASIAIOSFODNN7EXAMPLE")
            .unwrap_err()
            .contains("temporary"));
        assert!(check_access_key_id("akiaiosfodnn7example").is_err());
        assert!(check_secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_ok());
        assert!(check_secret_access_key("short").is_err());
    }

    #[test]
    fn debug_never_shows_values() {
        let keys = LongTermKeys {
            access_key_id: SecretString::from("AKIAIOSFODNN7EXAMPLE"),
            secret_access_key: SecretString::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        };
        let shown = format!("{keys:?} {:?}", keys.secret_access_key);
        assert!(!shown.contains("EXAMPLE"), "{shown}");
    }
}
