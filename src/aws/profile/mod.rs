//! Which roles to assume, with which MFA device and region: what the
//! environment asks ([`ChainRequest`], the manifest's `[aws]`) merged with the
//! AWS shared files ([`AwsFiles`]), following `source_profile` chains of any
//! depth.
//!
//! Precedence, most specific first: the request's keys, then the profile it
//! names (else `AWS_PROFILE`), then the profiles it is sourced from. The
//! request's `role_arn` replaces the named profile's own role (or is the only
//! role, without a profile) and its `mfa_serial` wins over any profile's. The
//! long-term keys at the bottom of the chain always come from envact's
//! secrets backend.

mod files;

use std::time::Duration;

use super::{MfaSerial, RoleArn};
pub use files::{AwsFiles, ProfileError};

/// AWS caps the session of a role assumed with temporary credentials at 1 hour.
pub const CHAINED_ROLE_MAX: Duration = Duration::from_secs(3600);

/// Settings through which a profile gets credentials some other way than
/// from long-term keys: envact cannot follow them, and trading the backend's
/// keys instead would act as someone else than the AWS CLI does.
const OTHER_SOURCES: [&str; 4] = [
    "sso_session",
    "sso_start_url",
    "credential_process",
    "web_identity_token_file",
];

/// A region is a host-name label: `eu-west-1`, `us-gov-west-1`, `cn-north-1`.
pub fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 63
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What the environment asks of the chain: the manifest's `[aws]`, completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRequest {
    pub profile: Option<String>,
    pub role_arn: Option<RoleArn>,
    pub mfa_serial: Option<MfaSerial>,
    pub session_duration: Duration,
}

/// One AssumeRole in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleStep {
    pub role_arn: RoleArn,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
    pub duration: Duration,
    /// The profile it came from, for messages; `None` for the manifest's role.
    pub profile: Option<String>,
}

/// What to do with the long-term keys, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileChain {
    pub region: Option<String>,
    /// GetSessionToken's MFA device.
    pub mfa_serial: Option<MfaSerial>,
    /// GetSessionToken's duration.
    pub session_duration: Duration,
    /// Roles in the order they are assumed.
    pub roles: Vec<RoleStep>,
}

