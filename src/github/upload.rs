//! `pinwarden upload`: its flags, settings, outcome and error type, and the plan (load, check,
//! categorize and encode every file) made before the first request; `api` does the sending.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::api::Client;
use super::context::{self, CONTAINER_WORKSPACE, ContextError, GithubContext};
use super::sarif_file::{self, PreparedSarif, SarifFileError};

/// What `pinwarden upload` sends, validated from its flags (`cli::UploadArgs`) or mapped from
/// the action's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOptions {
    /// SARIF files, each its own upload.
    pub sarif: Vec<PathBuf>,
    /// Categories paired with `sarif` by position; a missing one is the tool name lowercased.
    pub category: Vec<String>,
    /// The environment variable holding the API token.
    pub token_env: String,
    /// API base URL; `None` is `$GITHUB_API_URL`, else <https://api.github.com>.
    pub api_url: Option<String>,
    /// Seconds to wait for GitHub to process each upload; 0 returns right after sending.
    pub wait_seconds: u64,
}

/// Timing knobs. The defaults suit production; tests shrink them to milliseconds.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    /// Pause between two processing-status requests.
    pub poll_interval: Duration,
    /// Attempts per request, counting the first, for 5xx, rate limits and transport errors.
    pub max_attempts: u32,
    /// First retry delay; it doubles with each attempt.
    pub retry_base_delay: Duration,
    /// Longest single delay, and the wait after a rate limit that names none (GitHub asks for
    /// at least a minute). A rate limit asking for longer fails instead of stalling CI.
    pub retry_max_delay: Duration,
    /// Connect, read and write timeout of each HTTP request.
    pub request_timeout: Duration,
}

impl Default for UploadSettings {
    fn default() -> Self {
        Self {
            // github/codeql-action polls every 5 s as well.
            poll_interval: Duration::from_secs(5),
            max_attempts: 4,
            retry_base_delay: Duration::from_secs(1),
            retry_max_delay: Duration::from_secs(60),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// One file's upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOutcome {
    pub file: PathBuf,
    pub category: String,
    pub sarif_id: String,
    /// `complete`, `pending` (still processing when the wait ran out) or `not-waited` (`--wait 0`).
    pub status: String,
}

const FORBIDDEN_HELP: &str = "GitHub accepts code scanning results only when code scanning is \
     available for the repository and the token may write security events. Public repositories \
     have code scanning; private and internal ones need GitHub Advanced Security (GitHub Code \
     Security) enabled in Settings > Code security. In the workflow, give the uploading job \
     `permissions: security-events: write` (and `contents: read`); a personal access token needs \
     the `security_events` scope, or \"Code scanning alerts: read and write\" when fine-grained. \
     Pull requests from forks get a read-only GITHUB_TOKEN, so upload from a `push` or \
     `pull_request_target` workflow instead.";

const NOT_FOUND_HELP: &str = "GitHub answers 404 both when the repository does not exist and \
     when the token cannot see it. Check GITHUB_REPOSITORY (owner/repo) and the API URL (GitHub \
     Enterprise Server uses https://HOST/api/v3, set with --api-url or GITHUB_API_URL), and that \
     the token belongs to this repository: a GITHUB_TOKEN minted for another repository, or a \
     personal access token without access to it, gets 404 rather than 403.";

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Context(#[from] ContextError),
    #[error(transparent)]
    Sarif(#[from] SarifFileError),
    #[error(
        "{categories} --category values for {files} --sarif files\nhelp: give at most one \
         --category per --sarif file, in the same order"
    )]
    TooManyCategories { categories: usize, files: usize },
    #[error("the --category for `{file}` is empty")]
    EmptyCategory { file: PathBuf },
    #[error(
        "`{first}` and `{second}` both hold tool `{tool}` under category `{category}`, so the \
         second upload would replace the first\nhelp: pass one --category per --sarif file, in the \
         same order"
    )]
    DuplicateCategory {
        tool: String,
        category: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("cannot set up the GitHub API client for `{api_url}`: {message}")]
    Client { api_url: String, message: String },
    #[error("cannot write upload progress: {0}")]
    Output(#[source] std::io::Error),
    #[error(
        "GitHub rejected the token for `{file}` (HTTP 401: {message})\nhelp: the token in \
         `{token_env}` is missing, expired or revoked; in a workflow pass `${{{{ github.token }}}}`"
    )]
    Unauthorized {
        file: PathBuf,
        message: String,
        token_env: String,
    },
    #[error(
        "GitHub refused the upload of `{file}` to {repository} (HTTP 403: {message})\nhelp: {FORBIDDEN_HELP}"
    )]
    Forbidden {
        file: PathBuf,
        repository: String,
        message: String,
    },
    #[error(
        "GitHub found no repository {repository} at {api_url} for `{file}` (HTTP 404: {message})\nhelp: {NOT_FOUND_HELP}"
    )]
    NotFound {
        file: PathBuf,
        repository: String,
        api_url: String,
        message: String,
    },
    #[error(
        "GitHub rate-limited the requests for `{file}` after {attempts} attempt(s): {message}\nhelp: \
         wait for the limit to reset, or upload fewer files per job"
    )]
    RateLimited {
        file: PathBuf,
        attempts: u32,
        message: String,
    },
    #[error("GitHub rejected `{file}` (HTTP {status}: {message}){hint}")]
    Rejected {
        file: PathBuf,
        status: u16,
        message: String,
        hint: &'static str,
    },
    #[error(
        "GitHub kept failing for `{file}` (HTTP {status} after {attempts} attempts: {message})"
    )]
    Server {
        file: PathBuf,
        status: u16,
        attempts: u32,
        message: String,
    },
    #[error("cannot reach GitHub for `{file}` after {attempts} attempts: {message}")]
    Transport {
        file: PathBuf,
        attempts: u32,
        message: String,
    },
    #[error("unexpected answer from GitHub for `{file}`: {message}")]
    InvalidResponse { file: PathBuf, message: String },
    #[error(
        "code scanning could not process `{file}` (category `{category}`, SARIF id {sarif_id}):{}",
        bullet_list(.errors)
    )]
    ProcessingFailed {
        file: PathBuf,
        category: String,
        sarif_id: String,
        errors: Vec<String>,
    },
}

