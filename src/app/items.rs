//! `add`, `list` and `remove`: the long-term keys in a secrets backend, in
//! the store the flags or the project's manifest name.

use crate::state::key_ages::{Age, KeyAges};
use secrecy::ExposeSecret;

use crate::aws::{check_access_key_id, check_secret_access_key, LongTermKeys};
use crate::context::Context;
use crate::context::Place;
use crate::credentials::store::{open_store, Opened};
use crate::manifest::{Backend, Manifest};
use crate::secrets::{ready, write_keys, FieldNames, SecretError, StoreOptions};
use crate::Error;

/// Which store `add`, `list` and `remove` work on: the flags, else the
/// project's manifest (with this person's answers), when there is one.
#[derive(Debug, Clone)]
pub struct Choice {
    pub backend: Option<Backend>,
    pub vault: Option<String>,
    /// `-d DIR` (the project must be there; without it, one found upward is
    /// used, if any), or `-r TEMPLATE`.
    pub place: Place,
}

impl Choice {
    pub fn open(&self, cx: &Context) -> Result<Opened, Error> {
        let manifest = self.manifest(cx)?;
        let secrets = manifest.as_ref().and_then(|m| m.secrets.as_ref());
        let backend = self
            .backend
            .or(secrets.map(|s| s.backend))
            .ok_or(Error::NoBackend)?;
        // The manifest's vault and field names belong to the manifest's backend.
        let same = secrets.filter(|s| s.backend == backend);
        let vault = self
            .vault
            .clone()
            .or_else(|| same.and_then(|s| s.vault.clone()));
        // Before anyone types a key: `add`, `list` and `remove` answer alike.
        ready::check(backend, vault.as_deref(), &cx.vars(), &cx.dirs.stores())?;
        let store = open_store(
            cx,
            StoreOptions {
                backend,
                vault: vault.clone(),
                keep_backend_session: manifest
                    .as_ref()
                    .is_some_and(|m| m.persistence.keep_backend_session()),
                op_sign_in: same.and_then(|s| s.sign_in.clone()),
                op_service_token: None,
                op_session: None,
            },
        )?;
        Ok(Opened {
            store,
            vault,
            fields: FieldNames::resolve(backend, secrets),
        })
    }

    fn manifest(&self, cx: &Context) -> Result<Option<Manifest>, Error> {
        let project = match &self.place {
            Place::Dir(None) => match cx.project(None) {
                Ok(project) => project,
                Err(_) => return Ok(None),
            },
            place => cx.project_at(place)?,
        };
        Ok(Some(cx.settings_of(project)?.effective().clone()))
    }
}

/// Checks both halves' shapes, so that a paste of the wrong value is never stored.
pub fn check(keys: &LongTermKeys) -> Result<(), Error> {
    check_access_key_id(keys.access_key_id.expose_secret()).map_err(|reason| Error::BadKey {
        what: "the access key id",
        expected: "access key id",
        reason,
    })?;
    check_secret_access_key(keys.secret_access_key.expose_secret()).map_err(|reason| {
        Error::BadKey {
            what: "the secret access key",
            expected: "secret access key",
            reason,
        }
    })
}

/// `envact add`: the store is opened first, so that a wrong backend is named
/// before anyone types a key; then `keys` is asked, checked and stored as
/// `item`. Returns where it went.
pub fn add(
    cx: &Context,
    choice: &Choice,
    item: &str,
    keys: impl FnOnce() -> Result<LongTermKeys, Error>,
) -> Result<String, Error> {
    let opened = choice.open(cx)?;
    writable(&opened, "store keys in")?;
    let keys = keys()?;
    check(&keys)?;
    let place = opened.store.describe();
    opened.busy(cx, &format!("Storing {item} in"), |store| {
        write_keys(store, item, &opened.fields, &keys)
    })?;
    stored_now(cx, &opened, item, None);
    Ok(place)
}

/// Notes when `item`'s key was stored (for its age), and when IAM created
/// it and its id's tail when known; a failure to note it loses only that.
pub(super) fn stored_now(
    cx: &Context,
    opened: &Opened,
    item: &str,
    created: Option<(std::time::SystemTime, &str)>,
) {
    let key = opened.age_key(item);
    let _ = KeyAges::of(&cx.dirs).record(&key, std::time::SystemTime::now(), created);
}

/// How old `item`'s key in `opened` is, if envact knows.
pub(super) fn age_of(cx: &Context, opened: &Opened, item: &str) -> Option<Age> {
    let key = opened.age_key(item);
    KeyAges::of(&cx.dirs).age(&key, std::time::SystemTime::now())
}

/// A backend envact cannot write to is refused before anyone types a key.
fn writable(opened: &Opened, what: &str) -> Result<(), Error> {
    let backend = opened.store.backend();
    match backend.info().writable {
        true => Ok(()),
        false => Err(SecretError::ReadOnly {
            backend: backend.name(),
            detail: format!("envact cannot {what} {}", opened.store.describe()),
        }
        .into()),
    }
}

/// `envact list`: the item names in the store (never values), and where they are.
/// An item, and how old its key is, when envact knows.
pub type Aged = (String, Option<Age>);

/// Each item with its key's age, and where they are.
pub fn list(cx: &Context, choice: &Choice) -> Result<(Vec<Aged>, String), Error> {
    let opened = choice.open(cx)?;
    let items = opened.busy(cx, "Listing", |store| store.list_items())?;
    let aged = items
        .into_iter()
        .map(|item| {
            let age = age_of(cx, &opened, &item);
            (item, age)
        })
        .collect();
    Ok((aged, opened.store.describe()))
}

/// `envact remove`: deletes `item`; returns where it was.
pub fn remove(cx: &Context, choice: &Choice, item: &str) -> Result<String, Error> {
    let opened = choice.open(cx)?;
    writable(&opened, "remove keys from")?;
    opened
        .busy(cx, &format!("Removing {item} from"), |store| {
            store.remove_item(item)
        })
        .map_err(|e| match e {
            // Nothing to remove: storing it is not what was asked.
            SecretError::ItemNotFound {
                location,
                item,
                available,
            } => Error::NothingToRemove {
                location,
                item,
                available,
            },
            other => other.into(),
        })?;
    Ok(opened.store.describe())
}
