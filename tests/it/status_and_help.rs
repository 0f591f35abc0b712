//! `envact status` tells whether this shell is in an environment; `--help` and
//! `--version` work without a manifest.

use crate::support;

use support::{run, stderr, stdout, Sandbox};

#[test]
fn status_outside_an_activation_says_so_and_exits_1() {
    let sb = Sandbox::with_manifest("version = 1\n");
    let out = run(sb.envact(["status"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("no envact environment is active"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn status_inside_an_activation_names_the_environment_directory_and_manifest() {
    let sb = Sandbox::with_manifest("version = 1\nname = \"stat\"\n");
    let out = run(sb.envact(["activate", "--", "envact", "status"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("environment: stat"), "{text}");
    assert!(
        text.contains(&format!("directory:   {}", sb.project.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "manifest:    {}",
            sb.project.join(".envact/manifest.toml").display()
        )),
        "{text}"
    );
}

#[test]
fn status_with_leftover_variables_reports_no_live_environment() {
    let sb = Sandbox::new();
    let mut cmd = sb.envact(["status"]);
    cmd.env("ENVACT_ENV", "old")
        .env("ENVACT_RUNTIME_DIR", sb.runtime.join("envact-gone"));
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("left over from an activation that has ended"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn help_teaches_the_commands_and_version_prints_the_version() {
    let sb = Sandbox::new();
    let out = run(sb.envact(["--help"]));
    let help = stdout(&out);
    for word in ["init", "activate", "status"] {
        assert!(help.contains(word), "{help}");
    }
    let out = run(sb.envact(["activate", "--help"]));
    let help = stdout(&out);
    assert!(help.contains("128+N"), "{help}");
    assert!(help.contains("ENVACT_SHELL"), "{help}");
    let out = run(sb.envact(["--version"]));
    assert_eq!(
        stdout(&out),
        format!("envact {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_flags_are_usage_errors_with_exit_2() {
    let sb = Sandbox::new();
    let out = run(sb.envact(["activate", "--bogus"]));
    support::assert_fails(&out, 2, &["unexpected argument '--bogus'"]);
}

#[test]
fn every_command_s_help_teaches_by_example() {
    let sb = Sandbox::new();
    let help = |cmd: &str| stdout(&run(sb.envact([cmd, "--help"])));
    for cmd in [
        "init", "activate", "exec", "add", "remove", "list", "export", "clear", "setup", "status",
    ] {
        let text = help(cmd);
        let examples = text
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{cmd}: no examples\n{text}"))
            .1;
        assert!(
            examples.contains(&format!("envact {cmd}")),
            "{cmd}: {examples}"
        );
        // A real description: more than the one-line summary.
        let about = text.split("\nUsage:").next().unwrap_or_default();
        assert!(about.trim().lines().count() > 1, "{cmd}: {about}");
    }
    // The credential_process snippet can be pasted as it stands.
    let export = help("export");
    assert!(
        export.contains("\n  [profile dev]\n  credential_process = envact export -d /path/to/project --format credential-process\n"),
        "{export}"
    );
    // Defaults are said once; the backends are listed where a backend is asked.
    let init = help("init");
    assert_eq!(init.matches("current directory").count(), 0, "{init}");
    assert_eq!(init.matches("[default: .]").count(), 1, "{init}");
    for cmd in ["add", "remove", "list"] {
        assert!(
            help(cmd).contains("[possible values: 1password, keyring, pass, file, env]")
                || help(cmd).contains("values: 1password, keyring, pass, file, env]"),
            "{cmd}"
        );
    }
}

#[test]
fn errors_are_coloured_on_a_terminal_unless_no_color_says_not() {
    let sb = Sandbox::new();
    let on_terminal = |no_color: Option<&str>| {
        let mut cmd = sb.envact(["activate", "-d", "/nonexistent/dir"]);
        cmd.env("TERM", "xterm-256color");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let mut p = support::spawn_pty(cmd);
        p.exp_eof().unwrap()
    };
    let coloured = on_terminal(None);
    assert!(
        coloured.contains("\u{1b}[1;31merror:\u{1b}[0m /nonexistent/dir is not a directory"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\u{1b}[1;32mhelp:\u{1b}[0m "),
        "{coloured:?}"
    );
    let plain = on_terminal(Some("1"));
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    assert!(
        plain.contains("error: /nonexistent/dir is not a directory"),
        "{plain:?}"
    );
    // Not a terminal: never.
    let out = run(sb.envact(["activate", "-d", "/nonexistent/dir"]));
    assert!(!stderr(&out).contains('\u{1b}'));
}

/// Output piped to a reader that has gone (`envact completions zsh | head`)
/// ends envact quietly: exit 0 or 141, as SIGPIPE would, never a panic; for
/// each command that prints on standard output. A full disk behind `>` is
/// an error, never silence.
#[test]
fn printing_into_a_closed_pipe_ends_quietly_never_with_a_panic() {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"p\"\n[secrets]\nbackend = \"env\"\n\
         [secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n[aws]\n",
    );
    let moto = support::sts::Moto::start(&sb);
    // An item, so that `list` has a line to print.
    let mut add = sb.envact(["add", "dev", "--backend", "file", "--stdin"]);
    add.env("ENVACT_FILE_PASSPHRASE", "p");
    let added = support::run_with_stdin(add, &support::keys_input());
    assert!(added.status.success(), "{}", stderr(&added));
    // A registry, so that `registry list` has a line to print.
    let templates = sb.root.join("templates");
    std::fs::create_dir_all(templates.join("aws")).unwrap();
    std::fs::write(templates.join("aws/manifest.toml"), "version = 1\n").unwrap();
    let added = run(sb.envact(["registry", "add", "team", templates.to_str().unwrap()]));
    assert!(added.status.success(), "{}", stderr(&added));
    let other = sb.root.join("other");
    let elsewhere = other.to_str().unwrap();
    let printing: [&[&str]; 11] = [
        &["completions", "zsh"],
        &["completions", "bash"],
        &["--help"],
        &["activate", "--help"],
        &["status"],
        &["list", "--backend", "file"],
        &["hook", "direnv"],
        &["registry", "list"],
        &["setup", "--show"],
        &["export", "--format", "env"],
        &["init", "-d", elsewhere],
    ];
    let cmd = |args: &[&str]| {
        let mut cmd = sb.envact(args);
        cmd.env("ENVACT_FILE_PASSPHRASE", "p")
            .env("CI_ID", support::ACCESS_KEY_ID)
            .env("CI_SECRET", support::SECRET_ACCESS_KEY)
            .env("AWS_ENDPOINT_URL_STS", &moto.url)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        cmd
    };
    for args in printing {
        // It prints, when someone reads (`status` outside an environment
        // says so, and exits 1).
        let read = run(cmd(args));
        assert!(
            !read.stdout.is_empty(),
            "{args:?} printed nothing: {}",
            stderr(&read)
        );
        let _ = std::fs::remove_dir_all(&other);

        let (reader, writer) = nix::unistd::pipe().unwrap();
        drop(reader);
        let mut closed = cmd(args);
        closed.stdout(std::process::Stdio::from(writer));
        let out = closed.output().unwrap();
        let err = stderr(&out);
        assert!(
            matches!(out.status.code(), Some(0 | 141)),
            "{args:?}: {:?}\n{err}",
            out.status
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        let _ = std::fs::remove_dir_all(&other);
    }
    // Disk full: said, and not a success.
    let full = std::fs::File::create("/dev/full").unwrap();
    let mut cmd = cmd(&["completions", "zsh"]);
    cmd.stdout(full);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: cannot write to standard output: No space left on device"),
        "{}",
        stderr(&out)
    );
}
