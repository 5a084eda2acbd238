//! Helpers for the PW3xx unit tables: run one rule over a shell line in a Dockerfile `RUN`.

use std::sync::Arc;

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::PinPolicy;
use crate::model::location::Span;
use crate::model::source::SourceFile;
use crate::parse::shell::Word;
use crate::parse::{Document, ParseContext, parse};
use crate::rules::{CheckContext, Rule};

/// Whitespace-separated words with known values (no quoting).
pub(crate) fn words(line: &str) -> Vec<Word> {
    line.split_whitespace()
        .map(|text| Word {
            span: Span::default(),
            raw: text.to_owned(),
            value: Some(text.to_owned()),
            notes: Vec::new(),
        })
        .collect()
}

/// The findings of `rule` on `text` parsed as `kind`, at `policy`.
pub(crate) fn findings(rule: &Rule, kind: FileKind, text: &str, policy: PinPolicy) -> Vec<Finding> {
    let name = match kind {
        FileKind::Workflow => ".github/workflows/ci.yml",
        FileKind::Action => "action.yml",
        _ => "Dockerfile",
    };
    let document: Document = parse(
        Arc::new(SourceFile::new(name, text)),
        kind,
        &ParseContext::default(),
    );
    let cx = CheckContext::with_policy(policy);
    rule.checks
        .iter()
        .flat_map(|check| match check {
            crate::rules::Check::Document(check) => check(&document, &cx),
            _ => Vec::new(),
        })
        .collect()
}

/// The text under each finding of `rule` for the script `line` in a Dockerfile `RUN`.
pub(crate) fn flagged(rule: &Rule, line: &str, policy: PinPolicy) -> Vec<String> {
    let text = format!("FROM debian:12.7\nRUN {line}\n");
    findings(rule, FileKind::Dockerfile, &text, policy)
        .iter()
        .map(|finding| finding.primary.text().to_owned())
        .collect()
}

/// Check a table of `(shell line, flagged texts at the given policy)`.
pub(crate) fn check_table(rule: &Rule, policy: PinPolicy, cases: &[(&str, &[&str])]) {
    for (line, expected) in cases {
        let got = flagged(rule, line, policy);
        assert_eq!(got, *expected, "{} at {policy:?}: {line}", rule.meta.id);
    }
}
