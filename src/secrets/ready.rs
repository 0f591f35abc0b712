//! Whether this machine can use a backend at all: its program installed, its
//! store initialised, its keyring reachable. Checked once, before anything is
//! asked (`add`, the wizard, `list`, `remove`, and as a warning at `init`), so
//! that nobody types a sign-in address or both halves of a key only to learn
//! that `op` is missing. A failure names the fix, and another backend this
//! machine can use now: one it has ready, else the encrypted file, which
//! needs nothing installed.

use std::ffi::{OsStr, OsString};
use std::path::Path;

use super::keyring::has_own_session_keyring;
use super::program::Program;
use super::{
    keyring_kind, Backend, KeyringKind, KeyringStore, SecretError, SecretStore, StoreDirs,
};

/// Checks that `backend` can be used here; `vault` is the manifest's (or the
/// answer's) when known, for a pass store initialised per folder.
pub fn check(
    backend: Backend,
    vault: Option<&str>,
    var: &impl Fn(&str) -> Option<OsString>,
    dirs: &StoreDirs,
) -> Result<(), SecretError> {
    problem(backend, vault, var, dirs).map_or(Ok(()), |(what, fix)| {
        Err(SecretError::NotReady {
            backend: backend.name(),
            what,
            fix,
            instead: instead(backend, var, dirs),
        })
    })
}

/// What stops `backend` here, and its fix; `None` when nothing does.
fn problem(
    backend: Backend,
    vault: Option<&str>,
    var: &impl Fn(&str) -> Option<OsString>,
    dirs: &StoreDirs,
) -> Option<(String, String)> {
    let path = var("PATH").unwrap_or_default();
    let on_path = |name: &str| crate::search_path::find(OsStr::new(name), &path, None).is_some();
    let missing = |program: &Program| {
        (!on_path(program.name)).then(|| {
            (
                format!(
                    "`{}` is not installed (needed for the {} backend)",
                    program.name, program.backend
                ),
                format!("install it: {}", program.install),
            )
        })
    };
    match backend {
        Backend::OnePassword => missing(&super::onepassword::OP),
        Backend::Pass => missing(&super::pass::PASS)
            // pass runs gpg2 where there is one.
            .or_else(|| missing(&super::pass::GPG).filter(|_| !on_path("gpg2")))
            .or_else(|| pass_store_uninitialised(&dirs.pass, vault)),
        Backend::Keyring => keyring_problem(var),
        Backend::File | Backend::Env => None,
    }
}

/// pass encrypts to the keys named in `.gpg-id`, at the store's top or in
/// the folder (or a folder above it) an entry is in.
fn pass_store_uninitialised(store: &Path, vault: Option<&str>) -> Option<(String, String)> {
    let folder = store.join(vault.unwrap_or_default().trim_matches('/'));
    let initialised = folder
        .ancestors()
        .take_while(|dir| dir.starts_with(store))
        .any(|dir| dir.join(".gpg-id").is_file());
    (!initialised).then(|| {
        (
            format!(
                "the pass store at {} is not initialised (it has no .gpg-id)",
                store.display()
            ),
            "run `pass init YOUR-GPG-KEY-ID` (`gpg --list-secret-keys` shows yours; `gpg --gen-key` makes one)".into(),
        )
    })
}

fn keyring_problem(var: &impl Fn(&str) -> Option<OsString>) -> Option<(String, String)> {
    let kind = match keyring_kind(var) {
        Ok(kind) => kind,
        Err(e) => return Some((e.to_string(), e.help().unwrap_or_default())),
    };
    match kind {
        KeyringKind::Keyutils if !has_own_session_keyring() => Some((
            format!(
                "{}, and this process has no session keyring of its own for the kernel keyring: what it stored would vanish when envact ends",
                if var("ENVACT_KEYRING").is_some() {
                    "ENVACT_KEYRING chooses the kernel keyring (keyutils)"
                } else {
                    "there is no D-Bus session (so no Secret Service)"
                }
            ),
            "the kernel keyring needs a session keyring: run envact under `keyctl session -` (every command that reads the keys, too), or start a Secret Service (gnome-keyring, KeePassXC) in a D-Bus session".into(),
        )),
        KeyringKind::Keyutils => None,
        // The Secret Service answers, and is unlocked: listing reads its index.
        _ => KeyringStore::new(kind, None)
            .list_items()
            .err()
            .map(|e| (e.to_string(), e.help().unwrap_or_default())),
    }
}

/// Another backend to suggest: the keyring or pass when this machine has
/// one ready, else the encrypted file.
fn instead(failed: Backend, var: &impl Fn(&str) -> Option<OsString>, dirs: &StoreDirs) -> String {
    let ready = [Backend::Keyring, Backend::Pass]
        .into_iter()
        .filter(|b| *b != failed)
        .find(|b| problem(*b, None, var, dirs).is_none());
    match ready {
        Some(b) => format!(
            "or keep the keys in the {b} backend, which this machine has ready (`backend = \"{b}\"` in [secrets])"
        ),
        None => "or keep the keys in envact's encrypted file, which needs nothing installed (`backend = \"file\"` in [secrets], as `envact init --template aws-file` writes)".into(),
    }
}
