//! Running the activated shell as a child and staying with it until it ends:
//! termination signals sent to envact are passed on to the shell, and envact
//! only returns once the shell is gone, so the caller can always tear down.

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::Pid;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// Something envact serves while the child runs (the credential agent): its
/// file descriptors are polled alongside the signals, on this one thread, so
/// it must never block.
pub trait Service {
    fn fds(&self) -> Vec<BorrowedFd<'_>>;
    /// The descriptors at these indices in [`Service::fds`] are readable.
    fn ready(&mut self, ready: &[usize]);
    /// Called after every wake-up, and at least every [`TICK_MS`]: time to
    /// drop what is overdue.
    fn tick(&mut self) {}
    /// True when the service has nothing more to do (serving alone ends then).
    fn finished(&self) -> bool {
        false
    }
}

/// Nothing to serve.
pub struct NoService;

impl Service for NoService {
    fn fds(&self) -> Vec<BorrowedFd<'_>> {
        Vec::new()
    }
    fn ready(&mut self, _: &[usize]) {}
}

/// How long a shell gets to exit after being told to, before it is killed.
const GRACE: Duration = Duration::from_secs(3);

/// How often the child (and the service) is looked at without a signal or a
/// request, in milliseconds.
pub const TICK_MS: u16 = 250;

/// `si_code` of a signal the kernel raised itself (a terminal's Ctrl-C or hangup).
const SI_KERNEL: i32 = 0x80;

/// What the child is, which decides how a termination request reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKind {
    /// An interactive shell: it ignores SIGTERM and SIGINT, so it gets SIGHUP.
    InteractiveShell,
    /// A shell running one command, in envact's own process group: it gets the
    /// same signal envact got, unless the terminal already sent it to both.
    Command,
}

/// How the child ended, and whether envact was asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub status: ExitStatus,
    /// A termination signal that a process (not the terminal) sent to envact.
    pub stopped_by: Option<Signal>,
}

impl Outcome {
    /// The exit code envact reports: the child's own, 128+N when it died by
    /// signal N, and 128+N when envact itself was told to stop by signal N.
    pub fn exit_code(&self) -> i32 {
        if let Some(sig) = self.stopped_by {
            return 128 + sig as i32;
        }
        match (self.status.code(), self.status.signal()) {
            (Some(code), _) => code,
            (None, Some(sig)) => 128 + sig,
            (None, None) => 1,
        }
    }
}

/// Signals that stay blocked while envact supervises and tears down, so that
/// none of them can end envact before the runtime directory is gone.
/// Dropping it drains what arrived and restores the previous mask.
pub struct SignalGuard {
    fd: SignalFd,
    previous: SigSet,
}

fn watched() -> SigSet {
    let mut set = SigSet::empty();
    for sig in [
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGCHLD,
        // Reclaiming the terminal from a background process group raises it.
        Signal::SIGTTOU,
    ] {
        set.add(sig);
    }
    set
}

/// Blocks the signals the supervisor waits for in the calling thread: for
/// threads started by libraries (the SDK's runtime), so that none of them can
/// take a signal meant for envact's signalfd.
pub fn block_in_this_thread() {
    let _ = nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&watched()), None);
}

