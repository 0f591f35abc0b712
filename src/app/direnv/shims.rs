//! The PATH shims direnv exports in per-command mode: one entry per `wrap`
//! command, a symbolic link to envact itself, in the environment's directory.
//! Run as `aws`, envact finds the real `aws` on PATH past its own shim
//! directory and runs it through `envact exec`. A link, not a script: no
//! shell starts in between, which keeps a wrapped command within its
//! budget (3 ms over the bare command).

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Makes `bin` hold exactly one link to `envact_bin` per name in `names`.
pub fn install(bin: &Path, names: &[String], envact_bin: &Path) -> io::Result<()> {
    std::fs::create_dir_all(bin)?;
    std::fs::set_permissions(bin, std::fs::Permissions::from_mode(0o700))?;
    for entry in std::fs::read_dir(bin)?.flatten() {
        let name = entry.file_name();
        let wanted = names.iter().any(|n| OsStr::new(n) == name);
        let current = std::fs::read_link(entry.path()).is_ok_and(|to| to == envact_bin);
        if !wanted || !current {
            std::fs::remove_file(entry.path())?;
        }
    }
    for name in names {
        let link = bin.join(name);
        if std::fs::symlink_metadata(&link).is_err() {
            std::os::unix::fs::symlink(envact_bin, &link)?;
        }
    }
    Ok(())
}

/// The command a shim stands for: the first `name` on `path` that is not in
/// `bin` (the shims' own directory) and is an executable file.
pub fn real_command(name: &OsStr, path: &OsStr, bin: &Path) -> Option<PathBuf> {
    crate::search_path::find(name, path, Some(bin))
}

/// When envact runs as a shim: the name it was run as, if `bin` holds a
/// shim of that name. `argv0` as the shell gave it (`aws` or a path).
pub fn shim_name(argv0: &OsStr, bin: &Path) -> Option<OsString> {
    let name = Path::new(argv0).file_name()?;
    let is_envact = name.to_str().is_some_and(|n| n.starts_with("envact"));
    (!is_envact && std::fs::symlink_metadata(bin.join(name)).is_ok()).then(|| name.to_os_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shims_are_links_to_envact_and_the_real_command_is_found_past_them() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        let envact = root.path().join("envact");
        std::fs::write(&envact, "").unwrap();
        install(&bin, &["aws".into(), "terraform".into()], &envact).unwrap();
        assert_eq!(std::fs::read_link(bin.join("aws")).unwrap(), envact);
        // A name no longer wrapped goes.
        install(&bin, &["aws".into()], &envact).unwrap();
        assert!(!bin.join("terraform").exists());

        let real = root.path().join("usr-bin");
        std::fs::create_dir_all(&real).unwrap();
        let aws = real.join("aws");
        std::fs::write(&aws, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths([&bin, &real]).unwrap();
        assert_eq!(real_command(OsStr::new("aws"), &path, &bin), Some(aws));
        assert_eq!(real_command(OsStr::new("nope"), &path, &bin), None);

        assert_eq!(shim_name(OsStr::new("aws"), &bin), Some("aws".into()));
        assert_eq!(shim_name(OsStr::new("/x/envact"), &bin), None);
        assert_eq!(shim_name(OsStr::new("ls"), &bin), None);
    }
}
