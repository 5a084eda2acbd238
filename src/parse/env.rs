//! Compose `.env` files, read as compose-go's `dotenv` parser reads them, with spans so a
//! finding can point at the line that set a variable.
//!
//! NOTE: compose-go stops at the first bad line; we record a [`Problem`] and go on.
//!
//! A `.env` file holds secrets, so a line that fails to parse is reported by its line and
//! its key only: a problem's span is the key (or the start of the line when there is no
//! usable key) and its message never quotes the line's text.

use crate::model::location::Span;
use crate::parse::Problem;
use crate::parse::interpolate::interpolate_or_empty;

/// A parsed `.env` file.
#[derive(Clone, Debug, Default)]
pub struct EnvFile {
    pub entries: Vec<EnvEntry>,
    pub problems: Vec<Problem>,
}

/// One `KEY=VALUE` line (a quoted value may span several lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvEntry {
    pub key: String,
    /// The value after quoting, escapes and interpolation; `None` for a bare `KEY` line, whose
    /// value compose takes from its own environment.
    pub value: Option<String>,
    pub key_span: Span,
    /// The value as written, quotes excluded (empty, after the `=`, for `KEY=`).
    pub value_span: Span,
    /// From the key (or `export`) to the end of the value.
    pub line_span: Span,
}

impl EnvFile {
    /// The entry that sets `key`: the last one wins, as in compose.
    pub fn get(&self, key: &str) -> Option<&EnvEntry> {
        self.entries.iter().rev().find(|entry| entry.key == key)
    }
}

/// Parse a `.env` file; values interpolate keys defined earlier in the file.
pub fn parse_env(text: &str) -> EnvFile {
    parse_env_with(text, &|_| None)
}

/// Parse a `.env` file; values interpolate from `lookup` (the process environment) first,
/// then from keys defined earlier in the file.
pub fn parse_env_with(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> EnvFile {
    let mut parser = Parser {
        text,
        pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
        file: EnvFile::default(),
    };
    while parser.statement(lookup) {}
    parser.file
}

/// compose-go's `isSpace`: blanks that are not a line feed.
fn is_blank(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{b}' | '\u{c}' | '\r' | '\u{85}' | '\u{a0}'
    )
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
    file: EnvFile,
}

