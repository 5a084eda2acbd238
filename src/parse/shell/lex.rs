//! Words: one pass over a shell word that finds where it ends and computes its value as the
//! shell would before running the command, where the file says enough: quote removal,
//! backslash escapes, and `$NAME` / `${NAME}` / `${NAME:-default}` from the known variables.
//! Anything else (`$( )`, backticks, `<( )`, arithmetic, other parameter operators, `{1..3}`,
//! `$"…"`, an unknown variable) makes the value unknown. The commands inside a substitution
//! are read where they are written (`syntax.rs`), nested in the command the word belongs to.

use super::Note;
use super::Substitution;
use super::syntax::{Reader, Slot};

/// A word as read: where it is in the script and what it evaluates to.
#[derive(Debug, Default)]
pub(super) struct Scanned {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) text: String,
    /// Something in the word is not known.
    pub(super) unknown: bool,
    /// An unquoted expansion supplied text: its fields split on whitespace.
    pub(super) split: bool,
    pub(super) notes: Vec<Note>,
    /// The word is one quoted string and nothing else (a command string candidate).
    pub(super) form: Form,
    /// How many parts (quoted strings, expansions, literal runs) the word has.
    parts: usize,
    /// A command substitution sits somewhere in the word.
    pub(super) substitutes: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Form {
    #[default]
    Other,
    /// `'…'`
    Single,
    /// `"…"`
    Double,
}

impl Scanned {
    fn new(start: usize) -> Self {
        Self {
            start,
            end: start,
            ..Self::default()
        }
    }

    fn part(&mut self, form: Form) {
        self.parts += 1;
        self.form = if self.parts == 1 { form } else { Form::Other };
    }
}

