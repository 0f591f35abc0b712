//! What `envact exec` and the agent say to each other over the unix socket:
//! one JSON request line, one JSON response line.

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::aws::{parse_rfc3339, rfc3339, Credentials};

/// The socket's name in the activation's runtime directory.
pub const SOCKET: &str = "agent.sock";

/// How long either side waits for the other. Generous: a refresh may call STS.
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
pub struct Request {
    /// A code the person typed after the agent answered `need_mfa`.
    pub mfa_code: Option<SecretString>,
    /// The profile of `[aws.profiles]` asked for; none: the environment's default.
    #[serde(default)]
    pub profile: Option<String>,
}

/// The agent's answer.
pub enum Response {
    Credentials {
        credentials: Credentials,
        region: Option<String>,
    },
    /// The session expired: a code for this device is needed.
    NeedMfa { serial: String },
    Error {
        message: String,
        /// Trying again later may work (STS unreachable or throttling).
        transient: bool,
    },
}

#[derive(Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum Wire {
    Ok {
        access_key_id: SecretString,
        secret_access_key: SecretString,
        session_token: Option<SecretString>,
        expiration: Option<String>,
        region: Option<String>,
    },
    NeedMfa {
        serial: String,
    },
    Error {
        message: String,
        #[serde(default)]
        transient: bool,
    },
}

impl Response {
    pub fn to_line(&self) -> Zeroizing<String> {
        let value = match self {
            Response::Credentials {
                credentials: c,
                region,
            } => serde_json::json!({
                "status": "ok",
                "access_key_id": c.access_key_id.expose_secret(),
                "secret_access_key": c.secret_access_key.expose_secret(),
                "session_token": c.session_token.as_ref().map(|t| t.expose_secret()),
                "expiration": c.expiration.map(rfc3339),
                "region": region,
            }),
            Response::NeedMfa { serial } => {
                serde_json::json!({"status": "need_mfa", "serial": serial})
            }
            Response::Error { message, transient } => {
                serde_json::json!({"status": "error", "message": message, "transient": transient})
            }
        };
        Zeroizing::new(format!("{value}\n"))
    }

    pub fn from_line(line: &str) -> Option<Response> {
        Some(match serde_json::from_str::<Wire>(line).ok()? {
            Wire::Ok {
                access_key_id,
                secret_access_key,
                session_token,
                expiration,
                region,
            } => Response::Credentials {
                credentials: Credentials {
                    access_key_id,
                    secret_access_key,
                    session_token,
                    expiration: expiration.as_deref().and_then(parse_rfc3339),
                },
                region,
            },
            Wire::NeedMfa { serial } => Response::NeedMfa { serial },
            Wire::Error { message, transient } => Response::Error { message, transient },
        })
    }
}

/// Why the agent could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The runtime directory is not this user's own private one: someone
    /// else may have made it, to pose as the agent.
    #[error("{} is not your own private directory ({reason})", dir.display())]
    UntrustedDir { dir: PathBuf, reason: String },

    /// The process at the socket belongs to someone else.
    #[error("the process listening on {} runs as uid {uid}, not as you", socket.display())]
    UntrustedPeer { socket: PathBuf, uid: u32 },

    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Asks the agent listening in `runtime_dir` for credentials, after making
/// sure that the directory is the user's own (0700) and that the process
/// answering on the socket is theirs too: never ask anyone else, and never
/// hand anyone else an MFA code.
pub fn fetch(
    runtime_dir: &Path,
    profile: Option<&str>,
    mfa_code: Option<&SecretString>,
) -> Result<Response, FetchError> {
    let uid = nix::unistd::getuid().as_raw();
    check_private_dir(runtime_dir, uid)?;
    let socket = runtime_dir.join(SOCKET);
    let mut stream = UnixStream::connect(&socket)?;
    let peer = nix::sys::socket::getsockopt(&stream, nix::sys::socket::sockopt::PeerCredentials)
        .map_err(std::io::Error::from)?;
    if peer.uid() != uid {
        return Err(FetchError::UntrustedPeer {
            socket,
            uid: peer.uid(),
        });
    }
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let request = Zeroizing::new(format!(
        "{}\n",
        serde_json::json!({"mfa_code": mfa_code.map(|c| c.expose_secret()), "profile": profile})
    ));
    stream.write_all(request.as_bytes())?;
    let mut line = Zeroizing::new(String::new());
    BufReader::new(&stream)
        .take(MAX_RESPONSE)
        .read_line(&mut line)?;
    Response::from_line(&line).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the agent's answer is not understood",
        )
        .into()
    })
}

/// The largest answer read from an agent.
const MAX_RESPONSE: u64 = 64 * 1024;

/// `dir` is a directory (not a link), owned by `uid`, that no one else may enter.
fn check_private_dir(dir: &Path, uid: u32) -> Result<(), FetchError> {
    use std::os::unix::fs::MetadataExt;
    let untrusted = |reason: String| FetchError::UntrustedDir {
        dir: dir.to_path_buf(),
        reason,
    };
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.is_dir() {
        return Err(untrusted("it is not a directory".into()));
    }
    if meta.uid() != uid {
        return Err(untrusted(format!("it belongs to uid {}", meta.uid())));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(untrusted(format!(
            "its mode is {:o}, not 700",
            meta.mode() & 0o777
        )));
    }
    Ok(())
}