impl<'t> Parser<'t> {
    fn rest(&self) -> &'t str {
        self.text.get(self.pos..).unwrap_or("")
    }

    /// The end of the line containing `from` (before its `\n`).
    fn line_end(&self, from: usize) -> usize {
        let rest = self.text.get(from..).unwrap_or("");
        from + rest.find('\n').unwrap_or(rest.len())
    }

    /// A bad line: the problem points at `key` (or the line's start) and the rest of the
    /// line is skipped.
    fn problem(&mut self, start: usize, key: Option<Span>, message: String) {
        let end = self.line_end(start);
        let span = key.unwrap_or(Span::at(start));
        self.file.problems.push(Problem::new(span, message));
        self.pos = end;
    }

    /// Parse one statement; false at the end of the text.
    fn statement(&mut self, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
        let rest = self.rest();
        let skipped = rest.len() - rest.trim_start_matches(|c| is_blank(c) || c == '\n').len();
        self.pos += skipped;
        let start = self.pos;
        let rest = self.rest();
        if rest.is_empty() {
            return false;
        }
        if rest.starts_with('#') {
            self.pos = self.line_end(start);
            return true;
        }
        // `export KEY=VALUE`: the prefix is dropped.
        let export = rest.strip_prefix("export");
        if let Some(after) = export.filter(|after| after.starts_with(is_blank)) {
            self.pos += rest.len() - after.trim_start_matches(is_blank).len();
        }
        let key_start = self.pos;
        let mut separator = None;
        for (i, c) in self.rest().char_indices() {
            match c {
                '=' | ':' | '\n' => {
                    separator = Some((i, c));
                    break;
                }
                c if is_blank(c) || c.is_alphanumeric() || "_.-[]".contains(c) => {}
                c => {
                    let message = if c.is_ascii_graphic() {
                        format!("line is not `KEY=VALUE`: unexpected character `{c}` in the name")
                    } else {
                        "line is not `KEY=VALUE`: unexpected character in the name".to_owned()
                    };
                    self.problem(start, None, message);
                    return true;
                }
            }
        }
        let (key_len, separator) = separator.unwrap_or((self.rest().len(), '\n'));
        let raw_key = self.rest().get(..key_len).unwrap_or("");
        let key = raw_key.trim_end_matches(is_blank);
        let key_span = Span::new(key_start, key_start + key.len());
        if key.is_empty() {
            self.problem(
                start,
                None,
                "line is not `KEY=VALUE`: missing variable name before `=`".to_owned(),
            );
            return true;
        }
        if key.contains(is_blank) {
            // The "key" may be a secret written without `=`: not quoted.
            self.problem(
                start,
                None,
                "line is not `KEY=VALUE`: the variable name contains a space".to_owned(),
            );
            return true;
        }
        let key = key.to_owned();
        if separator == '\n' {
            // A bare `KEY`: compose takes the value from its environment.
            self.pos = key_start + key_len;
            let line = Span::new(start, key_span.end);
            self.push(key, None, [key_span, Span::at(key_span.end)], line);
            return true;
        }
        self.pos = key_start + key_len + 1;
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches(is_blank).len();
        let value_start = self.pos;
        let rest = self.rest();
        let quote = rest.chars().next().filter(|&c| c == '"' || c == '\'');
        let Some(quote) = quote else {
            let line = rest
                .get(..rest.find('\n').unwrap_or(rest.len()))
                .unwrap_or("");
            let written = line
                .find(" #")
                .and_then(|cut| line.get(..cut))
                .unwrap_or(line);
            let written = written.trim_end_matches(|c: char| c.is_whitespace());
            let value_span = Span::new(value_start, value_start + written.len());
            let value = self.expand(written, lookup, key_span, &key);
            self.pos = value_start + line.len();
            let line = Span::new(start, value_span.end.max(key_span.end));
            self.push(key, value, [key_span, value_span], line);
            return true;
        };
        let Some((raw, value_span)) = self.quoted(quote, value_start) else {
            self.problem(
                start,
                Some(key_span),
                format!("the value of `{key}` has no closing {quote}"),
            );
            return true;
        };
        let value = if quote == '"' {
            self.expand(&unescape(&raw), lookup, key_span, &key)
        } else {
            Some(raw)
        };
        let key_text = key.clone();
        self.push(
            key,
            value,
            [key_span, value_span],
            Span::new(start, self.pos),
        );
        // After the closing quote only blanks and a comment may follow on the line.
        let rest = self.rest();
        let line = rest
            .get(..rest.find('\n').unwrap_or(rest.len()))
            .unwrap_or("");
        let trailing = line.trim_matches(is_blank);
        if !trailing.is_empty() && !trailing.starts_with('#') {
            let message = format!("unexpected text after the quoted value of `{key_text}`");
            self.file.problems.push(Problem::new(key_span, message));
        }
        self.pos += line.len();
        true
    }

    /// Scan a quoted value starting at the opening quote: its text (with `\<quote>` turned
    /// into `<quote>` and other backslash pairs kept) and the span between the quotes.
    fn quoted(&mut self, quote: char, open: usize) -> Option<(String, Span)> {
        let body = self.text.get(open + 1..)?;
        let mut out = String::new();
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            if c == quote && !escaped {
                self.pos = open + 1 + i + 1;
                return Some((out, Span::new(open + 1, open + 1 + i)));
            }
            if escaped {
                escaped = false;
                if c != quote {
                    out.push('\\');
                }
                out.push(c);
            } else if c == '\\' {
                escaped = true;
            } else {
                out.push(c);
            }
        }
        None
    }

    /// Interpolate a value; a malformed expression is a problem on the key (the expression
    /// itself may hold a secret, so it is not quoted).
    fn expand(
        &mut self,
        written: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
        key_span: Span,
        key: &str,
    ) -> Option<String> {
        let entries = &self.file.entries;
        let find = |name: &str| {
            lookup(name).or_else(|| {
                let entry = entries.iter().rev().find(|entry| entry.key == name)?;
                entry.value.clone()
            })
        };
        let result = interpolate_or_empty(written, &find);
        if result.error.is_some() {
            let message = format!(
                "the value of `{key}` is not valid interpolation (an unterminated `${{` or an \
                 invalid `${{…}}` expression)"
            );
            self.file.problems.push(Problem::new(key_span, message));
        }
        result.value
    }

    fn push(&mut self, key: String, value: Option<String>, spans: [Span; 2], line: Span) {
        let [key_span, value_span] = spans;
        self.file.entries.push(EnvEntry {
            key,
            value,
            key_span,
            value_span,
            line_span: line,
        });
    }
}

/// Decode the escapes of a double-quoted value (compose-go `expandEscapes`): `\n`, `\t`, `\r`
/// and `\\`; `\$` becomes `$$` so interpolation keeps a literal `$`; `\x` becomes `x`.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('$') => out.push_str("$$"),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
#[path = "env/tests.rs"]
mod tests;
