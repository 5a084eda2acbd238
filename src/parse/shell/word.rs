//! A word's value as the shell would compute it before running the command, where the file
//! says enough: quote removal, backslash escapes, and `$NAME` / `${NAME}` / `${NAME:-default}`
//! from the known variables. Anything else (`$( )`, arithmetic, other parameter operators,
//! brace expansion, an unknown variable) makes the value unknown.

use tree_sitter::Node;

use super::Note;
use super::variables::Variables;

/// Deeper nesting of strings and expansions than this is treated as unknown.
const MAX_DEPTH: usize = 32;

/// The result of evaluating a word.
#[derive(Debug, Default)]
pub(super) struct Evaluation {
    pub(super) text: String,
    /// Something in the word is not known.
    pub(super) unknown: bool,
    /// An unquoted expansion supplied text: its fields split on whitespace.
    pub(super) split: bool,
    pub(super) notes: Vec<Note>,
}

pub(super) struct Evaluator<'a> {
    pub(super) script: &'a str,
    pub(super) variables: &'a Variables,
}

impl Evaluator<'_> {
    fn text(&self, node: Node<'_>) -> &str {
        self.script
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
    }

    pub(super) fn evaluate(&self, node: Node<'_>) -> Evaluation {
        let mut out = Evaluation::default();
        self.part(node, false, 0, &mut out);
        out
    }

    fn part(&self, node: Node<'_>, quoted: bool, depth: usize, out: &mut Evaluation) {
        if depth > MAX_DEPTH {
            out.unknown = true;
            return;
        }
        match node.kind() {
            "word" | "number" => unquoted_literal(self.text(node), &mut out.text),
            "string_content" => double_quoted_literal(self.text(node), &mut out.text),
            "raw_string" => {
                let text = self.text(node);
                let inner = text
                    .strip_prefix('\'')
                    .and_then(|rest| rest.strip_suffix('\''));
                match inner {
                    Some(inner) => out.text.push_str(inner),
                    None => out.unknown = true,
                }
            }
            "ansi_c_string" => {
                let text = self.text(node);
                let inner = text
                    .strip_prefix("$'")
                    .and_then(|rest| rest.strip_suffix('\''));
                match inner {
                    Some(inner) if !inner.contains('\\') => out.text.push_str(inner),
                    _ => out.unknown = true,
                }
            }
            "string" => self.with_gaps(node, true, depth, out),
            "concatenation" => self.with_gaps(node, quoted, depth, out),
            "simple_expansion" | "expansion" => self.expansion(node, quoted, out),
            _ if node.named_child_count() == 0 && !is_dynamic(node.kind()) => {
                if quoted {
                    double_quoted_literal(self.text(node), &mut out.text);
                } else {
                    unquoted_literal(self.text(node), &mut out.text);
                }
            }
            _ => out.unknown = true,
        }
    }

    /// A node whose children do not cover all its text (a string's quotes and plain text
    /// between expansions, a concatenation's glued tokens): the gaps are literal text.
    fn with_gaps(&self, node: Node<'_>, quoted: bool, depth: usize, out: &mut Evaluation) {
        let (mut at, end) = if node.kind() == "string" {
            (node.start_byte() + 1, node.end_byte().saturating_sub(1))
        } else {
            (node.start_byte(), node.end_byte())
        };
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if !child.is_named() {
                continue;
            }
            self.gap(at, child.start_byte(), quoted, out);
            self.part(child, quoted, depth + 1, out);
            at = at.max(child.end_byte());
        }
        self.gap(at, end, quoted, out);
    }

    fn gap(&self, start: usize, end: usize, quoted: bool, out: &mut Evaluation) {
        if start >= end {
            return;
        }
        let text = self.script.get(start..end).unwrap_or("");
        if quoted {
            double_quoted_literal(text, &mut out.text);
        } else {
            unquoted_literal(text, &mut out.text);
        }
    }

    /// `$NAME`, `${NAME}`, and `${NAME:-word}` / `${NAME-word}` with a literal word.
    fn expansion(&self, node: Node<'_>, quoted: bool, out: &mut Evaluation) {
        let text = self.text(node);
        let Some((name, default)) = parameter(text) else {
            out.unknown = true;
            return;
        };
        let variable = self.variables.get(name);
        if let Some(variable) = variable {
            for note in &variable.notes {
                if !out.notes.contains(note) {
                    out.notes.push(note.clone());
                }
            }
        }
        let value = match (variable.and_then(|v| v.value.as_deref()), default) {
            // Known to be empty: `:-` takes its (literal) default.
            (Some(""), Fallback::IfUnsetOrEmpty(word)) => Some(word),
            (Some(value), _) => Some(value),
            (None, _) => None,
        };
        match value {
            Some(value) => {
                out.text.push_str(value);
                out.split |= !quoted;
            }
            // NOTE: a default is used only when the variable is known to be unset, which the
            // file never says for certain (a `--build-arg` or the runner may set it).
            None => out.unknown = true,
        }
    }
}

