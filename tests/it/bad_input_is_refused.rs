//! Input a person did not mean, or someone else planted, is refused with one
//! message naming it and what to do, and changes nothing: a file backend
//! vault that is a path, files that are not regular files or are far too
//! large, AWS profiles envact cannot follow, a broken answers file (which
//! `setup --reconfigure` repairs), and directories that others may write.

use crate::support;

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
    // An SSO profile is a start envact follows; settings that do not hold
    // together are refused in the SDKs' words, before any call.
    for (settings, said) in [
        (
            "sso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n",
            "sso-session named `corp` (referenced by profile `base`) was not found",
        ),
        (
            "sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_role_name = Dev\n",
            "if `sso_role_name` is set, then `sso_account_id` must also be set",
        ),
    ] {
        std::fs::write(
            sb.home.join(".aws/config"),
            format!("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/d\nsource_profile = base\n[profile base]\n{settings}"),
        )
        .unwrap();
        let mut cmd = sb.envact(["export", "--format", "json"]);
        cmd.env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
            .env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
            .env("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9");
        let out = run(cmd);
        let err = support::assert_fails(&out, 1, &["profile \"base\"", said]);
        assert!(!err.contains("cannot reach"), "{err}");
    }
}

#[test]
fn a_line_the_aws_sdks_cannot_read_is_named_with_its_file_and_number() {
    let sb = Sandbox::with_manifest(
        "version = 1\n[secrets]\nbackend = \"env\"\n[aws]\nprofile = \"dev\"\n",
    );
    std::fs::create_dir_all(sb.home.join(".aws")).unwrap();
    for (file, text, line) in [
        (
            "config",
            "[profile dev] # ours\nregion = eu-west-1\nregion : us-east-1\n",
            3,
        ),
        ("credentials", "[dev]\n  -continued without a property\n", 2),
    ] {
        let _ = std::fs::remove_file(sb.home.join(".aws/config"));
        let _ = std::fs::remove_file(sb.home.join(".aws/credentials"));
        std::fs::write(sb.home.join(".aws").join(file), text).unwrap();
        let mut cmd = sb.envact(["export", "--format", "json"]);
        cmd.env("AWS_ACCESS_KEY_ID", support::ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", support::SECRET_ACCESS_KEY)
            .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
        support::assert_fails(
            &run(cmd),
            1,
            &[
                &format!(
                    "error: {}, line {line} is not valid in an AWS config file",
                    sb.home.join(".aws").join(file).display()
                ),
                "help: fix that line",
            ],
        );
    }
}

/// `cmd`'s output, or a failure if it has not ended within `limit`.
fn within(cmd: std::process::Command, limit: std::time::Duration) -> std::process::Output {
    let mut cmd = cmd;
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    support::wait_output(cmd.spawn().unwrap(), limit)
}

fn fifo(path: &std::path::Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::S_IRWXU).unwrap();
}

const SECONDS_5: std::time::Duration = std::time::Duration::from_secs(5);

