//! envact crashing (SIGABRT, with `ulimit -c unlimited`) while it holds the
//! long-term keys writes no core file that would hold them; the programs it
//! starts keep the person's own core-size limit.

use crate::support;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::{eventually, process_alive, spawn_pty, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

fn cores(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("core"))
        .collect()
}

/// Whether a process killed with SIGABRT here leaves a core file in `dir`
/// (the kernel's core_pattern writes plain files, cores are allowed).
fn machine_writes_cores(dir: &Path) -> bool {
    let mut sleeper = Command::new("sh")
        .args(["-c", "ulimit -c unlimited && exec sleep 30"])
        .current_dir(dir)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    kill(Pid::from_raw(sleeper.id() as i32), Signal::SIGABRT).unwrap();
    let _ = sleeper.wait();
    std::thread::sleep(Duration::from_millis(300));
    let found = cores(dir);
    for core in &found {
        let _ = std::fs::remove_file(dir.join(core));
    }
    !found.is_empty()
}

#[test]
fn envact_holding_the_keys_dumps_no_core_and_the_shell_keeps_its_limit() {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"core\"\n[secrets]\nbackend = \"env\"\n[aws]\nmfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"\n",
    );
    let dir = sb.root.join("cwd");
    std::fs::create_dir(&dir).unwrap();
    if !support::prerequisite(
        machine_writes_cores(&dir),
        "a killed process must leave a core file here (see /proc/sys/kernel/core_pattern)",
    ) {
        return;
    }

    // Waiting for the MFA code, envact has read the long-term keys.
    let mut cmd = Command::new("sh");
    sb.apply_env(&mut cmd);
    cmd.arg("-c")
        .arg(format!(
            "ulimit -c unlimited && cd {} && exec {} export -d {} --format json",
            dir.display(),
            support::envact_bin().display(),
            sb.project.display()
        ))
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1");
    let mut p = spawn_pty(cmd);
    p.exp_string("MFA code for arn:aws:iam::123456789012:mfa/tester")
        .unwrap();
    let pid = p.process.child_pid.as_raw();
    kill(Pid::from_raw(pid), Signal::SIGABRT).unwrap();
    eventually(Duration::from_secs(5), "envact ended", || {
        !process_alive(pid)
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(cores(&dir), Vec::<String>::new(), "a core file was written");
    let leaked = support::files_containing(&sb.root, &[SECRET_ACCESS_KEY], &[]);
    assert!(leaked.is_empty(), "the secret key on disk: {leaked:?}");

    // The activated shell (and what it runs) has the person's limit back.
    let plain = Sandbox::with_manifest("version = 1\n");
    let mut cmd = Command::new("sh");
    plain.apply_env(&mut cmd);
    cmd.arg("-c").arg(format!(
        "ulimit -c 12345 && exec {} activate -d {} -- sh -c 'echo limit=$(ulimit -c)'",
        support::envact_bin().display(),
        plain.project.display()
    ));
    let out = support::run(cmd);
    assert!(
        support::stdout(&out).contains("limit=12345"),
        "{} {}",
        support::stdout(&out),
        support::stderr(&out)
    );
}
