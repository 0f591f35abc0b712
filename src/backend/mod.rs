//! The secrets backends as envact knows them, one file each: its name and
//! aliases, the fields its items hold by default, what the first-run wizard
//! asks for it and how it tells the backend is ready on this machine, where
//! `setup --show` says its settings come from, and what it needs checked.
//! Everything else asks [`Backend::info`] rather than matching on backends,
//! so that a new backend is one file here, its store in `secrets`, and the
//! arms the compiler then asks for (`Backend::info`, `secrets::open`): a
//! backend without its questions, default fields or settings sources does
//! not compile, since an [`Info`] has no defaults to fall back on.
//!
//! This module depends on nothing of envact's: the manifest, the secrets
//! stores, the wizard and the settings all build on it.

mod env;
mod file;
mod keyring;
mod onepassword;
mod pass;

use std::path::PathBuf;

pub use file::DEFAULT_VAULT as FILE_DEFAULT_VAULT;
pub use keyring::DEFAULT_SERVICE as KEYRING_DEFAULT_SERVICE;

/// Where the long-term keys live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    OnePassword,
    Keyring,
    Pass,
    File,
    Env,
}

/// Everything envact knows about a backend.
#[derive(Debug)]
pub struct Info {
    /// As written in the manifest and on the command line.
    pub name: &'static str,
    /// Other names accepted for it.
    pub aliases: &'static [&'static str],
    /// The fields of an item that hold the key's two halves, unless the
    /// manifest or the person names others (for `env`: variables).
    pub default_fields: DefaultFields,
    /// What `[secrets] vault` means for it, and how it is asked.
    pub vault: Vault,
    /// Whether it reads keys from a named item.
    pub item: Item,
    /// How the wizard asks for a key's field.
    pub field: Field,
    /// How it signs in: asked by the wizard, kept in the answers, shown by
    /// `setup --show` (1Password's `op`).
    pub sign_in: SignIn,
    /// Whether envact can store keys in it (`add`, `remove`, the wizard).
    pub writable: bool,
    /// Why the wizard offers it on this machine; `None` when this machine
    /// shows no sign of it.
    pub detect: fn(&Probe) -> Option<String>,
    /// Offered first when no backend shows any sign of being ready.
    pub fallback: bool,
}

/// An item's key fields by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultFields {
    pub access_key_id: &'static str,
    pub secret_access_key: &'static str,
}

/// What `[secrets] vault` is for a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vault {
    /// It has none (`env`).
    None,
    /// The wizard asks `prompt`, offering `default`; `setup --show` shows
    /// `shown` when neither the manifest nor the answers give one.
    /// `required`: nothing can be read without one (no default applies);
    /// `checked_by_listing`: a wrong one shows when its items are listed,
    /// and is asked again.
    Asked {
        prompt: &'static str,
        default: Option<&'static str>,
        shown: Option<&'static str>,
        required: bool,
        checked_by_listing: bool,
    },
}

/// Whether keys are read from a named item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Named,
    /// It reads variables: no item (`env`).
    None,
}

/// What a key's "field" is, as the wizard asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A field of the item.
    OfItem,
    /// An environment variable.
    Variable,
}

/// How a backend signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// Nothing to ask: the OS session, a gpg agent, a passphrase, the
    /// environment.
    None,
    /// 1Password: the wizard asks how `op` signs in, offers to keep its
    /// session, and offers the item's one-time password for MFA codes.
    OnePassword,
}

/// What this machine shows of each backend, gathered once by the wizard.
#[derive(Debug, Default, Clone)]
pub struct Probe {
    /// A Secret Service answers on the session bus.
    pub secret_service: bool,
    /// The pass store's directory, when it has been initialised (`.gpg-id`).
    pub pass_store: Option<PathBuf>,
    /// The accounts added to 1Password's `op` on this device (their URLs).
    pub op_accounts: Vec<String>,
    /// `OP_SERVICE_ACCOUNT_TOKEN` is set.
    pub op_token_in_env: bool,
}

impl Backend {
    /// Every backend, in the order the wizard offers them.
    pub const ALL: [Backend; 5] = [
        Backend::OnePassword,
        Backend::Keyring,
        Backend::Pass,
        Backend::File,
        Backend::Env,
    ];

