//! Long-term keys from environment variables, for CI: `[secrets.fields]` name
//! the variables. Read-only: there is nothing to add or remove.

use secrecy::SecretString;
use std::ffi::OsString;

use super::{Backend, SecretError, SecretStore};

/// Reads one environment variable.
type VarReader = Box<dyn Fn(&str) -> Option<OsString> + Send + Sync>;

pub struct EnvStore {
    var: VarReader,
}

impl EnvStore {
    /// `var` reads a variable (the process environment in the CLI).
    pub fn new(var: impl Fn(&str) -> Option<OsString> + Send + Sync + 'static) -> EnvStore {
        EnvStore { var: Box::new(var) }
    }

    fn read_only(&self, what: &str) -> SecretError {
        SecretError::ReadOnly {
            backend: "env",
            detail: format!("envact cannot {what} environment variables"),
        }
    }
}

impl SecretStore for EnvStore {
    fn backend(&self) -> Backend {
        Backend::Env
    }

    fn describe(&self) -> String {
        "the environment".into()
    }

    fn read_field(&self, _item: &str, field: &str) -> Result<SecretString, SecretError> {
        match (self.var)(field).map(OsString::into_string) {
            Some(Ok(value)) if !value.is_empty() => Ok(SecretString::from(value)),
            _ => Err(SecretError::VarNotSet {
                var: field.to_string(),
            }),
        }
    }

    fn write_item(&self, _: &str, _: &[(&str, &SecretString)]) -> Result<(), SecretError> {
        Err(self.read_only("store into"))
    }

    fn remove_item(&self, _: &str) -> Result<(), SecretError> {
        Err(self.read_only("remove"))
    }

    fn list_items(&self) -> Result<Vec<String>, SecretError> {
        Err(self.read_only("list"))
    }
}
