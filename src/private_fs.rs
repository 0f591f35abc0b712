//! The file system as envact uses it for anything sensitive, and for what it
//! reads: the directories it keeps things in are the user's own and 0700
//! (tightened when found looser; refused when someone else owns them), and
//! every file it reads is a regular file of a bounded size, so that a FIFO in
//! place of `~/.aws/config` cannot hang it and a huge file cannot exhaust its
//! memory.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The largest file envact reads (a manifest has a smaller bound of its own).
pub const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Creates `dir` (with its parents) as a private directory: 0700, the
/// user's own. `dir` and each directory above it up to `owned` (envact's
/// own, `$XDG_CONFIG_HOME/envact`, which holds it) are tightened to 0700 when
/// they are looser, and refused when another user owns them; nothing above
/// `owned` is touched.
pub fn private_dir(dir: &Path, owned: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let uid = nix::unistd::getuid().as_raw();
    let mut chain: Vec<&Path> = dir
        .ancestors()
        .take_while(|d| d.starts_with(owned))
        .collect();
    if chain.is_empty() {
        chain.push(dir);
    }
    for d in chain {
        let meta = std::fs::symlink_metadata(d)?;
        if !meta.is_dir() {
            return Err(io::Error::other(format!(
                "{} is not a directory",
                d.display()
            )));
        }
        if meta.uid() != uid {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{} belongs to uid {}: envact keeps secrets only in directories of your own",
                    d.display(),
                    meta.uid()
                ),
            ));
        }
        if meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Replaces the file at `path` with `bytes`, atomically (a temporary file
/// in the same directory, renamed over it), 0600; its directory is made
/// private first, up to `owned` (see [`private_dir`]).
pub fn write_private(path: &Path, owned: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir, owned)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes a file of the person's project (a manifest, an `.envrc`),
/// atomically and with the usual mode (0644: it holds no secret and is
/// meant to be committed), never through a symbolic link: when the file or
/// its directory is one (it could point anywhere, `~/.bashrc` say), it is
/// refused, named. envact makes no links there, so any is someone else's.
pub fn write_project_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let named = |p: &Path| p.display().to_string();
    refuse_link(dir, &named(dir))?;
    std::fs::create_dir_all(dir)?;
    refuse_link(dir, &named(dir))?;
    refuse_link(path, "it")?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// An error when `path` is a symbolic link, naming it as `named`.
pub fn refuse_link(path: &Path, named: &str) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{named} is a symbolic link, which envact does not write through: remove it, or edit the file it points at yourself"
            ),
        )),
        _ => Ok(()),
    }
}

/// Opens `path` for reading if it is a regular file, without waiting on a
/// FIFO or a device.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    Ok(file)
}

/// The bytes of the regular file at `path`, refused when larger than `max`.
pub fn read_bounded(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is larger than {}", size(max)),
        ));
    }
    Ok(bytes)
}

/// The text of the regular file at `path`, refused when larger than `max`.
pub fn read_text(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read_bounded(path, max)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read_text(&file, 5).unwrap(), "12345");
        let err = read_text(&file, 4).unwrap_err().to_string();
        assert_eq!(err, "it is larger than 4 bytes");
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        // Returns at once rather than waiting for a writer.
        let err = read_text(&fifo, 10).unwrap_err().to_string();
        assert_eq!(err, "it is not a regular file");
        assert!(read_text(dir.path(), 10).is_err());
    }

    #[test]
    fn private_dirs_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let envact = root.path().join("envact");
        std::fs::create_dir(&envact).unwrap();
        std::fs::set_permissions(&envact, std::fs::Permissions::from_mode(0o777)).unwrap();
        let envs = envact.join("envs");
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&envs, &envact).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&envact), mode(&envs)), (0o700, 0o700));
        assert_eq!(mode(root.path()), 0o755, "above envact's own: untouched");
        std::fs::set_permissions(&envs, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&envs, &envact).unwrap();
        assert_eq!(mode(&envs), 0o700);
    }
}
