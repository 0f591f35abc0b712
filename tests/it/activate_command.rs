//! A script runs one command in the environment: `envact activate -- CMD ARGS...`
//! behaves as if CMD were typed at the activated prompt, and envact exits with
//! CMD's exit code.

use crate::support;

use support::{run, stderr, stdout, Sandbox, SHELLS};

const MANIFEST: &str = r#"
version = 1
name = "cmd-demo"

[vars]
GREETING = "hi there"

[hook]
on-activate = "echo hook-output; echo ran >> \"$HOME/hook.log\""

[profile]
common = "alias greet='echo alias-says-$GREETING'"
"#;

fn activate(sb: &Sandbox, shell: &str, cmd: &[&str]) -> std::process::Output {
    let mut c = sb.envact(["activate", "--shell", shell, "--"]);
    c.args(cmd);
    run(c)
}

#[test]
fn exit_codes_pass_through_and_signals_become_128_plus_n() {
    for shell in SHELLS {
        let sb = Sandbox::with_manifest(MANIFEST);
        for (cmd, code) in [
            ("exit 0", 0),
            ("exit 7", 7),
            ("kill -TERM $$", 143),
            ("kill -KILL $$", 137),
        ] {
            let out = activate(&sb, shell, &["sh", "-c", cmd]);
            assert_eq!(
                out.status.code(),
                Some(code),
                "{shell}: `{cmd}`: {}",
                stderr(&out)
            );
        }
        sb.assert_no_runtime_dir();
    }
}

