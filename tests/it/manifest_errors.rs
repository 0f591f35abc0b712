//! A teammate makes a mistake in `.envact/manifest.toml`: envact refuses it with
//! one message naming file:line:column and what is accepted, and never panics.
//!
//! Each file under tests/fixtures/bad-manifests starts with
//! `# expect: LINE:COLUMN: MESSAGE`, MESSAGE being the start of the error text.

use crate::support;

use std::path::Path;
use support::{run, stderr, Sandbox};

fn expectation(text: &str, file: &Path) -> (String, String) {
    let first = text.lines().next().unwrap_or_default();
    let rest = first.strip_prefix("# expect: ").unwrap_or_else(|| {
        panic!(
            "{} must start with `# expect: L:C: message`",
            file.display()
        )
    });
    let mut parts = rest.splitn(3, ':');
    let (line, col, message) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    (format!("{line}:{col}"), message.trim().to_string())
}

#[test]
fn every_bad_manifest_is_refused_with_its_location_and_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-manifests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 15,
        "at least 15 bad manifests, found {}",
        files.len()
    );

    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let (location, message) = expectation(&text, file);
        let sb = Sandbox::new();
        let manifest = sb.write_manifest(&text);
        let out = run(sb.envact(["activate", "--", "touch", "ran"]));
        let err = stderr(&out);
        let wanted = format!("error: {}:{location}: {message}", manifest.display());
        let name = file.file_name().unwrap().to_string_lossy();
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{name}: exit {:?}, not 1\n{err}",
                out.status.code()
            ));
        } else if !err.starts_with(&wanted) {
            failures.push(format!("{name}:\n  wanted: {wanted}\n  got:    {err}"));
        } else if err.contains("panicked") {
            failures.push(format!("{name}: panicked\n{err}"));
        } else if !err.contains("\nhelp: ") {
            failures.push(format!("{name}: no help line\n{err}"));
        }
        // The line is shown with a caret under the column.
        let line_no = location.split(':').next().unwrap();
        if !err.contains(&format!("\n{line_no} | ")) || !err.contains('^') {
            failures.push(format!("{name}: no source line with caret\n{err}"));
        }
        if sb.project.join("ran").exists() {
            failures.push(format!("{name}: the command ran despite the error"));
        }
        sb.assert_no_runtime_dir();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_directory_in_place_of_the_manifest_is_not_taken_for_one() {
    let sb = Sandbox::new();
    let path = sb.write_manifest("version = 1\n");
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap(); // a directory where the file should be
    let out = run(sb.envact(["activate", "-d", sb.project.to_str().unwrap(), "--", "true"]));
    support::assert_fails(&out, 1, &["has neither .envact/manifest.toml"]);
}

#[test]
fn a_100000_character_line_is_shown_as_a_window_around_the_problem() {
    let name = "n".repeat(100_000);
    let sb = Sandbox::with_manifest(&format!("version = 1\nname = \"{name}\"\n"));
    let out = run(sb.envact(["activate", "--", "true"]));
    let err = support::assert_fails(&out, 1, &[":2:8: `name` is longer than 64 characters"]);
    let longest = err.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(
        longest <= 250,
        "a line of {longest} characters:\n{err:.600}"
    );
    // Still the line, with a caret under where the value starts.
    assert!(err.contains("\n2 | name = \"nnnn"), "{err:.600}");
    assert!(err.contains("\n  |        ^^^"), "{err:.600}");
}
