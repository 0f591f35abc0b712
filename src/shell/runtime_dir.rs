//! The private directory an activation lives in: generated rc files now, the
//! agent's socket later. 0700, files 0600, removed when the activation ends.

use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub struct RuntimeDir {
    dir: tempfile::TempDir,
}

impl RuntimeDir {
    /// Where runtime directories go: `$XDG_RUNTIME_DIR` when it names a
    /// directory (per-user, tmpfs, cleared at logout), else the temp dir.
    pub fn default_base(xdg_runtime_dir: Option<PathBuf>) -> PathBuf {
        xdg_runtime_dir
            .filter(|p| p.is_absolute() && p.is_dir())
            .unwrap_or_else(std::env::temp_dir)
    }

    pub fn create_in(base: &Path) -> io::Result<RuntimeDir> {
        let dir = tempfile::Builder::new()
            .prefix("envact-")
            .permissions(Permissions::from_mode(0o700))
            .tempdir_in(base)?;
        Ok(RuntimeDir { dir })
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
}
