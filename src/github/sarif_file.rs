//! SARIF files headed for code scanning: load and check a 2.1.0 log, enforce GitHub's upload
//! limits before any request, make artifact URIs repo-relative, stamp the category as
//! `automationDetails.id`, and encode the payload (gzip, then base64).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Map, Value};

use super::artifact_uri::{relativize_uris, workspace_prefixes};
use super::limit::check_limits;
use crate::sarif_log::run_tool_name;
pub use crate::sarif_log::{LoadError, load_sarif, tool_name};

/// "SARIF file is too large": uploads over 10 MB gzip-compressed are refused (413)
/// (<https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/file-too-large>).
/// NOTE: GitHub does not say whether MB is 10^6 or 2^20 bytes; the API's own 413 covers the gap.
pub(crate) const MAX_GZIP_BYTES: usize = 10 * 1024 * 1024;

const LIMIT_HELP: &str = "reduce what the tool reports (narrow the scan, raise the severity \
     threshold) or split the results into several files, each uploaded with its own --category";

#[derive(Debug, thiserror::Error)]
pub enum SarifFileError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot encode SARIF file `{path}`: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "SARIF file `{path}` exceeds a GitHub code scanning limit: {place} has {actual} {what}, \
         the maximum is {max}\nhelp: {LIMIT_HELP}"
    )]
    Limit {
        path: PathBuf,
        place: String,
        what: &'static str,
        actual: usize,
        max: usize,
    },
    #[error(
        "SARIF file `{path}` is {actual} bytes gzip-compressed, over GitHub's 10 MB upload limit \
         ({max} bytes)\nhelp: {LIMIT_HELP}"
    )]
    TooLarge {
        path: PathBuf,
        actual: usize,
        max: usize,
    },
    #[error(
        "SARIF file `{path}` has {count} runs of tool `{tool}`; code scanning rejects several runs \
         with the same tool and category in one upload\nhelp: write one run per file and upload \
         each file with its own --category"
    )]
    DuplicateToolRuns {
        path: PathBuf,
        tool: String,
        count: usize,
    },
    #[error("cannot compress SARIF file `{path}`: {source}")]
    Compress {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The category a file gets without `--category`: its tool name lowercased, with whitespace
/// turned into `-` (`Trivy` -> `trivy`, `pinwarden` -> `pinwarden`).
pub fn default_category(tool: &str) -> String {
    tool.split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase()
}

/// `automationDetails.id` for a category: GitHub reads the part before the last `/` as the
/// category, so the id is the category plus `/` (as github/codeql-action writes it).
pub fn automation_id(category: &str) -> String {
    if category.ends_with('/') {
        category.to_owned()
    } else {
        format!("{category}/")
    }
}

/// A SARIF log ready for `POST /repos/{owner}/{repo}/code-scanning/sarifs`.
#[derive(Debug, Clone)]
pub(crate) struct PreparedSarif {
    /// The log, gzip-compressed, then base64-encoded (the API's `sarif` field).
    pub(crate) payload: String,
    pub(crate) tool_name: String,
    pub(crate) gzip_bytes: usize,
    /// `invocations[0].startTimeUtc` of the first run, when it is an RFC 3339 UTC time.
    pub(crate) started_at: Option<String>,
}

/// Checks the limits, rewrites URIs against `workspaces`, stamps `category` on every run and
/// encodes the log. Fails before anything is sent when GitHub would reject the file.
pub(crate) fn prepare(
    path: &Path,
    mut sarif: Value,
    category: &str,
    workspaces: &[String],
) -> Result<PreparedSarif, SarifFileError> {
    check_limits(path, &sarif)?;
    check_distinct_tools(path, &sarif)?;
    let tool_name = tool_name(&sarif).ok_or_else(|| LoadError::NotSarif {
        path: path.to_owned(),
        reason: "run 0 has no `tool.driver.name`".to_owned(),
    })?;
    let started_at = sarif
        .pointer("/runs/0/invocations/0/startTimeUtc")
        .and_then(Value::as_str)
        .filter(|time| is_rfc3339_utc(time))
        .map(str::to_owned);
    relativize_uris(&mut sarif, &workspace_prefixes(workspaces));
    set_category(&mut sarif, category);

    let json = serde_json::to_vec(&sarif).map_err(|source| SarifFileError::Json {
        path: path.to_owned(),
        source,
    })?;
    let compress_error = |source| SarifFileError::Compress {
        path: path.to_owned(),
        source,
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&json).map_err(compress_error)?;
    let gzipped = encoder.finish().map_err(compress_error)?;
    if gzipped.len() > MAX_GZIP_BYTES {
        return Err(SarifFileError::TooLarge {
            path: path.to_owned(),
            actual: gzipped.len(),
            max: MAX_GZIP_BYTES,
        });
    }
    Ok(PreparedSarif {
        payload: base64::engine::general_purpose::STANDARD.encode(&gzipped),
        tool_name,
        gzip_bytes: gzipped.len(),
        started_at,
    })
}

fn check_distinct_tools(path: &Path, sarif: &Value) -> Result<(), SarifFileError> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for run in array(sarif, "runs") {
        if let Some(name) = run_tool_name(run) {
            *counts.entry(name).or_default() += 1;
        }
    }
    match counts.into_iter().find(|(_, count)| *count > 1) {
        Some((tool, count)) => Err(SarifFileError::DuplicateToolRuns {
            path: path.to_owned(),
            tool: tool.to_owned(),
            count,
        }),
        None => Ok(()),
    }
}

