//! Inline suppression comments: `# pinwarden:ignore PW101,image-untagged -- reason` and
//! `# pinwarden:ignore-file PW104 -- reason`, read from a file's comments (already found by
//! `parse::comment`, so a `#` inside a YAML scalar or a heredoc body is never one).
//!
//! This module only reads the comments and decides which lines each one covers; matching
//! them against findings (and PW002 for those that match nothing) is `rules::suppression`.
//!
//! Grammar: `#`, blanks, `pinwarden:ignore` or `pinwarden:ignore-file` (ASCII case-insensitive),
//! then rule ids or names separated by commas and/or blanks, then optionally `--` and the
//! reason. A comment that starts with `pinwarden:` but is neither is kept as
//! [`Scope::Malformed`], so a typo (`pinwarden:ingore`) is reported instead of silently doing
//! nothing.

use crate::model::kind::FileKind;
use crate::model::location::Span;
use crate::model::source::SourceFile;
use crate::parse::comment::Comment;

/// What a suppression comment covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Findings whose primary location starts on this 1-based line: the comment's own line
    /// for a trailing comment, else the first line below it that is not a comment.
    Line(usize),
    /// Every finding of the named rules in the file (`ignore-file` in the leading comments).
    File,
    /// `ignore-file` after the file's content started: it covers nothing.
    MisplacedFile,
    /// `pinwarden:` followed by something that is not `ignore` or `ignore-file`.
    Malformed,
}

/// One rule id or name as written in a suppression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleToken {
    pub text: String,
    pub span: Span,
}

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The whole comment, from its `#`.
    pub comment: Span,
    pub scope: Scope,
    /// The rule ids or names, in order (empty when none was written).
    pub rules: Vec<RuleToken>,
    /// The text after `--`, trimmed; `None` when absent or empty.
    pub reason: Option<String>,
}

/// The suppression comments among `comments` of `source` (a file of `kind`).
pub fn directives(source: &SourceFile, comments: &[Comment], kind: FileKind) -> Vec<Directive> {
    let text = source.text();
    let mut parsed = Vec::new();
    // Lines holding nothing but a comment: a suppression above them skips them.
    let mut comment_lines = Vec::new();
    for comment in comments {
        let line = source.line(comment.span.start);
        let alone = alone_on_line(text, comment.span.start);
        if alone {
            comment_lines.push(line);
        }
        let body = source.slice(comment.span);
        if let Some(found) = parse_comment(body) {
            parsed.push((comment.span, line, alone, found));
        }
    }
    if parsed.is_empty() {
        return Vec::new();
    }
    comment_lines.sort_unstable();
    comment_lines.dedup();
    // For each comment line, the first line below it that is not one: one pass from the end,
    // so a long run of comment lines costs no more than its length.
    let mut below = vec![0; comment_lines.len()];
    let mut next = usize::MAX;
    for (index, line) in comment_lines.iter().enumerate().rev() {
        let target = if next == line + 1 {
            below.get(index + 1).copied().unwrap_or(next)
        } else {
            line + 1
        };
        if let Some(slot) = below.get_mut(index) {
            *slot = target;
        }
        next = *line;
    }
    let content_line = first_content_line(source, &comment_lines, kind);
    parsed
        .into_iter()
        .map(|(span, line, alone, found)| {
            let scope = match found.kind {
                Kind::Malformed => Scope::Malformed,
                Kind::File if line < content_line => Scope::File,
                Kind::File => Scope::MisplacedFile,
                Kind::Line if !alone => Scope::Line(line),
                Kind::Line => {
                    let target = comment_lines
                        .binary_search(&line)
                        .ok()
                        .and_then(|index| below.get(index).copied())
                        .unwrap_or(line + 1);
                    Scope::Line(target)
                }
            };
            Directive {
                comment: span,
                scope,
                rules: found
                    .rules
                    .into_iter()
                    .map(|(start, end)| RuleToken {
                        text: body_slice(source, span, start, end).to_owned(),
                        span: Span::new(span.start + start, span.start + end),
                    })
                    .collect(),
                reason: found.reason,
            }
        })
        .collect()
}

fn body_slice(source: &SourceFile, comment: Span, start: usize, end: usize) -> &str {
    source.slice(Span::new(comment.start + start, comment.start + end))
}

/// Is only blank text (or a byte order mark) before `offset` on its line?
fn alone_on_line(text: &str, offset: usize) -> bool {
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    before
        .get(line_start..)
        .unwrap_or("")
        .trim_start_matches('\u{feff}')
        .trim_matches([' ', '\t'])
        .is_empty()
}