#[test]
fn a_fifo_or_a_huge_file_where_envact_reads_is_refused_at_once() {
    // ~/.aws/config.
    let sb = Sandbox::with_manifest("version = 1\n[secrets]\nbackend = \"env\"\n[aws]\n");
    let config = sb.home.join(".aws/config");
    fifo(&config);
    let out = within(sb.envact(["export", "--format", "json"]), SECONDS_5);
    support::assert_fails(
        &out,
        1,
        &[&format!(
            "cannot read {}: it is not a regular file",
            config.display()
        )],
    );

    // The answers file.
    let sb = Sandbox::with_manifest("version = 1\n");
    let out = run(sb.envact(["setup", "--reconfigure", "--yes"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let answers = std::fs::read_dir(sb.config.join("envact/envs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(&answers).unwrap();
    fifo(&answers);
    let out = within(sb.envact(["setup", "--show"]), SECONDS_5);
    support::assert_fails(&out, 1, &["it is not a regular file"]);

    // The encrypted secrets file.
    let sb = Sandbox::new();
    fifo(&sb.config.join("envact/secrets/default.age"));
    let mut cmd = sb.envact(["list", "--backend", "file"]);
    cmd.env("ENVACT_FILE_PASSPHRASE", "p");
    let out = within(cmd, SECONDS_5);
    support::assert_fails(&out, 3, &["default.age", "it is not a regular file"]);

    // A 3 GB manifest (sparse: no disk is used) is refused for its size.
    let sb = Sandbox::new();
    let manifest = sb.write_manifest("version = 1\n");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&manifest)
        .unwrap()
        .set_len(3 * 1024 * 1024 * 1024)
        .unwrap();
    let out = within(sb.envact(["activate", "--", "true"]), SECONDS_5);
    support::assert_fails(
        &out,
        1,
        &[&format!(
            "cannot read manifest {}: it is larger than 1 MiB",
            manifest.display()
        )],
    );
}

#[test]
fn an_encrypted_file_that_asks_for_gigabytes_of_scrypt_is_refused_at_once() {
    let sb = Sandbox::new();
    let file = sb.config.join("envact/secrets/default.age");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    // A well-formed age header whose scrypt stanza asks for N = 2^22 (4 GiB).
    let zeros_16 = "A".repeat(22);
    let zeros_32 = "A".repeat(43);
    let mut planted =
        format!("age-encryption.org/v1\n-> scrypt {zeros_16} 22\n{zeros_32}\n--- {zeros_32}\n")
            .into_bytes();
    planted.extend_from_slice(&[0u8; 64]);
    std::fs::write(&file, &planted).unwrap();
    let mut cmd = sb.envact(["list", "--backend", "file"]);
    cmd.env("ENVACT_FILE_PASSPHRASE", "p");
    let started = std::time::Instant::now();
    let out = within(cmd, SECONDS_5);
    support::assert_fails(&out, 3, &["is not a readable envact secrets file"]);
    assert!(started.elapsed() < SECONDS_5);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        planted,
        "the file was changed"
    );
}

#[test]
fn directories_envact_keeps_things_in_are_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::with_manifest("version = 1\n[secrets]\nbackend = \"file\"\n");
    let envact = sb.config.join("envact");
    let subdirs = ["envs", "secrets"];
    for dir in subdirs {
        std::fs::create_dir_all(envact.join(dir)).unwrap();
        std::fs::set_permissions(envact.join(dir), std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    std::fs::set_permissions(&envact, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = run(sb.envact(["setup", "--item", "dev", "--yes"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let mut cmd = sb.envact(["add", "dev", "--stdin"]);
    cmd.env("ENVACT_FILE_PASSPHRASE", "p");
    let out = run_with_stdin(cmd, &keys_input());
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&envact), 0o700);
    for dir in subdirs {
        assert_eq!(mode(&envact.join(dir)), 0o700, "{dir}");
    }
}

#[test]
fn a_directory_of_another_user_is_not_used_for_secrets() {
    if !support::prerequisite(
        nix::unistd::getuid().is_root(),
        "handing a directory to another user needs root",
    ) {
        return;
    }
    let sb = Sandbox::with_manifest("version = 1\n[secrets]\nbackend = \"file\"\n");
    let secrets = sb.config.join("envact/secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    std::os::unix::fs::chown(&secrets, Some(65534), Some(65534)).unwrap();
    let mut cmd = sb.envact(["add", "dev", "--stdin"]);
    cmd.env("ENVACT_FILE_PASSPHRASE", "p");
    let out = run_with_stdin(cmd, &keys_input());
    support::assert_fails(
        &out,
        3,
        &[&format!(
            "{} belongs to uid 65534: envact keeps secrets only in directories of your own",
            secrets.display()
        )],
    );
    assert!(age_files(&sb.root).is_empty());
}

#[test]
fn a_broken_answers_file_is_repaired_by_the_command_its_error_names() {
    let sb = Sandbox::with_manifest("version = 1\n[secrets]\nbackend = \"keyring\"\n");
    let out = run(sb.envact(["setup", "--item", "dev", "--yes"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let path = std::path::PathBuf::from(support::stdout(&out).trim());
    std::fs::write(&path, "item = [\"not\", \"a name\"\n").unwrap();

    let out = run(sb.envact(["setup", "--show"]));
    support::assert_fails(
        &out,
        1,
        &[
            &format!("cannot read {}:2:1: invalid array", path.display()),
            "help: answer again with `envact setup --reconfigure`",
        ],
    );
    // What the help says works, and says what it set aside.
    let out = run(sb.envact(["setup", "--reconfigure", "--item", "dev", "--yes"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("starting from the manifest alone"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "item = \"dev\"\n");
    let out = run(sb.envact(["setup", "--show"]));
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_backend_program_that_prints_without_bound_is_stopped() {
    use support::pass_store::PassStore;
    let sb = Sandbox::with_manifest("version = 1\n[secrets]\nbackend = \"pass\"\nitem = \"dev\"\n");
    let ps = PassStore::init(&sb);
    // An entry of 6 MiB (a mistaken paste, a file stored by accident).
    let mut insert = std::process::Command::new(support::which("pass"));
    sb.apply_env(&mut insert);
    ps.apply(&mut insert);
    insert.args(["insert", "-m", "dev"]);
    let huge = "x".repeat(6 * 1024 * 1024);
    let out = run_with_stdin(insert, &huge);
    assert!(out.status.success(), "{}", stderr(&out));

    let mut cmd = sb.envact(["activate", "--", "true"]);
    ps.apply(&mut cmd);
    let out = within(cmd, std::time::Duration::from_secs(20));
    support::assert_fails(
        &out,
        3,
        &["`pass` printed more than 4 MiB, far more than any answer: it was stopped"],
    );
}

#[test]
fn the_advice_fits_what_was_done() {
    let sb = Sandbox::new();
    let envact = |args: &[&str]| {
        let mut cmd = sb.envact(args);
        cmd.env("ENVACT_FILE_PASSPHRASE", "p");
        cmd
    };
    // One line on stdin: the advice is about stdin, not about passing --stdin.
    let out = run_with_stdin(
        envact(&["add", "dev", "--backend", "file", "--stdin"]),
        &format!("{}\n", support::ACCESS_KEY_ID),
    );
    let err = support::assert_fails(
        &out,
        1,
        &[
            "cannot read the secret access key: stdin ended before it",
            "help: write the access key id and the secret access key on two lines of standard input",
        ],
    );
    assert!(!err.contains("pass --stdin"), "{err}");
    // Removing what is not there: no advice to store it.
    assert!(run_with_stdin(
        envact(&["add", "dev", "--backend", "file", "--stdin"]),
        &keys_input()
    )
    .status
    .success());
    let out = run(envact(&["remove", "prod", "--backend", "file"]));
    let err = support::assert_fails(
        &out,
        1,
        &[
            "no item \"prod\" in the encrypted file",
            "(items there: dev)",
            "help: nothing was removed",
        ],
    );
    assert!(!err.contains("envact add"), "{err}");
}
