//! An encrypted file of envact's own (age, scrypt passphrase) under the
//! user's config dir: the file's name as the vault. It works everywhere,
//! so it is offered when nothing else is ready.

use super::{DefaultFields, Field, Info, Item, Probe, SignIn, Vault};

/// The secrets file used unless one is named.
pub const DEFAULT_VAULT: &str = "default";

pub const INFO: Info = Info {
    name: "file",
    aliases: &[],
    default_fields: DefaultFields {
        access_key_id: "access_key_id",
        secret_access_key: "secret_access_key",
    },
    vault: Vault::Asked {
        prompt: "Secrets file name",
        default: Some(DEFAULT_VAULT),
        shown: Some(DEFAULT_VAULT),
        required: false,
        checked_by_listing: false,
    },
    item: Item::Named,
    field: Field::OfItem,
    sign_in: SignIn::None,
    writable: true,
    detect,
    fallback: true,
};

fn detect(_: &Probe) -> Option<String> {
    None
}
