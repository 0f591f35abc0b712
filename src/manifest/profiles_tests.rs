//! Unit tests of `[aws.profiles]` as the manifest is read.

use std::path::Path;
use std::time::Duration;

use crate::manifest::Manifest;

fn parse(src: &str, path: &Path, dir: &str) -> Result<Manifest, crate::manifest::ManifestError> {
    Manifest::parse(src, path, dir)
}

const SSO: &str =
    "[aws.sso]\nstart_url = \"https://corp.awsapps.com/start\"\nregion = \"eu-west-1\"\n";

fn refused(src: &str) -> (String, String) {
    let err = parse(src, Path::new("m.toml"), "d").unwrap_err();
    let help = err.help().unwrap_or_default().to_string();
    (err.to_string(), help)
}

#[test]
fn profiles_parse_with_their_default_and_each_value_typed() {
    let m = parse(
        "version = 1\n[aws]\nmfa_serial = \"arn:aws:iam::111111111111:mfa/me\"\ndefault_profile = \"dev\"\n\
         [aws.profiles.dev]\nrole_arn = \"arn:aws:iam::222222222222:role/dev\"\n\
         [aws.profiles.prod]\nrole_arn = \"arn:aws:iam::333333333333:role/prod\"\nregion = \"eu-west-1\"\n\
         external_id = \"ext-1\"\nduration = \"30m\"\nmfa_serial = \"arn:aws:iam::111111111111:mfa/prod\"\n",
        Path::new("m.toml"),
        "d",
    )
    .unwrap();
    let aws = m.aws.unwrap();
    assert_eq!(aws.default_profile.as_deref(), Some("dev"));
    assert_eq!(aws.profiles.keys().collect::<Vec<_>>(), ["dev", "prod"]);
    let prod = &aws.profiles["prod"];
    assert_eq!(prod.role_arn.as_ref().unwrap().account(), "333333333333");
    assert_eq!(prod.region.as_deref(), Some("eu-west-1"));
    assert_eq!(prod.external_id.as_deref(), Some("ext-1"));
    assert_eq!(prod.duration, Some(Duration::from_secs(1800)));
    assert!(prod.mfa_serial.is_some());
    assert!(aws.profiles["dev"].mfa_serial.is_none());

    // With a sign-in: a profile is an account and a permission set.
    let m = parse(
        &format!("version = 1\n[aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\naccount_id = \"111122223333\"\nrole_name = \"Dev\"\n{SSO}"),
        Path::new("m.toml"),
        "d",
    )
    .unwrap();
    assert_eq!(
        m.aws.unwrap().profiles["dev"].sso,
        Some(("111122223333".into(), "Dev".into()))
    );
}

#[test]
fn bad_profiles_are_refused_where_they_are_written() {
    let role = "role_arn = \"arn:aws:iam::222222222222:role/r\"\n";
    let cases: Vec<(String, &str, &str)> = vec![
        (
            format!("version = 1\n[aws]\ndefault_profile = \"x\"\n[aws.profiles.\"has space\"]\n{role}"),
            "m.toml:4:15: invalid profile name \"has space\"",
            "name profiles with letters",
        ),
        (
            format!("version = 1\n[aws]\ndefault_profile = \"prod\"\n[aws.profiles.Prod]\n{role}[aws.profiles.prod]\n{role}"),
            "m.toml:6:15: profiles \"Prod\" and \"prod\" differ only in case",
            "give each profile a name of its own",
        ),
        (
            format!("version = 1\n[aws]\ndefault_profile = \"staging\"\n[aws.profiles.dev]\n{role}[aws.profiles.prod]\n{role}"),
            "m.toml:3:19: default_profile \"staging\" is not one of the profiles",
            "name one of dev, prod",
        ),
        (
            format!("version = 1\n[aws]\n[aws.profiles.dev]\n{role}"),
            "m.toml:3:15: [aws.profiles] has no default",
            "add `default_profile = \"dev\"` to [aws] (one of dev)",
        ),
        (
            "version = 1\n[aws]\ndefault_profile = \"dev\"\n".into(),
            "m.toml:3:19: default_profile \"dev\" names a profile, and there is no [aws.profiles]",
            "add [aws.profiles.NAME] tables",
        ),
        (
            format!("version = 1\n[aws]\nrole_arn = \"arn:aws:iam::222222222222:role/r\"\ndefault_profile = \"dev\"\n[aws.profiles.dev]\n{role}"),
            "m.toml:3:12: [aws] `role_arn` and [aws.profiles] do not go together",
            "move the role into a profile",
        ),
        (
            "version = 1\n[aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\nregion = \"eu-west-1\"\n".into(),
            "m.toml:4:1: this profile names no role",
            "give it the role_arn to assume",
        ),
        (
            "version = 1\n[aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\nrole_arn = \"arn:aws:iam::1:role/r\"\n".into(),
            "m.toml:5:12: invalid `role_arn`",
            "write it as",
        ),
        (
            format!("version = 1\n[aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\n{role}region = \"Mars\"\n"),
            "m.toml:6:10: invalid `region` \"Mars\"",
            "write an AWS region",
        ),
        (
            format!("version = 1\n[aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\n{role}duration = \"5m\"\n"),
            "m.toml:6:12: session_duration \"5m\" is outside what STS allows",
            "between 15m and 12h",
        ),
        (
            "version = 1\n[aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\naccount_id = \"111122223333\"\nrole_name = \"Dev\"\n".into(),
            "m.toml:4:1: a profile with account_id and role_name needs [aws.sso]",
            "add [aws.sso]",
        ),
        (
            format!("version = 1\n[aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\naccount_id = \"111122223333\"\n{SSO}"),
            "m.toml:4:1: a profile's account_id and role_name go together",
            "give both",
        ),
        (
            format!("version = 1\n[aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\n{role}colour = \"red\"\n"),
            "m.toml:6:1: unknown field `colour`",
            "",
        ),
    ];
    for (src, shown, help) in cases {
        let (got, got_help) = refused(&src);
        assert!(got.starts_with(shown), "{src}\n{got}\nwanted {shown}");
        assert!(got_help.contains(help), "{src}\n{got_help}\nwanted {help}");
    }
}
