//! Environment variables, for CI: `[secrets.fields]` name the variables.
//! No vault, no item, and nothing envact can write.

use super::{DefaultFields, Field, Info, Item, Probe, SignIn, Vault};

pub const INFO: Info = Info {
    name: "env",
    aliases: &[],
    default_fields: DefaultFields {
        access_key_id: "AWS_ACCESS_KEY_ID",
        secret_access_key: "AWS_SECRET_ACCESS_KEY",
    },
    vault: Vault::None,
    item: Item::None,
    field: Field::Variable,
    sign_in: SignIn::None,
    writable: false,
    detect,
    fallback: false,
};

/// Never offered by the wizard first: it is for machines without a person.
fn detect(_: &Probe) -> Option<String> {
    None
}
