//! Logical lines: an instruction's text with line continuations removed, mapped back to
//! original byte offsets, plus BuildKit's two word splitters over it (`parseWords` for
//! `ARG`/`ENV`/`LABEL` words and `extractBuilderFlags` for leading `--flags`).

use crate::model::location::Span;
use crate::model::mapped_text::{MappedText, OffsetMap};

/// Argument text with line continuations (and comment/blank lines inside continuations) removed,
/// plus a map back to original offsets, so later shell parsing (RUN bodies) can report exact spans.
/// The map is a [`MappedText`]'s; [`LogicalText::to_mapped`] hands the text on as one.
#[derive(Clone, Debug)]
pub struct LogicalText {
    pub text: String,
    map: OffsetMap,
    /// The active escape character (`\` or `` ` ``), used by [`LogicalText::words`].
    escape: char,
}

/// A word of an instruction.
#[derive(Debug, Clone)]
pub struct Word {
    /// The word as written, quotes kept, continuations removed. For exec-form (JSON) arguments
    /// this is instead the decoded JSON string, i.e. exactly the argument the program receives.
    pub text: String,
    /// The word in the original text. For exec-form arguments: the string literal's content,
    /// without its quotes.
    pub span: Span,
}

/// A leading `--name[=value]` flag of an instruction, e.g. `--platform=$BUILDPLATFORM`.
#[derive(Debug)]
pub struct Flag {
    /// The name without `--`, as written (BuildKit matches flag names case-sensitively).
    pub name: String,
    /// The text after the first `=` as written (quotes kept); `None` for a bare `--link`.
    pub value: Option<Word>,
    /// The whole `--name=value` word.
    pub span: Span,
    /// The value after BuildKit's quote and `\` removal, mapped to original offsets.
    unquoted: Option<LogicalText>,
}

impl Flag {
    /// The value as BuildKit sees it before variable expansion (quotes and `\` escapes removed),
    /// with a map back to the original text for exact sub-spans (`from=` inside `--mount`).
    pub fn unquoted_value(&self) -> Option<&LogicalText> {
        self.unquoted.as_ref()
    }
}

impl LogicalText {
    /// An empty text whose (empty) position maps to `origin`.
    pub(crate) fn new(escape: char, origin: usize) -> Self {
        Self {
            text: String::new(),
            map: OffsetMap::new(origin),
            escape,
        }
    }

    /// Build a text from one contiguous piece of the original.
    #[cfg(test)]
    pub(crate) fn from_original(text: &str, original: usize, escape: char) -> Self {
        let mut out = Self::new(escape, original);
        out.push_str(text, original);
        out
    }

    fn from_mapped(mapped: MappedText, escape: char) -> Self {
        // Logical texts are always exact; an opaque one would keep its first offset.
        if !mapped.is_exact() {
            let map = OffsetMap::new(mapped.original_offset(0));
            let text = mapped.into_string();
            return Self { text, map, escape };
        }
        let origin = mapped.original_offset(0);
        let (text, map) = mapped
            .into_parts()
            .unwrap_or_else(|| (String::new(), OffsetMap::new(origin)));
        Self { text, map, escape }
    }

    /// A copy of the text and its map as a [`MappedText`].
    pub fn to_mapped(&self) -> MappedText {
        MappedText::from_parts(self.text.clone(), self.map.clone())
    }

    /// The text and its map as a [`MappedText`], without copying.
    pub fn into_mapped(self) -> MappedText {
        MappedText::from_parts(self.text, self.map)
    }

    /// Append `piece`, which starts at byte `original` of the original text.
    pub(crate) fn push_str(&mut self, piece: &str, original: usize) {
        if piece.is_empty() {
            return;
        }
        self.map.mark(self.text.len(), original);
        self.text.push_str(piece);
    }

    /// Append one character that sits at byte `original` of the original text.
    pub(crate) fn push_char(&mut self, ch: char, original: usize) {
        self.map.mark(self.text.len(), original);
        self.text.push(ch);
    }

    /// The original offset of logical byte `logical` (a boundary maps to the later run, so a
    /// word starting right after a continuation starts on the next line).
    pub fn original_offset(&self, logical: usize) -> usize {
        self.map.original_offset(self.text.len(), logical)
    }

