//! A template's files, as a registry hands them over: nothing of a fetched
//! tree is written before every entry has been checked. Each path must stay
//! inside the template's directory (no `..`, `.`, empty, absolute, `.git`,
//! non-UTF-8 or control-character part); only regular files are taken
//! (a symbolic link or a submodule is refused, named); and the number and
//! sizes of the files are bounded, read from the tree before any content
//! is. A registry that is a plain directory is read with the same rules.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::private_fs::read_bounded;
use crate::state::hex;

/// The most files a template may have.
pub const MAX_FILES: usize = 256;
/// The largest file a template may have.
pub const MAX_FILE: u64 = 1024 * 1024;
/// The most a template's files may come to together.
pub const MAX_TOTAL: u64 = 4 * 1024 * 1024;

/// Why a template's tree is refused: said as a sentence about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// A regular file in a fetched tree, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative to the template's directory.
    pub path: String,
    pub object: String,
    pub size: u64,
}

/// A template's files by path (relative to its directory), sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files(pub BTreeMap<String, Vec<u8>>);

/// Checks one path of a template's tree (relative to its directory) and
/// gives it as text.
pub fn check_path(path: &[u8]) -> Result<&str, Refusal> {
    let text = std::str::from_utf8(path).map_err(|_| {
        Refusal(format!(
            "the name {} is not UTF-8",
            crate::visible::line(&String::from_utf8_lossy(path), crate::visible::NAME)
        ))
    })?;
    let shown = || crate::visible::line(text, crate::visible::NAME);
    if text.starts_with('/') {
        return Err(Refusal(format!("`{}` is an absolute path", shown())));
    }
    for part in text.split('/') {
        let why = match part {
            "" => "has an empty part",
            "." | ".." => "leaves the template's directory",
            _ if part.eq_ignore_ascii_case(".git") => "names a .git directory",
            _ if part.chars().any(char::is_control) => "has a control character in its name",
            _ => continue,
        };
        return Err(Refusal(format!("`{}` {why}", shown())));
    }
    Ok(text)
}

/// The entries `git ls-tree -r -z -l COMMIT -- PREFIX/` listed, checked:
/// paths, kinds, and the bounds on count and sizes.
pub fn entries(listed: &[u8], prefix: &str) -> Result<Vec<Entry>, Refusal> {
    let mut out = Vec::new();
    let mut total = 0u64;
    for record in listed.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let malformed = || Refusal("git listed its tree in a form envact does not know".into());
        let tab = record
            .iter()
            .position(|b| *b == b'\t')
            .ok_or_else(malformed)?;
        let (meta, full) = (&record[..tab], &record[tab + 1..]);
        let meta = std::str::from_utf8(meta).map_err(|_| malformed())?;
        let mut fields = meta.split_ascii_whitespace();
        let (Some(mode), Some(kind), Some(object), Some(size)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(malformed());
        };
        let relative = full.strip_prefix(prefix.as_bytes()).ok_or_else(malformed)?;
        let path = check_path(relative)?;
        let shown = crate::visible::line(path, crate::visible::NAME);
        match (mode, kind) {
            ("100644" | "100755", "blob") => {}
            ("120000", _) => return Err(Refusal(format!("`{shown}` is a symbolic link"))),
            ("160000", _) => return Err(Refusal(format!("`{shown}` is a submodule"))),
            _ => return Err(Refusal(format!("`{shown}` is not a regular file"))),
        }
        let size: u64 = size.parse().map_err(|_| malformed())?;
        if size > MAX_FILE {
            return Err(Refusal(format!(
                "`{shown}` is {}; a template's file may be at most {}",
                bytes(size),
                bytes(MAX_FILE)
            )));
        }
        total += size;
        out.push(Entry {
            path: path.to_string(),
            object: object.to_string(),
            size,
        });
        bounded(out.len(), total)?;
    }
    Ok(out)
}

/// The bounds on count and total size, as files are added.
fn bounded(count: usize, total: u64) -> Result<(), Refusal> {
    if count > MAX_FILES {
        return Err(Refusal(format!(
            "it has more than {MAX_FILES} files, the most a template may have"
        )));
    }
    if total > MAX_TOTAL {
        return Err(Refusal(format!(
            "its files come to more than {}, the most a template may hold",
            bytes(MAX_TOTAL)
        )));
    }
    Ok(())
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / (1u64 << 10) as f64),
        n => format!("{n} bytes"),
    }
}

/// Why a directory's tree could not be read: the file system, or a
/// refusal of what it holds.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Refused(#[from] Refusal),
}