/// What follows the name in `${NAME…}`.
#[derive(Debug, PartialEq, Eq)]
enum Fallback<'a> {
    None,
    /// `${NAME:-word}`
    IfUnsetOrEmpty(&'a str),
    /// `${NAME-word}`
    IfUnset(&'a str),
}

/// The name of a `$NAME` / `${NAME}` / `${NAME:-word}` / `${NAME-word}` expansion (the word
/// without `$`, quotes or backslashes); `None` for anything else.
fn parameter(text: &str) -> Option<(&str, Fallback<'_>)> {
    let body = text.strip_prefix('$')?;
    let Some(braced) = body
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
    else {
        return is_name(body).then_some((body, Fallback::None));
    };
    let end = braced
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(braced.len());
    let (name, rest) = braced.split_at(end);
    if !is_name(name) {
        return None;
    }
    let default = if rest.is_empty() {
        Fallback::None
    } else if let Some(word) = rest.strip_prefix(":-") {
        Fallback::IfUnsetOrEmpty(word)
    } else if let Some(word) = rest.strip_prefix('-') {
        Fallback::IfUnset(word)
    } else {
        return None;
    };
    match default {
        Fallback::IfUnsetOrEmpty(word) | Fallback::IfUnset(word)
            if word.contains(['$', '`', '\'', '"', '\\']) =>
        {
            None
        }
        _ => Some((name, default)),
    }
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_dynamic(kind: &str) -> bool {
    matches!(
        kind,
        "command_substitution"
            | "process_substitution"
            | "arithmetic_expansion"
            | "brace_expression"
            | "translated_string"
            | "array"
            | "variable_name"
            | "special_variable_name"
    )
}

/// Unquoted text: a backslash quotes the next character; a backslash-newline disappears.
fn unquoted_literal(text: &str, out: &mut String) {
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('\n') | None => {}
            Some(next) => out.push(next),
        }
    }
}

/// Text inside double quotes: a backslash quotes only `$`, `` ` ``, `"`, `\` and a newline.
fn double_quoted_literal(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        match chars.peek() {
            Some('$' | '`' | '"' | '\\') => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            Some('\n') => {
                chars.next();
            }
            _ => out.push('\\'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters() {
        let cases = [
            ("$PKG", Some(("PKG", Fallback::None))),
            ("${PKG}", Some(("PKG", Fallback::None))),
            (
                "${PKG:-curl}",
                Some(("PKG", Fallback::IfUnsetOrEmpty("curl"))),
            ),
            ("${PKG-curl}", Some(("PKG", Fallback::IfUnset("curl")))),
            ("${PKG:-$OTHER}", None), // a default that expands: unknown
            ("${PKG%%.*}", None),     // other operators: unknown
            ("${#PKG}", None),
            ("$1", None),
            ("$@", None),
            ("${1}", None),
            ("$", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parameter(text), expected, "{text}");
        }
    }

    #[test]
    fn literals() {
        let cases = [
            // (text, unquoted, inside double quotes)
            ("a\\ b", "a b", "a\\ b"),
            ("a\\\"b", "a\"b", "a\"b"),
            ("a\\$b", "a$b", "a$b"),
            ("a\\\nb", "ab", "ab"),
            ("trail\\", "trail", "trail\\"),
        ];
        for (text, unquoted, quoted) in cases {
            let mut out = String::new();
            unquoted_literal(text, &mut out);
            assert_eq!(out, unquoted, "{text:?} unquoted");
            let mut out = String::new();
            double_quoted_literal(text, &mut out);
            assert_eq!(out, quoted, "{text:?} quoted");
        }
    }
}
