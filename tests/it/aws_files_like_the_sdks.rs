//! envact reads `~/.aws/config` and `~/.aws/credentials` as the AWS SDKs do:
//! every case of the SDKs' shared test suites (tests/fixtures/aws-sdk/),
//! driven through envact's own loading of the files and its chain walk.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use envact::aws::profile::{resolve, AwsFiles, ChainRequest, ProfileError};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws-sdk")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Writes the case's files (only those it has) and loads them.
fn load(
    dir: &Path,
    config: Option<&str>,
    credentials: Option<&str>,
    selected: Option<&str>,
) -> Result<AwsFiles, ProfileError> {
    let (c, k) = (dir.join("config"), dir.join("credentials"));
    let _ = std::fs::remove_file(&c);
    let _ = std::fs::remove_file(&k);
    if let Some(text) = config {
        std::fs::write(&c, text).unwrap();
    }
    if let Some(text) = credentials {
        std::fs::write(&k, text).unwrap();
    }
    AwsFiles::load(&c, &k, selected)
}

type Sections = BTreeMap<String, BTreeMap<String, String>>;

fn sections(v: Option<&Value>) -> Sections {
    v.and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(name, props)| {
                    let props = props
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                        .collect();
                    (name.clone(), props)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every name that could be a property in any case: the expected ones and
/// every word of every input, so a value that leaks into a profile (an
/// `s3 =` block's `region`, say) is seen.
fn candidate_keys(tests: &[Value]) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for t in tests {
        for file in ["configFile", "credentialsFile"] {
            if let Some(text) = t["input"][file].as_str() {
                keys.extend(
                    text.split(|c: char| !(c.is_ascii_alphanumeric() || "_-".contains(c)))
                        .filter(|w| !w.is_empty())
                        .map(str::to_string),
                );
            }
        }
        let config = &t["output"]["config"];
        for section in [
            sections(config.get("profiles")),
            sections(config.get("sso_sessions")),
        ] {
            for props in section.values() {
                keys.extend(props.keys().cloned());
            }
        }
    }
    keys
}

#[test]
fn every_case_of_the_sdks_parser_suite_reads_the_same() {
    let suite = fixture("profile-parser-tests.json");
    let tests = suite["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 65, "the SDKs' suite has 65 cases");
    let keys = candidate_keys(tests);
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for t in tests {
        let name = t["name"].as_str().unwrap();
        let input = &t["input"];
        let loaded = load(
            dir.path(),
            input["configFile"].as_str(),
            input["credentialsFile"].as_str(),
            None,
        );
        let output = &t["output"];
        let verdict = match (loaded, output.get("errorContaining")) {
            (Err(e), Some(words)) => {
                let words = words.as_str().unwrap();
                (e.to_string().contains(words))
                    .then_some(())
                    .ok_or(format!("error {e:?} lacks {words:?}"))
            }
            (Ok(_), Some(words)) => Err(format!("read without the error {words}")),
            (Err(e), None) => Err(format!("failed: {e}")),
            (Ok(files), None) => {
                let config = &output["config"];
                let read = |names: Vec<&str>, get: &dyn Fn(&str, &str) -> Option<String>| {
                    names
                        .into_iter()
                        .map(|n| {
                            let props = keys
                                .iter()
                                .filter_map(|k| get(n, k).map(|v| (k.to_ascii_lowercase(), v)))
                                .collect();
                            (n.to_string(), props)
                        })
                        .collect::<Sections>()
                };
                let profiles = read(files.names(), &|p, k| files.value(p, k).map(str::to_string));
                let sessions = read(files.sso_session_names(), &|s, k| {
                    files.sso_session_get(s, k).map(str::to_string)
                });
                let want_profiles = sections(config.get("profiles"));
                let want_sessions = sections(config.get("sso_sessions"));
                if profiles != want_profiles {
                    Err(format!("profiles {profiles:?}, expected {want_profiles:?}"))
                } else if sessions != want_sessions {
                    Err(format!(
                        "sso-sessions {sessions:?}, expected {want_sessions:?}"
                    ))
                } else {
                    Ok(())
                }
            }
        };
        if let Err(why) = verdict {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 65 differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The SDKs' static keys are envact's backend keys: the profile whose keys
/// the SDK would use is where envact's chain starts.
fn profile_holding(profiles: &serde_json::Map<String, Value>, key_id: &str) -> String {
    let holders: Vec<&String> = profiles
        .iter()
        .filter(|(_, p)| p["aws_access_key_id"].as_str() == Some(key_id))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(holders.len(), 1, "{key_id} in {holders:?}");
    holders[0].clone()
}

/// What envact does where it departs from the SDKs on purpose, by the
/// SDK's error: (the error's words, what envact does instead, why).
const DEPARTURES: [(&str, &str); 4] = [
    (
        "profile must contain `source_profile`",
        "a role_arn without source_profile is assumed from the backend's keys (envact's documented meaning)",
    ),
    (
        "profile missing aws_secret_access_key",
        "the keys come from envact's backend, never from the file: a profile with half a key pair is where the chain starts",
    ),
    (
        "profile missing aws_access_key_id",
        "the keys come from envact's backend, never from the file: a profile with half a key pair is where the chain starts",
    ),
    (
        "did not contain credential information",
        "the keys come from envact's backend, never from the file: a profile without keys is where the chain starts",
    ),
];

#[test]
fn every_assume_role_case_of_the_sdks_suite_that_applies_gives_the_same_chain() {
    let suite = fixture("assume-role-tests.json");
    let cases = suite.as_array().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut same, mut refused, mut departed, mut failures) = (0, 0, Vec::new(), Vec::new());
    for case in cases {
        // envact checks role ARNs (a 12-digit account); the suite's have 9
        // digits or are `arn:foo`. Made valid, the same in what goes in and
        // what comes out (envact's refusal of a bad ARN has its own test).
        let text = case
            .to_string()
            .replace("::123456789:", "::123456789012:")
            .replace("\"arn:foo\"", "\"arn:aws:iam::123456789012:role/Foo\"");
        let case: Value = serde_json::from_str(&text).unwrap();
        let docs = case["docs"].as_str().unwrap();
        let input = &case["input"];
        let profiles = input["profiles"].as_object().unwrap();
        let mut config = String::new();
        for (name, props) in profiles {
            config.push_str(&format!("[profile {name}]\n"));
            for (k, v) in props.as_object().unwrap() {
                config.push_str(&format!("{k} = {}\n", v.as_str().unwrap()));
            }
        }
        if let Some(sessions) = input["sso_sessions"].as_object() {
            for (name, props) in sessions {
                config.push_str(&format!("[sso-session {name}]\n"));
                for (k, v) in props.as_object().unwrap() {
                    config.push_str(&format!("{k} = {}\n", v.as_str().unwrap()));
                }
            }
        }
        let selected = input["selected_profile"].as_str().unwrap();
        let files = load(dir.path(), Some(&config), None, Some(selected)).unwrap();
        let request = ChainRequest {
            profile: Some(selected.to_string()),
            role_arn: None,
            mfa_serial: None,
            session_duration: Duration::from_secs(3600),
        };
        let got = resolve(&request, &files, None);
        let output = &case["output"];
        let verdict: Result<(), String> = if let Some(chain) = output["ProfileChain"].as_array() {
            let base = &chain[0];
            if let Some(keys) = base.get("AccessKey") {
                same += 1;
                let want_base = profile_holding(profiles, keys["access_key_id"].as_str().unwrap());
                let want_roles: Vec<(String, Option<String>, Option<String>)> = chain[1..]
                    .iter()
                    .map(|step| {
                        let r = &step["AssumeRole"];
                        let s = |k: &str| r[k].as_str().map(str::to_string);
                        (
                            s("role_arn").unwrap(),
                            s("external_id"),
                            s("role_session_name"),
                        )
                    })
                    .collect();
                match got {
                    Ok(chain) => {
                        let roles: Vec<_> = chain
                            .roles
                            .iter()
                            .map(|r| {
                                (
                                    r.role_arn.to_string(),
                                    r.external_id.clone(),
                                    r.session_name.clone(),
                                )
                            })
                            .collect();
                        if chain.base_profile.as_deref() != Some(want_base.as_str()) {
                            Err(format!(
                                "starts from {:?}, expected {want_base}",
                                chain.base_profile
                            ))
                        } else if roles != want_roles {
                            Err(format!("roles {roles:?}, expected {want_roles:?}"))
                        } else {
                            Ok(())
                        }
                    }
                    Err(e) => Err(format!("failed: {e}")),
                }
            } else if let Some(sso) = base.get("Sso") {
                // An SSO profile: the chain starts from its sign-in, as the
                // SDKs' does; a sign-in without a role gives envact nothing.
                let want = |k: &str| sso[k].as_str().map(str::to_string);
                match (&got, want("sso_account_id")) {
                    (Ok(chain), Some(account)) => {
                        same += 1;
                        let got_sso = chain.sso.as_ref().map(|c| {
                            (
                                c.start_url.clone(),
                                c.region.clone(),
                                c.account_id.clone(),
                                c.role_name.clone(),
                            )
                        });
                        let wanted = (
                            want("sso_start_url").unwrap_or_default(),
                            want("sso_region").unwrap_or_default(),
                            account,
                            want("sso_role_name").unwrap_or_default(),
                        );
                        (got_sso.as_ref() == Some(&wanted))
                            .then_some(())
                            .ok_or(format!("starts from {got_sso:?}, expected {wanted:?}"))
                    }
                    (Err(ProfileError::BadValue { reason, .. }), None)
                        if reason.contains("sign-in but no role") =>
                    {
                        departed.push(format!(
                            "{docs}: the SDKs give a token provider; envact: a sign-in without sso_account_id and sso_role_name gives no credentials, refused naming them"
                        ));
                        Ok(())
                    }
                    (other, _) => Err(format!(
                        "expected the chain to start from {sso}, got {other:?}"
                    )),
                }
            } else {
                // Web identity, a named credential_source: refused by name.
                refused += 1;
                match got {
                    Err(ProfileError::Unsupported { key, .. })
                        if key == "credential_source"
                            || key == "web_identity_token_file"
                            || key.starts_with("sso_") =>
                    {
                        Ok(())
                    }
                    other => Err(format!(
                        "expected a refusal naming the source, got {other:?}"
                    )),
                }
            }
        } else {
            let words = output["Error"].as_str().unwrap();
            if let Some((_, instead)) = DEPARTURES.iter().find(|(w, _)| words.contains(w)) {
                departed.push(format!("{docs}: the SDKs say {words:?}; envact: {instead}"));
                // Where envact departs, it starts the chain at the profile
                // the SDK found without keys (the selected one or its source).
                let base = profiles
                    .get(selected)
                    .and_then(|p| p["source_profile"].as_str())
                    .unwrap_or(selected);
                match got {
                    Ok(chain) if chain.base_profile.as_deref() == Some(base) => Ok(()),
                    other => Err(format!("expected a chain from {base}, got {other:?}")),
                }
            } else {
                same += 1;
                let ok = match &got {
                    Err(ProfileError::Missing {
                        referenced_by: Some(_),
                        ..
                    }) => words.contains("could not find source profile"),
                    Err(ProfileError::Missing {
                        referenced_by: None,
                        ..
                    }) => words.contains("No profiles were defined"),
                    Err(ProfileError::Loop { .. }) => words.contains("infinite loop"),
                    Err(ProfileError::TwoSources { .. }) => {
                        words.contains("both source_profile and credential_source")
                    }
                    // A web identity profile is refused before its details are checked.
                    Err(ProfileError::Unsupported { key, .. }) => *key == "web_identity_token_file",
                    // SSO settings that do not hold together, in the SDKs' words.
                    Err(ProfileError::BadValue { reason, .. }) => words == reason,
                    _ => false,
                };
                ok.then_some(())
                    .ok_or(format!("the SDKs say {words:?}, envact {got:?}"))
            }
        };
        if let Err(why) = verdict {
            failures.push(format!("{docs}: {why}"));
        }
    }
    // Listed in the test's output: where envact departs, and why.
    eprintln!("{same} cases as the SDKs, {refused} refused by name (web identity, credential_source), {} departed:\n{}", departed.len(), departed.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(same + refused + departed.len(), cases.len());
    assert_eq!(departed.len(), 6, "{departed:?}");
}

/// What a table case expects of the profile `dev`.
enum Expect {
    /// Read: the chain's MFA device, each role's ARN and duration.
    Chain {
        mfa: Option<&'static str>,
        roles: &'static [(&'static str, u64)],
    },
    /// Refused, the error naming these.
    Refused(&'static [&'static str]),
}

/// Config-file cases from the other SDKs' and tools' own tests (botocore,
/// the Go and JS SDKs, granted), outside the shared suite, where envact once
/// departed from them: each now reads as they do, or is refused by name where
/// envact does not support the source (never assumed with the backend's keys).
#[test]
fn config_cases_from_other_sdks_tests_read_as_the_sdks_do() {
    const ROLE: &str = "arn:aws:iam::123456789012:role/dev";
    let cases: &[(&str, &str, Expect)] = &[
        (
            "a hardware token's serial number is an MFA device, as STS's SerialNumber takes it",
            "mfa_serial = GAHT12345678\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = dev\n",
            Expect::Chain {
                mfa: Some("GAHT12345678"),
                roles: &[(ROLE, 3600)],
            },
        ),
        (
            "a partition AWS adds later is taken by its shape",
            "role_arn = arn:aws-eusc:iam::123456789012:role/dev\nsource_profile = dev\n",
            Expect::Chain {
                mfa: None,
                roles: &[("arn:aws-eusc:iam::123456789012:role/dev", 3600)],
            },
        ),
        (
            "a duration_seconds that is not a number is ignored",
            "role_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = dev\nduration_seconds = one hour\n",
            Expect::Chain {
                mfa: None,
                roles: &[(ROLE, 3600)],
            },
        ),
        (
            "a duration_seconds STS would refuse is named",
            "role_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = dev\nduration_seconds = 60\n",
            Expect::Refused(&["duration_seconds"]),
        ),
        (
            "role_arn with credential_process and no source_profile is refused (the security defect)",
            "role_arn = arn:aws:iam::123456789012:role/dev\ncredential_process = /usr/bin/get-creds\n",
            Expect::Refused(&["dev", "credential_process"]),
        ),
        (
            "role_arn with sso_session and no source_profile is refused (the security defect)",
            "role_arn = arn:aws:iam::123456789012:role/dev\nsso_session = corp\n",
            Expect::Refused(&["dev", "sso_session"]),
        ),
        (
            "role_arn with sso_start_url and no source_profile is refused",
            "role_arn = arn:aws:iam::123456789012:role/dev\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
            Expect::Refused(&["dev", "sso_"]),
        ),
        (
            "role_arn with credential_source and no source_profile is refused",
            "role_arn = arn:aws:iam::123456789012:role/dev\ncredential_source = Ec2InstanceMetadata\n",
            Expect::Refused(&["dev", "credential_source"]),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (what, profile, expect) in cases {
        let config = format!("[profile dev]\n{profile}[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n");
        let files = load(dir.path(), Some(&config), None, Some("dev")).unwrap();
        let request = ChainRequest {
            profile: Some("dev".into()),
            role_arn: None,
            mfa_serial: None,
            session_duration: Duration::from_secs(3600),
        };
        let got = resolve(&request, &files, None);
        let verdict = match (expect, &got) {
            (Expect::Chain { mfa, roles }, Ok(chain)) => {
                let got_mfa = chain.mfa_serial.as_ref().map(|m| m.to_string());
                let got_roles: Vec<(String, u64)> = chain
                    .roles
                    .iter()
                    .map(|r| (r.role_arn.to_string(), r.duration.as_secs()))
                    .collect();
                let want_roles: Vec<(String, u64)> =
                    roles.iter().map(|(a, d)| (a.to_string(), *d)).collect();
                (got_mfa.as_deref() == *mfa && got_roles == want_roles)
                    .then_some(())
                    .ok_or(format!("read as {got_mfa:?} {got_roles:?}"))
            }
            (Expect::Refused(words), Err(e)) => {
                let text = e.to_string();
                words
                    .iter()
                    .all(|w| text.contains(w))
                    .then_some(())
                    .ok_or(format!("refused, but said: {text}"))
            }
            (_, other) => Err(format!("got {other:?}")),
        };
        if let Err(why) = verdict {
            failures.push(format!("{what}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
