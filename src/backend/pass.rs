//! `pass`, the standard Unix password manager: a folder of the store as
//! the vault, an entry per item, the secret on its first line.

use super::{DefaultFields, Field, Info, Item, Probe, SignIn, Vault};

pub const INFO: Info = Info {
    name: "pass",
    aliases: &[],
    // pass keeps the secret on the entry's first line, its `password`.
    default_fields: DefaultFields {
        access_key_id: "access_key_id",
        secret_access_key: "password",
    },
    vault: Vault::Asked {
        prompt: "Folder in the pass store (empty: its top)",
        default: Some(""),
        shown: Some("(the store's top)"),
        required: false,
        checked_by_listing: false,
    },
    item: Item::Named,
    field: Field::OfItem,
    sign_in: SignIn::None,
    writable: true,
    detect,
    fallback: false,
};

fn detect(probe: &Probe) -> Option<String> {
    probe
        .pass_store
        .as_ref()
        .map(|p| format!("pass store at {}", p.display()))
}
