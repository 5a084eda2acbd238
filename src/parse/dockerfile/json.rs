//! The exec (JSON array) form of `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`, `COPY`, `ADD` and `VOLUME`,
//! decided as BuildKit's `parseJSON` does (frontend/dockerfile/parser/line_parsers.go): the text
//! must start with `[` and Go's `json.Decoder` must read one array from it. Anything after the
//! array is ignored (the decoder stops there); any decoding error means shell form.

/// What the argument text is.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ExecForm {
    /// A JSON array of strings: each decoded value with the byte range of its content (between
    /// the quotes) in the input.
    Strings(Vec<JsonString>),
    /// Valid JSON array holding something other than a string: a BuildKit parse error.
    NotStrings,
    /// Not a JSON array: shell form.
    Invalid,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct JsonString {
    pub(super) value: String,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Go's `encoding/json` refuses nesting deeper than this.
const MAX_NESTING: usize = 10_000;

/// Classify `text` (the instruction's arguments).
pub(super) fn parse_exec(text: &str) -> ExecForm {
    let offset = text.len() - text.trim_start().len();
    let mut cursor = Cursor { text, pos: offset };
    cursor.array().unwrap_or(ExecForm::Invalid)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Array,
    Object,
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.pos += 1)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The top-level array; `None` on any syntax error.
    fn array(&mut self) -> Option<ExecForm> {
        self.eat(b'[')?;
        let mut strings = Vec::new();
        let mut only_strings = true;
        self.skip_whitespace();
        if self.eat(b']').is_some() {
            return Some(ExecForm::Strings(strings));
        }
        loop {
            self.skip_whitespace();
            if self.peek() == Some(b'"') {
                strings.push(self.string()?);
            } else {
                self.value()?;
                only_strings = false;
            }
            self.skip_whitespace();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => break,
                _ => return None,
            }
        }
        Some(if only_strings {
            ExecForm::Strings(strings)
        } else {
            ExecForm::NotStrings
        })
    }

    /// Skip any JSON value, iteratively (no recursion on hostile nesting).
    fn value(&mut self) -> Option<()> {
        let mut stack: Vec<Container> = Vec::new();
        loop {
            self.skip_whitespace();
            let mut complete = true;
            match self.peek()? {
                b'{' => {
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.eat(b'}').is_none() {
                        stack.push(Container::Object);
                        self.key()?;
                        complete = false;
                    }
                }
                b'[' => {
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.eat(b']').is_none() {
                        stack.push(Container::Array);
                        complete = false;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b't' => self.literal("true")?,
                b'f' => self.literal("false")?,
                b'n' => self.literal("null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            if stack.len() > MAX_NESTING {
                return None;
            }
            if !complete {
                continue;
            }
            // Close finished containers; stop at a `,` that asks for another value.
            loop {
                let Some(&top) = stack.last() else {
                    return Some(());
                };
                self.skip_whitespace();
                match (self.peek()?, top) {
                    (b',', _) => {
                        self.pos += 1;
                        if top == Container::Object {
                            self.skip_whitespace();
                            self.key()?;
                        }
                        break;
                    }
                    (b']', Container::Array) | (b'}', Container::Object) => {
                        self.pos += 1;
                        stack.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// An object key and its `:`.
    fn key(&mut self) -> Option<()> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.string()?;
        self.skip_whitespace();
        self.eat(b':')
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let rest = self.text.get(self.pos..)?;
        rest.starts_with(word).then(|| self.pos += word.len())
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        if self.eat(b'0').is_none() && self.digits() == 0 {
            return None;
        }
        if self.eat(b'.').is_some() && self.digits() == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    /// A string literal, decoded; the cursor is on its opening quote.
    fn string(&mut self) -> Option<JsonString> {
        self.eat(b'"')?;
        let start = self.pos;
        let mut value = String::new();
        let mut chars = self.text.get(start..)?.char_indices();
        while let Some((offset, ch)) = chars.next() {
            match ch {
                '"' => {
                    self.pos = start + offset + 1;
                    return Some(JsonString {
                        value,
                        start,
                        end: start + offset,
                    });
                }
                '\\' => {
                    let (_, escape) = chars.next()?;
                    match escape {
                        '"' | '\\' | '/' => value.push(escape),
                        'b' => value.push('\u{8}'),
                        'f' => value.push('\u{c}'),
                        'n' => value.push('\n'),
                        'r' => value.push('\r'),
                        't' => value.push('\t'),
                        'u' => {
                            let first = hex4(&mut chars)?;
                            value.push(self.unicode_escape(first, &mut chars)?);
                        }
                        _ => return None,
                    }
                }
                ch if u32::from(ch) < 0x20 => return None,
                ch => value.push(ch),
            }
        }
        None
    }

    /// Decode `\uXXXX`, pairing surrogates; a lone surrogate becomes U+FFFD as in Go.
    fn unicode_escape(&self, first: u32, chars: &mut std::str::CharIndices<'_>) -> Option<char> {
        if !(0xD800..0xDC00).contains(&first) {
            return Some(char::from_u32(first).unwrap_or('\u{FFFD}'));
        }
        let mut lookahead = chars.clone();
        let pair = match (lookahead.next(), lookahead.next()) {
            (Some((_, '\\')), Some((_, 'u'))) => hex4(&mut lookahead),
            _ => None,
        };
        match pair {
            Some(low) if (0xDC00..0xE000).contains(&low) => {
                *chars = lookahead;
                let combined = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                Some(char::from_u32(combined).unwrap_or('\u{FFFD}'))
            }
            _ => Some('\u{FFFD}'),
        }
    }
}

fn hex4(chars: &mut std::str::CharIndices<'_>) -> Option<u32> {
    let mut value = 0;
    for _ in 0..4 {
        let (_, ch) = chars.next()?;
        value = value * 16 + ch.to_digit(16)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    /// The decoded values, or "not strings" / "invalid".
    fn classify(text: &str) -> Result<Vec<String>, &'static str> {
        match parse_exec(text) {
            ExecForm::Strings(items) => Ok(items.into_iter().map(|s| s.value).collect()),
            ExecForm::NotStrings => Err("not strings"),
            ExecForm::Invalid => Err("invalid"),
        }
    }

    #[test]
    fn exec_form_cases() {
        let cases: Vec<(&str, Result<Vec<String>, &str>)> = vec![
            // plain array
            (r#"["a", "b"]"#, Ok(strings(&["a", "b"]))),
            // leading whitespace and no spaces
            (r#"  ["a","b"]"#, Ok(strings(&["a", "b"]))),
            // empty array
            ("[]", Ok(vec![])),
            // escapes
            (
                r#"["a\"b", "c\\d", "\u00e9", "\ud83d\ude00", "\ud800"]"#,
                Ok(strings(&["a\"b", "c\\d", "é", "😀", "\u{FFFD}"])),
            ),
            // trailing text after the array is ignored by Go's decoder
            (r#"["echo", "hi"] # comment"#, Ok(strings(&["echo", "hi"]))),
            // unterminated array: shell form
            (r#"["a", "b""#, Err("invalid")),
            // single quotes are not JSON
            ("['a', 'b']", Err("invalid")),
            // a backslash escape that JSON lacks
            (r#"["c:\x"]"#, Err("invalid")),
            // trailing comma
            (r#"["a",]"#, Err("invalid")),
            // not starting with [
            (r#"echo ["a"]"#, Err("invalid")),
            // raw control character
            ("[\"a\tb\"]", Err("invalid")),
            // valid JSON, not strings: BuildKit error
            (r#"["a", 1]"#, Err("not strings")),
            (
                r#"[{"k": [1, 2.5e3, true, null]}, "x"]"#,
                Err("not strings"),
            ),
            (r#"[null]"#, Err("not strings")),
            // invalid nested JSON is just shell form
            (r#"[{"k" 1}]"#, Err("invalid")),
            (r#"[01]"#, Err("invalid")),
        ];
        for (input, expected) in cases {
            assert_eq!(classify(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn content_offsets_exclude_quotes() {
        let text = r#"[ "sh", "-c" ]"#;
        let ExecForm::Strings(items) = parse_exec(text) else {
            panic!("expected strings");
        };
        let ranges: Vec<(usize, usize)> = items.iter().map(|s| (s.start, s.end)).collect();
        assert_eq!(ranges, vec![(3, 5), (9, 11)]);
    }

    #[test]
    fn deep_nesting_is_not_recursive() {
        let deep = format!("[{}{}]", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(parse_exec(&deep), ExecForm::Invalid);
        let ok = format!("[{}{}]", "[".repeat(100), "]".repeat(100));
        assert_eq!(parse_exec(&ok), ExecForm::NotStrings);
    }
}
