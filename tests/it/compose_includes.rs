//! A project's manifest includes the team's template (`[include]`) and adds
//! its own variables and hook: the team's AWS set-up stays in one place,
//! pinned and trusted as `-r` pins and trusts it (a real `git daemon` on
//! loopback; STS is moto), and local directories can be included too.
//! Later parts win over earlier ones, the project over all; hooks run in
//! include order, the project's last; loops and bad includes are refused
//! where they are written.

use crate::support;

use std::process::Command;
use support::registry::GitRegistry;
use support::sts::Moto;
use support::{run, stderr, stdout, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

const TEAM: &str = "version = 1\nname = \"aws\"\n[vars]\nAWS_DEFAULT_REGION = \"us-east-1\"\nX = \"team\"\n\
[secrets]\nbackend = \"env\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n\
[aws]\nrole_arn = \"arn:aws:iam::123456789012:role/team-dev\"\nwrap = [\"aws\"]\n\
[hook]\non-activate = \"echo team >> hooks.log\"\n";

const PROJECT: &str =
    "version = 1\nname = \"payments\"\n[include]\nenvironments = [\"team/aws\"]\n\
[vars]\nX = \"project\"\nOWN = \"yes\"\n[hook]\non-activate = \"echo project >> hooks.log\"\n";

struct Team {
    sb: Sandbox,
    registry: GitRegistry,
    _moto: Moto,
    moto_url: String,
}

impl Team {
    fn new() -> Team {
        let sb = Sandbox::with_manifest(PROJECT);
        let registry = GitRegistry::added(&sb, "team", &[("aws/manifest.toml", TEAM)]);
        let moto = Moto::start(&sb);
        let moto_url = moto.url.clone();
        Team {
            sb,
            registry,
            _moto: moto,
            moto_url,
        }
    }

    fn envact(&self, args: &[&str]) -> Command {
        let mut cmd = self.sb.envact(args);
        cmd.env("CI_ID", ACCESS_KEY_ID)
            .env("CI_SECRET", SECRET_ACCESS_KEY)
            .env("AWS_ENDPOINT_URL_STS", &self.moto_url)
            .env("AWS_REGION", "us-east-1");
        cmd
    }

    /// `envact activate -- sh -c SCRIPT` in the project.
    fn inside(&self, script: &str) -> std::process::Output {
        run(self.envact(&["activate", "--", "sh", "-c", script]))
    }

    /// The role a wrapped `aws` gets.
    fn role(&self) -> String {
        let out = run(self.envact(&[
            "activate",
            "--",
            "aws",
            "sts",
            "get-caller-identity",
            "--query",
            "Arn",
            "--output",
            "text",
        ]));
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    }

    fn hooks(&self) -> String {
        std::fs::read_to_string(self.sb.project.join("hooks.log")).unwrap_or_default()
    }
}

const SHOW: &str = "echo \"X=$X OWN=$OWN\"";

#[test]
fn a_project_including_the_team_template_gets_its_role_its_own_variable_and_both_hooks() {
    let mut t = Team::new();
    // The team's part is a template: untrusted, nothing of it runs.
    let out = t.inside(SHOW);
    support::assert_fails(
        &out,
        1,
        &["the template team/aws is not trusted yet: nothing of it runs before you trust it"],
    );
    assert_eq!(t.hooks(), "");
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());

    let out = t.inside(SHOW);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "X=project OWN=yes\n");
    // The team's hook first, the project's last.
    assert_eq!(t.hooks(), "team\nproject\n");
    // Where each setting comes from.
    let bin = support::envact_bin().display().to_string();
    let out = run(t.envact(&["activate", "--", &bin, "status"]));
    for line in [
        "includes:    team/aws (merged in this order, the manifest last)",
        "overridden:  vars.X of team/aws, by the manifest",
    ] {
        assert!(stdout(&out).contains(line), "{line:?} in {}", stdout(&out));
    }
    let out = run(t.envact(&["setup", "--show"]));
    assert!(
        stdout(&out).contains("(included from team/aws)"),
        "{}",
        stdout(&out)
    );
    assert!(
        t.role()
            .starts_with("arn:aws:sts::123456789012:assumed-role/team-dev/envact-"),
        "{}",
        t.role()
    );

    // An upstream change is not used until pulled; then it is trusted anew.
    t.registry.commit(
        &[(
            "aws/manifest.toml",
            &TEAM.replace("echo team", "echo team-v2"),
        )],
        "a new hook",
    );
    std::fs::remove_file(t.sb.project.join("hooks.log")).unwrap();
    assert!(t.inside("true").status.success());
    assert_eq!(t.hooks(), "team\nproject\n");
    let out = run(t.envact(&["pull", "--include", "team/other"]));
    support::assert_fails(
        &out,
        1,
        &["it does not include team/other; it includes team/aws"],
    );
    let out = run(t.envact(&["pull", "--include", "team/aws"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("+on-activate = \"echo team-v2 >> hooks.log\""));
    // `pull` alone moves every included template's pin.
    let out = run(t.envact(&["pull"]));
    assert!(
        stderr(&out).contains("team/aws is at ")
            && stderr(&out).contains("already: nothing changed"),
        "{}",
        stderr(&out)
    );
    let out = t.inside("true");
    support::assert_fails(&out, 1, &["has changed since you trusted it"]);
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());

    // Offline: the pin is enough.
    t.registry.stop();
    std::fs::remove_file(t.sb.project.join("hooks.log")).unwrap();
    let out = t.inside(SHOW);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.hooks(), "team-v2\nproject\n");
    assert!(t.role().contains("assumed-role/team-dev/"));
}

