//! The composition's unit tests: include order, loops and depth, where
//! the whole's error points, how tables, lists and snippets merge.

use super::*;
use std::collections::HashMap;

/// A part named `name` (also its key and its directory) with `text`.
fn part(name: &str, text: &str) -> Part {
    Part {
        name: name.into(),
        shown: PathBuf::from(format!("{name}/manifest.toml")),
        dir: PathBuf::from(name),
        text: text.into(),
        remote: None,
        key: name.into(),
    }
}

/// Composes `root` with parts in memory, each included by its name.
fn composed(root: &str, parts: &[(&str, &str)]) -> Result<Composed, Error> {
    let texts: HashMap<&str, &str> = parts.iter().copied().collect();
    let load = |include: &Include, _: &Part| match include {
        Include::Dir { dir, .. } => {
            let name = dir.to_str().unwrap_or_default();
            Ok(part(
                name,
                texts.get(name).copied().unwrap_or("version = 1\n"),
            ))
        }
        Include::Remote { .. } => unreachable!("directories only here"),
    };
    compose(part("root", root), "root", &load)
}

fn including(dirs: &[&str], rest: &str) -> String {
    let list: Vec<String> = dirs
        .iter()
        .map(|d| format!("{{ dir = \"{d}\" }}"))
        .collect();
    format!(
        "version = 1\n{rest}[include]\nenvironments = [{}]\n",
        list.join(", ")
    )
}

#[test]
fn includes_come_before_their_includer_once_each_and_the_root_last() {
    let c = composed(
        &including(&["a", "b"], "[vars]\nV = \"root\"\n"),
        &[
            ("a", &including(&["c"], "[vars]\nV = \"a\"\nA = \"a\"\n")),
            ("b", &including(&["c"], "[vars]\nV = \"b\"\n")),
            (
                "c",
                "version = 1\n[vars]\nC = \"c\"\n[hook]\non-activate = \"echo c\"\n",
            ),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = c.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["c", "a", "b"]);
    assert_eq!(c.manifest.vars["V"], "root");
    assert_eq!(c.manifest.vars["A"], "a");
    assert_eq!(c.manifest.vars["C"], "c");
    assert_eq!(c.manifest.name, "root");
    // c's hook once, named by its file.
    let hooks: Vec<_> = c.manifest.hooks().collect();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].file.as_deref(), Some(Path::new("c/manifest.toml")));
    assert_eq!(
        c.origins.overridden,
        [
            ("vars.V".to_string(), "a".to_string(), "b".to_string()),
            (
                "vars.V".to_string(),
                "b".to_string(),
                THE_MANIFEST.to_string()
            ),
        ]
    );
}

#[test]
fn a_loop_is_named_and_depth_is_bounded() {
    let err = composed(
        &including(&["a"], ""),
        &[
            ("a", &including(&["b"], "")),
            ("b", &including(&["root"], "")),
        ],
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert_eq!(err, "includes include each other: root -> a -> b -> root");
    // A chain of exactly MAX_DEPTH is fine; one more is not.
    let chain = |n: usize| -> Vec<(String, String)> {
        (0..n)
            .map(|i| {
                let next = if i + 1 < n {
                    including(&[&format!("d{}", i + 1)], "")
                } else {
                    "version = 1\n".into()
                };
                (format!("d{i}"), next)
            })
            .collect()
    };
    for (n, ok) in [(MAX_DEPTH, true), (MAX_DEPTH + 1, false)] {
        let parts = chain(n);
        let borrowed: Vec<(&str, &str)> = parts
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let result = composed(&including(&["d0"], ""), &borrowed);
        assert_eq!(
            result.is_ok(),
            ok,
            "{n}: {:?}",
            result.err().map(|e| e.to_string())
        );
    }
}

#[test]
fn what_only_the_whole_says_is_said_at_include() {
    let root = including(&["a"], "[aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\nrole_arn = \"arn:aws:iam::123456789012:role/d\"\n");
    let err = composed(
        &root,
        &[(
            "a",
            "version = 1\n[aws]\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\n",
        )],
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    let at = root.lines().position(|l| l == "[include]").unwrap() + 1;
    assert!(
        err.starts_with(&format!(
            "root/manifest.toml:{at}:1: with its includes (a) merged under it: [aws] `role_arn`"
        )),
        "{err}"
    );
    // The caret is under the whole `[include]`.
    let whole = composed(
        &root,
        &[(
            "a",
            "version = 1\n[aws]\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\n",
        )],
    );
    let Err(Error::Manifest(e)) = whole else {
        panic!("not a manifest error");
    };
    assert!(
        e.snippet().unwrap().ends_with("| ^^^^^^^^^"),
        "{:?}",
        e.snippet()
    );
}

#[test]
fn a_directorys_manifest_is_its_projects_else_its_own() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(manifest_in(dir.path()), None);
    std::fs::write(dir.path().join("manifest.toml"), "version = 1\n").unwrap();
    assert_eq!(
        manifest_in(dir.path()),
        Some(dir.path().join("manifest.toml"))
    );
    std::fs::create_dir(dir.path().join(".envact")).unwrap();
    std::fs::write(dir.path().join(".envact/manifest.toml"), "version = 1\n").unwrap();
    assert_eq!(
        manifest_in(dir.path()),
        Some(dir.path().join(".envact/manifest.toml"))
    );
}

#[test]
fn tables_merge_key_by_key_lists_unite_and_snippets_follow_each_other() {
    let mut base = Table::new();
    let mut origins = Origins::default();
    merge(
        &mut base,
        table_of(
            "version = 1\n[vars]\nA = \"team\"\nB = \"team\"\n[aws]\nwrap = [\"aws\", \"terraform\"]\n\
             inject = \"server\"\n[profile]\ncommon = \"echo team\"\n[include]\nenvironments = []\n",
        ),
        "",
        ("team/aws", &mut origins),
    );
    merge(
        &mut base,
        table_of(
            "version = 1\n[vars]\nB = \"project\"\nC = \"project\"\n[aws]\nwrap = [\"kubectl\", \"aws\"]\n\
             [profile]\ncommon = \"echo project\"\n",
        ),
        "",
        (THE_MANIFEST, &mut origins),
    );
    assert_eq!(origins.included("vars.A"), Some("team/aws"));
    assert_eq!(origins.included("vars.B"), None);
    assert_eq!(origins.included("aws.inject"), Some("team/aws"));
    assert_eq!(
        origins.overridden,
        [(
            "vars.B".to_string(),
            "team/aws".to_string(),
            THE_MANIFEST.to_string()
        )]
    );
    let text = toml::to_string(&base).unwrap();
    let m = Manifest::parse(&text, Path::new("m"), "d").unwrap();
    assert_eq!(m.vars["A"], "team");
    assert_eq!(m.vars["B"], "project");
    assert_eq!(m.vars["C"], "project");
    let aws = m.aws.unwrap();
    assert_eq!(aws.wrap, ["aws", "terraform", "kubectl"]);
    assert_eq!(aws.inject, crate::manifest::InjectMode::Server);
    assert_eq!(m.profile.common.as_deref(), Some("echo team\necho project"));
    assert!(m.includes.is_empty());
}
