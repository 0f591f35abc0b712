//! Remote templates as the commands use them: the person's registries
//! (`envact registry`), moving a pin (`envact pull`), copying a template
//! into a project (`pull --copy`), publishing one (`envact push`) and a
//! pin's status. The trust gate they pass is the `trust` use case; a
//! template's project (its pinned copy, activated in the current
//! directory) is found through `Context::project_at`.

use std::path::{Path, PathBuf};

use crate::context::{Context, Place};
use crate::state::registries::{check_name, check_url, Registries, Registry};
use crate::state::remote_id;
use crate::template::fetch::{self, Fetched, TemplateError};
use crate::template::{git, review, TemplateRef};
use crate::Error;

/// What `envact pull -r` did: the commit before (if pinned) and after, and
/// the manifest's diff.
pub struct Pulled {
    pub before: Option<String>,
    pub after: String,
    pub diff: String,
}

/// `envact pull -r`: fetches the template anew and moves its pin.
pub fn pull(cx: &Context, tref: &TemplateRef) -> Result<Pulled, Error> {
    let ui = cx.ui();
    let busy = |label: &str, work: &mut dyn FnMut()| ui.busy(label, work);
    let (before, after) = fetch::pull(&cx.dirs, tref, cx.ui.interactive(), &busy)?;
    let files = |f: &Fetched| fetch::files(f).unwrap_or_default();
    let (old, new) = (
        before.as_ref().map(files).unwrap_or_default(),
        files(&after),
    );
    let text = |files: &crate::template::tree::Files| {
        files
            .0
            .get("manifest.toml")
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    let (old_text, new_text) = (text(&old), text(&new));
    let (old_others, new_others) = (old.others(), new.others());
    let content = |manifest, files| review::Content { manifest, files };
    Ok(Pulled {
        before: before.map(|b| b.short().to_string()),
        after: after.short().to_string(),
        diff: review::diff(
            content(&old_text, &old_others),
            content(&new_text, &new_others),
        ),
    })
}

/// `envact pull` in a project with `[include]`: moves the pin of each
/// registry's template it includes (at any depth), or of `only` (written
/// as in `[include]`, or by name); each with what [`pull`] says.
pub fn pull_includes(
    cx: &Context,
    dir: Option<&Path>,
    only: Option<&str>,
) -> Result<Vec<(TemplateRef, Pulled)>, Error> {
    let settings = cx.settings_of(cx.project(dir)?)?;
    let included: Vec<TemplateRef> = settings
        .parts
        .iter()
        .filter(|p| p.remote.is_some())
        .filter_map(|p| p.name.parse::<TemplateRef>().ok())
        .collect();
    let chosen: Vec<&TemplateRef> = included
        .iter()
        .filter(|t| only.is_none_or(|o| o == t.to_string() || o == t.name()))
        .collect();
    if chosen.is_empty() {
        return Err(Error::NothingToPull {
            manifest: settings.project.manifest.clone(),
            only: only.map(str::to_string),
            included: included.iter().map(ToString::to_string).collect(),
        });
    }
    chosen
        .into_iter()
        .map(|tref| Ok((tref.clone(), pull(cx, tref)?)))
        .collect()
}

/// `envact pull --copy`: the template written into `dir/.envact/` as a local
/// manifest, its source noted at the top; returns the file.
pub fn copy(cx: &Context, tref: &TemplateRef, dir: &Path, force: bool) -> Result<PathBuf, Error> {
    let ui = cx.ui();
    let busy = |label: &str, work: &mut dyn FnMut()| ui.busy(label, work);
    let (_, fetched) = fetch::pull(&cx.dirs, tref, cx.ui.interactive(), &busy)?;
    let text = crate::private_fs::read_text(&fetched.manifest(), crate::manifest::MAX_MANIFEST)
        .map_err(|source| Error::Write {
            path: fetched.manifest(),
            source,
        })?;
    let path = crate::manifest::manifest_path(dir);
    if path.exists() && !force {
        return Err(Error::ManifestExists { path });
    }
    let noted = format!(
        "# Copied from {} ({}, commit {}) by `envact pull --copy`.\n{text}",
        tref.name(),
        fetched.pin.url,
        fetched.pin.commit
    );
    crate::private_fs::write_project_file(&path, noted.as_bytes()).map_err(|source| {
        Error::Write {
            path: path.clone(),
            source,
        }
    })?;
    Ok(path)
}

/// `envact registry add`: checks that git can read it (or that it is a
/// directory of templates) before keeping it.
pub fn add_registry(
    cx: &Context,
    name: &str,
    url: &str,
    branch: Option<String>,
) -> Result<(), Error> {
    check_name(name).map_err(|reason| Error::BadRegistry {
        name: name.to_string(),
        reason: reason.to_string(),
    })?;
    check_url(url).map_err(|reason| Error::BadRegistryUrl {
        name: name.to_string(),
        reason,
    })?;
    let mut registries = Registries::load(&cx.dirs.config)?;
    // A path is kept absolute: it is used later from other directories.
    let absolute = Path::new(url)
        .exists()
        .then(|| std::fs::canonicalize(url).ok())
        .flatten()
        .map(|p| p.to_string_lossy().into_owned());
    let url = absolute.as_deref().unwrap_or(url);
    let local = Path::new(url);
    let is_plain_dir =
        local.is_dir() && git::ok(Some(local), ["rev-parse", "--git-dir"], false).is_err();
    if !is_plain_dir {
        let mut checked = Ok(Vec::new());
        cx.ui.busy(&format!("Checking {url}"), &mut || {
            checked = git::ok(None, ["ls-remote", "--heads", url], cx.ui.interactive());
        });
        checked.map_err(|detail| TemplateError::Unreachable {
            name: name.to_string(),
            url: url.to_string(),
            detail,
        })?;
    }
    registries.0.insert(
        name.to_string(),
        Registry {
            url: url.to_string(),
            branch,
        },
    );
    registries.save(&cx.dirs.config)?;
    Ok(())
}

/// `envact registry list`.
pub fn registries(cx: &Context) -> Result<Registries, Error> {
    Ok(Registries::load(&cx.dirs.config)?)
}

/// `envact registry remove`.
pub fn remove_registry(cx: &Context, name: &str) -> Result<(), Error> {
    let mut registries = Registries::load(&cx.dirs.config)?;
    if registries.0.remove(name).is_none() {
        return Err(TemplateError::UnknownRegistry {
            name: name.to_string(),
            known: registries.0.keys().cloned().collect(),
        }
        .into());
    }
    registries.save(&cx.dirs.config)?;
    Ok(())
}

/// What `envact push` did: the template's commit before (None when the
/// registry was empty), and the one pushed (None when the template had this
/// manifest already).
pub struct Pushed {
    pub before: Option<String>,
    pub after: Option<String>,
    /// The pushed content is trusted: the person wrote its manifest, and
    /// had trusted the rest of the template (or it has nothing else).
    pub trusted: bool,
}

/// `envact push -r`: the manifest of the project in `dir` (else found
/// upward) committed into the registry as the template, on top of the pin;
/// refused when the registry moved since; the first commit of an empty
/// registry. The manifest must be valid, and the note that `pull --copy`
/// wrote at its top is left out.
pub fn push(cx: &Context, tref: &TemplateRef, dir: Option<&Path>) -> Result<Pushed, Error> {
    let project = cx.project(dir)?;
    let text = crate::private_fs::read_text(&project.manifest, crate::manifest::MAX_MANIFEST)
        .map_err(|source| crate::manifest::ManifestError::Read {
            path: project.manifest.clone(),
            source,
        })?;
    crate::manifest::Manifest::parse(&text, &project.manifest, &tref.template)?;
    let ui = cx.ui();
    let busy = |label: &str, work: &mut dyn FnMut()| ui.busy(label, work);
    let pushed = crate::template::push::push(
        &cx.dirs,
        tref,
        without_copy_note(&text),
        cx.ui.interactive(),
        &busy,
    )?;
    // What stays of the template beside the manifest was seen and trusted
    // (or there is nothing else: a template pushed into an empty registry).
    let rest_trusted = match &pushed.before {
        None => true,
        Some(before) => {
            fetch::files(before).is_ok_and(|f| f.others().is_empty())
                || review::last_trusted(&cx.dirs, &remote_id(&before.pin.url, &before.pin.template))
                    .is_some_and(|r| r.trusts(&before.pin.content_hash))
        }
    };
    let trusted = pushed.after.is_some() && rest_trusted;
    if trusted {
        crate::app::trust::trust(cx, &Place::Remote(tref.clone()))?;
    }
    Ok(Pushed {
        before: pushed.before.map(|b| b.short().to_string()),
        after: pushed.after.map(|a| a.short().to_string()),
        trusted,
    })
}

fn without_copy_note(text: &str) -> &str {
    match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("# Copied from ") => rest,
        _ => text,
    }
}

/// What `envact status -r` shows, read without touching the network.
pub struct PinStatus {
    /// None before the template's first use.
    pub pin: Option<fetch::Pin>,
    /// The commit whose content was trusted last, and whether the pinned
    /// content is that content.
    pub trusted: Option<(String, bool)>,
}

/// `envact status -r`: the template's pin and whether its content is trusted.
pub fn pin_status(cx: &Context, tref: &TemplateRef) -> Result<PinStatus, Error> {
    let pin = fetch::pin_of(&cx.dirs, tref)?;
    let trusted = pin.as_ref().and_then(|pin| {
        let record = review::last_trusted(&cx.dirs, &remote_id(&pin.url, &pin.template))?;
        let same = record.trusts(&pin.content_hash);
        Some((record.commit, same))
    });
    Ok(PinStatus { pin, trusted })
}
