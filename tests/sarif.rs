//! SARIF beyond the schema: GitHub's ingestion rules (checked by Microsoft's SARIF
//! multitool with `--rule-kind Gh;Sarif`), fingerprints that survive edits, notifications.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use common::{fixtures, root, scan_sarif};
use serde_json::Value;

/// The multitool binary that `.ci/test` installs from npm (`@microsoft/sarif-multitool`).
fn multitool() -> PathBuf {
    if let Some(path) = std::env::var_os("SARIF_MULTITOOL") {
        return PathBuf::from(path);
    }
    root().join(".ci/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")
}

/// Every SARIF log the fixtures and examples produce, at every policy.
fn all_logs() -> Vec<(String, Value)> {
    let mut dirs: Vec<PathBuf> = vec![root().join("examples")];
    for entry in fs::read_dir(fixtures()).unwrap() {
        let rule = entry.unwrap().path();
        if rule
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("PW"))
        {
            dirs.push(rule.join("bad"));
            dirs.push(rule.join("good"));
        }
    }
    dirs.sort();
    let mut logs = Vec::new();
    for dir in dirs {
        for policy in ["tag", "version", "digest"] {
            let name = format!(
                "{}-{policy}",
                dir.strip_prefix(root())
                    .unwrap()
                    .display()
                    .to_string()
                    .replace('/', "_")
            );
            logs.push((name, scan_sarif(&dir, &["--policy", policy])));
        }
    }
    logs
}

#[test]
fn every_log_passes_the_schema_and_githubs_ingestion_rules() {
    let tool = multitool();
    assert!(
        tool.exists(),
        "the SARIF multitool is missing at {}: run `.ci/test` (it installs it), or set SARIF_MULTITOOL",
        tool.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let logs = all_logs();
    assert!(logs.len() >= 30, "fixtures and examples produce logs");
    for (name, log) in &logs {
        fs::write(
            dir.path().join(format!("{name}.sarif")),
            serde_json::to_vec(log).unwrap(),
        )
        .unwrap();
    }
    // Outside the input directory, or the validator reads its own output as an input.
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("validation.sarif");
    let status = Command::new(&tool)
        .current_dir(dir.path())
        .args(["validate", "--rule-kind", "Gh;Sarif", "--output"])
        .arg(&out)
        .arg("*.sarif")
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .unwrap();
    // The validator exits 0 whatever it finds: read its output file.
    let report: Value = serde_json::from_slice(&fs::read(&out).unwrap_or_else(|e| {
        panic!(
            "no validation output ({e}): {}",
            String::from_utf8_lossy(&status.stdout)
        )
    }))
    .unwrap();
    let problems: Vec<String> = report["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}: {}",
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["message"]
            )
        })
        .collect();
    assert!(problems.is_empty(), "multitool findings: {problems:#?}");
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(
        stdout.contains(&format!("Done. {} files scanned.", logs.len())),
        "the validator read every log: {stdout}"
    );
}

#[test]
fn files_outside_the_working_directory_get_absolute_uris() {
    let inside = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("Dockerfile"), "FROM node\n").unwrap();
    let target = outside.path().to_str().unwrap();
    let log = scan_sarif(inside.path(), &[target]);
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    let uri = location["artifactLocation"]["uri"].as_str().unwrap();
    assert_eq!(uri, format!("file://{target}/Dockerfile"));
}

#[test]
fn fingerprints_survive_unrelated_edits_above() {
    let dir = tempfile::tempdir().unwrap();
    let body = "FROM python:latest\nFROM ubuntu\nUSER app\n";
    fs::write(dir.path().join("Dockerfile"), body).unwrap();
    let before = scan_sarif(dir.path(), &["--policy", "tag"]);
    fs::write(
        dir.path().join("Dockerfile"),
        format!("# a comment\n\n# another\n{body}"),
    )
    .unwrap();
    let after = scan_sarif(dir.path(), &["--policy", "tag"]);
    let prints = |log: &Value| -> Vec<(Value, Value)> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["pinwarden/v1"].clone(),
                    r["partialFingerprints"]["primaryLocationLineHash"].clone(),
                )
            })
            .collect()
    };
    let (before, after) = (prints(&before), prints(&after));
    assert_eq!(before.len(), 2);
    assert_eq!(
        before, after,
        "fingerprints must not depend on line numbers"
    );
}