impl Files {
    /// The files under `dir`, with the rules of a fetched tree: a symbolic
    /// link (or anything but a regular file or directory) is refused, not
    /// followed, and the bounds hold.
    pub fn read(dir: &Path) -> Result<Files, ReadError> {
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d)? {
                let path = entry?.path();
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                let name = relative.to_str().ok_or_else(|| {
                    Refusal(format!(
                        "the name {} is not UTF-8",
                        crate::visible::line(&relative.to_string_lossy(), crate::visible::NAME)
                    ))
                })?;
                let name = check_path(name.as_bytes())?.to_string();
                let meta = std::fs::symlink_metadata(&path)?;
                let shown = crate::visible::line(&name, crate::visible::NAME);
                if meta.is_dir() {
                    stack.push(path);
                    continue;
                }
                if meta.file_type().is_symlink() {
                    return Err(Refusal(format!("`{shown}` is a symbolic link")).into());
                }
                if !meta.is_file() {
                    return Err(Refusal(format!("`{shown}` is not a regular file")).into());
                }
                if meta.len() > MAX_FILE {
                    return Err(Refusal(format!(
                        "`{shown}` is {}; a template's file may be at most {}",
                        bytes(meta.len()),
                        bytes(MAX_FILE)
                    ))
                    .into());
                }
                let content = read_bounded(&path, MAX_FILE)?;
                total += content.len() as u64;
                files.insert(name, content);
                bounded(files.len(), total)?;
            }
        }
        Ok(Files(files))
    }

    /// The same files, the same hash: paths and contents, in order.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        for (path, bytes) in &self.0 {
            h.update(path.as_bytes());
            h.update([0]);
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        }
        hex(&h.finalize())
    }

    /// Writes the files under `dir` (a new, empty directory), read only.
    /// Each path was checked when the files were taken in.
    pub fn write_into(&self, dir: &Path) -> io::Result<()> {
        for (relative, bytes) in &self.0 {
            check_path(relative.as_bytes()).map_err(io::Error::other)?;
            let path = dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            // create_new: never through anything already there.
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)?;
            io::Write::write_all(&mut file, bytes)?;
            file.set_permissions(std::fs::Permissions::from_mode(0o444))?;
        }
        Ok(())
    }

    /// The files but the manifest, as text to show (a file that is not
    /// UTF-8 is named with its size and hash).
    pub fn others(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .filter(|(path, _)| path.as_str() != "manifest.toml")
            .map(|(path, bytes)| (path.clone(), shown(bytes)))
            .collect()
    }
}