/// Merges the request with the AWS files. `env_profile` is `AWS_PROFILE`.
pub fn resolve(
    aws: &ChainRequest,
    files: &AwsFiles,
    env_profile: Option<&str>,
) -> Result<ProfileChain, ProfileError> {
    let start = aws
        .profile
        .as_deref()
        .or(env_profile.filter(|p| !p.is_empty()));
    let role_duration = aws.session_duration.min(CHAINED_ROLE_MAX);
    let mut roles = Vec::new();
    let mut region = None;
    let mut mfa_serial = None;

    if let Some(start) = start {
        if !files.exists(start) {
            return Err(ProfileError::Missing {
                name: start.to_string(),
                referenced_by: None,
                path: files.config_path.clone(),
            });
        }
        let mut chain: Vec<String> = Vec::new();
        let mut current = start.to_string();
        loop {
            if chain.contains(&current) {
                chain.push(current);
                return Err(ProfileError::Loop { chain });
            }
            chain.push(current.clone());
            let p = current.as_str();
            if let Some(key) = OTHER_SOURCES
                .into_iter()
                .find(|k| files.get(p, k).is_some())
            {
                return Err(ProfileError::Unsupported {
                    profile: p.to_string(),
                    key,
                    path: files.config_path.clone(),
                });
            }
            if region.is_none() {
                if let Some(r) = files.get(p, "region") {
                    if !valid_region(r) {
                        return Err(files.bad(
                            p,
                            "region",
                            r,
                            "not an AWS region (such as eu-west-1)",
                        ));
                    }
                    region = Some(r.to_string());
                }
            }
            if mfa_serial.is_none() {
                if let Some(serial) = files.get(p, "mfa_serial") {
                    mfa_serial = Some(
                        serial
                            .parse::<MfaSerial>()
                            .map_err(|e| files.bad(p, "mfa_serial", serial, e))?,
                    );
                }
            }
            let Some(arn) = files.get(p, "role_arn") else {
                break; // the base of the chain: its keys are envact's
            };
            let role_arn = arn
                .parse::<RoleArn>()
                .map_err(|e| files.bad(p, "role_arn", arn, e))?;
            let duration = match files.get(p, "duration_seconds") {
                None => role_duration,
                Some(v) => Duration::from_secs(
                    v.parse::<u64>()
                        .ok()
                        .filter(|s| (900..=43200).contains(s))
                        .ok_or_else(|| {
                            files.bad(
                                p,
                                "duration_seconds",
                                v,
                                "expected seconds between 900 and 43200",
                            )
                        })?,
                ),
            };
            roles.push(RoleStep {
                role_arn,
                external_id: files.get(p, "external_id").map(str::to_string),
                session_name: files.get(p, "role_session_name").map(str::to_string),
                duration,
                profile: Some(p.to_string()),
            });
            match files.get(p, "source_profile") {
                None => break,
                Some(source) => {
                    if !files.exists(source) {
                        return Err(ProfileError::Missing {
                            name: source.to_string(),
                            referenced_by: Some(p.to_string()),
                            path: files.config_path.clone(),
                        });
                    }
                    current = source.to_string();
                }
            }
        }
        // Walked from the outermost role down: assume from the bottom up.
        roles.reverse();
    }

    if let Some(role_arn) = &aws.role_arn {
        let manifest_role = RoleStep {
            role_arn: role_arn.clone(),
            external_id: None,
            session_name: None,
            duration: role_duration,
            profile: None,
        };
        match (start, roles.last_mut()) {
            // The named profile's own role is the outermost one: the manifest's replaces it.
            (Some(start), Some(last)) if last.profile.as_deref() == Some(start) => {
                last.role_arn = role_arn.clone();
            }
            _ => roles.push(manifest_role),
        }
    }

    Ok(ProfileChain {
        region,
        mfa_serial: aws.mfa_serial.clone().or(mfa_serial),
        session_duration: aws.session_duration,
        roles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(config: &str, credentials: &str) -> AwsFiles {
        let dir = tempfile::tempdir().unwrap();
        let (c, k) = (dir.path().join("config"), dir.path().join("credentials"));
        std::fs::write(&c, config).unwrap();
        std::fs::write(&k, credentials).unwrap();
        AwsFiles::load(&c, &k).unwrap()
    }

    fn aws(profile: Option<&str>, role: Option<&str>, mfa: Option<&str>) -> ChainRequest {
        ChainRequest {
            profile: profile.map(str::to_string),
            role_arn: role.map(|r| r.parse().unwrap()),
            mfa_serial: mfa.map(|m| m.parse().unwrap()),
            session_duration: Duration::from_secs(7200),
        }
    }

    const CONFIG: &str = "
[default]
region = us-east-1

[profile base]
region = eu-west-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile dev]
role_arn = arn:aws:iam::222222222222:role/dev
source_profile = base
external_id = ext-123
role_session_name = alice-dev

[profile admin]
role_arn = arn:aws:iam::333333333333:role/admin
source_profile = dev
duration_seconds = 1800

[profile loop-a]
role_arn = arn:aws:iam::444444444444:role/a
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::444444444444:role/b
source_profile = loop-a

[profile orphan]
role_arn = arn:aws:iam::555555555555:role/o
source_profile = nowhere

[sso-session corp]
sso_region = us-east-1
";

    fn arns(chain: &ProfileChain) -> Vec<&str> {
        chain.roles.iter().map(|r| r.role_arn.as_str()).collect()
    }

    #[test]
    fn table_of_resolutions() {
        let f = files(
            CONFIG,
            "[base]\naws_access_key_id = AKIA\naws_secret_access_key = x\n",
        );
        struct Case {
            name: &'static str,
            aws: ChainRequest,
            env: Option<&'static str>,
            roles: Vec<&'static str>,
            mfa: Option<&'static str>,
            region: Option<&'static str>,
        }
        let cases = [
            Case {
                name: "no profile, no role: session only",
                aws: aws(None, None, None),
                env: None,
                roles: vec![],
                mfa: None,
                region: None,
            },
            Case {
                name: "manifest role only",
                aws: aws(None, Some("arn:aws:iam::999999999999:role/m"), None),
                env: None,
                roles: vec!["arn:aws:iam::999999999999:role/m"],
                mfa: None,
                region: None,
            },
            Case {
                name: "two-role chain from the profile, MFA from the base",
                aws: aws(Some("admin"), None, None),
                env: None,
                roles: vec![
                    "arn:aws:iam::222222222222:role/dev",
                    "arn:aws:iam::333333333333:role/admin",
                ],
                mfa: Some("arn:aws:iam::111111111111:mfa/alice"),
                region: Some("eu-west-1"),
            },
            Case {
                name: "AWS_PROFILE when the manifest names none",
                aws: aws(None, None, None),
                env: Some("dev"),
                roles: vec!["arn:aws:iam::222222222222:role/dev"],
                mfa: Some("arn:aws:iam::111111111111:mfa/alice"),
                region: Some("eu-west-1"),
            },
            Case {
                name: "manifest profile beats AWS_PROFILE",
                aws: aws(Some("base"), None, None),
                env: Some("dev"),
                roles: vec![],
                mfa: Some("arn:aws:iam::111111111111:mfa/alice"),
                region: Some("eu-west-1"),
            },
            Case {
                name: "manifest role replaces the profile's own",
                aws: aws(Some("dev"), Some("arn:aws:iam::999999999999:role/m"), None),
                env: None,
                roles: vec!["arn:aws:iam::999999999999:role/m"],
                mfa: Some("arn:aws:iam::111111111111:mfa/alice"),
                region: Some("eu-west-1"),
            },
            Case {
                name: "manifest mfa wins",
                aws: aws(Some("dev"), None, Some("arn:aws:iam::123456789012:mfa/bob")),
                env: None,
                roles: vec!["arn:aws:iam::222222222222:role/dev"],
                mfa: Some("arn:aws:iam::123456789012:mfa/bob"),
                region: Some("eu-west-1"),
            },
            Case {
                name: "default profile",
                aws: aws(Some("default"), None, None),
                env: None,
                roles: vec![],
                mfa: None,
                region: Some("us-east-1"),
            },
        ];
        for c in cases {
            let chain = resolve(&c.aws, &f, c.env).unwrap_or_else(|e| panic!("{}: {e}", c.name));
            assert_eq!(arns(&chain), c.roles, "{}", c.name);
            assert_eq!(
                chain.mfa_serial.as_ref().map(|m| m.as_str()),
                c.mfa,
                "{}",
                c.name
            );
            assert_eq!(chain.region.as_deref(), c.region, "{}", c.name);
        }
    }

    #[test]
    fn role_settings_and_durations() {
        let f = files(CONFIG, "");
        let chain = resolve(&aws(Some("admin"), None, None), &f, None).unwrap();
        let dev = &chain.roles[0];
        assert_eq!(dev.external_id.as_deref(), Some("ext-123"));
        assert_eq!(dev.session_name.as_deref(), Some("alice-dev"));
        // A chained role is capped at an hour, unless the profile says otherwise.
        assert_eq!(dev.duration, CHAINED_ROLE_MAX);
        assert_eq!(chain.roles[1].duration, Duration::from_secs(1800));
        assert_eq!(chain.session_duration, Duration::from_secs(7200));
    }

    #[test]
    fn loops_and_missing_profiles_are_named() {
        let f = files(CONFIG, "");
        let err = resolve(&aws(Some("loop-a"), None, None), &f, None).unwrap_err();
        assert_eq!(
            err,
            ProfileError::Loop {
                chain: vec!["loop-a".into(), "loop-b".into(), "loop-a".into()]
            }
        );
        assert!(err.to_string().contains("loop-a -> loop-b -> loop-a"));
        let err = resolve(&aws(Some("orphan"), None, None), &f, None).unwrap_err();
        assert!(
            err.to_string()
                .contains("profile \"nowhere\" does not exist in"),
            "{err}"
        );
        assert!(
            err.to_string().contains("source_profile of \"orphan\""),
            "{err}"
        );
        let err = resolve(&aws(Some("nope"), None, None), &f, None).unwrap_err();
        assert!(matches!(
            err,
            ProfileError::Missing {
                referenced_by: None,
                ..
            }
        ));
    }

    #[test]
    fn profiles_that_get_credentials_another_way_are_refused_by_name() {
        for key in OTHER_SOURCES {
            let f = files(
                &format!("[profile other]\n{key} = x\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/d\nsource_profile = other\n"),
                "",
            );
            for start in ["other", "dev"] {
                let err = resolve(&aws(Some(start), None, None), &f, None).unwrap_err();
                assert!(
                    matches!(&err, ProfileError::Unsupported { profile, key: k, .. } if profile == "other" && *k == key),
                    "{start}/{key}: {err}"
                );
            }
        }
    }

    #[test]
    fn bad_values_and_plaintext_keys() {
        let f = files(
            "[profile x]\nrole_arn = arn:aws:iam::1:role/x\n",
            "[a]\naws_access_key_id = AKIA\naws_secret_access_key = s\n[b]\nregion = x\n",
        );
        let err = resolve(&aws(Some("x"), None, None), &f, None).unwrap_err();
        assert!(
            err.to_string()
                .contains("role_arn = \"arn:aws:iam::1:role/x\" is invalid"),
            "{err}"
        );
        assert_eq!(f.plaintext_keys(), ["a"]);
    }
}
