//! Unit tests of where a chain starts and ends: keys, halves of keys, and
//! other sources of credentials.

use super::tests::{arns, aws, files};
use super::*;

/// Half a key (the id without the secret, or the secret without the id)
/// is no key: the SDKs would not start from it, so the chain goes on
/// through that profile's own role instead of ending there silently.
#[test]
fn a_source_profile_with_half_a_key_does_not_end_the_chain() {
    let config =
        "[profile top]\nrole_arn = arn:aws:iam::111111111111:role/top\nsource_profile = half\n\n\
        [profile half]\nrole_arn = arn:aws:iam::222222222222:role/half\nsource_profile = base\n\n\
        [profile base]\nregion = eu-west-1\n";
    for half in [
        "aws_access_key_id = AKIAHALF",
        "aws_secret_access_key = secret-alone",
    ] {
        let f = files(
            config,
            &format!(
                "[half]\n{half}\n\n[base]\naws_access_key_id = AKIA\naws_secret_access_key = x\n"
            ),
        );
        let chain = resolve(&aws(Some("top"), None, None), &f, None).unwrap();
        assert_eq!(
            arns(&chain),
            [
                "arn:aws:iam::222222222222:role/half",
                "arn:aws:iam::111111111111:role/top"
            ],
            "{half}"
        );
        assert_eq!(chain.base_profile.as_deref(), Some("base"), "{half}");
    }
    // Both halves end it there, as the SDKs do: the profile's role is not used.
    let f = files(
        config,
        "[half]\naws_access_key_id = AKIAHALF\naws_secret_access_key = y\n",
    );
    let chain = resolve(&aws(Some("top"), None, None), &f, None).unwrap();
    assert_eq!(arns(&chain), ["arn:aws:iam::111111111111:role/top"]);
    assert_eq!(chain.base_profile.as_deref(), Some("half"));
}

/// The named profile's own keys do not end the chain: its role is the
/// point of naming it (the SDKs assume it with its source's keys).
#[test]
fn the_named_profiles_own_keys_do_not_skip_its_role() {
    let f = files(
        "[profile dev]\nrole_arn = arn:aws:iam::222222222222:role/dev\nsource_profile = base\n\n[profile base]\n",
        "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = d\n\n[base]\naws_access_key_id = AKIA\naws_secret_access_key = x\n",
    );
    let chain = resolve(&aws(Some("dev"), None, None), &f, None).unwrap();
    assert_eq!(arns(&chain), ["arn:aws:iam::222222222222:role/dev"]);
    assert_eq!(chain.base_profile.as_deref(), Some("base"));
}

/// Without a named profile no chain is walked, yet the region still comes
/// from `[default]` along its source_profile: a loop there ends the search
/// instead of hanging.
#[test]
fn a_default_whose_sources_loop_gives_no_region_and_does_not_hang() {
    let f = files(
        "[default]\nsource_profile = other\n\n[profile other]\nsource_profile = default\n",
        "",
    );
    let chain = resolve(&aws(None, None, None), &f, None).unwrap();
    assert_eq!(chain.region, None);
    let f = files(
        "[default]\nsource_profile = other\n\n[profile other]\nregion = ap-south-1\n",
        "",
    );
    assert_eq!(
        resolve(&aws(None, None, None), &f, None)
            .unwrap()
            .region
            .as_deref(),
        Some("ap-south-1")
    );
}

/// A profile whose role would be assumed with credentials from SSO, a
/// process or a web identity, and names no source_profile, is refused by
/// name: assuming it with the backend's keys instead would act as someone
/// else than the file says.
#[test]
fn a_role_with_another_source_of_credentials_is_refused_not_assumed_with_the_backends_keys() {
    for (source, key) in [
        (
            "credential_process = /usr/bin/get-creds",
            "credential_process",
        ),
        ("sso_session = corp", "sso_session"),
        (
            "sso_start_url = https://corp.awsapps.com/start",
            "sso_start_url",
        ),
        ("credential_source = Environment", "credential_source"),
    ] {
        let f = files(
            &format!("[profile p]\nrole_arn = arn:aws:iam::123456789012:role/r\n{source}\n\n[sso-session corp]\nsso_region = us-east-1\n"),
            "",
        );
        let err = resolve(&aws(Some("p"), None, None), &f, None).unwrap_err();
        // An unsupported source is refused as such; SSO settings (a source
        // envact follows) need the source_profile the SDKs need too.
        let named = match &err {
            ProfileError::Unsupported {
                profile, key: k, ..
            } => profile == "p" && *k == key,
            ProfileError::BadValue {
                profile,
                key: k,
                reason,
                ..
            } => profile == "p" && *k == key && reason.contains("needs source_profile"),
            _ => false,
        };
        assert!(named, "{source}: {err}");
    }
    // Without another source, the role is assumed with the backend's keys.
    let f = files(
        "[profile p]\nrole_arn = arn:aws:iam::123456789012:role/r\n",
        "",
    );
    let chain = resolve(&aws(Some("p"), None, None), &f, None).unwrap();
    assert_eq!(arns(&chain), ["arn:aws:iam::123456789012:role/r"]);
}

