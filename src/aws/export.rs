//! Credentials in the forms other tools read: shell `export` lines, JSON, and
//! the AWS `credential_process` protocol (Version 1, with Expiration).

use secrecy::zeroize::Zeroizing;
use secrecy::ExposeSecret;
use shell_quote::Bash;

use super::{rfc3339, Credentials};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Env,
    Json,
    CredentialProcess,
}

/// Where SDKs and the AWS CLI read the region (the CLI v1 only the second).
pub const REGION_VARS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// The variables a command gets, in order.
pub fn variables(
    creds: &Credentials,
    region: Option<&str>,
) -> Vec<(&'static str, Zeroizing<String>)> {
    let z = |s: &str| Zeroizing::new(s.to_string());
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", z(creds.access_key_id.expose_secret())),
        (
            "AWS_SECRET_ACCESS_KEY",
            z(creds.secret_access_key.expose_secret()),
        ),
    ];
    if let Some(token) = &creds.session_token {
        vars.push(("AWS_SESSION_TOKEN", z(token.expose_secret())));
    }
    if let Some(exp) = creds.expiration {
        vars.push(("AWS_CREDENTIAL_EXPIRATION", z(&rfc3339(exp))));
    }
    if let Some(region) = region {
        for name in REGION_VARS {
            vars.push((name, z(region)));
        }
    }
    vars
}

pub fn render(
    creds: &Credentials,
    region: Option<&str>,
    format: Format,
) -> secrecy::zeroize::Zeroizing<String> {
    let text = match format {
        Format::Env => variables(creds, region)
            .into_iter()
            .map(|(k, v)| {
                format!(
                    "export {k}={}\n",
                    String::from_utf8_lossy(&Bash::quote_vec(v.as_str()))
                )
            })
            .collect(),
        Format::Json | Format::CredentialProcess => {
            let mut value = serde_json::json!({
                "AccessKeyId": creds.access_key_id.expose_secret(),
                "SecretAccessKey": creds.secret_access_key.expose_secret(),
                "SessionToken": creds.session_token.as_ref().map(|t| t.expose_secret()),
                "Expiration": creds.expiration.map(rfc3339),
            });
            if format == Format::CredentialProcess {
                value["Version"] = serde_json::json!(1);
            } else if let Some(region) = region {
                value["Region"] = serde_json::json!(region);
            }
            format!("{value}\n")
        }
    };
    Zeroizing::new(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn credential_process_is_version_1_with_expiration() {
        let creds = Credentials {
            access_key_id: SecretString::from("ASIAX"),
            secret_access_key: SecretString::from("s/+"),
            session_token: Some(SecretString::from("tok")),
            expiration: super::super::parse_rfc3339("2026-11-25T21:00:00Z"),
        };
        let out = render(&creds, Some("eu-west-1"), Format::CredentialProcess);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["Version"], 1);
        assert_eq!(v["Expiration"], "2026-11-25T21:00:00Z");
        assert_eq!(v["SessionToken"], "tok");
        let env = render(&creds, Some("eu-west-1"), Format::Env);
        assert!(env.contains("export AWS_SECRET_ACCESS_KEY="), "{}", *env);
        assert!(env.contains("export AWS_REGION=eu-west-1\n"), "{}", *env);
    }
}
