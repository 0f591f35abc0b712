//! Errors found in a manifest, located by file, line and column.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A 1-based line and column inside a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// Converts a byte offset into a line and a column counted in characters.
    pub fn from_offset(source: &str, offset: usize) -> Self {
        let offset = offset.min(source.len());
        let before = &source[..floor_char_boundary(source, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location { line, column }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Why a manifest could not be used.
#[derive(Debug)]
pub enum ManifestError {
    /// The file could not be read at all.
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The content is wrong at a known place.
    Invalid(Box<InvalidManifest>),
}

/// A problem at a precise place in a manifest, with the line shown to the user.
#[derive(Debug)]
pub struct InvalidManifest {
    pub path: PathBuf,
    pub location: Location,
    /// Width of the offending text on its line, at least 1.
    pub width: usize,
    pub message: String,
    /// The line of the manifest the problem is on, for display.
    pub source_line: String,
    /// What the user can do about it, when there is more to say than the message.
    pub help: Option<String>,
}

impl ManifestError {
    pub(crate) fn at(
        path: &Path,
        source: &str,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let location = Location::from_offset(source, span.start);
        let source_line = source
            .lines()
            .nth(location.line - 1)
            .unwrap_or("")
            .to_string();
        let line_rest = source_line
            .chars()
            .count()
            .saturating_sub(location.column - 1);
        let span_chars = source
            .get(span.clone())
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count());
        ManifestError::Invalid(Box::new(InvalidManifest {
            path: path.to_path_buf(),
            location,
            width: span_chars.clamp(1, line_rest.max(1)),
            message: message.into(),
            source_line,
            help,
        }))
    }

    /// Where in the file the problem is, when it is about content.
    pub fn location(&self) -> Option<Location> {
        match self {
            ManifestError::Read { .. } => None,
            ManifestError::Invalid(i) => Some(i.location),
        }
    }

    /// A short advice line, when the message alone does not say what to do.
    pub fn help(&self) -> Option<&str> {
        match self {
            ManifestError::Read { .. } => {
                Some("check that the file exists and is readable, or run `envact init`")
            }
            ManifestError::Invalid(i) => i.help.as_deref(),
        }
    }

    /// The offending line with a caret under the problem, rustc style.
    pub fn snippet(&self) -> Option<String> {
        let ManifestError::Invalid(i) = self else {
            return None;
        };
        let number = i.location.line.to_string();
        let pad = " ".repeat(number.len());
        Some(format!(
            "{pad} |\n{number} | {}\n{pad} | {}{}",
            i.source_line,
            " ".repeat(i.location.column - 1),
            "^".repeat(i.width)
        ))
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestError::Read { path, source } => {
                write!(f, "cannot read manifest {}: {source}", path.display())
            }
            ManifestError::Invalid(i) => write!(
                f,
                "{}:{}:{}: {}",
                i.path.display(),
                i.location.line,
                i.location.column,
                i.message
            ),
        }
    }
}

impl std::error::Error for ManifestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ManifestError::Read { source, .. } => Some(source),
            ManifestError::Invalid(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_line_and_column() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(
            Location::from_offset(src, 0),
            Location { line: 1, column: 1 }
        );
        assert_eq!(
            Location::from_offset(src, 6),
            Location { line: 2, column: 1 }
        );
        // 'é' is two bytes but one column.
        assert_eq!(
            Location::from_offset(src, 9),
            Location { line: 2, column: 3 }
        );
        assert_eq!(
            Location::from_offset(src, 999),
            Location { line: 3, column: 1 }
        );
    }
}
