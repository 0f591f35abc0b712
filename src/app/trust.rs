//! The trust gate, as commands pass it: a remote template's content must be
//! trusted before anything of it runs (on a terminal the person is asked:
//! trust this content, trust once, deny), and under direnv, which loads
//! without being asked, so must a local manifest with a hook or a flagged
//! variable (never asked there: `envact trust` approves it, as `direnv
//! allow` does). `envact trust` shows what the content does and trusts it.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use crate::context::Context;
use crate::context::Place;
use crate::settings::Settings;
use crate::state::{hex, remote_id};
use crate::template::fetch::TemplateError;
use crate::template::review::{self, Content, Subject};
use crate::template::tree::Files;
use crate::Error;

/// Before anything of a remote template runs: its content must be trusted.
/// On a terminal the person is shown what it does and decides; without one
/// an untrusted template stops here.
pub fn ensure_trusted(cx: &Context, settings: &Settings) -> Result<(), Error> {
    // Each template the manifest includes is trusted as `-r` trusts it.
    for included in settings
        .parts
        .iter()
        .filter_map(|p| Settings::of_included(p, &cx.dirs))
    {
        ensure_trusted(cx, &included?)?;
    }
    if settings.project.remote.is_none() {
        return Ok(());
    }
    let review = Review::of(cx, settings)?;
    if review.trusted {
        return Ok(());
    }
    if !cx.ui.interactive() {
        return Err(review.untrusted(settings));
    }
    cx.ui.say(review.shown.trim_end());
    let choices = [
        "trust this content (asked again only when it changes)".to_string(),
        "trust once (this time only)".to_string(),
        "deny (run nothing of it)".to_string(),
    ];
    match cx.ui.select("Run it?", &choices, 2)? {
        0 => review.record(cx, settings),
        1 => Ok(()),
        _ => Err(Error::Denied {
            name: review.subject.source,
        }),
    }
}

/// Under direnv: a remote template, or a local manifest that has a hook or
/// a flagged variable, must be trusted already; nothing is asked.
pub fn ensure_trusted_unasked(cx: &Context, settings: &Settings) -> Result<(), Error> {
    for included in settings
        .parts
        .iter()
        .filter_map(|p| Settings::of_included(p, &cx.dirs))
    {
        ensure_trusted_unasked(cx, &included?)?;
    }
    let written = &settings.written;
    let needs = settings.project.remote.is_some()
        || written.hooks().next().is_some()
        || written
            .vars
            .keys()
            .any(|name| review::flagged(name).is_some());
    if !needs {
        return Ok(());
    }
    let review = Review::of(cx, settings)?;
    match review.trusted {
        true => Ok(()),
        false => Err(review.untrusted(settings)),
    }
}

/// `envact trust`: shows what the manifest or template does and trusts
/// its content, without asking.
pub fn trust(cx: &Context, place: &Place) -> Result<(String, String), Error> {
    let settings = cx.settings_at(place)?;
    let review = Review::of(cx, &settings)?;
    review.record(cx, &settings)?;
    Ok((review.shown, review.subject.source))
}

/// `envact trust --revoke`: forgets every content trusted for the manifest
/// or template at `place`; returns its name, and whether any was trusted.
pub fn revoke(cx: &Context, place: &Place) -> Result<(String, bool), Error> {
    let settings = cx.settings_at(place)?;
    let subject = subject(&settings);
    let revoked = review::revoke(&cx.dirs, &subject.identity).map_err(|source| Error::Write {
        path: review::record_path(&cx.dirs, &subject.identity),
        source,
    })?;
    Ok((subject.source, revoked))
}

/// The record a manifest's trust is kept under.
pub fn subject(settings: &Settings) -> Subject {
    match &settings.project.remote {
        Some(remote) => Subject {
            identity: remote_id(&remote.url, &remote.template),
            source: remote.name.clone(),
            url: remote.url.clone(),
            commit: remote.commit.clone(),
            content_hash: remote.content_hash.clone(),
        },
        None => {
            let path = settings.project.manifest.display().to_string();
            Subject {
                identity: format!("local-{}", settings.env_id),
                source: path.clone(),
                url: path,
                commit: String::new(),
                content_hash: hex(&Sha256::digest(local_content(settings).as_bytes())),
            }
        }
    }
}

/// The text a person reviews and trusts: a template's manifest; a local
/// manifest with the manifests of the directories it includes, each under
/// its path (a registry's template it includes is reviewed on its own).
fn reviewed_text(settings: &Settings) -> String {
    match settings.project.remote {
        Some(_) => settings.text.clone(),
        None => local_content(settings),
    }
}

/// What a local manifest's trust is given to: its text, and the text of
/// each directory it includes (a registry's template is trusted on its own).
fn local_content(settings: &Settings) -> String {
    let mut content = settings.text.clone();
    for part in settings.parts.iter().filter(|p| p.remote.is_none()) {
        content.push_str(&format!("\n# {}\n{}", part.shown.display(), part.text));
    }
    content
}

/// A manifest's content as the person is shown it before trusting, and
/// what recording that trust needs.
struct Review {
    subject: Subject,
    /// A template's files but its manifest.
    files: BTreeMap<String, String>,
    shown: String,
    trusted: bool,
    changed: bool,
}

impl Review {
    fn of(cx: &Context, settings: &Settings) -> Result<Review, Error> {
        let subject = subject(settings);
        let files = template_files(settings)?;
        let before = review::last_trusted(&cx.dirs, &subject.identity);
        let trusted = before
            .as_ref()
            .is_some_and(|r| r.trusts(&subject.content_hash));
        let manifest = reviewed_text(settings);
        let content = Content {
            manifest: &manifest,
            files: &files,
        };
        let shown = review::review(&subject, &settings.written, content, before.as_ref());
        Ok(Review {
            changed: before.is_some(),
            subject,
            files,
            shown,
            trusted,
        })
    }

    /// Trusts the content reviewed: `settings`' text and the template's files.
    fn record(&self, cx: &Context, settings: &Settings) -> Result<(), Error> {
        let manifest = reviewed_text(settings);
        let content = Content {
            manifest: &manifest,
            files: &self.files,
        };
        review::trust(&cx.dirs, &self.subject, content).map_err(|source| Error::Write {
            path: review::record_path(&cx.dirs, &self.subject.identity),
            source,
        })
    }

    fn untrusted(&self, settings: &Settings) -> Error {
        match settings.project.remote {
            Some(_) => Error::Untrusted {
                name: self.subject.source.clone(),
                changed: self.changed,
            },
            None => Error::UntrustedManifest {
                manifest: settings.project.manifest.clone(),
                dir: settings.project.dir.clone(),
                changed: self.changed,
            },
        }
    }
}

/// The files of a template besides its manifest (its checked copy's);
/// none for a local manifest, whose directory is the person's own.
fn template_files(settings: &Settings) -> Result<BTreeMap<String, String>, Error> {
    if settings.project.remote.is_none() {
        return Ok(BTreeMap::new());
    }
    let dir = settings
        .project
        .manifest
        .parent()
        .unwrap_or(&settings.project.dir);
    let files = Files::read(dir).map_err(|e| TemplateError::Corrupt {
        name: subject(settings).source,
        path: dir.to_path_buf(),
        detail: e.to_string(),
    })?;
    Ok(files.others())
}
