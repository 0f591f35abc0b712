//! Running a backend's own program (`pass`, `op`): secrets go in through stdin
//! and come back through a pipe, never through the command line, and a missing
//! program is reported with how to install it.

use secrecy::zeroize::Zeroizing;
use std::io::{self, Write};
use std::process::{Command, ExitStatus, Stdio};

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
    pub fn command(&self) -> Command {
        Command::new(self.name)
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
        let out = child.wait_with_output().map_err(|source| SecretError::Io {
            what: format!("waiting for `{}`", self.name),
            source,
        })?;
        Ok(Captured {
            status: out.status,
            stdout: Zeroizing::new(out.stdout),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
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
