//! The `git` program, as templates are fetched and pushed with it: the
//! person's SSH keys, credential helpers and proxies work unchanged, and no
//! credential ever goes on a command line envact writes.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::error::TemplateError;
use super::tree::{Entry, Files};

/// Runs `git ARGS` in `dir` (a repository, bare or not), capturing its output.
/// `interactive`: git may ask on the terminal (a password, a host key);
/// without one it fails at once rather than wait.
pub fn run<I, S>(dir: Option<&Path>, args: I, interactive: bool) -> Result<Output, TemplateError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = command(dir);
    cmd.args(args)
        .stdin(if interactive {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // envact's own defaults; the person's git config still applies.
        .env("GIT_ADVICE", "0")
        .env("LC_ALL", "C");
    if !interactive {
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_SSH_COMMAND", ssh_batch());
    }
    cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => TemplateError::GitMissing,
        _ => TemplateError::Git {
            detail: e.to_string(),
        },
    })
}

/// `git -C DIR`, blind to the variables that would point it at another
/// repository (set when envact runs from a git hook, or by hand).
pub fn command(dir: Option<&Path>) -> Command {
    let mut cmd = Command::new("git");
    if let Some(dir) = dir {
        cmd.arg("-C").arg(dir);
    }
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
    ] {
        cmd.env_remove(var);
    }
    // A template's name is a path, never a pattern.
    cmd.env("GIT_LITERAL_PATHSPECS", "1");
    cmd
}

/// ssh without prompts, keeping a command the person set.
fn ssh_batch() -> String {
    let base = std::env::var("GIT_SSH_COMMAND").unwrap_or_else(|_| "ssh".into());
    format!("{base} -o BatchMode=yes")
}

/// Runs git and gives its stdout, or its error's last line.
pub fn ok<I, S>(dir: Option<&Path>, args: I, interactive: bool) -> Result<Vec<u8>, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = run(dir, args, interactive).map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(last_line(&out.stderr))
    }
}

/// What git said last, the line that names the problem.
pub fn last_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("hint:"))
        .map(|l| l.trim_start_matches("fatal: ").to_string())
        .unwrap_or_else(|| "git failed".into())
}

/// The contents of `entries` (checked, and bounded by their listed sizes)
/// from the repository at `dir`, with one `git cat-file --batch` for all.
pub fn blobs(dir: &Path, entries: &[Entry]) -> Result<Files, String> {
    let mut child = command(Some(dir))
        .args(["cat-file", "--batch"])
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut input = String::new();
    for entry in entries {
        input.push_str(&entry.object);
        input.push('\n');
    }
    let mut stdin = child.stdin.take().ok_or("git cat-file has no input")?;
    // Written from a thread: git answers as it reads, and neither side may
    // wait on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut out = Vec::new();
    let expected: u64 = entries.iter().map(|e| e.size + 100).sum();
    let read = child
        .stdout
        .take()
        .ok_or("git cat-file has no output")?
        .take(expected + 1)
        .read_to_end(&mut out);
    let _ = child.kill();
    let _ = child.wait();
    let _ = writer.join();
    read.map_err(|e| e.to_string())?;
    parse_batch(&out, entries)
}

/// `git cat-file --batch`'s answer: per object a header line
/// `OBJECT blob SIZE`, the content, and a newline.
fn parse_batch(mut out: &[u8], entries: &[Entry]) -> Result<Files, String> {
    let mut files = Files::default();
    for entry in entries {
        let end = out
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("git cat-file stopped early")?;
        let header = String::from_utf8_lossy(&out[..end]).to_string();
        let expected = format!("{} blob {}", entry.object, entry.size);
        if header != expected {
            return Err(format!(
                "git cat-file answered {header:?} for {}",
                entry.path
            ));
        }
        let start = end + 1;
        let stop = start + entry.size as usize;
        if out.len() < stop + 1 {
            return Err("git cat-file stopped early".into());
        }
        files
            .0
            .insert(entry.path.clone(), out[start..stop].to_vec());
        out = &out[stop + 1..];
    }
    Ok(files)
}
