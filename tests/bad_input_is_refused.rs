//! Input a person did not mean, or someone else planted, is refused with one
//! message naming it and what to do, and changes nothing: a file backend
//! vault that is a path, files that are not regular files or are far too
//! large, AWS profiles envact cannot follow, a broken answers file (which
//! `setup --reconfigure` repairs), and directories that others may write.

mod support;

use support::{keys_input, run, run_with_stdin, stderr, Sandbox};

/// Every `.age` file under `dir`.
fn age_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(age_files(&path));
        } else if path.extension().is_some_and(|e| e == "age") {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_file_backend_vault_is_a_name_never_a_path() {
    for vault in ["../../escaped", "/tmp/envact-escaped", "sub/dir", ".hidden"] {
        let sb = Sandbox::with_manifest(&format!(
            "version = 1\n[secrets]\nbackend = \"file\"\nvault = \"{vault}\"\nitem = \"dev\"\n"
        ));
        let mut cmd = sb.envact(["add", "dev", "--stdin"]);
        cmd.env("ENVACT_FILE_PASSPHRASE", "p");
        let out = run_with_stdin(cmd, &keys_input());
        support::assert_fails(
            &out,
            1,
            &[
                &format!("the file backend's vault {vault:?} is not a file name"),
                "help: name the file with letters, digits",
            ],
        );
        // The same from the command line.
        let mut cmd = sb.envact([
            "add",
            "dev",
            "--stdin",
            "--backend",
            "file",
            "--vault",
            vault,
        ]);
        cmd.env("ENVACT_FILE_PASSPHRASE", "p");
        support::assert_fails(
            &run_with_stdin(cmd, &keys_input()),
            1,
            &["is not a file name"],
        );
        assert!(age_files(&sb.root).is_empty(), "{:?}", age_files(&sb.root));
        assert!(!std::path::Path::new("/tmp/envact-escaped.age").exists());
    }
    // A plain name is fine.
    let sb = Sandbox::new();
    let mut cmd = sb.envact([
        "add",
        "dev",
        "--stdin",
        "--backend",
        "file",
        "--vault",
        "team-aws.2",
    ]);
    cmd.env("ENVACT_FILE_PASSPHRASE", "p");
    let out = run_with_stdin(cmd, &keys_input());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        age_files(&sb.root),
        [sb.config.join("envact/secrets/team-aws.2.age")]
    );
}

#[test]
fn an_aws_profile_envact_cannot_follow_is_refused_by_name() {
    let sb = Sandbox::with_manifest(
        "version = 1\n[secrets]\nbackend = \"env\"\n[aws]\nprofile = \"dev\"\n",
    );
    for (key, value) in [
        ("sso_session", "corp"),
        ("sso_start_url", "https://corp.awsapps.com/start"),
        ("credential_process", "/usr/bin/false"),
        ("web_identity_token_file", "/tmp/token"),
    ] {
        std::fs::create_dir_all(sb.home.join(".aws")).unwrap();
        std::fs::write(
            sb.home.join(".aws/config"),
            format!("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/d\nsource_profile = base\n[profile base]\n{key} = {value}\n"),
        )
        .unwrap();
        let mut cmd = sb.envact(["export", "--format", "json"]);
        cmd.env("AWS_ACCESS_KEY_ID", support::ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", support::SECRET_ACCESS_KEY)
            // Nothing must be asked of STS: an unreachable endpoint proves it.
            .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
        let out = run(cmd);
        let err = support::assert_fails(
            &out,
            1,
            &[
                &format!(
                    "profile \"base\" in {}",
                    sb.home.join(".aws/config").display()
                ),
                &format!("gets its credentials through {key}, which envact cannot follow"),
                "help: name a profile whose chain starts from long-term keys",
            ],
        );
        assert!(!err.contains("STS"), "{err}");
    }
}
