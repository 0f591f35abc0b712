//! The manifest exactly as written: serde types that keep the source spans that
//! validation needs to point at a line and column.

use serde::de::IgnoredAny;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

use super::{Backend, InjectMode, PersistStore};

/// Read first, alone, so that a manifest for a future version is refused for
/// its version rather than for keys this version does not know.
#[derive(Deserialize)]
pub(super) struct Head {
    pub version: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawManifest {
    #[allow(dead_code)] // checked by `Head`
    pub version: IgnoredAny,
    pub name: Option<Spanned<String>>,
    #[serde(default)]
    pub vars: BTreeMap<Spanned<String>, String>,
    pub secrets: Option<Spanned<RawSecrets>>,
    pub aws: Option<RawAws>,
    #[serde(default)]
    pub persistence: RawPersistence,
    #[serde(default)]
    pub hook: RawHook,
    #[serde(default)]
    pub profile: RawProfile,
    pub include: Option<Spanned<RawInclude>>,
}

/// `[include] environments = ["team/aws", { dir = "../platform" }]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInclude {
    pub environments: Vec<Spanned<RawIncluded>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawIncluded {
    Remote(String),
    Dir { dir: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSecrets {
    /// Required of the whole; a part may leave it to another (it then
    /// only overrides, say, the item).
    pub backend: Option<Backend>,
    pub vault: Option<String>,
    pub item: Option<String>,
    #[serde(default)]
    pub fields: RawFields,
    pub max_key_age: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFields {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub mfa_totp: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAws {
    pub profile: Option<String>,
    pub role_arn: Option<Spanned<String>>,
    pub mfa_serial: Option<Spanned<String>>,
    pub session_duration: Option<Spanned<String>>,
    pub inject: Option<InjectMode>,
    pub wrap: Option<Vec<Spanned<String>>>,
    pub refresh_margin: Option<Spanned<String>>,
    pub sso: Option<Spanned<RawSso>>,
    pub default_profile: Option<Spanned<String>>,
    #[serde(default)]
    pub profiles: BTreeMap<Spanned<String>, Spanned<RawNamedProfile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNamedProfile {
    pub role_arn: Option<Spanned<String>>,
    pub account_id: Option<Spanned<String>>,
    pub role_name: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub external_id: Option<Spanned<String>>,
    pub duration: Option<Spanned<String>>,
    pub mfa_serial: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSso {
    pub start_url: Spanned<String>,
    pub region: Spanned<String>,
    pub account_id: Option<Spanned<String>>,
    pub role_name: Option<Spanned<String>>,
    pub session_name: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPersistence {
    pub backend_session: Option<bool>,
    pub sts_session: Option<bool>,
    pub store: Option<PersistStore>,
    pub agent_idle: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHook {
    #[serde(rename = "on-activate")]
    pub on_activate: Option<Spanned<String>>,
}

/// Where the settings a person could answer are written: a second, lenient
/// read of a manifest already found valid, for its spans.
#[derive(Deserialize)]
pub(super) struct Answerable {
    pub secrets: Option<AnswerableSecrets>,
    pub aws: Option<AnswerableAws>,
    pub persistence: Option<AnswerablePersistence>,
}

type At = Option<Spanned<IgnoredAny>>;

#[derive(Deserialize)]
pub(super) struct AnswerableSecrets {
    pub backend: At,
    pub vault: At,
    pub item: At,
    pub fields: Option<AnswerableFields>,
}

#[derive(Deserialize, Default)]
pub(super) struct AnswerableFields {
    pub access_key_id: At,
    pub secret_access_key: At,
    pub mfa_totp: At,
}

#[derive(Deserialize)]
pub(super) struct AnswerableAws {
    pub mfa_serial: At,
    pub sso: Option<AnswerableSso>,
}

#[derive(Deserialize)]
pub(super) struct AnswerableSso {
    pub account_id: At,
    pub role_name: At,
}

#[derive(Deserialize)]
pub(super) struct AnswerablePersistence {
    pub backend_session: At,
    pub sts_session: At,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
    pub common: Option<String>,
    pub bash: Option<String>,
    pub zsh: Option<String>,
    pub fish: Option<String>,
}
