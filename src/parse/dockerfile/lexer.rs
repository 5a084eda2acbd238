//! BuildKit's shell-word lexer (frontend/dockerfile/shell/lex.go): quote removal, escapes and
//! `$VAR` / `${VAR…}` expansion, plus word splitting with source offsets (heredoc detection).
//!
//! Values are three-state ([`Lookup`]): known, unset, or unknowable before the build (a build
//! argument without a default, a platform argument, an image's environment). Whatever depends
//! on an unknowable value is reported in [`Expansion::unresolved`] instead of guessed.

use std::fmt;

use super::pattern;

/// Nested `${…}` deeper than this is not expanded (the stack stays bounded on hostile input).
pub(super) const MAX_DEPTH: usize = 64;

/// A variable's value as far as the file tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lookup<'a> {
    Known(&'a str),
    /// Unset unless a `--build-arg` sets it.
    Unset,
    /// Set or not, to something the file does not say.
    Unknown,
}

/// Where variables come from.
pub(super) trait Env {
    fn lookup(&self, name: &str) -> Lookup<'_>;
}

/// No variables at all (every lookup is [`Lookup::Unset`]).
pub(super) struct NoEnv;

impl Env for NoEnv {
    fn lookup(&self, _name: &str) -> Lookup<'_> {
        Lookup::Unset
    }
}

/// Lexer switches, named as in BuildKit's `Lex`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Options {
    pub(super) escape: char,
    /// Keep quote characters in the output.
    pub(super) raw_quotes: bool,
    /// Keep escape characters in the output.
    pub(super) raw_escapes: bool,
    /// Leave references to unset variables as written.
    pub(super) skip_unset: bool,
    /// Also split the output into [`Expansion::words`] (costs an allocation per word).
    pub(super) split_words: bool,
}

impl Options {
    /// The lexer BuildKit uses to expand instruction arguments.
    pub(super) fn expand(escape: char) -> Self {
        Self {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_unset: false,
            split_words: false,
        }
    }
}

/// A word of the lexer's output with the input offsets it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct LexWord {
    pub(super) text: String,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The result of lexing one input.
#[derive(Debug, Default)]
pub(super) struct Expansion {
    pub(super) text: String,
    pub(super) words: Vec<LexWord>,
    /// Variables whose (unknowable) value the result depends on, in order of use.
    pub(super) unresolved: Vec<String>,
    /// Variables whose known value the result used, in order of use.
    pub(super) used: Vec<String>,
}

/// Why an input could not be lexed; messages follow BuildKit's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum LexError {
    UnterminatedSingleQuote,
    UnterminatedDoubleQuote,
    Unterminated(char),
    MissingBrace,
    MissingSlash,
    BadSubstitution,
    UnsupportedModifier(String),
    InvalidPattern(String),
    TooDeep,
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnterminatedSingleQuote => {
                f.write_str("unexpected end of statement while looking for matching single-quote")
            }
            Self::UnterminatedDoubleQuote => {
                f.write_str("unexpected end of statement while looking for matching double-quote")
            }
            Self::Unterminated(ch) => write!(
                f,
                "unexpected end of statement while looking for matching {ch}"
            ),
            Self::MissingBrace => f.write_str("syntax error: missing '}'"),
            Self::MissingSlash => f.write_str("syntax error: missing '/' in ${}"),
            Self::BadSubstitution => f.write_str("syntax error: bad substitution"),
            Self::UnsupportedModifier(modifier) => {
                write!(f, "unsupported modifier ({modifier}) in substitution")
            }
            Self::InvalidPattern(message) => {
                write!(f, "invalid pattern in substitution: {message}")
            }
            Self::TooDeep => write!(f, "variable references nested deeper than {MAX_DEPTH}"),
        }
    }
}

/// Lex `input` (BuildKit `ProcessWordWithMatches` / `ProcessWords`).
pub(super) fn expand(input: &str, options: Options, env: &dyn Env) -> Result<Expansion, LexError> {
    let mut lexer = Lexer {
        input,
        pos: 0,
        options,
        raw_escapes: options.raw_escapes,
        env,
        depth: 0,
    };
    let (part, words) = lexer.process_stop_on(None, options.raw_escapes)?;
    Ok(Expansion {
        text: part.text,
        words,
        unresolved: part.unresolved,
        used: part.used,
    })
}

