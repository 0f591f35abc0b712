//! 1Password, through its `op` CLI (version 2).
//!
//! Reads use `op read op://VAULT/ITEM/FIELD`, TOTP codes the same reference
//! with `?attribute=otp`.
//! Authentication is op's own: the desktop-app integration, a service account
//! (`OP_SERVICE_ACCOUNT_TOKEN`, passed through), or a session token. When op
//! says it is not signed in, or that the session expired, envact runs
//! `op signin --raw` on the terminal once and retries; the token reaches later
//! `op` runs as `OP_SESSION_<account>` in their environment, never on their
//! command line. With `persistence.backend_session` the token is kept in the OS
//! keyring (see [`SessionCache`]) and reused until 1Password rejects it.
//! Items are written by piping an item JSON template to `op item create`.

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::cell::RefCell;
use std::process::Command;

mod account;

pub use account::{accounts, add_account, OpAccount};

use super::program::{Captured, Program};
use super::{Backend, SecretError, SecretStore};
use crate::ui::{Ui, Warning};
use std::sync::Arc;

pub(super) const OP: Program = Program {
    backend: "1password",
    name: "op",
    install: "see https://developer.1password.com/docs/cli/get-started/",
};

/// Where a 1Password session token is kept between activations.
pub trait SessionCache: Send {
    fn load(&self) -> Option<SecretString>;
    fn save(&self, token: &SecretString);
    fn forget(&self);
}

pub struct OnePasswordStore {
    vault: Option<String>,
    /// `op signin` asks on the terminal itself: no spinner may draw over it.
    ui: Arc<dyn Ui>,
    /// Whether `op signin` may ask on the terminal.
    interactive: bool,
    auth: Auth,
    /// `OP_ACCOUNT` for every op run: the account the person chose.
    account: Option<String>,
    cache: Option<Box<dyn SessionCache>>,
    session: RefCell<Option<Session>>,
    /// A session just made (an account added and signed in to), not yet used.
    given: RefCell<Option<SecretString>>,
}

/// How the store authenticates op, resolved from the choice and the environment.
pub enum Auth {
    /// A session from `op signin` (or the desktop app, which op handles itself).
    Session,
    /// A service-account token, given to op in its environment: op needs no session.
    ServiceAccount(SecretString),
    /// The person chose a service account, but no token is to be found.
    MissingToken,
}

struct Session {
    /// `OP_SESSION_<user uuid>`.
    var: String,
    token: SecretString,
}

#[derive(Deserialize)]
struct ItemJson {
    id: String,
    #[serde(default)]
    fields: Vec<FieldJson>,
}

#[derive(Deserialize)]
struct FieldJson {
    #[serde(default)]
    label: String,
    /// `CONCEALED`, `OTP`, `STRING`...
    #[serde(default, rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct ListedItem {
    title: String,
}

/// What op's stderr says went wrong.
#[derive(Debug, PartialEq, Eq)]
enum OpFailure {
    SignedOut,
    NoItem,
    NoField,
    Other,
}

fn classify(stderr: &str) -> OpFailure {
    let s = stderr.to_lowercase();
    if s.contains("not currently signed in")
        || s.contains("session expired")
        || s.contains("authentication required")
        || s.contains("invalid session")
        || s.contains("(401) unauthorized")
    {
        OpFailure::SignedOut
    } else if s.contains("isn't an item") {
        OpFailure::NoItem
    } else if s.contains("isn't a field") || s.contains("does not have a field") {
        OpFailure::NoField
    } else {
        OpFailure::Other
    }
}

impl OnePasswordStore {
    pub fn new(
        vault: Option<&str>,
        ui: Arc<dyn Ui>,
        interactive: bool,
        auth: Auth,
        account: Option<&str>,
        cache: Option<Box<dyn SessionCache>>,
        given: Option<SecretString>,
    ) -> OnePasswordStore {
        OnePasswordStore {
            vault: vault.map(str::to_string),
            ui,
            interactive,
            auth,
            account: account.map(str::to_string),
            cache,
            session: RefCell::new(None),
            given: RefCell::new(given),
        }
    }

    fn vault(&self) -> Result<&str, SecretError> {
        self.vault
            .as_deref()
            .ok_or_else(|| SecretError::Unavailable {
                backend: "1password",
                detail: "no vault is set".into(),
                hint: "set [secrets] vault in the manifest (the 1Password vault's name)".into(),
            })
    }

    fn command(&self) -> Command {
        let mut cmd = OP.command();
        if let Some(account) = &self.account {
            cmd.env("OP_ACCOUNT", account);
        }
        if let Auth::ServiceAccount(token) = &self.auth {
            cmd.env("OP_SERVICE_ACCOUNT_TOKEN", token.expose_secret());
        }
        if let Some(session) = self.session.borrow().as_ref() {
            cmd.env(&session.var, session.token.expose_secret());
        }
        cmd
    }

