//! A user starts a project with `envact init`: a manifest from a built-in
//! template, named after the directory, never overwriting one without --force.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use support::{run, stderr, stdout, Sandbox};

#[test]
fn init_writes_the_plain_template_named_after_the_directory_and_it_activates() {
    let sb = Sandbox::new();
    let out = run(sb.envact(["init"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("from template \"plain\""),
        "{}",
        stdout(&out)
    );
    let path = sb.project.join(".envact/manifest.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("name = \"project\""), "{text}");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644
    );

    let out = run(sb.envact([
        "activate",
        "--",
        "sh",
        "-c",
        "echo \"$ENVACT_ENV:$GREETING\"",
    ]));
    assert_eq!(
        stdout(&out),
        "project:hello from envact\n",
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_builtin_template_can_be_initialised_into_its_own_dir() {
    let sb = Sandbox::new();
    for name in [
        "plain",
        "aws-keyring",
        "aws-1password",
        "aws-pass",
        "aws-file",
    ] {
        let dir = sb.home.join(format!("proj-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        let out = run(sb.envact(["init", "--template", name, "-d", dir.to_str().unwrap()]));
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let text = std::fs::read_to_string(dir.join(".envact/manifest.toml")).unwrap();
        let shipped = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("env-templates/{name}/manifest.toml")),
        )
        .unwrap();
        // The same content as the directory under env-templates/, but for the name.
        let strip = |t: &str| {
            t.lines()
                .filter(|l| !l.starts_with("name = "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&text), strip(&shipped), "{name}");
        // And it is a manifest that envact accepts: the plain one activates;
        // the AWS ones leave the item to each person, and activation (without a
        // terminal) names the flag that answers it.
        let out = run(sb.envact(["activate", "-d", dir.to_str().unwrap(), "--", "true"]));
        let err = stderr(&out);
        if name == "plain" {
            assert_eq!(out.status.code(), Some(0), "{name}: {err}");
        } else if name == "aws-sso" {
            // A sign-in is needed, and no terminal is there to sign in on.
            assert_eq!(out.status.code(), Some(1), "{name}: {err}");
            assert!(err.contains("help: run `envact login`"), "{name}: {err}");
        } else if name == "aws-pass" {
            // It names an item: the store is asked, and has none.
            assert_ne!(out.status.code(), Some(0), "{name}: {err}");
            assert!(!err.contains("manifest.toml:"), "{name}: {err}");
        } else {
            assert_eq!(out.status.code(), Some(1), "{name}: {err}");
            assert!(
                err.contains("you have not answered them: --item NAME"),
                "{name}: {err}"
            );
        }
    }
}

#[test]
fn init_never_overwrites_without_force() {
    let sb = Sandbox::new();
    let path = sb.write_manifest("version = 1\nname = \"mine\"\n");
    let out = run(sb.envact(["init", "--template", "aws-pass"]));
    support::assert_fails(&out, 1, &["manifest.toml already exists"]);
    assert!(
        stderr(&out).contains("help: pass --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "version = 1\nname = \"mine\"\n"
    );

    let out = run(sb.envact(["init", "--template", "aws-pass", "--force"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("backend = \"pass\""));
}

#[test]
fn an_unknown_template_is_a_usage_error_listing_the_templates() {
    let sb = Sandbox::new();
    let out = run(sb.envact(["init", "--template", "nope"]));
    let err = support::assert_fails(&out, 2, &["invalid value 'nope'"]);
    assert!(
        err.contains("plain, aws-keyring, aws-1password, aws-pass, aws-file, aws-sso"),
        "{err}"
    );
    assert!(!sb.project.join(".envact").exists());
}

#[test]
fn aws_templates_set_both_region_variables_and_leave_field_names_to_each_person() {
    for name in [
        "aws-keyring",
        "aws-1password",
        "aws-pass",
        "aws-file",
        "aws-sso",
    ] {
        let sb = Sandbox::new();
        let out = run(sb.envact(["init", "--template", name]));
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let text = std::fs::read_to_string(sb.project.join(".envact/manifest.toml")).unwrap();
        let region = |var: &str| {
            text.lines()
                .find(|l| l.starts_with(&format!("{var} = ")))
                .map(|l| l.split('"').nth(1).unwrap_or_default().to_string())
        };
        assert!(region("AWS_REGION").is_some(), "{name}: {text}");
        assert_eq!(region("AWS_REGION"), region("AWS_DEFAULT_REGION"), "{name}");
        assert!(
            !text.lines().any(|l| l.trim() == "[secrets.fields]"),
            "{name} pins field names: {text}"
        );
    }
}

/// The template that needs nothing installed, start to finish on a terminal:
/// init, `envact add`, a first activation whose wizard and activation both
/// read the encrypted file, with the passphrase asked once.
#[test]
fn the_aws_file_template_works_on_a_bare_machine_and_asks_the_passphrase_once() {
    let sb = Sandbox::new();
    let moto = support::sts::Moto::start(&sb);
    let out = run(sb.envact(["init", "--template", "aws-file"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("envact's encrypted file"),
        "{}",
        stdout(&out)
    );
    let passphrase = "a passphrase for the file";
    let mut p = support::spawn_pty(sb.envact(["add", "dev"]));
    for (prompt, reply) in [
        ("AWS access key id", support::ACCESS_KEY_ID),
        ("AWS secret access key", support::SECRET_ACCESS_KEY),
        ("Passphrase for", passphrase),
        ("Repeat the passphrase", passphrase),
    ] {
        p.exp_string(prompt).unwrap();
        p.send_line(reply).unwrap();
    }
    p.exp_string("stored the access key as \"dev\"").unwrap();
    p.exp_eof().unwrap();
    assert!(sb.config.join("envact/secrets/aws.age").exists());

    let mut cmd = sb.envact(["activate", "--", "true"]);
    cmd.env("AWS_ENDPOINT_URL_STS", &moto.url);
    let mut p = support::spawn_pty(cmd);
    let mut shown = String::new();
    for (prompt, reply) in [
        ("Passphrase for", passphrase),
        ("Item holding your AWS keys [dev]", ""),
        ("holding access_key_id [access_key_id]", ""),
        ("holding secret_access_key [secret_access_key]", ""),
        ("or none)", "none"),
        ("Write them to", "y"),
    ] {
        shown += &p.exp_string(prompt).unwrap();
        p.send_line(reply).unwrap();
    }
    shown += &p
        .exp_string("is active: a session of your long-term key")
        .unwrap();
    shown += &p.exp_eof().unwrap();
    assert_eq!(
        shown.matches("Passphrase for").count(),
        1,
        "the passphrase was asked more than once: {shown}"
    );
}
