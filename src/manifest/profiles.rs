//! `[aws.profiles.NAME]`: the roles an environment gives by name (dev,
//! staging, prod), each assumed from the one session the environment starts
//! from (the long-term keys' MFA session, or the sign-in), and
//! `[aws] default_profile`, the one commands get when they name none. Checked
//! where they are written: names as the SDKs accept them, no two alike but
//! for case, every value of the right shape.

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;

use super::schema::RawNamedProfile;
use super::sso::{is_account_id, is_role_name};
use super::{Aws, ManifestError};
use crate::aws::profile::{valid_region, ProfileChain, RoleStep, CHAINED_ROLE_MAX};
use crate::aws::{MfaSerial, RoleArn};

/// One profile the environment gives by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedProfile {
    /// Assumed from the environment's session (on top of the profile's own
    /// IAM Identity Center role when it names one).
    pub role_arn: Option<RoleArn>,
    /// With `[aws.sso]`: the account and role (permission set) of the
    /// sign-in this profile's credentials start from.
    pub sso: Option<(String, String)>,
    pub region: Option<String>,
    pub external_id: Option<String>,
    /// How long the role's credentials last (default: the environment's
    /// session_duration, at most an hour for a role assumed by a role).
    pub duration: Option<Duration>,
    /// This profile's MFA device, over `[aws] mfa_serial`.
    pub mfa_serial: Option<MfaSerial>,
}

impl NamedProfile {
    /// The environment's chain as far as this profile's session: its own
    /// MFA device and region, when it has them.
    pub fn session_of(&self, base: &ProfileChain) -> ProfileChain {
        let mut chain = base.clone();
        if let Some(serial) = &self.mfa_serial {
            chain.mfa_serial = Some(serial.clone());
        }
        if let Some(region) = &self.region {
            chain.region = Some(region.clone());
        }
        chain
    }

    /// The environment's chain with this profile's role on top.
    pub fn chain_on(&self, base: &ProfileChain, aws: &Aws) -> ProfileChain {
        let mut chain = self.session_of(base);
        if let Some(role_arn) = &self.role_arn {
            chain.roles.push(RoleStep {
                role_arn: role_arn.clone(),
                external_id: self.external_id.clone(),
                session_name: None,
                duration: self
                    .duration
                    .unwrap_or(aws.session_duration.min(CHAINED_ROLE_MAX)),
                profile: None,
            });
        }
        chain
    }
}

/// A profile name as the SDKs read one from a config file: letters,
/// digits and `_-/.%@:+` (the Rust SDK's identifier rule; botocore and the
/// others accept at least these).
pub fn is_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// An external id as STS accepts one: 2 to 1224 of `\w+=,.@:/-`.
fn is_external_id(id: &str) -> bool {
    (2..=1224).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c))
}

/// What a check of one value needs: a manifest error at a span.
pub(super) type ErrorAt<'a> = &'a dyn Fn(Range<usize>, String, &str) -> ManifestError;

/// Checks `[aws.profiles]` and `default_profile`; `has_sso`: the manifest
/// has `[aws.sso]`; `whole`: it is not a part of a composition (whose
/// default and sign-in may be in another part); `duration` parses a
/// session duration (its message).
pub(super) fn validate(
    raw: BTreeMap<Spanned<String>, Spanned<RawNamedProfile>>,
    default_profile: Option<Spanned<String>>,
    has_sso: bool,
    whole: bool,
    duration: &dyn Fn(&str) -> Result<Duration, String>,
    error: ErrorAt,
) -> Result<(BTreeMap<String, NamedProfile>, Option<String>), ManifestError> {
    let mut profiles = BTreeMap::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let first = raw.keys().next().map(Spanned::span);
    for (name, profile) in raw {
        let span = name.span();
        let name = name.into_inner();
        if !is_profile_name(&name) {
            return Err(error(
                span,
                format!("invalid profile name {name:?}"),
                "name profiles with letters, digits and _-/.%@:+ (no spaces), as the AWS tools accept them",
            ));
        }
        if let Some(other) = seen.insert(name.to_ascii_lowercase(), name.clone()) {
            return Err(error(
                span,
                format!("profiles {other:?} and {name:?} differ only in case"),
                "give each profile a name of its own: `--profile` must never pick one by accident",
            ));
        }
        let checked = check(profile, has_sso || !whole, duration, error)?;
        profiles.insert(name, checked);
    }
    let default = match default_profile {
        d if !whole => d.map(Spanned::into_inner),
        None if profiles.is_empty() => None,
        None => {
            return Err(error(
                first.unwrap_or(0..0),
                "[aws.profiles] has no default: commands that name no profile would get none"
                    .into(),
                &format!(
                    "add `default_profile = \"{}\"` to [aws] (one of {})",
                    profiles.keys().next().map_or("", String::as_str),
                    names(&profiles)
                ),
            ))
        }
        Some(d) if profiles.contains_key(d.get_ref()) => Some(d.into_inner()),
        Some(d) if profiles.is_empty() => {
            return Err(error(
                d.span(),
                format!(
                    "default_profile {:?} names a profile, and there is no [aws.profiles]",
                    d.get_ref()
                ),
                "add [aws.profiles.NAME] tables, or remove default_profile",
            ))
        }
        Some(d) => {
            return Err(error(
                d.span(),
                format!(
                    "default_profile {:?} is not one of the profiles",
                    d.get_ref()
                ),
                &format!("name one of {}", names(&profiles)),
            ))
        }
    };
    Ok((profiles, default))
}

