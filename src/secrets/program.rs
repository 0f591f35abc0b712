//! Running a backend's own program (`pass`, `op`): secrets go in through stdin
//! and come back through a pipe, never through the command line, at most
//! [`MAX_OUTPUT`] of it (a program that says more is stopped), and a missing
//! program is reported with how to install it.

use secrecy::zeroize::Zeroizing;
use std::io::{self, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;

/// The most a backend's program may print on stdout or stderr: answers are
/// a few KiB.
pub(super) const MAX_OUTPUT: u64 = 4 * 1024 * 1024;

use super::SecretError;

#[derive(Debug, Clone, Copy)]
pub(super) struct Program {
    pub backend: &'static str,
    pub name: &'static str,
    pub install: &'static str,
}

/// What a program printed, its stdout zeroed when dropped.
pub(super) struct Captured {
    pub status: ExitStatus,
    pub stdout: Zeroizing<Vec<u8>>,
    pub stderr: String,
}

impl Captured {
    /// stderr trimmed to one readable line for an error message.
    pub fn error_line(&self) -> String {
        let text = self.stderr.trim();
        if text.is_empty() {
            format!("exit status {}", self.status)
        } else {
            text.lines().collect::<Vec<_>>().join(" ")
        }
    }
}

impl Program {
    /// The program, without what envact's own environment holds of keys
    /// (it is given what it needs explicitly).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(self.name);
        cmd.env_remove(super::PASSPHRASE_VAR);
        for name in super::AWS_KEY_VARS {
            cmd.env_remove(name);
        }
        cmd
    }

    /// Runs `cmd`, feeding `input` to its stdin (closed at once when `None`).
    pub fn run(&self, mut cmd: Command, input: Option<&[u8]>) -> Result<Captured, SecretError> {
        cmd.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        self.finish(cmd, input)
    }

    /// Runs `cmd` with the terminal as its stdin and stderr, for a program that
    /// asks the person something itself (`op signin`); stdout is captured.
    pub fn run_interactive(&self, mut cmd: Command) -> Result<Captured, SecretError> {
        cmd.stdin(Stdio::inherit())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        self.finish(cmd, None)
    }

    fn finish(&self, mut cmd: Command, input: Option<&[u8]>) -> Result<Captured, SecretError> {
        let mut child = cmd.spawn().map_err(|e| self.spawn_error(e))?;
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            // A program that exits without reading all of stdin is reported by
            // its status below, not as a broken pipe here.
            let _ = stdin.write_all(input);
        }
        // Both pipes are read at once, each to its bound; a program that
        // goes past it is stopped rather than read without end.
        let (tx, rx) = mpsc::channel();
        let mut readers = 0;
        for (is_stdout, pipe) in [
            (
                true,
                child
                    .stdout
                    .take()
                    .map(|p| Box::new(p) as Box<dyn Read + Send>),
            ),
            (
                false,
                child
                    .stderr
                    .take()
                    .map(|p| Box::new(p) as Box<dyn Read + Send>),
            ),
        ] {
            if let Some(pipe) = pipe {
                readers += 1;
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let mut buf = Zeroizing::new(Vec::new());
                    let _ = pipe.take(MAX_OUTPUT + 1).read_to_end(&mut buf);
                    let _ = tx.send((is_stdout, buf));
                });
            }
        }
        let (mut stdout, mut stderr) = (Zeroizing::new(Vec::new()), Zeroizing::new(Vec::new()));
        let mut too_much = false;
        for (is_stdout, buf) in rx.iter().take(readers) {
            if buf.len() as u64 > MAX_OUTPUT && !too_much {
                too_much = true;
                let _ = child.kill();
            }
            if is_stdout {
                stdout = buf;
            } else {
                stderr = buf;
            }
        }
        let status = child.wait().map_err(|source| SecretError::Io {
            what: format!("waiting for `{}`", self.name),
            source,
        })?;
        if too_much {
            return Err(SecretError::Failed {
                backend: self.backend,
                detail: format!(
                    "`{}` printed more than {} MiB, far more than any answer: it was stopped",
                    self.name,
                    MAX_OUTPUT / (1024 * 1024)
                ),
            });
        }
        Ok(Captured {
            status,
            stdout,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        })
    }

    fn spawn_error(&self, e: io::Error) -> SecretError {
        if e.kind() == io::ErrorKind::NotFound {
            SecretError::ProgramMissing {
                backend: self.backend,
                program: self.name,
                install: self.install,
            }
        } else {
            SecretError::Io {
                what: format!("starting `{}`", self.name),
                source: e,
            }
        }
    }
}