/// The other SDKs' and tools' own cases, outside the shared suite: what
/// they accept, envact accepts (a hardware token's serial, a partition
/// added later); a duration that is not a number is ignored, as they
/// ignore it; one STS would refuse is said before any call.
#[test]
fn config_files_as_the_other_sdks_read_them() {
    let f = files(
        "[profile hw]\nmfa_serial = GAHT12345678\nrole_arn = arn:aws-eusc:iam::123456789012:role/r\nduration_seconds = soon\n",
        "",
    );
    let chain = resolve(&aws(Some("hw"), None, None), &f, None).unwrap();
    assert_eq!(
        chain.mfa_serial.as_ref().map(MfaSerial::as_str),
        Some("GAHT12345678")
    );
    assert_eq!(arns(&chain), ["arn:aws-eusc:iam::123456789012:role/r"]);
    assert_eq!(
        chain.roles[0].duration,
        Duration::from_secs(3600),
        "the default, as with none"
    );
    let f = files(
        "[profile long]\nrole_arn = arn:aws:iam::123456789012:role/r\nduration_seconds = 86400\n",
        "",
    );
    let err = resolve(&aws(Some("long"), None, None), &f, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("duration_seconds") && err.contains("expected seconds between 900 and 43200"),
        "{err}"
    );
}

/// An SSO profile at the base starts the chain from its sign-in, in either
/// form the SDKs read; settings that do not hold together are refused in
/// the SDKs' words; roles above it are kept.
#[test]
fn an_sso_profile_at_the_base_starts_the_chain_from_its_sign_in() {
    let session = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
    let sso = |profile: &str| {
        let f = files(&format!("[profile p]\n{profile}\n{session}"), "");
        resolve(&aws(Some("p"), None, None), &f, None)
    };
    let got = sso("sso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev")
        .unwrap()
        .sso
        .unwrap();
    assert_eq!(
        (
            got.start_url.as_str(),
            got.region.as_str(),
            got.session.as_deref()
        ),
        ("https://corp.awsapps.com/start", "eu-west-1", Some("corp"))
    );
    assert_eq!(
        (got.account_id.as_str(), got.role_name.as_str()),
        ("111122223333", "Dev")
    );
    let legacy = sso(
        "sso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n\
                      sso_account_id = 111122223333\nsso_role_name = Dev",
    )
    .unwrap()
    .sso
    .unwrap();
    assert_eq!(
        (legacy.start_url.as_str(), legacy.session),
        ("https://old.awsapps.com/start", None)
    );
    // Without SSO settings, no sign-in.
    assert_eq!(sso("region = eu-west-1").unwrap().sso, None);

    for (profile, said) in [
        ("sso_session = corp\nsso_account_id = 111122223333", "then `sso_role_name` must also be set"),
        ("sso_session = corp\nsso_role_name = Dev", "then `sso_account_id` must also be set"),
        ("sso_session = nope\nsso_account_id = 1\nsso_role_name = Dev", "sso-session named `nope`"),
        (
            "sso_session = corp\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = Dev",
            "can only be specified in the [sso-session]",
        ),
        ("sso_session = corp", "gives an IAM Identity Center sign-in but no role"),
        (
            "sso_start_url = https://old.awsapps.com/start\nsso_account_id = 1\nsso_role_name = Dev",
            "need sso_start_url and sso_region",
        ),
        (
            "sso_start_url = https://old.awsapps.com/start\nsso_region = Europe\nsso_account_id = 1\nsso_role_name = Dev",
            "not an AWS region",
        ),
    ] {
        let err = sso(profile).unwrap_err();
        assert!(err.to_string().contains(said), "{profile}: {err}");
    }

    // A role above it, through source_profile: assumed with its credentials.
    let f = files(
        &format!(
            "[profile top]\nrole_arn = arn:aws:iam::111122223333:role/deploy\nsource_profile = p\n\
             [profile p]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n{session}"
        ),
        "",
    );
    let chain = resolve(&aws(Some("top"), None, None), &f, None).unwrap();
    assert_eq!(arns(&chain), ["arn:aws:iam::111122223333:role/deploy"]);
    assert_eq!(chain.base_profile.as_deref(), Some("p"));
    assert!(chain.sso.is_some());
}
