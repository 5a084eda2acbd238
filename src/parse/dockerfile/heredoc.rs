//! Heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`) in `RUN`/`COPY`/`ADD` lines, found as
//! BuildKit's `heredocsFromLine` does (frontend/dockerfile/parser/parser.go): the logical line is
//! lexed into words with `\` as escape (whatever the escape directive says), quotes and escapes
//! kept and unset variables left as written; each word matching `^(\d*)<<(-?)\s*([^<]*)$` is a
//! heredoc. A line that does not lex (an unbalanced quote) has no heredocs at all.

use super::lexer::{self, NoEnv, Options};

/// A heredoc marker in a logical line.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Marker {
    /// The delimiter with quotes removed (`EOF` for `<<"EOF"`).
    pub(super) name: String,
    /// `<<-`: leading tabs are stripped before comparing a line with the delimiter.
    pub(super) strip_tabs: bool,
    /// False when any part of the delimiter was quoted.
    pub(super) expand: bool,
    /// Logical offsets of the marker word.
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The markers of a logical instruction line, in order.
pub(super) fn markers(line: &str) -> Vec<Marker> {
    if !line.contains("<<") {
        return Vec::new();
    }
    let raw = Options {
        escape: '\\',
        raw_quotes: true,
        raw_escapes: true,
        skip_unset: true,
        split_words: true,
    };
    let Ok(lexed) = lexer::expand(line, raw, &NoEnv) else {
        return Vec::new();
    };
    lexed
        .words
        .into_iter()
        .filter_map(|word| {
            let (name, strip_tabs, expand) = parse_marker(&word.text)?;
            Some(Marker {
                name,
                strip_tabs,
                expand,
                start: word.start,
                end: word.end,
            })
        })
        .collect()
}

/// BuildKit `ParseHeredoc`: `(name, strip_tabs, expand)` when `word` is a heredoc marker.
fn parse_marker(word: &str) -> Option<(String, bool, bool)> {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix("<<")?;
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    // RE2's `\s` is ASCII whitespace without `\v`.
    let rest = rest.trim_start_matches([' ', '\t', '\n', '\r', '\u{c}']);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let unquoted = Options {
        escape: '\\',
        raw_quotes: false,
        raw_escapes: false,
        skip_unset: true,
        split_words: true,
    };
    let words = lexer::expand(rest, unquoted, &NoEnv).ok()?.words;
    let [name] = words.as_slice() else {
        return None;
    };
    let raw = lexer::expand(
        rest,
        Options {
            raw_quotes: true,
            ..unquoted
        },
        &NoEnv,
    )
    .ok()?
    .words;
    let [raw_name] = raw.as_slice() else {
        return None;
    };
    let quotes = |text: &str| text.chars().filter(|c| *c == '\'' || *c == '"').count();
    let expand = quotes(&name.text) == quotes(&raw_name.text);
    Some((name.text.clone(), strip_tabs, expand))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(line: &str) -> Vec<(String, bool, bool, usize, usize)> {
        markers(line)
            .into_iter()
            .map(|m| (m.name, m.strip_tabs, m.expand, m.start, m.end))
            .collect()
    }

    fn marker(
        name: &str,
        strip: bool,
        expand: bool,
        start: usize,
        end: usize,
    ) -> (String, bool, bool, usize, usize) {
        (name.to_owned(), strip, expand, start, end)
    }

    #[test]
    fn marker_cases() {
        let cases = vec![
            // plain
            ("RUN <<EOF", vec![marker("EOF", false, true, 4, 9)]),
            // strip tabs
            ("RUN <<-EOF", vec![marker("EOF", true, true, 4, 10)]),
            // quoted delimiters disable expansion
            ("RUN <<\"EOF\"", vec![marker("EOF", false, false, 4, 11)]),
            ("RUN <<'EOF' cat", vec![marker("EOF", false, false, 4, 11)]),
            // partly quoted
            ("RUN <<E\"O\"F", vec![marker("EOF", false, false, 4, 11)]),
            // two heredocs on one line
            (
                "RUN <<A cat - <<-B",
                vec![
                    marker("A", false, true, 4, 7),
                    marker("B", true, true, 14, 18),
                ],
            ),
            // COPY heredoc followed by a destination
            ("COPY <<EOF /dst", vec![marker("EOF", false, true, 5, 10)]),
            // a file descriptor prefix
            ("RUN 3<<EOF", vec![marker("EOF", false, true, 4, 10)]),
            // `<<` must start a word
            ("RUN cat<<EOF", vec![]),
            // a bare `<<` has no name
            ("RUN << EOF", vec![]),
            // here-strings are not heredocs
            ("RUN cat <<<EOF", vec![]),
            // an unbalanced quote disables detection for the whole line
            ("RUN <<EOF echo \"oops", vec![]),
            // inside quotes it is not a separate word
            ("RUN echo '<<EOF'", vec![]),
            // no `<<` at all
            ("RUN echo hi", vec![]),
        ];
        for (line, expected) in cases {
            assert_eq!(found(line), expected, "line {line:?}");
        }
    }
}