/// A file's content as the review and the trust record keep it.
fn shown(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => format!(
            "(binary: {}, sha256 {})\n",
            self::bytes(bytes.len() as u64),
            hex(&Sha256::digest(bytes))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(entries: &[(&str, &str, u64, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (mode, kind, size, path) in entries {
            out.extend_from_slice(
                format!("{mode} {kind} 0123456789abcdef0123456789abcdef01234567 {size:>7}\taws/{path}\0")
                    .as_bytes(),
            );
        }
        out
    }

    #[test]
    fn paths_that_leave_the_template_or_hide_are_refused() {
        for bad in [
            "../.bashrc",
            "x/../../.bashrc",
            "./manifest.toml",
            "a//b",
            "/etc/passwd",
            "",
            ".git/config",
            "sub/.GIT/hooks/post-checkout",
            "a\u{1b}[2Kb",
            "a\rb",
        ] {
            assert!(check_path(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(check_path(b"\xff\xfe").is_err());
        for good in [
            "manifest.toml",
            "scripts/setup.sh",
            ".gitignore",
            "a..b",
            "...x",
        ] {
            assert_eq!(check_path(good.as_bytes()), Ok(good));
        }
        let err = check_path(b"x/../../.bashrc").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`x/../../.bashrc` leaves the template's directory"
        );
    }

    #[test]
    fn only_regular_files_within_bounds_are_taken() {
        let ok = listing(&[
            ("100644", "blob", 12, "manifest.toml"),
            ("100755", "blob", 30, "setup.sh"),
        ]);
        let taken = entries(&ok, "aws/").unwrap();
        assert_eq!(
            taken
                .iter()
                .map(|e| (e.path.as_str(), e.size))
                .collect::<Vec<_>>(),
            [("manifest.toml", 12), ("setup.sh", 30)]
        );
        let refused = |entries_: &[(&str, &str, u64, &str)]| {
            entries(&listing(entries_), "aws/").unwrap_err().to_string()
        };
        assert_eq!(
            refused(&[("120000", "blob", 11, "link")]),
            "`link` is a symbolic link"
        );
        assert_eq!(
            refused(&[("160000", "commit", 0, "vendor")]),
            "`vendor` is a submodule"
        );
        assert_eq!(
            refused(&[("100644", "blob", 2 << 30, "zeros")]),
            "`zeros` is 2.0 GiB; a template's file may be at most 1.0 MiB"
        );
        let at_the_bound = listing(&[("100644", "blob", MAX_FILE, "at-the-bound")]);
        assert_eq!(entries(&at_the_bound, "aws/").unwrap()[0].size, MAX_FILE);
    }

    #[test]
    fn the_count_and_the_total_are_bounded() {
        let many: Vec<(&str, &str, u64, String)> = (0..=MAX_FILES)
            .map(|i| ("100644", "blob", 1, format!("f{i}")))
            .collect();
        let listed = |n: usize| {
            let e: Vec<_> = many[..n]
                .iter()
                .map(|(m, k, s, p)| (*m, *k, *s, p.as_str()))
                .collect();
            entries(&listing(&e), "aws/")
        };
        assert_eq!(listed(MAX_FILES).unwrap().len(), MAX_FILES);
        assert_eq!(
            listed(MAX_FILES + 1).unwrap_err().to_string(),
            "it has more than 256 files, the most a template may have"
        );
        let big: Vec<(&str, &str, u64, String)> = (0..5)
            .map(|i| ("100644", "blob", MAX_FILE, format!("big{i}")))
            .collect();
        let e: Vec<_> = big
            .iter()
            .map(|(m, k, s, p)| (*m, *k, *s, p.as_str()))
            .collect();
        assert_eq!(
            entries(&listing(&e[..4]), "aws/").unwrap().len(),
            4,
            "exactly the total is taken"
        );
        assert_eq!(
            entries(&listing(&e), "aws/").unwrap_err().to_string(),
            "its files come to more than 4.0 MiB, the most a template may hold"
        );
    }

    #[test]
    fn a_directory_is_read_with_the_same_rules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("scripts")).unwrap();
        std::fs::write(dir.path().join("manifest.toml"), "version = 1\n").unwrap();
        std::fs::write(dir.path().join("scripts/setup.sh"), "echo hi\n").unwrap();
        let files = Files::read(dir.path()).unwrap();
        assert_eq!(
            files.0.keys().collect::<Vec<_>>(),
            ["manifest.toml", "scripts/setup.sh"]
        );
        let copy = tempfile::tempdir().unwrap();
        files.write_into(copy.path()).unwrap();
        assert_eq!(Files::read(copy.path()).unwrap().hash(), files.hash());
        assert_eq!(
            files.others().into_iter().collect::<Vec<_>>(),
            [("scripts/setup.sh".to_string(), "echo hi\n".to_string())]
        );

        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("scripts/passwd")).unwrap();
        let err = Files::read(dir.path()).unwrap_err().to_string();
        assert_eq!(err, "`scripts/passwd` is a symbolic link");
    }

    #[test]
    fn sizes_are_said_in_the_largest_unit_that_fits() {
        assert_eq!(bytes(0), "0 bytes");
        assert_eq!(bytes(1023), "1023 bytes");
        assert_eq!(bytes(1024), "1.0 KiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes((1 << 20) - 1), "1024.0 KiB");
        assert_eq!(bytes(1 << 20), "1.0 MiB");
        assert_eq!(bytes(3 << 29), "1.5 GiB");
    }

    #[test]
    fn the_hash_names_the_content_paths_included() {
        let one = |path: &str, content: &[u8]| {
            Files([(path.to_string(), content.to_vec())].into_iter().collect()).hash()
        };
        let base = one("manifest.toml", b"version = 1\n");
        assert_eq!(base.len(), 64);
        assert!(base.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(base, one("manifest.toml", b"version = 1\n"));
        assert_ne!(base, one("manifest.toml", b"version = 2\n"));
        assert_ne!(base, one("other.toml", b"version = 1\n"));
        // The same bytes split differently between path and content differ.
        assert_ne!(one("ab", b"c"), one("a", b"bc"));
        assert_ne!(Files::default().hash(), base);
    }

    #[test]
    fn a_directorys_file_is_taken_up_to_the_bound_exactly() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("manifest.toml"),
            vec![b'x'; MAX_FILE as usize],
        )
        .unwrap();
        assert_eq!(
            Files::read(dir.path()).unwrap().0["manifest.toml"].len() as u64,
            MAX_FILE
        );
        std::fs::write(
            dir.path().join("manifest.toml"),
            vec![b'x'; MAX_FILE as usize + 1],
        )
        .unwrap();
        assert_eq!(
            Files::read(dir.path()).unwrap_err().to_string(),
            "`manifest.toml` is 1.0 MiB; a template's file may be at most 1.0 MiB"
        );
    }

    #[test]
    fn a_directorys_files_are_bounded_in_all_too() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::write(
                dir.path().join(format!("f{i}")),
                vec![b'x'; MAX_FILE as usize],
            )
            .unwrap();
        }
        assert_eq!(
            Files::read(dir.path()).unwrap_err().to_string(),
            "its files come to more than 4.0 MiB, the most a template may hold"
        );
        std::fs::remove_file(dir.path().join("f4")).unwrap();
        assert_eq!(Files::read(dir.path()).unwrap().0.len(), 4);
    }
}
