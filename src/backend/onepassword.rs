//! 1Password, through its `op` command: a vault, an item, fields of an
//! "API Credential" item, and a sign-in the wizard asks about.

use super::{DefaultFields, Field, Info, Item, Probe, SignIn, Vault};

pub const INFO: Info = Info {
    name: "1password",
    aliases: &["op", "onepassword"],
    // 1Password's "API Credential" item category.
    default_fields: DefaultFields {
        access_key_id: "username",
        secret_access_key: "credential",
    },
    vault: Vault::Asked {
        prompt: "1Password vault",
        default: None,
        shown: None,
        // op reads `op://VAULT/ITEM/FIELD`: there is no vault by default.
        required: true,
        checked_by_listing: true,
    },
    item: Item::Named,
    field: Field::OfItem,
    sign_in: SignIn::OnePassword,
    writable: true,
    detect,
    fallback: false,
};

fn detect(probe: &Probe) -> Option<String> {
    if !probe.op_accounts.is_empty() {
        return Some(format!("op account {}", probe.op_accounts.join(", ")));
    }
    probe
        .op_token_in_env
        .then(|| "OP_SERVICE_ACCOUNT_TOKEN is set".to_string())
}
