//! Other tools' SARIF (`scan --include-sarif trivy-results.sarif`) folded into the gate
//! decision, the counts and the summary. The file itself is uploaded unchanged, under its own
//! category, by `upload`; nothing here rewrites it.

use std::path::Path;

use serde_json::Value;

use crate::model::level::Level;
use crate::sarif_log::{self, LoadError};

pub use crate::model::external::{ExternalResult, IncludedSarif};

/// Why an included file cannot be used (unreadable, not JSON, not SARIF 2.1.0).
pub type IncludeError = LoadError;

/// Read, check and reduce a SARIF file (the same checks `upload` applies before sending).
pub fn load(path: &Path) -> Result<IncludedSarif, IncludeError> {
    let log = sarif_log::load_sarif(path)?;
    Ok(IncludedSarif {
        path: path.to_path_buf(),
        tool: sarif_log::tool_name(&log).unwrap_or_default(),
        results: reduce(&log),
    })
}

/// Every result of every run, reduced.
fn reduce(log: &Value) -> Vec<ExternalResult> {
    let runs = log
        .get("runs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    runs.flat_map(|run| {
        let rules = run.pointer("/tool/driver/rules").and_then(Value::as_array);
        run.get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(move |result| reduce_result(result, rules))
    })
    .collect()
}

fn reduce_result(result: &Value, rules: Option<&Vec<Value>>) -> ExternalResult {
    let rule_id = result
        .get("ruleId")
        .or_else(|| result.pointer("/rule/id"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let rule = rules.and_then(|rules| {
        let by_index = result
            .get("ruleIndex")
            .and_then(Value::as_u64)
            .and_then(|index| usize::try_from(index).ok())
            .and_then(|index| rules.get(index));
        by_index.or_else(|| {
            rules
                .iter()
                .find(|rule| rule.get("id").and_then(Value::as_str) == Some(&rule_id))
        })
    });
    let location = result.pointer("/locations/0/physicalLocation");
    ExternalResult {
        level: level_of(result, rule),
        message: result
            .pointer("/message/text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        uri: location
            .and_then(|l| l.pointer("/artifactLocation/uri"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        line: location
            .and_then(|l| l.pointer("/region/startLine"))
            .and_then(Value::as_u64),
        rule_id,
    }
}

/// The level pinwarden's gate sees for a foreign result.
///
/// A `security-severity` on the rule (or the result) wins, mapped the way GitHub labels it
/// (docs: "About code scanning alerts", severity levels): critical (≥ 9.0) and high (≥ 7.0)
/// are errors, medium (≥ 4.0) warnings, low notes. Otherwise the result's `level`, else the
/// rule's `defaultConfiguration.level`, else SARIF's default `warning` (SARIF §3.27.10).
/// `none` counts as a note.
pub fn level_of(result: &Value, rule: Option<&Value>) -> Level {
    let severity = result
        .pointer("/properties/security-severity")
        .or_else(|| rule.and_then(|r| r.pointer("/properties/security-severity")))
        .and_then(|value| match value {
            Value::String(text) => text.trim().parse::<f64>().ok(),
            Value::Number(number) => number.as_f64(),
            _ => None,
        });
    if let Some(score) = severity {
        return if score >= 7.0 {
            Level::Error
        } else if score >= 4.0 {
            Level::Warning
        } else {
            Level::Note
        };
    }
    let level = result
        .get("level")
        .or_else(|| rule.and_then(|r| r.pointer("/defaultConfiguration/level")))
        .and_then(Value::as_str)
        .unwrap_or("warning");
    match level {
        "error" => Level::Error,
        "note" | "none" => Level::Note,
        _ => Level::Warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levels_from_severity_level_and_defaults() {
        let high = json!({"properties": {"security-severity": "8.1"}});
        let medium = json!({"properties": {"security-severity": 5.5}});
        // (result, rule, expected)
        let cases = [
            (json!({"level": "note"}), Some(high.clone()), Level::Error), // severity wins
            (json!({}), Some(medium), Level::Warning),
            (
                json!({"properties": {"security-severity": "2.0"}}),
                None,
                Level::Note,
            ),
            (json!({"level": "error"}), None, Level::Error),
            (json!({"level": "none"}), None, Level::Note),
            (
                json!({}),
                Some(json!({"defaultConfiguration": {"level": "error"}})),
                Level::Error,
            ),
            (json!({}), None, Level::Warning), // SARIF default
            (
                json!({"properties": {"security-severity": "n/a"}, "level": "note"}),
                None,
                Level::Note,
            ),
        ];
        for (result, rule, expected) in cases {
            assert_eq!(
                level_of(&result, rule.as_ref()),
                expected,
                "{result} {rule:?}"
            );
        }
    }

    #[test]
    fn reduces_a_trivy_like_log() {
        let log = json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "Trivy", "rules": [
                    {"id": "CVE-1", "properties": {"security-severity": "9.8"}},
                    {"id": "DS001", "defaultConfiguration": {"level": "note"}}
                ]}},
                "results": [
                    {"ruleId": "CVE-1", "ruleIndex": 0, "message": {"text": "bad"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "go.sum"},
                                    "region": {"startLine": 3}}}]},
                    {"ruleId": "DS001", "message": {"text": "meh"}}
                ]
            }]
        });
        let results = reduce(&log);
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].level, Level::Error);
        assert_eq!(results[0].uri.as_deref(), Some("go.sum"));
        assert_eq!(results[0].line, Some(3));
        assert_eq!(results[1].level, Level::Note);
    }

    #[test]
    fn load_checks_the_file_and_names_the_tool() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("trivy.sarif");
        let log = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Trivy"}}, "results": []}]});
        std::fs::write(&good, log.to_string()).unwrap();
        let included = load(&good).unwrap();
        assert_eq!(included.tool, "Trivy");
        assert!(included.results.is_empty());
        let bad = dir.path().join("bad.sarif");
        std::fs::write(&bad, "{\"version\": \"2.1.0\"").unwrap();
        let error = load(&bad).unwrap_err().to_string();
        assert!(
            error.contains("bad.sarif") && error.contains("not valid JSON"),
            "{error}"
        );
    }
}
