//! Unit tests of the trust review and record.

use super::*;

#[test]
fn a_diff_shows_what_changed() {
    let none = BTreeMap::new();
    let content = |manifest| Content {
        manifest,
        files: &none,
    };
    let d = diff(content("a = 1\nb = 2\n"), content("a = 1\nb = 3\n"));
    assert!(d.contains("-b = 2\n+b = 3\n"), "{d}");
}

const TEMPLATE: &str = "version = 1\nname = \"aws\"\n\
    [vars]\nGREETING = \"hi\"\nHTTPS_PROXY = \"http://proxy.invalid\"\n\
    [secrets]\nbackend = \"pass\"\nvault = \"team\"\n\
    [aws]\nrole_arn = \"arn:aws:iam::123456789012:role/dev\"\nprofile = \"dev\"\nwrap = [\"aws\", \"terraform\"]\n\
    [hook]\non-activate = \"sh setup.sh\"\n\
    [profile]\ncommon = \"alias ll='ls -l'\"\nbash = \"shopt -s globstar\\nbind -x x\"\nzsh = \"  \"\n";

fn manifest(text: &str) -> Manifest {
    Manifest::parse(text, std::path::Path::new("/t/aws/manifest.toml"), "aws").unwrap()
}

fn template() -> Subject {
    Subject {
        identity: "remote-abc".into(),
        source: "team/aws".into(),
        url: "git://example.invalid/team.git".into(),
        commit: "0123456789abcdef0123".into(),
        content_hash: "h1".into(),
    }
}

fn files(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

fn dirs(root: &std::path::Path) -> Dirs {
    let root = root.to_path_buf();
    Dirs::from_vars(move |k| match k {
        "HOME" => Some(root.clone().into()),
        _ => None,
    })
}

#[test]
fn the_review_shows_all_that_will_run_and_every_file() {
    let others = files(&[("setup.sh", "curl x | sh\n"), ("README.md", "# aws\n")]);
    let content = Content {
        manifest: TEMPLATE,
        files: &others,
    };
    let shown = review(&template(), &manifest(TEMPLATE), content, None);
    for wanted in [
        "The template team/aws (from git://example.invalid/team.git, commit 0123456789ab) is not trusted yet. It asks for:\n",
        "  [hook] on-activate, run before your shell starts:\n    | sh setup.sh\n",
        "  [profile] common, sourced into your shell:\n    | alias ll='ls -l'\n",
        "  [profile] bash, sourced into your shell:\n    | shopt -s globstar\n    | bind -x x\n",
        "    GREETING = \"hi\"\n",
        "    HTTPS_PROXY = \"http://proxy.invalid\"   <- flagged: routes network traffic through another host\n",
        "  AWS: role arn:aws:iam::123456789012:role/dev (account 123456789012); profile dev; MFA device left to you; commands given credentials: aws, terraform\n",
        "  secrets: pass backend, vault team, item (yours)\n",
        "  file README.md of the template (a hook or profile may run it):\n    | # aws\n",
        "  file setup.sh of the template (a hook or profile may run it):\n    | curl x | sh\n",
    ] {
        assert!(shown.contains(wanted), "{wanted:?} not in:\n{shown}");
    }
    assert!(
        !shown.contains("[profile] zsh"),
        "blank code is not shown:\n{shown}"
    );
    assert!(!shown.contains("What changed"), "{shown}");

    // Nothing to run: said so, and no profile at all is shown.
    let plain = "version = 1\nname = \"p\"\n";
    let none = BTreeMap::new();
    let shown = review(
        &template(),
        &manifest(plain),
        Content {
            manifest: plain,
            files: &none,
        },
        None,
    );
    assert!(shown.contains("  no on-activate hook\n"), "{shown}");
    assert!(
        !shown.contains("[profile]") && !shown.contains("AWS:") && !shown.contains("secrets:"),
        "{shown}"
    );
}

#[test]
fn a_local_manifest_is_named_by_its_path() {
    let local = Subject {
        identity: "local-1".into(),
        source: "/p/.envact/manifest.toml".into(),
        url: "/p/.envact/manifest.toml".into(),
        commit: String::new(),
        content_hash: "h".into(),
    };
    let none = BTreeMap::new();
    let text = "version = 1\n[hook]\non-activate = \"true\"\n";
    let shown = review(
        &local,
        &manifest(text),
        Content {
            manifest: text,
            files: &none,
        },
        None,
    );
    assert!(
        shown.starts_with(
            "The manifest /p/.envact/manifest.toml is not trusted yet. It asks for:\n"
        ),
        "{shown}"
    );
}

#[test]
fn trust_is_recorded_0600_and_a_change_to_any_file_is_shown_as_a_diff() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let dirs = dirs(root.path());
    let subject = template();
    assert_eq!(last_trusted(&dirs, &subject.identity), None);
    let before_files = files(&[
        ("setup.sh", "echo one\n"),
        ("gone.txt", "x\n"),
        ("same.txt", "s\n"),
    ]);
    trust(
        &dirs,
        &subject,
        Content {
            manifest: TEMPLATE,
            files: &before_files,
        },
    )
    .unwrap();
    let record = last_trusted(&dirs, &subject.identity).unwrap();
    assert_eq!(
        record,
        Record {
            source: "team/aws".into(),
            url: "git://example.invalid/team.git".into(),
            commit: "0123456789abcdef0123".into(),
            content_hash: "h1".into(),
            manifest: TEMPLATE.into(),
            files: before_files.clone(),
            earlier: BTreeSet::new(),
        }
    );
    let mode = std::fs::metadata(record_path(&dirs, &subject.identity))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let changed = TEMPLATE.replace("sh setup.sh", "sh setup.sh --fast");
    let after_files = files(&[
        ("setup.sh", "echo two\n"),
        ("new.txt", "n\n"),
        ("same.txt", "s\n"),
    ]);
    let shown = review(
        &Subject {
            content_hash: "h2".into(),
            commit: "fedcba9876543210".into(),
            ..template()
        },
        &manifest(&changed),
        Content {
            manifest: &changed,
            files: &after_files,
        },
        Some(&record),
    );
    for wanted in [
        "has changed since you trusted it. It asks for:\n",
        "What changed since you trusted commit 0123456789ab:\n",
        "--- before\n+++ after\n",
        "-on-activate = \"sh setup.sh\"\n+on-activate = \"sh setup.sh --fast\"\n",
        "--- before/setup.sh\n+++ after/setup.sh\n",
        "-echo one\n+echo two\n",
        "--- before/gone.txt\n+++ /dev/null\n",
        "--- /dev/null\n+++ after/new.txt\n",
    ] {
        assert!(shown.contains(wanted), "{wanted:?} not in:\n{shown}");
    }
    assert!(
        !shown.contains("same.txt\n+++"),
        "an unchanged file has no diff:\n{shown}"
    );
}