    /// The original span of a logical span (a span ending right before a continuation does not
    /// swallow the `\` and newline).
    pub fn original_span(&self, logical: Span) -> Span {
        self.map.original_span(self.text.len(), logical)
    }

    /// The sub-text `start..end` (logical offsets on char boundaries), keeping the map.
    pub(crate) fn slice(&self, start: usize, end: usize) -> LogicalText {
        Self::from_mapped(self.map.slice(&self.text, start, end), self.escape)
    }

    /// Like [`Self::slice`], reusing this text's buffer when it is a single run.
    pub(crate) fn into_slice(self, start: usize, end: usize) -> LogicalText {
        let escape = self.escape;
        Self::from_mapped(self.into_mapped().into_slice(start, end), escape)
    }

    /// Whitespace-split, quote-aware words (BuildKit `parseWords`): quotes group, the escape
    /// character escapes the next character (not inside `'…'`), and a trailing lone escape is
    /// dropped. Each word's text is as written.
    pub fn words(&self) -> Vec<Word> {
        self.word_ranges()
            .into_iter()
            .map(|(start, end)| Word {
                text: self.text.get(start..end).unwrap_or("").to_owned(),
                span: self.original_span(Span::new(start, end)),
            })
            .collect()
    }

    /// The logical `(start, end)` of each of [`Self::words`], for sub-spans of a word.
    pub(crate) fn word_ranges(&self) -> Vec<(usize, usize)> {
        split_words(&self.text, self.escape)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote(char),
}

/// Logical `(start, end)` of each word, per BuildKit `parseWords` (line_parsers.go).
fn split_words(text: &str, escape: char) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut start = 0;
    let mut end = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((pos, ch)) = chars.next() {
        let next_pos = pos + ch.len_utf8();
        match phase {
            Phase::Spaces => {
                if ch.is_whitespace() {
                    continue;
                }
                start = pos;
                end = pos;
                phase = Phase::Word;
            }
            Phase::Word if ch.is_whitespace() => {
                words.push((start, end));
                phase = Phase::Spaces;
                continue;
            }
            _ => {}
        }
        match phase {
            Phase::Word => {
                if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                    end = next_pos;
                } else if ch == escape {
                    // Escape plus the next character are kept; a lone escape at the end is dropped.
                    if let Some((escaped_pos, escaped)) = chars.next() {
                        end = escaped_pos + escaped.len_utf8();
                    }
                } else {
                    end = next_pos;
                }
            }
            Phase::Quote(quote) => {
                if ch == quote {
                    phase = Phase::Word;
                    end = next_pos;
                } else if ch == escape && quote != '\'' {
                    match chars.next() {
                        Some((escaped_pos, escaped)) => end = escaped_pos + escaped.len_utf8(),
                        None => phase = Phase::Word,
                    }
                } else {
                    end = next_pos;
                }
            }
            Phase::Spaces => {}
        }
    }
    if phase != Phase::Spaces && end > start {
        words.push((start, end));
    }
    words
}

/// BuildKit `extractBuilderFlags` (split_command.go) over `line.text[from..to]`: leading words
/// starting with `--` are flags until the first other word or a bare `--`. Returns the flags and
/// the logical offset where the remaining arguments start. `\` (always backslash, whatever the
/// escape directive) escapes the next character; quotes group and are removed.
pub(crate) fn split_flags(line: &LogicalText, from: usize, to: usize) -> (Vec<Flag>, usize) {
    let text = line.text.get(from..to).unwrap_or("");
    let mut flags = Vec::new();
    let mut chars = text
        .char_indices()
        .map(|(pos, ch)| (pos + from, ch))
        .peekable();
    loop {
        let Some(&(start, ch)) = chars.peek() else {
            return (flags, to);
        };
        if ch.is_whitespace() {
            chars.next();
            continue;
        }
        let is_flag = line
            .text
            .get(start..to)
            .is_some_and(|rest| rest.starts_with("--"));
        if !is_flag {
            return (flags, start);
        }
        let mut unquoted = LogicalText::new(line.escape, line.original_offset(start));
        // (unquoted offset, logical offset) of the first `=`: BuildKit splits name and value there.
        let mut equals: Option<(usize, usize)> = None;
        let mut quote: Option<char> = None;
        let mut end = to;
        while let Some((pos, ch)) = chars.next() {
            let (pos, ch) = match quote {
                None if ch.is_whitespace() => {
                    end = pos;
                    break;
                }
                None if ch == '\'' || ch == '"' => {
                    quote = Some(ch);
                    continue;
                }
                Some(open) if ch == open => {
                    quote = None;
                    continue;
                }
                _ if ch == '\\' => match chars.next() {
                    Some(escaped) => escaped,
                    None => continue,
                },
                _ => (pos, ch),
            };
            if ch == '=' && equals.is_none() {
                equals = Some((unquoted.text.len(), pos));
            }
            unquoted.push_char(ch, line.original_offset(pos));
        }
        if unquoted.text == "--" {
            return (flags, end);
        }
        flags.push(make_flag(line, start, end, &unquoted, equals));
    }
}