/// `dir`'s manifest, written.
fn environment(sb: &Sandbox, dir: &str, text: &str) {
    let path = sb.home.join(dir).join(".envact");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("manifest.toml"), text).unwrap();
}

#[test]
fn local_includes_merge_in_order_under_the_project() {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"app\"\n[include]\nenvironments = [{ dir = \"../a\" }, { dir = \"../b\" }]\n\
         [vars]\nW = \"project\"\n",
    );
    environment(
        &sb,
        "a",
        "version = 1\n[vars]\nV = \"a\"\nW = \"a\"\nONLY_A = \"1\"\n",
    );
    environment(&sb, "b", "version = 1\n[vars]\nV = \"b\"\n");
    let mut cmd = sb.envact([
        "activate",
        "--",
        "sh",
        "-c",
        "echo \"$V $W $ONLY_A $ENVACT_ENV\"",
    ]);
    let out = run(std::mem::replace(&mut cmd, Command::new("true")));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "b project 1 app\n");
}

#[test]
fn loops_depth_missing_and_invalid_includes_are_refused_where_written() {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"app\"\n[include]\nenvironments = [{ dir = \"../a\" }]\n",
    );
    let activate = || run(sb.envact(["activate", "--", "true"]));

    // a includes the project back.
    environment(
        &sb,
        "a",
        "version = 1\n[include]\nenvironments = [{ dir = \"../project\" }]\n",
    );
    let err = support::assert_fails(
        &activate(),
        1,
        &[
            "includes include each other: ",
            "help: remove one of the includes",
        ],
    );
    assert!(
        err.contains("/project -> ") && err.contains("/a -> "),
        "{err}"
    );

    // A chain deeper than 8.
    for i in 0..10 {
        let next = format!(
            "version = 1\n[include]\nenvironments = [{{ dir = \"../d{}\" }}]\n",
            i + 1
        );
        environment(&sb, &format!("d{i}"), &next);
    }
    environment(
        &sb,
        "a",
        "version = 1\n[include]\nenvironments = [{ dir = \"../d0\" }]\n",
    );
    support::assert_fails(&activate(), 1, &["includes go deeper than 8: "]);

    // A directory without a manifest.
    environment(
        &sb,
        "a",
        "version = 1\n[include]\nenvironments = [{ dir = \"../nowhere\" }]\n",
    );
    support::assert_fails(
        &activate(),
        1,
        &[
            "/a/.envact/manifest.toml:3: the include \"",
            "nowhere\" has no manifest",
        ],
    );

    // An invalid manifest: located inside it; a version this build does not read.
    environment(&sb, "a", "version = 1\n[vars]\nbad-name = \"x\"\n");
    support::assert_fails(
        &activate(),
        1,
        &["/a/.envact/manifest.toml:3:1: `bad-name` is not a valid variable name"],
    );
    environment(&sb, "a", "version = 2\n");
    support::assert_fails(&activate(), 1, &["/a/.envact/manifest.toml:1:11: "]);

    // The parts alone are fine, together they are not: said at [include].
    environment(
        &sb,
        "a",
        "version = 1\n[aws]\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\n",
    );
    std::fs::write(
        sb.project.join(".envact/manifest.toml"),
        "version = 1\nname = \"app\"\n[include]\nenvironments = [{ dir = \"../a\" }]\n\
         [aws]\ndefault_profile = \"dev\"\n[aws.profiles.dev]\nrole_arn = \"arn:aws:iam::123456789012:role/d\"\n",
    )
    .unwrap();
    support::assert_fails(
        &activate(),
        1,
        &["/project/.envact/manifest.toml:3:1: with its includes (../a) merged under it: [aws] `role_arn` and [aws.profiles] do not go together"],
    );

    // Not a template name.
    std::fs::write(
        sb.project.join(".envact/manifest.toml"),
        "version = 1\n[include]\nenvironments = [\"just-a-name\"]\n",
    )
    .unwrap();
    support::assert_fails(
        &activate(),
        1,
        &["manifest.toml:3:17: \"just-a-name\" is not a template of a registry"],
    );
}

