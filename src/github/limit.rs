//! GitHub's hard limits on an uploaded SARIF file, checked before anything is sent: over a hard
//! limit code scanning rejects the whole analysis.

use std::path::Path;

use serde_json::Value;

use super::sarif_file::{SarifFileError, array};

// GitHub's hard limits on an uploaded SARIF file ("SARIF results exceed one or more limits",
// https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit,
// and the table in "SARIF support for code scanning",
// https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
// Over a hard limit the whole analysis is rejected, so we refuse before uploading.
const MAX_RUNS_PER_FILE: usize = 20;
const MAX_RESULTS_PER_RUN: usize = 25_000;
const MAX_RULES_PER_RUN: usize = 25_000;
const MAX_EXTENSIONS_PER_RUN: usize = 100;
const MAX_THREAD_FLOW_LOCATIONS_PER_RESULT: usize = 10_000;
const MAX_LOCATIONS_PER_RESULT: usize = 1_000;
const MAX_TAGS_PER_RULE: usize = 20;

/// The first limit `sarif` exceeds, naming the file, the place (run, rule, result) and the count.
pub(crate) fn check_limits(path: &Path, sarif: &Value) -> Result<(), SarifFileError> {
    let exceeded = |place: String, what: &'static str, actual: usize, max: usize| {
        (actual > max).then(|| SarifFileError::Limit {
            path: path.to_owned(),
            place,
            what,
            actual,
            max,
        })
    };
    let runs = array(sarif, "runs");
    if let Some(error) = exceeded("the file".to_owned(), "runs", runs.len(), MAX_RUNS_PER_FILE) {
        return Err(error);
    }
    for (run_index, run) in runs.iter().enumerate() {
        let place = || format!("run {run_index}");
        let results = array(run, "results");
        if let Some(error) = exceeded(place(), "results", results.len(), MAX_RESULTS_PER_RUN) {
            return Err(error);
        }
        let driver = run.pointer("/tool/driver").unwrap_or(&Value::Null);
        let extensions = run.pointer("/tool/extensions").and_then(Value::as_array);
        let extensions = extensions.map(Vec::as_slice).unwrap_or_default();
        let extension_count = extensions.len();
        if let Some(error) = exceeded(
            place(),
            "tool extensions",
            extension_count,
            MAX_EXTENSIONS_PER_RUN,
        ) {
            return Err(error);
        }
        let components = std::iter::once(driver).chain(extensions);
        let rules: Vec<&Value> = components
            .flat_map(|component| array(component, "rules"))
            .collect();
        if let Some(error) = exceeded(place(), "rules", rules.len(), MAX_RULES_PER_RUN) {
            return Err(error);
        }
        for rule in rules {
            let tags = rule
                .pointer("/properties/tags")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let id = rule.get("id").and_then(Value::as_str).unwrap_or("?");
            let place = format!("rule `{id}` of run {run_index}");
            if let Some(error) = exceeded(place, "tags", tags, MAX_TAGS_PER_RULE) {
                return Err(error);
            }
        }
        for (result_index, result) in results.iter().enumerate() {
            let place = || format!("result {result_index} of run {run_index}");
            let locations = array(result, "locations").len();
            if let Some(error) = exceeded(place(), "locations", locations, MAX_LOCATIONS_PER_RESULT)
            {
                return Err(error);
            }
            let flow_locations: usize = array(result, "codeFlows")
                .iter()
                .flat_map(|flow| array(flow, "threadFlows"))
                .map(|thread| array(thread, "locations").len())
                .sum();
            if let Some(error) = exceeded(
                place(),
                "thread flow locations",
                flow_locations,
                MAX_THREAD_FLOW_LOCATIONS_PER_RESULT,
            ) {
                return Err(error);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(tool: &str) -> Value {
        json!({"tool": {"driver": {"name": tool}}, "results": []})
    }

    #[test]
    fn limits_name_the_limit_and_place() {
        let path = Path::new("scan.sarif");
        let many = |count: usize, item: Value| Value::Array(vec![item; count]);
        let with_run = |run: Value| json!({"version": "2.1.0", "runs": [run]});
        let cases: Vec<(Value, &str)> = vec![
            (
                json!({"version": "2.1.0", "runs": many(21, run("t"))}),
                "the file has 21 runs, the maximum is 20",
            ),
            (
                with_run(
                    json!({"tool": {"driver": {"name": "t"}}, "results": many(25_001, json!({}))}),
                ),
                "run 0 has 25001 results",
            ),
            (
                with_run(
                    json!({"tool": {"driver": {"name": "t", "rules": many(25_001, json!({"id": "R"}))}}}),
                ),
                "25001 rules",
            ),
            (
                with_run(
                    json!({"tool": {"driver": {"name": "t"}, "extensions": many(101, json!({"name": "e"}))}}),
                ),
                "101 tool extensions",
            ),
            (
                with_run(
                    json!({"tool": {"driver": {"name": "t", "rules": [{"id": "R1", "properties": {"tags": many(21, json!("x"))}}]}}}),
                ),
                "rule `R1` of run 0 has 21 tags",
            ),
            (
                with_run(
                    json!({"tool": {"driver": {"name": "t"}}, "results": [{"locations": many(1_001, json!({}))}]}),
                ),
                "result 0 of run 0 has 1001 locations",
            ),
            (
                with_run(
                    json!({"tool": {"driver": {"name": "t"}}, "results": [{"codeFlows": [{"threadFlows": [{"locations": many(6_000, json!({}))}, {"locations": many(4_001, json!({}))}]}]}]}),
                ),
                "10001 thread flow locations",
            ),
        ];
        for (sarif, expected) in cases {
            let message = check_limits(path, &sarif).unwrap_err().to_string();
            assert!(
                message.contains(expected) && message.contains("scan.sarif"),
                "{message}"
            );
        }
        // exactly at the limit passes
        let at_limit = with_run(
            json!({"tool": {"driver": {"name": "t"}}, "results": many(25_000, json!({}))}),
        );
        assert!(check_limits(path, &at_limit).is_ok());
    }
}
