//! Where an environment's credentials start, decided with its profile
//! chain: what the source needs of the manifest (a backend's `[secrets]` for
//! keys), what identifies it for the session cache, and the start it gives
//! the flow ([`Start`]): long-term keys in a secrets backend, or an IAM
//! Identity Center sign-in's role credentials. Another source is a variant
//! here, how [`CredentialSource::of`] finds it, and its start: the flow, the
//! cache and the agent take any source.

use secrecy::SecretString;
use std::path::Path;

use super::key_age::KeyAgeCheck;
use super::sso::Sso;
use super::store::{open_for, Opened};
use crate::aws::flow::Start;
use crate::aws::iam::SdkIam;
use crate::aws::profile::{AwsFiles, ProfileChain};
use crate::context::Context;
use crate::manifest::Manifest;
use crate::secrets::read_keys;
use crate::state::key_ages::KeyAges;
use crate::ui::Ui;
use crate::Error;

pub enum CredentialSource {
    /// Long-term keys in a secrets backend, read only when STS must be
    /// called (never given to a command as they are).
    BackendKeys {
        opened: Opened,
        item: String,
        /// IAM asked, once a day, how old the key is.
        age: KeyAgeCheck,
    },
    /// An IAM Identity Center sign-in, and the role it gives.
    Sso(Sso),
}

impl CredentialSource {
    /// The source the (completed) manifest at `manifest_path` names; `files`
    /// and `var` (the environment as commands see it) give the endpoints.
    pub fn of(
        cx: &Context,
        manifest: &Manifest,
        manifest_path: &Path,
        files: &AwsFiles,
        var: &dyn Fn(&str) -> Option<String>,
        chain: &ProfileChain,
    ) -> Result<CredentialSource, Error> {
        // A profile chain that starts from an SSO profile's sign-in.
        if let Some(config) = &chain.sso {
            return Ok(CredentialSource::Sso(Sso::new(
                config.clone(),
                files,
                var,
                cx.dirs.home.clone(),
            )));
        }
        if let Some(sso) = manifest.aws.as_ref().and_then(|a| a.sso.as_ref()) {
            let config = sso.config().ok_or_else(|| Error::Unanswered {
                manifest: manifest_path.to_path_buf(),
                flags: [
                    (sso.account_id.is_none(), "--sso-account ID"),
                    (sso.role_name.is_none(), "--sso-role NAME"),
                ]
                .into_iter()
                .filter_map(|(open, flag)| open.then_some(flag))
                .collect(),
                remote: None,
            })?;
            return Ok(CredentialSource::Sso(Sso::new(
                config,
                files,
                var,
                cx.dirs.home.clone(),
            )));
        }
        let without_secrets = || Error::AwsWithoutSecrets {
            manifest: manifest_path.to_path_buf(),
        };
        let secrets = manifest.secrets.as_ref().ok_or_else(without_secrets)?;
        let item = secrets
            .item_to_read()
            .map(str::to_string)
            .ok_or_else(|| Error::NoItem {
                manifest: manifest_path.to_path_buf(),
            })?;
        let opened = open_for(cx, manifest)?.ok_or_else(without_secrets)?;
        let age = KeyAgeCheck::new(
            KeyAges::of(&cx.dirs),
            opened.age_key(&item),
            SdkIam::new(
                &var("AWS_REGION")
                    .or_else(|| var("AWS_DEFAULT_REGION"))
                    .unwrap_or_else(|| super::DEFAULT_REGION.to_string()),
                files.endpoint("iam", var),
                crate::shell::supervise::block_in_this_thread,
            ),
        );
        Ok(CredentialSource::BackendKeys { opened, item, age })
    }

    /// What identifies the source: kept sessions are reused only for it.
    pub fn identity(&self) -> String {
        match self {
            CredentialSource::BackendKeys { opened, item, .. } => {
                format!("{}|{:?}|{item}", opened.store.backend(), opened.vault)
            }
            CredentialSource::Sso(sso) => format!(
                "sso|{}|{}|{}",
                sso.config.start_url, sso.config.account_id, sso.config.role_name
            ),
        }
    }

    /// Whether [`CredentialSource::start`] gives temporary credentials.
    pub fn temporary(&self) -> bool {
        match self {
            CredentialSource::BackendKeys { .. } => false,
            CredentialSource::Sso(_) => true,
        }
    }

    /// Where the flow starts, read behind the busy indicator; `may_ask`:
    /// the person may be asked (a sign-in started), false for the agent's
    /// refreshes, which say what to do instead.
    pub fn start(&self, ui: &dyn Ui, may_ask: bool) -> Result<Start, Error> {
        match self {
            CredentialSource::BackendKeys { opened, item, age } => {
                let store = opened.store.as_ref();
                let label = format!("Reading the long-term keys from {}", store.describe());
                let keys = crate::ui::busy(ui, &label, || read_keys(store, item, &opened.fields))?;
                age.learn(ui, &keys, std::time::SystemTime::now());
                Ok(Start::LongTerm(keys))
            }
            CredentialSource::Sso(sso) => sso.start(ui, may_ask),
        }
    }

    /// A one-time code from the source itself (a backend item's TOTP
    /// field), when it has one.
    pub fn totp(&self, ui: &dyn Ui) -> Option<Result<SecretString, Error>> {
        match self {
            CredentialSource::BackendKeys { opened, item, .. } => {
                let field = opened.fields.mfa_totp.as_ref()?;
                let store = opened.store.as_ref();
                let label = format!("Reading a one-time code from {}", store.describe());
                Some(
                    crate::ui::busy(ui, &label, || store.read_totp(item, field))
                        .map_err(Error::from),
                )
            }
            CredentialSource::Sso(_) => None,
        }
    }
}
