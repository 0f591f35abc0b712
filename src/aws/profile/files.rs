//! The two AWS shared files, `~/.aws/config` and `~/.aws/credentials` (or the
//! files `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` name), parsed into
//! profiles, and what can be wrong with them.

use ini::Ini;

use crate::private_fs::{read_text, MAX_FILE};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

type Section = HashMap<String, String>;

/// The two AWS shared files, parsed.
#[derive(Debug, Default)]
pub struct AwsFiles {
    pub(super) config_path: PathBuf,
    credentials_path: PathBuf,
    /// `[profile NAME]` and `[default]` sections of the config file, by NAME.
    config: HashMap<String, Section>,
    /// `[NAME]` sections of the credentials file.
    credentials: HashMap<String, Section>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },

    #[error("profile {name:?} does not exist in {}{}", path.display(), referenced_by.as_ref().map(|r| format!(" (it is the source_profile of {r:?})")).unwrap_or_default())]
    Missing {
        name: String,
        referenced_by: Option<String>,
        path: PathBuf,
    },

    #[error("the source_profile chain loops: {}", chain.join(" -> "))]
    Loop { chain: Vec<String> },

    #[error("profile {profile:?} in {} gets its credentials through {key}, which envact cannot follow: it would trade the backend's keys instead and act as someone else", path.display())]
    Unsupported {
        profile: String,
        key: &'static str,
        path: PathBuf,
    },

    #[error("profile {profile:?} in {}: {key} = {value:?} is invalid: {reason}", path.display())]
    BadValue {
        profile: String,
        key: &'static str,
        value: String,
        reason: String,
        path: PathBuf,
    },
}

impl ProfileError {
    pub fn help(&self) -> &'static str {
        match self {
            ProfileError::Read { .. } => "fix the file's syntax, or point AWS_CONFIG_FILE elsewhere",
            ProfileError::Missing { .. } => "add the profile to ~/.aws/config, or fix the name in the manifest's [aws] profile or the source_profile",
            ProfileError::Loop { .. } => "make one profile in the chain end it: a profile without source_profile",
            ProfileError::BadValue { .. } => "fix the value in the AWS config file",
            ProfileError::Unsupported { .. } => "name a profile whose chain starts from long-term keys (envact reads those from its backend) in the manifest's [aws] profile, or use the AWS CLI's own login for this one (SSO is not supported yet)",
        }
    }
}

impl AwsFiles {
    /// Reads both files; a file that does not exist counts as empty.
    pub fn load(config_path: &Path, credentials_path: &Path) -> Result<AwsFiles, ProfileError> {
        let read =
            |path: &Path, config_style: bool| -> Result<HashMap<String, Section>, ProfileError> {
                if !path.exists() {
                    return Ok(HashMap::new());
                }
                let read = |reason: String| ProfileError::Read {
                    path: path.to_path_buf(),
                    reason,
                };
                let text = read_text(path, MAX_FILE).map_err(|e| read(e.to_string()))?;
                let ini = Ini::load_from_str(&text).map_err(|e| read(e.to_string()))?;
                Ok(ini
                    .iter()
                    .filter_map(|(section, props)| {
                        let section = section?.trim();
                        let name = if config_style {
                            match section.strip_prefix("profile ") {
                                Some(name) => name.trim(),
                                None if section == "default" => "default",
                                None => return None, // [sso-session x], [services x]
                            }
                        } else {
                            section
                        };
                        let values = props
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect();
                        Some((name.to_string(), values))
                    })
                    .collect())
            };
        Ok(AwsFiles {
            config: read(config_path, true)?,
            credentials: read(credentials_path, false)?,
            config_path: config_path.to_path_buf(),
            credentials_path: credentials_path.to_path_buf(),
        })
    }

    /// The files' paths from the environment, as the AWS CLI finds them.
    pub fn paths(
        var: impl Fn(&str) -> Option<std::ffi::OsString>,
        home: &Path,
    ) -> (PathBuf, PathBuf) {
        let config = var("AWS_CONFIG_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".aws/config"));
        let credentials = var("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".aws/credentials"));
        (config, credentials)
    }

    pub(super) fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.config
            .get(profile)
            .and_then(|s| s.get(key))
            .or_else(|| self.credentials.get(profile).and_then(|s| s.get(key)))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub(super) fn exists(&self, profile: &str) -> bool {
        self.config.contains_key(profile) || self.credentials.contains_key(profile)
    }

    /// Profiles whose long-term secret sits in plain text in the credentials file.
    pub fn plaintext_keys(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .credentials
            .iter()
            .filter(|(_, s)| s.contains_key("aws_secret_access_key"))
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        names
    }

    /// Every profile's name, sorted, with its `mfa_serial` when it has one.
    pub fn profiles(&self) -> Vec<(String, Option<String>)> {
        let mut names: Vec<&String> = self.config.keys().chain(self.credentials.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .map(|n| (n.clone(), self.get(n, "mfa_serial").map(str::to_string)))
            .collect()
    }

    pub fn credentials_path(&self) -> &Path {
        &self.credentials_path
    }

    pub(super) fn bad(
        &self,
        profile: &str,
        key: &'static str,
        value: &str,
        reason: impl ToString,
    ) -> ProfileError {
        ProfileError::BadValue {
            profile: profile.to_string(),
            key,
            value: value.to_string(),
            reason: reason.to_string(),
            path: self.config_path.clone(),
        }
    }
}
