//! `${{ matrix.<name> }}` in image strings, expanded from the job's literal matrix.
//!
//! Expansion is bounded twice, so a small file cannot become a large report (issue #7): a
//! string whose expressions have more than [`MAX_COMBINATIONS`] combinations is judged per
//! axis value instead (each value of each expression once, the other expressions at their first
//! value), and one file expands at most [`MAX_EXPANDED_BYTES`] bytes in all; past that, image
//! strings stay unresolved and the file gets one notice.

use std::ops::Range;
use std::sync::Arc;

use crate::model::location::{Location, Related};
use crate::model::source::SourceFile;
use crate::parse::yaml::Node;

/// More matrix combinations than this in one image string are judged per axis value.
pub const MAX_COMBINATIONS: usize = 256;

/// The most bytes of expanded image strings one file may produce.
pub const MAX_EXPANDED_BYTES: usize = 1 << 20;

/// One `${{ … }}` in an image string: its byte range and its trimmed expression.
pub(super) struct Expression<'t> {
    range: Range<usize>,
    inner: &'t str,
}

/// The `${{ … }}` expressions of `text`, in order (an unterminated one is left as text).
pub(super) fn expressions(text: &str) -> Vec<Expression<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|rest| rest.find("${{")) {
        let start = from + open;
        let body = start + 3;
        let Some(close) = text.get(body..).and_then(|rest| rest.find("}}")) else {
            break;
        };
        let end = body + close + 2;
        let inner = text.get(body..body + close).unwrap_or("").trim();
        found.push(Expression {
            range: start..end,
            inner,
        });
        from = end;
    }
    found
}

/// The variable name of a `matrix.<name>` expression.
fn matrix_name(expression: &str) -> Option<&str> {
    let name = expression.strip_prefix("matrix.")?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then_some(name)
}

/// The literal values of `matrix.<name>` (its list and `include` entries), deduplicated, or
/// `None` if the matrix is computed (e.g. `${{ fromJSON(…) }}`) or does not define it.
fn matrix_values<'n>(matrix: Option<&'n Node>, name: &str) -> Option<Vec<&'n Node>> {
    let matrix = matrix?;
    matrix.as_mapping()?;
    let mut values: Vec<&Node> = Vec::new();
    let mut add = |node: &'n Node| {
        let Some(text) = node.as_string() else { return };
        if text.contains("${{") || values.iter().any(|v| v.as_str() == Some(text)) {
            return;
        }
        values.push(node);
    };
    if let Some(list) = matrix.get(name) {
        list.as_sequence()?.iter().for_each(&mut add);
    }
    for entry in matrix
        .get("include")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
    {
        if let Some(value) = entry.get(name) {
            add(value);
        }
    }
    (!values.is_empty()).then_some(values)
}

/// Why a string was not expanded.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Unexpanded {
    /// These expressions have no literal values.
    Unresolvable(Vec<String>),
    /// The file's expansion budget is spent; these are the string's expressions.
    OverBudget(Vec<String>),
}

/// Expands image strings of one file, keeping count of the bytes produced.
pub(super) struct Expander<'a> {
    source: &'a Arc<SourceFile>,
    spent: usize,
}

impl<'a> Expander<'a> {
    pub(super) fn new(source: &'a Arc<SourceFile>) -> Self {
        Self { source, spent: 0 }
    }

