//! An MFA code straight from 1Password: the TOTP field is read with
//! `op read op://VAULT/ITEM/FIELD?attribute=otp` (against the `op`
//! stand-in, tests/fixtures/op-standin, since 1Password's CLI cannot be
//! installed here), and it is the item's current code: STS (the logging
//! endpoint in front of moto) accepts only that code.

use crate::support;

use std::process::Command;
use support::op_standin::{OpStandin, SERVICE_TOKEN};
use support::sts::{Endpoint, Moto};
use support::{run, stderr, Sandbox};

const MANIFEST: &str = "version = 1\n[secrets]\nbackend = \"1password\"\nvault = \"Engineering\"\nitem = \"aws-dev\"\n\
    [secrets.fields]\nmfa_totp = \"FIELD\"\n[aws]\nmfa_serial = \"arn:aws:iam::123456789012:mfa/tester\"\n";

/// RFC 6238 for the item's secret, computed the way an authenticator does.
pub(crate) fn current_code() -> String {
    let out = Command::new("python3")
        .args(["-c", "import base64,hmac,hashlib,struct,time;k=base64.b32decode('JBSWY3DPEHPK3PXP');d=hmac.new(k,struct.pack('>Q',int(time.time())//30),hashlib.sha1).digest();o=d[-1]&15;print('%06d'%((struct.unpack('>I',d[o:o+4])[0]&0x7fffffff)%1000000))"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// `envact export` with the TOTP field `field`, STS accepting only `code`.
fn export(
    sb: &Sandbox,
    moto: &Moto,
    op: &OpStandin,
    field: &str,
    code: &str,
) -> std::process::Output {
    sb.write_manifest(&MANIFEST.replace("FIELD", field));
    let endpoint = Endpoint::start(sb, moto, &format!("mfa:{code}"));
    let mut cmd = sb.envact(["export", "--format", "json"]);
    op.apply(&mut cmd);
    cmd.env("OP_SERVICE_ACCOUNT_TOKEN", SERVICE_TOKEN)
        .env("AWS_ENDPOINT_URL_STS", &endpoint.url)
        .env("AWS_REGION", "us-east-1");
    run(cmd)
}

#[test]
fn the_totp_field_gives_the_current_six_digit_code() {
    let sb = Sandbox::new();
    let moto = Moto::start(&sb);
    let op = OpStandin::new(&sb);
    // A 30-second window may turn between the two: one retry.
    let accepted = (0..2).any(|_| {
        let code = current_code();
        export(&sb, &moto, &op, "one-time password", &code)
            .status
            .success()
    });
    assert!(accepted, "STS did not get the item's current code");

    // A field that holds no one-time password gives no code.
    let out = export(&sb, &moto, &op, "username", "000000");
    support::assert_fails(&out, 3, &["not a one-time password field"]);
    assert!(!stderr(&out).contains(SERVICE_TOKEN));
}
