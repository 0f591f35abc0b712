//! `envact status` tells whether this shell is in an environment; `--help` and
//! `--version` work without a manifest.

mod support;

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
