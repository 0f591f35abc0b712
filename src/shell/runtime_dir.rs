//! The private directory an activation lives in: generated rc files now, the
//! agent's socket later. 0700, files 0600, removed when the activation ends.

use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

const PREFIX: &str = "envact-";

pub struct RuntimeDir {
    dir: tempfile::TempDir,
}

impl RuntimeDir {
    /// Creates `envact-<pid>-XXXXXX` in `base`; the pid lets a later activation
    /// tell a directory whose envact was killed outright from a live one.
    pub fn create_in(base: &Path) -> io::Result<RuntimeDir> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{}-", std::process::id()))
            .permissions(Permissions::from_mode(0o700))
            .tempdir_in(base)?;
        Ok(RuntimeDir { dir })
    }

    /// Removes runtime directories in `base` left by an envact that was killed
    /// with SIGKILL (its shell got SIGHUP then, so nothing uses them any more).
    /// Returns what was removed; directories of other users are not touched.
    pub fn sweep_stale(base: &Path) -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(base) else {
            return Vec::new();
        };
        let uid = nix::unistd::getuid().as_raw();
        entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name();
                let pid: i32 = name
                    .to_str()?
                    .strip_prefix(PREFIX)?
                    .split('-')
                    .next()?
                    .parse()
                    .ok()?;
                let meta = entry.metadata().ok()?;
                let owner_gone = std::os::unix::fs::MetadataExt::uid(&meta) == uid
                    && meta.is_dir()
                    && nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None)
                        == Err(nix::errno::Errno::ESRCH);
                (owner_gone && fs::remove_dir_all(entry.path()).is_ok()).then(|| entry.path())
            })
            .collect()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a new file readable by the owner only.
    pub fn write(&self, name: &str, content: &str) -> io::Result<PathBuf> {
        let path = self.dir.path().join(name);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(content.as_bytes())?;
        Ok(path)
    }

    /// Removes the directory and everything in it, reporting failure.
    pub fn remove(self) -> io::Result<()> {
        let path = self.dir.path().to_path_buf();
        self.dir.close()?;
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            _ => Err(io::Error::other(format!(
                "{} is still there",
                path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_gone_after_remove() {
        let base = tempfile::tempdir().unwrap();
        let rt = RuntimeDir::create_in(base.path()).unwrap();
        let mode = fs::metadata(rt.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let file = rt.write("rc.bash", "true\n").unwrap();
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let path = rt.path().to_path_buf();
        rt.remove().unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn sweep_removes_only_directories_whose_envact_is_gone() {
        let base = tempfile::tempdir().unwrap();
        let live = RuntimeDir::create_in(base.path()).unwrap();
        // pid 0x7fff_fff0 is far above any pid_max: no such process.
        let stale = base.path().join("envact-2147483632-abcdef");
        let unrelated = base.path().join("envact-notapid");
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join("rc.bash"), "x").unwrap();
        fs::create_dir(&unrelated).unwrap();
        assert_eq!(RuntimeDir::sweep_stale(base.path()), vec![stale.clone()]);
        assert!(!stale.exists() && unrelated.exists() && live.path().exists());
    }
}
