//! Where each setting in effect comes from, for `envact setup --show`: the
//! manifest, this person's answers file, or a default.

use super::Settings;
use crate::backend::{SignIn, Vault};
use crate::secrets::default_fields;
use crate::state::answers::FIELD_NAMES;

/// Where a setting's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Manifest,
    /// A part the manifest includes (`[include]`), by name.
    Included(String),
    UserFile,
    Default,
    NotSet,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Manifest => "manifest",
            Source::Included(part) => return write!(f, "included from {part}"),
            Source::UserFile => "user file",
            Source::Default => "default",
            Source::NotSet => "not set",
        })
    }
}

/// One setting in effect, for `envact setup --show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: String,
    /// `-` when not set.
    pub value: String,
    pub source: Source,
}

impl Settings {
    /// Every setting a person may answer, its value in effect and where that
    /// comes from, in the order the wizard asks.
    pub fn sources(&self) -> Vec<Setting> {
        let written = self.written.secrets.as_ref();
        let answers = &self.answers;
        let backend = self.effective.secrets.as_ref().map(|s| s.backend);
        let mut rows = Vec::new();
        let origins = &self.origins;
        let mut row = |key: &str, w: Option<String>, a: Option<String>, d: Option<String>| {
            let (value, source) = match (w, a, d) {
                (Some(v), _, _) => match origins.included(&dotted(key)) {
                    Some(part) => (v, Source::Included(part.to_string())),
                    None => (v, Source::Manifest),
                },
                (None, Some(v), _) => (v, Source::UserFile),
                (None, None, Some(v)) => (v, Source::Default),
                (None, None, None) => ("-".into(), Source::NotSet),
            };
            rows.push(Setting {
                key: key.to_string(),
                value,
                source,
            });
        };
        row(
            "backend",
            written.map(|s| s.backend.name().into()),
            answers.backend.map(|b| b.name().into()),
            None,
        );
        if backend.is_some_and(|b| b.info().sign_in == SignIn::OnePassword) {
            row(
                "1password sign-in",
                None,
                answers.onepassword.as_ref().map(|o| match &o.account {
                    Some(a) => format!("{} {a}", o.auth.name()),
                    None => o.auth.name().into(),
                }),
                Some("op decides".into()),
            );
        }
        let default_vault = match backend.map(|b| b.info().vault) {
            Some(Vault::Asked {
                shown: Some(shown), ..
            }) => Some(shown.to_string()),
            _ => None,
        };
        row(
            "vault",
            written.and_then(|s| s.vault.clone()),
            answers.vault.clone(),
            default_vault,
        );
        row(
            "item",
            written.and_then(|s| s.item.clone()),
            answers.item.clone(),
            None,
        );
        let defaults = backend.map(default_fields);
        for name in FIELD_NAMES {
            let default = defaults.as_ref().and_then(|d| match name {
                "access_key_id" => Some(d.access_key_id.clone()),
                "secret_access_key" => Some(d.secret_access_key.clone()),
                _ => None,
            });
            row(
                &format!("fields.{name}"),
                written.and_then(|s| s.fields.get(name).cloned()),
                answers.fields.get(name).cloned(),
                default,
            );
        }
        if let Some(aws) = &self.written.aws {
            row(
                "mfa_serial",
                aws.mfa_serial.as_ref().map(|m| m.to_string()),
                answers.mfa_serial.as_ref().map(|m| m.to_string()),
                None,
            );
            if let Some(sso) = &aws.sso {
                row(
                    "sso.account_id",
                    sso.account_id.clone(),
                    answers.sso.account_id.clone(),
                    None,
                );
                row(
                    "sso.role_name",
                    sso.role_name.clone(),
                    answers.sso.role_name.clone(),
                    None,
                );
            }
        }
        let (w, a) = (self.written.persistence, answers.persistence);
        let text = |b: Option<bool>| b.map(|b| b.to_string());
        for (key, w, a) in [
            (
                "persistence.backend_session",
                w.backend_session,
                a.backend_session,
            ),
            ("persistence.sts_session", w.sts_session, a.sts_session),
        ] {
            row(key, text(w), text(a), Some("false".into()));
        }
        rows
    }
}

/// A row's key as the manifest writes it, dotted from the top.
fn dotted(key: &str) -> String {
    match key {
        "backend" | "vault" | "item" => format!("secrets.{key}"),
        _ if key.starts_with("fields.") => format!("secrets.{key}"),
        "mfa_serial" => format!("aws.{key}"),
        _ if key.starts_with("sso.") => format!("aws.{key}"),
        _ => key.to_string(),
    }
}
