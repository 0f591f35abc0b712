//! The shape the code keeps so that each use case reads top to bottom: the
//! library's modules depend on each other one way (no cycle), the use cases
//! (`app`) are its top floor (nothing below imports them) and the backends'
//! knowledge (`backend`) its bottom, the command line reaches the secrets
//! backends, STS, the session cache and the settings only through the use
//! cases, and no source file grows past 500 lines. Read from the source itself, so a change that breaks the shape
//! fails here rather than in review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level module a library file belongs to: `aws` for src/aws/sts.rs.
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

/// The top-level modules `text` names through `crate::`, outside its tests.
fn uses(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            // `use crate::{a, b::c}`: each group's first name.
            Some(group) => group[..group.find('}').unwrap_or(group.len())]
                .split(',')
                .map(|part| part.trim())
                .collect(),
            None => vec![rest],
        };
        for name in names {
            let name: String = name
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::Error` is the `error` module's.
            let module = if name == "Error" {
                "error".to_string()
            } else {
                name
            };
            if !module.is_empty() {
                found.insert(module);
            }
        }
    }
    found
}

#[test]
fn library_modules_depend_one_way() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let module = module_of(&file);
        if ["cli", "main", "lib"].contains(&module.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let deps = graph.entry(module.clone()).or_default();
        deps.extend(uses(&text).into_iter().filter(|d| *d != module));
    }
    // The dependencies that the layering rests on, so the parser above is
    // known to see them.
    for (from, to) in [
        ("app", "credentials"),
        ("app", "settings"),
        ("credentials", "aws"),
        ("settings", "manifest"),
        ("wizard", "settings"),
        ("manifest", "backend"),
        ("secrets", "backend"),
    ] {
        assert!(
            graph[from].contains(to),
            "{from} -> {to} not seen: {graph:?}"
        );
    }
    // The use cases are the top floor of the library: nothing below calls
    // up into them.
    for (module, deps) in &graph {
        assert!(
            module == "app" || !deps.contains("app"),
            "{module} imports the use cases (app): a domain module never reaches back up"
        );
    }
    // The backends' knowledge is the bottom: it depends on nothing of envact's.
    assert!(
        graph["backend"].is_empty(),
        "backend imports {:?}",
        graph["backend"]
    );
    // Named in the issue: none of these may come back.
    for (from, to) in [
        ("manifest", "secrets"),
        ("aws", "shell"),
        ("aws", "manifest"),
        ("aws", "secrets"),
        ("secrets", "state"),
    ] {
        assert!(!graph[from].contains(to), "{from} imports {to}");
    }
    // Depth-first search for a cycle, naming it when there is one.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(at) = path.iter().position(|n| n == node) {
            panic!("module cycle: {} -> {node}", path[at..].join(" -> "));
        }
        if done.contains(node) {
            return;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node.to_string());
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_command_line_calls_use_cases_not_backends_sts_or_the_cache() {
    // What only the library's use cases may touch.
    const FORBIDDEN: [&str; 9] = [
        "envact::secrets",
        "envact::aws::sts",
        "envact::aws::cache",
        "envact::aws::flow",
        "envact::agent",
        "envact::state",
        "envact::wizard",
        "envact::credentials",
        "envact::settings",
    ];
    let mut seen = 0;
    for file in rust_files(&src().join("cli")) {
        let text = std::fs::read_to_string(&file).unwrap();
        seen += text.matches("envact::").count();
        for path in FORBIDDEN {
            assert!(
                !text.contains(path),
                "{} uses {path}: call the use case in the library instead",
                file.display()
            );
        }
    }
    assert!(seen > 10, "the command line was not read");
}

#[test]
fn no_source_file_is_over_500_lines() {
    let long: Vec<String> = rust_files(&src())
        .into_iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            (lines > 500).then(|| format!("{} ({lines} lines)", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "split by concern: {long:?}");
}

#[test]
fn the_use_parser_sees_grouped_and_plain_imports() {
    let found = uses("use crate::{aws::Mfa, manifest};\nuse crate::Error;\nx(crate::ui::busy)\n#[cfg(test)]\nuse crate::wizard;");
    let expected: BTreeSet<String> = ["aws", "manifest", "error", "ui"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, expected);
}
