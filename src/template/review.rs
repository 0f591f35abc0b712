//! The review and the record of trust by content: what a person is shown
//! before approving a template or a manifest (where it comes from, the full
//! hook and profile, the variables with the dangerous ones flagged, the AWS
//! role, account, MFA device and wrapped commands, the secrets backend and
//! item, every other file of the template; when it changed, the diff of
//! every changed file against what was trusted), and the trust record kept
//! once they do: the content hash and the trusted files (for the next diff;
//! a template holds no secret), 0600 under `$XDG_DATA_HOME/envact/trust`.
//! The gate that asks for it is the `trust` use case.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::manifest::Manifest;
use crate::private_fs::{read_text, write_private};
use crate::state::Dirs;
use crate::visible::{self, NAME};

/// A trust record holds a whole template (4 MiB at most), as TOML.
const MAX_RECORD: u64 = 32 * 1024 * 1024;

/// What was trusted last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// `team/aws`.
    pub source: String,
    pub url: String,
    pub commit: String,
    pub content_hash: String,
    /// The manifest as trusted, to show what changed since.
    pub manifest: String,
    /// The template's other files as trusted (by path; a file that is not
    /// text by its size and hash), for the same reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// The content hashes trusted before this one: still trusted (going
    /// back to `@v1` after trusting `@v2` asks nothing) until revoked.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub earlier: BTreeSet<String>,
}

impl Record {
    /// Whether content with `hash` was trusted, now or before.
    pub fn trusts(&self, hash: &str) -> bool {
        self.content_hash == hash || self.earlier.contains(hash)
    }
}

/// What a person trusts: a manifest's text and the other files of its
/// template (none for a local manifest).
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    pub manifest: &'a str,
    pub files: &'a BTreeMap<String, String>,
}

impl Record {
    fn content(&self) -> Content<'_> {
        Content {
            manifest: &self.manifest,
            files: &self.files,
        }
    }
}

pub use super::flagged::flagged;

pub fn record_path(dirs: &Dirs, identity: &str) -> PathBuf {
    dirs.data.join("trust").join(format!("{identity}.toml"))
}

