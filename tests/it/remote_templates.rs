//! A team keeps its AWS environment as a template in a git repository; each
//! member adds the registry once and activates the template with
//! `envact activate -r team/aws`: fetched from a real `git daemon` on
//! loopback, pinned (later activations work with the server down), moved by
//! `pull` (showing the diff), copied into a project with `pull --copy`, and
//! never run before its exact content is trusted. STS is moto.

use crate::support;

use std::process::Command;
use support::registry::GitRegistry;
use support::sts::Moto;
use support::{run, stderr, stdout, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

const TEMPLATE: &str = "version = 1\nname = \"aws\"\n[vars]\nAWS_DEFAULT_REGION = \"us-east-1\"\n\
[secrets]\nbackend = \"env\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n\
[aws]\nrole_arn = \"arn:aws:iam::123456789012:role/team-dev\"\nwrap = [\"aws\"]\n\
[hook]\non-activate = \"touch hook-ran\"\n";

struct Team {
    sb: Sandbox,
    registry: GitRegistry,
    moto: Moto,
}

impl Team {
    /// A registry holding `aws/manifest.toml`, served, and added as `team`.
    fn new() -> Team {
        let sb = Sandbox::new();
        let registry = GitRegistry::added(
            &sb,
            "team",
            &[
                ("aws/manifest.toml", TEMPLATE),
                ("aws/README.md", "The team's AWS.\n"),
            ],
        );
        let moto = Moto::start(&sb);
        Team { sb, registry, moto }
    }

    fn envact(&self, args: &[&str]) -> Command {
        let mut cmd = self.sb.envact(args);
        cmd.env("CI_ID", ACCESS_KEY_ID)
            .env("CI_SECRET", SECRET_ACCESS_KEY)
            .env("AWS_ENDPOINT_URL_STS", &self.moto.url)
            .env("AWS_REGION", "us-east-1");
        cmd
    }

    fn whoami(&self, template: &str) -> std::process::Output {
        let mut args = vec!["activate", "-r", template, "--", "aws"];
        args.extend(support::sts::CALLER_ARN);
        run(self.envact(&args))
    }

    /// Every pin and trust record, with its content.
    fn stored(&self) -> Vec<(std::path::PathBuf, String)> {
        let mut all = pin_files(&self.sb.cache.join("envact/pins"));
        all.extend(pin_files(&self.sb.data.join("envact/trust")));
        all
    }

    fn hook_ran(&self) -> bool {
        self.sb.project.join("hook-ran").exists()
    }
}

#[test]
fn a_team_template_runs_once_trusted_and_then_from_its_pin_with_the_server_down() {
    let mut t = Team::new();
    // Untrusted, without a terminal: nothing of it runs.
    let out = t.whoami("team/aws");
    support::assert_fails(
        &out,
        1,
        &[
            "the template team/aws is not trusted yet: nothing of it runs before you trust it",
            "help: read what it does and trust it: run it in a terminal, or `envact trust -r team/aws`",
        ],
    );
    assert!(!t.hook_ran(), "the hook of an untrusted template ran");

    let out = run(t.envact(&["trust", "-r", "team/aws"]));
    assert!(out.status.success(), "{}", stderr(&out));
    for shown in [
        "[hook] on-activate, run before your shell starts:",
        "| touch hook-ran",
        "role arn:aws:iam::123456789012:role/team-dev (account 123456789012)",
        "secrets: env backend",
    ] {
        assert!(
            stderr(&out).contains(shown),
            "{shown:?} in {}",
            stderr(&out)
        );
    }
    // The trust record: this person's alone, the content's hash and the
    // manifest (which holds no secret value).
    let records = walk(&t.sb.data.join("envact/trust"));
    assert_eq!(records.len(), 1, "{records:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&records[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{:o}", mode);
    let record = std::fs::read_to_string(&records[0]).unwrap();
    assert!(record.contains("content_hash = "), "{record}");
    assert!(!record.contains(SECRET_ACCESS_KEY) && !record.contains(ACCESS_KEY_ID));

    // Activated in the current directory, like a local manifest.
    let out = t.whoami("team/aws");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("arn:aws:sts::123456789012:assumed-role/team-dev/envact-"),
        "{}",
        stdout(&out)
    );
    assert!(t.hook_ran());

    // The server is gone: the pin is enough.
    t.registry.stop();
    std::fs::remove_file(t.sb.project.join("hook-ran")).unwrap();
    let out = t.whoami("team/aws");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(t.hook_ran());
}

