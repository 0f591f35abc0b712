//! The wizard's questions about the item: the vault it is in, the item
//! (or the keys, to store as a new one), its key fields and, with
//! 1Password, its one-time password field. Each answer is checked against
//! the backend; a wrong one is asked again with what is really there.

use secrecy::{ExposeSecret, SecretString};

use super::Wizard;
use crate::aws::{check_access_key_id, check_secret_access_key, LongTermKeys};
use crate::backend::{Field, Item, Vault};
use crate::manifest::Backend;
use crate::secrets::{default_fields, SecretError, SecretStore};
use crate::Error;

impl Wizard<'_> {
    pub(super) fn vault(&mut self, backend: Backend) -> Result<(), Error> {
        let written = self.manifest.secrets.as_ref().and_then(|s| s.vault.clone());
        let Vault::Asked {
            prompt, default, ..
        } = backend.info().vault
        else {
            return Ok(());
        };
        if written.is_some() {
            return Ok(());
        }
        let current = self.answers.vault.clone();
        let answer = self.p.input(
            prompt,
            current.as_deref().or(default).filter(|d| !d.is_empty()),
        )?;
        self.answers.vault = Some(answer).filter(|v| !v.is_empty());
        Ok(())
    }

    /// Asks for the item; `false` when the vault just answered turned out not
    /// to exist (it is asked again).
    pub(super) fn item(
        &mut self,
        store: &dyn SecretStore,
        backend: Backend,
    ) -> Result<bool, Error> {
        let written = self.manifest.secrets.as_ref().and_then(|s| s.item.as_ref());
        if written.is_some() || backend.info().item == Item::None {
            return Ok(true);
        }
        let vault_answered = self
            .manifest
            .secrets
            .as_ref()
            .is_some_and(|s| s.vault.is_none());
        let label = format!("Listing the items in {}", store.describe());
        let items = match crate::ui::busy(self.p, &label, || store.list_items()) {
            Ok(items) => items,
            // A wrong vault of a backend that checks it only here (1Password's)
            // shows now: ask for it again.
            Err(SecretError::Failed { detail, .. })
                if vault_answered
                    && matches!(
                        backend.info().vault,
                        Vault::Asked {
                            checked_by_listing: true,
                            ..
                        }
                    ) =>
            {
                self.p.say(&detail);
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        };
        let shown = if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        };
        self.p
            .say(&format!("items in {}: {shown}", store.describe()));
        let default = self
            .answers
            .item
            .clone()
            .or_else(|| match items.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            });
        loop {
            let item = self
                .p
                .input("Item holding your AWS keys", default.as_deref())?;
            if items.contains(&item) {
                self.answers.item = Some(item);
                return Ok(true);
            }
            self.p.say(&format!(
                "there is no item {item:?} in {} (items there: {shown})",
                store.describe()
            ));
            // A first run may well be before any key was stored: offer to.
            let store_now = format!(
                "Store your long-term AWS keys as {item:?} in {} now?",
                store.describe()
            );
            if self.p.confirm(&store_now, true)? {
                self.new_keys = Some(self.keys()?);
                self.answers.item = Some(item);
                return Ok(true);
            }
        }
    }

    /// The long-term key, each half checked for its shape: the key id shown
    /// as typed (it is not secret), the secret hidden.
    fn keys(&mut self) -> Result<LongTermKeys, Error> {
        let access_key_id = loop {
            let id = self.p.input("AWS access key id", None)?;
            match check_access_key_id(&id) {
                Ok(()) => break SecretString::from(id),
                Err(e) => self.p.say(&e),
            }
        };
        let secret_access_key = loop {
            let value = self.p.secret("AWS secret access key")?;
            match check_secret_access_key(value.expose_secret()) {
                Ok(()) => break value,
                Err(e) => self.p.say(&e),
            }
        };
        Ok(LongTermKeys {
            access_key_id,
            secret_access_key,
        })
    }

    /// Each key field the manifest leaves open, read once to check it exists
    /// (the value is dropped at once); a missing one is asked again, with the
    /// fields the item has. Then the fields the manifest fixes are checked the
    /// same way: one this person's item lacks stops the wizard, listing the
    /// item's real fields (the manifest is the team's to change).
    pub(super) fn fields(
        &mut self,
        store: &dyn SecretStore,
        backend: Backend,
    ) -> Result<(), Error> {
        if self.new_keys.is_some() {
            // They will be stored under the field names in effect.
            return Ok(());
        }
        let merged = self.merged()?;
        let Some(secrets) = merged.secrets else {
            return Ok(());
        };
        let item = secrets.item_to_read().unwrap_or_default().to_string();
        let defaults = default_fields(backend);
        let fixed = |name: &str| {
            self.manifest
                .secrets
                .as_ref()
                .and_then(|s| s.fields.get(name).cloned())
        };
        let fixed: Vec<String> = ["access_key_id", "secret_access_key"]
            .into_iter()
            .filter_map(fixed)
            .collect();
        for (name, default) in [
            ("access_key_id", defaults.access_key_id),
            ("secret_access_key", defaults.secret_access_key),
        ] {
            let written = self
                .manifest
                .secrets
                .as_ref()
                .is_some_and(|s| s.fields.get(name).is_some());
            if written {
                continue;
            }
            let mut default = self.answers.fields.get(name).cloned().unwrap_or(default);
            loop {
                let prompt = match backend.info().field {
                    Field::Variable => format!("Variable holding {name}"),
                    Field::OfItem => format!("Field of {item:?} holding {name}"),
                };
                let field = self.p.input(&prompt, Some(&default))?;
                let label = format!("Checking {item}/{field} in {}", store.describe());
                let checked =
                    crate::ui::busy(self.p, &label, || store.read_field(&item, &field).map(drop));
                match checked {
                    Ok(()) => {
                        self.answers.fields.insert(name.to_string(), field);
                        break;
                    }
                    Err(e @ SecretError::FieldNotFound { .. })
                    | Err(e @ SecretError::VarNotSet { .. }) => {
                        // Offer a field the item has, keeping the default if it does.
                        if let SecretError::FieldNotFound { available, .. } = &e {
                            if !available.contains(&default) {
                                if let Some(first) = available.first() {
                                    default = first.clone();
                                }
                            }
                        }
                        self.p.say(&e.to_string());
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        for field in fixed {
            let label = format!("Checking {item}/{field} in {}", store.describe());
            crate::ui::busy(self.p, &label, || store.read_field(&item, &field).map(drop))?;
        }
        Ok(())
    }

    /// 1Password can give the MFA codes itself, from the item's one-time
    /// password: asked when there is an MFA device and the manifest names no
    /// such field; checked by asking op for a code.
    pub(super) fn totp_field(&mut self, store: &dyn SecretStore) -> Result<(), Error> {
        let merged = self.merged()?;
        let has_mfa = merged.aws.as_ref().is_some_and(|a| a.mfa_serial.is_some());
        let Some(secrets) = merged.secrets.filter(|_| has_mfa) else {
            return Ok(());
        };
        let written = self.manifest.secrets.as_ref();
        if written.is_some_and(|s| s.fields.mfa_totp.is_some()) {
            return Ok(());
        }
        let item = secrets.item_to_read().unwrap_or_default().to_string();
        let default = self
            .answers
            .fields
            .get("mfa_totp")
            .cloned()
            .unwrap_or_else(|| "none".into());
        loop {
            let field = self.p.input(
                &format!("Field of {item:?} with a one-time password, for MFA codes (none: you type them)"),
                Some(&default),
            )?;
            if field == "none" {
                self.answers.fields.remove("mfa_totp");
                return Ok(());
            }
            let label = format!("Checking {item}/{field} in {}", store.describe());
            match crate::ui::busy(self.p, &label, || store.read_totp(&item, &field)) {
                Ok(_) => {
                    self.answers.fields.insert("mfa_totp".into(), field);
                    return Ok(());
                }
                Err(e @ (SecretError::Failed { .. } | SecretError::FieldNotFound { .. })) => {
                    self.p.say(&e.to_string())
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}