/// `a, b, c`: the names, for help.
pub fn names<T>(profiles: &BTreeMap<String, T>) -> String {
    profiles.keys().cloned().collect::<Vec<_>>().join(", ")
}

fn check(
    raw: Spanned<RawNamedProfile>,
    has_sso: bool,
    duration: &dyn Fn(&str) -> Result<Duration, String>,
    error: ErrorAt,
) -> Result<NamedProfile, ManifestError> {
    let table = raw.span();
    let raw = raw.into_inner();
    let shaped = |value: Option<Spanned<String>>,
                  ok: fn(&str) -> bool,
                  key: &str,
                  help: &str|
     -> Result<Option<String>, ManifestError> {
        value
            .map(|v| match ok(v.get_ref()) {
                true => Ok(v.into_inner()),
                false => Err(error(
                    v.span(),
                    format!("invalid `{key}` {:?}", v.get_ref()),
                    help,
                )),
            })
            .transpose()
    };
    let role_arn: Option<RoleArn> = arn(raw.role_arn, "role_arn", error)?;
    let mfa_serial: Option<MfaSerial> = arn(raw.mfa_serial, "mfa_serial", error)?;
    let account = shaped(
        raw.account_id,
        is_account_id,
        "account_id",
        "write the 12-digit account id, such as \"111122223333\"",
    )?;
    let role_name = shaped(
        raw.role_name,
        is_role_name,
        "role_name",
        "write the permission set's name: letters, digits and +=,.@_-, up to 64",
    )?;
    let sso = match (account, role_name) {
        (Some(a), Some(r)) if has_sso => Some((a, r)),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(error(
                table,
                "a profile with account_id and role_name needs [aws.sso]: they name a role of an IAM Identity Center sign-in".into(),
                "add [aws.sso] with the portal's start_url and region, or give the profile a role_arn instead",
            ))
        }
        _ => {
            return Err(error(
                table,
                "a profile's account_id and role_name go together".into(),
                "give both (the account and the permission set), or neither",
            ))
        }
    };
    if role_arn.is_none() && sso.is_none() {
        return Err(error(
            table,
            "this profile names no role".into(),
            if has_sso {
                "give it account_id and role_name (a role of the sign-in), or a role_arn to assume"
            } else {
                "give it the role_arn to assume, such as \"arn:aws:iam::111122223333:role/deploy\""
            },
        ));
    }
    if mfa_serial.is_some() && sso.is_some() {
        return Err(error(
            table,
            "a profile of an IAM Identity Center role takes no mfa_serial: the sign-in in the browser is the second factor".into(),
            "remove `mfa_serial`",
        ));
    }
    let duration = raw
        .duration
        .map(|d| {
            duration(d.get_ref()).map_err(|msg| {
                error(
                    d.span(),
                    msg,
                    "write a duration between 15m and 12h, such as \"1h\"",
                )
            })
        })
        .transpose()?;
    Ok(NamedProfile {
        role_arn,
        sso,
        region: shaped(
            raw.region,
            valid_region,
            "region",
            "write an AWS region, such as \"eu-west-1\"",
        )?,
        external_id: shaped(
            raw.external_id,
            is_external_id,
            "external_id",
            "write the id the role's trust policy expects: 2 to 1224 letters, digits and _+=,.@:/-",
        )?,
        duration,
        mfa_serial,
    })
}

/// An ARN of type `T`, or the error at its span.
fn arn<T: std::str::FromStr<Err = crate::aws::ArnError>>(
    value: Option<Spanned<String>>,
    key: &str,
    error: ErrorAt,
) -> Result<Option<T>, ManifestError> {
    value
        .map(|v| {
            v.get_ref().parse::<T>().map_err(|e| {
                error(
                    v.span(),
                    format!("invalid `{key}`: {}", e.reason),
                    &format!("write it as {}", e.expected),
                )
            })
        })
        .transpose()
}

#[cfg(test)]
#[path = "profiles_tests.rs"]
mod validation_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_are_those_the_sdks_read() {
        for good in [
            "dev",
            "prod-eu",
            "a_b",
            "team/prod",
            "x.y",
            "p%1",
            "me@corp",
            "a:b",
            "c+d",
        ] {
            assert!(is_profile_name(good), "{good:?}");
        }
        for bad in [
            "",
            "has space",
            "semi;colon",
            "br[acket]",
            "qu\"ote",
            "tab\t",
            &"p".repeat(129),
        ] {
            assert!(!is_profile_name(bad), "{bad:?}");
        }
        assert!(is_external_id("ab"));
        for bad in ["a", "with space", &"e".repeat(1225)] {
            assert!(!is_external_id(bad), "{bad:?}");
        }
    }
}
