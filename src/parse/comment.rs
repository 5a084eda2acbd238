//! Comments with their spans, for inline suppressions (`# pinwarden:ignore PW101 -- reason`)
//! and for the trailing `# v4.1.1` version comments of pinned refs.
//!
//! A comment is a `#` that starts a line (after blanks) or, where the format allows trailing
//! comments (YAML, `.env`), follows a blank; it runs to the end of the line. A `#` inside a
//! value (a YAML scalar, a Dockerfile heredoc body) is not a comment.

use crate::model::location::Span;
use crate::parse::yaml::YamlFile;

/// One comment: from its `#` to the end of the line (line ending excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Comment {
    pub span: Span,
}

/// The comments of a YAML stream: every `#` outside the scalars of `file` that starts a line
/// or follows a blank.
pub fn yaml_comments(text: &str, file: &YamlFile) -> Vec<Comment> {
    if file.scalar_spans.is_sorted() {
        comments(text, &file.scalar_spans, true)
    } else {
        let mut scalars = file.scalar_spans.clone();
        scalars.sort_unstable();
        comments(text, &scalars, true)
    }
}

/// The comments of a line-oriented file (Dockerfile, `.env`): a `#` that starts a line, and,
/// with `trailing`, one after a blank; none inside `excluded` spans (sorted by start).
pub fn comments(text: &str, excluded: &[Span], trailing: bool) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // The line holding the `#` being looked at: `[line_start, line_end)`, line break
    // excluded. Each line's bounds are found once, however many `#` it holds.
    let (mut line_start, mut line_end) = (0, 0);
    let mut searched = 0;
    // Only a `#` can start a comment: jump from one to the next, never look at other lines.
    for at in memchr::memchr_iter(b'#', bytes) {
        if at < searched {
            continue; // the rest of a line that already has its comment
        }
        if at >= line_end {
            line_start = memchr::memrchr(b'\n', bytes.get(line_end..at).unwrap_or(&[]))
                .map_or(line_end, |newline| line_end + newline + 1);
            line_end = memchr::memchr(b'\n', bytes.get(at..).unwrap_or(&[]))
                .map_or(bytes.len(), |newline| at + newline);
        }
        let before = text.get(line_start..at).unwrap_or("");
        let at_line_start = before
            .trim_start_matches(['\u{feff}', ' ', '\t'])
            .is_empty();
        let after_blank = before.ends_with([' ', '\t']);
        if (at_line_start || (trailing && after_blank)) && !inside(excluded, at) {
            let content = text.get(line_start..line_end).unwrap_or("");
            let content_end = line_start + content.trim_end_matches('\r').len();
            found.push(Comment {
                span: Span::new(at, content_end),
            });
            searched = line_end;
        }
    }
    found
}

/// Is `offset` inside one of `spans` (sorted by start, not overlapping: scalars and heredoc
/// bodies never nest)?
fn inside(spans: &[Span], offset: usize) -> bool {
    let after = spans.partition_point(|span| span.start <= offset);
    after
        .checked_sub(1)
        .and_then(|index| spans.get(index))
        .is_some_and(|span| offset < span.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_yaml;

    fn yaml(text: &str) -> Vec<&str> {
        let file = parse_yaml(text).unwrap_or_default();
        yaml_comments(text, &file)
            .iter()
            .map(|comment| text.get(comment.span.start..comment.span.end).unwrap_or(""))
            .collect()
    }

    #[test]
    fn yaml_comments_outside_scalars() {
        // (text, comments)
        let cases: &[(&str, &[&str])] = &[
            ("# top\na: 1 # one\n", &["# top", "# one"]),
            ("a: 'x # not' # yes\n", &["# yes"]),
            ("a: \"#no\"\n", &[]),
            ("a: x#y\n", &[]), // no blank before `#`: part of the scalar
            (
                "run: |\n  echo # in the script\n  x\n# after\n",
                &["# after"],
            ),
            (
                "- uses: a/b@0123456789abcdef0123456789abcdef01234567 # v4.1.1\r\n",
                &["# v4.1.1"],
            ),
            ("k: [a, b] # flow\n", &["# flow"]),
            // A value dropped as a duplicate key is still a scalar, not a comment.
            ("a: 'x # 1'\na: 'p # 2' # real\n", &["# real"]),
        ];
        for (text, expected) in cases {
            assert_eq!(yaml(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn line_comments() {
        let text = "# syntax=x\nFROM a # not a comment in a Dockerfile\n  # indented\nRUN x\n";
        let found: Vec<&str> = comments(text, &[], false)
            .iter()
            .map(|c| text.get(c.span.start..c.span.end).unwrap_or(""))
            .collect();
        assert_eq!(found, ["# syntax=x", "# indented"]);
        // A heredoc body is excluded.
        let body = text.find("  # indented").unwrap_or(0);
        assert!(comments(text, &[Span::new(body, body + 12)], false).len() == 1);
    }
}
