//! A team starts its registry: a new, empty git repository, the first
//! template pushed into it with `envact push`, activated by everyone; and a
//! registry that git cannot reach is reported with git's whole message.

use crate::support;

use support::registry::GitRegistry;
use support::{run, stderr, Sandbox};

const MANIFEST: &str = "version = 1\nname = \"aws\"\n[vars]\nGREETING = \"from the team\"\n";

#[test]
fn the_first_push_seeds_an_empty_registry_and_the_template_then_activates() {
    let sb = Sandbox::new();
    // A new repository on the server, nothing in it yet.
    let mut registry = GitRegistry::new(&sb);
    registry.serve_writable();
    std::fs::write(
        sb.home.join(".gitconfig"),
        "[user]\n\tname = Dev\n\temail = dev@envact.invalid\n",
    )
    .unwrap();
    let out = run(sb.envact(["registry", "add", "team", &registry.url()]));
    assert!(out.status.success(), "{}", stderr(&out));
    sb.write_manifest(MANIFEST);

    let out = run(sb.envact(["push", "-r", "team/aws"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pushed team/aws: an empty registry -> "),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("and what you pushed is trusted"),
        "{}",
        stderr(&out)
    );
    // The registry's default branch has it, as the first commit.
    let log = support::registry::git(&registry.bare, &["log", "--format=%an %s", "main"]);
    assert_eq!(log, "Dev aws: manifest from envact push");
    let shown = support::registry::git(&registry.bare, &["show", "main:aws/manifest.toml"]);
    assert_eq!(shown, MANIFEST.trim_end());

    // Activated from the registry, as a teammate would, with no review to
    // pass: the person pushed it.
    let elsewhere = sb.root.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let mut cmd = sb.envact([
        "activate",
        "-r",
        "team/aws",
        "--",
        "sh",
        "-c",
        "echo $GREETING",
    ]);
    cmd.current_dir(&elsewhere);
    let out = run(cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(support::stdout(&out), "from the team\n");
}

#[test]
fn a_registry_git_cannot_read_is_reported_with_gits_whole_message() {
    let sb = Sandbox::new();
    let missing = sb.root.join("no-such-registry.git");
    let out = run(sb.envact(["registry", "add", "team", missing.to_str().unwrap()]));
    let err = support::assert_fails(&out, 3, &["cannot fetch the registry \"team\""]);
    // Both of git's errors, and the sentence its last line ends.
    assert!(
        err.contains(&format!(
            "'{}' does not appear to be a git repository; Could not read from remote repository. \
             Please make sure you have the correct access rights and the repository exists.",
            missing.display()
        )),
        "{err}"
    );
}
