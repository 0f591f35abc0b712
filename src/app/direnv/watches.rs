//! direnv's record of the files it watches, `DIRENV_WATCHES`: a JSON list
//! of {path, modtime, exists}, zlib-compressed, in URL-safe base64 (direnv's
//! "gzenv"). `use envact` adds its files to it itself: the stdlib's
//! `watch_file` would run `direnv watch`, a process that costs more than all
//! the rest of `use envact` (see benches/direnv.sh). When the record cannot
//! be read (a direnv that changed it), the caller falls back to `watch_file`.

use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use base64::Engine;
use serde::{Deserialize, Serialize};

/// One watched file, as direnv records it (older direnvs capitalise the
/// names; Go reads either).
#[derive(Serialize, Deserialize)]
struct FileTime {
    #[serde(alias = "Path")]
    path: String,
    #[serde(alias = "Modtime")]
    modtime: i64,
    #[serde(alias = "Exists")]
    exists: bool,
}

const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// `current` with `paths` added (or brought up to date); None when
/// `current` is not a record this code understands.
pub fn updated(current: &str, paths: &[&Path]) -> Option<String> {
    let compressed = ENGINE.decode(current.trim()).ok()?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .take(1 << 20)
        .read_to_end(&mut json)
        .ok()?;
    let mut list: Vec<FileTime> = serde_json::from_slice(&json).ok()?;
    for path in paths {
        let path = path.to_str()?.to_string();
        // As direnv does: the later of the link's and the target's times.
        let modtime = [std::fs::symlink_metadata(&path), std::fs::metadata(&path)]
            .into_iter()
            .filter_map(|m| m.ok().map(|m| m.mtime()))
            .max();
        let entry = FileTime {
            exists: modtime.is_some(),
            modtime: modtime.unwrap_or(0),
            path,
        };
        match list.iter_mut().find(|f| f.path == entry.path) {
            Some(known) => *known = entry,
            None => list.push(entry),
        }
    }
    let json = serde_json::to_vec(&list).ok()?;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&json).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE.encode(z.finish().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Vec<FileTime> {
        let mut json = Vec::new();
        flate2::read::ZlibDecoder::new(&ENGINE.decode(text).unwrap()[..])
            .read_to_end(&mut json)
            .unwrap();
        serde_json::from_slice(&json).unwrap()
    }

    #[test]
    fn files_are_added_to_what_direnv_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let there = dir.path().join("manifest.toml");
        std::fs::write(&there, "x").unwrap();
        let missing = dir.path().join("trust.toml");
        // What direnv 2.32 wrote for its .envrc.
        let json = br#"[{"Path":"/p/.envrc","Modtime":1795808199,"Exists":true}]"#;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(json).unwrap();
        let current = base64::engine::general_purpose::URL_SAFE.encode(z.finish().unwrap());

        let new = updated(&current, &[&there, &missing]).unwrap();
        let list = decode(&new);
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].path, "/p/.envrc");
        assert!(list[1].exists && list[1].modtime > 0);
        assert!(!list[2].exists && list[2].modtime == 0);
        // Again: brought up to date, not repeated.
        assert_eq!(decode(&updated(&new, &[&there]).unwrap()).len(), 3);
        assert!(updated("not a record", &[&there]).is_none());
    }
}