/// The first 1-based line holding content: not blank, not a comment line and, in YAML, not a
/// `---` document marker or a `%` directive. `ignore-file` must come before it.
fn first_content_line(source: &SourceFile, comment_lines: &[usize], kind: FileKind) -> usize {
    let yaml = !matches!(kind, FileKind::Dockerfile | FileKind::Env);
    let count = source.line_count();
    (1..=count)
        .find(|&line| {
            let text = source.line_text(line).trim_matches([' ', '\t', '\r']);
            let marker = yaml && (text == "---" || text.starts_with('%'));
            !text.is_empty() && !marker && comment_lines.binary_search(&line).is_err()
        })
        .unwrap_or(count + 1)
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Line,
    File,
    Malformed,
}

/// A comment's directive: byte ranges of the rule tokens within the comment, and the reason.
#[derive(Debug, PartialEq, Eq)]
struct Parsed {
    kind: Kind,
    rules: Vec<(usize, usize)>,
    reason: Option<String>,
}

const PREFIX: &str = "pinwarden:";

/// Read one comment (from its `#`); `None` when it is not addressed to pinwarden.
fn parse_comment(comment: &str) -> Option<Parsed> {
    let body = comment.strip_prefix('#')?;
    let keyword_at = 1 + body.len() - body.trim_start_matches([' ', '\t']).len();
    let rest = comment.get(keyword_at..)?;
    let prefix = rest.get(..PREFIX.len())?;
    if !prefix.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    let after_prefix = rest.get(PREFIX.len()..).unwrap_or("");
    let word_len = after_prefix
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(after_prefix.len());
    let word = after_prefix.get(..word_len).unwrap_or("");
    let kind = if word.eq_ignore_ascii_case("ignore") {
        Kind::Line
    } else if word.eq_ignore_ascii_case("ignore-file") {
        Kind::File
    } else {
        Kind::Malformed
    };
    let list_at = keyword_at + PREFIX.len() + word_len;
    let list = comment.get(list_at..).unwrap_or("");
    // `pinwarden:ignore:PW101` or `pinwarden:ignored`: not the grammar.
    if kind == Kind::Malformed || !(list.is_empty() || list.starts_with([' ', '\t'])) {
        return Some(Parsed {
            kind: Kind::Malformed,
            rules: Vec::new(),
            reason: None,
        });
    }
    let (ids, reason) = match list.split_once("--") {
        Some((ids, reason)) => (ids, Some(reason.trim()).filter(|reason| !reason.is_empty())),
        None => (list, None),
    };
    let mut rules = Vec::new();
    let mut start = None;
    for (index, c) in ids.char_indices().chain(std::iter::once((ids.len(), ','))) {
        let separator = c == ',' || c.is_whitespace();
        match (start, separator) {
            (None, false) => start = Some(index),
            (Some(from), true) => {
                rules.push((list_at + from, list_at + index));
                start = None;
            }
            _ => {}
        }
    }
    Some(Parsed {
        kind,
        rules,
        reason: reason.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::comment::comments;

    /// (comment, kind, tokens, reason)
    type Case<'a> = (&'a str, Option<Kind>, &'a [&'a str], Option<&'a str>);

    #[test]
    fn the_grammar() {
        let cases: &[Case<'_>] = &[
            (
                "# pinwarden:ignore PW101 -- why",
                Some(Kind::Line),
                &["PW101"],
                Some("why"),
            ),
            // commas and/or blanks, ids or names, any case
            (
                "#pinwarden:ignore pw101,image-untagged  PW104 ,PW105--because",
                Some(Kind::Line),
                &["pw101", "image-untagged", "PW104", "PW105"],
                Some("because"),
            ),
            (
                "# PINWARDEN:IGNORE-FILE PW104",
                Some(Kind::File),
                &["PW104"],
                None,
            ),
            (
                "# pinwarden:ignore-file PW104 --   ",
                Some(Kind::File),
                &["PW104"],
                None,
            ),
            ("# pinwarden:ignore", Some(Kind::Line), &[], None),
            (
                "# pinwarden:ignore -- no ids",
                Some(Kind::Line),
                &[],
                Some("no ids"),
            ),
            // a reason may hold `--` and `#`
            (
                "# pinwarden:ignore PW401 -- root -- as GitHub #runs it",
                Some(Kind::Line),
                &["PW401"],
                Some("root -- as GitHub #runs it"),
            ),
            // typos are kept, to be reported
            ("# pinwarden:ingore PW101", Some(Kind::Malformed), &[], None),
            (
                "# pinwarden:ignored PW101",
                Some(Kind::Malformed),
                &[],
                None,
            ),
            ("# pinwarden:ignore:PW101", Some(Kind::Malformed), &[], None),
            ("# pinwarden:", Some(Kind::Malformed), &[], None),
            // not addressed to pinwarden
            ("# NOTE: see pinwarden:ignore PW401", None, &[], None),
            ("# pinwarden ignore PW101", None, &[], None),
            ("#", None, &[], None),
            ("# é", None, &[], None),
        ];
        for (comment, kind, tokens, reason) in cases {
            let parsed = parse_comment(comment);
            assert_eq!(parsed.as_ref().map(|p| &p.kind), kind.as_ref(), "{comment}");
            let Some(parsed) = parsed else { continue };
            let got: Vec<&str> = parsed
                .rules
                .iter()
                .map(|(start, end)| comment.get(*start..*end).unwrap_or("?"))
                .collect();
            assert_eq!(got, *tokens, "{comment}");
            assert_eq!(parsed.reason.as_deref(), *reason, "{comment}");
        }
    }

    fn scopes(text: &str, kind: FileKind, trailing: bool) -> Vec<(Scope, Vec<String>)> {
        let source = SourceFile::new("f", text);
        let found = comments(text, &[], trailing);
        directives(&source, &found, kind)
            .into_iter()
            .map(|d| (d.scope, d.rules.into_iter().map(|r| r.text).collect()))
            .collect()
    }

    #[test]
    fn placement_decides_the_lines() {
        let text = "# pinwarden:ignore-file PW104 -- top\n\
                    \n\
                    # pinwarden:ignore PW101 -- above\n\
                    FROM a:latest\n\
                    # pinwarden:ignore PW401 -- above a comment\n\
                    # the reason, continued\n\
                    FROM b\n\
                    # pinwarden:ignore-file PW105 -- too late\n";
        assert_eq!(
            scopes(text, FileKind::Dockerfile, false),
            vec![
                (Scope::File, vec!["PW104".to_owned()]),
                (Scope::Line(4), vec!["PW101".to_owned()]),
                (Scope::Line(7), vec!["PW401".to_owned()]),
                (Scope::MisplacedFile, vec!["PW105".to_owned()]),
            ]
        );
        // YAML: a trailing comment covers its own line; `---` is not content.
        let yaml = "---\n# pinwarden:ignore-file PW402\nservices:\n  web:\n    image: nginx # pinwarden:ignore PW102 -- ok\n";
        assert_eq!(
            scopes(yaml, FileKind::Compose, true),
            vec![
                (Scope::File, vec!["PW402".to_owned()]),
                (Scope::Line(5), vec!["PW102".to_owned()]),
            ]
        );
    }

    #[test]
    fn env_files_have_trailing_comments_outside_values() {
        use std::sync::Arc;
        let text = "A=1 # pinwarden:ignore PW403 -- unquoted\n\
                    B=\"x # pinwarden:ignore PW101\" # pinwarden:ignore PW102\n\
                    C= # pinwarden:ignore PW104\n\
                    D=x#pinwarden:ignore PW105\n";
        let source = Arc::new(SourceFile::new(".env", text));
        let document = crate::parse::parse(
            Arc::clone(&source),
            FileKind::Env,
            &crate::parse::ParseContext::default(),
        );
        let found: Vec<(Scope, String)> = directives(&source, &document.comments, FileKind::Env)
            .into_iter()
            .filter_map(|d| Some((d.scope, d.rules.first()?.text.clone())))
            .collect();
        // `C= #…` is the value `#…` (compose-go); `x#…` has no blank before `#`.
        assert_eq!(
            found,
            vec![
                (Scope::Line(1), "PW403".to_owned()),
                (Scope::Line(2), "PW102".to_owned()),
            ]
        );
    }

    #[test]
    fn token_spans_point_into_the_file() {
        let text = "FROM x\n  # pinwarden:ignore PW101, image-untagged\nFROM y\n";
        let source = SourceFile::new("Dockerfile", text);
        let found = comments(text, &[], false);
        let directive = directives(&source, &found, FileKind::Dockerfile)
            .pop()
            .unwrap_or_else(|| panic!("a directive"));
        let texts: Vec<&str> = directive
            .rules
            .iter()
            .map(|token| source.slice(token.span))
            .collect();
        assert_eq!(texts, ["PW101", "image-untagged"]);
        assert_eq!(
            source.slice(directive.comment),
            "# pinwarden:ignore PW101, image-untagged"
        );
        assert_eq!(directive.scope, Scope::Line(3));
    }
}
