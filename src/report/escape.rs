//! Making text from a scanned repository inert in each output channel: a terminal or CI log
//! (text format), GitHub workflow commands (annotations) and GitHub-flavoured markdown (the
//! job summary). Paths, messages, snippets and other tools' names all pass through here.
//!
//! - **Log / terminal**: control characters (C0, DEL, C1) and the bidirectional-override
//!   characters of "Trojan Source" are shown escaped (`\u{1b}`), so no escape sequence
//!   reaches a terminal and no `\r` or `\n` starts a new log line. The runner's legacy
//!   command prefix `##[` is broken up wherever it appears (the runner looks for it anywhere
//!   in a line), and a line that would begin with `::` after leading whitespace (the runner
//!   trims it) gets a `\` first.
//! - **Workflow commands** (actions/toolkit `command.ts`): data escapes `%`, `\r`, `\n`;
//!   property values also `:` and `,`; other control characters are shown escaped.
//! - **Markdown**: text escapes every ASCII punctuation character with `\` (no emphasis,
//!   link, HTML, entity, table pipe or autolink can start) and turns line breaks into spaces;
//!   code spans take a fence one backtick longer than any run inside them.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Is `c` shown escaped in a log or terminal?
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // bidi embeddings, overrides and isolates; marks; line/paragraph separators
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}'
                | '\u{061c}' | '\u{2028}' | '\u{2029}'
        )
}

fn escape_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        other => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(other));
        }
    }
}

/// Text for one line of a log or terminal (a path, a message, a tool name): every control
/// character escaped, `##[` broken up.
pub fn log_text(text: &str) -> Cow<'_, str> {
    escape_log(text, false)
}

/// A source line echoed in a log: like [`log_text`], but tabs stay (so a caret lines up).
pub fn log_source_line(text: &str) -> Cow<'_, str> {
    escape_log(text, true)
}

fn escape_log(text: &str, keep_tabs: bool) -> Cow<'_, str> {
    let needs = text
        .chars()
        .any(|c| is_unsafe_char(c) && !(keep_tabs && c == '\t'))
        || text.contains("##[");
    if !needs {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) && !(keep_tabs && c == '\t') {
            escape_char(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out.replace("##[", "##\\["))
}

/// A whole log line: if the runner would read it as a workflow command (`::` after leading
/// whitespace), a `\` goes first.
pub fn log_line(line: &str) -> Cow<'_, str> {
    if line.trim_start().starts_with("::") {
        let indent = line.len() - line.trim_start().len();
        let (lead, rest) = line.split_at(indent);
        Cow::Owned(format!("{lead}\\{rest}"))
    } else {
        Cow::Borrowed(line)
    }
}

/// Workflow command data (the message after `::`).
pub fn command_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if is_unsafe_char(c) => escape_char(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A workflow command property value (`file=…`, `title=…`).
pub fn command_property(text: &str) -> String {
    command_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Plain markdown text (a table cell, a list item): nothing in it can become markup.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c if is_unsafe_char(c) => escape_char(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A message with backtick-quoted values (pinwarden's message style) as markdown: the quoted
/// values become code spans, the rest plain text. When the backticks do not pair up (a quoted
/// value holds one), the whole message is plain text.
pub fn markdown_message(text: &str, in_table: bool) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return markdown_text(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            if index % 2 == 1 {
                markdown_code(part, in_table)
            } else {
                markdown_text(part)
            }
        })
        .collect()
}

/// A markdown code span holding `text` literally. In a table cell (`in_table`) a `|` is
/// written `\|`: GFM splits cells before it parses code spans.
pub fn markdown_code(text: &str, in_table: bool) -> String {
    let mut body = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => body.push(' '),
            '|' if in_table => body.push_str("\\|"),
            c if is_unsafe_char(c) => escape_char(&mut body, c),
            c => body.push(c),
        }
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A space on each side when the content starts or ends with a backtick (or a space,
    // which CommonMark would strip), so the fence is unambiguous.
    let pad = if body.starts_with(['`', ' ']) || body.ends_with(['`', ' ']) || body.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_escapes_controls_and_legacy_commands() {
        // (input, shown)
        let cases = [
            ("plain/Dockerfile", "plain/Dockerfile"),
            ("a\u{1b}[31mred", "a\\u{1b}[31mred"),
            ("line\r::error::x", "line\\r::error::x"),
            ("a\nb\tc", "a\\nb\\tc"),
            ("x ##[error]y", "x ##\\[error]y"),
            ("rtl\u{202e}txt", "rtl\\u{202e}txt"),
            ("c1\u{9b}31m", "c1\\u{9b}31m"),
        ];
        for (input, expected) in cases {
            assert_eq!(log_text(input), expected, "{input:?}");
        }
        assert_eq!(log_source_line("\tFROM a"), "\tFROM a");
    }

    #[test]
    fn log_lines_never_start_a_command() {
        assert_eq!(log_line("::error::x"), "\\::error::x");
        assert_eq!(log_line("  \t::warning::x"), "  \t\\::warning::x");
        assert_eq!(log_line("a::b"), "a::b");
    }

    #[test]
    fn command_escaping_follows_the_runner() {
        // (input, data, property)
        let cases = [
            ("a%b", "a%25b", "a%25b"),
            ("line\nnext\r", "line%0Anext%0D", "line%0Anext%0D"),
            ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
            ("esc\u{1b}", "esc\\u{1b}", "esc\\u{1b}"),
        ];
        for (input, data, property) in cases {
            assert_eq!(command_data(input), data);
            assert_eq!(command_property(input), property);
        }
    }

    #[test]
    fn markdown_text_and_code_spans() {
        assert_eq!(markdown_text("a|b<img>"), "a\\|b\\<img\\>");
        assert_eq!(
            markdown_text("[x](javascript:y)\nz"),
            "\\[x\\]\\(javascript\\:y\\) z"
        );
        assert_eq!(markdown_code("a`b", false), "``a`b``");
        assert_eq!(markdown_code("`x`", false), "`` `x` ``");
        assert_eq!(markdown_code("a|b", true), "`a\\|b`");
        assert_eq!(markdown_code("a\nb", false), "`a b`");
        assert_eq!(markdown_code("", false), "`  `");
        assert_eq!(
            markdown_message("image `a|b` uses <x>", true),
            "image `a\\|b` uses \\<x\\>"
        );
        // unpaired backticks: all plain text
        assert_eq!(markdown_message("a `b` c`", false), "a \\`b\\` c\\`");
    }
}
