//! Fetching a remote template and pinning it. The first use of
//! `REGISTRY/TEMPLATE[@REF]` fetches the registry into a bare mirror in the
//! per-user cache, resolves the ref to a commit, copies the template's files
//! out (read only), and writes a pin: registry URL, template, ref, commit,
//! content hash, fetch time. Later uses read the pin and the copy without
//! touching the network; the copy is checked against the pin's hash each
//! time, and taken again from the mirror when it was changed. `pull` fetches
//! anew and moves the pin. A registry that is a plain directory is copied as
//! it is, its "commit" being its content hash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub use super::error::TemplateError;
use super::git;
use super::tree::{self, Files, ReadError};
use super::TemplateRef;
use crate::private_fs::{private_dir, read_text, write_private, MAX_FILE};
use crate::state::hex16;
use crate::state::registries::{Registries, Registry};
use crate::state::Dirs;

/// What a template is pinned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    pub url: String,
    pub template: String,
    /// The ref asked for (`@REF`, else the registry's branch, else `HEAD`).
    #[serde(rename = "ref")]
    pub at: String,
    pub commit: String,
    pub content_hash: String,
    pub fetched_at: String,
}

/// A template ready to use: its pin and its (checked) files.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub pin: Pin,
    /// The template's directory in the cache.
    pub dir: PathBuf,
}

impl Fetched {
    pub fn manifest(&self) -> PathBuf {
        self.dir.join("manifest.toml")
    }

    /// The commit, short: what messages and the prompt show.
    pub fn short(&self) -> &str {
        self.pin.commit.get(..12).unwrap_or(&self.pin.commit)
    }
}

/// Where one template's registry and pin are.
pub(super) struct Place<'a> {
    pub(super) dirs: &'a Dirs,
    pub(super) tref: &'a TemplateRef,
    pub(super) registry: Registry,
    pub(super) at: String,
}

/// The pinned template, fetched first when there is no pin yet.
pub fn pinned(
    dirs: &Dirs,
    tref: &TemplateRef,
    interactive: bool,
    busy: &dyn Fn(&str, &mut dyn FnMut()),
) -> Result<Fetched, TemplateError> {
    let place = Place::find(dirs, tref)?;
    if let Some(pin) = place.pin().filter(|p| p.url == place.registry.url) {
        return place.checked(pin, interactive);
    }
    place.fetch(interactive, busy)
}

/// Fetches anew and moves the pin; returns what was pinned before.
pub fn pull(
    dirs: &Dirs,
    tref: &TemplateRef,
    interactive: bool,
    busy: &dyn Fn(&str, &mut dyn FnMut()),
) -> Result<(Option<Fetched>, Fetched), TemplateError> {
    let place = Place::find(dirs, tref)?;
    let before = place.pin().and_then(|pin| place.checked(pin, false).ok());
    let after = place.fetch(interactive, busy)?;
    Ok((before, after))
}

/// The file that holds the template's pin (which may not exist yet).
pub fn pin_file(dirs: &Dirs, tref: &TemplateRef) -> Result<PathBuf, TemplateError> {
    Ok(Place::find(dirs, tref)?.pin_path())
}

/// The template's pin, without fetching anything.
pub fn pin_of(dirs: &Dirs, tref: &TemplateRef) -> Result<Option<Pin>, TemplateError> {
    Ok(Place::find(dirs, tref)?.pin())
}

