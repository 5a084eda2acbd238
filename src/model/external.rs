//! Another tool's results (`scan --include-sarif trivy.sarif`), reduced to what the gate, the
//! counts and the summary need: vocabulary shared by the loader and the reports.

use std::path::PathBuf;

use crate::model::level::Level;

/// One result of another tool, reduced to what the gate and the summary need.
#[derive(Clone, Debug, PartialEq)]
pub struct ExternalResult {
    pub rule_id: String,
    pub level: Level,
    pub message: String,
    pub uri: Option<String>,
    pub line: Option<u64>,
}

/// One included SARIF file.
#[derive(Clone, Debug, PartialEq)]
pub struct IncludedSarif {
    pub path: PathBuf,
    /// `runs[0].tool.driver.name`, e.g. `Trivy`.
    pub tool: String,
    pub results: Vec<ExternalResult>,
}
