//! The OS keyring (Secret Service on Linux, or the kernel's keyutils): a
//! service name as the vault, one entry per field of an item.

use super::{DefaultFields, Field, Info, Item, Probe, SignIn, Vault};

/// The keyring service long-term keys are kept under unless named.
pub const DEFAULT_SERVICE: &str = "envact";

pub const INFO: Info = Info {
    name: "keyring",
    aliases: &[],
    default_fields: DefaultFields {
        access_key_id: "access_key_id",
        secret_access_key: "secret_access_key",
    },
    vault: Vault::Asked {
        prompt: "Keyring service",
        default: Some(DEFAULT_SERVICE),
        shown: Some(DEFAULT_SERVICE),
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
        .secret_service
        .then(|| "Secret Service reachable".to_string())
}