/// Bytes that end an unquoted word.
pub(super) fn ends_word(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

/// Bytes that a literal run of an unquoted word stops at.
fn special_unquoted(byte: u8) -> bool {
    ends_word(byte) || matches!(byte, b'\\' | b'\'' | b'"' | b'`' | b'$' | b'{')
}

fn special_quoted(byte: u8) -> bool {
    matches!(byte, b'\\' | b'"' | b'`' | b'$')
}

pub(super) fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

impl Reader<'_> {
    /// Read the word at the current position; `None` when none starts here (an operator, a
    /// blank, the end) or when it runs off the end of the script unterminated (then the
    /// script is incomplete and the rest is consumed).
    pub(super) fn scan_word(&mut self, slot: Slot) -> Option<Scanned> {
        let start = self.pos;
        let mut out = Scanned::new(start);
        if self.peek() == Some(b'#') {
            return None;
        }
        while let Some(byte) = self.peek() {
            match byte {
                b'<' | b'>' if self.peek_at(1) == Some(b'(') => {
                    out.part(Form::Other);
                    out.unknown = true;
                    self.substitution(2, Substitution::Process, slot);
                }
                b'`' if self.backticks > 0 => break,
                _ if ends_word(byte) => break,
                b'\\' => {
                    out.part(Form::Other);
                    self.pos += 1;
                    match self.peek_char() {
                        Some('\n') => self.pos += 1,
                        Some(ch) => {
                            out.text.push(ch);
                            self.pos += ch.len_utf8();
                        }
                        None => {}
                    }
                }
                b'\'' => {
                    out.part(Form::Single);
                    let from = self.pos + 1;
                    let Some(close) = self.find_byte(from, b'\'') else {
                        return self.unterminated();
                    };
                    out.text.push_str(self.text.get(from..close).unwrap_or(""));
                    self.pos = close + 1;
                }
                b'"' => {
                    out.part(Form::Double);
                    if !self.double_quoted(slot, &mut out) {
                        return self.unterminated();
                    }
                }
                b'`' => {
                    out.part(Form::Other);
                    out.unknown = true;
                    out.substitutes = true;
                    self.backtick(slot);
                }
                b'$' => {
                    out.part(Form::Other);
                    if !self.dollar(slot, false, &mut out) {
                        return self.unterminated();
                    }
                }
                b'{' => {
                    out.part(Form::Other);
                    if let Some(end) = self.brace_range() {
                        out.unknown = true;
                        self.pos = end;
                    } else {
                        out.text.push('{');
                        self.pos += 1;
                    }
                }
                _ => {
                    out.part(Form::Other);
                    let run = self.run_until(special_unquoted);
                    out.text.push_str(run);
                }
            }
        }
        if self.pos == start {
            return None;
        }
        out.end = self.pos;
        Some(out)
    }

    fn unterminated(&mut self) -> Option<Scanned> {
        self.error = true;
        self.pos = self.bytes.len();
        None
    }

    /// The literal bytes from here up to the first one `stop` accepts (at least one byte).
    fn run_until(&mut self, stop: fn(u8) -> bool) -> &str {
        let from = self.pos;
        let mut end = from + 1;
        while self.bytes.get(end).is_some_and(|&byte| !stop(byte)) {
            end += 1;
        }
        // The stop bytes are ASCII, so `end` is a char boundary; a run never splits a
        // character (the first byte of a character is never a continuation byte).
        while !self.text.is_char_boundary(end) && end < self.bytes.len() {
            end += 1;
        }
        self.pos = end;
        self.text.get(from..end).unwrap_or("")
    }

    /// `{1..10}`: bash brace expansion of a number range (unknown value); its end.
    fn brace_range(&self) -> Option<usize> {
        let mut at = self.pos + 1;
        let digits = |at: &mut usize| {
            let from = *at;
            while self.bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at > from
        };
        if !digits(&mut at) || self.bytes.get(at..at + 2) != Some(b"..") {
            return None;
        }
        at += 2;
        (digits(&mut at) && self.bytes.get(at) == Some(&b'}')).then_some(at + 1)
    }

    /// A `"…"` string from its opening quote; false when it is not closed.
    fn double_quoted(&mut self, slot: Slot, out: &mut Scanned) -> bool {
        self.pos += 1;
        loop {
            let Some(byte) = self.peek() else {
                return false;
            };
            match byte {
                b'"' => {
                    self.pos += 1;
                    return true;
                }
                b'\\' => {
                    self.pos += 1;
                    match self.peek_char() {
                        Some(ch @ ('$' | '`' | '"' | '\\')) => {
                            out.text.push(ch);
                            self.pos += 1;
                        }
                        Some('\n') => self.pos += 1,
                        _ => out.text.push('\\'),
                    }
                }
                b'`' if self.backticks > 0 => {
                    // NOTE: a backtick inside quotes inside a backtick substitution: bash
                    // needs it escaped; read it as the end of the substitution.
                    out.unknown = true;
                    return true;
                }
                b'`' => {
                    out.unknown = true;
                    out.substitutes = true;
                    self.backtick(slot);
                }
                b'$' => {
                    if !self.dollar(slot, true, out) {
                        return false;
                    }
                }
                _ => {
                    let run = self.run_until(special_quoted);
                    out.text.push_str(run);
                }
            }
        }
    }

    /// A `$…` at the current position; false when it runs off the end unterminated.
    pub(super) fn dollar(&mut self, slot: Slot, quoted: bool, out: &mut Scanned) -> bool {
        match self.peek_at(1) {
            Some(b'(') if self.peek_at(2) == Some(b'(') => {
                out.unknown = true;
                self.arithmetic(slot, 3, b')')
            }
            Some(b'(') => {
                out.unknown = true;
                out.substitutes = true;
                self.substitution(2, Substitution::Command, slot);
                true
            }
            Some(b'[') => {
                out.unknown = true;
                self.arithmetic(slot, 2, b']')
            }
            Some(b'{') => self.braced(slot, quoted, out),
            Some(b'\'') if !quoted => {
                // `$'…'`: a backslash escapes the next character (unknown value).
                let mut at = self.pos + 2;
                let mut escapes = false;
                loop {
                    match self.bytes.get(at) {
                        None => return false,
                        Some(b'\'') => break,
                        Some(b'\\') => {
                            escapes = true;
                            at += 2;
                        }
                        Some(_) => at += 1,
                    }
                }
                if escapes {
                    out.unknown = true;
                } else {
                    out.text
                        .push_str(self.text.get(self.pos + 2..at).unwrap_or(""));
                }
                self.pos = at + 1;
                true
            }
            Some(b'"') if !quoted => {
                // `$"…"`: a translated string.
                self.pos += 1;
                let mut ignored = Scanned::new(self.pos);
                let closed = self.double_quoted(slot, &mut ignored);
                out.notes.extend(ignored.notes);
                out.unknown = true;
                out.substitutes |= ignored.substitutes;
                closed
            }
            Some(byte) if is_name_byte(byte) => {
                self.pos += 1;
                let from = self.pos;
                while self.peek().is_some_and(is_name_byte) {
                    self.pos += 1;
                }
                let name = self.text.get(from..self.pos).unwrap_or("");
                if is_name(name) {
                    self.substitute(name, Fallback::None, quoted, out);
                } else {
                    out.unknown = true;
                }
                true
            }
            Some(b'*' | b'@' | b'?' | b'!' | b'#' | b'-' | b'$') => {
                self.pos += 2;
                out.unknown = true;
                true
            }
            _ => {
                // A bare `$` is literal.
                out.text.push('$');
                self.pos += 1;
                true
            }
        }
    }

    /// The value of a known variable (or its `:-` default when known to be empty).
    fn substitute(&self, name: &str, fallback: Fallback<'_>, quoted: bool, out: &mut Scanned) {
        let variable = self.variables.get(name);
        if let Some(variable) = variable {
            for note in &variable.notes {
                if !out.notes.contains(note) {
                    out.notes.push(note.clone());
                }
            }
        }
        let value = match (variable.and_then(|v| v.value.as_deref()), fallback) {
            // Known to be empty: `:-` takes its (literal) default.
            (Some(""), Fallback::IfUnsetOrEmpty(word)) => Some(word),
            (Some(value), _) => Some(value),
            // NOTE: a default is used only when the variable is known to be unset, which the
            // file never says for certain (a `--build-arg` or the runner may set it).
            (None, _) => None,
        };
        match value {
            Some(value) => {
                out.text.push_str(value);
                out.split |= !quoted;
            }
            None => out.unknown = true,
        }
    }

    /// `${…}`: `${NAME}`, `${NAME:-word}` and `${NAME-word}` with a literal word are
    /// evaluated; any other form is unknown, and its nested substitutions are still read.
    fn braced(&mut self, slot: Slot, quoted: bool, out: &mut Scanned) -> bool {
        let open = self.pos;
        self.pos += 2;
        let name_start = self.pos;
        while self.peek().is_some_and(is_name_byte) {
            self.pos += 1;
        }
        let name = self.text.get(name_start..self.pos).unwrap_or("");
        if is_name(name) {
            let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
            let (fallback_len, unset_or_empty) = if rest.starts_with(b":-") {
                (2, true)
            } else if rest.starts_with(b"-") {
                (1, false)
            } else {
                (0, false)
            };
            let word_start = self.pos + fallback_len;
            let mut at = word_start;
            let literal = loop {
                match self.bytes.get(at) {
                    Some(b'}') => break true,
                    Some(b'$' | b'`' | b'\'' | b'"' | b'\\') | None => break false,
                    Some(_) => at += 1,
                }
            };
            if literal && (fallback_len > 0 || at == word_start) {
                let word = self.text.get(word_start..at).unwrap_or("");
                let fallback = match (fallback_len, unset_or_empty) {
                    (0, _) => Fallback::None,
                    (_, true) => Fallback::IfUnsetOrEmpty(word),
                    (_, false) => Fallback::IfUnset(word),
                };
                self.substitute(name, fallback, quoted, out);
                self.pos = at + 1;
                return true;
            }
        }
        // Any other form: find the closing brace, reading nested quotes and substitutions.
        out.unknown = true;
        self.pos = open + 2;
        if !self.enter() {
            return false;
        }
        let closed = self.braced_rest(slot, quoted, out);
        self.depth -= 1;
        closed
    }

    fn braced_rest(&mut self, slot: Slot, quoted: bool, out: &mut Scanned) -> bool {
        let mut ignored = Scanned::new(self.pos);
        let mut depth = 0usize;
        loop {
            let Some(byte) = self.peek() else {
                return false;
            };
            match byte {
                b'}' if depth == 0 => {
                    self.pos += 1;
                    break;
                }
                b'}' => {
                    depth -= 1;
                    self.pos += 1;
                }
                b'{' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'\\' => self.pos = (self.pos + 2).min(self.bytes.len()),
                b'\'' if !quoted => {
                    let Some(close) = self.find_byte(self.pos + 1, b'\'') else {
                        return false;
                    };
                    self.pos = close + 1;
                }
                b'"' => {
                    if !self.double_quoted(slot, &mut ignored) {
                        return false;
                    }
                }
                b'`' if self.backticks > 0 => return false,
                b'`' => {
                    out.substitutes = true;
                    self.backtick(slot);
                }
                b'$' => {
                    if !self.dollar(slot, quoted, &mut ignored) {
                        return false;
                    }
                }
                b'<' | b'>' if self.peek_at(1) == Some(b'(') => {
                    self.substitution(2, Substitution::Process, slot);
                }
                _ => self.pos += 1,
            }
        }
        out.substitutes |= ignored.substitutes;
        true
    }

    /// `$(( … ))` or `$[ … ]` from the current position (`open` bytes): skipped to its end,
    /// reading the substitutions inside. False when not closed.
    pub(super) fn arithmetic(&mut self, slot: Slot, open: usize, close: u8) -> bool {
        self.pos += open;
        if !self.enter() {
            return false;
        }
        let closed = self.arithmetic_rest(slot, close);
        self.depth -= 1;
        closed
    }

    fn arithmetic_rest(&mut self, slot: Slot, close: u8) -> bool {
        let mut depth = 0usize;
        let mut ignored = Scanned::new(self.pos);
        loop {
            let Some(byte) = self.peek() else {
                return false;
            };
            match byte {
                b'(' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b')' | b']' if depth > 0 => {
                    depth -= 1;
                    self.pos += 1;
                }
                _ if byte == close => {
                    self.pos += 1;
                    if close == b')' {
                        if self.peek() != Some(b')') {
                            return false;
                        }
                        self.pos += 1;
                    }
                    return true;
                }
                b')' | b']' => self.pos += 1,
                b'\\' => self.pos = (self.pos + 2).min(self.bytes.len()),
                b'\'' => {
                    let Some(end) = self.find_byte(self.pos + 1, b'\'') else {
                        return false;
                    };
                    self.pos = end + 1;
                }
                b'"' => {
                    if !self.double_quoted(slot, &mut ignored) {
                        return false;
                    }
                }
                b'`' if self.backticks > 0 => return false,
                b'`' => self.backtick(slot),
                b'$' => {
                    if !self.dollar(slot, true, &mut ignored) {
                        return false;
                    }
                }
                _ => self.pos += 1,
            }
        }
    }

    pub(super) fn find_byte(&self, from: usize, byte: u8) -> Option<usize> {
        self.bytes
            .get(from..)?
            .iter()
            .position(|&candidate| candidate == byte)
            .map(|offset| from + offset)
    }
}

