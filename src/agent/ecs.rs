//! The ECS container-credentials endpoint on 127.0.0.1 (random port) that AWS
//! SDKs and the AWS CLI read when `AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN` are set: no keys in any environment, and
//! a request without the exact token (compared in constant time) is refused.

use secrecy::ExposeSecret;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;
use subtle::ConstantTimeEq;

use super::protocol::Response;
use crate::aws::rfc3339;

pub struct EcsServer {
    listener: TcpListener,
    token: String,
}

/// One accepted request, read and checked.
pub struct Connection {
    stream: TcpStream,
    authorized: bool,
}

impl EcsServer {
    pub fn bind() -> io::Result<EcsServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(EcsServer { listener, token })
    }

    pub fn url(&self) -> String {
        let port = self.listener.local_addr().map(|a| a.port()).unwrap_or(0);
        format!("http://127.0.0.1:{port}/credentials")
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn accept(&self) -> Option<Connection> {
        let (stream, _) = self.listener.accept().ok()?;
        let authorized = self
            .read_authorization(&stream)
            .is_some_and(|given| bool::from(given.as_bytes().ct_eq(self.token.as_bytes())));
        Some(Connection { stream, authorized })
    }

    /// The request's Authorization header, if the request is well-formed.
    fn read_authorization(&self, mut stream: &TcpStream) -> Option<String> {
        stream.set_nonblocking(false).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut buf = vec![0u8; 8192];
        let mut len = 0;
        loop {
            let n = stream.read(&mut buf[len..]).ok()?;
            if n == 0 {
                return None;
            }
            len += n;
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut req = httparse::Request::new(&mut headers);
            match req.parse(&buf[..len]) {
                Ok(httparse::Status::Complete(_)) => {
                    return req
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("authorization"))
                        .and_then(|h| std::str::from_utf8(h.value).ok())
                        .map(str::to_string);
                }
                Ok(httparse::Status::Partial) if len < buf.len() => continue,
                _ => return None,
            }
        }
    }
}

impl AsFd for EcsServer {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.listener.as_fd()
    }
}

impl Connection {
    pub fn authorized(&self) -> bool {
        self.authorized
    }

    /// Answers with the credentials (`None` when not authorized).
    pub fn reply(mut self, answer: Option<Response>) {
        let (status, body) = match answer {
            None => ("403 Forbidden", serde_json::json!({"message": "missing or wrong authorization token"}).to_string()),
            Some(Response::Credentials { credentials: c, .. }) => (
                "200 OK",
                serde_json::json!({
                    "AccessKeyId": c.access_key_id.expose_secret(),
                    "SecretAccessKey": c.secret_access_key.expose_secret(),
                    "Token": c.session_token.as_ref().map(|t| t.expose_secret()),
                    "Expiration": c.expiration.map(rfc3339),
                })
                .to_string(),
            ),
            Some(Response::NeedMfa { serial }) => (
                "503 Service Unavailable",
                serde_json::json!({"message": format!("the session expired: an MFA code for {serial} is needed; run `envact exec -- true` to give one")}).to_string(),
            ),
            Some(Response::Error { message }) => ("502 Bad Gateway", serde_json::json!({"message": message}).to_string()),
        };
        let body = secrecy::zeroize::Zeroizing::new(body);
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = self.stream.write_all(head.as_bytes());
        let _ = self.stream.write_all(body.as_bytes());
    }
}
