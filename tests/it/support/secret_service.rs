//! A real Secret Service for a test: a private D-Bus session bus and
//! gnome-keyring-daemon on it, unlocked with a test password, with its keyring
//! files in the sandbox. Both end when this is dropped.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{eventually, which, Sandbox};

pub struct SecretService {
    pub address: String,
    bus: Child,
    keyring: Option<Child>,
}

impl SecretService {
    /// A session bus with an unlocked gnome-keyring on it.
    pub fn start(sb: &Sandbox) -> SecretService {
        let mut ss = SecretService::bus_only(sb);
        let mut cmd = Command::new(which("gnome-keyring-daemon"));
        sb.apply_env(&mut cmd);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &ss.address)
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut keyring = cmd.spawn().expect("start gnome-keyring-daemon");
        // --unlock reads the keyring password from stdin, up to EOF.
        let mut stdin = keyring.stdin.take().unwrap();
        stdin.write_all(b"test-keyring-password").unwrap();
        drop(stdin);
        ss.keyring = Some(keyring);
        let address = ss.address.clone();
        eventually(
            Duration::from_secs(10),
            "the Secret Service is on the bus",
            || name_has_owner(sb, &address, "org.freedesktop.secrets"),
        );
        ss
    }

    /// A session bus with no Secret Service on it.
    pub fn bus_only(sb: &Sandbox) -> SecretService {
        let mut cmd = Command::new(which("dbus-daemon"));
        sb.apply_env(&mut cmd);
        cmd.args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut bus = cmd.spawn().expect("start dbus-daemon");
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        SecretService {
            address: line.trim().to_string(),
            bus,
            keyring: None,
        }
    }

    /// Locks the default (login) collection, as a screen lock or timeout would.
    pub fn lock(&self, sb: &Sandbox) {
        let mut cmd = Command::new(which("dbus-send"));
        sb.apply_env(&mut cmd);
        self.apply(&mut cmd);
        cmd.args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ]);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "lock: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `secret-tool ARGS` on this bus, from outside envact: its standard output.
    pub fn secret_tool(&self, sb: &Sandbox, args: &[&str]) -> String {
        let mut cmd = Command::new(which("secret-tool"));
        sb.apply_env(&mut cmd);
        self.apply(&mut cmd);
        cmd.args(args);
        super::stdout(&super::run(cmd))
    }

    pub fn apply(&self, cmd: &mut Command) {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
    }
}

fn name_has_owner(sb: &Sandbox, address: &str, name: &str) -> bool {
    let mut cmd = Command::new(which("dbus-send"));
    sb.apply_env(&mut cmd);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", address).args([
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner",
        &format!("string:{name}"),
    ]);
    cmd.output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
        .unwrap_or(false)
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(k) = &mut self.keyring {
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
