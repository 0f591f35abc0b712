//! The 1Password `op` STAND-IN (tests/fixtures/op-standin/op): 1Password's CLI
//! cannot be installed here, so a scripted stand-in that mimics the documented
//! commands, outputs and errors is put first on PATH, with its state in the sandbox.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

pub const PASSWORD: &str = "op-master-password";
pub const SECRET_KEY: &str = "A3-TESTAB-CDEFGH-IJKLM-NOPQR-STUVW-XYZ23";
pub const SERVICE_TOKEN: &str = "ops_test_service_account_token";
pub const USER_UUID: &str = "TESTUSERUUID";

pub struct OpStandin {
    pub state: PathBuf,
    pub argv_log: PathBuf,
}

impl OpStandin {
    /// A vault `Engineering` with the item `aws-dev` (username, credential, TOTP).
    pub fn new(sb: &Sandbox) -> OpStandin {
        let op = OpStandin {
            state: sb.root.join("op-state.json"),
            argv_log: sb.root.join("op-argv.log"),
        };
        op.write(&json!({
            "account": {
                "url": "my.1password.com",
                "email": "test@example.com",
                "user_uuid": USER_UUID,
                "account_uuid": "TESTACCOUNTUUID"
            },
            "password": PASSWORD,
            "secret_key": SECRET_KEY,
            "service_token": SERVICE_TOKEN,
            "sessions": {},
            "vaults": {"Engineering": {"items": {"aws-dev": {
                "id": "awsdev0000000000000000001",
                "fields": {
                    "username": ACCESS_KEY_ID,
                    "credential": SECRET_ACCESS_KEY,
                    "one-time password": "totp:JBSWY3DPEHPK3PXP"
                }
            }}}}
        }));
        op
    }

    pub fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/op-standin")
    }

    pub fn apply(&self, cmd: &mut Command) {
        let path = format!(
            "{}:{}",
            Self::dir().display(),
            cmd.get_envs()
                .find(|(k, _)| *k == "PATH")
                .and_then(|(_, v)| v)
                .map(|v| v.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        cmd.env("PATH", path)
            .env("OP_STANDIN_STATE", &self.state)
            .env("OP_STANDIN_ARGV_LOG", &self.argv_log);
    }

    pub fn read(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(&self.state).unwrap()).unwrap()
    }

    pub fn write(&self, state: &Value) {
        std::fs::write(&self.state, state.to_string()).unwrap();
    }

    pub fn signins(&self) -> u64 {
        self.read()["signins"].as_u64().unwrap_or(0)
    }

    /// op on this device knows no account yet (`op account add` is needed).
    pub fn forget_account(&self) {
        let mut state = self.read();
        state["account_added"] = json!(false);
        self.write(&state);
    }

    /// op on this device knows the account already.
    pub fn add_account(&self) {
        let mut state = self.read();
        state["account_added"] = json!(true);
        self.write(&state);
    }

    /// Every session 1Password knows of expires now.
    pub fn expire_sessions(&self) {
        let mut state = self.read();
        if let Some(sessions) = state["sessions"].as_object_mut() {
            for expiry in sessions.values_mut() {
                *expiry = json!(0);
            }
        }
        self.write(&state);
    }
}
