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

    /// The offending line with a caret under the problem, rustc style; a
    /// long line is shown as a window of [`SNIPPET_WIDTH`] characters around
    /// the problem.
    pub fn snippet(&self) -> Option<String> {
        let ManifestError::Invalid(i) = self else {
            return None;
        };
        let number = i.location.line.to_string();
        let pad = " ".repeat(number.len());
        let (shown, column, width) = window(&i.source_line, i.location.column - 1, i.width);
        Some(format!(
            "{pad} |\n{number} | {shown}\n{pad} | {}{}",
            " ".repeat(column),
            "^".repeat(width)
        ))
    }
}

/// The most characters of a manifest line an error shows.
pub const SNIPPET_WIDTH: usize = 200;

/// The part of `line` shown for a problem at 0-based character `column`,
/// `width` characters wide: the whole line when it is short, else a window
/// starting a little before the problem, cut ends marked `…`. Returns the
/// text, and the problem's column and width inside it.
fn window(line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= SNIPPET_WIDTH {
        return (line.to_string(), column, width);
    }
    let start = column.saturating_sub(SNIPPET_WIDTH / 4);
    let end = (start + SNIPPET_WIDTH).min(chars.len());
    let mut shown: String = chars[start..end].iter().collect();
    let mut at = column - start;
    if start > 0 {
        shown.insert(0, '…');
        at += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, at, width.min(end - column).max(1))
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
    fn a_long_line_is_shown_as_a_window_around_the_problem() {
        let short = "backend = \"lastpass\"";
        assert_eq!(window(short, 10, 10), (short.to_string(), 10, 10));
        let long = format!("name = \"{}\" # {}", "x".repeat(50_000), "y".repeat(50_000));
        let (shown, column, width) = window(&long, 40_000, 60_000);
        assert!(
            shown.chars().count() <= SNIPPET_WIDTH + 2,
            "{}",
            shown.len()
        );
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().nth(column), long.chars().nth(40_000));
        assert!(column + width <= shown.chars().count());
        // At the start of the line: no leading mark.
        let (shown, column, _) = window(&long, 7, 50_002);
        assert_eq!((shown.chars().next(), column), (Some('n'), 7));
    }

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
