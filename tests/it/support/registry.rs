//! A team's template registry for a test: a bare git repository in the
//! sandbox, a working clone to commit templates from, and a real `git daemon`
//! serving the bare one on loopback (started and stopped by the test).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{eventually, Sandbox};

pub struct GitRegistry {
    /// The directory `git daemon` serves: holds `team.git`.
    pub base: PathBuf,
    pub bare: PathBuf,
    pub work: PathBuf,
    daemon: Option<Child>,
    port: u16,
}

/// Runs git in `dir` with a committer identity; panics on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@envact.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@envact.invalid")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl GitRegistry {
    pub fn new(sb: &Sandbox) -> GitRegistry {
        let base = sb.root.join("git-server");
        let bare = base.join("team.git");
        let work = sb.root.join("registry-work");
        std::fs::create_dir_all(&bare).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        git(
            &bare,
            &["init", "--bare", "--quiet", "--initial-branch=main"],
        );
        git(&work, &["init", "--quiet", "--initial-branch=main"]);
        git(&work, &["remote", "add", "origin", bare.to_str().unwrap()]);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        GitRegistry {
            base,
            bare,
            work,
            daemon: None,
            port,
        }
    }

    /// A registry holding `files`, served on loopback, and added to the
    /// sandbox's person as `name` (with `envact registry add`).
    pub fn added(sb: &Sandbox, name: &str, files: &[(&str, &str)]) -> GitRegistry {
        let mut registry = GitRegistry::new(sb);
        registry.commit(files, "the first templates");
        registry.serve();
        let out = super::run(sb.envact(["registry", "add", name, &registry.url()]));
        assert!(out.status.success(), "{}", super::stderr(&out));
        registry
    }

    /// Writes `files` (path, content) in the working clone, commits and
    /// pushes; returns the commit.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (path, content) in files {
            let path = self.work.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        git(&self.work, &["add", "-A"]);
        git(&self.work, &["commit", "--quiet", "-m", message]);
        git(&self.work, &["push", "--quiet", "origin", "HEAD:main"]);
        git(&self.work, &["rev-parse", "HEAD"])
    }

    pub fn tag(&self, name: &str) {
        git(&self.work, &["tag", name]);
        git(&self.work, &["push", "--quiet", "origin", name]);
    }

    /// The URL git clients use: the daemon's, once served.
    pub fn url(&self) -> String {
        format!("git://127.0.0.1:{}/team.git", self.port)
    }

    pub fn serve(&mut self) {
        self.start(false);
    }

    /// Serves it anew, accepting pushes too.
    pub fn serve_writable(&mut self) {
        self.stop();
        self.start(true);
    }

    fn start(&mut self, writable: bool) {
        let daemon = Command::new("git")
            .args([
                "daemon",
                "--export-all",
                "--reuseaddr",
                "--listen=127.0.0.1",
                &format!("--port={}", self.port),
                &format!("--base-path={}", self.base.display()),
            ])
            .args(writable.then_some("--enable=receive-pack"))
            .arg(&self.base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: stopping it stops the children serving
            // connections too, which hold the listening socket.
            .process_group(0)
            .spawn()
            .expect("git daemon");
        self.daemon = Some(daemon);
        let port = self.port;
        eventually(Duration::from_secs(10), "git daemon answers", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
    }

    pub fn stop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            let group = nix::unistd::Pid::from_raw(-(d.id() as i32));
            let _ = nix::sys::signal::kill(group, nix::sys::signal::Signal::SIGKILL);
            let _ = d.wait();
            let port = self.port;
            eventually(Duration::from_secs(10), "git daemon is gone", || {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
            });
        }
    }
}

impl Drop for GitRegistry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Writes `bytes` as an object of `kind` into the repository at `dir`
/// exactly as given (`--literally`: git checks nothing, as a hostile
/// registry's server would not); returns its id.
pub fn write_object(dir: &Path, kind: &str, bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(["hash-object", "-w", "--literally", "-t", kind, "--stdin"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A tree of `entries` (mode, name, object id), written literally: a name
/// may be `..`, `.git` or hold a `/`.
pub fn write_tree(dir: &Path, entries: &[(&str, &str, &str)]) -> String {
    let mut raw = Vec::new();
    for (mode, name, id) in entries {
        raw.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        let bin: Vec<u8> = (0..id.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&id[i..i + 2], 16).unwrap())
            .collect();
        raw.extend_from_slice(&bin);
    }
    write_object(dir, "tree", &raw)
}

impl GitRegistry {
    /// Makes `tree` (a root tree) the tip of `main`, in a commit on top of
    /// the current one; returns the commit.
    pub fn commit_tree(&self, tree: &str, message: &str) -> String {
        let parent = git(&self.bare, &["rev-parse", "main"]);
        let commit = git(
            &self.bare,
            &["commit-tree", tree, "-p", &parent, "-m", message],
        );
        git(&self.bare, &["update-ref", "refs/heads/main", &commit]);
        commit
    }
}
