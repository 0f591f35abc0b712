//! An environment with an agent: a project whose long-term keys come from
//! environment variables and whose role is assumed from moto's STS behind the
//! logging endpoint, activated in a real shell on a pseudo-terminal.

use std::process::Command;

use super::sts::{Endpoint, Moto};
use super::{spawn_pty, which, PtySession, Sandbox, ACCESS_KEY_ID, SECRET_ACCESS_KEY};

pub struct Env {
    pub sb: Sandbox,
    _moto: Moto,
    pub endpoint: Endpoint,
}

/// `aws`: more `[aws]` keys (inject, mfa_serial, ...).
pub fn setup(aws: &str) -> Env {
    let sb = Sandbox::with_manifest(&format!(
        "version = 1\nname = \"agent\"\n[vars]\nAWS_DEFAULT_REGION = \"us-east-1\"\n[secrets]\nbackend = \"env\"\nitem = \"ci\"\n[secrets.fields]\naccess_key_id = \"CI_ID\"\nsecret_access_key = \"CI_SECRET\"\n[aws]\nrole_arn = \"arn:aws:iam::123456789012:role/agent-role\"\nwrap = [\"aws\"]\n{aws}\n"
    ));
    let moto = Moto::start(&sb);
    let endpoint = Endpoint::start(&sb, &moto, "proxy");
    Env {
        sb,
        _moto: moto,
        endpoint,
    }
}

impl Env {
    pub fn envact(&self, shell: &str, args: &[&str]) -> Command {
        let mut cmd = self.sb.envact(args);
        cmd.env("SHELL", which(shell))
            .env("CI_ID", ACCESS_KEY_ID)
            .env("CI_SECRET", SECRET_ACCESS_KEY)
            .env("AWS_ENDPOINT_URL_STS", &self.endpoint.url)
            .env("AWS_REGION", "us-east-1");
        cmd
    }

    pub fn activate(&self, shell: &str, extra: &[&str]) -> PtySession {
        let mut args = vec!["activate"];
        args.extend(extra);
        let mut p = spawn_pty(self.envact(shell, &args));
        p.exp_string("(agent) inner").unwrap();
        p
    }
}
