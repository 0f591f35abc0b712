//! A real password store for a test: a throwaway gpg key without passphrase and
//! `pass init` with it, all inside the sandbox. The gpg agent is stopped on drop.

use std::path::PathBuf;
use std::process::Command;

use super::{run, stderr, stdout, which, Sandbox};

pub struct PassStore {
    pub gnupghome: PathBuf,
    pub store: PathBuf,
    pub fingerprint: String,
}

impl PassStore {
    pub fn init(sb: &Sandbox) -> PassStore {
        let gnupghome = sb.root.join("gnupg");
        std::fs::create_dir_all(&gnupghome).unwrap();
        std::fs::set_permissions(
            &gnupghome,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let mut ps = PassStore {
            store: sb.root.join("password-store"),
            gnupghome,
            fingerprint: String::new(),
        };
        let gpg = |args: &[&str]| {
            let mut cmd = Command::new(which("gpg"));
            sb.apply_env(&mut cmd);
            ps.apply(&mut cmd);
            cmd.args(["--batch", "--passphrase", ""]).args(args);
            let out = run(cmd);
            assert!(out.status.success(), "gpg {args:?}: {}", stderr(&out));
            stdout(&out)
        };
        gpg(&[
            "--quick-gen-key",
            "envact test <test@envact.invalid>",
            "ed25519",
            "default",
            "never",
        ]);
        let listing = gpg(&["--list-keys", "--with-colons"]);
        let fingerprint = listing
            .lines()
            .find_map(|l| {
                l.strip_prefix("fpr:")
                    .map(|r| r.trim_matches(':').to_string())
            })
            .expect("fingerprint");
        gpg(&["--quick-add-key", &fingerprint, "cv25519", "encr", "never"]);
        ps.fingerprint = fingerprint;
        let mut cmd = Command::new(which("pass"));
        sb.apply_env(&mut cmd);
        ps.apply(&mut cmd);
        cmd.args(["init", &ps.fingerprint]);
        let out = run(cmd);
        assert!(out.status.success(), "pass init: {}", stderr(&out));
        ps
    }

    pub fn apply(&self, cmd: &mut Command) {
        cmd.env("GNUPGHOME", &self.gnupghome)
            .env("PASSWORD_STORE_DIR", &self.store);
    }
}

impl Drop for PassStore {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", &self.gnupghome)
            .args(["--kill", "all"])
            .status();
    }
}
