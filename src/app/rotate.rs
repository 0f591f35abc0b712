//! `envact rotate`: the long-term key replaced by a new one of the same IAM
//! user, in an order where one stored key works at every moment: the new
//! key created (signed by the current one, through an MFA session when the
//! environment has an MFA device), stored in the backend in place of the
//! current one (the item's other fields kept), proven to work (IAM is
//! eventually consistent: GetCallerIdentity with it, tried until a bounded
//! wait ends), and only then the old key deleted, signed as the new one was
//! created (an MFA session outlives the key that made it).
//! Whatever fails before that puts the old key back where it was changed
//! and deletes the new one; a failure after says which key is where.

use secrecy::{ExposeSecret, SecretString};
use std::time::{Duration, Instant};

use crate::aws::flow::{session, MfaSource};
use crate::aws::iam::SdkIam;
use crate::aws::profile::AwsFiles;
use crate::aws::sts::SdkSts;
use crate::aws::{Credentials, LongTermKeys, MfaSerial};
use crate::context::{Context, Place};
use crate::credentials::store::open_for;
use crate::credentials::{ask_mfa_code, KeyringCache, DEFAULT_REGION};
use crate::error::RotateError;
use crate::secrets::{read_keys, SecretError, SecretStore};
use crate::{ui, Error};

/// What a rotation did.
pub struct Rotated {
    pub item: String,
    /// Where the key is kept.
    pub store: String,
    /// The last four characters of the old and the new key's id.
    pub old: String,
    pub new: String,
}

/// `envact rotate [ITEM]`: replaces the item's key (the manifest's item
/// when none is named); `wait`: how long the new key is given to work.
pub fn rotate(
    cx: &Context,
    place: &Place,
    item: Option<&str>,
    wait: Duration,
) -> Result<Rotated, Error> {
    let settings = cx.settings_at(place)?;
    super::trust::ensure_trusted(cx, &settings)?;
    let manifest = settings.effective();
    let manifest_path = &settings.project.manifest;
    let opened = open_for(cx, manifest)?.ok_or_else(|| Error::AwsWithoutSecrets {
        manifest: manifest_path.clone(),
    })?;
    let backend = opened.store.backend();
    if !backend.info().writable {
        return Err(RotateError::ReadOnly {
            backend: backend.name(),
        }
        .into());
    }
    let item = match item {
        Some(item) => item.to_string(),
        None => manifest
            .secrets
            .as_ref()
            .and_then(|s| s.item_to_read())
            .map(str::to_string)
            .ok_or_else(|| Error::NoItem {
                manifest: manifest_path.clone(),
            })?,
    };
    let store = opened.store.as_ref();
    let fields = &opened.fields;
    let (old, kept) = opened.busy(cx, &format!("Reading {item} from"), |store| {
        let old = read_keys(store, &item, fields)?;
        // The item's other field (a TOTP seed) is written back with the new key.
        let kept = match &fields.mfa_totp {
            Some(name) => Some((name.clone(), store.read_field(&item, name)?)),
            None => None,
        };
        Ok::<_, SecretError>((old, kept))
    })?;
    let write = |keys: &LongTermKeys| -> Result<(), SecretError> {
        let mut all: Vec<(&str, &SecretString)> = vec![
            (&fields.access_key_id, &keys.access_key_id),
            (&fields.secret_access_key, &keys.secret_access_key),
        ];
        if let Some((name, value)) = &kept {
            all.push((name, value));
        }
        ui::busy(
            cx.ui.as_ref(),
            &format!("Storing the key in {}", store.describe()),
            || store.write_item(&item, &all),
        )
    };

    // IAM and STS as commands would reach them.
    let var = |k: &str| cx.var_string(k);
    let (config, credentials_file) = AwsFiles::paths(|k| cx.var(k), &cx.dirs.home);
    let files = AwsFiles::load(&config, &credentials_file, None)?;
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| DEFAULT_REGION.to_string());
    let on_start = crate::shell::supervise::block_in_this_thread;
    let iam = SdkIam::new(&region, files.endpoint("iam", var), on_start);
    let sts = SdkSts::new(&region, files.sts_endpoint(var), on_start);

    // The device a resolution would use: the manifest's, else its profile's.
    let mfa = crate::credentials::mfa_device_of(cx, &settings)?;
    let codes = Codes {
        cx,
        store,
        item: &item,
        totp: fields.mfa_totp.as_deref(),
    };
    let caller = signer(&sts, &codes, &old, mfa.as_ref())?;
    let (new, created) = ui::busy(cx.ui.as_ref(), "Creating a new access key in IAM", || {
        iam.create_access_key(&caller)
    })
    .map_err(|source| RotateError::Create { source })?;
    let delete_new = || {
        ui::busy(cx.ui.as_ref(), "Deleting the new key in IAM", || {
            iam.delete_access_key(&caller, new.access_key_id.expose_secret())
        })
        .is_err()
    };

    if let Err(source) = write(&new) {
        let new_left = delete_new();
        return Err(RotateError::Store { source, new_left }.into());
    }
    if !works(cx, &sts, &new, wait) {
        if let Err(source) = write(&old) {
            return Err(RotateError::Restore {
                old: old.id_tail(),
                new: new.id_tail(),
                source,
            }
            .into());
        }
        let new_left = delete_new();
        return Err(RotateError::NeverValid {
            waited: wait,
            new_left,
        }
        .into());
    }
    let tail_new = new.id_tail();
    let created = created.map(|at| (at, tail_new.as_str()));
    super::items::stored_now(cx, &opened, &item, created);
    // The next command starts from the new key: kept sessions are forgotten.
    if manifest.persistence.keep_sts_session() {
        let profiles: Vec<&str> = manifest
            .aws
            .iter()
            .flat_map(|a| a.profiles.keys().map(String::as_str))
            .collect();
        if let Ok(cache) = KeyringCache::of_environment(&cx.vars(), &settings.env_id, "") {
            let _ = cache.clear(&profiles);
        }
    }
    ui::busy(cx.ui.as_ref(), "Deleting the old key in IAM", || {
        iam.delete_access_key(&caller, old.access_key_id.expose_secret())
    })
    .map_err(|source| RotateError::DeleteOld {
        old: old.id_tail(),
        new: new.id_tail(),
        source,
    })?;
    Ok(Rotated {
        store: store.describe(),
        old: old.id_tail(),
        new: new.id_tail(),
        item,
    })
}

