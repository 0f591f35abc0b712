//! Whatever a registry or a server sends, envact ends in a value or a clear
//! refusal, never a panic, and nothing it accepts escapes: a template tree's
//! listing (paths of any bytes, any mode, any size) is either refused or
//! gives paths that stay inside the template's directory, within the
//! bounds, and writing them puts every file there; a server's error body
//! (any bytes, any length, through the SDK's own parser) is shown bounded
//! and with no control character left to act on. A fixed number of inputs,
//! so each run checks the same amount.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Component, Path};
use std::time::Duration;

use envact::template::tree::{self, Files, MAX_FILE, MAX_FILES, MAX_TOTAL};
use envact::visible;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// One path part: mostly ordinary names, often the ones that matter.
fn part() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => "[a-z0-9_.-]{1,12}".prop_map(String::into_bytes),
        1 => prop::sample::select(vec![
            b"..".to_vec(), b".".to_vec(), b"".to_vec(), b".git".to_vec(), b".GiT".to_vec(),
            b"a\x1b[2K".to_vec(), b"\xff\xfe".to_vec(), b"a\rb".to_vec(), b"\t".to_vec(),
        ]),
        1 => prop::collection::vec(any::<u8>().prop_filter("no separators", |b| *b != 0 && *b != b'/'), 1..8),
    ]
}

/// One listed entry: mode, kind, size, path (relative to the template).
fn entry() -> impl Strategy<Value = (String, String, u64, Vec<u8>)> {
    let mode = prop_oneof![
        4 => Just("100644".to_string()),
        2 => Just("100755".to_string()),
        1 => Just("120000".to_string()),
        1 => Just("160000".to_string()),
        1 => Just("040000".to_string()),
        1 => "[0-7]{1,7}",
    ];
    let kind = prop_oneof![
        6 => Just("blob".to_string()),
        1 => Just("commit".to_string()),
        1 => Just("tree".to_string()),
    ];
    let size = prop_oneof![
        6 => 0..4096u64,
        1 => Just(MAX_FILE),
        1 => Just(MAX_FILE + 1),
        1 => any::<u64>(),
    ];
    let path = prop::collection::vec(part(), 1..5).prop_map(|parts| parts.join(&b'/'));
    let absolute = prop_oneof![4 => Just(false), 1 => Just(true)];
    (mode, kind, size, path, absolute).prop_map(|(m, k, s, p, abs)| {
        let p = if abs { [b"/".to_vec(), p].concat() } else { p };
        (m, k, s, p)
    })
}

