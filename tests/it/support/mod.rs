//! Shared test helpers: a sandbox that stands in for the user's home (HOME and
//! the XDG dirs in a temp dir, never the real ones), a project with a manifest,
//! and real shells driven through a pseudo-terminal.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub use rexpect::session::PtySession;

pub mod agent_env;
pub mod op_standin;
pub mod pass_store;
pub mod registry;
pub mod secret_service;
pub mod sso;
pub mod sts;

/// How long any single expectation on a terminal may take.
pub const PTY_TIMEOUT_MS: u64 = 20_000;

pub fn envact_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_envact"))
}

/// A throwaway user: HOME, XDG dirs and a project directory.
pub struct Sandbox {
    _root: tempfile::TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
    pub config: PathBuf,
    pub cache: PathBuf,
    pub data: PathBuf,
    pub runtime: PathBuf,
    pub project: PathBuf,
}

impl Sandbox {
    /// direnv as a person sets it up for envact: `envact hook direnv` in
    /// direnv's lib, `use envact` in the project's `.envrc` (not allowed yet).
    pub fn use_envact_in_direnv(&self) {
        let lib = self.config.join("direnv/lib");
        std::fs::create_dir_all(&lib).unwrap();
        let hook = run(self.envact(["hook", "direnv"]));
        assert!(hook.status.success(), "{}", stderr(&hook));
        std::fs::write(lib.join("envact.sh"), stdout(&hook)).unwrap();
        std::fs::write(self.project.join(".envrc"), "use envact\n").unwrap();
    }

    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("envact-test-")
            .tempdir()
            .unwrap();
        let root = dir.path().to_path_buf();
        let sb = Sandbox {
            home: root.join("home"),
            config: root.join("home/.config"),
            cache: root.join("home/.cache"),
            data: root.join("home/.local/share"),
            runtime: root.join("run"),
            project: root.join("home/project"),
            root,
            _root: dir,
        };
        for d in [
            &sb.home,
            &sb.config,
            &sb.cache,
            &sb.data,
            &sb.runtime,
            &sb.project,
        ] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::set_permissions(&sb.runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        sb.write_home_rc_files();
        sb
    }

    /// A sandbox whose project has `.envact/manifest.toml` with `manifest`.
    pub fn with_manifest(manifest: &str) -> Sandbox {
        let sb = Sandbox::new();
        sb.write_manifest(manifest);
        sb
    }

    pub fn write_manifest(&self, manifest: &str) -> PathBuf {
        let path = self.project.join(".envact/manifest.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, manifest).unwrap();
        path
    }

    /// Plain prompts that the tests can wait for, for each shell, and no greeting.
    fn write_home_rc_files(&self) {
        std::fs::write(self.home.join(".bashrc"), "PS1='inner$ '\n").unwrap();
        std::fs::write(
            self.home.join(".zshrc"),
            "PROMPT='inner%# '\nunsetopt PROMPT_SP\n",
        )
        .unwrap();
        let fish = self.config.join("fish");
        std::fs::create_dir_all(&fish).unwrap();
        std::fs::write(
            fish.join("config.fish"),
            "set -g fish_greeting ''\nfunction fish_prompt; printf 'inner> '; end\n",
        )
        .unwrap();
        // An interactive fish without generated completions starts a background
        // job that makes them from man pages and holds the terminal for minutes.
        std::fs::create_dir_all(self.data.join("fish/generated_completions")).unwrap();
    }

    /// The environment every process of the test runs with: the sandbox's HOME
    /// and XDG dirs, the envact under test first on PATH, a plain terminal.
    pub fn apply_env(&self, cmd: &mut Command) {
        let bin_dir = envact_bin().parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env_clear()
            .env("PATH", path)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", &self.config)
            .env("XDG_CACHE_HOME", &self.cache)
            .env("XDG_DATA_HOME", &self.data)
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env("TMPDIR", self.root.join("tmp"))
            .env("TERM", "dumb")
            .env("LANG", "C.UTF-8")
            .env("SHELL", "/bin/bash")
            // IAM only where a test starts one: envact asks IAM how old a
            // key is, and no test's key goes to AWS (nothing listens here).
            .env("AWS_ENDPOINT_URL_IAM", NO_IAM)
            .current_dir(&self.project);
        std::fs::create_dir_all(self.root.join("tmp")).unwrap();
    }

    /// `envact ARGS` in the project, with the sandbox's environment.
    pub fn envact<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new(envact_bin());
        self.apply_env(&mut cmd);
        cmd.args(args);
        cmd
    }

