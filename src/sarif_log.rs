//! SARIF 2.1.0 logs as files: loading one (another tool's for `--include-sarif`, or any log
//! `upload` sends) with a size cap and the checks both uses share, and the one
//! percent-encoding of paths into SARIF URIs.
//!
//! It sits outside `report/` and `github/` so that both can use it without importing each
//! other.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The largest SARIF file read back. GitHub takes at most 10 MB *gzip-compressed*, which
/// JSON reaches at roughly 10-20 times the size; this leaves room and still refuses
/// `/dev/zero`-sized input before it is read.
pub const MAX_SARIF_BYTES: u64 = 256 * 1024 * 1024;

/// Why a SARIF file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read SARIF file `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("SARIF file `{path}` is not valid JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("`{path}` is not a SARIF 2.1.0 log: {reason}")]
    NotSarif { path: PathBuf, reason: String },
}

/// Reads `path` (a regular file of at most [`MAX_SARIF_BYTES`], not through a final symbolic
/// link) and checks that it is a SARIF 2.1.0 log with at least one run whose
/// `tool.driver.name` is set. A UTF-8 byte order mark is tolerated.
pub fn load_sarif(path: &Path) -> Result<Value, LoadError> {
    let bytes =
        crate::read::read_bounded(path, MAX_SARIF_BYTES).map_err(|source| LoadError::Read {
            path: path.to_owned(),
            source,
        })?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let value: Value = serde_json::from_slice(text).map_err(|source| LoadError::Json {
        path: path.to_owned(),
        source,
    })?;
    let not_sarif = |reason: String| LoadError::NotSarif {
        path: path.to_owned(),
        reason,
    };
    let Some(root) = value.as_object() else {
        return Err(not_sarif("the top level is not a JSON object".to_owned()));
    };
    match root.get("version") {
        Some(Value::String(version)) if version == "2.1.0" => {}
        Some(other) => {
            return Err(not_sarif(format!(
                "`version` is {other}, expected \"2.1.0\""
            )));
        }
        None => return Err(not_sarif("it has no `version`".to_owned())),
    }
    let Some(runs) = root.get("runs").and_then(Value::as_array) else {
        return Err(not_sarif("it has no `runs` array".to_owned()));
    };
    if runs.is_empty() {
        return Err(not_sarif("`runs` is empty".to_owned()));
    }
    for (index, run) in runs.iter().enumerate() {
        if run_tool_name(run).is_none() {
            return Err(not_sarif(format!("run {index} has no `tool.driver.name`")));
        }
    }
    Ok(value)
}

/// `tool.driver.name` of the first run (`pinwarden`, `Trivy`, ...).
pub fn tool_name(sarif: &Value) -> Option<String> {
    sarif
        .get("runs")?
        .as_array()?
        .first()
        .and_then(run_tool_name)
        .map(str::to_owned)
}

/// `tool.driver.name` of one run, when it is a non-blank string.
pub fn run_tool_name(run: &Value) -> Option<&str> {
    run.pointer("/tool/driver/name")?
        .as_str()
        .filter(|name| !name.trim().is_empty())
}