/// What follows the name in `${NAME…}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fallback<'a> {
    None,
    /// `${NAME:-word}`
    IfUnsetOrEmpty(&'a str),
    /// `${NAME-word}`
    IfUnset(&'a str),
}

pub(super) fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Unquoted text: a backslash quotes the next character; a backslash-newline disappears.
pub(super) fn unquoted_literal(text: &str, out: &mut String) {
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

#[cfg(test)]
mod tests {
    use super::super::variables::Variables;
    use super::super::{Note, Variable};
    use super::*;
    use crate::model::mapped_text::MappedText;

    fn variables() -> Variables {
        [
            ("PKG", Some("curl")),
            ("EMPTY", Some("")),
            ("TWO", Some("a b")),
            ("UNSET", None),
        ]
        .into_iter()
        .map(|(name, value)| {
            let variable = Variable {
                value: value.map(str::to_owned),
                notes: Vec::<Note>::new(),
            };
            (name.to_owned(), variable)
        })
        .collect()
    }

    /// The value of the first word of `text` and where it ends.
    fn value(text: &str) -> (Option<String>, bool, usize) {
        let map = MappedText::contiguous(text, 0);
        let variables = variables();
        let mut reader = Reader::new(&map, text, &variables);
        let scanned = reader.scan_word(None).unwrap_or_default();
        let value = (!scanned.unknown).then_some(scanned.text);
        (value, scanned.split, scanned.end)
    }

    #[test]
    fn word_values() {
        let cases: &[(&str, Option<&str>)] = &[
            ("$PKG", Some("curl")),
            ("${PKG}", Some("curl")),
            ("\"$PKG\"", Some("curl")),
            ("${PKG:-x}", Some("curl")),
            ("${EMPTY:-x}", Some("x")), // known to be empty: the default
            ("${EMPTY-x}", Some("")),   // set, so no default
            ("${UNSET:-x}", None),      // unset here, but a build arg may set it
            ("${NOWHERE}", None),
            ("${PKG:-$OTHER}", None), // a default that expands: unknown
            ("${PKG%%.*}", None),     // other operators: unknown
            ("${#PKG}", None),
            ("$1", None),
            ("$@", None),
            ("${1}", None),
            ("$", Some("$")),
            ("a$", Some("a$")),
            ("\"$\"", Some("$")),
            ("a\\ b", Some("a b")),
            ("\"a\\ b\"", Some("a\\ b")),
            ("\"a\\\"b\\$c\"", Some("a\"b$c")),
            ("'a\\b'", Some("a\\b")),
            ("a\\\nb", Some("ab")),
            ("$'ab'", Some("ab")),
            ("$'a\\nb'", None),
            ("$\"ab\"", None),
            ("{1..3}", None),
            ("{a,b}", Some("{a,b}")),
            ("*.txt", Some("*.txt")),
            ("x=$(id)", None),
            ("`id`", None),
            ("$((1+2))", None),
            ("<(id)", None),
            ("pkg==1.0", Some("pkg==1.0")),
            ("caf\u{e9}", Some("caf\u{e9}")),
        ];
        for (text, expected) in cases {
            let (value, _, end) = value(text);
            assert_eq!(value.as_deref(), *expected, "{text}");
            assert_eq!(end, text.len(), "{text}");
        }
    }

    #[test]
    fn unquoted_expansions_split() {
        let cases = [
            ("$TWO", true),
            ("\"$TWO\"", false),
            ("${TWO}x", true),
            ("plain", false),
        ];
        for (text, split) in cases {
            assert_eq!(value(text).1, split, "{text}");
        }
    }

    #[test]
    fn words_end_at_operators_and_blanks() {
        let cases = [
            ("a b", 1),
            ("a;b", 1),
            ("a|b", 1),
            ("a&&b", 1),
            ("a>b", 1),
            ("a)b", 1),
            ("a#b c", 3),
            ("\"a b\"c d", 6),
            ("'a;b' c", 5),
            ("$(a b) c", 6),
            ("${a:-b c} d", 9),
        ];
        for (text, end) in cases {
            assert_eq!(value(text).2, end, "{text}");
        }
    }
}
