//! Pushing a manifest into a registry as a template: one commit on top of
//! the person's pin (built with git's plumbing in the mirror, so no working
//! tree is needed), pushed to the branch the template follows with the
//! person's own git; refused when the registry moved since the pin, since
//! the push would silently undo what others pushed.

use super::fetch::{Fetched, Place, TemplateError};
use super::{git, TemplateRef};
use crate::state::Dirs;

/// Commits `manifest` as the template's manifest on top of its pin and
/// pushes it to the registry's branch; refused when the registry moved
/// since the pin. Moves the pin to the new commit, which it returns; None
/// when the template has that manifest already (nothing is pushed).
pub fn push(
    dirs: &Dirs,
    tref: &TemplateRef,
    manifest: &str,
    interactive: bool,
    busy: &dyn Fn(&str, &mut dyn FnMut()),
) -> Result<Option<Fetched>, TemplateError> {
    let place = Place::find(dirs, tref)?;
    if !place.is_git() {
        return Err(TemplateError::NotPushable {
            name: tref.registry.clone(),
            reason: "it is a plain directory, not a git repository".into(),
        });
    }
    let branch = place.branch(interactive)?;
    let pinned = match place.pin().filter(|p| p.url == place.registry.url) {
        Some(pin) => pin,
        None => place.fetch(interactive, busy)?.pin,
    };
    let mut fetched = Ok(());
    busy(
        &format!("Fetching {} from {}", tref.registry, place.registry.url),
        &mut || fetched = place.fetch_mirror(interactive),
    );
    fetched?;
    let now = place.resolve_ref()?;
    if now != pinned.commit {
        return Err(TemplateError::Moved {
            name: tref.name(),
            pinned: pinned
                .commit
                .get(..12)
                .unwrap_or(&pinned.commit)
                .to_string(),
            now: now.get(..12).unwrap_or(&now).to_string(),
        });
    }
    let Some(commit) = place.commit_manifest(&pinned.commit, manifest)? else {
        return Ok(None);
    };
    let mut pushed = Ok(Vec::new());
    busy(
        &format!("Pushing {} to {}", tref.name(), place.registry.url),
        &mut || {
            pushed = git::ok(
                Some(&place.mirror()),
                [
                    "push",
                    "--quiet",
                    &place.registry.url,
                    &format!("{commit}:refs/heads/{branch}"),
                ],
                interactive,
            );
        },
    );
    pushed.map_err(|detail| TemplateError::NotPushable {
        name: tref.registry.clone(),
        reason: detail,
    })?;
    place.fetch(interactive, busy).map(Some)
}

impl Place<'_> {
    /// The branch a push goes to: the ref followed (which must be a branch:
    /// a tag or a commit does not move), or the registry's default one.
    fn branch(&self, interactive: bool) -> Result<String, TemplateError> {
        let named = self.at != "HEAD";
        let asked = if named {
            format!("refs/heads/{}", self.at)
        } else {
            "HEAD".to_string()
        };
        let out = git::ok(
            None,
            ["ls-remote", "--symref", &self.registry.url, &asked],
            interactive,
        )
        .map_err(|detail| TemplateError::Unreachable {
            name: self.tref.registry.clone(),
            url: self.registry.url.clone(),
            detail,
        })?;
        let listed = String::from_utf8_lossy(&out).into_owned();
        if named {
            return match listed.lines().any(|l| l.ends_with(&asked)) {
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
        listed
            .lines()
            .find_map(|l| l.strip_prefix("ref: refs/heads/"))
            .and_then(|l| l.split_whitespace().next())
            .map(str::to_string)
            .ok_or_else(|| TemplateError::NotPushable {
                name: self.tref.registry.clone(),
                reason: "its default branch is unknown: add it with `envact registry add NAME URL --ref BRANCH`".into(),
            })
    }

    /// A commit on top of `parent` whose template manifest is `manifest`;
    /// None when `parent` has that manifest already.
    fn commit_manifest(
        &self,
        parent: &str,
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
                    detail: git::last_line(&out.stderr),
                })
            }
        };
        with_index(&["read-tree", parent])?;
        let path = format!("{}/manifest.toml", self.tref.template);
        with_index(&[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{blob},{path}"),
        ])?;
        let tree = with_index(&["write-tree"])?;
        if with_index(&["rev-parse", &format!("{parent}^{{tree}}")])? == tree {
            return Ok(None);
        }
        let message = format!("{}: manifest from envact push", self.tref.template);
        let out = git::run(
            Some(&mirror),
            ["commit-tree", &tree, "-p", parent, "-m", &message],
            false,
        )?;
        if !out.status.success() {
            return Err(TemplateError::NotPushable {
                name: self.tref.registry.clone(),
                reason: git::last_line(&out.stderr),
            });
        }
        Ok(Some(
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        ))
    }
}
