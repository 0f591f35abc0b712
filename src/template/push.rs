//! Pushing a manifest into a registry as a template: one commit on top of
//! the person's pin (built with git's plumbing in the mirror, so no working
//! tree is needed), pushed to the branch the template follows with the
//! person's own git; refused when the registry moved since the pin, since
//! the push would silently undo what others pushed.

use super::fetch::{Fetched, Place, TemplateError};
use super::{git, TemplateRef};
use crate::state::Dirs;
use std::path::Path;

/// What a push did: the template's content before (None when the registry
/// was empty), and after (None when it had this manifest already).
pub struct Pushed {
    pub before: Option<Fetched>,
    pub after: Option<Fetched>,
}

/// Commits `manifest` as the template's manifest on top of its pin and
/// pushes it to the registry's branch; refused when the registry moved
/// since the pin. Into an empty registry, the first commit: the branch
/// its HEAD names (or git's default). Moves the pin to the new commit.
pub fn push(
    dirs: &Dirs,
    tref: &TemplateRef,
    manifest: &str,
    interactive: bool,
    busy: &dyn Fn(&str, &mut dyn FnMut()),
) -> Result<Pushed, TemplateError> {
    let place = Place::find(dirs, tref)?;
    if !place.is_git() {
        return Err(TemplateError::NotPushable {
            name: tref.registry.clone(),
            reason: "it is a plain directory, not a git repository".into(),
        });
    }
    let listing = place.listing(interactive)?;
    if listing.refs.is_empty() {
        let branch = place.first_branch(&listing);
        // Nothing to fetch yet, nothing to pin: the mirror only holds the
        // commit until it is pushed.
        place.ensure_mirror()?;
        let commit = place
            .commit_manifest(None, manifest)?
            .ok_or_else(|| TemplateError::Git {
                detail: "git made no commit".into(),
            })?;
        place.push_commit(&commit, &branch, interactive, busy)?;
        let after = place.fetch(interactive, busy)?;
        return Ok(Pushed {
            before: None,
            after: Some(after),
        });
    }
    let branch = place.branch(&listing)?;
    let pinned = match place.pin().filter(|p| p.url == place.registry.url) {
        Some(pin) => place.checked(pin, interactive)?,
        None => place.fetch(interactive, busy)?,
    };
    let mut fetched = Ok(());
    busy(
        &format!("Fetching {} from {}", tref.registry, place.registry.url),
        &mut || fetched = place.fetch_mirror(interactive),
    );
    fetched?;
    let now = place.resolve_ref()?;
    if now != pinned.pin.commit {
        return Err(TemplateError::Moved {
            name: tref.name(),
            pinned: pinned.short().to_string(),
            now: now.get(..12).unwrap_or(&now).to_string(),
        });
    }
    let Some(commit) = place.commit_manifest(Some(&pinned.pin.commit), manifest)? else {
        return Ok(Pushed {
            before: Some(pinned),
            after: None,
        });
    };
    place.push_commit(&commit, &branch, interactive, busy)?;
    let after = place.fetch(interactive, busy)?;
    Ok(Pushed {
        before: Some(pinned),
        after: Some(after),
    })
}

/// The registry's refs, as `git ls-remote --symref` lists them.
struct Listing {
    /// The branch HEAD names, when the server says (git's protocol v2 says
    /// it of an empty repository too).
    head: Option<String>,
    /// Every ref but HEAD.
    refs: Vec<String>,
}

