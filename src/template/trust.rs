//! Trust by content. Nothing of a remote template runs (its hook, its
//! profile, its variables, its AWS settings), and direnv loads no local
//! manifest with a hook or a flagged variable, before the person has seen
//! and approved that exact content: where it comes from, the full hook and
//! profile, the variables with the dangerous ones flagged, the AWS role,
//! account, MFA device and wrapped commands, the secrets backend and item;
//! when it changed, the diff against what was trusted. A trust record keeps
//! the content hash and the trusted manifest (for the next diff; a manifest
//! holds no secret), 0600 under `$XDG_DATA_HOME/envact/trust`.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::config::Dirs;
use crate::manifest::Manifest;
use crate::private_fs::{read_text, write_private, MAX_FILE};

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
}

/// Variables that change what runs or where credentials go: shown flagged.
pub fn flagged(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    Some(match upper.as_str() {
        "PATH" => "decides which programs run",
        "LD_PRELOAD" | "LD_LIBRARY_PATH" => "loads code into every program",
        "BASH_ENV" | "ENV" | "ZDOTDIR" | "PROMPT_COMMAND" => "runs shell code",
        "AWS_CA_BUNDLE" => "decides which servers AWS tools trust",
        _ if upper.starts_with("DYLD_") => "loads code into every program",
        _ if upper.starts_with("AWS_ENDPOINT_URL") => "sends AWS requests elsewhere",
        _ if upper.ends_with("_PROXY") => "routes network traffic through another host",
        _ => return None,
    })
}

pub fn record_path(dirs: &Dirs, identity: &str) -> PathBuf {
    dirs.data.join("trust").join(format!("{identity}.toml"))
}

/// The record for the template with `identity`, if it was ever trusted.
pub fn last_trusted(dirs: &Dirs, identity: &str) -> Option<Record> {
    let text = read_text(&record_path(dirs, identity), MAX_FILE).ok()?;
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
            true => format!("The manifest {}", self.source),
            false => format!(
                "The template {} (from {}, commit {})",
                self.source,
                self.url,
                self.commit.get(..12).unwrap_or(&self.commit)
            ),
        }
    }
}

/// Remembers that this content is trusted.
pub fn trust(dirs: &Dirs, subject: &Subject, manifest_text: &str) -> std::io::Result<()> {
    let record = Record {
        source: subject.source.clone(),
        url: subject.url.clone(),
        commit: subject.commit.clone(),
        content_hash: subject.content_hash.clone(),
        manifest: manifest_text.to_string(),
    };
    let text = toml::to_string(&record).map_err(std::io::Error::other)?;
    write_private(
        &record_path(dirs, &subject.identity),
        &dirs.data,
        text.as_bytes(),
    )
}

/// What the person is shown before deciding.
pub fn review(
    subject: &Subject,
    manifest: &Manifest,
    manifest_text: &str,
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
    match &manifest.on_activate {
        Some(hook) => {
            let _ = writeln!(out, "  [hook] on-activate, run before your shell starts:");
            indent(&mut out, &hook.script);
        }
        None => {
            let _ = writeln!(out, "  no on-activate hook");
        }
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
            let _ = writeln!(out, "    {name} = {value:?}{flag}");
        }
    }
    if let Some(aws) = &manifest.aws {
        let role = aws.role_arn.as_ref().map_or("none".to_string(), |r| {
            format!("{r} (account {})", r.account())
        });
        let mfa = aws
            .mfa_serial
            .as_ref()
            .map_or("left to you".to_string(), |m| m.to_string());
        let _ = writeln!(
            out,
            "  AWS: role {role}; profile {}; MFA device {mfa}; commands given credentials: {}",
            aws.profile.as_deref().unwrap_or("none"),
            aws.wrap.join(", ")
        );
    }
    if let Some(s) = &manifest.secrets {
        let _ = writeln!(
            out,
            "  secrets: {} backend, vault {}, item {}",
            s.backend,
            s.vault.as_deref().unwrap_or("(yours)"),
            s.item.as_deref().unwrap_or("(yours)")
        );
    }
    if let Some(before) = before {
        let _ = match before.commit.get(..12).unwrap_or(&before.commit) {
            "" => writeln!(out, "What changed since you trusted it:"),
            commit => writeln!(out, "What changed since you trusted commit {commit}:"),
        };
        out.push_str(&diff(&before.manifest, manifest_text));
    }
    out
}

fn indent(out: &mut String, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "    | {line}");
    }
}

/// A unified diff of two manifests.
pub fn diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header("before", "after")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_that_change_what_runs_are_flagged() {
        for name in [
            "PATH",
            "LD_PRELOAD",
            "DYLD_INSERT_LIBRARIES",
            "BASH_ENV",
            "AWS_ENDPOINT_URL_STS",
            "HTTPS_PROXY",
            "no_proxy",
            "AWS_CA_BUNDLE",
            "PROMPT_COMMAND",
        ] {
            assert!(flagged(name).is_some(), "{name}");
        }
        for name in ["AWS_REGION", "GREETING", "EDITOR"] {
            assert!(flagged(name).is_none(), "{name}");
        }
        let d = diff("a = 1\nb = 2\n", "a = 1\nb = 3\n");
        assert!(d.contains("-b = 2\n+b = 3\n"), "{d}");
    }
}
