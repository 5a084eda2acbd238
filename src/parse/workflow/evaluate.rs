//! The values a GitHub Actions expression in an image field can take.
//!
//! Parsed with zizmor's `github-actions-expressions`; evaluated far enough to enumerate the
//! literal values (docs.github.com, "Evaluate expressions in workflows and actions"): string,
//! number, boolean and null literals; `||` and `&&` with their short-circuit semantics (`a || b`
//! is `a` when `a` is truthy, else `b`; `a && b` is `a` when `a` is falsy, else `b`); `!`;
//! parentheses; comparisons and other functions as booleans or values not known here;
//! `format()` and `case()`; `matrix.*` from the job's literal matrix and `env.*` from literal
//! `env:` values. Anything else (`inputs.*`, `needs.*`, `vars.*` …) is a value not known here,
//! except this run's commit (`github.sha`), which names exactly one build.

use std::sync::Arc;

use github_actions_expressions::call::{Call, Function};
use github_actions_expressions::context::Context;
use github_actions_expressions::literal::Literal;
use github_actions_expressions::op::{BinExpr, BinOp, UnOp};
use github_actions_expressions::{Evaluation, Expr, SpannedExpr};

use crate::model::location::{Location, Related};
use crate::model::source::SourceFile;
use crate::parse::yaml::Node;

/// One expression yields at most this many values; past that it is one value not known here.
pub(super) const MAX_VALUES: usize = 64;

/// Contexts whose value is the commit this run builds.
const COMMIT_CONTEXTS: &[&str] = &[
    "github.sha",
    "github.event.pull_request.head.sha",
    "github.event.workflow_run.head_sha",
];

/// A piece of a string value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Piece {
    Text(String),
    /// A value not known here, named by its expression (`inputs.tag`).
    Unknown(String),
    /// This run's commit, named by its expression (`github.sha`).
    Commit(String),
}

/// A value an expression can take.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    /// A string, possibly with pieces not known here.
    Text(Vec<Piece>),
    Number(f64),
    Bool(bool),
    Null,
    /// A value not known here; `truthy` is what is known of its truthiness.
    Opaque {
        name: String,
        truthy: Option<bool>,
    },
}

/// A value with the literal entries (matrix, `env`) it was read from.
#[derive(Clone, Debug)]
pub(super) struct Outcome {
    pub(super) value: Value,
    pub(super) via: Vec<Related>,
}

/// What an expression can read: the job's matrix and the `env:` mappings in lookup order.
pub(super) struct Contexts<'a> {
    pub(super) source: &'a Arc<SourceFile>,
    pub(super) matrix: Option<&'a Node>,
    pub(super) env: Vec<&'a Node>,
}

impl Value {
    fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        if text.is_empty() {
            Self::Text(Vec::new())
        } else {
            Self::Text(vec![Piece::Text(text)])
        }
    }

    fn opaque(name: &str) -> Self {
        Self::Opaque {
            name: name.to_owned(),
            truthy: None,
        }
    }

    /// Truthiness as GitHub decides it, `None` when it depends on a value not known here.
    pub(super) fn truthy(&self) -> Option<bool> {
        match self {
            Self::Text(pieces) => {
                if pieces
                    .iter()
                    .any(|piece| matches!(piece, Piece::Text(t) if !t.is_empty()))
                    || pieces.iter().any(|piece| matches!(piece, Piece::Commit(_)))
                {
                    Some(true)
                } else if pieces.is_empty() {
                    Some(false)
                } else {
                    None
                }
            }
            Self::Number(n) => Some(*n != 0.0 && !n.is_nan()),
            Self::Bool(b) => Some(*b),
            Self::Null => Some(false),
            Self::Opaque { truthy, .. } => *truthy,
        }
    }

    /// The value as the pieces of a string (what `${{ }}` substitutes).
    pub(super) fn pieces(&self) -> Vec<Piece> {
        match self {
            Self::Text(pieces) => pieces.clone(),
            Self::Number(n) => vec![Piece::Text(Evaluation::Number(*n).sema().to_string())],
            Self::Bool(b) => vec![Piece::Text(b.to_string())],
            Self::Null => Vec::new(),
            Self::Opaque { name, .. } if is_commit(name) => vec![Piece::Commit(name.clone())],
            Self::Opaque { name, .. } => vec![Piece::Unknown(name.clone())],
        }
    }

    /// The same value known to be truthy or falsy.
    fn known_truthy(self, truthy: bool) -> Self {
        match self {
            Self::Opaque { name, .. } => Self::Opaque {
                name,
                truthy: Some(truthy),
            },
            // A string of unknown content that is falsy is empty.
            Self::Text(_) if !truthy => Self::Text(Vec::new()),
            other => other,
        }
    }
}

fn is_commit(name: &str) -> bool {
    COMMIT_CONTEXTS
        .iter()
        .any(|context| context.eq_ignore_ascii_case(name))
}

/// Every value the expression `inner` (the text inside `${{ }}`) can take.
pub(super) fn evaluate(inner: &str, cx: &Contexts<'_>) -> Vec<Outcome> {
    match Expr::parse(inner) {
        Ok(expr) => cx.values(&expr),
        Err(_) => vec![plain(Value::opaque(inner.trim()))],
    }
}