    /// Every expansion of `text` with the matrix entries it took, or why there is none.
    pub(super) fn expand(
        &mut self,
        text: &str,
        matrix: Option<&Node>,
    ) -> Result<Vec<(String, Vec<Related>)>, Unexpanded> {
        let found = expressions(text);
        // Each distinct expression with its literal matrix values (None: unresolvable).
        let mut choices: Vec<(&str, Option<Vec<&Node>>)> = Vec::new();
        for expression in &found {
            if choices.iter().all(|(inner, _)| *inner != expression.inner) {
                let name = matrix_name(expression.inner);
                let values = name.and_then(|name| matrix_values(matrix, name));
                choices.push((expression.inner, values));
            }
        }
        let unresolvable: Vec<String> = choices
            .iter()
            .filter(|(_, values)| values.is_none())
            .map(|(inner, _)| (*inner).to_owned())
            .collect();
        if !unresolvable.is_empty() {
            return Err(Unexpanded::Unresolvable(unresolvable));
        }
        let values: Vec<&[&Node]> = choices
            .iter()
            .map(|(_, values)| values.as_deref().unwrap_or(&[]))
            .collect();
        let picks = picks(&values);
        let mut expansions = Vec::with_capacity(picks.len());
        for pick in picks {
            let picked: Vec<(&str, &Node)> = choices
                .iter()
                .zip(&values)
                .zip(&pick)
                .filter_map(|(((inner, _), values), &index)| {
                    values.get(index).map(|node| (*inner, *node))
                })
                .collect();
            let mut expanded = String::with_capacity(text.len());
            let mut last = 0;
            for expression in &found {
                expanded.push_str(text.get(last..expression.range.start).unwrap_or(""));
                let value = picked.iter().find(|(inner, _)| *inner == expression.inner);
                expanded.push_str(value.and_then(|(_, node)| node.as_str()).unwrap_or(""));
                last = expression.range.end;
            }
            expanded.push_str(text.get(last..).unwrap_or(""));
            self.spent = self.spent.saturating_add(expanded.len());
            if self.spent > MAX_EXPANDED_BYTES {
                let all = choices.iter().map(|(inner, _)| (*inner).to_owned());
                return Err(Unexpanded::OverBudget(all.collect()));
            }
            let via = picked
                .iter()
                .map(|(inner, node)| Related {
                    location: Location::new(Arc::clone(self.source), node.span),
                    label: format!("`{inner}` is `{}` here", node.as_str().unwrap_or("")),
                })
                .collect();
            expansions.push((expanded, via));
        }
        Ok(expansions)
    }

    /// Has the file's expansion budget run out?
    pub(super) fn over_budget(&self) -> bool {
        self.spent > MAX_EXPANDED_BYTES
    }
}

/// Which value of each expression each expansion takes: every combination (the first
/// expression varying fastest), or, past [`MAX_COMBINATIONS`], each value of each expression
/// once with the others at their first value.
fn picks(values: &[&[&Node]]) -> Vec<Vec<usize>> {
    let sizes: Vec<usize> = values.iter().map(|v| v.len().max(1)).collect();
    let combinations = sizes.iter().try_fold(1usize, |count, &n| {
        count.checked_mul(n).filter(|&c| c <= MAX_COMBINATIONS)
    });
    match combinations {
        Some(combinations) => (0..combinations)
            .map(|combination| {
                let mut rest = combination;
                sizes
                    .iter()
                    .map(|&size| {
                        let index = rest % size;
                        rest /= size;
                        index
                    })
                    .collect()
            })
            .collect(),
        None => {
            let mut out = vec![vec![0; sizes.len()]];
            for (axis, &size) in sizes.iter().enumerate() {
                for index in 1..size {
                    let mut pick = vec![0; sizes.len()];
                    if let Some(slot) = pick.get_mut(axis) {
                        *slot = index;
                    }
                    out.push(pick);
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_are_combinations_then_axes() {
        let node = Node {
            value: crate::parse::yaml::Value::Null,
            span: crate::model::location::Span::at(0),
            alias: None,
        };
        let two = [&node, &node];
        let three = [&node, &node, &node];
        assert_eq!(
            picks(&[&two, &three]),
            vec![
                vec![0, 0],
                vec![1, 0],
                vec![0, 1],
                vec![1, 1],
                vec![0, 2],
                vec![1, 2]
            ]
        );
        let many: Vec<&Node> = std::iter::repeat_n(&node, 20).collect();
        // 20 × 20 = 400 > 256: 1 + 19 + 19 picks, every value of every axis once.
        let per_axis = picks(&[&many, &many]);
        assert_eq!(per_axis.len(), 39);
        for axis in 0..2 {
            let mut seen: Vec<usize> = per_axis.iter().map(|pick| pick[axis]).collect();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), 20);
        }
    }
}
