//! A newcomer types the README's walk-throughs as written: both blocks of
//! "Five minutes with envact" (the plain template; then an AWS account, with
//! the keyring, `envact add`, the wizard and the AWS CLI against moto), the
//! IAM Identity Center one (against the stand-in) and the direnv one, with
//! envact installed on PATH (as `cargo install` puts it). The commands are
//! read from README.md, so the README cannot drift from what works. And the
//! demo's first build is never silent. Every manifest snippet it shows is
//! one envact accepts.

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

/// What a command asks on the terminal, and the answers typed.
type Asked<'a> = &'a [(&'a str, &'a [(&'a str, &'a str)])];

/// `commands` typed as written into an interactive bash (`cmd`, with the
/// environment the test gives it) after `mkdir DIR && cd DIR`, answering
/// what `asked` says each asks; each ends at a prompt, the outer shell's or
/// the activated one's. The session, and everything shown.
fn typed_in_bash(
    mut cmd: std::process::Command,
    dir: &str,
    commands: &[String],
    asked: Asked,
) -> (rexpect::session::PtySession, String) {
    cmd.env("SHELL", "/bin/bash")
        .env("PS1", "outer$ ")
        .args(["--norc", "--noprofile", "-i"]);
    let mut p = support::spawn_pty(cmd);
    p.exp_string("outer$ ").unwrap();
    p.send_line(&format!("mkdir {dir} && cd {dir}")).unwrap();
    p.exp_string("outer$ ").unwrap();
    let mut transcript = String::new();
    for command in commands {
        p.send_line(command).unwrap();
        let answers = asked
            .iter()
            .find(|(c, _)| c == command)
            .map_or(&[][..], |(_, a)| a);
        for (prompt, reply) in answers {
            transcript += &p.exp_string(prompt).unwrap();
            p.send_line(reply).unwrap();
        }
        let (before, prompt) = p.exp_regex(&format!(r"outer\$ |\({dir}\) inner")).unwrap();
        transcript += &before;
        transcript += &prompt;
    }
    (p, transcript)
}