fn listing(entries: &[(String, String, u64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (mode, kind, size, path) in entries {
        out.extend_from_slice(
            format!("{mode} {kind} 0123456789abcdef0123456789abcdef01234567 {size:>7}\taws/")
                .as_bytes(),
        );
        out.extend_from_slice(path);
        out.push(0);
    }
    out
}

/// What envact must hold to for an accepted entry, checked independently.
fn safe(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path).components().all(|c| match c {
            Component::Normal(name) => {
                let name = name.to_string_lossy();
                !name.eq_ignore_ascii_case(".git") && !name.chars().any(char::is_control)
            }
            _ => false,
        })
        && !path.contains("//")
        && !path.ends_with('/')
}

#[test]
fn no_tree_listing_gets_a_file_outside_the_template_or_past_its_bounds() {
    let base = tempfile::tempdir().unwrap();
    let written = std::cell::Cell::new(0);
    runner(3000)
        .run(&prop::collection::vec(entry(), 0..12), |entries| {
            let Ok(taken) = tree::entries(&listing(&entries), "aws/") else {
                return Ok(());
            };
            prop_assert!(taken.len() <= MAX_FILES);
            prop_assert!(taken.iter().map(|e| e.size).sum::<u64>() <= MAX_TOTAL);
            for (e, (mode, kind, _, _)) in taken.iter().zip(&entries) {
                prop_assert!(safe(&e.path), "accepted {:?}", e.path);
                prop_assert!(e.size <= MAX_FILE);
                prop_assert!(matches!(mode.as_str(), "100644" | "100755") && kind == "blob");
            }
            // Written out, every file lands inside the directory (paths that
            // clash, a file where a directory goes, fail; none escapes).
            let dir = tempfile::tempdir_in(base.path()).unwrap();
            let mut files = Files::default();
            for e in &taken {
                files
                    .0
                    .insert(e.path.clone(), vec![b'x'; (e.size % 64) as usize]);
            }
            if files.write_into(dir.path()).is_ok() {
                written.set(written.get() + 1);
                for path in files.0.keys() {
                    let on_disk = dir.path().join(path);
                    prop_assert!(on_disk.is_file(), "{path:?}");
                    let real = on_disk.canonicalize().unwrap();
                    prop_assert!(real.starts_with(dir.path().canonicalize().unwrap()));
                }
            }
            let outside: Vec<_> = std::fs::read_dir(base.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| !p.starts_with(dir.path()))
                .collect();
            prop_assert!(outside.is_empty(), "written outside: {outside:?}");
            Ok(())
        })
        .unwrap();
    assert!(
        written.get() > 100,
        "the fuzz wrote trees {} times",
        written.get()
    );
}

/// Any text a server sends comes out of `visible` with nothing a terminal
/// acts on, and a line bounded.
#[test]
fn no_server_text_reaches_the_terminal_raw_or_unbounded() {
    let acting = |c: char| {
        (c.is_control() && c != '\t' && c != '\n')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    runner(3000)
        .run(&prop::collection::vec(any::<char>(), 0..2000), |chars| {
            let text: String = chars.into_iter().collect();
            let line = visible::line(&text, visible::MESSAGE);
            prop_assert!(!line.chars().any(|c| acting(c) || c == '\t' || c == '\n'));
            prop_assert!(line.chars().count() <= visible::MESSAGE * 10 + 40);
            let block = visible::block(&text);
            prop_assert!(!block.chars().any(acting), "{block:?}");
            prop_assert_eq!(block.matches('\n').count(), text.matches('\n').count());
            Ok(())
        })
        .unwrap();
}

type Answer = std::sync::Arc<std::sync::Mutex<(u16, Vec<u8>)>>;

/// A loopback "STS" that answers every request with the current answer.
fn serve(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (status, body) = answer.lock().unwrap().clone();
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and the (small) form body the SDK sends.
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}

/// An STS error body: well-formed, or mangled, with any code and message.
fn error_body() -> impl Strategy<Value = (u16, Vec<u8>)> {
    let text = prop_oneof![
        2 => "[ -~]{0,60}",
        1 => prop::collection::vec(any::<char>(), 0..200).prop_map(|c| c.into_iter().collect()),
        1 => prop::sample::select(vec![
            "&#27;]52;c;ZXZpbA==&#7;".to_string(),
            "&#27;[2K&#13;".to_string(),
            "\u{202e}gnp.exe".to_string(),
            "A".repeat(200_000),
        ]),
    ];
    // A 5xx is retried, with a pause: rarer, so that the run stays short.
    let status = prop_oneof![19 => prop::sample::select(vec![400u16, 403]), 1 => Just(503u16)];
    (status, text.clone(), text, any::<bool>()).prop_map(|(status, code, message, whole)| {
        let body = format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>{message}</Message></Error><RequestId>1</RequestId></ErrorResponse>"
        );
        let mut body = body.into_bytes();
        if !whole {
            body.truncate(body.len() / 2);
        }
        (status, body)
    })
}

#[test]
fn no_sts_error_body_gives_a_raw_or_unbounded_message() {
    use envact::aws::sts::{SdkSts, Sts};
    use envact::aws::Credentials;
    use secrecy::SecretString;
    let current: Answer = Default::default();
    let sts = SdkSts::new("us-east-1", Some(serve(current.clone())), || {});
    let caller = Credentials {
        access_key_id: SecretString::from("AKIAIOSFODNN7EXAMPLE"),
        secret_access_key: SecretString::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        session_token: None,
        expiration: None,
    };
    runner(200)
        .run(&error_body(), |answer| {
            // The SDK retries a 5xx: each try gets the same.
            *current.lock().unwrap() = answer;
            let err = sts
                .get_session_token(&caller, Duration::from_secs(900), None)
                .expect_err("an error body is an error");
            let shown = err.to_string();
            prop_assert!(
                shown.chars().count() < 2 * visible::MESSAGE + 300,
                "{} chars",
                shown.len()
            );
            prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
            prop_assert!(!shown.contains('\u{202e}'), "{shown:?}");
            Ok(())
        })
        .unwrap();
}
