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

/// Runs git and gives its stdout, or what its error says.
pub fn ok<I, S>(dir: Option<&Path>, args: I, interactive: bool) -> Result<Vec<u8>, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = run(dir, args, interactive).map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(error_message(&out.stderr))
    }
}

/// What git's error says, on one line: its `fatal:` and `error:` messages
/// (a server's `ERROR:` and a refused ref's `!` line too), each with the
/// lines that continue it, without hints. The last line alone is often the
/// end of a sentence ("and the repository exists.").
pub fn error_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let is_error = |l: &str| {
        ["fatal:", "error:", "ERROR:", "!"]
            .iter()
            .any(|p| l.starts_with(p))
    };
    let starts = |l: &str| {
        is_error(l)
            || ["warning:", "remote:", "To "]
                .iter()
                .any(|p| l.starts_with(p))
    };
    let mut messages: Vec<(bool, String)> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("hint:") {
            continue;
        }
        match messages.last_mut() {
            Some((_, message)) if !starts(line) => {
                message.push(' ');
                message.push_str(line);
            }
            _ => messages.push((is_error(line), line.to_string())),
        }
    }
    let errors: Vec<&str> = messages
        .iter()
        .filter(|(error, _)| *error)
        .map(|(_, m)| {
            ["fatal: ", "error: ", "ERROR: "]
                .iter()
                .find_map(|p| m.strip_prefix(p))
                .unwrap_or(m)
        })
        .collect();
    match errors.as_slice() {
        [] => messages
            .last()
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| "git failed".into()),
        _ => errors.join("; "),
    }
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

#[cfg(test)]
mod tests {
    use super::error_message;

    #[test]
    fn an_error_is_every_fatal_line_with_what_continues_it() {
        let stderr = b"fatal: '/srv/none' does not appear to be a git repository\n\
            fatal: Could not read from remote repository.\n\n\
            Please make sure you have the correct access rights\n\
            and the repository exists.\n";
        assert_eq!(
            error_message(stderr),
            "'/srv/none' does not appear to be a git repository; Could not read from remote \
             repository. Please make sure you have the correct access rights and the \
             repository exists."
        );
    }

    #[test]
    fn a_servers_error_and_a_refused_ref_are_errors_and_hints_are_not() {
        let stderr = b"ERROR: Repository not found.\n\
            fatal: Could not read from remote repository.\n";
        assert_eq!(
            error_message(stderr),
            "Repository not found.; Could not read from remote repository."
        );
        let stderr = b"To /srv/reg.git\n ! [rejected]        main -> main (fetch first)\n\
            error: failed to push some refs to '/srv/reg.git'\n\
            hint: Updates were rejected because the remote contains work\n";
        assert_eq!(
            error_message(stderr),
            "! [rejected] main -> main (fetch first); failed to push some refs to '/srv/reg.git'"
                .replace("] main", "]        main")
        );
    }

    #[test]
    fn without_an_error_line_the_last_message_is_said() {
        assert_eq!(
            error_message(b"warning: x\nsomething odd\n"),
            "warning: x something odd"
        );
        assert_eq!(error_message(b""), "git failed");
        assert_eq!(error_message(b"hint: only a hint\n"), "git failed");
    }
}
