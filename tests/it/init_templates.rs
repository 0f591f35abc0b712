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
    for name in ["plain", "aws-keyring", "aws-1password", "aws-pass"] {
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
        err.contains("plain, aws-keyring, aws-1password, aws-pass"),
        "{err}"
    );
    assert!(!sb.project.join(".envact").exists());
}

#[test]
fn aws_templates_set_both_region_variables_and_leave_field_names_to_each_person() {
    for name in ["aws-keyring", "aws-1password", "aws-pass"] {
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
