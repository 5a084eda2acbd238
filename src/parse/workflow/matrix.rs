//! `${{ … }}` in image strings, expanded to every value they can take (see
//! [`super::evaluate`]), e.g. from the job's literal matrix.
//!
//! Expansion is bounded twice, so a small file cannot become a large report (issue #7): a
//! string whose expressions have more than [`MAX_COMBINATIONS`] combinations is judged per
//! axis value instead (each value of each expression once, the other expressions at their first
//! value), and one file expands at most [`MAX_EXPANDED_BYTES`] bytes in all; past that, image
//! strings stay unresolved and the file gets one notice.

use std::ops::Range;

use super::evaluate::{Contexts, Outcome, Piece, evaluate};
use crate::model::image::{ImageValue, Part, Unknown, UnknownKind, Unresolved};
use crate::model::location::Related;

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

/// Why a string was not expanded: the file's expansion budget is spent; these are the
/// string's expressions.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct OverBudget(pub(super) Vec<String>);

/// Expands image strings of one file, keeping count of the bytes produced.
pub(super) struct Expander {
    spent: usize,
}

impl Expander {
    pub(super) fn new() -> Self {
        Self { spent: 0 }
    }

    /// Every value `text` can take with the literal entries each took, without repeats. An
    /// empty value (`${{ matrix.container || '' }}`) is no image and is left out.
    pub(super) fn expand(
        &mut self,
        text: &str,
        cx: &Contexts<'_>,
    ) -> Result<Vec<(ImageValue, Vec<Related>)>, OverBudget> {
        let found = expressions(text);
        // Each distinct expression with the values it can take.
        let mut choices: Vec<(&str, Vec<Outcome>)> = Vec::new();
        for expression in &found {
            if choices.iter().all(|(inner, _)| *inner != expression.inner) {
                choices.push((expression.inner, evaluate(expression.inner, cx)));
            }
        }
        let sizes: Vec<usize> = choices.iter().map(|(_, outcomes)| outcomes.len()).collect();
        let mut expansions: Vec<(ImageValue, Vec<Related>)> = Vec::new();
        for pick in picks(&sizes) {
            let picked: Vec<(&str, &Outcome)> = choices
                .iter()
                .zip(&pick)
                .filter_map(|((inner, outcomes), &index)| {
                    outcomes.get(index).map(|outcome| (*inner, outcome))
                })
                .collect();
            let mut pieces: Vec<Piece> = Vec::new();
            let mut last = 0;
            for expression in &found {
                let literal = text.get(last..expression.range.start).unwrap_or("");
                pieces.push(Piece::Text(literal.to_owned()));
                if let Some((_, outcome)) =
                    picked.iter().find(|(inner, _)| *inner == expression.inner)
                {
                    pieces.extend(outcome.value.pieces());
                }
                last = expression.range.end;
            }
            pieces.push(Piece::Text(text.get(last..).unwrap_or("").to_owned()));
            let value = image_value(&pieces);
            self.spent = self
                .spent
                .saturating_add(text.len().max(rendered_len(&pieces)));
            if self.spent > MAX_EXPANDED_BYTES {
                let all = choices.iter().map(|(inner, _)| (*inner).to_owned());
                return Err(OverBudget(all.collect()));
            }
            let empty = matches!(&value, ImageValue::Resolved(text) if text.trim().is_empty());
            if empty || expansions.iter().any(|(known, _)| *known == value) {
                continue;
            }
            let via = picked
                .iter()
                .flat_map(|(_, outcome)| outcome.via.iter().cloned())
                .collect();
            expansions.push((value, via));
        }
        Ok(expansions)
    }

    /// Has the file's expansion budget run out?
    pub(super) fn over_budget(&self) -> bool {
        self.spent > MAX_EXPANDED_BYTES
    }
}

fn rendered_len(pieces: &[Piece]) -> usize {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.len(),
            Piece::Unknown(name) | Piece::Commit(name) => name.len(),
        })
        .sum()
}

/// The image value of an expansion: resolved, or unresolved with the unknown expressions
/// where they stand.
fn image_value(pieces: &[Piece]) -> ImageValue {
    let known = pieces.iter().all(|piece| matches!(piece, Piece::Text(_)));
    if known {
        let text: String = pieces
            .iter()
            .filter_map(|piece| match piece {
                Piece::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        return ImageValue::Resolved(text);
    }
    let mut unknowns: Vec<Unknown> = Vec::new();
    let mut shape: Vec<Part> = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) if text.is_empty() => {}
            Piece::Text(text) => match shape.last_mut() {
                Some(Part::Text(last)) => last.push_str(text),
                _ => shape.push(Part::Text(text.clone())),
            },
            Piece::Unknown(name) => {
                if !unknowns.iter().any(|known| known.name == *name) {
                    unknowns.push(Unknown::new(name.clone(), UnknownKind::Expression));
                }
                shape.push(Part::Unknown);
            }
            Piece::Commit(_) => shape.push(Part::Commit),
        }
    }
    ImageValue::Unresolved(Unresolved {
        unknowns,
        shape: Some(shape),
    })
}

/// Which value of each expression each expansion takes: every combination (the first
/// expression varying fastest), or, past [`MAX_COMBINATIONS`], each value of each expression
/// once with the others at their first value.
fn picks(sizes: &[usize]) -> Vec<Vec<usize>> {
    let sizes: Vec<usize> = sizes.iter().map(|n| (*n).max(1)).collect();
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
        assert_eq!(
            picks(&[2, 3]),
            vec![
                vec![0, 0],
                vec![1, 0],
                vec![0, 1],
                vec![1, 1],
                vec![0, 2],
                vec![1, 2]
            ]
        );
        // 20 × 20 = 400 > 256: 1 + 19 + 19 picks, every value of every axis once.
        let per_axis = picks(&[20, 20]);
        assert_eq!(per_axis.len(), 39);
        for axis in 0..2 {
            let mut seen: Vec<usize> = per_axis.iter().map(|pick| pick[axis]).collect();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), 20);
        }
    }
}
