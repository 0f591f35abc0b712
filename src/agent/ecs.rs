//! The ECS container-credentials endpoint on 127.0.0.1 (random port) that AWS
//! SDKs and the AWS CLI read when `AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN` are set: no keys in any environment, and
//! a request without the exact token (compared in constant time) is refused.
//! Only `GET /credentials` is served; other paths are 404, other methods 405
//! (and a HEAD request gets no body), as HTTP says. Connections from
//! another user's processes are closed as they are accepted.

use secrecy::zeroize::Zeroizing;
use secrecy::ExposeSecret;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};
use subtle::ConstantTimeEq;

use super::protocol::Response;
use crate::aws::rfc3339;

/// The one path served.
pub const PATH: &str = "/credentials";

/// A request head larger than this is refused.
pub const MAX_REQUEST: usize = 8 * 1024;

pub struct EcsServer {
    listener: TcpListener,
    token: String,
    uid: u32,
}

/// What a complete request gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `GET /credentials` with the right token: the credentials.
    Serve,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    BadRequest,
}

/// A request read to its end (the blank line after the headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub verdict: Verdict,
    /// HEAD: the answer has no body.
    pub head: bool,
}

impl EcsServer {
    pub fn bind() -> io::Result<EcsServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
        let token = crate::state::hex(&bytes);
        Ok(EcsServer {
            listener,
            token,
            uid: nix::unistd::getuid().as_raw(),
        })
    }

    pub fn url(&self) -> String {
        let port = self.listener.local_addr().map(|a| a.port()).unwrap_or(0);
        format!("http://127.0.0.1:{port}{PATH}")
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The next connection from one of this user's processes; another
    /// user's, and one already closed, are dropped unanswered as they come,
    /// so that a flood of them takes no room from the token holder's.
    pub fn accept(&self) -> Option<TcpStream> {
        use super::peer::{self, Peer};
        loop {
            let (stream, from) = self.listener.accept().ok()?;
            let Ok(local) = stream.local_addr() else {
                continue;
            };
            match peer::of(from, local) {
                Peer::User(uid) if uid == self.uid => return Some(stream),
                Peer::Unknown => return Some(stream),
                Peer::User(_) | Peer::Gone => continue,
            }
        }
    }

    /// What the bytes read so far ask for; `None` until the head is complete.
    pub fn parse(&self, buf: &[u8]) -> Option<Request> {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        let bad = Request {
            verdict: Verdict::BadRequest,
            head: false,
        };
        match req.parse(buf) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) if buf.len() < MAX_REQUEST => return None,
            _ => return Some(bad),
        }
        let head = req.method == Some("HEAD");
        let verdict = if req.path != Some(PATH) {
            Verdict::NotFound
        } else if req.method != Some("GET") {
            Verdict::MethodNotAllowed
        } else {
            let given = req
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("authorization"))
                .map(|h| h.value);
            match given {
                Some(given) if bool::from(given.ct_eq(self.token.as_bytes())) => Verdict::Serve,
                _ => Verdict::Forbidden,
            }
        };
        Some(Request { verdict, head })
    }
}

impl AsFd for EcsServer {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.listener.as_fd()
    }
}

