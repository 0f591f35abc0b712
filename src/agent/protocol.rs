//! What `envact exec` and the agent say to each other over the unix socket:
//! one JSON request line, one JSON response line.

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
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
}

/// The agent's answer.
pub enum Response {
    Credentials {
        credentials: Credentials,
        region: Option<String>,
    },
    /// The session expired: a code for this device is needed.
    NeedMfa {
        serial: String,
    },
    Error {
        message: String,
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
            Response::Error { message } => {
                serde_json::json!({"status": "error", "message": message})
            }
        };
        Zeroizing::new(format!("{value}\n"))
    }

    fn from_line(line: &str) -> Option<Response> {
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
            Wire::Error { message } => Response::Error { message },
        })
    }
}

/// Asks the agent listening in `runtime_dir` for credentials.
pub fn fetch(runtime_dir: &Path, mfa_code: Option<&SecretString>) -> std::io::Result<Response> {
    let mut stream = UnixStream::connect(runtime_dir.join(SOCKET))?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let request = Zeroizing::new(format!(
        "{}\n",
        serde_json::json!({"mfa_code": mfa_code.map(|c| c.expose_secret())})
    ));
    stream.write_all(request.as_bytes())?;
    let mut line = Zeroizing::new(String::new());
    BufReader::new(&stream).read_line(&mut line)?;
    Response::from_line(&line).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the agent's answer is not understood",
        )
    })
}

/// Reads one request from a connected client.
pub fn read_request(stream: &UnixStream) -> std::io::Result<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut line = Zeroizing::new(String::new());
    BufReader::new(stream)
        .take(64 * 1024)
        .read_line(&mut line)?;
    serde_json::from_str(&line).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