fn plain(value: Value) -> Outcome {
    Outcome {
        value,
        via: Vec::new(),
    }
}

/// `outcomes`, without repeated values, or one value not known here when there are too many.
fn bounded(outcomes: Vec<Outcome>, name: &str) -> Vec<Outcome> {
    let mut unique: Vec<Outcome> = Vec::new();
    for outcome in outcomes {
        if !unique.iter().any(|known| known.value == outcome.value) {
            unique.push(outcome);
        }
        if unique.len() > MAX_VALUES {
            return vec![plain(Value::opaque(name))];
        }
    }
    unique
}

fn joined(a: &[Related], b: &[Related]) -> Vec<Related> {
    a.iter().chain(b).cloned().collect()
}

impl Contexts<'_> {
    fn values(&self, expr: &SpannedExpr<'_>) -> Vec<Outcome> {
        let name = expr.origin.raw;
        if let Some(evaluation) = expr.consteval() {
            return vec![plain(from_evaluation(&evaluation, name))];
        }
        let outcomes = match &expr.inner {
            Expr::Literal(literal) => vec![plain(match literal {
                Literal::String(text) => Value::text(text.as_ref()),
                Literal::Number(n) => Value::Number(*n),
                Literal::Boolean(b) => Value::Bool(*b),
                Literal::Null => Value::Null,
            })],
            Expr::Context(context) => self.context(context, name),
            Expr::BinExpr(BinExpr { lhs, op, rhs }) => match op {
                BinOp::Or => self.or(lhs, rhs),
                BinOp::And => self.and(lhs, rhs),
                // NOTE: comparisons are booleans not known here (issue #9: no guessing).
                _ => vec![plain(Value::opaque(name))],
            },
            Expr::UnExpr {
                op: UnOp::Not,
                expr,
            } => self
                .values(expr)
                .into_iter()
                .map(|outcome| Outcome {
                    value: match outcome.value.truthy() {
                        Some(truthy) => Value::Bool(!truthy),
                        None => Value::opaque(name),
                    },
                    via: outcome.via,
                })
                .collect(),
            Expr::Call(call) => self.call(call, name),
            _ => vec![plain(Value::opaque(name))],
        };
        bounded(outcomes, name)
    }

    fn or(&self, lhs: &SpannedExpr<'_>, rhs: &SpannedExpr<'_>) -> Vec<Outcome> {
        let right = self.values(rhs);
        let mut out = Vec::new();
        for left in self.values(lhs) {
            let truthy = left.value.truthy();
            if truthy != Some(false) {
                out.push(Outcome {
                    value: left.value.clone().known_truthy(true),
                    via: left.via.clone(),
                });
            }
            if truthy != Some(true) {
                out.extend(right.iter().map(|r| Outcome {
                    value: r.value.clone(),
                    via: joined(&left.via, &r.via),
                }));
            }
        }
        out
    }

    fn and(&self, lhs: &SpannedExpr<'_>, rhs: &SpannedExpr<'_>) -> Vec<Outcome> {
        let right = self.values(rhs);
        let mut out = Vec::new();
        for left in self.values(lhs) {
            let truthy = left.value.truthy();
            if truthy != Some(true) {
                out.push(Outcome {
                    value: left.value.clone().known_truthy(false),
                    via: left.via.clone(),
                });
            }
            if truthy != Some(false) {
                out.extend(right.iter().map(|r| Outcome {
                    value: r.value.clone(),
                    via: joined(&left.via, &r.via),
                }));
            }
        }
        out
    }

    fn call(&self, call: &Call<'_>, name: &str) -> Vec<Outcome> {
        match call.func {
            Function::Format => self.format(&call.args, name),
            // `case(pred1, value1, …, default)`: one of the values or the default.
            Function::Case if call.args.len() % 2 == 1 => {
                let last = call.args.len() - 1;
                let mut out = Vec::new();
                for (index, arg) in call.args.iter().enumerate() {
                    if index % 2 == 1 || index == last {
                        out.extend(self.values(arg));
                    }
                }
                out
            }
            _ => vec![plain(Value::opaque(name))],
        }
    }

    /// `format('{0}:{1}', a, b)`: every combination of the arguments' values.
    fn format(&self, args: &[SpannedExpr<'_>], name: &str) -> Vec<Outcome> {
        let Some((pattern, rest)) = args.split_first() else {
            return vec![plain(Value::opaque(name))];
        };
        let mut combinations: Vec<(Vec<Value>, Vec<Related>)> = Vec::new();
        for outcome in self.values(pattern) {
            combinations.push((vec![outcome.value], outcome.via));
        }
        for arg in rest {
            let values = self.values(arg);
            let mut next = Vec::new();
            for (chosen, via) in &combinations {
                for value in &values {
                    let mut chosen = chosen.clone();
                    chosen.push(value.value.clone());
                    next.push((chosen, joined(via, &value.via)));
                }
            }
            if next.len() > MAX_VALUES {
                return vec![plain(Value::opaque(name))];
            }
            combinations = next;
        }
        combinations
            .into_iter()
            .map(|(values, via)| {
                let value = match values.split_first() {
                    Some((Value::Text(pattern), args)) => {
                        let pattern: Option<String> = pattern
                            .iter()
                            .map(|piece| match piece {
                                Piece::Text(text) => Some(text.as_str()),
                                _ => None,
                            })
                            .collect();
                        pattern
                            .and_then(|pattern| format_pieces(&pattern, args))
                            .map_or_else(|| Value::opaque(name), Value::Text)
                    }
                    _ => Value::opaque(name),
                };
                Outcome { value, via }
            })
            .collect()
    }

    /// `matrix.*`, `env.*` and this run's commit; anything else is not known here.
    fn context(&self, context: &Context<'_>, name: &str) -> Vec<Outcome> {
        let path: Option<Vec<String>> = context
            .parts
            .iter()
            .map(|part| match &part.inner {
                Expr::Identifier(identifier) => Some(identifier.as_str().to_owned()),
                Expr::Index(index) => match &index.inner {
                    Expr::Literal(Literal::String(key)) => Some(key.to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let opaque = || vec![plain(Value::opaque(name))];
        let Some(path) = path else { return opaque() };
        let Some((head, rest)) = path.split_first() else {
            return opaque();
        };
        if head.eq_ignore_ascii_case("matrix") {
            return self.matrix(rest, name).unwrap_or_else(opaque);
        }
        if head.eq_ignore_ascii_case("env")
            && let [key] = rest
        {
            return self.env(key, name).unwrap_or_else(opaque);
        }
        if is_commit(&path.join(".")) {
            return vec![plain(Value::Opaque {
                name: path.join("."),
                truthy: Some(true),
            })];
        }
        opaque()
    }

    /// The literal values of `matrix.<path>`: its axis values and `include` entries. A key
    /// that only `include` defines is null in the other combinations. `None` when the matrix
    /// is computed or does not define the key.
    fn matrix(&self, path: &[String], name: &str) -> Option<Vec<Outcome>> {
        let matrix = self.matrix?;
        let entries = matrix.as_mapping()?;
        let (key, rest) = path.split_first()?;
        let mut candidates: Vec<&Node> = Vec::new();
        let axis = get(matrix, key);
        if let Some(axis) = axis {
            candidates.extend(axis.as_sequence()?.iter());
        }
        for entry in get(matrix, "include")
            .and_then(Node::as_sequence)
            .unwrap_or(&[])
        {
            candidates.extend(get(entry, key));
        }
        let mut out = Vec::new();
        for candidate in candidates {
            let mut node = candidate;
            for step in rest {
                node = get(node, step)?;
            }
            let text = node.as_string()?;
            if text.contains("${{") {
                return None;
            }
            out.push(Outcome {
                value: Value::text(text),
                via: vec![Related {
                    location: Location::new(Arc::clone(self.source), node.span),
                    label: format!("`{name}` is `{text}` here"),
                }],
            });
        }
        if out.is_empty() {
            return None;
        }
        let other_axes = entries.iter().any(|(k, _)| {
            k.as_str().is_some_and(|k| {
                !matches!(k, "include" | "exclude") && !k.eq_ignore_ascii_case(key)
            })
        });
        if axis.is_none() && other_axes {
            out.push(plain(Value::Null));
        }
        Some(out)
    }

    /// A literal `env:` value (the job's, else the workflow's).
    fn env(&self, key: &str, name: &str) -> Option<Vec<Outcome>> {
        let node = self.env.iter().find_map(|env| get(env, key))?;
        let text = node.as_string()?;
        if text.contains("${{") {
            return None;
        }
        Some(vec![Outcome {
            value: Value::text(text),
            via: vec![Related {
                location: Location::new(Arc::clone(self.source), node.span),
                label: format!("`{name}` is `{text}` here"),
            }],
        }])
    }
}

/// A mapping's value for `key`, compared case-insensitively as GitHub compares property names.
fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    node.as_mapping()?
        .iter()
        .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(key)))
        .map(|(_, v)| v)
}

fn from_evaluation(evaluation: &Evaluation, name: &str) -> Value {
    match evaluation {
        Evaluation::String(text) => Value::text(text.as_str()),
        Evaluation::Number(n) => Value::Number(*n),
        Evaluation::Boolean(b) => Value::Bool(*b),
        Evaluation::Null => Value::Null,
        Evaluation::Array(_) | Evaluation::Object(_) => Value::Opaque {
            name: name.to_owned(),
            truthy: Some(true),
        },
    }
}

/// GitHub's `format`: `{N}` is argument N, `{{` and `}}` are braces; anything else is an
/// error (`None`).
fn format_pieces(pattern: &str, args: &[Value]) -> Option<Vec<Piece>> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut text = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut digits = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        d if d.is_ascii_digit() => digits.push(d),
                        _ => return None,
                    }
                }
                let index: usize = digits.parse().ok()?;
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.extend(args.get(index)?.pieces());
            }
            '}' => return None,
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Some(pieces)
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