fn make_flag(
    line: &LogicalText,
    start: usize,
    end: usize,
    unquoted: &LogicalText,
    equals: Option<(usize, usize)>,
) -> Flag {
    let span = line.original_span(Span::new(start, end));
    let Some((unquoted_eq, logical_eq)) = equals else {
        return Flag {
            name: unquoted.text.get(2..).unwrap_or("").to_owned(),
            value: None,
            span,
            unquoted: None,
        };
    };
    let value_start = logical_eq + 1;
    Flag {
        name: unquoted.text.get(2..unquoted_eq).unwrap_or("").to_owned(),
        value: Some(Word {
            text: line.text.get(value_start..end).unwrap_or("").to_owned(),
            span: line.original_span(Span::new(value_start, end)),
        }),
        span,
        unquoted: Some(unquoted.slice(unquoted_eq + 1, unquoted.text.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A logical text made of `(piece, original offset)` runs.
    fn pieces(runs: &[(&str, usize)]) -> LogicalText {
        let mut text = LogicalText::new('\\', runs.first().map_or(0, |r| r.1));
        for (piece, original) in runs {
            text.push_str(piece, *original);
        }
        text
    }

    #[test]
    fn offsets_map_across_continuations() {
        // Original: "RUN a \\\n  b" -> logical "RUN a   b" (continuation removed).
        let text = pieces(&[("RUN a ", 0), ("  b", 8)]);
        assert_eq!(text.text, "RUN a   b");
        let cases = [
            // (logical, expected original offset)
            (0, 0), // start
            (5, 5), // the space before the continuation
            (6, 8), // first byte of the next line
            (8, 10),
            (9, 11), // end of text
        ];
        for (logical, original) in cases {
            assert_eq!(text.original_offset(logical), original, "logical {logical}");
        }
        // A span ending at the boundary stops before the `\`.
        assert_eq!(text.original_span(Span::new(4, 6)), Span::new(4, 6));
        // A span across the boundary covers the continuation.
        assert_eq!(text.original_span(Span::new(4, 9)), Span::new(4, 11));
        // Empty spans stay empty.
        assert_eq!(text.original_span(Span::new(6, 6)), Span::at(8));
    }

    #[test]
    fn slices_keep_the_map() {
        let text = pieces(&[("FROM a", 3), ("b AS x", 20)]);
        let sub = text.slice(5, 8);
        assert_eq!(sub.text, "ab ");
        assert_eq!(sub.original_span(Span::new(0, 3)), Span::new(8, 22));
        assert_eq!(sub.original_offset(1), 20);
        let empty = text.slice(6, 6);
        assert_eq!(empty.text, "");
        assert_eq!(empty.original_offset(0), 20);
    }

    #[test]
    fn words_follow_parse_words() {
        let cases: &[(&str, char, &[&str])] = &[
            // plain
            ("foo bar", '\\', &["foo", "bar"]),
            // escaped space stays in the word
            ("foo\\ bar", '\\', &["foo\\ bar"]),
            // quotes group and are kept
            ("a 'b c' \"d e\"", '\\', &["a", "'b c'", "\"d e\""]),
            // quote in the middle of a word
            ("A=\"x y\" B=1", '\\', &["A=\"x y\"", "B=1"]),
            // escaped quote inside double quotes
            ("\"a\\\" b\" c", '\\', &["\"a\\\" b\"", "c"]),
            // no escaping inside single quotes
            ("'a\\' b", '\\', &["'a\\'", "b"]),
            // backtick escape
            ("a` b c", '`', &["a` b", "c"]),
            // unicode
            ("föo bàr", '\\', &["föo", "bàr"]),
            // trailing lone escape dropped
            ("a \\", '\\', &["a"]),
            // unterminated quote runs to the end
            ("a \"b c", '\\', &["a", "\"b c"]),
            // tabs separate
            ("a\tb", '\\', &["a", "b"]),
            // empty
            ("   ", '\\', &[]),
        ];
        for (input, escape, expected) in cases {
            let text = LogicalText::from_original(input, 10, *escape);
            let words: Vec<String> = text.words().into_iter().map(|w| w.text).collect();
            assert_eq!(&words, expected, "input {input:?}");
        }
    }

    #[test]
    fn word_spans_are_original() {
        let text = pieces(&[("ARG A=1 ", 100), ("B=2", 200)]);
        let words = text.words();
        let spans: Vec<Span> = words.iter().map(|w| w.span).collect();
        assert_eq!(
            spans,
            vec![
                Span::new(100, 103),
                Span::new(104, 107),
                Span::new(200, 203)
            ]
        );
    }

    #[test]
    fn flags_follow_extract_builder_flags() {
        struct Case {
            input: &'static str,
            flags: &'static [(&'static str, Option<&'static str>, Option<&'static str>)],
            rest: &'static str,
        }
        let cases = [
            // one flag with a value
            Case {
                input: "--platform=linux/amd64 alpine",
                flags: &[("platform", Some("linux/amd64"), Some("linux/amd64"))],
                rest: "alpine",
            },
            // boolean flag then value flag
            Case {
                input: "--link --from=builder /a /b",
                flags: &[
                    ("link", None, None),
                    ("from", Some("builder"), Some("builder")),
                ],
                rest: "/a /b",
            },
            // quotes are removed in the unquoted value but kept as written
            Case {
                input: "--from=\"nginx:1\" /a /b",
                flags: &[("from", Some("\"nginx:1\""), Some("nginx:1"))],
                rest: "/a /b",
            },
            // `--` ends the flags
            Case {
                input: "--a=1 -- --b=2",
                flags: &[("a", Some("1"), Some("1"))],
                rest: " --b=2",
            },
            // a single dash is not a flag
            Case {
                input: "-x y",
                flags: &[],
                rest: "-x y",
            },
            // backslash escapes, even a space
            Case {
                input: "--x=a\\ b c",
                flags: &[("x", Some("a\\ b"), Some("a b"))],
                rest: "c",
            },
            // empty value
            Case {
                input: "--from= a",
                flags: &[("from", Some(""), Some(""))],
                rest: "a",
            },
            // only flags
            Case {
                input: "--mount=type=cache,target=/x",
                flags: &[(
                    "mount",
                    Some("type=cache,target=/x"),
                    Some("type=cache,target=/x"),
                )],
                rest: "",
            },
        ];
        for case in cases {
            let text = LogicalText::from_original(case.input, 0, '\\');
            let (flags, rest) = split_flags(&text, 0, text.text.len());
            let got: Vec<(String, Option<String>, Option<String>)> = flags
                .iter()
                .map(|f| {
                    (
                        f.name.clone(),
                        f.value.as_ref().map(|v| v.text.clone()),
                        f.unquoted_value().map(|v| v.text.clone()),
                    )
                })
                .collect();
            let expected: Vec<(String, Option<String>, Option<String>)> = case
                .flags
                .iter()
                .map(|(n, v, u)| ((*n).to_owned(), v.map(str::to_owned), u.map(str::to_owned)))
                .collect();
            assert_eq!(got, expected, "input {:?}", case.input);
            assert_eq!(
                text.text.get(rest..),
                Some(case.rest),
                "input {:?}",
                case.input
            );
        }
    }

    #[test]
    fn flag_spans_and_unquoted_map() {
        let input = "--from=\"ng:1\" x";
        let text = LogicalText::from_original(input, 50, '\\');
        let (flags, _) = split_flags(&text, 0, text.text.len());
        let flag = flags.first().expect("one flag");
        assert_eq!(flag.span, Span::new(50, 63));
        assert_eq!(flag.value.as_ref().map(|v| v.span), Some(Span::new(57, 63)));
        let unquoted = flag.unquoted_value().expect("value");
        // `ng:1` without the quotes.
        assert_eq!(
            unquoted.original_span(Span::new(0, unquoted.text.len())),
            Span::new(58, 62)
        );
    }
}