#[test]
fn text_from_the_template_is_shown_with_its_controls_visible() {
    let hostile = "version = 1\n[secrets]\nbackend = \"pass\"\nitem = \"a\\u001b[2Kb\"\n[hook]\non-activate = \"evil # \\r\\u001b[2K ok\"\n";
    let none = BTreeMap::new();
    let shown = review(
        &template(),
        &manifest(hostile),
        Content {
            manifest: hostile,
            files: &none,
        },
        None,
    );
    assert!(shown.contains("    | evil # \\r\\u{1b}[2K ok\n"), "{shown}");
    assert!(shown.contains("item a\\u{1b}[2Kb\n"), "{shown}");
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\r'),
        "{shown:?}"
    );
}

/// A template as large as envact takes (4 MiB of text) is remembered
/// once trusted: its record, larger than the template, is read back.
#[test]
fn the_largest_template_is_remembered() {
    let root = tempfile::tempdir().unwrap();
    let dirs = dirs(root.path());
    let big: BTreeMap<String, String> = (0..4)
        .map(|i| {
            (
                format!("part{i}.txt"),
                format!("{}\n", "x".repeat(1024 * 1024 - 2)),
            )
        })
        .collect();
    trust(
        &dirs,
        &template(),
        Content {
            manifest: TEMPLATE,
            files: &big,
        },
    )
    .unwrap();
    let record = last_trusted(&dirs, "remote-abc").expect("the record is read back");
    assert_eq!(record.files, big);
}

/// Every content trusted stays trusted (going back to an earlier tag asks
/// nothing) until revoked; the diff is against the latest.
#[test]
fn every_content_trusted_stays_trusted_until_revoked() {
    let root = tempfile::tempdir().unwrap();
    let dirs = dirs(root.path());
    let none = BTreeMap::new();
    let content = Content {
        manifest: TEMPLATE,
        files: &none,
    };
    let v = |hash: &str| Subject {
        content_hash: hash.into(),
        ..template()
    };
    trust(&dirs, &v("h1"), content).unwrap();
    trust(&dirs, &v("h2"), content).unwrap();
    trust(&dirs, &v("h3"), content).unwrap();
    trust(&dirs, &v("h2"), content).unwrap();
    let record = last_trusted(&dirs, "remote-abc").unwrap();
    assert_eq!(record.content_hash, "h2");
    assert_eq!(
        record.earlier,
        BTreeSet::from(["h1".to_string(), "h3".to_string()])
    );
    for hash in ["h1", "h2", "h3"] {
        assert!(record.trusts(hash), "{hash}");
    }
    assert!(!record.trusts("h4"));
    assert!(revoke(&dirs, "remote-abc").unwrap());
    assert_eq!(last_trusted(&dirs, "remote-abc"), None);
    assert!(
        !revoke(&dirs, "remote-abc").unwrap(),
        "nothing left to revoke"
    );
    // A record that cannot be removed is an error, not "nothing to revoke":
    // the person must not believe the trust is gone.
    std::fs::create_dir_all(record_path(&dirs, "remote-abc")).unwrap();
    assert!(revoke(&dirs, "remote-abc").is_err());
}
