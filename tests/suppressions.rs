//! Inline suppressions end to end: placement (same line, line above, file level) in
//! Dockerfiles, compose, `.env`, workflows and Kubernetes; ids and names; what every output
//! format does with a suppressed finding; the gate. PW002 itself: tests/rules.rs (`PW002/bad`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;

use common::{fixtures, scan, scan_json, scan_sarif};
use serde_json::Value;

/// (rule, path, line, suppressed, justification) of every finding.
fn rows(report: &Value) -> Vec<(String, String, u64, bool, Option<String>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
                f["suppressed"].as_bool().unwrap(),
                f["suppression"]["justification"]
                    .as_str()
                    .map(str::to_owned),
            )
        })
        .collect()
}

fn row(
    rule: &str,
    path: &str,
    line: u64,
    justification: Option<&str>,
) -> (String, String, u64, bool, Option<String>) {
    (
        rule.to_owned(),
        path.to_owned(),
        line,
        justification.is_some(),
        justification.map(str::to_owned),
    )
}

#[test]
fn every_placement_in_every_kind_of_file() {
    let report = scan_json(&fixtures().join("suppressions"), &["--policy", "version"]);
    assert_eq!(
        rows(&report),
        vec![
            // `.env`: a trailing comment on the secret's line (the finding is the compose
            // file's, reported in the `.env`)
            row(
                "PW403",
                ".env",
                1,
                Some("the test database's throwaway password")
            ),
            // workflow: trailing, by id; then the line above, by name
            row(
                "PW202",
                ".github/workflows/ci.yml",
                7,
                Some("GitHub's own action")
            ),
            row(
                "PW202",
                ".github/workflows/ci.yml",
                9,
                Some("GitHub's own action")
            ),
            // Dockerfile: the line above, across a comment line
            row(
                "PW101",
                "Dockerfile",
                6,
                Some("a throwaway test stage, rebuilt on every run")
            ),
            // a comment line inside a `RUN` continued with `\`
            row(
                "PW301",
                "Dockerfile",
                9,
                Some("the distribution's current curl, on purpose")
            ),
            // `ignore-file` by name, after the `# syntax=` line
            row(
                "PW401",
                "Dockerfile",
                10,
                Some("a GitHub container action: GitHub runs it as root")
            ),
            // not covered: `ignore` PW101 above line 6 does not reach line 10
            row("PW101", "Dockerfile", 10, None),
            // compose: a trailing comment
            row(
                "PW101",
                "compose.yaml",
                3,
                Some("pinned by the deploy tooling")
            ),
            // Kubernetes: `ignore-file` after a `---` marker
            row(
                "PW402",
                "k8s.yaml",
                15,
                Some("the cluster's admission policy sets it")
            ),
        ]
    );
    let summary = &report["summary"];
    assert_eq!(
        (
            summary["findings"].as_u64(),
            summary["errors"].as_u64(),
            summary["suppressed"].as_u64()
        ),
        (Some(1), Some(1), Some(8)),
        "the counts are the gate's: suppressed findings are counted apart"
    );
    let suppression = &report["findings"][0]["suppression"];
    assert_eq!(
        (
            suppression["path"].as_str(),
            suppression["start"]["line"].as_u64(),
            suppression["start"]["column"].as_u64()
        ),
        (Some(".env"), Some(1), Some(21)),
        "the suppression points at its comment"
    );
}

#[test]
fn text_hides_suppressed_findings_unless_asked() {
    let cwd = fixtures().join("suppressions");
    let (code, hidden, _) = scan(&cwd, &["--color", "never"]);
    assert_eq!(code, 1, "the one finding left is an error");
    let findings = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|line| line.contains(": PW"))
            .map(|line| line.split(": PW").next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(findings(&hidden), ["Dockerfile:10:6"]);
    assert!(
        hidden.ends_with(
            "found 1 finding in 1 file (5 files scanned) at policy `version`: 1 error, 0 \
             warnings, 0 notes; 8 suppressed\n"
        ),
        "{hidden}"
    );
    let (code, shown, _) = scan(&cwd, &["--color", "never", "--show-suppressed"]);
    assert_eq!(
        code, 1,
        "--show-suppressed changes what is shown, not the gate"
    );
    assert_eq!(findings(&shown).len(), 9);
    assert!(
        shown.contains(
            "= suppressed by the comment at compose.yaml:3: pinned by the deploy tooling"
        ),
        "{shown}"
    );
    assert_eq!(
        shown.lines().last(),
        hidden.lines().last(),
        "the summary does not change"
    );
}

#[test]
fn annotations_skip_and_summaries_count_suppressed_findings() {
    let cwd = fixtures().join("suppressions");
    let (_, annotations, _) = scan(&cwd, &["--format", "github"]);
    let lines: Vec<&str> = annotations.lines().collect();
    assert_eq!(lines.len(), 1, "{annotations}");
    assert!(lines[0].starts_with("::error file=Dockerfile,line=10,col=6"));
    let (_, markdown, _) = scan(&cwd, &["--format", "markdown"]);
    assert!(
        markdown.contains("0 warnings, 0 notes. 8 suppressed (see the SARIF log)."),
        "{markdown}"
    );
    let table_rows = markdown
        .lines()
        .filter(|line| line.starts_with("| error |"));
    assert_eq!(table_rows.count(), 1, "{markdown}");
}

