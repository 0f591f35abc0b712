//! Finding a program on a `PATH` as a shell would, for the shims (the real
//! command past them) and for the backends' prerequisites (is `op` there?).

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The first `name` on `path` that is an executable file, skipping the
/// directory `except` (and empty entries, which are not the current
/// directory here: a program is never taken from wherever envact runs).
pub fn find(name: &OsStr, path: &OsStr, except: Option<&Path>) -> Option<PathBuf> {
    let skipped = except.and_then(|d| d.canonicalize().ok());
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .filter(|dir| skipped.is_none() || dir.canonicalize().ok() != skipped)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}
