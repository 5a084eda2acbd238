//! A finding: one rule violation at one place, with everything every report format needs.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::model::level::Level;
use crate::model::location::{Location, Related};
use crate::model::rule::RuleMeta;
use crate::model::suppression::Suppression;

/// Whether a finding existed before: set by `--baseline` and `--new-since` (SARIF
/// `baselineState`). A pre-existing finding is still reported but does not count for the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaselineState {
    /// Not in the baseline, or on a line the change added or edited (or caused by one).
    New,
    /// In the baseline, or untouched by the change since the reference.
    Unchanged,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    /// The effective level (rule default, or as configured).
    pub level: Level,
    /// Lowercase, specific, quoting the value: ``image `nginx:latest` uses the mutable `latest` tag``.
    pub message: String,
    /// The narrowest useful span.
    pub primary: Location,
    pub related: Vec<Related>,
    /// The inline suppression that covers this finding, set after the checks.
    pub suppression: Option<Suppression>,
    /// Set only when a baseline or `--new-since` was given.
    pub baseline: Option<BaselineState>,
}

impl Finding {
    pub fn new(rule: &'static RuleMeta, primary: Location, message: impl Into<String>) -> Self {
        Self {
            rule,
            level: rule.default_level,
            message: message.into(),
            primary,
            related: Vec::new(),
            suppression: None,
            baseline: None,
        }
    }

    /// Does this finding count for the gate (`--fail-on`)? Not when suppressed, nor when it
    /// existed before (baseline, `--new-since`).
    pub fn counts_for_gate(&self) -> bool {
        self.suppression.is_none() && self.baseline != Some(BaselineState::Unchanged)
    }

    #[must_use]
    pub fn with_related(mut self, related: Vec<Related>) -> Self {
        self.related = related;
        self
    }

    /// Sort key: (path, start offset, rule id). Offsets order exactly like (line, column).
    pub fn sort_key(&self) -> (&str, usize, usize, &'static str) {
        (
            self.primary.source.path(),
            self.primary.span.start,
            self.primary.span.end,
            self.rule.id,
        )
    }

    /// The report's order, [`Self::sort_key`]'s: the paths are compared only for findings of
    /// different files (a large tree's paths share long prefixes).
    pub fn report_order(&self, other: &Self) -> Ordering {
        if Arc::ptr_eq(&self.primary.source, &other.primary.source) {
            let key = |finding: &Self| {
                (
                    finding.primary.span.start,
                    finding.primary.span.end,
                    finding.rule.id,
                )
            };
            key(self).cmp(&key(other))
        } else {
            self.sort_key().cmp(&other.sort_key())
        }
    }

    /// The stable identity of a finding, without line numbers: rule id, path and the
    /// whitespace-normalized matched text. `report` adds an ordinal for repeated matches.
    pub fn fingerprint_key(&self) -> String {
        let (id, path, text) = (
            self.rule.id,
            self.primary.source.path(),
            self.primary.text(),
        );
        let mut key = String::with_capacity(id.len() + path.len() + text.len() + 2);
        key.push_str(id);
        key.push('\0');
        key.push_str(path);
        key.push('\0');
        for (index, word) in text.split_whitespace().enumerate() {
            if index > 0 {
                key.push(' ');
            }
            key.push_str(word);
        }
        key
    }
}
