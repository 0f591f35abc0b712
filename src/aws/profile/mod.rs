//! Which roles to assume, with which MFA device and region: what the
//! environment asks ([`ChainRequest`], the manifest's `[aws]`) merged with the
//! AWS shared files ([`AwsFiles`]), following `source_profile` chains the way
//! the AWS SDKs do (their shared test suite: tests/it/aws_files_like_the_sdks.rs).
//!
//! envact's backend keys stand in wherever the SDK would use static keys
//! from the files: after the first profile, one that holds static keys ends
//! the chain; a profile may be its own `source_profile`; a `role_arn`
//! without `source_profile` (which the SDKs refuse) is assumed from the
//! backend's keys. A profile without keys at the bottom is fine: its keys
//! are the backend's anyway.
//!
//! Precedence, most specific first: the request's keys, then the profile it
//! names (else `AWS_PROFILE`), then the profiles it is sourced from. The
//! request's `role_arn` replaces the named profile's own role (or is the only
//! role, without a profile) and its `mfa_serial` wins over any profile's.
//! Without a named profile there is no chain from the files (a team's
//! manifest is not bent by someone's `[default]` role), but the region
//! comes from `[default]`, as it would for the AWS CLI.

mod files;

use std::time::Duration;

use super::sso::SsoConfig;
use super::{MfaSerial, RoleArn};
pub use files::{AwsFiles, ProfileError};

/// AWS caps the session of a role assumed with temporary credentials at 1 hour.
pub const CHAINED_ROLE_MAX: Duration = Duration::from_secs(3600);

/// Settings through which a profile at the base of a chain gets
/// credentials some other way than from long-term keys, in the order the
/// SDKs look for them: envact cannot follow them, and trading the backend's
/// keys instead would act as someone else than the AWS CLI does.
const OTHER_SOURCES: [&str; 4] = [
    "credential_source",
    "web_identity_token_file",
    "login_session",
    "credential_process",
];

/// Settings of an IAM Identity Center profile: at the base of a chain it
/// starts from a sign-in (see [`sso_of`]); beside a `role_arn` without
/// `source_profile` it is refused, as the SDKs refuse it.
const SSO_KEYS: [&str; 5] = [
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "sso_region",
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
    /// The profile whose static keys the SDKs would start from; envact
    /// starts from the backend's keys instead. `None` without a profile.
    pub base_profile: Option<String>,
    /// The chain starts from an IAM Identity Center sign-in: its base
    /// profile is an SSO profile (`sso_session`, or the legacy `sso_*`).
    pub sso: Option<SsoConfig>,
}

/// A role found in a profile, checked once the walk is done (so a broken
/// chain is named before a bad value in it).
struct FoundRole<'a> {
    profile: &'a str,
    role_arn: &'a str,
}

/// The profiles from `start` down to the one whose keys start the chain,
/// with the roles met on the way (outermost first).
fn walk<'a>(
    files: &'a AwsFiles,
    start: &'a str,
) -> Result<(&'a str, Vec<FoundRole<'a>>), ProfileError> {
    let mut visited: Vec<&str> = Vec::new();
    let mut roles = Vec::new();
    let mut name = start;
    loop {
        if !files.exists(name) {
            return Err(ProfileError::Missing {
                name: name.to_string(),
                referenced_by: visited.last().map(|p| p.to_string()),
                path: files.config_path.clone(),
            });
        }
        if visited.contains(&name) {
            let mut chain: Vec<String> = visited.iter().map(|p| p.to_string()).collect();
            chain.push(name.to_string());
            return Err(ProfileError::Loop { chain });
        }
        visited.push(name);
        // Past the first profile, static keys end the chain: the SDKs use
        // them (envact uses its backend's) and ignore the profile's role.
        if visited.len() > 1 && has_static_keys(files, name) {
            return Ok((name, roles));
        }
        let role_arn = files
            .get(name, "role_arn")
            .filter(|_| files.get(name, "web_identity_token_file").is_none());
        let Some(role_arn) = role_arn else {
            // An SSO profile at the base is a start (a sign-in); the rest
            // are refused by name.
            refuse_other_sources(files, name, &OTHER_SOURCES)?;
            return Ok((name, roles));
        };
        let source = files.get(name, "source_profile");
        if source.is_some() && files.get(name, "credential_source").is_some() {
            return Err(ProfileError::TwoSources {
                profile: name.to_string(),
                path: files.config_path.clone(),
            });
        }
        roles.push(FoundRole {
            profile: name,
            role_arn,
        });
        match source {
            // Its own source, or none (envact's meaning: the backend's keys),
            // unless the profile names another source of credentials: SSO,
            // a process, a web identity would be someone else than the
            // backend's keys, and those are refused by name, never assumed.
            Some(s) if s == name => return Ok((name, roles)),
            None => {
                refuse_other_sources(files, name, &OTHER_SOURCES)?;
                // Never the backend's keys in a sign-in's place (nor the
                // sign-in guessed at): as the SDKs, a source is named.
                if let Some((key, value)) = SSO_KEYS
                    .iter()
                    .find_map(|k| files.get(name, k).map(|v| (*k, v)))
                {
                    return Err(files.bad(
                        name,
                        key,
                        value,
                        "a role_arn beside IAM Identity Center settings needs source_profile naming the SSO profile whose sign-in assumes it",
                    ));
                }
                return Ok((name, roles));
            }
            Some(s) => name = s,
        }
    }
}

