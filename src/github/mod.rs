//! GitHub integration: uploading SARIF logs to code scanning (`pinwarden upload`).
//!
//! `context` reads the GitHub Actions environment; `sarif_file` loads a SARIF log and prepares
//! it (`limit` checks GitHub's limits, `artifact_uri` makes URIs repo-relative); `upload` plans
//! the run and `api` sends it through octocrab and waits for processing.

pub mod context;
pub mod sarif_file;
pub mod upload;

mod api;
mod artifact_uri;
mod limit;