    /// Runs an op command, signing in and retrying once when op asks for it.
    fn run(
        &self,
        build: impl Fn(&mut Command),
        input: Option<&[u8]>,
    ) -> Result<Captured, SecretError> {
        let service_account = match self.auth {
            Auth::Session => false,
            Auth::ServiceAccount(_) => true,
            Auth::MissingToken => {
                return Err(SecretError::NotSignedIn {
                    detail: "you chose a service account, but no token is in OP_SERVICE_ACCOUNT_TOKEN or the OS keyring (run `envact setup --reconfigure` to give it)".into(),
                })
            }
        };
        if self.session.borrow().is_none() && !service_account {
            let given = self.given.borrow_mut().take();
            match given {
                Some(token) => self.start_session(token)?,
                None => self.load_cached_session()?,
            }
        }
        let mut cmd = self.command();
        build(&mut cmd);
        let out = OP.run(cmd, input)?;
        if out.status.success() || classify(&out.stderr) != OpFailure::SignedOut {
            return Ok(out);
        }
        if service_account {
            return Err(SecretError::NotSignedIn {
                detail: format!(
                    "the service account token was refused: {}",
                    out.error_line()
                ),
            });
        }
        // The session is gone or expired: forget it everywhere, sign in, retry.
        self.session.borrow_mut().take();
        if let Some(cache) = &self.cache {
            cache.forget();
        }
        self.sign_in(&out)?;
        let mut cmd = self.command();
        build(&mut cmd);
        OP.run(cmd, input)
    }

    /// Uses a session made elsewhere, keeping it when sessions are kept.
    fn start_session(&self, token: SecretString) -> Result<(), SecretError> {
        let var = self.session_var()?;
        if let Some(cache) = &self.cache {
            cache.save(&token);
        }
        *self.session.borrow_mut() = Some(Session { var, token });
        Ok(())
    }

    fn load_cached_session(&self) -> Result<(), SecretError> {
        let Some(token) = self.cache.as_ref().and_then(|c| c.load()) else {
            return Ok(());
        };
        let var = self.session_var()?;
        *self.session.borrow_mut() = Some(Session { var, token });
        Ok(())
    }

    fn session_var(&self) -> Result<String, SecretError> {
        let accounts = accounts()?;
        let chosen = match &self.account {
            Some(url) => accounts.iter().find(|a| &a.url == url),
            None => accounts.first(),
        };
        match chosen {
            Some(account) => Ok(format!("OP_SESSION_{}", account.user_uuid)),
            None => Err(SecretError::NotSignedIn {
                detail: match &self.account {
                    Some(url) => format!("op has no account {url} on this device (run `envact setup --reconfigure` to add it)"),
                    None => "no 1Password account is set up for op (run `envact setup --reconfigure` to add one)".into(),
                },
            }),
        }
    }

    fn sign_in(&self, refused: &Captured) -> Result<(), SecretError> {
        if !self.interactive {
            return Err(SecretError::NotSignedIn {
                detail: format!(
                    "{} (and there is no terminal to sign in on)",
                    refused.error_line()
                ),
            });
        }
        let attempts = crate::aws::flow::MFA_ATTEMPTS;
        for attempt in 1..=attempts {
            // A mistyped password is asked again, as a mistyped MFA code is.
            let out = crate::ui::pause(self.ui.as_ref(), || {
                if attempt > 1 {
                    self.ui.warn(&Warning::SignInRefused { attempt, attempts });
                }
                let mut cmd = OP.command();
                cmd.args(["signin", "--raw"]);
                OP.run_interactive(cmd)
            })?;
            let token = Zeroizing::new(String::from_utf8_lossy(&out.stdout).trim().to_string());
            if out.status.success() && !token.is_empty() {
                return self.start_session(SecretString::from(token.as_str()));
            }
        }
        Err(SecretError::NotSignedIn {
            detail: format!("`op signin` did not succeed ({attempts} tries)"),
        })
    }

    fn failure(&self, item: &str, field: Option<&str>, out: &Captured) -> SecretError {
        match (classify(&out.stderr), field) {
            (OpFailure::NoItem, _) => SecretError::ItemNotFound {
                location: self.describe(),
                item: item.to_string(),
                available: self.list_items().unwrap_or_default(),
            },
            (OpFailure::NoField, Some(field)) => SecretError::FieldNotFound {
                location: self.describe(),
                item: item.to_string(),
                field: field.to_string(),
                available: self.item(item).map(|i| labels(&i)).unwrap_or_default(),
            },
            (OpFailure::SignedOut, _) => SecretError::NotSignedIn {
                detail: out.error_line(),
            },
            _ => SecretError::Failed {
                backend: "1password",
                detail: out.error_line(),
            },
        }
    }

    fn item(&self, item: &str) -> Result<ItemJson, SecretError> {
        let vault = self.vault()?;
        let out = self.run(
            |c| {
                c.args(["item", "get", item, "--vault", vault, "--format", "json"]);
            },
            None,
        )?;
        if !out.status.success() {
            return Err(self.failure(item, None, &out));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| SecretError::Failed {
            backend: "1password",
            detail: format!("unexpected output from `op item get`: {e}"),
        })
    }