/// Each of `shown` is in the transcript, and no error.
fn assert_shown(transcript: &str, shown: &[&str]) {
    for shown in shown {
        assert!(
            transcript.contains(shown),
            "{shown:?} not in:\n{transcript}"
        );
    }
    assert!(!transcript.contains("error:"), "{transcript}");
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

/// The second block, "With your AWS account", typed as written after the
/// first block's `cd`: the keyring template, `envact add dev` on the
/// terminal, a first activation with its short wizard, the AWS CLI inside
/// getting short-lived credentials (from moto's STS), and `exit`.
#[test]
fn the_aws_account_block_of_five_minutes_with_envact_works_as_typed() {
    let commands = commands_under("With your AWS account");
    assert_eq!(
        commands.first().map(String::as_str),
        Some("envact init --template aws-keyring --force")
    );
    let sb = Sandbox::new();
    let ss = support::secret_service::SecretService::start(&sb);
    let moto = support::sts::Moto::start(&sb);
    let mut cmd = std::process::Command::new("bash");
    sb.apply_env(&mut cmd);
    ss.apply(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL_STS", &moto.url);
    let asked: Asked = &[
        (
            "envact add dev",
            &[
                ("AWS access key id", support::ACCESS_KEY_ID),
                ("AWS secret access key", support::SECRET_ACCESS_KEY),
            ],
        ),
        (
            "envact activate",
            &[
                ("Item holding your AWS keys [dev]", ""),
                ("holding access_key_id [access_key_id]", ""),
                ("holding secret_access_key [secret_access_key]", ""),
                ("or none)", "none"),
                ("Write them to", "y"),
            ],
        ),
    ];
    let (p, transcript) = typed_in_bash(cmd, "try-envact", &commands, asked);
    assert_shown(
        &transcript,
        &[
            "from template \"aws-keyring\"",
            "stored the access key as \"dev\"",
            "(try-envact) inner",
            "\"Arn\": \"arn:aws:sts::123456789012:",
        ],
    );
    assert!(
        !transcript.contains(support::SECRET_ACCESS_KEY),
        "{transcript}"
    );
    support::exit_outer_shell(p);
    sb.assert_no_runtime_dir();
}

/// The direnv walk-through, typed as written in a bash with direnv hooked in
/// (the project directory made first): once `direnv allow` is typed, the
/// prompt's directory has the environment.
#[test]
fn the_direnv_walk_through_works_as_typed() {
    let commands = commands_under("## direnv: `use envact`");
    assert_eq!(commands.last().map(String::as_str), Some("direnv allow"));
    let sb = Sandbox::new();
    let pass = support::pass_store::PassStore::init(&sb);
    std::fs::create_dir_all(sb.home.join("src/payments")).unwrap();
    let mut cmd = std::process::Command::new("bash");
    sb.apply_env(&mut cmd);
    pass.apply(&mut cmd);
    cmd.env("PS1", "outer$ ")
        .args(["--norc", "--noprofile", "-i"]);
    let mut p = support::spawn_pty(cmd);
    p.exp_string("outer$ ").unwrap();
    p.send_line("eval \"$(direnv hook bash)\"").unwrap();
    p.exp_string("outer$ ").unwrap();
    let mut transcript = String::new();
    for command in &commands {
        p.send_line(command).unwrap();
        transcript += &p.exp_string("outer$ ").unwrap();
    }
    assert!(
        transcript.contains("direnv: export") && transcript.contains("+ENVACT_ENV"),
        "{transcript}"
    );
    // direnv's own "error ... is blocked" comes before `direnv allow`; envact
    // says no error.
    assert!(!transcript.contains("error:"), "{transcript}");
    p.send_line("echo \"[$ENVACT_ENV] [$AWS_REGION]\"").unwrap();
    p.exp_string("[payments] [eu-west-1]").unwrap();
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

/// The IAM Identity Center walk-through, typed as written: the `aws-sso`
/// template (whose example portal, account and role the stand-in serves, so
/// "set the four values" leaves them), one sign-in in the browser on the
/// first activation, and the AWS CLI inside with the role's credentials.
#[test]
fn the_sso_walk_through_works_as_typed() {
    let commands = commands_under("From the template to a working `aws`");
    assert_eq!(
        commands.first().map(String::as_str),
        Some("envact init --template aws-sso")
    );
    assert_eq!(commands.last().map(String::as_str), Some("exit"));
    let sb = Sandbox::new();
    let moto = support::sts::Moto::start(&sb);
    let sso = support::sso::SsoStandin::start(&sb, &moto, serde_json::json!({}));
    let mut cmd = std::process::Command::new("bash");
    sb.apply_env(&mut cmd);
    sso.apply(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL_STS", &moto.url);
    let (p, transcript) = typed_in_bash(cmd, "try-sso", &commands, &[]);
    assert_shown(
        &transcript,
        &[
            "from template \"aws-sso\"",
            "Sign in to IAM Identity Center",
            "(try-sso) inner",
            "\"Arn\": \"arn:aws:sts::111122223333:assumed-role/Developer/",
        ],
    );
    assert_eq!(sso.browser_opened().len(), 1);
    support::exit_outer_shell(p);
    sb.assert_no_runtime_dir();
}

/// `scripts/demo`, the README's first command, builds envact first (minutes
/// on a fresh machine): the build is shown going, in a CI log and on a
/// terminal, never a silent wait; cargo's errors come through whole.
#[test]
fn the_demos_first_build_shows_it_going() {
    let lib = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/lib/build-progress.sh");
    let mut cargo_said = String::from("    Updating crates.io index\n  Downloading crates ...\n");
    for n in 1..=60 {
        cargo_said.push_str(&format!("   Compiling crate{n} v1.0.{n}\n"));
    }
    cargo_said.push_str("warning: unused variable: `x`\n");
    cargo_said.push_str("    Finished `release` profile [optimized] target(s) in 9m 01s\n");
    let script = format!(". {lib}; build_progress");

    // A log: a line every 25 crates, and what cargo says that matters.
    let out = support::run_with_stdin(
        {
            let mut cmd = std::process::Command::new("bash");
            cmd.args(["-c", &script]);
            cmd
        },
        &cargo_said,
    );
    assert!(out.status.success());
    assert_eq!(
        support::stderr(&out),
        "  Downloading crates ...\ndemo: building: 25 crates compiled\n\
         demo: building: 50 crates compiled\nwarning: unused variable: `x`\n\
         \x20   Finished `release` profile [optimized] target(s) in 9m 01s\n"
    );

    // A terminal: one line, counting, naming the latest crate.
    let input = std::env::temp_dir().join(format!("cargo-said-{}", std::process::id()));
    std::fs::write(&input, &cargo_said).unwrap();
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", &format!("{script} < {}", input.display())]);
    let mut p = support::spawn_pty(cmd);
    let shown = p.exp_eof().unwrap();
    std::fs::remove_file(&input).unwrap();
    assert!(
        shown.contains("\r\x1b[2Kdemo: building: 60 crates compiled (crate60 v1.0.60)"),
        "{shown:?}"
    );
    assert!(
        shown.contains("demo: built (60 crates compiled)"),
        "{shown:?}"
    );
}

/// Every manifest snippet the README shows (its ```toml blocks) is one
/// envact accepts: a whole manifest as a project's, a snippet (no
/// `version`) as a part of one, so a renamed or removed key cannot stay in
/// the documentation.
#[test]
fn every_manifest_snippet_in_the_readme_is_accepted() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut rest = readme.as_str();
    while let Some((_, after)) = rest.split_once("```toml\n") {
        let (block, next) = after.split_once("```").expect("an unclosed block");
        blocks.push(block);
        rest = next;
    }
    assert!(blocks.len() >= 7, "{} blocks", blocks.len());
    let path = std::path::Path::new("README.md");
    for block in blocks {
        let checked = match block.starts_with("version = ") {
            true => envact::manifest::Manifest::parse(block, path, "readme"),
            false => envact::manifest::Manifest::parse_part(
                &format!("version = 1\n{block}"),
                path,
                "readme",
            ),
        };
        if let Err(e) = checked {
            panic!("README.md's snippet is refused: {e}\n{block}");
        }
    }
}
