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