pub(crate) fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn set_category(sarif: &mut Value, category: &str) {
    let id = automation_id(category);
    let Some(runs) = sarif.get_mut("runs").and_then(Value::as_array_mut) else {
        return;
    };
    for run in runs.iter_mut().filter_map(Value::as_object_mut) {
        let details = run
            .entry("automationDetails")
            .or_insert_with(|| Value::Object(Map::new()));
        if !details.is_object() {
            *details = Value::Object(Map::new());
        }
        if let Some(details) = details.as_object_mut() {
            details.insert("id".to_owned(), Value::String(id.clone()));
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the SARIF §3.9 date/time form GitHub accepts: an
/// RFC 3339 time (checked by chrono) in UTC, written with `Z`.
pub(crate) fn is_rfc3339_utc(value: &str) -> bool {
    value.ends_with(['Z', 'z']) && chrono::DateTime::parse_from_rfc3339(value).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(tool: &str) -> Value {
        json!({"tool": {"driver": {"name": tool}}, "results": []})
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn load_accepts_sarif_and_reports_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let good = json!({"version": "2.1.0", "runs": [run("pinwarden")]}).to_string();
        let cases: &[(&str, String, Option<&str>)] = &[
            // a minimal log loads
            ("good.sarif", good.clone(), None),
            // a byte order mark is tolerated
            ("bom.sarif", format!("\u{feff}{good}"), None),
            (
                "broken.sarif",
                "{\"version\": ".to_owned(),
                Some("not valid JSON"),
            ),
            ("array.sarif", "[]".to_owned(), Some("not a JSON object")),
            (
                "old.sarif",
                r#"{"version": "2.0.0", "runs": []}"#.to_owned(),
                Some("expected \"2.1.0\""),
            ),
            (
                "norun.sarif",
                r#"{"version": "2.1.0", "runs": []}"#.to_owned(),
                Some("`runs` is empty"),
            ),
            (
                "noruns.sarif",
                r#"{"version": "2.1.0"}"#.to_owned(),
                Some("no `runs` array"),
            ),
            (
                "notool.sarif",
                r#"{"version": "2.1.0", "runs": [{}]}"#.to_owned(),
                Some("run 0 has no `tool.driver.name`"),
            ),
        ];
        for (name, text, expected) in cases {
            let path = write(dir.path(), name, text);
            match (load_sarif(&path), expected) {
                (Ok(value), None) => assert_eq!(tool_name(&value).as_deref(), Some("pinwarden")),
                (Err(error), Some(expected)) => {
                    let message = error.to_string();
                    assert!(
                        message.contains(expected) && message.contains(name),
                        "{message}"
                    );
                }
                (other, _) => panic!("{name}: unexpected {other:?}"),
            }
        }
        let missing = load_sarif(&dir.path().join("missing.sarif")).unwrap_err();
        assert!(matches!(missing, LoadError::Read { .. }));
    }

    #[test]
    fn categories_and_automation_ids() {
        let cases = [
            ("Trivy", "trivy"),
            ("pinwarden", "pinwarden"),
            // whitespace becomes a dash
            (
                " CodeQL command-line toolchain ",
                "codeql-command-line-toolchain",
            ),
        ];
        for (tool, expected) in cases {
            assert_eq!(default_category(tool), expected);
        }
        assert_eq!(automation_id("trivy"), "trivy/");
        // an id that already ends with `/` is kept
        assert_eq!(automation_id("images/"), "images/");
    }

    #[test]
    fn prepare_stamps_category_and_encodes() {
        use std::io::Read as _;
        let mut first = run("Trivy");
        first["automationDetails"] = json!({"id": "old/", "guid": "keep"});
        let sarif = json!({"version": "2.1.0", "runs": [first, run("grype")]});
        let prepared = prepare(Path::new("x.sarif"), sarif, "images", &[]).unwrap();
        assert_eq!(prepared.tool_name, "Trivy");
        let gzipped = base64::engine::general_purpose::STANDARD
            .decode(&prepared.payload)
            .unwrap();
        assert_eq!(gzipped.len(), prepared.gzip_bytes);
        let mut json = String::new();
        flate2::read::GzDecoder::new(gzipped.as_slice())
            .read_to_string(&mut json)
            .unwrap();
        let decoded: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            decoded["runs"][0]["automationDetails"],
            json!({"id": "images/", "guid": "keep"})
        );
        assert_eq!(
            decoded["runs"][1]["automationDetails"],
            json!({"id": "images/"})
        );
    }

    #[test]
    fn prepare_rejects_two_runs_of_one_tool() {
        let sarif = json!({"version": "2.1.0", "runs": [run("Trivy"), run("Trivy")]});
        let error = prepare(Path::new("x.sarif"), sarif, "trivy", &[]).unwrap_err();
        assert!(
            error.to_string().contains("2 runs of tool `Trivy`"),
            "{error}"
        );
    }

    #[test]
    fn started_at_comes_from_a_valid_invocation_time() {
        let mut with_time = run("t");
        with_time["invocations"] =
            json!([{"executionSuccessful": true, "startTimeUtc": "2024-05-01T10:20:30.5Z"}]);
        let sarif = json!({"version": "2.1.0", "runs": [with_time]});
        let prepared = prepare(Path::new("x.sarif"), sarif, "t", &[]).unwrap();
        assert_eq!(
            prepared.started_at.as_deref(),
            Some("2024-05-01T10:20:30.5Z")
        );
        let cases = [
            ("2024-05-01T10:20:30Z", true),
            ("2024-05-01T10:20:30.123Z", true),
            // offsets, missing zone, a bare fraction dot and junk are refused
            ("2024-05-01T10:20:30+02:00", false),
            ("2024-05-01T10:20:30", false),
            ("2024-05-01T10:20:30.Z", false),
            ("yesterday", false),
        ];
        for (value, expected) in cases {
            assert_eq!(is_rfc3339_utc(value), expected, "{value}");
        }
    }
}
