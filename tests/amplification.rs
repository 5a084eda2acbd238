//! Output grows at most linearly in input, with a small constant: the input shapes that used
//! to turn 30–300 KB into gigabytes (thousands of `FROM` lines, a one-line flow-style compose
//! file, aliases of one long string, large matrices) each stay within bounds in every format.
//!
//! The large-matrix case is in `amplification_matrix.rs`.
//!
//! Bounds asserted (time and peak memory are measured by `bench/amplification`, not here):
//! SARIF ≤ 100 × input and ≤ 25 MB; text and JSON ≤ 100 × input; the markdown summary
//! ≤ 1 MiB (GitHub's step-summary limit); at most 10 annotations per level plus one line.
//! The gate still counts every finding.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod fake_github;
mod support;

use serde_json::Value;
use support::{MAX_INPUT, case, check_bounds, run};

/// Thousands of `FROM` lines: one finding each.
fn many_from_lines() -> (&'static str, String) {
    let mut text = String::new();
    let mut index = 0;
    while text.len() < MAX_INPUT - 64 {
        text.push_str(&format!("FROM r.example/i{index}:latest\n"));
        index += 1;
    }
    ("Dockerfile", text)
}

/// A one-line flow-style compose file: every finding's line is the whole file.
fn flow_compose() -> (&'static str, String) {
    let mut text = String::from("{services: {");
    let mut index = 0;
    while text.len() < MAX_INPUT - 64 {
        text.push_str(&format!("s{index}: {{image: \"nginx:latest\"}}, "));
        index += 1;
    }
    text.push_str("last: {image: nginx}}}\n");
    ("compose.yaml", text)
}

/// One long string aliased many times: few nodes, many bytes, each use quoting it (300 uses
/// stay under the parser's byte budget, so every use is a finding quoting 40 KB).
fn aliased_long_string() -> (&'static str, String) {
    aliased(Some(300))
}

/// The same, aliased until the file is 300 KB: over the byte budget, one PW001.
fn aliased_long_string_everywhere() -> (&'static str, String) {
    aliased(None)
}

fn aliased(uses: Option<usize>) -> (&'static str, String) {
    let long = "a".repeat(40 * 1024);
    let mut text = format!("x-image: &img \"nginx:{long}\"\nservices:\n");
    let mut index = 0;
    while text.len() < MAX_INPUT - 64 && uses.is_none_or(|uses| index < uses) {
        text.push_str(&format!("  s{index}: {{image: *img}}\n"));
        index += 1;
    }
    ("compose.yaml", text)
}

#[test]
fn thousands_of_from_lines_are_bounded_and_all_counted() {
    let (_dir, root, input) = case(many_from_lines);
    check_bounds("FROM lines", &root, input);
    // The gate counts every finding, not just those reported.
    let report: Value = serde_json::from_str(
        &run(
            &root,
            &["scan", "--format", "json", "--fail-on", "never"],
            &[],
        )
        .stdout,
    )
    .unwrap();
    let lines = std::fs::read_to_string(root.join("Dockerfile"))
        .unwrap()
        .lines()
        .count() as u64;
    assert_eq!(report["summary"]["errors"].as_u64(), Some(lines));
    assert!(report["findings"].as_array().unwrap().len() < lines as usize);
    let notes = report["notifications"].to_string();
    assert!(
        notes.contains("more findings in this file are not reported"),
        "{notes}"
    );
    let output = run(&root, &["scan", "--format", "sarif"], &[]);
    assert_eq!(output.code, 1, "the gate still fails");
}

#[test]
fn a_one_line_flow_compose_file_is_bounded() {
    let (_dir, root, input) = case(flow_compose);
    check_bounds("flow compose", &root, input);
}

#[test]
fn aliases_of_one_long_string_are_bounded() {
    let (_dir, root, input) = case(aliased_long_string);
    check_bounds("aliased string", &root, input);
}

#[test]
fn aliases_past_the_byte_budget_are_one_parse_error() {
    let (_dir, root, input) = case(aliased_long_string_everywhere);
    check_bounds("aliased string everywhere", &root, input);
    let report: Value = serde_json::from_str(
        &run(
            &root,
            &["scan", "--format", "json", "--fail-on", "never"],
            &[],
        )
        .stdout,
    )
    .unwrap();
    assert!(
        report["findings"].to_string().contains("bytes of text"),
        "{report}"
    );
}
