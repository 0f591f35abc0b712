//! The accounts op knows on this device, and adding one (signed in at once).

use secrecy::zeroize::Zeroizing;
use secrecy::SecretString;
use serde::Deserialize;

use super::OP;
use crate::secrets::SecretError;

/// An account op knows on this device (`op account list`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OpAccount {
    pub url: String,
    #[serde(default)]
    pub email: String,
    pub user_uuid: String,
}

/// The accounts added to op on this device; none when op has none or is absent.
pub fn accounts() -> Result<Vec<OpAccount>, SecretError> {
    let mut cmd = OP.command();
    cmd.args(["account", "list", "--format", "json"]);
    let out = OP.run(cmd, None)?;
    if !out.status.success() {
        return Ok(Vec::new());
    }
    Ok(serde_json::from_slice(&out.stdout).unwrap_or_default())
}

/// Adds an account to op on this device and signs in to it at once. op
/// itself asks, on the terminal, for the Secret Key and the account password
/// (once), so neither passes through envact; the session token comes back.
pub fn add_account(address: &str, email: &str) -> Result<SecretString, SecretError> {
    let mut cmd = OP.command();
    cmd.args([
        "account",
        "add",
        "--address",
        address,
        "--email",
        email,
        "--signin",
        "--raw",
    ]);
    let out = OP.run_interactive(cmd)?;
    let token = Zeroizing::new(String::from_utf8_lossy(&out.stdout).trim().to_string());
    if out.status.success() && !token.is_empty() {
        Ok(SecretString::from(token.as_str()))
    } else {
        Err(SecretError::NotSignedIn {
            detail: format!("`op account add` for {email} at {address} did not succeed"),
        })
    }
}
