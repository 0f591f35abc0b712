//! `[include]`: the environments a manifest includes, as written: a
//! registry's template (`"team/aws"`, `"team/aws@v3"`) or a directory
//! relative to the project (`{ dir = "../platform" }`). What they hold, and
//! how they merge, is the settings' business (`settings::compose`).

use std::path::Path;
use toml::Spanned;

use super::profiles::ErrorAt;
use super::schema::{RawInclude, RawIncluded};
use super::{Include, Location, ManifestError};

/// Checks `[include]`, written in `source`.
pub(super) fn validate(
    raw: Option<Spanned<RawInclude>>,
    source: &str,
    error: ErrorAt,
) -> Result<Vec<Include>, ManifestError> {
    let Some(include) = raw else {
        return Ok(Vec::new());
    };
    include
        .into_inner()
        .environments
        .into_iter()
        .map(|entry| one(entry, source, error))
        .collect()
}

fn one(
    entry: Spanned<RawIncluded>,
    source: &str,
    error: ErrorAt,
) -> Result<Include, ManifestError> {
    let span = entry.span();
    let location = Location::from_offset(source, span.start);
    match entry.into_inner() {
        RawIncluded::Remote(name) if name.contains('/') && !name.contains(char::is_whitespace) => {
            Ok(Include::Remote { name, location })
        }
        RawIncluded::Remote(name) => Err(error(
            span,
            format!("{name:?} is not a template of a registry"),
            REMOTE_HELP,
        )),
        RawIncluded::Dir { dir } if !dir.is_empty() && !Path::new(&dir).is_absolute() => {
            Ok(Include::Dir {
                dir: dir.into(),
                location,
            })
        }
        RawIncluded::Dir { dir } => Err(error(
            span,
            format!("include dir {dir:?} is not a path relative to the project"),
            DIR_HELP,
        )),
    }
}

const REMOTE_HELP: &str = "write REGISTRY/TEMPLATE[@REF], such as \"team/aws\", or \
                           { dir = \"../platform\" } for a directory";
const DIR_HELP: &str = "write the directory relative to the project, such as \"../platform\": \
                        the manifest then works wherever the projects are checked out";

#[cfg(test)]
mod tests {
    use crate::manifest::{Include, Manifest};
    use std::path::Path;

    fn parse(entries: &str) -> Result<Vec<Include>, String> {
        let text = format!("version = 1\n[include]\nenvironments = [{entries}]\n");
        Manifest::parse_part(&text, Path::new("m.toml"), "d")
            .map(|m| m.includes)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_template_of_a_registry_or_a_relative_directory_is_included_in_order() {
        let got = parse("\"team/aws@v3\", { dir = \"../platform\" }").unwrap();
        assert!(
            matches!(&got[0], Include::Remote { name, location } if name == "team/aws@v3" && location.column == 17)
        );
        assert!(matches!(&got[1], Include::Dir { dir, .. } if dir == Path::new("../platform")));
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn a_bare_name_an_absolute_or_empty_directory_is_refused_where_written() {
        for (entries, said) in [
            (
                "\"aws\"",
                "m.toml:3:17: \"aws\" is not a template of a registry",
            ),
            (
                "\"team/ aws\"",
                "m.toml:3:17: \"team/ aws\" is not a template of a registry",
            ),
            (
                "{ dir = \"/etc\" }",
                "m.toml:3:17: include dir \"/etc\" is not a path relative",
            ),
            (
                "{ dir = \"\" }",
                "m.toml:3:17: include dir \"\" is not a path relative",
            ),
        ] {
            let err = parse(entries).unwrap_err();
            assert!(err.starts_with(said), "{entries}: {err}");
        }
    }
}