    /// `op read op://VAULT/ITEM/FIELD` + `query`.
    fn read(&self, item: &str, field: &str, query: &str) -> Result<SecretString, SecretError> {
        let reference = format!("op://{}/{item}/{field}{query}", self.vault()?);
        let out = self.run(
            |c| {
                c.args(["read", "--no-newline", &reference]);
            },
            None,
        )?;
        if !out.status.success() {
            return Err(self.failure(item, Some(field), &out));
        }
        Ok(Self::secret_from(&out))
    }

    fn secret_from(out: &Captured) -> SecretString {
        let text = Zeroizing::new(String::from_utf8_lossy(&out.stdout).into_owned());
        SecretString::from(text.trim_end_matches(['\n', '\r']))
    }
}

fn labels(item: &ItemJson) -> Vec<String> {
    item.fields
        .iter()
        .map(|f| f.label.clone())
        .filter(|l| !l.is_empty())
        .collect()
}

impl SecretStore for OnePasswordStore {
    fn backend(&self) -> Backend {
        Backend::OnePassword
    }

    fn describe(&self) -> String {
        match &self.vault {
            Some(v) => format!("the 1Password vault {v:?}"),
            None => "1Password".into(),
        }
    }

    fn read_field(&self, item: &str, field: &str) -> Result<SecretString, SecretError> {
        self.read(item, field, "")
    }

    fn read_totp(&self, item: &str, field: &str) -> Result<SecretString, SecretError> {
        // op computes the current code from the field's TOTP secret.
        self.read(item, field, "?attribute=otp")
    }

    fn write_item(&self, item: &str, fields: &[(&str, &SecretString)]) -> Result<(), SecretError> {
        let vault = self.vault()?;
        let old = match self.item(item) {
            Ok(old) => Some(old),
            Err(SecretError::ItemNotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        // A field written again keeps its type: a one-time password field
        // (`envact rotate` writes it back beside the new key) stays one.
        let kind = |label: &str| {
            old.iter()
                .flat_map(|o| &o.fields)
                .find(|f| f.label == label && !f.kind.is_empty())
                .map_or("CONCEALED", |f| f.kind.as_str())
        };
        let template = serde_json::json!({
            "title": item,
            "category": "API_CREDENTIAL",
            "fields": fields.iter().map(|(label, value)| serde_json::json!({
                "id": label,
                "type": kind(label),
                "label": label,
                "value": value.expose_secret(),
            })).collect::<Vec<_>>(),
        });
        let json = Zeroizing::new(template.to_string());
        drop(template);
        // Create first, then delete the old item: a failure leaves the old one.
        let out = self.run(
            |c| {
                c.args(["item", "create", "--vault", vault, "-"]);
            },
            Some(json.as_bytes()),
        )?;
        if !out.status.success() {
            return Err(self.failure(item, None, &out));
        }
        if let Some(ItemJson { id, .. }) = old {
            let out = self.run(
                |c| {
                    c.args(["item", "delete", &id, "--vault", vault]);
                },
                None,
            )?;
            if !out.status.success() {
                return Err(self.failure(item, None, &out));
            }
        }
        Ok(())
    }

    fn remove_item(&self, item: &str) -> Result<(), SecretError> {
        let vault = self.vault()?;
        let out = self.run(
            |c| {
                c.args(["item", "delete", item, "--vault", vault]);
            },
            None,
        )?;
        if out.status.success() {
            Ok(())
        } else {
            Err(self.failure(item, None, &out))
        }
    }

    fn list_items(&self) -> Result<Vec<String>, SecretError> {
        let vault = self.vault()?;
        let out = self.run(
            |c| {
                c.args(["item", "list", "--vault", vault, "--format", "json"]);
            },
            None,
        )?;
        if !out.status.success() {
            return Err(SecretError::Failed {
                backend: "1password",
                detail: out.error_line(),
            });
        }
        let items: Vec<ListedItem> =
            serde_json::from_slice(&out.stdout).map_err(|e| SecretError::Failed {
                backend: "1password",
                detail: format!("unexpected output from `op item list`: {e}"),
            })?;
        let mut names: Vec<String> = items.into_iter().map(|i| i.title).collect();
        names.sort();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_ops_documented_errors() {
        for (stderr, kind) in [
            ("[ERROR] 2024/05/01 10:00:00 You are not currently signed in. Please run `op signin --help` for instructions", OpFailure::SignedOut),
            ("[ERROR] 2024/05/01 10:00:00 session expired, sign in to create a new session", OpFailure::SignedOut),
            ("[ERROR] 2024/05/01 10:00:00 \"aws\" isn't an item in the \"Eng\" vault. Specify the item with its UUID, name, or domain.", OpFailure::NoItem),
            ("[ERROR] 2024/05/01 10:00:00 could not read secret 'op://Eng/aws/x': \"x\" isn't a field in the \"aws\" item", OpFailure::NoField),
            ("[ERROR] 2024/05/01 10:00:00 Authentication: (401) Unauthorized, invalid service account token", OpFailure::SignedOut),
            ("[ERROR] network unreachable", OpFailure::Other),
        ] {
            assert_eq!(classify(stderr), kind, "{stderr}");
        }
    }
}