/// The HTTP response to `request`; `answer` is the agent's when it was served.
pub fn reply(request: Request, answer: Option<&Response>) -> Zeroizing<Vec<u8>> {
    // An error in the shape SDKs read (`Code`, `Message`; botocore prints
    // the body, the JS SDK reads both on a 4xx), `message` kept for curl.
    // A 5xx only where trying again may work: SDKs retry those.
    let error = |status, code: &str, m: &str| {
        (
            status,
            serde_json::json!({ "Code": code, "Message": m, "message": m }).to_string(),
        )
    };
    let (status, body) = match (request.verdict, answer) {
        (Verdict::Serve, Some(Response::Credentials { credentials: c, .. })) => (
            "200 OK",
            serde_json::json!({
                "AccessKeyId": c.access_key_id.expose_secret(),
                "SecretAccessKey": c.secret_access_key.expose_secret(),
                "Token": c.session_token.as_ref().map(|t| t.expose_secret()),
                "Expiration": c.expiration.map(rfc3339),
            })
            .to_string(),
        ),
        (Verdict::Serve, Some(Response::NeedMfa { serial })) => error(
            "403 Forbidden",
            "MfaRequired",
            &format!("the session expired: an MFA code for {serial} is needed; run `envact exec -- true` to give one"),
        ),
        (Verdict::Serve, Some(Response::Error { message: m, transient: true })) => {
            error("503 Service Unavailable", "ServiceUnavailable", m)
        }
        (Verdict::Serve, Some(Response::Error { message: m, transient: false })) => {
            error("403 Forbidden", "CredentialsUnavailable", m)
        }
        (Verdict::Serve, None) => error("500 Internal Server Error", "InternalError", "no answer"),
        (Verdict::Forbidden, _) => error("403 Forbidden", "AccessDenied", "missing or wrong authorization token"),
        (Verdict::NotFound, _) => error("404 Not Found", "NotFound", &format!("only {PATH} is served here")),
        (Verdict::MethodNotAllowed, _) => error("405 Method Not Allowed", "MethodNotAllowed", "only GET is served here"),
        (Verdict::BadRequest, _) => error("400 Bad Request", "BadRequest", "not an HTTP request envact understands"),
    };
    let body = Zeroizing::new(body);
    let allow = if request.verdict == Verdict::MethodNotAllowed {
        "Allow: GET\r\n"
    } else {
        ""
    };
    let mut out = Zeroizing::new(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{allow}Connection: close\r\n\r\n",
            body.len()
        )
        .into_bytes(),
    );
    if !request.head {
        out.extend_from_slice(body.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_get_on_the_served_path_with_the_token_is_served() {
        let server = EcsServer::bind().unwrap();
        let token = server.token().to_string();
        let req = |text: String| server.parse(text.as_bytes());
        let verdict = |text: String| req(text).map(|r| r.verdict);
        let auth = format!("Authorization: {token}\r\n");
        assert_eq!(
            verdict(format!("GET /credentials HTTP/1.1\r\n{auth}\r\n")),
            Some(Verdict::Serve)
        );
        assert_eq!(
            verdict("GET /credentials HTTP/1.1\r\nAuthorization: nope\r\n\r\n".into()),
            Some(Verdict::Forbidden)
        );
        assert_eq!(
            verdict(format!("GET /other HTTP/1.1\r\n{auth}\r\n")),
            Some(Verdict::NotFound)
        );
        assert_eq!(
            verdict(format!("POST /credentials HTTP/1.1\r\n{auth}\r\n")),
            Some(Verdict::MethodNotAllowed)
        );
        assert_eq!(verdict("GET /credentials HTTP/1.1\r\n".into()), None);
        assert_eq!(
            verdict("\u{1}\u{2}garbage\r\n\r\n".into()),
            Some(Verdict::BadRequest)
        );
        let huge = format!(
            "GET /credentials HTTP/1.1\r\nX: {}\r\n",
            "a".repeat(MAX_REQUEST)
        );
        assert_eq!(verdict(huge), Some(Verdict::BadRequest));

        let head = req(format!("HEAD /credentials HTTP/1.1\r\n{auth}\r\n")).unwrap();
        assert_eq!(head.verdict, Verdict::MethodNotAllowed);
        let out = reply(head, None);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 405"), "{text}");
        assert!(text.contains("Allow: GET\r\n"), "{text}");
        assert!(
            text.ends_with("\r\n\r\n"),
            "a HEAD answer has no body: {text}"
        );
    }

    #[test]
    fn errors_come_in_the_shape_sdks_read_and_only_transient_ones_are_5xx() {
        let serve = Request {
            verdict: Verdict::Serve,
            head: false,
        };
        let shown = |answer: Response| {
            let out = reply(serve, Some(&answer));
            let text = String::from_utf8_lossy(&out).into_owned();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            let status = head[9..12].to_string();
            let body: serde_json::Value = serde_json::from_str(body).unwrap();
            (
                status,
                body["Code"].as_str().unwrap().to_string(),
                body["Message"].as_str().unwrap().to_string(),
            )
        };
        let (status, code, message) = shown(Response::NeedMfa {
            serial: "arn:aws:iam::123456789012:mfa/me".into(),
        });
        assert_eq!((status.as_str(), code.as_str()), ("403", "MfaRequired"));
        assert!(message.contains("envact exec -- true"), "{message}");
        let (status, code, message) = shown(Response::Error {
            message: "cannot reach STS".into(),
            transient: true,
        });
        assert_eq!(
            (status.as_str(), code.as_str(), message.as_str()),
            ("503", "ServiceUnavailable", "cannot reach STS")
        );
        let (status, code, _) = shown(Response::Error {
            message: "STS AssumeRole failed with AccessDenied".into(),
            transient: false,
        });
        assert_eq!(
            (status.as_str(), code.as_str()),
            ("403", "CredentialsUnavailable")
        );
    }

    #[test]
    fn a_request_head_may_take_up_to_8_kib() {
        let server = EcsServer::bind().unwrap();
        let partial = |len: usize| {
            let mut head = b"GET /credentials HTTP/1.1\r\nX: ".to_vec();
            head.resize(len, b'a');
            server.parse(&head).map(|r| r.verdict)
        };
        assert_eq!(partial(4096), None, "half way: still reading");
        assert_eq!(partial(MAX_REQUEST - 1), None);
        assert_eq!(partial(MAX_REQUEST), Some(Verdict::BadRequest));
    }

    #[test]
    fn the_endpoint_is_on_loopback_and_accepts_its_users_connections() {
        let server = EcsServer::bind().unwrap();
        let url = server.url();
        let port: u16 = url
            .strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix(PATH))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{url}"));
        assert_eq!(port, server.listener.local_addr().unwrap().port());
        assert_eq!(server.token().len(), 64);
        assert!(server.accept().is_none(), "nothing waiting yet");
        let _client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let accepted = (0..50).find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            server.accept()
        });
        assert!(accepted.is_some(), "this user's connection is accepted");
    }
}
