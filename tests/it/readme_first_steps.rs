//! A newcomer types the README's first steps as written: the first block of
//! "Five minutes with envact", in bash, with envact installed on PATH (as
//! `cargo install` puts it). The commands are read from README.md, so the
//! README cannot drift from what works.

use crate::support;

use support::Sandbox;

/// The first indented code block after `heading`, one command per line, its
/// trailing comments removed.
fn commands_under(heading: &str) -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split_once(heading)
        .unwrap_or_else(|| panic!("README.md has no {heading:?}"))
        .1;
    section
        .lines()
        .skip_while(|l| !l.starts_with("    "))
        .take_while(|l| l.starts_with("    "))
        .map(|l| {
            let command = l.trim();
            match command.find("  #") {
                Some(at) => command[..at].trim_end().to_string(),
                None => command.to_string(),
            }
        })
        .collect()
}

#[test]
fn the_first_block_of_five_minutes_with_envact_works_as_typed() {
    let commands = commands_under("## Five minutes with envact");
    assert!(commands.len() >= 5, "{commands:?}");
    let sb = Sandbox::new();
    let mut p = sb.outer_shell("/bin/bash");
    let mut transcript = String::new();
    for command in &commands {
        p.send_line(command).unwrap();
        // Each command ends at a prompt: the outer shell's, or the activated one's.
        let (before, prompt) = p.exp_regex(r"outer\$ |\(try-envact\) inner").unwrap();
        transcript.push_str(&before);
        transcript.push_str(&prompt);
    }
    for shown in [
        "created ",
        "(try-envact) inner",
        "environment: try-envact",
        "hello from envact in try-envact",
    ] {
        assert!(
            transcript.contains(shown),
            "{shown:?} not in:\n{transcript}"
        );
    }
    assert!(!transcript.contains("error:"), "{transcript}");
    support::exit_outer_shell(p);
    sb.assert_no_runtime_dir();
}

/// `scripts/demo`, the README's first command, builds envact first (minutes
/// on a fresh machine): the build is shown going, in a CI log and on a
/// terminal, never a silent wait; cargo's errors come through whole.
#[test]
fn the_demos_first_build_shows_it_going() {
    let lib = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/lib/build-progress.sh");
    let mut cargo_said = String::from("    Updating crates.io index\n  Downloading crates ...\n");
    for n in 1..=60 {
        cargo_said.push_str(&format!("   Compiling crate{n} v1.0.{n}\n"));
    }
    cargo_said.push_str("warning: unused variable: `x`\n");
    cargo_said.push_str("    Finished `release` profile [optimized] target(s) in 9m 01s\n");
    let script = format!(". {lib}; build_progress");

    // A log: a line every 25 crates, and what cargo says that matters.
    let out = support::run_with_stdin(
        {
            let mut cmd = std::process::Command::new("bash");
            cmd.args(["-c", &script]);
            cmd
        },
        &cargo_said,
    );
    assert!(out.status.success());
    assert_eq!(
        support::stderr(&out),
        "  Downloading crates ...\ndemo: building: 25 crates compiled\n\
         demo: building: 50 crates compiled\nwarning: unused variable: `x`\n\
         \x20   Finished `release` profile [optimized] target(s) in 9m 01s\n"
    );

    // A terminal: one line, counting, naming the latest crate.
    let input = std::env::temp_dir().join(format!("cargo-said-{}", std::process::id()));
    std::fs::write(&input, &cargo_said).unwrap();
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", &format!("{script} < {}", input.display())]);
    let mut p = support::spawn_pty(cmd);
    let shown = p.exp_eof().unwrap();
    std::fs::remove_file(&input).unwrap();
    assert!(
        shown.contains("\r\x1b[2Kdemo: building: 60 crates compiled (crate60 v1.0.60)"),
        "{shown:?}"
    );
    assert!(
        shown.contains("demo: built (60 crates compiled)"),
        "{shown:?}"
    );
}
