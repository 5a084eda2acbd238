//! The `name=value` pairs of `ENV` and `ARG` instructions with a span for the name and for the
//! value, as BuildKit splits them (`parseNameVal`, `parseNameOrNameVal`): `ENV a=1 b=2`, the
//! legacy `ENV name the rest of the line`, and `ARG name[=default] …`. Values are as written
//! (quotes and escapes kept): expanding them is [`super::scope`]'s business.

use super::{Args, Instruction, Keyword, LogicalText};
use crate::model::location::Span;

/// One `name=value` of an `ENV` or `ARG` instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub name_span: Span,
    /// The value as written, quotes and escapes kept; `None` for `ARG name` (no default).
    pub value: Option<String>,
    /// Where the value is written; empty, right after the name or `=`, when it is empty.
    pub value_span: Span,
}

impl Instruction {
    /// The pairs an `ENV` or `ARG` instruction sets (nothing for other instructions, and
    /// nothing for the words BuildKit rejects, which are PW001 problems already).
    pub fn assignments(&self) -> Vec<Assignment> {
        let Args::Shell(text) = &self.args else {
            return Vec::new();
        };
        match self.keyword {
            Keyword::Env => env_assignments(text),
            Keyword::Arg => arg_assignments(text),
            _ => Vec::new(),
        }
    }
}

fn env_assignments(text: &LogicalText) -> Vec<Assignment> {
    let ranges = text.word_ranges();
    let first_has_equals = ranges
        .first()
        .and_then(|&(start, end)| text.text.get(start..end))
        .is_some_and(|word| word.contains('='));
    if first_has_equals {
        return ranges
            .into_iter()
            .filter_map(|range| pair(text, range, true))
            .collect();
    }
    // Legacy `ENV name value…`: the name up to the first blank, the value is the rest.
    let all = text.text.as_str();
    let start = all.len() - all.trim_start().len();
    let name_end = all
        .get(start..)
        .and_then(|rest| rest.find(super::is_separator))
        .map_or(all.len(), |offset| start + offset);
    let after = all.get(name_end..).unwrap_or("");
    let value_start =
        name_end + (after.len() - after.trim_start_matches(super::is_separator).len());
    let value_end = all.trim_end().len().max(value_start);
    let (Some(name), Some(value)) = (all.get(start..name_end), all.get(value_start..value_end))
    else {
        return Vec::new();
    };
    if name.is_empty() || value.is_empty() {
        return Vec::new();
    }
    vec![Assignment {
        name: name.to_owned(),
        name_span: text.original_span(Span::new(start, name_end)),
        value: Some(value.to_owned()),
        value_span: text.original_span(Span::new(value_start, value_end)),
    }]
}

fn arg_assignments(text: &LogicalText) -> Vec<Assignment> {
    text.word_ranges()
        .into_iter()
        .filter_map(|range| pair(text, range, false))
        .collect()
}

/// One `name=value` word (`name` alone when `=` is optional, as for `ARG`).
fn pair(text: &LogicalText, (start, end): (usize, usize), needs_value: bool) -> Option<Assignment> {
    let word = text.text.get(start..end)?;
    let (name, value) = match word.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None if needs_value => return None,
        None => (word, None),
    };
    if name.is_empty() {
        return None;
    }
    let name_end = start + name.len();
    let value_span = match value {
        Some(value) => text.original_span(Span::new(name_end + 1, name_end + 1 + value.len())),
        None => text.original_span(Span::at(name_end)),
    };
    Some(Assignment {
        name: name.to_owned(),
        name_span: text.original_span(Span::new(start, name_end)),
        value: value.map(str::to_owned),
        value_span,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::model::source::SourceFile;
    use crate::parse::dockerfile::parse;

    /// (Dockerfile, every pair as (name as spanned, value as spanned, value as reported))
    #[test]
    fn pairs_with_their_spans() {
        type Pairs = &'static [(&'static str, &'static str, Option<&'static str>)];
        let cases: &[(&str, Pairs)] = &[
            (
                "ENV A=1 B=\"two words\"",
                &[
                    ("A", "1", Some("1")),
                    ("B", "\"two words\"", Some("\"two words\"")),
                ],
            ),
            // legacy form: the rest of the line, inner blanks kept
            (
                "ENV TOKEN  some value ",
                &[("TOKEN", "some value", Some("some value"))],
            ),
            (
                "ARG A B=2 C=",
                &[("A", "", None), ("B", "2", Some("2")), ("C", "", Some(""))],
            ),
            // a continuation inside the line: each span stays on its own line
            (
                "ENV A=1 \\\n    B=2",
                &[("A", "1", Some("1")), ("B", "2", Some("2"))],
            ),
            // a word without `=` in the `=` form is BuildKit's error, not a pair
            ("ENV A=1 B", &[("A", "1", Some("1"))]),
            ("ENV", &[]),
            ("ENV ONLY", &[]),
            ("RUN A=1", &[]),
        ];
        for (line, expected) in cases {
            let text = format!("FROM a\n{line}\n");
            let source = Arc::new(SourceFile::new("Dockerfile", text));
            let parsed = parse(&source);
            let got: Vec<(String, String, Option<String>)> = parsed
                .dockerfile
                .instructions
                .iter()
                .flat_map(|instruction| instruction.assignments())
                .map(|pair| {
                    (
                        source.slice(pair.name_span).to_owned(),
                        source.slice(pair.value_span).to_owned(),
                        pair.value,
                    )
                })
                .collect();
            let want: Vec<(String, String, Option<String>)> = expected
                .iter()
                .map(|(name, written, value)| {
                    (
                        (*name).to_owned(),
                        (*written).to_owned(),
                        value.map(str::to_owned),
                    )
                })
                .collect();
            assert_eq!(got, want, "{line:?}");
        }
    }
}
