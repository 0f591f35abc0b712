//! envact holds secrets in memory (long-term keys while it trades them, STS
//! credentials in the agent), so, as ssh-agent and gpg-agent do, each envact
//! process is made non-dumpable (no core file, no ptrace by other processes
//! of the user) and gets a zero core-size limit. The programs it starts get
//! the person's own limit back: the activated shell and its commands are the
//! person's, not envact's.

use nix::sys::resource::{getrlimit, setrlimit, Resource};
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The core-size limit envact found, for its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreLimit {
    soft: u64,
    hard: u64,
}

/// Protects this process's memory; returns the limit its children get back.
/// Failures are ignored: a system that refuses leaves envact as it was.
pub fn protect_memory() -> CoreLimit {
    let (soft, hard) = getrlimit(Resource::RLIMIT_CORE).unwrap_or((0, 0));
    let _ = nix::sys::prctl::set_dumpable(false);
    // Only the soft limit: children may raise it back up to the hard one.
    let _ = setrlimit(Resource::RLIMIT_CORE, 0, hard);
    CoreLimit { soft, hard }
}

impl CoreLimit {
    /// The limit as it is now, for code that did not protect its process.
    pub fn current() -> CoreLimit {
        let (soft, hard) = getrlimit(Resource::RLIMIT_CORE).unwrap_or((0, 0));
        CoreLimit { soft, hard }
    }

    /// `cmd`'s program starts with this limit (a new program is dumpable again).
    pub fn give_to(self, cmd: &mut Command) {
        // SAFETY: setrlimit is a plain system call, async-signal-safe as
        // pre_exec requires.
        unsafe {
            cmd.pre_exec(move || {
                setrlimit(Resource::RLIMIT_CORE, self.soft, self.hard)?;
                Ok(())
            });
        }
    }
}
