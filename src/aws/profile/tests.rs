use super::*;

pub(super) fn files(config: &str, credentials: &str) -> AwsFiles {
    let dir = tempfile::tempdir().unwrap();
    let (c, k) = (dir.path().join("config"), dir.path().join("credentials"));
    std::fs::write(&c, config).unwrap();
    std::fs::write(&k, credentials).unwrap();
    AwsFiles::load(&c, &k, None).unwrap()
}

pub(super) fn aws(profile: Option<&str>, role: Option<&str>, mfa: Option<&str>) -> ChainRequest {
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

pub(super) fn arns(chain: &ProfileChain) -> Vec<&str> {
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
            name: "no profile, no role: session only, [default]'s region",
            aws: aws(None, None, None),
            env: None,
            roles: vec![],
            mfa: None,
            region: Some("us-east-1"),
        },
        Case {
            name: "manifest role only",
            aws: aws(None, Some("arn:aws:iam::999999999999:role/m"), None),
            env: None,
            roles: vec!["arn:aws:iam::999999999999:role/m"],
            mfa: None,
            region: Some("us-east-1"),
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
        "[profile x]\nrole_arn = arn:aws:iam::1:role/x\n[profile c]\naws_secret_access_key = s\n",
        "[a]\naws_access_key_id = AKIA\naws_secret_access_key = s\n[b]\nregion = x\n",
    );
    let err = resolve(&aws(Some("x"), None, None), &f, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("role_arn = \"arn:aws:iam::1:role/x\" is invalid"),
        "{err}"
    );
    // Each with the file it sits in.
    let plain: Vec<(String, String)> = f
        .plaintext_keys()
        .into_iter()
        .map(|(p, file)| (p, file.file_name().unwrap().to_string_lossy().into()))
        .collect();
    assert_eq!(
        plain,
        [
            ("c".to_string(), "config".to_string()),
            ("a".to_string(), "credentials".to_string())
        ]
    );
}

#[test]
fn the_sts_endpoint_is_found_where_the_sdks_look_for_it() {
    let config = "
[default]
endpoint_url = http://default-global

[profile plain]
region = eu-west-1

[profile global]
endpoint_url = http://profile-global

[profile svc]
endpoint_url = http://profile-global
services = team

[profile ignoring]
services = team
ignore_configured_endpoint_urls = true

[services team]
sts =
  endpoint_url = http://profile-sts
s3 =
  endpoint_url = http://profile-s3
";
    /// (selected profile, variables, expected)
    type Case<'a> = (Option<&'a str>, &'a [(&'a str, &'a str)], Option<&'a str>);
    let cases: [Case; 9] = [
        (Some("plain"), &[], None),
        (None, &[], Some("http://default-global")),
        (Some("global"), &[], Some("http://profile-global")),
        (Some("svc"), &[], Some("http://profile-sts")),
        (
            Some("svc"),
            &[("AWS_ENDPOINT_URL", "http://env-global")],
            Some("http://env-global"),
        ),
        (
            Some("svc"),
            &[
                ("AWS_ENDPOINT_URL", "http://env-global"),
                ("AWS_ENDPOINT_URL_STS", "http://env-sts"),
            ],
            Some("http://env-sts"),
        ),
        (Some("ignoring"), &[], None),
        (
            Some("svc"),
            &[
                ("AWS_ENDPOINT_URL_STS", "http://env-sts"),
                ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ],
            None,
        ),
        (
            Some("plain"),
            &[("AWS_ENDPOINT_URL_S3", "http://env-s3")],
            None,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let (c, k) = (dir.path().join("config"), dir.path().join("credentials"));
    std::fs::write(&c, config).unwrap();
    for (selected, vars, expected) in cases {
        let f = AwsFiles::load(&c, &k, selected).unwrap();
        let var = |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        };
        assert_eq!(
            f.sts_endpoint(var).as_deref(),
            expected,
            "{selected:?} {vars:?}"
        );
    }
}