/// Forgets every content trusted for `identity`; false when none was.
pub fn revoke(dirs: &Dirs, identity: &str) -> std::io::Result<bool> {
    match std::fs::remove_file(record_path(dirs, identity)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The record for the template with `identity`, if it was ever trusted.
pub fn last_trusted(dirs: &Dirs, identity: &str) -> Option<Record> {
    let text = read_text(&record_path(dirs, identity), MAX_RECORD).ok()?;
    toml::from_str(&text).ok()
}

/// What is trusted: a template at a commit, or a local manifest (which
/// direnv would load without being asked).
#[derive(Debug, Clone)]
pub struct Subject {
    /// Names the trust record.
    pub identity: String,
    /// `team/aws`, or the manifest's path.
    pub source: String,
    /// The registry's URL, or the manifest's path.
    pub url: String,
    /// The template's commit; empty for a local manifest.
    pub commit: String,
    pub content_hash: String,
}

impl Subject {
    /// How the review names it.
    fn origin(&self) -> String {
        match self.commit.is_empty() {
            true => format!("The manifest {}", visible::line(&self.source, 4 * NAME)),
            false => format!(
                "The template {} (from {}, commit {})",
                visible::line(&self.source, NAME),
                visible::line(&self.url, 4 * NAME),
                visible::line(self.commit.get(..12).unwrap_or(&self.commit), NAME)
            ),
        }
    }
}

/// Remembers that this content is trusted, beside what was trusted before.
pub fn trust(dirs: &Dirs, subject: &Subject, content: Content) -> std::io::Result<()> {
    let mut earlier = BTreeSet::new();
    if let Some(before) = last_trusted(dirs, &subject.identity) {
        earlier.extend(before.earlier);
        earlier.insert(before.content_hash);
    }
    earlier.remove(&subject.content_hash);
    let record = Record {
        source: subject.source.clone(),
        url: subject.url.clone(),
        commit: subject.commit.clone(),
        content_hash: subject.content_hash.clone(),
        manifest: content.manifest.to_string(),
        files: content.files.clone(),
        earlier,
    };
    let text = toml::to_string(&record).map_err(std::io::Error::other)?;
    write_private(
        &record_path(dirs, &subject.identity),
        &dirs.data,
        text.as_bytes(),
    )
}

/// What the person is shown before deciding: everything that can run,
/// every file of the template, and what changed since the last trust;
/// every text from the template with its control characters made visible.
pub fn review(
    subject: &Subject,
    manifest: &Manifest,
    content: Content,
    before: Option<&Record>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}. It asks for:",
        subject.origin(),
        match before {
            Some(_) => "has changed since you trusted it",
            None => "is not trusted yet",
        }
    );
    let mut hooks = manifest.hooks().peekable();
    if hooks.peek().is_none() {
        let _ = writeln!(out, "  no on-activate hook");
    }
    for hook in hooks {
        let from = hook
            .file
            .as_ref()
            .map(|f| {
                format!(
                    " (from {})",
                    visible::line(&f.display().to_string(), NAME * 4)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  [hook] on-activate{from}, run before your shell starts:"
        );
        indent(&mut out, &hook.script);
    }
    let p = &manifest.profile;
    for (shell, code) in [
        ("common", &p.common),
        ("bash", &p.bash),
        ("zsh", &p.zsh),
        ("fish", &p.fish),
    ] {
        if let Some(code) = code.as_ref().filter(|c| !c.trim().is_empty()) {
            let _ = writeln!(out, "  [profile] {shell}, sourced into your shell:");
            indent(&mut out, code);
        }
    }
    if !manifest.vars.is_empty() {
        let _ = writeln!(out, "  [vars]:");
        for (name, value) in &manifest.vars {
            let flag = flagged(name)
                .map(|why| format!("   <- flagged: {why}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} = {}{flag}",
                visible::line(name, NAME),
                quoted(value)
            );
        }
    }
    if let Some(aws) = &manifest.aws {
        let role = aws.role_arn.as_ref().map_or("none".to_string(), |r| {
            format!(
                "{} (account {})",
                visible::line(&r.to_string(), NAME),
                r.account()
            )
        });
        let mfa = aws
            .mfa_serial
            .as_ref()
            .map_or("left to you".to_string(), |m| {
                visible::line(&m.to_string(), NAME)
            });
        let wrap: Vec<String> = aws.wrap.iter().map(|w| visible::line(w, NAME)).collect();
        let _ = writeln!(
            out,
            "  AWS: role {role}; profile {}; MFA device {mfa}; commands given credentials: {}",
            aws.profile
                .as_deref()
                .map_or("none".to_string(), |p| visible::line(p, NAME)),
            wrap.join(", ")
        );
    }
    if let Some(s) = &manifest.secrets {
        let yours = |v: Option<&str>| v.map_or("(yours)".to_string(), |v| visible::line(v, NAME));
        let _ = writeln!(
            out,
            "  secrets: {} backend, vault {}, item {}",
            s.backend,
            yours(s.vault.as_deref()),
            yours(s.item.as_deref())
        );
    }
    for (path, text) in content.files {
        let _ = writeln!(
            out,
            "  file {} of the template (a hook or profile may run it):",
            visible::line(path, NAME)
        );
        indent(&mut out, text);
    }
    if let Some(before) = before {
        let _ = match before.commit.get(..12).unwrap_or(&before.commit) {
            "" => writeln!(out, "What changed since you trusted it:"),
            commit => writeln!(
                out,
                "What changed since you trusted commit {}:",
                visible::line(commit, NAME)
            ),
        };
        out.push_str(&diff(before.content(), content));
    }
    out
}

/// A variable's value in quotes, as TOML would write it.
fn quoted(value: &str) -> String {
    format!(
        "\"{}\"",
        visible::line(value, 4 * NAME).replace('"', "\\\"")
    )
}

fn indent(out: &mut String, text: &str) {
    for line in visible::lines(text) {
        let _ = writeln!(out, "    | {line}");
    }
}

/// A unified diff of the manifest, then of every other file that changed
/// (added and removed ones included), control characters made visible.
pub fn diff(before: Content, after: Content) -> String {
    let mut out = unified(before.manifest, after.manifest, "before", "after");
    let paths: std::collections::BTreeSet<&String> =
        before.files.keys().chain(after.files.keys()).collect();
    for path in paths {
        let old = before.files.get(path).map(String::as_str);
        let new = after.files.get(path).map(String::as_str);
        if old == new {
            continue;
        }
        let shown = visible::line(path, NAME);
        let (from, to) = match (old, new) {
            (None, _) => ("/dev/null".to_string(), format!("after/{shown}")),
            (_, None) => (format!("before/{shown}"), "/dev/null".to_string()),
            _ => (format!("before/{shown}"), format!("after/{shown}")),
        };
        out.push_str(&unified(old.unwrap_or(""), new.unwrap_or(""), &from, &to));
    }
    out
}

fn unified(before: &str, after: &str, from: &str, to: &str) -> String {
    let text = similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header(from, to)
        .to_string();
    visible::block(&text)
}

#[cfg(test)]
#[path = "review_tests.rs"]
mod tests;
