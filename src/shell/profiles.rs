//! The profiles an activation gives by name (`[aws.profiles]`): the AWS
//! config file it owns in its runtime directory, which every AWS tool reads
//! through `AWS_CONFIG_FILE` (the person's own file, with each profile of
//! the environment in place of any of the same name, answered by
//! `credential_process = envact export -p NAME`), and the variables that
//! tell `envact exec` inside the activation which profiles there are.

use std::ffi::OsString;
use std::path::Path;

use crate::shell::Enclosing;

/// The file's name in the runtime directory.
pub const CONFIG_FILE: &str = "aws-config";
/// The environment's profiles, comma-separated.
pub const ENV_PROFILES: &str = "ENVACT_AWS_PROFILES";
/// The profile commands get when they name none.
pub const ENV_DEFAULT_PROFILE: &str = "ENVACT_AWS_DEFAULT_PROFILE";

/// The profiles of the activation `envact exec` runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profiles {
    pub names: Vec<String>,
    pub default: String,
    /// The manifest, for errors.
    manifest: std::path::PathBuf,
}

impl Profiles {
    /// The profiles of the live activation this process runs in (`var`:
    /// its environment), if it has any.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Option<Profiles> {
        let active = Enclosing::from_vars(&var).filter(Enclosing::is_live)?;
        let names = var(ENV_PROFILES)?.into_string().ok()?;
        let default = var(ENV_DEFAULT_PROFILE)?.into_string().ok()?;
        Some(Profiles {
            names: names.split(',').map(str::to_string).collect(),
            default,
            manifest: active.manifest.unwrap_or(active.dir),
        })
    }

    /// The profile a command gets: the one asked for (`-p`), which must be
    /// one of the environment's; else the one `AWS_PROFILE` already names
    /// (perhaps one of the person's own, kept in the file); else the default.
    pub fn choose(
        &self,
        asked: Option<&str>,
        aws_profile: Option<&str>,
    ) -> Result<String, NotAProfile> {
        match asked {
            Some(name) if self.names.iter().any(|n| n == name) => Ok(name.to_string()),
            Some(name) => Err(NotAProfile {
                name: name.to_string(),
                known: self.names.join(", "),
                manifest: self.manifest.clone(),
            }),
            None => Ok(aws_profile
                .filter(|p| !p.is_empty())
                .unwrap_or(&self.default)
                .to_string()),
        }
    }
}

/// A name asked for that is not one of the activation's profiles.
#[derive(Debug)]
pub struct NotAProfile {
    pub name: String,
    /// `a, b, c`.
    pub known: String,
    pub manifest: std::path::PathBuf,
}

/// One profile as the file gives it.
pub struct Entry<'a> {
    pub name: &'a str,
    pub region: Option<&'a str>,
}

/// The text of the activation's AWS config file: `person` (the text of
/// their own config file, if any) without the sections of the same names as
/// `entries`, then a section for each entry whose `credential_process` runs
/// `envact_bin`. Replaced, not repeated: the AWS CLI v1 refuses a section
/// written twice.
pub fn config_text(person: Option<&str>, entries: &[Entry], envact_bin: &Path) -> String {
    let ours = |header: &str| {
        let words: Vec<&str> = header.split_whitespace().collect();
        let name = match words.as_slice() {
            ["profile", name] => *name,
            ["default"] => "default",
            _ => return false,
        };
        entries.iter().any(|e| e.name == name)
    };
    let mut out = String::new();
    let mut skipping = false;
    for line in person.unwrap_or("").split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.split(']').next()) {
            skipping = ours(header);
        }
        if !skipping {
            out.push_str(line);
        }
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let program = shell_word(&envact_bin.to_string_lossy());
    for entry in entries {
        out.push_str(&format!(
            "\n# envact: this activation's profile {name}\n[profile {name}]\n\
             credential_process = {program} export -p {name} --format credential-process\n",
            name = entry.name
        ));
        if let Some(region) = entry.region {
            out.push_str(&format!("region = {region}\n"));
        }
    }
    out
}

/// `word` as one word for `sh -c` (how the Rust and Go SDKs run a
/// `credential_process`) and for Python's shlex (how botocore splits it).
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c));
    match plain {
        true => word.to_string(),
        false => format!("'{}'", word.replace('\'', r"'\''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_persons_file_is_kept_but_for_sections_of_the_same_names() {
        let person = "[default]\noutput = json\n\n[profile prod]\nregion = us-west-2\n\
                      [profile sandbox]\nregion = eu-north-1\n[sso-session corp]\nsso_region = eu-west-1\n\
                      [ profile   dev ]\nregion = x\n[services s3x]\ns3 =\n  max_concurrent_requests = 20\n";
        let text = config_text(
            Some(person),
            &[
                Entry {
                    name: "dev",
                    region: Some("eu-west-1"),
                },
                Entry {
                    name: "prod",
                    region: None,
                },
            ],
            Path::new("/opt/my tools/envact"),
        );
        assert_eq!(
            text,
            "[default]\noutput = json\n\n[profile sandbox]\nregion = eu-north-1\n[sso-session corp]\n\
             sso_region = eu-west-1\n[services s3x]\ns3 =\n  max_concurrent_requests = 20\n\
             \n# envact: this activation's profile dev\n[profile dev]\n\
             credential_process = '/opt/my tools/envact' export -p dev --format credential-process\n\
             region = eu-west-1\n\
             \n# envact: this activation's profile prod\n[profile prod]\n\
             credential_process = '/opt/my tools/envact' export -p prod --format credential-process\n"
        );
        // A profile named default replaces [default]; no file of one's own.
        let text = config_text(
            Some("[default]\nregion = a"),
            &[Entry {
                name: "default",
                region: None,
            }],
            Path::new("/bin/envact"),
        );
        assert!(!text.contains("region = a"), "{text}");
        assert!(
            text.contains("[profile default]\ncredential_process = /bin/envact export -p default")
        );
        assert!(config_text(None, &[], Path::new("/e")).is_empty());
    }

    #[test]
    fn a_command_gets_the_profile_asked_for_else_aws_profile_else_the_default() {
        let p = Profiles {
            names: vec!["dev".into(), "prod".into()],
            default: "dev".into(),
            manifest: "m.toml".into(),
        };
        assert_eq!(p.choose(Some("prod"), Some("dev")).unwrap(), "prod");
        assert_eq!(p.choose(None, Some("sandbox")).unwrap(), "sandbox");
        assert_eq!(p.choose(None, Some("")).unwrap(), "dev");
        assert_eq!(p.choose(None, None).unwrap(), "dev");
        let err = p.choose(Some("nope"), None).unwrap_err();
        assert_eq!(
            (err.name.as_str(), err.known.as_str()),
            ("nope", "dev, prod")
        );
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