fn has_static_keys(files: &AwsFiles, profile: &str) -> bool {
    files.get(profile, "aws_access_key_id").is_some()
        && files.get(profile, "aws_secret_access_key").is_some()
}

/// A profile that gets its credentials by one of `keys` is refused by name.
fn refuse_other_sources(
    files: &AwsFiles,
    profile: &str,
    keys: &[&'static str],
) -> Result<(), ProfileError> {
    match keys
        .iter()
        .copied()
        .find(|k| files.get(profile, k).is_some())
    {
        Some(key) => Err(unsupported(files, profile, key)),
        None => Ok(()),
    }
}

fn unsupported(files: &AwsFiles, profile: &str, key: &'static str) -> ProfileError {
    ProfileError::Unsupported {
        profile: profile.to_string(),
        key,
        path: files.config_path.clone(),
    }
}

/// The region the SDKs take from the files: the first profile from `start`
/// along `source_profile` that has one.
fn region_of(files: &AwsFiles, start: &str) -> Result<Option<String>, ProfileError> {
    let mut visited: Vec<&str> = Vec::new();
    let mut name = start;
    while files.exists(name) && !visited.contains(&name) {
        visited.push(name);
        if let Some(region) = files.get(name, "region") {
            if !valid_region(region) {
                return Err(files.bad(
                    name,
                    "region",
                    region,
                    "not an AWS region (such as eu-west-1)",
                ));
            }
            return Ok(Some(region.to_string()));
        }
        match files.get(name, "source_profile") {
            Some(source) => name = source,
            None => break,
        }
    }
    Ok(None)
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
    let mut mfa_serial = None;
    let mut base_profile = None;

    let mut sso = None;
    if let Some(start) = start {
        let (base, found) = walk(files, start)?;
        base_profile = Some(base.to_string());
        sso = sso_of(files, base)?;
        // The first MFA device along the walk, from the named profile down.
        let mut on_the_way: Vec<&str> = found.iter().map(|r| r.profile).collect();
        on_the_way.push(base);
        on_the_way.dedup();
        if let Some((p, serial)) = on_the_way
            .iter()
            .find_map(|p| files.get(p, "mfa_serial").map(|s| (*p, s)))
        {
            mfa_serial = Some(
                serial
                    .parse::<MfaSerial>()
                    .map_err(|e| files.bad(p, "mfa_serial", serial, e))?,
            );
        }
        for FoundRole {
            profile: p,
            role_arn,
        } in found.into_iter().rev()
        {
            let role_arn = role_arn
                .parse::<RoleArn>()
                .map_err(|e| files.bad(p, "role_arn", role_arn, e))?;
            // Not a number: ignored, as the SDKs ignore it. A number STS
            // would refuse is said here, before any call.
            let duration = match files.get(p, "duration_seconds").map(str::parse::<u64>) {
                None | Some(Err(_)) => role_duration,
                Some(Ok(v)) => {
                    Duration::from_secs(Some(v).filter(|s| (900..=43200).contains(s)).ok_or_else(
                        || {
                            files.bad(
                                p,
                                "duration_seconds",
                                &v.to_string(),
                                "expected seconds between 900 and 43200",
                            )
                        },
                    )?)
                }
            };
            roles.push(RoleStep {
                role_arn,
                external_id: files.get(p, "external_id").map(str::to_string),
                session_name: files.get(p, "role_session_name").map(str::to_string),
                duration,
                profile: Some(p.to_string()),
            });
        }
    }
    // Without a named profile, `[default]` still gives the region.
    let region = region_of(files, start.unwrap_or("default"))?;

    if let Some(role_arn) = &aws.role_arn {
        let manifest_role = RoleStep {
            role_arn: role_arn.clone(),
            external_id: None,
            session_name: None,
            duration: role_duration,
            profile: None,
        };
        match (start, roles.last_mut()) {
            // With a named profile, a chain's outermost role is always that
            // profile's own (the walk starts there): the manifest's replaces it.
            (Some(_), Some(last)) => last.role_arn = role_arn.clone(),
            _ => roles.push(manifest_role),
        }
    }

    Ok(ProfileChain {
        region,
        mfa_serial: aws.mfa_serial.clone().or(mfa_serial),
        session_duration: aws.session_duration,
        roles,
        base_profile,
        sso,
    })
}

#[cfg(test)]
mod chain_tests;
#[cfg(test)]
mod tests;

/// The sign-in an SSO profile starts from, as the SDKs read it: its
/// `sso_session` (whose `[sso-session]` has the start URL and region), or
/// the legacy `sso_start_url` and `sso_region` on the profile itself; and
/// the account and role, which credentials need. `None` for a profile
/// without SSO settings.
fn sso_of(files: &AwsFiles, profile: &str) -> Result<Option<SsoConfig>, ProfileError> {
    if !SSO_KEYS.iter().any(|k| files.get(profile, k).is_some()) {
        return Ok(None);
    }
    let bad = |key: &'static str, value: &str, reason: &str| files.bad(profile, key, value, reason);
    let account = files.get(profile, "sso_account_id");
    let role = files.get(profile, "sso_role_name");
    match (account, role) {
        (Some(_), None) => {
            return Err(bad(
                "sso_account_id",
                account.unwrap_or_default(),
                "if `sso_account_id` is set, then `sso_role_name` must also be set",
            ))
        }
        (None, Some(r)) => {
            return Err(bad(
                "sso_role_name",
                r,
                "if `sso_role_name` is set, then `sso_account_id` must also be set",
            ))
        }
        _ => {}
    }
    let (start_url, region, session) = match files.get(profile, "sso_session") {
        Some(session) => {
            if !files.sso_session_names().contains(&session) {
                return Err(bad(
                    "sso_session",
                    session,
                    &format!("sso-session named `{session}` (referenced by profile `{profile}`) was not found"),
                ));
            }
            if let Some(region) = files.get(profile, "sso_region") {
                return Err(bad(
                    "sso_region",
                    region,
                    "`sso_region` can only be specified in the [sso-session] config when a session name is given",
                ));
            }
            let from_session = |key: &'static str| {
                files
                    .sso_session_get(session, key)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        bad(
                            "sso_session",
                            session,
                            &format!("its [sso-session {session}] has no {key}"),
                        )
                    })
            };
            (
                from_session("sso_start_url")?,
                from_session("sso_region")?,
                Some(session.to_string()),
            )
        }
        None => {
            let own = |key: &'static str| {
                files.get(profile, key).map(str::to_string).ok_or_else(|| {
                    bad(
                        key,
                        "",
                        "the legacy SSO settings need sso_start_url and sso_region on the profile",
                    )
                })
            };
            (own("sso_start_url")?, own("sso_region")?, None)
        }
    };
    // A profile with a sign-in but no account and role gives a token (for
    // other AWS tools), not credentials.
    let (Some(account), Some(role)) = (account, role) else {
        return Err(bad(
            "sso_session",
            session.as_deref().unwrap_or(&start_url),
            "it gives an IAM Identity Center sign-in but no role: set sso_account_id and sso_role_name",
        ));
    };
    if !valid_region(&region) {
        return Err(bad(
            "sso_region",
            &region,
            "not an AWS region (such as eu-west-1)",
        ));
    }
    Ok(Some(SsoConfig {
        start_url,
        region,
        session,
        account_id: account.to_string(),
        role_name: role.to_string(),
    }))
}
