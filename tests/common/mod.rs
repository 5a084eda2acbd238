//! Shared test harness: run the real binary with a scrubbed environment, and validate every
//! SARIF log a test produces against the OASIS 2.1.0 schema.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

/// The binary, offline, with `CI`, `GITHUB_*`, `RUNNER_*`, colour and every other variable
/// removed, so a developer's or CI's environment cannot change the output.
pub fn pinwarden() -> Command {
    let mut cmd = Command::cargo_bin("pinwarden").expect("binary is built");
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd
}

/// Run `pinwarden scan ARGS` in `cwd`, returning (exit code, stdout, stderr).
pub fn scan(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let output = pinwarden()
        .current_dir(cwd)
        .arg("scan")
        .args(args)
        .output()
        .expect("binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    )
}

/// `scan --format json` in `cwd`: the parsed report.
pub fn scan_json(cwd: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json", "--fail-on", "never"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = scan(cwd, &all);
    assert_eq!(code, 0, "stderr: {stderr}");
    serde_json::from_str(&stdout).expect("json output parses")
}

/// `scan --format sarif` in `cwd`: the log, validated against the schema, with the
/// machine-specific `%SRCROOT%` URI redacted.
pub fn scan_sarif(cwd: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "sarif", "--fail-on", "never"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = scan(cwd, &all);
    assert_eq!(code, 0, "stderr: {stderr}");
    let mut log: Value = serde_json::from_str(&stdout).expect("sarif output parses");
    assert_valid_sarif(&log);
    redact_root(&mut log);
    log
}

pub fn redact_root(log: &mut Value) {
    if let Some(runs) = log.get_mut("runs").and_then(Value::as_array_mut) {
        for run in runs {
            if let Some(uri) = run.pointer_mut("/originalUriBaseIds/%SRCROOT%/uri") {
                assert!(
                    uri.as_str()
                        .is_some_and(|u| u.starts_with("file:///") && u.ends_with('/')),
                    "SRCROOT must be an absolute directory URI: {uri}"
                );
                *uri = Value::String("file:///[root]/".to_owned());
            }
        }
    }
}

/// The OASIS SARIF 2.1.0 schema shipped in `tests/schemas`, compiled once.
pub fn sarif_schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("tests/schemas/sarif-2.1.0.json"))
            .expect("schema is shipped in tests/schemas");
        let mut schema: Value = serde_json::from_str(&text).expect("schema parses");
        // NOTE: the published schema's `language` patterns have a stray `]`
        // (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which a strict ECMA-262 regex engine
        // rejects when the meta-schema checks `format: regex`. Use the evidently intended
        // pattern in memory; the shipped file stays byte-for-byte the official one.
        let fixed = fix_language_patterns(&mut schema);
        assert_eq!(
            fixed, 2,
            "the two `language` patterns of SARIF 2.1.0 (run, toolComponent)"
        );
        jsonschema::validator_for(&schema).expect("schema compiles")
    })
}

fn fix_language_patterns(value: &mut Value) -> usize {
    const BAD: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        Value::Object(map) => {
            let mut fixed = 0;
            if map.get("pattern").and_then(Value::as_str) == Some(BAD) {
                map.insert(
                    "pattern".to_owned(),
                    Value::String("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_owned()),
                );
                fixed += 1;
            }
            fixed + map.values_mut().map(fix_language_patterns).sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(fix_language_patterns).sum(),
        _ => 0,
    }
}

/// Validate against the OASIS schema, plus what GitHub code scanning needs beyond it.
pub fn assert_valid_sarif(log: &Value) {
    let errors: Vec<String> = sarif_schema()
        .iter_errors(log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    for run in log["runs"].as_array().expect("runs") {
        let results = run["results"]
            .as_array()
            .expect("results present, even if empty");
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        for result in results {
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(
                rules[index]["id"], result["ruleId"],
                "ruleIndex points at ruleId"
            );
            let location = &result["locations"][0]["physicalLocation"];
            let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
            if uri.starts_with("file:///") {
                assert!(
                    location["artifactLocation"]["uriBaseId"].is_null(),
                    "absolute: no base"
                );
            } else {
                assert!(
                    !uri.starts_with('/') && !uri.starts_with("./"),
                    "relative uri: {uri}"
                );
                assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            }
            assert!(location["region"]["startLine"].as_u64().unwrap_or(0) >= 1);
            assert!(result["partialFingerprints"]["primaryLocationLineHash"].is_string());
        }
    }
}

/// One finding from the JSON report, flattened for assertions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub rule: String,
    pub path: String,
    pub start: (u64, u64),
    pub end: (u64, u64),
}

pub fn hits(report: &Value) -> Vec<Hit> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| Hit {
            rule: finding["rule"].as_str().expect("rule").to_owned(),
            path: finding["path"].as_str().expect("path").to_owned(),
            start: (
                finding["start"]["line"].as_u64().expect("line"),
                finding["start"]["column"].as_u64().expect("column"),
            ),
            end: (
                finding["end"]["line"].as_u64().expect("line"),
                finding["end"]["column"].as_u64().expect("column"),
            ),
        })
        .collect()
}

/// A hit and the text it covers: (path, start line, start column, end line, end column, text).
pub type Covered = (String, u64, u64, u64, u64, String);

/// Every hit of `rule` when scanning `cwd` at `policy`, with the text it covers.
pub fn rule_hits(cwd: &Path, rule: &str, policy: &str) -> Vec<Covered> {
    let report = scan_json(cwd, &["--policy", policy]);
    hits(&report)
        .into_iter()
        .filter(|hit| hit.rule == rule)
        .map(|hit| {
            let text = covered_text(cwd, &hit);
            (
                hit.path,
                hit.start.0,
                hit.start.1,
                hit.end.0,
                hit.end.1,
                text,
            )
        })
        .collect()
}

/// Expected hits written as a table of borrowed rows, owned for comparison.
pub fn owned(expected: &[(&str, u64, u64, u64, u64, &str)]) -> Vec<Covered> {
    expected
        .iter()
        .map(|(path, l1, c1, l2, c2, text)| {
            ((*path).to_owned(), *l1, *c1, *l2, *c2, (*text).to_owned())
        })
        .collect()
}

/// The text a hit covers, read back from the file (columns count characters).
pub fn covered_text(cwd: &Path, hit: &Hit) -> String {
    let text = std::fs::read_to_string(cwd.join(&hit.path)).expect("file readable");
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    for line_no in hit.start.0..=hit.end.0 {
        let line = lines[(line_no - 1) as usize].trim_end_matches('\r');
        let from = if line_no == hit.start.0 {
            hit.start.1 - 1
        } else {
            0
        };
        let to = if line_no == hit.end.0 {
            hit.end.1 - 1
        } else {
            line.chars().count() as u64
        };
        out.extend(line.chars().skip(from as usize).take((to - from) as usize));
        if line_no != hit.end.0 {
            out.push('\n');
        }
    }
    out
}
