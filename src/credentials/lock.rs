//! One environment's credentials are resolved by one envact process at a
//! time: a lock file per environment makes concurrent ones take turns, so
//! one STS round trip (and one MFA prompt) serves them all and no cache write
//! is interleaved. The holder writes its pid in the file; a waiter shows it
//! (behind the busy indicator) and gives up after [`WAIT`] rather than hang.

use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::private_fs::private_dir;
use crate::ui::Ui;
use crate::Error;

/// How long a resolution waits for another one before giving up.
pub const WAIT: Duration = Duration::from_secs(20);

/// How often a waiter tries again.
const RETRY: Duration = Duration::from_millis(100);

/// An exclusive lock on one environment's credential resolution, held until dropped.
pub struct ResolutionLock {
    _lock: Flock<File>,
}

impl ResolutionLock {
    /// Takes the lock in `dir` (private, inside envact's own directory
    /// `owned`), file `ENV-ID.lock`, waiting at most `wait` for another
    /// process that holds it.
    pub fn acquire(
        dir: &Path,
        owned: &Path,
        env_id: &str,
        ui: &dyn Ui,
        wait: Duration,
    ) -> Result<ResolutionLock, Error> {
        let path = dir.join(format!("{env_id}.lock"));
        let io = |source| Error::Lock {
            path: path.clone(),
            source,
        };
        private_dir(dir, owned).map_err(io)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(io)?;
        let mut file = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => lock,
            Err((file, _)) => wait_for(file, &path, ui, wait)?,
        };
        // Who holds it, for anyone who has to wait.
        let pid = std::process::id().to_string();
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(pid.as_bytes()))
            .map_err(io)?;
        Ok(ResolutionLock { _lock: file })
    }
}

fn wait_for(file: File, path: &Path, ui: &dyn Ui, wait: Duration) -> Result<Flock<File>, Error> {
    let holder = holder(path);
    let label = match holder {
        Some(pid) => {
            format!("Waiting for envact (pid {pid}), which is resolving these credentials")
        }
        None => "Waiting for another envact, which is resolving these credentials".into(),
    };
    let started = Instant::now();
    let mut file = Some(file);
    let mut lock = None;
    ui.busy(&label, &mut || {
        while let Some(f) = file.take() {
            match Flock::lock(f, FlockArg::LockExclusiveNonblock) {
                Ok(l) => lock = Some(l),
                Err((f, _)) if started.elapsed() < wait => {
                    std::thread::sleep(RETRY);
                    file = Some(f);
                }
                Err(_) => {}
            }
        }
    });
    lock.ok_or_else(|| Error::LockTimeout {
        path: PathBuf::from(path),
        holder,
        waited: wait,
    })
}

/// The pid the holder wrote in the lock file.
fn holder(path: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(path)
        .ok()?
        .take(32)
        .read_to_string(&mut text)
        .ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Quiet;

    #[test]
    fn a_held_lock_names_its_holder_and_is_given_up_on_in_time() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("locks");
        let acquire = |wait| ResolutionLock::acquire(&dir, root.path(), "env", &Quiet, wait);
        let held = acquire(WAIT).unwrap();
        let started = Instant::now();
        let err = acquire(Duration::from_millis(300)).err().unwrap();
        assert!(started.elapsed() < Duration::from_secs(2));
        match err {
            Error::LockTimeout { holder, .. } => assert_eq!(holder, Some(std::process::id())),
            other => panic!("{other}"),
        }
        drop(held);
        acquire(Duration::ZERO).unwrap();
    }
}
