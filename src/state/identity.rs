//! Which environment a manifest defines, for naming each person's state about
//! it (answers, cached sessions, locks): the same project is the same
//! environment wherever it is checked out. In a git repository with a remote
//! `origin`, the identity is that remote (normalised: `git@host:org/repo.git`
//! and `https://host/org/repo` are one) and the manifest's path inside the
//! repository; so a second clone, or a moved checkout, is the same
//! environment. Anywhere else it is the manifest's path.

use std::path::{Path, PathBuf};

use super::hex16;
use crate::private_fs::read_text;

/// A stable, short id for the environment the manifest at `manifest` defines.
pub fn environment_id(manifest: &Path) -> String {
    id_of(&identity(manifest))
}

/// The id of a remote template: its registry's URL (normalised) and its
/// directory there, wherever it is cached and whatever commit it is at.
pub fn remote_id(url: &str, template: &str) -> String {
    id_of(&format!("remote:{}:{template}", normalise(url)))
}

/// The id the manifest's path alone gives: what envact used before it knew
/// of git remotes, so that answers kept then are still found.
pub fn path_id(manifest: &Path) -> String {
    id_of(&canonical(manifest).to_string_lossy())
}

fn id_of(identity: &str) -> String {
    use sha2::Digest;
    hex16(&sha2::Sha256::digest(identity.as_bytes()))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn identity(manifest: &Path) -> String {
    let manifest = canonical(manifest);
    match git_origin(&manifest) {
        Some((root, origin)) => {
            let inside = manifest.strip_prefix(&root).unwrap_or(&manifest);
            format!("git:{}:{}", normalise(&origin), inside.display())
        }
        None => manifest.to_string_lossy().into_owned(),
    }
}

/// The work tree holding `path` and its `origin` remote's URL.
fn git_origin(path: &Path) -> Option<(PathBuf, String)> {
    let root = path.ancestors().find(|d| d.join(".git").exists())?;
    let dot_git = root.join(".git");
    // A worktree or submodule: `.git` is a file naming the git directory.
    let git_dir = if dot_git.is_file() {
        let text = read_text(&dot_git, 4096).ok()?;
        let named = PathBuf::from(text.trim().strip_prefix("gitdir:")?.trim());
        let dir = if named.is_absolute() {
            named
        } else {
            root.join(named)
        };
        // Worktrees share the main repository's config.
        match read_text(&dir.join("commondir"), 4096) {
            Ok(common) => dir.join(common.trim()),
            Err(_) => dir,
        }
    } else {
        dot_git
    };
    let config = read_text(&git_dir.join("config"), 1024 * 1024).ok()?;
    let ini = ini::Ini::load_from_str(&config).ok()?;
    let url = ini.section(Some("remote \"origin\""))?.get("url")?;
    Some((root.to_path_buf(), url.trim().to_string()))
}

/// `git@host:org/repo.git`, `ssh://git@host:22/org/repo`,
/// `https://user@host/org/repo/` all become `host/org/repo`.
fn normalise(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    let url = url.strip_suffix(".git").unwrap_or(url);
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest.to_string(),
        // scp-like `user@host:path` (a path with no scheme stays as it is).
        None => match url.split_once(':') {
            Some((host, path)) if !host.contains('/') => format!("{host}/{path}"),
            _ => return url.to_string(),
        },
    };
    let rest = rest.rsplit_once('@').map_or(rest.as_str(), |(_, r)| r);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.split(':').next().unwrap_or(host).to_lowercase();
    format!("{host}/{}", path.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_remote_written_many_ways_is_one_identity() {
        for url in [
            "git@github.com:Team/payments.git",
            "ssh://git@github.com:22/Team/payments",
            "https://alice@GitHub.com/Team/payments/",
            "https://github.com/Team/payments.git",
        ] {
            assert_eq!(normalise(url), "github.com/Team/payments", "{url}");
        }
        assert_eq!(normalise("/srv/git/payments.git"), "/srv/git/payments");
    }

    #[test]
    fn two_clones_of_one_remote_are_one_environment_and_others_are_not() {
        let root = tempfile::tempdir().unwrap();
        let clone = |dir: &str, url: &str| {
            let repo = root.path().join(dir);
            std::fs::create_dir_all(repo.join(".git")).unwrap();
            std::fs::create_dir_all(repo.join("svc/.envact")).unwrap();
            std::fs::write(
                repo.join(".git/config"),
                format!("[core]\n\tbare = false\n[remote \"origin\"]\n\turl = {url}\n"),
            )
            .unwrap();
            let manifest = repo.join("svc/.envact/manifest.toml");
            std::fs::write(&manifest, "version = 1\n").unwrap();
            manifest
        };
        let a = clone("a", "git@github.com:team/payments.git");
        let b = clone("elsewhere/b", "https://github.com/team/payments");
        let c = clone("c", "git@github.com:team/billing.git");
        assert_eq!(environment_id(&a), environment_id(&b));
        assert_ne!(environment_id(&a), environment_id(&c));
        assert_ne!(environment_id(&a), path_id(&a));
        // No git: the path, as before.
        let plain = root.path().join("plain.toml");
        std::fs::write(&plain, "version = 1\n").unwrap();
        assert_eq!(environment_id(&plain), path_id(&plain));
    }
}