impl SignalGuard {
    /// Blocks the signals envact handles itself. Call before spawning anything.
    pub fn install() -> io::Result<SignalGuard> {
        let set = watched();
        let mut previous = SigSet::empty();
        nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&set), Some(&mut previous))?;
        let fd = SignalFd::with_flags(&set, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)?;
        Ok(SignalGuard { fd, previous })
    }

    /// Serves without a child, until the service is finished (returns None)
    /// or a termination request comes (returns it).
    pub fn serve(&mut self, service: &mut dyn Service) -> io::Result<Option<Signal>> {
        loop {
            self.poll(service, PollTimeout::from(TICK_MS))?;
            while let Some(info) = self.fd.read_signal()? {
                match Signal::try_from(info.ssi_signo as i32) {
                    Ok(sig @ (Signal::SIGINT | Signal::SIGTERM | Signal::SIGHUP)) => {
                        return Ok(Some(sig))
                    }
                    _ => continue,
                }
            }
            if service.finished() {
                return Ok(None);
            }
        }
    }

    /// Spawns `cmd` with a clean signal mask and waits for it, passing on
    /// termination requests as `kind` says.
    pub fn run(
        &mut self,
        mut cmd: Command,
        kind: ChildKind,
        service: &mut dyn Service,
    ) -> io::Result<Outcome> {
        // The child must not inherit the signals blocked here (std's
        // posix_spawn path keeps the parent's mask; tested below). An
        // interactive shell also gets a hangup if envact itself is killed
        // outright (SIGKILL), rather than living on, orphaned, in a
        // half-torn-down activation.
        let hang_up_with_parent = kind == ChildKind::InteractiveShell;
        // SAFETY: sigprocmask and prctl are async-signal-safe, as pre_exec requires.
        unsafe {
            cmd.pre_exec(move || {
                nix::sys::signal::sigprocmask(
                    SigmaskHow::SIG_SETMASK,
                    Some(&SigSet::empty()),
                    None,
                )?;
                if hang_up_with_parent {
                    nix::sys::prctl::set_pdeathsig(Signal::SIGHUP)?;
                }
                Ok(())
            });
        }
        let terminal_was_ours = owns_terminal();
        let mut child = cmd.spawn()?;
        let result = self.wait(&mut child, kind, service);
        if result.is_err() {
            // Never leave a shell behind that nobody waits for.
            let _ = child.kill();
            let _ = child.wait();
        }
        if terminal_was_ours {
            reclaim_terminal();
        }
        result
    }

    fn wait(
        &mut self,
        child: &mut Child,
        kind: ChildKind,
        service: &mut dyn Service,
    ) -> io::Result<Outcome> {
        let pid = Pid::from_raw(child.id() as i32);
        let mut stopped_by = None;
        let mut deadline: Option<Instant> = None;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(Outcome { status, stopped_by });
            }
            let timeout = match deadline {
                // A SIGCHLD taken by a thread that does not block it would be
                // lost; a periodic look at the child makes that harmless.
                None => PollTimeout::from(TICK_MS),
                Some(at) => {
                    let left = at.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        let _ = kill(pid, Signal::SIGKILL);
                        deadline = None;
                        continue;
                    }
                    PollTimeout::try_from(left.as_millis().min(60_000) as i32 + 1)
                        .unwrap_or(PollTimeout::MAX)
                }
            };
            self.poll(service, timeout)?;
            while let Some(info) = self.fd.read_signal()? {
                let Ok(sig) = Signal::try_from(info.ssi_signo as i32) else {
                    continue;
                };
                if !matches!(sig, Signal::SIGINT | Signal::SIGTERM | Signal::SIGHUP) {
                    continue;
                }
                let from_terminal = info.ssi_code == SI_KERNEL;
                match kind {
                    // The terminal signalled the whole foreground group, the
                    // command included: it decides for itself what to do.
                    ChildKind::Command if from_terminal => continue,
                    ChildKind::Command => {
                        let _ = kill(pid, sig);
                    }
                    ChildKind::InteractiveShell => {
                        let _ = kill(pid, Signal::SIGHUP);
                        let _ = kill(pid, Signal::SIGCONT);
                    }
                }
                stopped_by.get_or_insert(sig);
                deadline.get_or_insert_with(|| Instant::now() + GRACE);
            }
        }
    }
}

impl SignalGuard {
    /// Waits up to `timeout` for a signal or a request, hands the service
    /// what is ready, and gives it its tick.
    fn poll(&mut self, service: &mut dyn Service, timeout: PollTimeout) -> io::Result<()> {
        let ready: Vec<usize> = {
            let served = service.fds();
            let mut fds = vec![PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
            fds.extend(served.iter().map(|fd| PollFd::new(*fd, PollFlags::POLLIN)));
            match poll(&mut fds, timeout) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => return Err(e.into()),
            }
            fds[1..]
                .iter()
                .enumerate()
                .filter(|(_, fd)| fd.revents().is_some_and(|r| !r.is_empty()))
                .map(|(i, _)| i)
                .collect()
        };
        if !ready.is_empty() {
            service.ready(&ready);
        }
        service.tick();
        Ok(())
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        // Pending signals that were already answered must not fire on unblock.
        while let Ok(Some(_)) = self.fd.read_signal() {}
        let _ =
            nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&self.previous), None);
    }
}

fn owns_terminal() -> bool {
    nix::unistd::tcgetpgrp(io::stdin().as_fd()).is_ok_and(|fg| fg == nix::unistd::getpgrp())
}

/// An interactive shell takes the terminal's foreground for its own process
/// group; if it died without giving it back (SIGKILL), take it back so envact's
/// last messages, and the parent shell, are not stopped by SIGTTOU/SIGTTIN.
fn reclaim_terminal() {
    let stdin = io::stdin();
    let Ok(fg) = nix::unistd::tcgetpgrp(stdin.as_fd()) else {
        return;
    };
    let own = nix::unistd::getpgrp();
    if fg != own {
        let _ = nix::unistd::tcsetpgrp(stdin.as_fd(), own);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked_mask_of(kind: ChildKind) -> String {
        let mut guard = SignalGuard::install().unwrap();
        let out = tempfile::NamedTempFile::new().unwrap();
        // grep is the direct child: /proc/self is its own, inherited mask.
        let mut cmd = Command::new("grep");
        cmd.args(["SigBlk", "/proc/self/status"])
            .stdout(out.reopen().unwrap());
        let outcome = guard.run(cmd, kind, &mut NoService).unwrap();
        assert!(outcome.status.success());
        std::fs::read_to_string(out.path()).unwrap()
    }

    #[test]
    fn children_start_with_no_signal_blocked() {
        for kind in [ChildKind::Command, ChildKind::InteractiveShell] {
            let line = blocked_mask_of(kind);
            assert!(
                line.trim_end().ends_with(":\t0000000000000000"),
                "{kind:?}: {line}"
            );
        }
    }
}