/// A piece of output and the variables it depends on.
#[derive(Debug, Default)]
struct Part {
    text: String,
    unresolved: Vec<String>,
    used: Vec<String>,
}

impl Part {
    fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    fn unresolved(name: &str) -> Self {
        Self {
            unresolved: vec![name.to_owned()],
            ..Self::default()
        }
    }

    fn append(&mut self, other: Part) {
        self.text.push_str(&other.text);
        self.unresolved.extend(other.unresolved);
        self.used.extend(other.used);
    }

    fn using(mut self, name: &str) -> Self {
        self.used.push(name.to_owned());
        self
    }
}

/// BuildKit's `wordsStruct`, with offsets.
#[derive(Default)]
struct Words {
    /// Off when only the text is wanted.
    enabled: bool,
    list: Vec<LexWord>,
    buf: String,
    start: usize,
    end: usize,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char, at: usize, end: usize) {
        if !self.enabled {
            return;
        }
        if ch.is_whitespace() {
            if self.in_word && !self.buf.is_empty() {
                self.flush();
            }
        } else {
            self.add_raw_char(ch, at, end);
        }
    }

    fn add_raw_char(&mut self, ch: char, at: usize, end: usize) {
        if !self.enabled {
            return;
        }
        if self.buf.is_empty() {
            self.start = at;
        }
        self.buf.push(ch);
        self.end = end;
        self.in_word = true;
    }

    fn add_string(&mut self, text: &str, at: usize, end: usize) {
        if !self.enabled {
            return;
        }
        for ch in text.chars() {
            self.add_char(ch, at, end);
        }
    }

    fn add_raw_string(&mut self, text: &str, at: usize, end: usize) {
        if !self.enabled {
            return;
        }
        if self.buf.is_empty() {
            self.start = at;
        }
        self.buf.push_str(text);
        self.end = end;
        self.in_word = true;
    }

    fn flush(&mut self) {
        self.list.push(LexWord {
            text: std::mem::take(&mut self.buf),
            start: self.start,
            end: self.end,
        });
        self.in_word = false;
    }

    fn finish(mut self) -> Vec<LexWord> {
        if !self.buf.is_empty() {
            self.flush();
        }
        self.list
    }
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    options: Options,
    /// The current `rawEscapes`, which `${v#p}`-style patterns switch on temporarily.
    raw_escapes: bool,
    env: &'a dyn Env,
    depth: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.input.get(self.pos..)?.chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    /// BuildKit `processStopOn`: read until `stop` (consumed) or the end of input.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(Part, Vec<LexWord>), LexError> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.process_until(stop);
        self.raw_escapes = saved;
        result
    }

    fn process_until(&mut self, stop: Option<char>) -> Result<(Part, Vec<LexWord>), LexError> {
        let mut part = Part::default();
        let mut words = Words {
            enabled: self.options.split_words,
            ..Words::default()
        };
        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.next();
                return Ok((part, words.finish()));
            }
            let at = self.pos;
            match ch {
                '$' => {
                    let expanded = self.process_dollar()?;
                    words.add_string(&expanded.text, at, self.pos);
                    part.append(expanded);
                }
                '\'' => {
                    let quoted = self.process_single_quote()?;
                    words.add_raw_string(&quoted, at, self.pos);
                    part.text.push_str(&quoted);
                }
                '"' => {
                    let quoted = self.process_double_quote()?;
                    words.add_raw_string(&quoted.text, at, self.pos);
                    part.append(quoted);
                }
                _ => {
                    self.next();
                    if ch == self.options.escape {
                        if self.raw_escapes {
                            words.add_raw_char(ch, at, self.pos);
                            part.text.push(ch);
                        }
                        let escaped_at = self.pos;
                        // An escape at the very end is dropped.
                        let Some(escaped) = self.next() else { break };
                        words.add_raw_char(escaped, escaped_at, self.pos);
                        part.text.push(escaped);
                    } else {
                        words.add_char(ch, at, self.pos);
                        part.text.push(ch);
                    }
                }
            }
        }
        match stop {
            Some(stop) => Err(LexError::Unterminated(stop)),
            None => Ok((part, words.finish())),
        }
    }

    /// `'…'`: everything literal, no escapes.
    fn process_single_quote(&mut self) -> Result<String, LexError> {
        let mut out = String::new();
        self.next();
        if self.options.raw_quotes {
            out.push('\'');
        }
        loop {
            match self.next() {
                None => return Err(LexError::UnterminatedSingleQuote),
                Some('\'') => {
                    if self.options.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(ch) => out.push(ch),
            }
        }
    }

    /// `"…"`: `$` expands; the escape character escapes only `"`, `$` and itself.
    fn process_double_quote(&mut self) -> Result<Part, LexError> {
        let mut part = Part::default();
        self.next();
        if self.options.raw_quotes {
            part.text.push('"');
        }
        loop {
            match self.peek() {
                None => return Err(LexError::UnterminatedDoubleQuote),
                Some('"') => {
                    self.next();
                    if self.options.raw_quotes {
                        part.text.push('"');
                    }
                    return Ok(part);
                }
                Some('$') => {
                    let expanded = self.process_dollar()?;
                    part.append(expanded);
                }
                Some(_) => {
                    let Some(mut ch) = self.next() else { continue };
                    if ch == self.options.escape {
                        if self.raw_escapes {
                            part.text.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(next)
                                if next == '"' || next == '$' || next == self.options.escape =>
                            {
                                self.next();
                                ch = next;
                            }
                            Some(_) => {}
                        }
                    }
                    part.text.push(ch);
                }
            }
        }
    }

    /// `$name`, `${name}`, `${name<modifier>word}`.
    fn process_dollar(&mut self) -> Result<Part, LexError> {
        if self.depth >= MAX_DEPTH {
            return Err(LexError::TooDeep);
        }
        self.depth += 1;
        let result = self.process_dollar_inner();
        self.depth -= 1;
        result
    }

    fn process_dollar_inner(&mut self) -> Result<Part, LexError> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok(Part::text("$"));
            }
            return Ok(self.plain(&name, || format!("${name}")));
        }
        self.next();
        match self.peek() {
            None => return Err(LexError::MissingBrace),
            Some('{' | '}' | ':') => return Err(LexError::BadSubstitution),
            Some(_) => {}
        }
        let name = self.process_name();
        let Some(ch) = self.next() else {
            return Err(LexError::UnsupportedModifier(String::new()));
        };
        match ch {
            '}' => Ok(self.plain(&name, || format!("${{{name}}}"))),
            ':' => {
                let Some(modifier) = self.next() else {
                    return Err(LexError::MissingBrace);
                };
                self.modifier(&name, modifier, true)
            }
            '+' | '-' | '?' | '#' | '%' => self.modifier(&name, ch, false),
            '/' => self.replacement(&name),
            other => Err(LexError::UnsupportedModifier(other.to_string())),
        }
    }

    /// A plain reference: the value, or unresolved.
    fn plain(&self, name: &str, written: impl FnOnce() -> String) -> Part {
        match self.env.lookup(name) {
            Lookup::Known(value) => Part::text(value).using(name),
            Lookup::Unset if self.options.skip_unset => Part::text(written()),
            Lookup::Unset | Lookup::Unknown => Part::unresolved(name),
        }
    }

    /// The word of `${name…word}` up to the closing brace.
    fn modifier_word(&mut self, raw_escapes: bool) -> Result<Part, LexError> {
        match self.process_stop_on(Some('}'), raw_escapes) {
            Ok((part, _)) => Ok(part),
            Err(_) if self.peek().is_none() => Err(LexError::MissingBrace),
            Err(error) => Err(error),
        }
    }

    fn modifier(
        &mut self,
        name: &str,
        modifier: char,
        null_is_unset: bool,
    ) -> Result<Part, LexError> {
        let written = if null_is_unset {
            format!(":{modifier}")
        } else {
            modifier.to_string()
        };
        let is_pattern = modifier == '#' || modifier == '%';
        if null_is_unset && is_pattern {
            return Err(LexError::UnsupportedModifier(written));
        }
        let word = self.modifier_word(is_pattern)?;
        let lookup = self.env.lookup(name);
        if self.options.skip_unset && lookup == Lookup::Unset {
            return Ok(Part::text(format!("${{{name}{written}{}}}", word.text)));
        }
        if !matches!(modifier, '+' | '-' | '?' | '#' | '%') {
            return Err(LexError::UnsupportedModifier(written));
        }
        // NOTE: an unset variable (an ARG without a default) only takes `-` defaults; anything
        // else depends on a `--build-arg`, so it is unresolved rather than guessed empty.
        let empty_is_unset = |value: &str| null_is_unset && value.is_empty();
        Ok(match (modifier, lookup) {
            (_, Lookup::Unknown) => Part::unresolved(name),
            ('-', Lookup::Known(value)) if !empty_is_unset(value) => Part::text(value).using(name),
            ('-', Lookup::Known(_)) => word.using(name),
            ('-', Lookup::Unset) => word,
            ('+', Lookup::Known(value)) if empty_is_unset(value) => Part::default().using(name),
            ('+', Lookup::Known(_)) => word.using(name),
            ('?', Lookup::Known(value)) if !empty_is_unset(value) => Part::text(value).using(name),
            ('#' | '%', Lookup::Known(value)) => {
                if !word.unresolved.is_empty() {
                    return Ok(Part {
                        unresolved: word.unresolved,
                        ..Part::default()
                    });
                }
                let tokens = pattern::parse(&word.text).map_err(LexError::InvalidPattern)?;
                let (longest, tokens) = match tokens.split_first() {
                    Some((pattern::Token::Literal(first), rest)) if *first == modifier => {
                        (true, rest)
                    }
                    _ => (false, tokens.as_slice()),
                };
                let trimmed = if modifier == '#' {
                    pattern::trim_prefix(tokens, value, longest)
                } else {
                    pattern::trim_suffix(tokens, value, longest)
                };
                match trimmed {
                    Some(text) => Part {
                        used: word.used,
                        ..Part::text(text)
                    }
                    .using(name),
                    None => Part::unresolved(name),
                }
            }
            _ => Part::unresolved(name),
        })
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`.
    fn replacement(&mut self, name: &str) -> Result<Part, LexError> {
        let all = self.peek() == Some('/');
        if all {
            self.next();
        }
        let pattern_part = match self.process_stop_on(Some('/'), true) {
            Ok((part, _)) => part,
            Err(_) if self.peek().is_none() => return Err(LexError::MissingSlash),
            Err(error) => return Err(error),
        };
        let replacement = self.modifier_word(true)?;
        let lookup = self.env.lookup(name);
        if self.options.skip_unset && lookup == Lookup::Unset {
            return Ok(Part::text(format!(
                "${{{name}/{}/{}}}",
                pattern_part.text, replacement.text
            )));
        }
        let Lookup::Known(value) = lookup else {
            return Ok(Part::unresolved(name));
        };
        if !pattern_part.unresolved.is_empty() || !replacement.unresolved.is_empty() {
            let mut part = Part::unresolved(name);
            part.unresolved.extend(pattern_part.unresolved);
            part.unresolved.extend(replacement.unresolved);
            return Ok(part);
        }
        let tokens = pattern::parse(&pattern_part.text).map_err(LexError::InvalidPattern)?;
        Ok(
            match pattern::replace(&tokens, value, &replacement.text, all) {
                Some(text) => {
                    let mut part = Part::text(text).using(name);
                    part.used.extend(pattern_part.used);
                    part.used.extend(replacement.used);
                    part
                }
                None => Part::unresolved(name),
            },
        )
    }

    /// A name: letters, digits and `_`; or a run of digits; or one special parameter.
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(digit) = self.peek().filter(|c| is_digit(*c)) {
                    self.next();
                    name.push(digit);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                name.push(ch);
                return name;
            }
            if !(ch.is_alphabetic() || is_digit(ch) || ch == '_') {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }
}

/// Go's `unicode.IsDigit` (decimal digits in any script).
fn is_digit(ch: char) -> bool {
    ch.is_ascii_digit() || (!ch.is_ascii() && ch.is_numeric())
}

#[cfg(test)]
mod tests;