#[test]
fn what_the_sdks_parse_differently_from_a_plain_ini_reader() {
    let f = files(
        "[profile prod] # the team's account
Region = eu-west-1
s3 =
  region = us-west-2
role_arn = arn:aws:iam::123456789012:role/first
[profile prod]
role_arn = arn:aws:iam::123456789012:role/second
source_profile = prod
path = C:\\temp\\new
quoted = \"kept\"
",
        "[prod]\nregion = ap-south-1\n",
    );
    // The credentials file wins; `Region` is `region`; the s3 block keeps
    // its own region; the duplicate section merges, its later value wins.
    assert_eq!(f.get("prod", "region"), Some("ap-south-1"));
    assert_eq!(f.get("prod", "s3"), Some("\nregion = us-west-2"));
    assert_eq!(
        f.get("prod", "role_arn"),
        Some("arn:aws:iam::123456789012:role/second")
    );
    assert_eq!(f.get("prod", "path"), Some("C:\\temp\\new"));
    assert_eq!(f.get("prod", "quoted"), Some("\"kept\""));
    // A profile that is its own source: the role is assumed from the keys.
    let chain = resolve(&aws(Some("prod"), None, None), &f, None).unwrap();
    assert_eq!(arns(&chain), ["arn:aws:iam::123456789012:role/second"]);
    assert_eq!(chain.base_profile.as_deref(), Some("prod"));
    assert_eq!(chain.region.as_deref(), Some("ap-south-1"));
}

#[test]
fn a_syntax_error_names_the_file_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let (c, k) = (dir.path().join("config"), dir.path().join("credentials"));
    std::fs::write(
        &c,
        "[profile ok]\nregion = eu-west-1\n[profile broken]\nkey : value\n",
    )
    .unwrap();
    let err = AwsFiles::load(&c, &k, None).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}, line 4 is not valid", c.display())),
        "{text}"
    );
    assert!(
        text.contains("Expected an '=' sign defining a property"),
        "{text}"
    );
}

#[test]
fn without_either_file_there_are_no_profiles_and_the_environment_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (c, k) = (dir.path().join("config"), dir.path().join("credentials"));
    let f = AwsFiles::load(&c, &k, Some("dev")).unwrap();
    assert!(f.names().is_empty());
    let env = |n: &str| (n == "AWS_ENDPOINT_URL_STS").then(|| "http://sts".to_string());
    assert_eq!(f.sts_endpoint(env).as_deref(), Some("http://sts"));
    let chain = resolve(&aws(None, None, None), &f, None).unwrap();
    assert_eq!(chain.region, None);
}

#[test]
fn the_files_are_where_the_variables_say_with_a_leading_tilde_as_home() {
    let home = std::path::Path::new("/home/alice");
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| std::ffi::OsString::from(v))
        }
    };
    let (c, k) = AwsFiles::paths(vars(&[]), home);
    assert_eq!(c, home.join(".aws/config"));
    assert_eq!(k, home.join(".aws/credentials"));
    let (c, k) = AwsFiles::paths(
        vars(&[
            ("AWS_CONFIG_FILE", "~/work/aws-config"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/creds"),
        ]),
        home,
    );
    assert_eq!(c, home.join("work/aws-config"));
    assert_eq!(k, std::path::PathBuf::from("/etc/aws/creds"));
}

#[test]
fn identity_centers_endpoints_are_found_as_the_sdks_find_them() {
    let dir = tempfile::tempdir().unwrap();
    let (c, k) = (dir.path().join("config"), dir.path().join("credentials"));
    std::fs::write(
        &c,
        "[profile dev]\nservices = local\n[services local]\nsso =\n  endpoint_url = http://portal\n",
    )
    .unwrap();
    let f = AwsFiles::load(&c, &k, Some("dev")).unwrap();
    let env = |n: &str| (n == "AWS_ENDPOINT_URL_SSO_OIDC").then(|| "http://oidc".to_string());
    assert_eq!(f.endpoint("SSO OIDC", env).as_deref(), Some("http://oidc"));
    assert_eq!(f.endpoint("SSO", env).as_deref(), Some("http://portal"));
    assert_eq!(f.endpoint("sts", env), None);
}
