//! The secrets store an environment (or the command line) names, opened
//! with this person's directories, environment and terminal.

use crate::context::Context;
use crate::manifest::Manifest;
use crate::secrets::{self, FieldNames, SecretStore, StoreOptions};
use crate::Error;

/// A store, opened, with the field names its keys are under.
pub struct Opened {
    pub store: Box<dyn SecretStore>,
    /// The vault it was opened with, as named (none: the backend's default).
    pub vault: Option<String>,
    pub fields: FieldNames,
}

impl Opened {
    /// What names `item`'s key in the key ages.
    pub fn age_key(&self, item: &str) -> String {
        crate::state::key_ages::KeyAges::key(
            self.store.backend().name(),
            self.vault.as_deref(),
            item,
        )
    }

    /// Runs backend work behind the busy indicator, labelled `LABEL STORE`.
    pub fn busy<T>(
        &self,
        cx: &Context,
        label: &str,
        work: impl FnOnce(&dyn SecretStore) -> T,
    ) -> T {
        let store = self.store.as_ref();
        let label = format!("{label} {}", store.describe());
        crate::ui::busy(cx.ui.as_ref(), &label, || work(store))
    }
}

/// Opens a store with this person's directories, environment and terminal.
pub fn open_store(cx: &Context, options: StoreOptions) -> Result<Box<dyn SecretStore>, Error> {
    Ok(secrets::open(
        options,
        cx.dirs.stores(),
        cx.vars(),
        cx.ui(),
        &cx.passphrases,
    )?)
}

/// The store a (completed) manifest's `[secrets]` names, or `None` without one.
pub fn open_for(cx: &Context, manifest: &Manifest) -> Result<Option<Opened>, Error> {
    let Some(secrets) = &manifest.secrets else {
        return Ok(None);
    };
    let store = open_store(
        cx,
        StoreOptions {
            backend: secrets.backend,
            vault: secrets.vault.clone(),
            keep_backend_session: manifest.persistence.keep_backend_session(),
            op_sign_in: secrets.sign_in.clone(),
            op_service_token: None,
            op_session: None,
        },
    )?;
    Ok(Some(Opened {
        store,
        vault: secrets.vault.clone(),
        fields: FieldNames::resolve(secrets.backend, Some(secrets)),
    }))
}