/// MFA codes for rotate's session: the item's TOTP field when it has one
/// (as activation reads it), else the person.
struct Codes<'a> {
    cx: &'a Context,
    store: &'a dyn SecretStore,
    item: &'a str,
    totp: Option<&'a str>,
}

impl MfaSource<Error> for Codes<'_> {
    fn code(&self, serial: &MfaSerial, attempt: u32) -> Result<SecretString, Error> {
        let Some(field) = self.totp else {
            return ask_mfa_code(self.cx.ui.as_ref(), serial.as_str(), attempt, false);
        };
        let label = format!("Reading a one-time code from {}", self.store.describe());
        Ok(ui::busy(self.cx.ui.as_ref(), &label, || {
            self.store.read_totp(self.item, field)
        })?)
    }
}

/// What signs the IAM calls: the key itself, or an MFA session of it (IAM
/// policies often require MFA for managing keys; a session outlives the
/// key that made it, so it can delete that key too).
fn signer(
    sts: &SdkSts,
    codes: &Codes,
    keys: &LongTermKeys,
    mfa: Option<&MfaSerial>,
) -> Result<Credentials, Error> {
    let long_term = keys.as_credentials();
    if mfa.is_none() {
        return Ok(long_term);
    }
    let ui = codes.cx.ui.as_ref();
    session(sts, ui, codes, &long_term, mfa, Duration::from_secs(900))
}

/// Whether the new key works within `wait`: GetCallerIdentity with it,
/// tried again each second while IAM has not caught up.
fn works(cx: &Context, sts: &SdkSts, keys: &LongTermKeys, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    ui::busy(
        cx.ui.as_ref(),
        "Waiting for IAM to accept the new key",
        || loop {
            if sts.caller_identity(&keys.as_credentials()).is_ok() {
                return true;
            }
            if Instant::now() + Duration::from_secs(1) > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_secs(1));
        },
    )
}
