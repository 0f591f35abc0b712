//! How 1Password's `op` signs in: each person's choice (never written in a
//! manifest; it comes from the answers), carried with the completed
//! `[secrets]`. Plain data: the 1Password store acts on it.

use serde::{Deserialize, Serialize};

/// How op authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum OpAuth {
    /// An account added to op on this device; `op signin` asks for its password.
    Account,
    /// A service-account token, kept in the OS keyring (or `OP_SERVICE_ACCOUNT_TOKEN`).
    ServiceAccount,
    /// The 1Password desktop app's CLI integration.
    DesktopApp,
}

impl OpAuth {
    pub const ALL: [OpAuth; 3] = [OpAuth::Account, OpAuth::ServiceAccount, OpAuth::DesktopApp];

    /// The name in the answers file and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OpAuth::Account => "account",
            OpAuth::ServiceAccount => "service-account",
            OpAuth::DesktopApp => "desktop-app",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            OpAuth::Account => "my account on this device (op signin asks for its password)",
            OpAuth::ServiceAccount => "a service-account token",
            OpAuth::DesktopApp => "the 1Password desktop app integration",
        }
    }
}

/// Who op signs in as: the method and, for `Account`, its sign-in address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpSignIn {
    pub auth: OpAuth,
    /// Sign-in address (`my.1password.com`), passed to op as `OP_ACCOUNT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn names_on_the_command_line_are_the_names_in_the_answers_file() {
        for auth in OpAuth::ALL {
            let shown = auth.to_possible_value().map(|v| v.get_name().to_string());
            assert_eq!(shown.as_deref(), Some(auth.name()));
            let toml = toml::Value::try_from(auth).unwrap();
            assert_eq!(toml.as_str(), Some(auth.name()));
        }
    }
}