#[test]
fn sarif_keeps_suppressed_results_with_their_justification() {
    let log = scan_sarif(&fixtures().join("suppressions"), &["--policy", "version"]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 9, "suppressed results stay in the log");
    let suppressed = results
        .iter()
        .filter(|result| result.get("suppressions").is_some())
        .count();
    assert_eq!(suppressed, 8);
    insta::assert_json_snapshot!("sarif_suppressed", log["runs"][0]["results"]);
}

/// Write `files` into a temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn exit_code(dir: &Path, args: &[&str]) -> i32 {
    scan(dir, args).0
}

#[test]
fn the_gate_passes_when_the_only_error_is_suppressed() {
    let dockerfile = "FROM python:3.12.7-slim\nUSER app\n";
    let dir = tree(&[("Dockerfile", dockerfile)]);
    assert_eq!(exit_code(dir.path(), &["--policy", "digest"]), 1);
    let dir = tree(&[(
        "Dockerfile",
        &format!("# pinwarden:ignore PW105 -- pinned when released\n{dockerfile}"),
    )]);
    assert_eq!(exit_code(dir.path(), &["--policy", "digest"]), 0);
    assert_eq!(
        exit_code(dir.path(), &["--policy", "digest", "--fail-on", "note"]),
        0,
        "a suppressed finding trips no --fail-on level"
    );
    // At `version` PW105 does not run: its suppression is not unused, nothing fails.
    assert_eq!(
        exit_code(dir.path(), &["--policy", "version", "--fail-on", "note"]),
        0
    );
}

#[test]
fn ids_and_names_in_any_case_and_separator() {
    let dir = tree(&[(
        "docker-compose.yml",
        "services:\n  \
           a:\n    image: redis:latest # pinwarden:ignore IMAGE-LATEST-TAG -- by name\n    user: \"1000\"\n    security_opt: [\"no-new-privileges:true\"]\n  \
           b:\n    image: redis:7 # pinwarden:ignore pw104,pw105  -- ids, lowercase\n    user: \"1000\"\n    security_opt: [\"no-new-privileges:true\"]\n",
    )]);
    let report = scan_json(dir.path(), &["--policy", "digest"]);
    let got: Vec<(String, bool)> = rows(&report)
        .into_iter()
        .map(|(rule, _, _, suppressed, _)| (rule, suppressed))
        .collect();
    // `redis:7` is one finding (PW104, the most specific); PW105 names nothing there.
    assert_eq!(
        got,
        vec![
            ("PW101".to_owned(), true),
            ("PW104".to_owned(), true),
            ("PW002".to_owned(), false),
        ]
    );
    let message = report["findings"][2]["message"].as_str().unwrap();
    assert!(message.starts_with("suppression of `PW105`"), "{message}");
}

#[test]
fn a_suppression_covers_only_its_line_and_rule() {
    let dir = tree(&[(
        "Dockerfile",
        "# pinwarden:ignore PW101 -- only the next line\n\
         FROM alpine:latest\n\
         \n\
         FROM node:latest\n\
         # pinwarden:ignore PW104 -- the wrong rule\n\
         FROM python:latest\n\
         USER app\n",
    )]);
    let report = scan_json(dir.path(), &["--policy", "version"]);
    let got: Vec<(String, u64, bool)> = rows(&report)
        .into_iter()
        .map(|(rule, _, line, suppressed, _)| (rule, line, suppressed))
        .collect();
    assert_eq!(
        got,
        vec![
            ("PW101".to_owned(), 2, true),
            ("PW101".to_owned(), 4, false),
            ("PW002".to_owned(), 5, false),
            ("PW101".to_owned(), 6, false),
        ]
    );
}

#[test]
fn a_suppression_inside_a_yaml_scalar_is_text() {
    // `run: |` is a script: a `#` line in it is the script's comment, not pinwarden's.
    let dir = tree(&[(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          # pinwarden:ignore PW999\n          echo ok\n",
    )]);
    let report = scan_json(dir.path(), &[]);
    assert_eq!(rows(&report), vec![], "no PW002 for a script's comment");
}

/// Many suppressions and many findings on one line cost linear time: a finding's line is
/// found without counting columns, and each (file, line, rule) is looked up, not scanned.
/// Before, this shape took minutes (20 000 columns counted over a 700 KB line, per finding).
#[test]
fn many_suppressions_and_findings_stay_linear() {
    let containers: Vec<String> = (0..20_000)
        .map(|index| format!("{{name: c{index}, image: a:latest}}"))
        .collect();
    let text = format!(
        "{}apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {{containers: [{}]}}\n",
        "# pinwarden:ignore PW101 -- covers the apiVersion line only\n".repeat(50_000),
        containers.join(", ")
    );
    let dir = tree(&[("pod.yaml", &text)]);
    let output = common::pinwarden()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--fail-on", "never"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).expect("a report in time");
    let summary = &report["summary"];
    assert_eq!(
        (summary["errors"].as_u64(), summary["notes"].as_u64()),
        (Some(20_000), Some(50_000)),
        "every image counted; every suppression unused (they cover line 50 001)"
    );
}
