//! Settings: the manifest completed with each person's answers.

use super::*;
use crate::manifest::Backend;
use crate::manifest::OpAuth;
use std::path::Path;

fn manifest(text: &str) -> Manifest {
    Manifest::parse(&format!("version = 1\n{text}"), Path::new("m.toml"), "t").unwrap()
}

fn answers(text: &str) -> Answers {
    toml::from_str(text).unwrap()
}

fn settings(m: &str, a: &str) -> Settings {
    Settings::in_memory(manifest(m), answers(a)).unwrap()
}

/// (manifest, answers, expected backend, vault, item, secret field, mfa, keep sts)
#[test]
fn the_manifest_wins_and_answers_fill_only_what_it_leaves_open() {
    type Row = (
        &'static str,
        &'static str,
        Option<Backend>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        bool,
    );
    let mfa = "arn:aws:iam::123456789012:mfa/a";
    let rows: [Row; 6] = [
        // Nothing answered: the manifest as written.
        (
            "[secrets]\nbackend = \"pass\"\nitem = \"m\"\n",
            "",
            Some(Backend::Pass),
            None,
            Some("m"),
            None,
            None,
            false,
        ),
        // The manifest's item and vault win over the answers'.
        (
            "[secrets]\nbackend = \"keyring\"\nvault = \"mv\"\nitem = \"m\"\n",
            "vault = \"av\"\nitem = \"a\"\n",
            Some(Backend::Keyring),
            Some("mv"),
            Some("m"),
            None,
            None,
            false,
        ),
        // Open ones are filled, fields one by one.
        (
            "[secrets]\nbackend = \"keyring\"\n[secrets.fields]\naccess_key_id = \"id\"\n",
            "item = \"a\"\n[fields]\naccess_key_id = \"x\"\nsecret_access_key = \"s\"\n",
            Some(Backend::Keyring),
            None,
            Some("a"),
            Some("s"),
            None,
            false,
        ),
        // The backend is answered only where the manifest has no [secrets].
        (
            "[aws]\n",
            "backend = \"file\"\nitem = \"a\"\n",
            Some(Backend::File),
            None,
            Some("a"),
            None,
            None,
            false,
        ),
        (
            "[secrets]\nbackend = \"pass\"\n",
            "backend = \"file\"\n",
            Some(Backend::Pass),
            None,
            None,
            None,
            None,
            false,
        ),
        // MFA device and persistence: the answer fills, "" means none.
        (
            "[aws]\n[secrets]\nbackend = \"env\"\n",
            "mfa_serial = \"\"\n[persistence]\nsts_session = true\n",
            Some(Backend::Env),
            None,
            None,
            None,
            None,
            true,
        ),
    ];
    for (m, a, backend, vault, item, secret, serial, keep) in rows {
        let s = settings(m, a);
        let merged = s.effective();
        let sec = merged.secrets.as_ref();
        let case = format!("{m:?} + {a:?}");
        assert_eq!(sec.map(|s| s.backend), backend, "{case}");
        assert_eq!(sec.and_then(|s| s.vault.as_deref()), vault, "{case}");
        assert_eq!(sec.and_then(|s| s.item.as_deref()), item, "{case}");
        assert_eq!(
            sec.and_then(|s| s.fields.secret_access_key.as_deref()),
            secret,
            "{case}"
        );
        let got = merged.aws.as_ref().and_then(|a| a.mfa_serial.as_ref());
        assert_eq!(got.map(|m| m.to_string()).as_deref(), serial, "{case}");
        assert_eq!(merged.persistence.keep_sts_session(), keep, "{case}");
        // The manifest as written is kept apart.
        assert_eq!(s.written, manifest(m), "{case}");
    }
    // An MFA answer fills the manifest's gap; the manifest's own persistence wins.
    let s = settings(
        "[aws]\n[persistence]\nsts_session = false\n",
        &format!("mfa_serial = \"{mfa}\"\n[persistence]\nsts_session = true\n"),
    );
    let merged = s.effective();
    let device = merged.aws.as_ref().and_then(|a| a.mfa_serial.as_ref());
    assert_eq!(device.map(|d| d.to_string()).as_deref(), Some(mfa));
    assert!(!merged.persistence.keep_sts_session());
}

#[test]
fn sign_in_answers_apply_to_1password_only() {
    let a = "[onepassword]\nauth = \"account\"\naccount = \"my.1password.com\"\n";
    let op = settings("[secrets]\nbackend = \"1password\"\n", a);
    let sign_in = op.effective().secrets.clone().unwrap().sign_in.unwrap();
    assert_eq!(sign_in.auth, OpAuth::Account);
    assert_eq!(sign_in.account.as_deref(), Some("my.1password.com"));
    let keyring = settings("[secrets]\nbackend = \"keyring\"\n", a);
    assert_eq!(keyring.effective().secrets.clone().unwrap().sign_in, None);
}

#[test]
fn missing_answers_are_named_as_the_flags_that_give_them() {
    for (m, flags) in [
        ("[aws]\n", vec!["--backend BACKEND"]),
        ("[secrets]\nbackend = \"keyring\"\n", vec!["--item NAME"]),
        (
            "[secrets]\nbackend = \"1password\"\n",
            vec!["--item NAME", "--vault VAULT"],
        ),
        ("[secrets]\nbackend = \"env\"\n", vec![]),
        ("", vec![]),
    ] {
        let s = settings(m, "");
        assert_eq!(s.missing_flags(), flags, "{m:?}");
        assert_eq!(s.needs_answers(), !flags.is_empty(), "{m:?}");
    }
    let given = settings(
        "[secrets]\nbackend = \"1password\"\n",
        "vault = \"V\"\nitem = \"I\"\n",
    );
    assert!(given.missing_flags().is_empty());
    assert!(!given.needs_answers());
}

#[test]
fn each_setting_says_where_its_value_comes_from() {
    let s = settings(
        "[secrets]\nbackend = \"keyring\"\n[secrets.fields]\naccess_key_id = \"id\"\n\
         [aws]\n[persistence]\nsts_session = true\n",
        "item = \"dev\"\nmfa_serial = \"\"\n[persistence]\nsts_session = false\n",
    );
    let shown: Vec<(String, String, Source)> = s
        .sources()
        .into_iter()
        .map(|r| (r.key, r.value, r.source))
        .collect();
    let row = |k: &str, v: &str, src: Source| (k.to_string(), v.to_string(), src);
    assert_eq!(
        shown,
        [
            row("backend", "keyring", Source::Manifest),
            row("vault", "envact", Source::Default),
            row("item", "dev", Source::UserFile),
            row("fields.access_key_id", "id", Source::Manifest),
            row(
                "fields.secret_access_key",
                "secret_access_key",
                Source::Default
            ),
            row("fields.mfa_totp", "-", Source::NotSet),
            row("mfa_serial", "none", Source::UserFile),
            row("persistence.backend_session", "false", Source::Default),
            row("persistence.sts_session", "true", Source::Manifest),
        ]
    );
}
