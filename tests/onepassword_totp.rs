//! An MFA code straight from 1Password: the TOTP field is read with
//! `op read op://VAULT/ITEM/FIELD?attribute=otp` (against the `op` STAND-IN, tests/fixtures/op-standin,
//! since 1Password's CLI cannot be installed here). Its own test binary, as it
//! puts the stand-in on this process's PATH.

mod support;

use envact::manifest::Backend;
use envact::secrets::{open, StoreDirs, StoreOptions};
use envact::ui::Quiet;
use secrecy::ExposeSecret;
use support::op_standin::{OpStandin, SERVICE_TOKEN};
use support::Sandbox;

#[test]
fn the_totp_field_gives_the_current_six_digit_code() {
    let sb = Sandbox::new();
    let op = OpStandin::new(&sb);
    let path = format!(
        "{}:{}",
        OpStandin::dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let state = op.state.clone();
    let store = open(
        StoreOptions {
            backend: Backend::OnePassword,
            vault: Some("Engineering".into()),
            keep_backend_session: false,
            op_sign_in: None,
            op_service_token: None,
            op_session: None,
        },
        StoreDirs {
            owned: sb.config.join("envact"),
            secrets: sb.config.join("envact/secrets"),
            pass: sb.home.join(".password-store"),
        },
        move |k| match k {
            "OP_SERVICE_ACCOUNT_TOKEN" => Some(SERVICE_TOKEN.into()),
            _ => None,
        },
        std::sync::Arc::new(Quiet),
    )
    .unwrap();
    // The child `op` finds the stand-in and its state through the environment.
    std::env::set_var("PATH", path);
    std::env::set_var("OP_STANDIN_STATE", &state);
    std::env::set_var("OP_SERVICE_ACCOUNT_TOKEN", SERVICE_TOKEN);

    // RFC 6238 for the item's secret, computed the way an authenticator does.
    let expected = || {
        let out = std::process::Command::new("python3")
            .args(["-c", "import base64,hmac,hashlib,struct,time;k=base64.b32decode('JBSWY3DPEHPK3PXP');d=hmac.new(k,struct.pack('>Q',int(time.time())//30),hashlib.sha1).digest();o=d[-1]&15;print('%06d'%((struct.unpack('>I',d[o:o+4])[0]&0x7fffffff)%1000000))"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    // A 30-second window may turn between the two reads: allow one retry.
    let mut matched = false;
    for _ in 0..2 {
        let before = expected();
        let code = store.read_totp("aws-dev", "one-time password").unwrap();
        let code = code.expose_secret().to_string();
        assert!(
            code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
            "{code:?}"
        );
        if code == before {
            matched = true;
            break;
        }
    }
    assert!(matched, "the code is not the item's current TOTP");
    // A field that holds no one-time password gives no code.
    let err = store
        .read_totp("aws-dev", "username")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a one-time password field"), "{err}");
}