#[test]
fn exec_export_and_clear_take_a_template_too() {
    let t = Team::new();
    // Untrusted: exec and export refuse before anything of it is used.
    let mut exec = vec!["exec", "-r", "team/aws", "--", "aws"];
    exec.extend(support::sts::CALLER_ARN);
    support::assert_fails(&run(t.envact(&exec)), 1, &["envact trust -r team/aws"]);
    support::assert_fails(
        &run(t.envact(&["export", "-r", "team/aws", "--format", "env"])),
        1,
        &["envact trust -r team/aws"],
    );
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    let out = run(t.envact(&exec));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(":assumed-role/team-dev/"),
        "{}",
        stdout(&out)
    );
    let out = run(t.envact(&["export", "-r", "team/aws", "--format", "env"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("AWS_SESSION_TOKEN="),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains(ACCESS_KEY_ID),
        "long-term key exported"
    );
    let out = run(t.envact(&["clear", "-r", "team/aws"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing is cached for \"aws\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn pull_shows_the_diff_moves_the_pin_and_a_changed_template_is_trusted_anew() {
    let t = Team::new();
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    let first = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    assert!(first.status.success(), "{}", stderr(&first));

    let changed = TEMPLATE.replace("touch hook-ran", "touch hook-v2");
    t.registry
        .commit(&[("aws/manifest.toml", &changed)], "a new hook");
    // Until pulled, the pin holds.
    let out = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!t.sb.project.join("hook-v2").exists());

    // Run from inside another repository's git hook: GIT_DIR points there.
    let mut pull = t.envact(&["pull", "-r", "team/aws"]);
    pull.env("GIT_DIR", t.registry.work.join(".git"));
    let out = run(pull);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .contains("-on-activate = \"touch hook-ran\"\n+on-activate = \"touch hook-v2\"\n"),
        "{}",
        stdout(&out)
    );
    // The new content is not trusted: nothing runs until it is.
    let out = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    support::assert_fails(&out, 1, &["has changed since you trusted it"]);
    assert!(!t.sb.project.join("hook-v2").exists());
    let shown = stdout(&run(t.envact(&["status", "-r", "team/aws"])));
    let head = support::registry::git(&t.registry.work, &["rev-parse", "HEAD"]);
    assert!(shown.contains(&format!("commit:      {head}\n")), "{shown}");
    assert!(
        shown.contains("trusted:     no: changed since you trusted commit"),
        "{shown}"
    );
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    let shown = stdout(&run(t.envact(&["status", "-r", "team/aws"])));
    assert!(shown.contains("trusted:     yes\n"), "{shown}");
    let out = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(t.sb.project.join("hook-v2").exists());
}

#[test]
fn a_tag_or_a_commit_pins_exactly_and_copy_makes_a_local_manifest() {
    let t = Team::new();
    t.registry.tag("v1");
    let v1 = support::registry::git(&t.registry.work, &["rev-parse", "HEAD"]);
    let v2 = TEMPLATE.replace("touch hook-ran", "touch hook-v2");
    t.registry.commit(&[("aws/manifest.toml", &v2)], "v2");
    for template in ["team/aws@v1", &format!("team/aws@{v1}")] {
        assert!(run(t.envact(&["trust", "-r", template])).status.success());
        let out = run(t.envact(&["activate", "-r", template, "--", "true"]));
        assert!(out.status.success(), "{template}: {}", stderr(&out));
        assert!(t.hook_ran(), "{template}");
        assert!(!t.sb.project.join("hook-v2").exists(), "{template}");
        std::fs::remove_file(t.sb.project.join("hook-ran")).unwrap();
    }

    // A copy into a project: the template's manifest, its source noted.
    let dir = t.sb.root.join("copied");
    let out = run(t.envact(&["pull", "--copy", "team/aws@v1", "-d", dir.to_str().unwrap()]));
    assert!(out.status.success(), "{}", stderr(&out));
    let copied = std::fs::read_to_string(dir.join(".envact/manifest.toml")).unwrap();
    let (note, rest) = copied.split_once('\n').unwrap();
    assert!(
        note.starts_with("# Copied from team/aws (") && note.contains(&v1),
        "{note}"
    );
    assert_eq!(rest, TEMPLATE);
    let out = run(t.envact(&["activate", "-d", dir.to_str().unwrap(), "--", "true"]));
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn each_bad_input_is_named_and_changes_nothing() {
    let mut t = Team::new();
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    let stored = t.stored();
    assert!(stored.len() >= 2, "a pin and a trust record: {stored:?}");
    // An unknown registry, listing the known ones.
    support::assert_fails(
        &run(t.envact(&["activate", "-r", "nope/aws", "--", "true"])),
        1,
        &["no registry named \"nope\" (registries: team)"],
    );
    assert_eq!(t.stored(), stored);
    let out = run(t.envact(&["status", "-r", "team/gcp"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("team/gcp is not pinned yet"),
        "{}",
        stdout(&out)
    );
    // A template the registry does not have, listing those it has.
    support::assert_fails(
        &run(t.envact(&["activate", "-r", "team/gcp", "--", "true"])),
        1,
        &[
            "the registry \"team\" has no template \"gcp\" at ",
            "(templates there: aws)",
        ],
    );
    // A ref it does not have.
    support::assert_fails(
        &run(t.envact(&["activate", "-r", "team/aws@v9", "--", "true"])),
        1,
        &["the registry \"team\" has no branch, tag or commit \"v9\""],
    );
    assert_eq!(t.stored(), stored);
    // A template whose manifest is invalid: named inside the template, with
    // the registry and the commit.
    let bad = t.registry.commit(
        &[(
            "broken/manifest.toml",
            "version = 1\n[secrets]\nbackend = \"lastpass\"\n",
        )],
        "broken",
    );
    let out = run(t.envact(&["setup", "-r", "team/broken", "--show"]));
    support::assert_fails(
        &out,
        1,
        &[&format!(
            "team/broken@{}/manifest.toml:3:11: unknown variant `lastpass`",
            &bad[..12]
        )],
    );
    assert_eq!(
        t.stored()
            .iter()
            .filter(|(path, _)| !path.to_string_lossy().contains("broken"))
            .collect::<Vec<_>>(),
        stored.iter().collect::<Vec<_>>(),
        "an invalid template touched another's pin or trust"
    );
    assert!(
        !t.stored()
            .iter()
            .any(|(path, _)| path.starts_with(t.sb.data.join("envact/trust"))
                && path.to_string_lossy().contains("broken")),
        "an invalid template was trusted"
    );
    // A registry URL that is not a git repository: not added.
    let out = run(t.envact(&[
        "registry",
        "add",
        "other",
        t.sb.root.join("nothing-here").to_str().unwrap(),
    ]));
    support::assert_fails(&out, 3, &["cannot fetch the registry \"other\""]);
    // A URL holding a password: refused without repeating it, not added.
    let out = run(t.envact(&[
        "registry",
        "add",
        "other",
        "https://me:hunter2@git.example.com/envs.git",
    ]));
    support::assert_fails(
        &out,
        1,
        &["the registry \"other\" cannot be added: it holds a password"],
    );
    assert!(!stderr(&out).contains("hunter2"), "{}", stderr(&out));
    let listed = stdout(&run(t.envact(&["registry", "list"])));
    assert!(!listed.contains("other"), "{listed}");
    let unchanged = t.stored();

    // Unreachable, with no pin yet: named, nothing pinned.
    t.registry.stop();
    let out = run(t.envact(&["activate", "-r", "team/aws@main", "--", "true"]));
    support::assert_fails(
        &out,
        3,
        &[&format!(
            "cannot fetch the registry \"team\" from {}",
            t.registry.url()
        )],
    );
    assert_eq!(t.stored(), unchanged, "a pin or trust record changed");
    assert!(!t.hook_ran());
}

#[test]
fn a_changed_cached_copy_is_detected_and_taken_again() {
    let t = Team::new();
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    // Someone edits the cached copy (or the disk corrupts it).
    let templates = t.sb.cache.join("envact/templates");
    let commit = std::fs::read_dir(&templates)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let manifest = commit.join("aws/manifest.toml");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&manifest, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(
        &manifest,
        TEMPLATE.replace("touch hook-ran", "touch planted"),
    )
    .unwrap();
    let out = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !t.sb.project.join("planted").exists(),
        "the edited copy ran"
    );
    assert!(t.hook_ran());
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), TEMPLATE);
}

#[test]
fn answers_belong_to_the_template_wherever_it_is_activated() {
    let t = Team::new();
    let template = TEMPLATE.replace(
        "[secrets]\nbackend = \"env\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n",
        "[secrets]\nbackend = \"keyring\"\n",
    );
    t.registry
        .commit(&[("kr/manifest.toml", &template)], "keyring");
    let out = run(t.envact(&["setup", "-r", "team/kr", "--item", "dev", "--yes"]));
    assert!(out.status.success(), "{}", stderr(&out));
    // From another directory: the same answers.
    let elsewhere = t.sb.root.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let mut cmd = t.envact(&["setup", "-r", "team/kr", "--show"]);
    cmd.current_dir(&elsewhere);
    let out = run(cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("item ") && l.contains("dev") && l.ends_with("(user file)")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn push_round_trips_a_local_manifest_and_refuses_when_the_registry_moved() {
    let mut t = Team::new();
    t.registry.serve_writable();
    // The person's git knows who they are, as it must for any commit.
    std::fs::write(
        t.sb.home.join(".gitconfig"),
        "[user]\n\tname = Dev\n\temail = dev@envact.invalid\n",
    )
    .unwrap();
    let dir = t.sb.root.join("mine");
    let d = dir.to_str().unwrap();
    assert!(run(t.envact(&["pull", "--copy", "team/aws", "-d", d]))
        .status
        .success());
    let path = dir.join(".envact/manifest.toml");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("us-east-1", "eu-west-1");
    std::fs::write(&path, &edited).unwrap();

    let out = run(t.envact(&["push", "-r", "team/aws", "-d", d]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pushed team/aws: "),
        "{}",
        stderr(&out)
    );
    // The registry has it, without the copy's note, beside the README.
    support::registry::git(&t.registry.work, &["pull", "--quiet", "origin", "main"]);
    let upstream = std::fs::read_to_string(t.registry.work.join("aws/manifest.toml")).unwrap();
    assert_eq!(upstream, TEMPLATE.replace("us-east-1", "eu-west-1"));
    assert!(t.registry.work.join("aws/README.md").exists());
    let author = support::registry::git(&t.registry.work, &["log", "-1", "--format=%an"]);
    assert_eq!(author, "Dev");
    // Pushing the same manifest again changes nothing.
    let out = run(t.envact(&["push", "-r", "team/aws", "-d", d]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing to push"), "{}", stderr(&out));

    // A teammate pushes; pushing over it is refused, naming the way out.
    let theirs = t.registry.commit(
        &[(
            "aws/manifest.toml",
            &TEMPLATE.replace("us-east-1", "ap-south-1"),
        )],
        "a teammate's change",
    );
    std::fs::write(&path, edited.replace("eu-west-1", "eu-north-1")).unwrap();
    let stored = t.stored();
    let out = run(t.envact(&["push", "-r", "team/aws", "-d", d]));
    support::assert_fails(
        &out,
        1,
        &[
            "team/aws moved since your pin",
            "pushing would undo what others pushed",
            "envact pull -r",
        ],
    );
    assert_eq!(t.stored(), stored, "a refused push moved the pin");
    let head = support::registry::git(&t.registry.bare, &["rev-parse", "main"]);
    assert_eq!(head, theirs, "the registry changed");
    // After pulling, the push goes through.
    assert!(run(t.envact(&["pull", "-r", "team/aws"])).status.success());
    let out = run(t.envact(&["push", "-r", "team/aws", "-d", d]));
    assert!(out.status.success(), "{}", stderr(&out));
    // A tag does not move: pushing to one is refused.
    t.registry.tag("v1");
    let out = run(t.envact(&["push", "-r", "team/aws@v1", "-d", d]));
    support::assert_fails(&out, 3, &["\"v1\" is not a branch there"]);
}

#[test]
fn the_activated_shell_shows_the_template_and_that_it_is_remote() {
    let t = Team::new();
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    let mut p = t.sb.outer_shell(support::which("bash").to_str().unwrap());
    p.send_line(&format!(
        "export CI_ID={} CI_SECRET={} AWS_ENDPOINT_URL_STS={} AWS_REGION=us-east-1",
        ACCESS_KEY_ID, SECRET_ACCESS_KEY, t.moto.url
    ))
    .unwrap();
    p.exp_string("outer$ ").unwrap();
    p.send_line("envact activate -r team/aws").unwrap();
    p.exp_string("(aws) (remote) inner").unwrap();
    p.send_line("aws sts get-caller-identity --output text --query Arn")
        .unwrap();
    p.exp_string(":assumed-role/team-dev/").unwrap();
    p.send_line("exit").unwrap();
    p.exp_string("outer$ ").unwrap();
    support::exit_outer_shell(p);
    assert!(t.hook_ran());
}

#[test]
fn a_plain_directory_is_a_registry_too_added_by_a_relative_path() {
    let t = Team::new();
    let shared = t.sb.root.join("shared-envs");
    std::fs::create_dir_all(shared.join("aws")).unwrap();
    std::fs::write(shared.join("aws/manifest.toml"), TEMPLATE).unwrap();
    let mut add = t.envact(&["registry", "add", "local", "shared-envs"]);
    add.current_dir(&t.sb.root);
    let out = run(add);
    assert!(out.status.success(), "{}", stderr(&out));
    // Used from the project directory: the path was kept absolute.
    assert!(run(t.envact(&["trust", "-r", "local/aws"]))
        .status
        .success());
    let out = t.whoami("local/aws");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(":assumed-role/team-dev/"),
        "{}",
        stdout(&out)
    );
    assert!(t.hook_ran());

    // A change in the directory arrives with pull, and is trusted anew.
    std::fs::write(
        shared.join("aws/manifest.toml"),
        TEMPLATE.replace("touch hook-ran", "touch hook-v2"),
    )
    .unwrap();
    let out = run(t.envact(&["pull", "-r", "local/aws"]));
    assert!(
        stdout(&out).contains("+on-activate = \"touch hook-v2\""),
        "{}",
        stdout(&out)
    );
    let out = run(t.envact(&["activate", "-r", "local/aws", "--", "true"]));
    support::assert_fails(
        &out,
        1,
        &["has changed since you trusted it", "envact trust -r"],
    );
    // It is not a repository: nothing to push to.
    let mine = t.sb.root.join("mine");
    let d = mine.to_str().unwrap();
    assert!(run(t.envact(&["pull", "--copy", "local/aws", "-d", d]))
        .status
        .success());
    let out = run(t.envact(&["push", "-r", "local/aws", "-d", d]));
    support::assert_fails(&out, 3, &["it is a plain directory, not a git repository"]);
}

/// The trust prompt, on a terminal: what the template does (its hook, its
/// variables with the dangerous ones flagged, its AWS role); a choice whose
/// default is to deny follows.
fn expect_review(p: &mut support::PtySession, state: &str) {
    p.exp_string("The template team/aws (from git://127.0.0.1:")
        .unwrap();
    p.exp_string(state).unwrap();
    p.exp_string("[hook] on-activate, run before your shell starts:")
        .unwrap();
    p.exp_string("HTTPS_PROXY = \"http://proxy.invalid:3128\"   <- flagged:")
        .unwrap();
    p.exp_string("AWS: role arn:aws:iam::123456789012:role/team-dev (account 123456789012)")
        .unwrap();
}

/// The template, now also setting a variable that is flagged.
fn through_a_proxy(t: &Team) -> String {
    let proxied = TEMPLATE.replace(
        "[vars]\n",
        "[vars]\nHTTPS_PROXY = \"http://proxy.invalid:3128\"\n",
    );
    t.registry
        .commit(&[("aws/manifest.toml", &proxied)], "through the proxy");
    proxied
}

#[test]
fn on_a_terminal_an_untrusted_template_is_shown_and_runs_only_once_trusted() {
    let t = Team::new();
    through_a_proxy(&t);
    let activate = || support::spawn_pty(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    let status = || stdout(&run(t.envact(&["status", "-r", "team/aws"])));

    // Enter takes the default: deny. Nothing ran, nothing was recorded.
    let mut p = activate();
    expect_review(&mut p, "is not trusted yet");
    p.exp_string("Run it?").unwrap();
    p.send_line("").unwrap();
    p.exp_string("denied: nothing of team/aws ran").unwrap();
    p.exp_eof().unwrap();
    assert!(!t.hook_ran());
    assert!(status().contains("trusted:     no ("), "{}", status());

    // Trust once: it runs, and the next use asks again.
    let mut p = activate();
    expect_review(&mut p, "is not trusted yet");
    p.exp_string("Run it?").unwrap();
    p.send("\x1b[A").unwrap();
    p.send_line("").unwrap();
    p.exp_eof().unwrap();
    assert!(t.hook_ran());
    assert!(status().contains("trusted:     no ("), "{}", status());
    std::fs::remove_file(t.sb.project.join("hook-ran")).unwrap();

    // Trust this content: it runs, and from then on without asking.
    let mut p = activate();
    expect_review(&mut p, "is not trusted yet");
    p.exp_string("Run it?").unwrap();
    p.send("\x1b[A").unwrap();
    p.send("\x1b[A").unwrap();
    p.send_line("").unwrap();
    p.exp_eof().unwrap();
    assert!(t.hook_ran());
    assert!(status().contains("trusted:     yes"), "{}", status());
    let out = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn on_a_terminal_a_changed_template_asks_again_showing_the_diff() {
    let t = Team::new();
    let proxied = through_a_proxy(&t);
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    let changed = proxied.replace("touch hook-ran", "touch hook-v2");
    t.registry
        .commit(&[("aws/manifest.toml", &changed)], "a new hook");
    assert!(run(t.envact(&["pull", "-r", "team/aws"])).status.success());

    let mut p = support::spawn_pty(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    expect_review(&mut p, "has changed since you trusted it");
    p.exp_string("What changed since you trusted commit")
        .unwrap();
    p.exp_string("-on-activate = \"touch hook-ran\"").unwrap();
    p.exp_string("+on-activate = \"touch hook-v2\"").unwrap();
    p.exp_string("Run it?").unwrap();
    p.send_line("").unwrap();
    p.exp_string("denied: nothing of team/aws ran").unwrap();
    p.exp_eof().unwrap();
    assert!(!t.sb.project.join("hook-v2").exists());
    assert!(!t.hook_ran());
}

fn pin_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        out.push((
            entry.clone(),
            std::fs::read_to_string(&entry).unwrap_or_default(),
        ));
    }
    out.sort();
    out
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Every content trusted stays trusted: after trusting v1, then v2, going
/// back to v1 asks nothing; `envact trust --revoke` forgets them all.
#[test]
fn each_version_trusted_stays_trusted_until_revoked() {
    let t = Team::new();
    t.registry.tag("v1");
    let v2 = TEMPLATE.replace("touch hook-ran", "touch hook-v2");
    t.registry.commit(&[("aws/manifest.toml", &v2)], "v2");
    t.registry.tag("v2");
    for at in ["team/aws@v1", "team/aws@v2"] {
        let out = run(t.envact(&["trust", "-r", at]));
        assert!(out.status.success(), "{at}: {}", stderr(&out));
    }
    let out = t.whoami("team/aws@v1");
    assert!(out.status.success(), "v1 after v2: {}", stderr(&out));
    let out = run(t.envact(&["trust", "--revoke", "-r", "team/aws@v1"]));
    assert!(
        stderr(&out).contains("revoked: nothing of team/aws runs before you trust it again"),
        "{}",
        stderr(&out)
    );
    for at in ["team/aws@v1", "team/aws@v2"] {
        let out = t.whoami(at);
        support::assert_fails(&out, 1, &["is not trusted yet"]);
    }
}

/// A template's own hints name it: the commands they give work as written.
#[test]
fn hints_for_a_template_carry_its_name() {
    let t = Team::new();
    let open = TEMPLATE.replace(
        "[secrets]\nbackend = \"env\"\n",
        "[secrets]\nbackend = \"pass\"\n",
    );
    t.registry.commit(
        &[("aws/manifest.toml", &open)],
        "the item left to each person",
    );
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    let out = run(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    support::assert_fails(
        &out,
        1,
        &["help: run `envact setup -r team/aws` in a terminal, or `envact setup -r team/aws --item NAME --yes`"],
    );
    // Denied on a terminal: the hint is the command to run.
    t.registry
        .commit(&[("aws/manifest.toml", TEMPLATE)], "back");
    assert!(run(t.envact(&["pull", "-r", "team/aws"])).status.success());
    let mut p = support::spawn_pty(t.envact(&["activate", "-r", "team/aws", "--", "true"]));
    p.exp_string("Run it?").unwrap();
    p.send_line("").unwrap();
    p.exp_string("trust it when you have checked it: `envact trust -r team/aws`")
        .unwrap();
    p.exp_eof().unwrap();
}

/// What you push yourself is trusted: you wrote its manifest, and had
/// trusted the rest of the template.
#[test]
fn a_template_you_pushed_is_trusted() {
    let mut t = Team::new();
    t.registry.serve_writable();
    std::fs::write(
        t.sb.home.join(".gitconfig"),
        "[user]\n\tname = Dev\n\temail = dev@envact.invalid\n",
    )
    .unwrap();
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    let dir = t.sb.root.join("mine");
    let d = dir.to_str().unwrap();
    assert!(run(t.envact(&["pull", "--copy", "team/aws", "-d", d]))
        .status
        .success());
    let path = dir.join(".envact/manifest.toml");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("us-east-1", "eu-west-1");
    std::fs::write(&path, edited).unwrap();
    let out = run(t.envact(&["push", "-r", "team/aws", "-d", d]));
    assert!(
        stderr(&out).contains("and what you pushed is trusted"),
        "{}",
        stderr(&out)
    );
    let out = t.whoami("team/aws");
    assert!(out.status.success(), "{}", stderr(&out));
}