impl<'a> Place<'a> {
    pub(super) fn find(dirs: &'a Dirs, tref: &'a TemplateRef) -> Result<Place<'a>, TemplateError> {
        let registries = Registries::load(&dirs.config).map_err(|e| TemplateError::Git {
            detail: e.to_string(),
        })?;
        let registry = registries.0.get(&tref.registry).cloned().ok_or_else(|| {
            TemplateError::UnknownRegistry {
                name: tref.registry.clone(),
                known: registries.0.keys().cloned().collect(),
            }
        })?;
        let at = tref
            .at
            .clone()
            .or(registry.branch.clone())
            .unwrap_or_else(|| "HEAD".into());
        Ok(Place {
            dirs,
            tref,
            registry,
            at,
        })
    }

    fn pin_path(&self) -> PathBuf {
        let file = format!(
            "{}@{}.toml",
            self.tref.template.replace('/', "%2F"),
            self.at.replace('/', "%2F")
        );
        self.dirs
            .cache
            .join("pins")
            .join(&self.tref.registry)
            .join(file)
    }

    pub(super) fn pin(&self) -> Option<Pin> {
        let text = read_text(&self.pin_path(), MAX_FILE).ok()?;
        toml::from_str(&text).ok()
    }

    pub(super) fn mirror(&self) -> PathBuf {
        let id = hex16(&Sha256::digest(self.registry.url.as_bytes()));
        self.dirs.cache.join("registries").join(format!("{id}.git"))
    }

    fn copy_dir(&self, commit: &str) -> PathBuf {
        self.dirs
            .cache
            .join("templates")
            .join(commit)
            .join(&self.tref.template)
    }

    /// The pinned copy, taken again from the mirror if it was changed.
    pub(super) fn checked(&self, pin: Pin, interactive: bool) -> Result<Fetched, TemplateError> {
        let dir = self.copy_dir(&pin.commit);
        if content_hash(&dir).ok().as_deref() == Some(pin.content_hash.as_str()) {
            return Ok(Fetched { pin, dir });
        }
        let corrupt = |detail: String| TemplateError::Corrupt {
            name: self.tref.name(),
            path: dir.clone(),
            detail,
        };
        if !self.is_git() {
            return Err(corrupt(
                "the registry is a directory, which keeps no history".into(),
            ));
        }
        self.extract(&pin.commit, interactive)?;
        match content_hash(&dir) {
            Ok(hash) if hash == pin.content_hash => Ok(Fetched { pin, dir }),
            Ok(_) => Err(corrupt(
                "the mirror's copy differs from the pinned content".into(),
            )),
            Err(e) => Err(corrupt(e.to_string())),
        }
    }

    pub(super) fn is_git(&self) -> bool {
        let url = &self.registry.url;
        let local = Path::new(url);
        // A plain directory of templates is not a repository: copied as it is.
        !(local.is_dir() && git::ok(Some(local), ["rev-parse", "--git-dir"], false).is_err())
    }

    pub(super) fn fetch(
        &self,
        interactive: bool,
        busy: &dyn Fn(&str, &mut dyn FnMut()),
    ) -> Result<Fetched, TemplateError> {
        let commit = if self.is_git() {
            let mut fetched = Ok(());
            busy(
                &format!("Fetching {} from {}", self.tref.registry, self.registry.url),
                &mut || fetched = self.fetch_mirror(interactive),
            );
            fetched?;
            let commit = self.resolve_ref()?;
            self.extract(&commit, interactive)?;
            commit
        } else {
            self.copy_plain()?
        };
        let dir = self.copy_dir(&commit);
        let content_hash = content_hash(&dir).map_err(|e| TemplateError::Corrupt {
            name: self.tref.name(),
            path: dir.clone(),
            detail: e.to_string(),
        })?;
        let pin = Pin {
            url: self.registry.url.clone(),
            template: self.tref.template.clone(),
            at: self.at.clone(),
            commit,
            content_hash,
            fetched_at: crate::aws::rfc3339(std::time::SystemTime::now()),
        };
        self.save_pin(&pin)?;
        Ok(Fetched { pin, dir })
    }

    /// The registry's mirror, made (empty) when there is none yet.
    pub(super) fn ensure_mirror(&self) -> Result<PathBuf, TemplateError> {
        let mirror = self.mirror();
        if !mirror.join("HEAD").exists() {
            private_dir(&mirror, &self.dirs.cache).map_err(|source| TemplateError::Write {
                path: mirror.clone(),
                source,
            })?;
            git::ok(Some(&mirror), ["init", "--bare", "--quiet"], false)
                .map_err(|detail| TemplateError::Git { detail })?;
        }
        Ok(mirror)
    }

    pub(super) fn fetch_mirror(&self, interactive: bool) -> Result<(), TemplateError> {
        let mirror = self.ensure_mirror()?;
        // git checks nothing it fetches unless told: a tree entry named `..`
        // or `.git` is refused here, before it reaches the mirror. The
        // command line's settings win over the person's configuration.
        let mut args = vec![
            "-c",
            "fetch.fsckObjects=true",
            "-c",
            "transfer.fsckObjects=true",
            "fetch",
            "--quiet",
            "--force",
            "--prune",
            "--no-write-fetch-head",
            &self.registry.url,
            "+refs/heads/*:refs/heads/*",
            "+refs/tags/*:refs/tags/*",
        ];
        // HEAD only when it is what is asked for: a registry whose HEAD
        // dangles still serves its branches and tags.
        if self.at == "HEAD" {
            args.push("+HEAD:refs/envact/HEAD");
        }
        let out = git::run(Some(&mirror), &args, interactive)?;
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("fsck error") {
            let found = stderr
                .lines()
                .find_map(|l| l.strip_prefix("error: object "))
                .and_then(|l| l.split_once(": ").map(|(_, why)| why.to_string()))
                .unwrap_or_else(|| git::error_message(&out.stderr));
            return Err(TemplateError::Unsafe {
                name: self.tref.name(),
                at: self.at.clone(),
                reason: format!(
                    "git found a malformed object in the registry ({})",
                    crate::visible::line(&found, crate::visible::MESSAGE)
                ),
            });
        }
        Err(TemplateError::Unreachable {
            name: self.tref.registry.clone(),
            url: self.registry.url.clone(),
            detail: git::error_message(&out.stderr),
        })
    }

    pub(super) fn resolve_ref(&self) -> Result<String, TemplateError> {
        let mirror = self.mirror();
        let candidates = match self.at.as_str() {
            "HEAD" => vec!["refs/envact/HEAD".to_string()],
            at => vec![
                format!("refs/heads/{at}"),
                format!("refs/tags/{at}"),
                at.to_string(),
            ],
        };
        candidates
            .iter()
            .find_map(|name| {
                let spec = format!("{name}^{{commit}}");
                git::ok(
                    Some(&mirror),
                    ["rev-parse", "--verify", "--quiet", &spec],
                    false,
                )
                .ok()
            })
            .map(|out| String::from_utf8_lossy(&out).trim().to_string())
            .filter(|c| !c.is_empty())
            .ok_or_else(|| TemplateError::NoRef {
                name: self.tref.registry.clone(),
                at: self.at.clone(),
            })
    }

    /// Copies the template's files at `commit` out of the mirror: the
    /// tree is listed and checked (paths, kinds, sizes) before any content
    /// is read, and the contents come from one `git cat-file` for all.
    fn extract(&self, commit: &str, interactive: bool) -> Result<(), TemplateError> {
        let mirror = self.mirror();
        let git_err = |detail| TemplateError::Git { detail };
        let prefix = format!("{}/", self.tref.template);
        let listed = git::ok(
            Some(&mirror),
            ["ls-tree", "-r", "-z", "-l", commit, "--", &prefix],
            interactive,
        )
        .map_err(git_err)?;
        let short = commit.get(..12).unwrap_or(commit).to_string();
        let unsafe_tree = |refusal: tree::Refusal| TemplateError::Unsafe {
            name: self.tref.name(),
            at: short.clone(),
            reason: refusal.0,
        };
        let entries = tree::entries(&listed, &prefix).map_err(unsafe_tree)?;
        if !entries.iter().any(|e| e.path == "manifest.toml") {
            let all = git::ok(
                Some(&mirror),
                ["ls-tree", "-r", "--name-only", commit],
                false,
            )
            .map_err(git_err)?;
            let available = String::from_utf8_lossy(&all)
                .lines()
                .filter_map(|l| l.strip_suffix("/manifest.toml").map(str::to_string))
                .collect();
            return Err(TemplateError::NoTemplate {
                name: self.tref.registry.clone(),
                template: self.tref.template.clone(),
                commit: short,
                available,
            });
        }
        let files = git::blobs(&mirror, &entries).map_err(git_err)?;
        self.write_copy(commit, &files)
    }

    /// A plain directory registry: its template's files, as they are now.
    fn copy_plain(&self) -> Result<String, TemplateError> {
        let source = Path::new(&self.registry.url).join(&self.tref.template);
        if !source.join("manifest.toml").is_file() {
            let available = std::fs::read_dir(&self.registry.url)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.path().join("manifest.toml").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            return Err(TemplateError::NoTemplate {
                name: self.tref.registry.clone(),
                template: self.tref.template.clone(),
                commit: "its current content".into(),
                available,
            });
        }
        let files = Files::read(&source).map_err(|e| match e {
            ReadError::Refused(refusal) => TemplateError::Unsafe {
                name: self.tref.name(),
                at: "its current content".into(),
                reason: refusal.0,
            },
            ReadError::Io(e) => TemplateError::Unreachable {
                name: self.tref.registry.clone(),
                url: self.registry.url.clone(),
                detail: e.to_string(),
            },
        })?;
        let commit = format!("dir-{}", &files.hash()[..16]);
        self.write_copy(&commit, &files)?;
        Ok(commit)
    }

    /// Writes the files as the template's copy at `commit`, read only,
    /// replacing what was there.
    fn write_copy(&self, commit: &str, files: &Files) -> Result<(), TemplateError> {
        let dir = self.copy_dir(commit);
        let write = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TemplateError::Write { path, source }
        };
        let parent = dir.parent().unwrap_or(&dir).to_path_buf();
        private_dir(&parent, &self.dirs.cache).map_err(write(&parent))?;
        let tmp = tempfile::Builder::new()
            .prefix(".incoming-")
            .tempdir_in(&parent)
            .map_err(write(&parent))?;
        files.write_into(tmp.path()).map_err(write(tmp.path()))?;
        if dir.exists() {
            make_writable(&dir);
            std::fs::remove_dir_all(&dir).map_err(write(&dir))?;
        }
        let kept = tmp.keep();
        std::fs::rename(&kept, &dir).map_err(write(&dir))?;
        Ok(())
    }

    fn save_pin(&self, pin: &Pin) -> Result<(), TemplateError> {
        let path = self.pin_path();
        let write = |source| TemplateError::Write {
            path: path.clone(),
            source,
        };
        let text = toml::to_string(pin).map_err(|e| write(std::io::Error::other(e)))?;
        write_private(&path, &self.dirs.cache, text.as_bytes()).map_err(write)
    }
}

/// The hash of a template's files: the same content, the same hash.
pub fn content_hash(dir: &Path) -> Result<String, ReadError> {
    Ok(Files::read(dir)?.hash())
}

/// The files of a fetched template, read from its checked copy.
pub fn files(fetched: &Fetched) -> Result<Files, ReadError> {
    Files::read(&fetched.dir)
}

fn make_writable(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let _ = std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700));
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => {
                    let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
                }
                _ => {}
            }
        }
    }
}