#[test]
fn a_missing_or_invalid_included_template_is_named_in_the_registry() {
    let t = Team::new();
    let manifest = t.sb.project.join(".envact/manifest.toml");
    // A template the registry does not have: those it has are listed.
    std::fs::write(&manifest, PROJECT.replace("team/aws", "team/gcp")).unwrap();
    support::assert_fails(
        &t.inside("true"),
        1,
        &[
            "the registry \"team\" has no template \"gcp\" at ",
            "(templates there: aws)",
        ],
    );
    // An invalid one: located inside it, with the registry and the commit.
    let bad = t.registry.commit(
        &[(
            "broken/manifest.toml",
            "version = 1\n[secrets]\nbackend = \"lastpass\"\n",
        )],
        "broken",
    );
    std::fs::write(&manifest, PROJECT.replace("team/aws", "team/broken")).unwrap();
    support::assert_fails(
        &t.inside("true"),
        1,
        &[&format!(
            "team/broken@{}/manifest.toml:3:11: unknown variant `lastpass`",
            &bad[..12]
        )],
    );
    // A registry's template may not include directories of whoever uses it.
    t.registry.commit(
        &[(
            "sneaky/manifest.toml",
            "version = 1\n[include]\nenvironments = [{ dir = \"../..\" }]\n",
        )],
        "sneaky",
    );
    std::fs::write(&manifest, PROJECT.replace("team/aws", "team/sneaky")).unwrap();
    support::assert_fails(
        &t.inside("true"),
        1,
        &["manifest.toml:3: a registry's template includes a directory"],
    );
}