impl Place<'_> {
    fn listing(&self, interactive: bool) -> Result<Listing, TemplateError> {
        let out = git::ok(
            None,
            ["ls-remote", "--symref", &self.registry.url],
            interactive,
        )
        .map_err(|detail| TemplateError::Unreachable {
            name: self.tref.registry.clone(),
            url: self.registry.url.clone(),
            detail,
        })?;
        let text = String::from_utf8_lossy(&out);
        let mut listing = Listing {
            head: None,
            refs: Vec::new(),
        };
        for line in text.lines() {
            if let Some(symref) = line.strip_prefix("ref: refs/heads/") {
                if let Some((branch, "HEAD")) = symref.split_once('\t') {
                    listing.head = Some(branch.to_string());
                }
            } else if let Some((_, name)) = line.split_once('\t') {
                if name != "HEAD" {
                    listing.refs.push(name.to_string());
                }
            }
        }
        Ok(listing)
    }

    /// The branch a push goes to: the ref followed (which must be a branch:
    /// a tag or a commit does not move), or the registry's default one.
    fn branch(&self, listing: &Listing) -> Result<String, TemplateError> {
        if self.at != "HEAD" {
            let asked = format!("refs/heads/{}", self.at);
            return match listing.refs.contains(&asked) {
                true => Ok(self.at.clone()),
                false => Err(TemplateError::NotPushable {
                    name: self.tref.registry.clone(),
                    reason: format!(
                        "{:?} is not a branch there (a tag or a commit cannot move): push to {} or {}@BRANCH",
                        self.at,
                        self.tref.name(),
                        self.tref.name()
                    ),
                }),
            };
        }
        listing.head.clone().ok_or_else(|| TemplateError::NotPushable {
            name: self.tref.registry.clone(),
            reason: "its default branch is unknown: add it with `envact registry add NAME URL --ref BRANCH`".into(),
        })
    }

    /// The first branch of an empty registry: the one asked for, else the
    /// one its HEAD names (said by the server, or read from a registry on
    /// this machine), else git's default for new repositories.
    fn first_branch(&self, listing: &Listing) -> String {
        if self.at != "HEAD" {
            return self.at.clone();
        }
        let local = || {
            let path = Path::new(&self.registry.url);
            path.is_dir()
                .then(|| git::ok(Some(path), ["symbolic-ref", "--short", "HEAD"], false).ok())
                .flatten()
                .map(|out| String::from_utf8_lossy(&out).trim().to_string())
        };
        let configured = || {
            git::ok(None, ["config", "--get", "init.defaultBranch"], false)
                .ok()
                .map(|out| String::from_utf8_lossy(&out).trim().to_string())
        };
        listing
            .head
            .clone()
            .or_else(local)
            .or_else(configured)
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| "main".into())
    }

    /// Pushes `commit` to the registry's `branch`.
    fn push_commit(
        &self,
        commit: &str,
        branch: &str,
        interactive: bool,
        busy: &dyn Fn(&str, &mut dyn FnMut()),
    ) -> Result<(), TemplateError> {
        let mut pushed = Ok(Vec::new());
        busy(
            &format!("Pushing {} to {}", self.tref.name(), self.registry.url),
            &mut || {
                pushed = git::ok(
                    Some(&self.mirror()),
                    [
                        "push",
                        "--quiet",
                        &self.registry.url,
                        &format!("{commit}:refs/heads/{branch}"),
                    ],
                    interactive,
                );
            },
        );
        pushed
            .map(drop)
            .map_err(|detail| TemplateError::NotPushable {
                name: self.tref.registry.clone(),
                reason: detail,
            })
    }

    /// A commit on top of `parent` (the first commit, without one) whose
    /// template manifest is `manifest`; None when `parent` has that
    /// manifest already.
    fn commit_manifest(
        &self,
        parent: Option<&str>,
        manifest: &str,
    ) -> Result<Option<String>, TemplateError> {
        let mirror = self.mirror();
        let git_err = |detail| TemplateError::Git { detail };
        let blob = {
            let staged = tempfile::NamedTempFile::new().map_err(|source| TemplateError::Write {
                path: std::env::temp_dir(),
                source,
            })?;
            std::fs::write(staged.path(), manifest).map_err(|source| TemplateError::Write {
                path: staged.path().to_path_buf(),
                source,
            })?;
            let out = git::ok(
                Some(&mirror),
                [
                    std::ffi::OsStr::new("hash-object"),
                    std::ffi::OsStr::new("-w"),
                    staged.path().as_os_str(),
                ],
                false,
            )
            .map_err(git_err)?;
            String::from_utf8_lossy(&out).trim().to_string()
        };
        let index = tempfile::NamedTempFile::new().map_err(|source| TemplateError::Write {
            path: std::env::temp_dir(),
            source,
        })?;
        let with_index = |args: &[&str]| -> Result<String, TemplateError> {
            let out = git::command(Some(&mirror))
                .args(args)
                .env("GIT_INDEX_FILE", index.path())
                .output()
                .map_err(|e| TemplateError::Git {
                    detail: e.to_string(),
                })?;
            if out.status.success() {
                Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
            } else {
                Err(TemplateError::Git {
                    detail: git::error_message(&out.stderr),
                })
            }
        };
        match parent {
            Some(parent) => with_index(&["read-tree", parent])?,
            None => with_index(&["read-tree", "--empty"])?,
        };
        let path = format!("{}/manifest.toml", self.tref.template);
        with_index(&[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{blob},{path}"),
        ])?;
        let tree = with_index(&["write-tree"])?;
        let mut args = vec!["commit-tree", &tree];
        if let Some(parent) = parent {
            if with_index(&["rev-parse", &format!("{parent}^{{tree}}")])? == tree {
                return Ok(None);
            }
            args.extend(["-p", parent]);
        }
        let message = format!("{}: manifest from envact push", self.tref.template);
        args.extend(["-m", &message]);
        let out = git::run(Some(&mirror), &args, false)?;
        if !out.status.success() {
            return Err(TemplateError::NotPushable {
                name: self.tref.registry.clone(),
                reason: git::error_message(&out.stderr),
            });
        }
        Ok(Some(
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        ))
    }
}