/// One request line from a client (without its newline).
pub fn parse_request(line: &[u8]) -> Option<Request> {
    serde_json::from_slice(line).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixListener;

    fn credentials() -> Credentials {
        Credentials {
            access_key_id: SecretString::from("ASIAEXAMPLE"),
            secret_access_key: SecretString::from("secret"),
            session_token: Some(SecretString::from("token")),
            expiration: parse_rfc3339("2030-01-02T03:04:05Z"),
        }
    }

    #[test]
    fn each_answer_survives_the_wire() {
        let line = Response::Credentials {
            credentials: credentials(),
            region: Some("eu-west-1".into()),
        }
        .to_line();
        assert!(
            line.ends_with('\n') && line.matches('\n').count() == 1,
            "{line:?}"
        );
        match Response::from_line(&line) {
            Some(Response::Credentials {
                credentials: c,
                region,
            }) => {
                assert_eq!(c.access_key_id.expose_secret(), "ASIAEXAMPLE");
                assert_eq!(c.secret_access_key.expose_secret(), "secret");
                assert_eq!(
                    c.session_token.as_ref().map(|t| t.expose_secret()),
                    Some("token")
                );
                assert_eq!(c.expiration, parse_rfc3339("2030-01-02T03:04:05Z"));
                assert_eq!(region.as_deref(), Some("eu-west-1"));
            }
            _ => panic!("{line:?}"),
        }
        let need = Response::NeedMfa {
            serial: "arn:aws:iam::123456789012:mfa/me".into(),
        }
        .to_line();
        assert!(
            matches!(Response::from_line(&need), Some(Response::NeedMfa { serial }) if serial == "arn:aws:iam::123456789012:mfa/me")
        );
        let error = Response::Error {
            message: "no".into(),
            transient: true,
        }
        .to_line();
        assert!(
            matches!(Response::from_line(&error), Some(Response::Error { message, transient: true }) if message == "no")
        );
        // An older agent's error, without `transient`, is not one.
        assert!(matches!(
            Response::from_line(r#"{"status":"error","message":"x"}"#),
            Some(Response::Error {
                transient: false,
                ..
            })
        ));
        assert!(Response::from_line("not json").is_none());
        assert!(Response::from_line(r#"{"status":"ok"}"#).is_none());
    }

    #[test]
    fn a_request_carries_an_mfa_code_or_none() {
        let with = parse_request(br#"{"mfa_code":"123456"}"#).unwrap();
        assert_eq!(
            with.mfa_code.as_ref().map(|c| c.expose_secret()),
            Some("123456")
        );
        assert!(parse_request(br#"{"mfa_code":null}"#)
            .unwrap()
            .mfa_code
            .is_none());
        assert!(parse_request(b"{}").unwrap().mfa_code.is_none());
        assert!(parse_request(b"garbage").is_none());
    }

    /// An agent of this user's in a private directory, answering once
    /// with `answer`.
    fn agent(answer: String) -> (tempfile::TempDir, std::thread::JoinHandle<String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let listener = UnixListener::bind(dir.path().join(SOCKET)).unwrap();
        let served = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut request = String::new();
            BufReader::new(&stream).read_line(&mut request).unwrap();
            (&stream).write_all(answer.as_bytes()).unwrap();
            request
        });
        (dir, served)
    }

    #[test]
    fn the_users_own_agent_is_asked_and_a_long_answer_is_read_whole() {
        let message = "m".repeat(20_000);
        let line = Response::Error {
            message: message.clone(),
            transient: false,
        }
        .to_line();
        let (dir, served) = agent(line.to_string());
        let code = SecretString::from("654321");
        match fetch(dir.path(), Some("prod"), Some(&code)) {
            Ok(Response::Error { message: got, .. }) => assert_eq!(got, message),
            other => panic!("{:?}", other.map(|_| ())),
        }
        let request = served.join().unwrap();
        assert_eq!(request, "{\"mfa_code\":\"654321\",\"profile\":\"prod\"}\n");
        let parsed = parse_request(request.trim_end().as_bytes()).unwrap();
        assert_eq!(parsed.profile.as_deref(), Some("prod"));
        assert!(parse_request(b"{}").unwrap().profile.is_none());
    }

    #[test]
    fn an_agent_in_a_directory_others_may_enter_is_not_asked() {
        let (dir, _served) = agent(String::new());
        for mode in [0o755, 0o750, 0o701, 0o710] {
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).unwrap();
            match fetch(dir.path(), None, None) {
                Err(FetchError::UntrustedDir { reason, .. }) => {
                    assert_eq!(reason, format!("its mode is {mode:o}, not 700"))
                }
                other => panic!("{mode:o}: {:?}", other.map(|_| ())),
            }
        }
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, "").unwrap();
        assert!(matches!(
            fetch(&file, None, None),
            Err(FetchError::UntrustedDir { reason, .. }) if reason == "it is not a directory"
        ));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        assert!(matches!(
            fetch(&link, None, None),
            Err(FetchError::UntrustedDir { reason, .. }) if reason == "it is not a directory"
        ));
    }

    #[test]
    fn an_agent_in_another_users_directory_is_not_asked() {
        if !nix::unistd::getuid().is_root() {
            // A missing prerequisite is said, and fails where CI has it.
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "root is missing under CI"
            );
            eprintln!("SKIPPED: handing a directory to another user needs root");
            return;
        }
        let (dir, _served) = agent(String::new());
        std::os::unix::fs::chown(dir.path(), Some(65534), Some(65534)).unwrap();
        assert!(matches!(
            fetch(dir.path(), None, None),
            Err(FetchError::UntrustedDir { reason, .. }) if reason == "it belongs to uid 65534"
        ));
    }
}