    /// Activation runtime dirs in the runtime base dir (fish keeps its own
    /// files there too, which are not envact's).
    pub fn runtime_leftovers(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.runtime)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("envact-"))
            })
            .collect()
    }

    pub fn assert_no_runtime_dir(&self) {
        let left = self.runtime_leftovers();
        assert!(left.is_empty(), "runtime dir left behind: {left:?}");
    }

    /// An interactive bash on a pseudo-terminal, standing for the user's own
    /// shell from which envact is started. Its prompt is `outer$ `.
    pub fn outer_shell(&self, inner_shell: &str) -> PtySession {
        let mut cmd = Command::new("bash");
        self.apply_env(&mut cmd);
        cmd.env("SHELL", inner_shell)
            .env("PS1", "outer$ ")
            .args(["--norc", "--noprofile", "-i"]);
        let mut p = spawn_pty(cmd);
        p.exp_string("outer$ ").unwrap();
        p
    }
}

/// Leaves the outer shell and waits until nothing holds the terminal any more:
/// a process envact left behind on it would keep it open.
pub fn exit_outer_shell(mut p: PtySession) {
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

/// Where the sandbox's IAM is unless a test starts one: a loopback port no
/// one listens on, so a request is refused at once.
pub const NO_IAM: &str = "http://127.0.0.1:9";

pub fn spawn_pty(cmd: Command) -> PtySession {
    rexpect::session::spawn_command(cmd, Some(PTY_TIMEOUT_MS)).expect("spawn on a pty")
}

/// Runs to completion and returns the output; panics if it does not end in time.
pub fn run(mut cmd: Command) -> Output {
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    wait_output(child, Duration::from_secs(30))
}

/// Runs to completion with `input` on stdin.
pub fn run_with_stdin(mut cmd: Command, input: &str) -> Output {
    use std::io::Write;
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    // A command that fails before it reads its input closes the pipe early.
    match stdin.write_all(input.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    drop(stdin);
    wait_output(child, Duration::from_secs(30))
}

/// AWS's documented example key: the long-term keys tests store.
pub const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// The two lines `envact add --stdin` reads.
pub fn keys_input() -> String {
    format!("{ACCESS_KEY_ID}\n{SECRET_ACCESS_KEY}\n")
}

pub fn wait_output(child: std::process::Child, limit: Duration) -> Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("process {pid} did not finish within {limit:?}");
        }
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Whether a process exists (and is not a zombie awaiting its parent).
pub fn process_alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Waits until `cond` holds, or fails with `what` after `limit`.
pub fn eventually(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A process's state line from /proc, for failure messages.
pub fn process_state(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()
                .map(|r| r.trim().chars().take(40).collect())
        })
        .unwrap_or_else(|| "gone".into())
}

/// The shells envact supports, as tests drive them.
pub const SHELLS: [&str; 3] = ["bash", "zsh", "fish"];

/// The absolute path of a program on PATH; panics with a hint when it is missing
/// (CI installs every shell: a missing one is a broken machine, not a skip).
pub fn which(program: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(program))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!("{program} is not installed; .ci/run installs it (apt-get install {program})")
        })
}

/// Files under `dir` (symlinks not followed) whose bytes contain any of
/// `needles`, skipping the paths in `except`.
pub fn files_containing<S: AsRef<str>>(
    dir: &Path,
    needles: &[S],
    except: &[PathBuf],
) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() && !except.contains(&path) {
                let bytes = std::fs::read(&path).unwrap_or_default();
                let holds = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
                if needles.iter().any(|n| holds(n.as_ref().as_bytes())) {
                    found.push(path);
                }
            }
        }
    }
    found
}

/// Asserts that the command failed with `code` and that its stderr says each
/// of `wanted`; returns the stderr for further checks.
pub fn assert_fails(out: &Output, code: i32, wanted: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr:\n{err}");
    for w in wanted {
        assert!(err.contains(w), "wanted {w:?} in stderr:\n{err}");
    }
    err
}

/// Whether a prerequisite a test needs is here. Without it the test says
/// so on stderr, `SKIPPED: what`, and returns early; under CI (`CI=true`,
/// where `.ci/run` installs every prerequisite) a missing one fails the
/// test instead: a green run there proves all it says.
pub fn prerequisite(present: bool, what: &str) -> bool {
    if present {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("a prerequisite is missing under CI: {what}");
    }
    eprintln!("SKIPPED: {what}");
    false
}

/// Whether the test can act as another user (`nobody`): root, `setpriv`
/// and a Python that `nobody` may run.
pub fn can_act_as_nobody() -> bool {
    let root = nix::unistd::getuid().is_root();
    let tools = Path::new("/usr/bin/python3").exists()
        && Command::new("setpriv").arg("--version").output().is_ok();
    prerequisite(
        root && tools,
        "acting as another user needs root, setpriv and /usr/bin/python3",
    )
}

/// `program` run as `nobody` (uid and gid 65534, no other groups).
pub fn as_nobody(program: &str) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", program]);
    cmd
}
