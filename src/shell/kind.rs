//! Which shell the user gets, and the refusal for shells envact cannot drive.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

/// A shell envact knows how to activate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellKind {
    Bash,
    Zsh,
    Fish,
}

impl ShellKind {
    pub const ALL: [ShellKind; 3] = [ShellKind::Bash, ShellKind::Zsh, ShellKind::Fish];

    pub fn name(self) -> &'static str {
        match self {
            ShellKind::Bash => "bash",
            ShellKind::Zsh => "zsh",
            ShellKind::Fish => "fish",
        }
    }

    /// Recognises `bash`, `/usr/bin/zsh`, `-fish` (a login shell's argv[0]) and
    /// versioned names such as `bash5`.
    pub fn from_program(program: &Path) -> Option<ShellKind> {
        let name = program.file_name()?.to_str()?.trim_start_matches('-');
        let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
        ShellKind::ALL.into_iter().find(|k| k.name() == base)
    }
}

impl fmt::Display for ShellKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The user's shell: the program to run and how to drive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shell {
    pub kind: ShellKind,
    pub program: PathBuf,
}

/// Where the shell choice came from, so a refusal can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellSource {
    /// `--shell` or `ENVACT_SHELL`.
    Override,
    /// `$SHELL`.
    Environment,
    /// The login shell in the password database.
    Passwd,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedShell {
    pub program: PathBuf,
    pub source: ShellSource,
}

impl fmt::Display for UnsupportedShell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = match self.source {
            ShellSource::Override => "--shell / ENVACT_SHELL",
            ShellSource::Environment => "$SHELL",
            ShellSource::Passwd => "your login shell",
        };
        write!(
            f,
            "cannot activate in {} (from {from}): envact supports bash, zsh and fish",
            self.program.display()
        )
    }
}

impl std::error::Error for UnsupportedShell {}

impl Shell {
    /// Picks the shell: the override, else `$SHELL`, else the login shell, else bash.
    pub fn detect(
        override_: Option<&Path>,
        env_shell: Option<OsString>,
    ) -> Result<Shell, UnsupportedShell> {
        let (program, source) = if let Some(p) = override_ {
            (p.to_path_buf(), ShellSource::Override)
        } else if let Some(p) = env_shell.filter(|s| !s.is_empty()) {
            (PathBuf::from(p), ShellSource::Environment)
        } else if let Some(p) = login_shell() {
            (p, ShellSource::Passwd)
        } else {
            return Ok(Shell {
                kind: ShellKind::Bash,
                program: PathBuf::from("bash"),
            });
        };
        match ShellKind::from_program(&program) {
            Some(kind) => Ok(Shell { kind, program }),
            None => Err(UnsupportedShell { program, source }),
        }
    }
}

fn login_shell() -> Option<PathBuf> {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.shell)
        .filter(|s| !s.as_os_str().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_shell_programs_by_name() {
        for (program, kind) in [
            ("/bin/bash", Some(ShellKind::Bash)),
            ("zsh", Some(ShellKind::Zsh)),
            ("-fish", Some(ShellKind::Fish)),
            ("/opt/bin/bash5.2", Some(ShellKind::Bash)),
            ("/bin/tcsh", None),
            ("/bin/sh", None),
            ("/usr/bin/nushell", None),
        ] {
            assert_eq!(
                ShellKind::from_program(Path::new(program)),
                kind,
                "{program}"
            );
        }
    }

    #[test]
    fn override_beats_shell_variable_and_refusal_names_the_source() {
        let s = Shell::detect(Some(Path::new("/bin/zsh")), Some("/bin/bash".into())).unwrap();
        assert_eq!(s.kind, ShellKind::Zsh);
        let err = Shell::detect(None, Some("/bin/tcsh".into())).unwrap_err();
        assert_eq!(err.source, ShellSource::Environment);
        assert!(err.to_string().contains("$SHELL"));
    }
}
