//! The shell snippets under hooks/ are real files: each parses in its own shell,
//! and the bash ones pass shellcheck, so a syntax slip fails here, not in a user's shell.

use crate::support;

use std::path::Path;
use std::process::Command;
use support::{run, stderr, which};

fn hooks(sub: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("hooks")
        .join(sub);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

fn check(program: &str, args: &[&str], file: &Path) {
    let mut cmd = Command::new(which(program));
    cmd.args(args).arg(file);
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{program} {}: {}",
        file.display(),
        stderr(&out) + &support::stdout(&out)
    );
}

#[test]
fn bash_hooks_parse_and_pass_shellcheck() {
    // direnv's stdlib is bash: `use_envact` is checked as bash too.
    for f in hooks("bash").into_iter().chain(hooks("direnv")) {
        check("bash", &["-n"], &f);
        check("shellcheck", &["--shell=bash"], &f);
    }
}

#[test]
fn zsh_hooks_parse() {
    for f in hooks("zsh") {
        check("zsh", &["-n"], &f);
    }
}

#[test]
fn fish_hooks_parse() {
    for f in hooks("fish") {
        check("fish", &["--no-execute"], &f);
    }
}