/// direnv's `use envact` on a project that includes the team's template:
/// the merged environment, trusted as `-r` is, without being asked.
#[test]
fn direnv_brings_the_composed_environment() {
    let t = Team::new();
    assert!(run(t.envact(&["trust", "-r", "team/aws"])).status.success());
    // The project's own hook: trusted as direnv allows, once.
    let out = run(t.envact(&["trust"]));
    assert!(out.status.success(), "{}", stderr(&out));
    t.sb.use_envact_in_direnv();
    let direnv = || {
        let mut c = Command::new(support::which("direnv"));
        for (k, v) in t.envact(&[]).get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        c
    };
    let mut allow = direnv();
    allow.arg("allow").arg(&t.sb.project);
    assert!(run(allow).status.success());
    let mut exec = direnv();
    exec.current_dir(&t.sb.project)
        .args(["exec", "."])
        .arg("sh")
        .arg("-c")
        .arg("echo \"X=$X OWN=$OWN\"; aws sts get-caller-identity --query Arn --output text");
    let out = run(exec);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("X=project OWN=yes"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("assumed-role/team-dev/"),
        "{}",
        stdout(&out)
    );
    assert_eq!(t.hooks(), "team\nproject\n");
}

/// A local manifest's trust (asked by direnv) covers the directories it
/// includes: their text is shown under their path, and a change in one
/// asks again.
#[test]
fn trusting_a_local_manifest_covers_the_directories_it_includes() {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"app\"\n[include]\nenvironments = [{ dir = \"../platform\" }]\n",
    );
    environment(
        &sb,
        "platform",
        "version = 1\n[hook]\non-activate = \"echo platform >> hooks.log\"\n",
    );
    sb.use_envact_in_direnv();
    let direnv = |args: &[&str]| {
        let mut c = Command::new(support::which("direnv"));
        sb.apply_env(&mut c);
        c.current_dir(&sb.project).args(args);
        run(c)
    };
    assert!(direnv(&["allow", "."]).status.success());
    // The included hook needs trust, as the manifest's own would.
    let out = direnv(&["exec", ".", "true"]);
    assert!(
        stderr(&out).contains("is not trusted yet"),
        "{}",
        stderr(&out)
    );
    let out = run(sb.envact(["trust"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stderr(&out) + &stdout(&out);
    assert!(shown.contains("/platform/.envact/manifest.toml"), "{shown}");
    assert!(shown.contains("echo platform >> hooks.log"), "{shown}");
    assert!(direnv(&["exec", ".", "true"]).status.success());
    assert_eq!(
        std::fs::read_to_string(sb.project.join("hooks.log")).unwrap(),
        "platform\n"
    );

    // A change in the included directory asks again.
    environment(
        &sb,
        "platform",
        "version = 1\n[hook]\non-activate = \"echo changed >> hooks.log\"\n",
    );
    let out = direnv(&["exec", ".", "true"]);
    assert!(
        stderr(&out).contains("has changed since you trusted it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(sb.project.join("hooks.log")).unwrap(),
        "platform\n",
        "the changed hook ran"
    );
}

/// A project's `[secrets]` may override only the item of an included
/// environment's: the backend comes from the include. A whole that names
/// no backend is refused, at `[include]`.
#[test]
fn a_project_overrides_the_included_item_without_naming_the_backend() {
    let sb = Sandbox::with_manifest(
        "version = 1\nname = \"app\"\n[include]\nenvironments = [{ dir = \"../team\" }]\n\
         [secrets]\nitem = \"mine\"\n",
    );
    environment(
        &sb,
        "team",
        "version = 1\n[secrets]\nbackend = \"file\"\nvault = \"default\"\nitem = \"team\"\n",
    );
    let envact = |args: &[&str]| {
        let mut cmd = sb.envact(args);
        cmd.env("ENVACT_FILE_PASSPHRASE", "composed");
        cmd
    };
    let out = support::run_with_stdin(envact(&["add", "mine", "--stdin"]), &support::keys_input());
    assert!(out.status.success(), "{}", stderr(&out));
    // The keys are read from `mine` in the file (there is no `team`).
    let out = run(envact(&["activate", "--", "true"]));
    assert!(out.status.success(), "{}", stderr(&out));

    environment(&sb, "team", "version = 1\n[vars]\nX = \"1\"\n");
    let err = support::assert_fails(
        &run(envact(&["activate", "--", "true"])),
        1,
        &[
            "manifest.toml:3:1: with its includes",
            "missing field `backend`",
        ],
    );
    assert!(err.contains("help: add the key to this table"), "{err}");
}