#[test]
fn vars_profile_and_hook_apply_and_stdout_is_only_the_commands() {
    for shell in SHELLS {
        let sb = Sandbox::with_manifest(MANIFEST);
        let out = activate(&sb, shell, &["greet"]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        assert_eq!(stdout(&out), "alias-says-hi there\n", "{shell}");
        // The hook ran once, its output on stderr, out of the command's way.
        assert!(
            stderr(&out).contains("hook-output"),
            "{shell}: {}",
            stderr(&out)
        );
        let log = std::fs::read_to_string(sb.home.join("hook.log")).unwrap();
        assert_eq!(log, "ran\n", "{shell}");

        let out = activate(
            &sb,
            shell,
            &["sh", "-c", "echo \"$GREETING|$ENVACT_ENV|$ENVACT_DIR\""],
        );
        assert_eq!(
            stdout(&out),
            format!("hi there|cmd-demo|{}\n", sb.project.display()),
            "{shell}"
        );
    }
}

#[test]
fn arguments_reach_the_command_unchanged() {
    let tricky = ["a b", "$HOME", "it's", "", "*", "`id`", "x\ny", "\\", "-n"];
    for shell in SHELLS {
        let sb = Sandbox::with_manifest(MANIFEST);
        let mut args = vec!["printf", "[%s]"];
        args.extend(tricky);
        let out = activate(&sb, shell, &args);
        let expected: String = tricky.iter().map(|a| format!("[{a}]")).collect();
        assert_eq!(stdout(&out), expected, "{shell}: {}", stderr(&out));
    }
}

#[test]
fn a_missing_command_is_127_with_its_name() {
    for shell in SHELLS {
        let sb = Sandbox::with_manifest(MANIFEST);
        let out = activate(&sb, shell, &["no-such-command-xyz"]);
        assert_eq!(out.status.code(), Some(127), "{shell}");
        assert!(
            stderr(&out).contains("envact: no-such-command-xyz: command not found"),
            "{shell}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn the_runtime_dir_is_private_while_active_and_gone_after() {
    for shell in SHELLS {
        let sb = Sandbox::with_manifest(MANIFEST);
        let out = activate(
            &sb,
            shell,
            &["sh", "-c", "stat -c '%a %n' \"$ENVACT_RUNTIME_DIR\" \"$ENVACT_RUNTIME_DIR\"/* \"$ENVACT_RUNTIME_DIR\"/.z*"],
        );
        let listing = stdout(&out);
        let mut lines = listing.lines().filter(|l| !l.contains('*'));
        let dir = lines.next().unwrap_or_default();
        assert!(dir.starts_with("700 "), "{shell}: {listing}");
        assert!(
            dir.contains(&sb.runtime.display().to_string()),
            "{shell}: {listing}"
        );
        let files: Vec<_> = lines.collect();
        assert!(!files.is_empty(), "{shell}: {listing}");
        for f in files {
            assert!(f.starts_with("600 "), "{shell}: {f}");
        }
        sb.assert_no_runtime_dir();
    }
}

#[test]
fn a_failing_hook_stops_the_activation_with_its_location() {
    let sb = Sandbox::with_manifest(
        "version = 1\n[hook]\non-activate = \"echo checking >&2; exit 4\"\n",
    );
    let out = activate(&sb, "bash", &["sh", "-c", "echo command-ran"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stdout(&out).contains("command-ran"));
    let err = stderr(&out);
    assert!(
        err.contains("the on-activate hook (")
            && err.contains("manifest.toml:3:15) failed with exit code 4"),
        "{err}"
    );
    assert!(err.contains("help: fix [hook] on-activate"), "{err}");
    sb.assert_no_runtime_dir();
}

#[test]
fn unsupported_shells_are_refused_naming_the_supported_ones_and_the_override() {
    let sb = Sandbox::with_manifest(MANIFEST);
    let mut cmd = sb.envact(["activate", "--", "true"]);
    cmd.env("SHELL", "/bin/tcsh");
    let out = run(cmd);
    let err = support::assert_fails(
        &out,
        1,
        &["cannot activate in /bin/tcsh (from $SHELL): envact supports bash, zsh and fish"],
    );
    assert!(err.contains("--shell PATH or ENVACT_SHELL=PATH"), "{err}");

    // The override named in the message works.
    let mut cmd = sb.envact(["activate", "--", "true"]);
    cmd.env("SHELL", "/bin/tcsh").env("ENVACT_SHELL", "bash");
    assert_eq!(run(cmd).status.code(), Some(0));
    let out = run(sb.envact(["activate", "--shell", "dash", "--", "true"]));
    assert!(
        stderr(&out).contains("(from --shell / ENVACT_SHELL)"),
        "{}",
        stderr(&out)
    );
    sb.assert_no_runtime_dir();
}

#[test]
fn nesting_is_refused_but_leftover_variables_do_not_block() {
    let sb = Sandbox::with_manifest(MANIFEST);
    let out = activate(&sb, "bash", &["envact", "activate", "--", "true"]);
    support::assert_fails(
        &out,
        1,
        &["error: already inside the envact environment \"cmd-demo\""],
    );

    // ENVACT_* inherited by something that outlived its activation.
    let mut cmd = sb.envact(["activate", "--", "true"]);
    cmd.env("ENVACT_ENV", "old")
        .env("ENVACT_RUNTIME_DIR", sb.runtime.join("envact-gone"));
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn finds_the_manifest_upward_or_in_dir_and_says_how_to_create_one() {
    let sb = Sandbox::with_manifest(MANIFEST);
    let sub = sb.project.join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    let mut cmd = sb.envact(["activate", "--", "sh", "-c", "echo $ENVACT_ENV"]);
    cmd.current_dir(&sub);
    assert_eq!(stdout(&run(cmd)), "cmd-demo\n");

    let mut cmd = sb.envact(["activate", "--", "true"]);
    cmd.current_dir(&sb.home);
    let out = run(cmd);
    let err = support::assert_fails(&out, 1, &["no .envact/manifest.toml in"]);
    assert!(err.contains("help: run `envact init`"), "{err}");

    let out = run(sb.envact(["activate", "-d", "/nonexistent/dir", "--", "true"]));
    support::assert_fails(&out, 1, &["/nonexistent/dir is not a directory"]);
}