fn bullet_list(items: &[String]) -> String {
    if items.is_empty() {
        return " no error details were given".to_owned();
    }
    items.iter().map(|item| format!("\n  - {item}")).collect()
}

/// Uploads every `--sarif` file and waits for GitHub to process it. Progress goes to `out`.
/// Every file is loaded and checked before the first request, so a bad file sends nothing.
pub fn run_upload(
    args: &UploadOptions,
    env: &dyn Fn(&str) -> Option<String>,
    settings: &UploadSettings,
    out: &mut dyn Write,
) -> Result<Vec<UploadOutcome>, UploadError> {
    let context = context::from_env(env, &args.token_env, args.api_url.as_deref())?;
    let planned = plan(args, &context)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| UploadError::Client {
            api_url: context.api_url.clone(),
            message: error.to_string(),
        })?;
    runtime.block_on(async {
        let client = Client::new(&context, settings, &args.token_env)?;
        let wait = Duration::from_secs(args.wait_seconds);
        // Every file is tried, so one rejected upload (a Trivy log, say) does not keep the
        // others out of code scanning; the first failure is returned, later ones are written.
        let mut outcomes = Vec::with_capacity(planned.len());
        let mut first_error = None;
        for file in &planned {
            match client.upload(file, wait, out).await {
                Ok(outcome) => outcomes.push(outcome),
                Err(error) if first_error.is_none() => first_error = Some(error),
                Err(error) => {
                    writeln!(out, "error: {error}").map_err(UploadError::Output)?;
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(outcomes),
        }
    })
}

/// A loaded, checked and encoded file with its category, ready to send.
pub(crate) struct PlannedFile {
    pub(crate) path: PathBuf,
    pub(crate) category: String,
    pub(crate) prepared: PreparedSarif,
}

fn plan(args: &UploadOptions, context: &GithubContext) -> Result<Vec<PlannedFile>, UploadError> {
    if args.category.len() > args.sarif.len() {
        return Err(UploadError::TooManyCategories {
            categories: args.category.len(),
            files: args.sarif.len(),
        });
    }
    let mut workspaces = vec![CONTAINER_WORKSPACE.to_owned()];
    if let Some(workspace) = context.workspace.as_deref().and_then(Path::to_str) {
        workspaces.push(workspace.to_owned());
    }
    // Code scanning identifies an analysis by tool and category; a second upload with both
    // equal replaces the first.
    let mut seen: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    let mut planned = Vec::with_capacity(args.sarif.len());
    for (index, path) in args.sarif.iter().enumerate() {
        let sarif = sarif_file::load_sarif(path).map_err(SarifFileError::from)?;
        let tool = sarif_file::tool_name(&sarif).unwrap_or_default();
        let category = match args.category.get(index) {
            Some(category) if category.trim().is_empty() => {
                return Err(UploadError::EmptyCategory { file: path.clone() });
            }
            Some(category) => category.trim().to_owned(),
            None => sarif_file::default_category(&tool),
        };
        let key = (tool.clone(), sarif_file::automation_id(&category));
        if let Some(first) = seen.get(&key) {
            return Err(UploadError::DuplicateCategory {
                tool,
                category,
                first: first.clone(),
                second: path.clone(),
            });
        }
        seen.insert(key, path.clone());
        let prepared = sarif_file::prepare(path, sarif, &category, &workspaces)?;
        planned.push(PlannedFile {
            path: path.clone(),
            category,
            prepared,
        });
    }
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processing_failure_lists_errors() {
        let error = UploadError::ProcessingFailed {
            file: PathBuf::from("a.sarif"),
            category: "trivy".to_owned(),
            sarif_id: "42".to_owned(),
            errors: vec!["first".to_owned(), "second".to_owned()],
        };
        assert_eq!(
            error.to_string(),
            "code scanning could not process `a.sarif` (category `trivy`, SARIF id 42):\n  - first\n  - second"
        );
    }
}