#[test]
fn identical_findings_get_distinct_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Dockerfile"),
        "FROM node\nFROM node\nUSER app\n",
    )
    .unwrap();
    let log = scan_sarif(dir.path(), &["--policy", "tag"]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_ne!(
        results[0]["partialFingerprints"]["pinwarden/v1"],
        results[1]["partialFingerprints"]["pinwarden/v1"]
    );
}

#[test]
fn driver_lists_every_rule_with_help_and_severity() {
    let log = scan_sarif(&fixtures().join("PW104/good"), &[]);
    let run = &log["runs"][0];
    assert_eq!(
        run["results"],
        Value::Array(vec![]),
        "results present even when empty"
    );
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let registry: Vec<&str> = pinwarden::rules::metas().map(|r| r.id).collect();
    assert_eq!(ids, registry);
    for rule in rules {
        let severity = rule["properties"]["security-severity"].as_str().unwrap();
        let number: f64 = severity.parse().unwrap();
        assert!((0.0..=10.0).contains(&number));
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## Why it matters")
        );
        assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
        assert!(rule["shortDescription"]["text"].is_string());
        assert!(rule["fullDescription"]["text"].is_string());
        assert!(rule["defaultConfiguration"]["level"].is_string());
    }
    insta::assert_json_snapshot!("sarif_driver", run["tool"]["driver"]);
}

#[test]
fn unreadable_files_become_notifications() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/nonexistent", dir.path().join("Dockerfile")).unwrap();
    let log = scan_sarif(dir.path(), &[]);
    let notes = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "Dockerfile"
    );
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn utf16_columns_in_regions() {
    // `é` is one UTF-16 code unit, `😀` two: a region after them on the same line counts
    // code units (SARIF's default `columnKind`), not characters or bytes.
    let dir = tempfile::tempdir().unwrap();
    let line = "RUN --mount=type=bind,source=/é😀,from=node,target=/x true";
    fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM alpine:3.20.3\n{line}\nUSER app\n"),
    )
    .unwrap();
    let log = scan_sarif(dir.path(), &["--policy", "tag"]);
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    let chars_before = line[..line.find("node").unwrap()].chars().count() as u64;
    assert_eq!(region["startLine"], 2);
    assert_eq!(
        region["startColumn"],
        chars_before + 2,
        "1-based, plus one for the surrogate pair"
    );
    assert_eq!(region["endColumn"], chars_before + 6);
    assert_eq!(region["snippet"]["text"], "node");
}

#[test]
fn examples_snapshot() {
    let log = scan_sarif(&root().join("examples/vulnerable"), &[]);
    insta::assert_json_snapshot!("sarif_examples_vulnerable", log["runs"][0]["results"]);
}

/// `render` writes the results one at a time; its bytes are exactly those of the whole log
/// `build` makes (the examples have results with related locations, snippets and
/// notifications).
#[test]
fn streamed_log_is_the_built_log() {
    use clap::Parser;
    let examples = root().join("examples");
    let examples = examples.to_str().unwrap();
    let cli =
        pinwarden::cli::Cli::try_parse_from(["pinwarden", "scan", "--policy", "digest", examples])
            .unwrap();
    let pinwarden::cli::Command::Scan(args) = cli.command else {
        panic!("not a scan");
    };
    let mut report = pinwarden::scan::scan(&pinwarden::scan::scan_options(&args).unwrap()).unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|finding| !finding.related.is_empty())
    );
    report.notifications.push(pinwarden::report::Notification {
        path: "Dockerfile".to_owned(),
        level: pinwarden::model::level::Level::Note,
        message: "a notification".to_owned(),
    });
    let mut streamed = Vec::new();
    pinwarden::report::sarif::render(&report, &mut streamed).unwrap();
    let mut built = serde_json::to_vec_pretty(&pinwarden::report::sarif::build(&report)).unwrap();
    built.push(b'\n');
    assert_eq!(
        String::from_utf8(streamed).unwrap(),
        String::from_utf8(built).unwrap()
    );
}
