//! The two AWS shared files, `~/.aws/config` and `~/.aws/credentials` (or the
//! files `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` name), parsed by
//! the AWS SDK's own parser (the one aws-config's `profile` module
//! re-exports), and what can be wrong with them.
//!
//! The SDK's parser is what the AWS SDKs agree on (their shared test suite:
//! tests/it/aws_files_like_the_sdks.rs): comments after a section header, `s3 =`
//! blocks of sub-properties, continuation lines, duplicate sections merged,
//! the credentials file over the config file, case-insensitive keys.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_runtime::env_config::section::EnvConfigSections;
use aws_runtime::env_config::{source, EnvConfigValue};
use aws_types::os_shim_internal::{Env, Fs};

use crate::private_fs::{read_text, MAX_FILE};

/// The two AWS shared files, parsed.
#[derive(Debug)]
pub struct AwsFiles {
    pub(super) config_path: PathBuf,
    credentials_path: PathBuf,
    /// Both files merged as the SDKs merge them, `selected` the profile whose
    /// settings (endpoint) apply.
    set: EnvConfigSections,
    /// Profiles whose secret key sits in the config file, and those whose
    /// secret key sits in the credentials file.
    secrets_in: [Vec<String>; 2],
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },

    /// `where_` is `FILE, line N` (the SDK's words when they cannot be
    /// taken apart), `what` the SDK's own words on what is wrong.
    #[error("{where_} is not valid in an AWS config file: {what}")]
    Syntax { where_: String, what: String },

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

    #[error("profile {profile:?} in {} sets both source_profile and credential_source: only one can say where its credentials come from", path.display())]
    TwoSources { profile: String, path: PathBuf },

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
            ProfileError::Read { .. } => "check the file's permissions, or point AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE elsewhere",
            ProfileError::Syntax { .. } => "fix that line (the AWS SDKs refuse it too), or point AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE elsewhere",
            ProfileError::Missing { .. } => "add the profile to ~/.aws/config, or fix the name in the manifest's [aws] profile or the source_profile",
            ProfileError::Loop { .. } => "make one profile in the chain end it: a profile without source_profile",
            ProfileError::TwoSources { .. } => "keep source_profile (envact reads its keys from the backend) and remove credential_source",
            ProfileError::BadValue { .. } => "fix the value in the AWS config file",
            ProfileError::Unsupported { .. } => "name a profile whose chain starts from long-term keys (envact reads those from its backend) in the manifest's [aws] profile, or use the AWS CLI's own login for this one (web identity, credential_source and credential_process are not supported yet; SSO profiles are, at the base of a chain)",
        }
    }
}

/// Polls a future that cannot wait: the SDK's loader is async, but with the
/// files' text already in memory it never suspends.
fn now<T>(future: impl std::future::Future<Output = T>) -> Option<T> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(value) => Some(value),
        std::task::Poll::Pending => None,
    }
}

/// `files` (kind, path, text) parsed and merged by the SDK, in that order.
fn parse(
    files: &[(EnvConfigFileKind, &Path, &str)],
    selected: &str,
) -> Result<EnvConfigSections, ProfileError> {
    if files.is_empty() {
        // (The SDK's file set must not be empty.)
        return Ok(EnvConfigSections::default());
    }
    let names: Vec<String> = files
        .iter()
        .map(|(_, path, _)| path.to_string_lossy().into_owned())
        .collect();
    let texts: Vec<(&str, &str)> = names
        .iter()
        .zip(files)
        .map(|(name, (_, _, text))| (name.as_str(), *text))
        .collect();
    let mut builder = EnvConfigFiles::builder();
    for (name, (kind, _, _)) in names.iter().zip(files) {
        builder = builder.with_file(*kind, name);
    }
    let fs = Fs::from_slice(&texts);
    let env = Env::from_slice(&[]);
    let syntax = |detail: String| syntax_error(&detail);
    let mut source = now(source::load(&env, &fs, &builder.build()))
        .ok_or_else(|| syntax("the parser did not finish".into()))?
        .map_err(|e| {
            syntax(std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string()))
        })?;
    source.profile = Cow::Owned(selected.to_string());
    EnvConfigSections::parse(source).map_err(|e| syntax(e.to_string()))
}

/// The SDK's "error parsing FILE on line N:\n  WHAT", as `FILE, line N` and
/// `WHAT`; anything else whole.
fn syntax_error(detail: &str) -> ProfileError {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let parts = detail
        .strip_prefix("error parsing ")
        .and_then(|rest| rest.split_once(':'))
        .and_then(|(place, what)| place.rsplit_once(" on line ").map(|(f, n)| (f, n, what)));
    match parts {
        Some((file, line, what)) => ProfileError::Syntax {
            where_: format!("{file}, line {line}"),
            what: flat(what),
        },
        None => ProfileError::Syntax {
            where_: "a line".into(),
            what: flat(detail),
        },
    }
}

