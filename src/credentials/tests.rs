use super::*;
use crate::aws::profile::RoleStep;
use crate::manifest::Backend;

#[test]
fn aws_region_wins_then_aws_default_region_then_the_profile() {
    /// (the variables as the shell has them, the profile's region, expected)
    type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, Option<&'a str>);
    let cases: [Case; 6] = [
        (
            &[("AWS_REGION", "r"), ("AWS_DEFAULT_REGION", "d")],
            Some("p"),
            Some("r"),
        ),
        (&[("AWS_DEFAULT_REGION", "d")], Some("p"), Some("d")),
        (&[("AWS_REGION", "r")], None, Some("r")),
        (&[], Some("p"), Some("p")),
        (&[], None, None),
        (&[("OTHER", "x")], Some("p"), Some("p")),
    ];
    for (vars, profile, expected) in cases {
        let lookup = |k: &str| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        };
        let got = region(&lookup, profile).map(|(_, r)| r);
        assert_eq!(got.as_deref(), expected, "{vars:?} {profile:?}");
    }
    assert!(valid_region("us-gov-west-1"));
    for bad in ["", "eu west 1", "EU-WEST-1", "eu-west-1.", "a/b"] {
        assert!(!valid_region(bad), "{bad:?}");
    }
}

/// A keyring source's identity, as [`CredentialSource::identity`] gives it.
fn identity(vault: Option<&str>, item: &str) -> String {
    format!(
        "{}|{:?}|{item}",
        Backend::Keyring,
        vault.map(str::to_string)
    )
}

fn chain(mfa: Option<&str>, duration: u64, roles: &[(&str, Option<&str>)]) -> ProfileChain {
    ProfileChain {
        region: None,
        base_profile: None,
        sso: None,
        mfa_serial: mfa.map(|m| m.parse().unwrap()),
        session_duration: Duration::from_secs(duration),
        roles: roles
            .iter()
            .map(|(arn, external_id)| RoleStep {
                role_arn: arn.parse().unwrap(),
                external_id: external_id.map(str::to_string),
                session_name: None,
                duration: Duration::from_secs(3600),
                profile: None,
            })
            .collect(),
    }
}

#[test]
fn kept_credentials_are_reused_only_for_what_produced_them() {
    const MFA: &str = "arn:aws:iam::123456789012:mfa/a";
    const ROLE: &str = "arn:aws:iam::123456789012:role/r";
    let base = fingerprint(
        &identity(None, "dev"),
        &chain(Some(MFA), 3600, &[(ROLE, None)]),
    );
    assert_eq!(base.len(), 16);
    // The same inputs, the same fingerprint: the cache is found again.
    assert_eq!(
        base,
        fingerprint(
            &identity(None, "dev"),
            &chain(Some(MFA), 3600, &[(ROLE, None)])
        )
    );
    // Each input alone changes it.
    let changed = [
        (
            "vault",
            fingerprint(
                &identity(Some("v"), "dev"),
                &chain(Some(MFA), 3600, &[(ROLE, None)]),
            ),
        ),
        (
            "item",
            fingerprint(
                &identity(None, "prod"),
                &chain(Some(MFA), 3600, &[(ROLE, None)]),
            ),
        ),
        (
            "mfa device",
            fingerprint(&identity(None, "dev"), &chain(None, 3600, &[(ROLE, None)])),
        ),
        (
            "session duration",
            fingerprint(
                &identity(None, "dev"),
                &chain(Some(MFA), 7200, &[(ROLE, None)]),
            ),
        ),
        (
            "roles",
            fingerprint(&identity(None, "dev"), &chain(Some(MFA), 3600, &[])),
        ),
        (
            "external id",
            fingerprint(
                &identity(None, "dev"),
                &chain(Some(MFA), 3600, &[(ROLE, Some("x"))]),
            ),
        ),
    ];
    for (what, other) in changed {
        assert_ne!(base, other, "{what}");
    }
}
