//! The names a manifest gives: its own (`name`, shown in the prompt) and
//! its variables' (`[vars]`), checked before anything uses them.

/// Variables that hold credentials: envact injects them itself, they never belong in `[vars]`.
const CREDENTIAL_VARS: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

pub(super) fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("`name` is empty".into());
    }
    if name.chars().any(char::is_control) {
        return Err("`name` contains a control character".into());
    }
    if name.chars().count() > 64 {
        return Err("`name` is longer than 64 characters".into());
    }
    Ok(())
}

pub(super) fn check_var_name(key: &str) -> Result<(), (String, &'static str)> {
    let mut chars = key.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err((
            format!("`{key}` is not a valid variable name"),
            "variable names are letters, digits and `_`, not starting with a digit",
        ));
    }
    if key.starts_with("ENVACT_") {
        return Err((
            format!("`{key}` is reserved: envact sets ENVACT_* variables itself"),
            "rename the variable",
        ));
    }
    if CREDENTIAL_VARS.contains(&key) {
        return Err((
            format!("`{key}` is a credential and does not belong in [vars]"),
            "store long-term keys in the secrets backend (`envact add`); envact injects short-lived ones",
        ));
    }
    Ok(())
}
