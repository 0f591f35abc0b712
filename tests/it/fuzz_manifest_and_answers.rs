//! Whatever a manifest or an answers file holds (a typo, a truncated save,
//! bytes from another tool), reading it ends quickly in a value or in an
//! error pointing at file:line:column: never a panic, never a hang. A fixed
//! number of inputs mutated from the seed corpus (every bad manifest under
//! tests/fixtures, every built-in template, answers files) and from scratch,
//! so each run checks the same amount.

use envact::manifest::{Manifest, ManifestError};
use envact::state::answers::Answers;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Inputs tried per target.
const CASES: u32 = 3000;

/// Far more than a parse takes; a hang would blow through it.
const SLOW: Duration = Duration::from_secs(2);

fn seeds(dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

const ANSWERS: [&str; 4] = [
    "item = \"ci\"\n\n[fields]\nsecret_access_key = \"secret\"\n\n[persistence]\nbackend_session = true\n",
    "backend = \"1password\"\nvault = \"Engineering\"\nitem = \"aws-dev\"\nmfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"\n\n[onepassword]\nauth = \"account\"\naccount = \"my.1password.com\"\n",
    "mfa_serial = \"\"\n[persistence]\nsts_session = false\n",
    "",
];

/// One edit of a text: bytes replaced, inserted, removed, or a slice repeated.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Repeat(usize, usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    // Bytes that matter to TOML more often than chance would pick them.
    let byte = prop_oneof![
        any::<u8>(),
        prop::sample::select(b"[]{}=\"'\\\n\t ,.#:-_0123456789aAz".to_vec()),
    ];
    let edit = prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(at, b)| Edit::Replace(at, b)),
        (any::<usize>(), prop::collection::vec(byte, 1..12))
            .prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), 1..40usize).prop_map(|(at, n)| Edit::Remove(at, n)),
        (any::<usize>(), 1..30usize, 1..50usize).prop_map(|(at, n, k)| Edit::Repeat(at, n, k)),
    ];
    prop::collection::vec(edit, 1..8)
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut bytes = seed.as_bytes().to_vec();
    for edit in edits {
        let at = |i: usize| {
            if bytes.is_empty() {
                0
            } else {
                i % (bytes.len() + 1)
            }
        };
        match edit {
            Edit::Replace(i, b) if !bytes.is_empty() => {
                let i = i % bytes.len();
                bytes[i] = *b;
            }
            Edit::Replace(..) => {}
            Edit::Insert(i, new) => {
                let i = at(*i);
                bytes.splice(i..i, new.iter().copied());
            }
            Edit::Remove(i, n) => {
                let i = at(*i);
                let end = (i + n).min(bytes.len());
                bytes.drain(i..end);
            }
            Edit::Repeat(i, n, times) => {
                let i = at(*i);
                let end = (i + n).min(bytes.len());
                let piece = bytes[i..end].to_vec();
                for _ in 0..*times {
                    bytes.splice(end..end, piece.iter().copied());
                }
            }
        }
    }
    // Both files are read as UTF-8 text; invalid bytes are refused before parsing.
    String::from_utf8_lossy(&bytes).into_owned()
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

/// A parse error names the place and shows a bounded snippet.
fn check_manifest(text: &str) {
    let path = Path::new("/p/.envact/manifest.toml");
    let started = Instant::now();
    let result = Manifest::parse(text, path, "fuzz");
    assert!(started.elapsed() < SLOW, "slow on {text:?}");
    if let Err(e) = result {
        let shown = e.to_string();
        assert!(shown.starts_with("/p/.envact/manifest.toml:"), "{shown}");
        if let ManifestError::Invalid(_) = &e {
            let snippet = e.snippet().unwrap_or_default();
            let widest = snippet
                .lines()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0);
            assert!(widest <= 220, "a snippet line of {widest} characters");
        }
    }
}

#[test]
fn no_manifest_makes_the_parser_panic_or_hang() {
    let mut corpus = seeds("tests/fixtures/bad-manifests");
    corpus.extend(seeds("env-templates"));
    assert!(corpus.len() >= 30, "the seed corpus is missing");
    let strategy = (prop::sample::select(corpus), edits());
    runner()
        .run(&strategy, |(seed, edits)| {
            check_manifest(&apply(&seed, &edits));
            Ok(())
        })
        .unwrap();
    runner()
        .run(&".{0,400}", |text| {
            check_manifest(&text);
            Ok(())
        })
        .unwrap();
}

#[test]
fn no_answers_file_makes_the_parser_panic_or_hang() {
    let check = |text: &str| {
        let started = Instant::now();
        let result = Answers::parse(text, Path::new("/c/envs/id.toml"));
        assert!(started.elapsed() < SLOW, "slow on {text:?}");
        match result {
            Ok(answers) => drop(answers.validate()),
            Err(e) => assert!(e.to_string().contains("/c/envs/id.toml"), "{e}"),
        }
    };
    let strategy = (prop::sample::select(ANSWERS.to_vec()), edits());
    runner()
        .run(&strategy, |(seed, edits)| {
            check(&apply(seed, &edits));
            Ok(())
        })
        .unwrap();
    runner()
        .run(&".{0,300}", |text| {
            check(&text);
            Ok(())
        })
        .unwrap();
}