    /// The one match over backends that says what each is.
    pub const fn info(self) -> &'static Info {
        match self {
            Backend::OnePassword => &onepassword::INFO,
            Backend::Keyring => &keyring::INFO,
            Backend::Pass => &pass::INFO,
            Backend::File => &file::INFO,
            Backend::Env => &env::INFO,
        }
    }

    /// The name as written in the manifest and on the command line.
    pub const fn name(self) -> &'static str {
        self.info().name
    }

    /// The backend a name (or an alias) stands for.
    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name() == name || b.info().aliases.contains(&name))
    }

    /// The backend to offer first on this machine: the first that shows a
    /// sign of being ready, else the fallback.
    pub fn suggested(probe: &Probe) -> Backend {
        Backend::ALL
            .into_iter()
            .find(|b| (b.info().detect)(probe).is_some())
            .or_else(|| Backend::ALL.into_iter().find(|b| b.info().fallback))
            .unwrap_or(Backend::ALL[0])
    }
}

/// The names, in the order of [`Backend::ALL`], for messages.
pub const NAMES: [&str; 5] = [
    Backend::ALL[0].name(),
    Backend::ALL[1].name(),
    Backend::ALL[2].name(),
    Backend::ALL[3].name(),
    Backend::ALL[4].name(),
];

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Backend, String> {
        Backend::from_name(s).ok_or_else(|| {
            format!(
                "unknown backend `{s}`, expected one of {}",
                NAMES.map(|n| format!("`{n}`")).join(", ")
            )
        })
    }
}

impl serde::Serialize for Backend {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Backend {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Backend, D::Error> {
        let name = String::deserialize(d)?;
        Backend::from_name(&name).ok_or_else(|| serde::de::Error::unknown_variant(&name, &NAMES))
    }
}

impl clap::ValueEnum for Backend {
    fn value_variants<'a>() -> &'a [Self] {
        &Backend::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(
            clap::builder::PossibleValue::new(self.name())
                .aliases(self.info().aliases.iter().copied()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A variant missing from `ALL` would not be offered anywhere: this
    /// match fails to compile when a variant is added, and the test when
    /// `ALL` does not list it.
    #[test]
    fn all_lists_every_backend_once() {
        let position = |b: Backend| match b {
            Backend::OnePassword
            | Backend::Keyring
            | Backend::Pass
            | Backend::File
            | Backend::Env => Backend::ALL.iter().position(|x| *x == b),
        };
        for b in Backend::ALL {
            assert_eq!(Backend::ALL.iter().filter(|x| **x == b).count(), 1, "{b}");
            assert!(position(b).is_some());
        }
    }

    #[test]
    fn names_and_aliases_name_one_backend_each() {
        let mut seen = std::collections::BTreeSet::new();
        for b in Backend::ALL {
            for name in std::iter::once(b.name()).chain(b.info().aliases.iter().copied()) {
                assert!(seen.insert(name), "{name} names two backends");
                assert_eq!(Backend::from_name(name), Some(b));
            }
        }
        assert_eq!(Backend::from_name("lastpass"), None);
        assert_eq!(NAMES, ["1password", "keyring", "pass", "file", "env"]);
    }

    #[test]
    fn each_backend_says_what_the_wizard_asks_and_where_its_settings_come_from() {
        for b in Backend::ALL {
            let info = b.info();
            assert!(!info.default_fields.access_key_id.is_empty(), "{b}");
            assert!(!info.default_fields.secret_access_key.is_empty(), "{b}");
            match info.vault {
                Vault::None => assert_eq!(info.item, Item::None, "{b}: no vault, no item"),
                Vault::Asked {
                    prompt,
                    default,
                    required,
                    ..
                } => {
                    assert!(!prompt.is_empty(), "{b}");
                    assert!(
                        !(required && default.is_some()),
                        "{b}: a required vault has no default"
                    );
                }
            }
        }
        assert_eq!(Backend::ALL.iter().filter(|b| b.info().fallback).count(), 1);
    }

    #[test]
    fn the_suggestion_follows_what_the_machine_has() {
        let mut p = Probe::default();
        assert_eq!(Backend::suggested(&p), Backend::File);
        p.pass_store = Some("/p".into());
        assert_eq!(Backend::suggested(&p), Backend::Pass);
        p.secret_service = true;
        assert_eq!(Backend::suggested(&p), Backend::Keyring);
        p.op_token_in_env = true;
        assert_eq!(Backend::suggested(&p), Backend::OnePassword);
    }

    #[test]
    fn the_names_read_and_write_as_toml_and_on_the_command_line() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct S {
            backend: Backend,
        }
        let s: S = toml::from_str("backend = \"1password\"").unwrap();
        assert_eq!(s.backend, Backend::OnePassword);
        assert_eq!(toml::to_string(&s).unwrap(), "backend = \"1password\"\n");
        let err = toml::from_str::<S>("backend = \"lastpass\"")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown variant `lastpass`, expected one of `1password`, `keyring`, `pass`, `file`, `env`"),
            "{err}"
        );
        assert_eq!(
            <Backend as clap::ValueEnum>::from_str("op", false),
            Ok(Backend::OnePassword)
        );
    }
}