impl AwsFiles {
    /// Reads both files (one that does not exist counts as empty);
    /// `selected` is the profile whose endpoint settings apply (`default`
    /// when none is named).
    pub fn load(
        config_path: &Path,
        credentials_path: &Path,
        selected: Option<&str>,
    ) -> Result<AwsFiles, ProfileError> {
        let read = |path: &Path| -> Result<Option<String>, ProfileError> {
            if !path.exists() {
                return Ok(None);
            }
            read_text(path, MAX_FILE)
                .map(Some)
                .map_err(|e| ProfileError::Read {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })
        };
        let config = read(config_path)?;
        let credentials = read(credentials_path)?;
        let config = config
            .as_deref()
            .map(|text| (EnvConfigFileKind::Config, config_path, text));
        let credentials = credentials
            .as_deref()
            .map(|text| (EnvConfigFileKind::Credentials, credentials_path, text));
        let selected = selected.filter(|s| !s.is_empty()).unwrap_or("default");
        let both: Vec<_> = config.iter().chain(&credentials).copied().collect();
        let set = parse(&both, selected)?;
        // Each file alone: where a secret key sits, for the warning.
        let secrets_in = [config, credentials].map(|file| {
            let Some(one) = file.and_then(|f| parse(&[f], selected).ok()) else {
                return Vec::new();
            };
            let mut names: Vec<String> = one
                .profiles()
                .filter(|p| {
                    one.get_profile(p)
                        .and_then(|p| p.get("aws_secret_access_key"))
                        .is_some_and(|v| !v.is_empty())
                })
                .map(str::to_string)
                .collect();
            names.sort();
            names
        });
        Ok(AwsFiles {
            config_path: config_path.to_path_buf(),
            credentials_path: credentials_path.to_path_buf(),
            set,
            secrets_in,
        })
    }

    /// The files' paths from the environment, as the AWS CLI finds them
    /// (a leading `~/` is the home directory, as the SDKs expand it).
    pub fn paths(
        var: impl Fn(&str) -> Option<std::ffi::OsString>,
        home: &Path,
    ) -> (PathBuf, PathBuf) {
        let path = |name: &str, default: &str| {
            let given = var(name)
                .map(PathBuf::from)
                .filter(|p| !p.as_os_str().is_empty());
            match given {
                Some(p) => match p.strip_prefix("~") {
                    Ok(rest) => home.join(rest),
                    Err(_) => p,
                },
                None => home.join(default),
            }
        };
        (
            path("AWS_CONFIG_FILE", ".aws/config"),
            path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"),
        )
    }

    /// A profile's value for `key` (any case), empty counting as unset.
    pub fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.value(profile, key).filter(|v| !v.is_empty())
    }

    /// A profile's value for `key` (any case) as the file has it, empty or not.
    pub fn value(&self, profile: &str, key: &str) -> Option<&str> {
        self.set.get_profile(profile).and_then(|p| p.get(key))
    }

    pub fn exists(&self, profile: &str) -> bool {
        self.set.get_profile(profile).is_some()
    }

    /// Every profile's name, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.set.profiles().collect();
        names.sort_unstable();
        names
    }

    /// Every `[sso-session NAME]`'s name, sorted.
    pub fn sso_session_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.set.sso_sessions().collect();
        names.sort_unstable();
        names
    }

    /// An `[sso-session NAME]`'s value for `key`.
    pub fn sso_session_get(&self, session: &str, key: &str) -> Option<&str> {
        self.set.sso_session(session).and_then(|s| s.get(key))
    }

    /// Profiles whose long-term secret sits in plain text, with the file.
    pub fn plaintext_keys(&self) -> Vec<(String, &Path)> {
        let paths = [self.config_path.as_path(), &self.credentials_path];
        self.secrets_in
            .iter()
            .zip(paths)
            .flat_map(|(names, path)| names.iter().map(move |n| (n.clone(), path)))
            .collect()
    }

    /// Every profile's name, sorted, with its `mfa_serial` when it has one.
    pub fn profiles(&self) -> Vec<(String, Option<String>)> {
        self.names()
            .into_iter()
            .map(|n| (n.to_string(), self.get(n, "mfa_serial").map(str::to_string)))
            .collect()
    }

    /// The STS endpoint the SDKs would call (see [`AwsFiles::endpoint`]).
    pub fn sts_endpoint(&self, var: impl Fn(&str) -> Option<String>) -> Option<String> {
        self.endpoint("sts", var)
    }

    /// The endpoint the SDKs would call for the service `service_id` (its
    /// SDK id: `sts`, `SSO OIDC`, `SSO`), from `var` (the environment as the
    /// commands see it) and the selected profile: `AWS_ENDPOINT_URL_<ID>`,
    /// `AWS_ENDPOINT_URL`, the profile's `services` section for the
    /// service, its `endpoint_url`; none of them when
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's
    /// `ignore_configured_endpoint_urls` is true.
    pub fn endpoint(
        &self,
        service_id: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let own = format!(
            "AWS_ENDPOINT_URL_{}",
            service_id.to_uppercase().replace([' ', '-'], "_")
        );
        let names = [
            "AWS_ENDPOINT_URL",
            own.as_str(),
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        ];
        let env: HashMap<String, String> = names
            .iter()
            .filter_map(|n| var(n).map(|v| (n.to_string(), v)))
            .collect();
        let env = Env::from(env);
        let ignore = EnvConfigValue::new()
            .env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .profile("ignore_configured_endpoint_urls")
            .load(&env, Some(&self.set))
            .is_some_and(|(v, _)| v.trim().eq_ignore_ascii_case("true"));
        if ignore {
            return None;
        }
        EnvConfigValue::new()
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .service_id(service_id)
            .load(&env, Some(&self.set))
            .map(|(v, _)| v.into_owned())
            .filter(|v| !v.is_empty())
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
