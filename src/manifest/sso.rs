//! `[aws.sso]`: credentials from an IAM Identity Center sign-in, as a team
//! template carries them (the portal's start URL and region, the account and
//! role), checked where they are written.

use std::ops::Range;
use toml::Spanned;

use super::schema::RawSso;
use super::ManifestError;
use crate::aws::profile::valid_region;
use crate::aws::sso::SsoConfig;

/// An IAM Identity Center sign-in and the role it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sso {
    pub start_url: String,
    pub region: String,
    /// `None`: left to each person (the wizard lists the accounts).
    pub account_id: Option<String>,
    /// `None`: left to each person (the wizard lists the account's roles).
    pub role_name: Option<String>,
    /// Shares the sign-in of the AWS CLI's `[sso-session NAME]`; without
    /// it, the sign-in is the start URL's (as the legacy profiles share it).
    pub session_name: Option<String>,
}

impl Sso {
    /// The sign-in and its role; `None` while the account or the role is
    /// left open (not yet answered).
    pub fn config(&self) -> Option<SsoConfig> {
        Some(SsoConfig {
            account_id: self.account_id.clone()?,
            role_name: self.role_name.clone()?,
            ..self.sign_in()
        })
    }

    /// The sign-in alone, for listing what it is assigned (no account or
    /// role in it yet).
    pub fn sign_in(&self) -> SsoConfig {
        SsoConfig {
            start_url: self.start_url.clone(),
            region: self.region.clone(),
            session: self.session_name.clone(),
            account_id: String::new(),
            role_name: String::new(),
        }
    }
}

/// An account id as AWS writes it: 12 digits.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// A role (permission set) name as IAM allows it.
pub fn is_role_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// Checks `[aws.sso]`; `error` makes a manifest error at a span.
pub(super) fn validate(
    raw: Spanned<RawSso>,
    error: &dyn Fn(Range<usize>, String, &str) -> ManifestError,
) -> Result<Sso, ManifestError> {
    let raw = raw.into_inner();
    let checked = |value: Spanned<String>,
                   ok: fn(&str) -> bool,
                   what: &str,
                   help: &str|
     -> Result<String, ManifestError> {
        if ok(value.get_ref()) {
            Ok(value.into_inner())
        } else {
            Err(error(
                value.span(),
                format!("invalid `{what}` {:?}", value.get_ref()),
                help,
            ))
        }
    };
    Ok(Sso {
        start_url: checked(
            raw.start_url,
            is_start_url,
            "start_url",
            "write the portal's https URL, such as \"https://my-org.awsapps.com/start\"",
        )?,
        region: checked(
            raw.region,
            valid_region,
            "region",
            "write the region of the Identity Center instance, such as \"eu-west-1\"",
        )?,
        account_id: raw
            .account_id
            .map(|a| {
                checked(
                    a,
                    is_account_id,
                    "account_id",
                    "write the 12-digit account id, such as \"111122223333\" (or leave it out: each person chooses)",
                )
            })
            .transpose()?,
        role_name: raw
            .role_name
            .map(|r| {
                checked(
                    r,
                    is_role_name,
                    "role_name",
                    "write the permission set's name: letters, digits and +=,.@_-, up to 64 (or leave it out: each person chooses)",
                )
            })
            .transpose()?,
        session_name: raw
            .session_name
            .map(|s| {
                checked(
                    s,
                    |n| !n.is_empty() && n.len() <= 100 && !n.chars().any(char::is_control),
                    "session_name",
                    "write the name of the AWS CLI's [sso-session NAME] to share its sign-in",
                )
            })
            .transpose()?,
    })
}

fn is_start_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && url.len() <= 2048
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_names_and_start_urls_are_checked_for_their_shape() {
        assert!(is_account_id("111122223333"));
        for bad in ["11112222333", "1111222233334", "11112222333x", ""] {
            assert!(!is_account_id(bad), "{bad:?}");
        }
        assert!(is_role_name("Dev+Ops=,.@_-1"));
        assert!(is_role_name(&"r".repeat(64)));
        for bad in ["", "Dev Ops", "a/b", &"r".repeat(65)] {
            assert!(!is_role_name(bad), "{bad:?}");
        }
        assert!(is_start_url("https://corp.awsapps.com/start"));
        assert!(is_start_url("https://d-123.awsapps.com"));
        for bad in [
            "http://corp.awsapps.com/start",
            "https://",
            "https:///start",
            "https://corp .awsapps.com",
            "https://corp.awsapps.com/\u{7}",
            &format!("https://corp.awsapps.com/{}", "a".repeat(2040)),
        ] {
            assert!(!is_start_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_sign_in_has_a_role_only_once_account_and_role_are_known() {
        let sso = Sso {
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            account_id: Some("111122223333".into()),
            role_name: Some("Dev".into()),
            session_name: Some("corp".into()),
        };
        let config = sso.config().unwrap();
        assert_eq!(
            (config.account_id.as_str(), config.role_name.as_str()),
            ("111122223333", "Dev")
        );
        assert_eq!(config.cache_key(), "corp");
        assert_eq!(sso.sign_in().account_id, "");
        for open in [
            Sso {
                account_id: None,
                ..sso.clone()
            },
            Sso {
                role_name: None,
                ..sso.clone()
            },
        ] {
            assert_eq!(open.config(), None);
            assert_eq!(open.sign_in().start_url, sso.start_url);
        }
    }

    #[test]
    fn a_session_name_is_a_name_not_empty_nor_long_nor_with_controls() {
        let parse = |name: &str| {
            let text = format!(
                "version = 1\n[aws.sso]\nstart_url = \"https://corp.awsapps.com/start\"\n\
                 region = \"eu-west-1\"\nsession_name = {}\n",
                toml::Value::String(name.to_string())
            );
            crate::manifest::Manifest::parse(&text, std::path::Path::new("m.toml"), "t")
        };
        assert!(parse("corp").is_ok());
        assert!(parse(&"s".repeat(100)).is_ok());
        for bad in ["", &"s".repeat(101), "co\u{1b}rp"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.contains("invalid `session_name`"), "{bad:?}: {err}");
        }
    }
}
