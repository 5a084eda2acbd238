//! Command-line arguments (clap derive) and their validation into options for `app`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::github::upload::UploadOptions;
use crate::model::level::{FailOn, PinPolicy};
use crate::report::Format;

/// pinwarden: a CI gate for container supply-chain pinning.
///
/// Finds mutable image references (`latest`, missing tags, floating tags, no digest) in
/// Dockerfiles, Compose files, GitHub workflows and actions, and Kubernetes manifests, and
/// reports them as text, JSON or SARIF for GitHub code scanning.
#[derive(Debug, Parser)]
#[command(
    name = "pinwarden",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for unpinned references.
    Scan(ScanArgs),
    /// List every rule with its id, name, default level and summary.
    Rules,
    /// Print a rule's help page (e.g. `pinwarden explain PW101`).
    Explain {
        /// The rule id, e.g. PW101.
        #[arg(value_name = "RULE")]
        id: String,
    },
    /// Upload SARIF files to GitHub code scanning, each under its own category.
    Upload(UploadArgs),
    /// The container action's entrypoint: reads `INPUT_*` variables (see action.yml), scans,
    /// writes outputs, the job summary and annotations, and uploads.
    Action,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan. A file named here is scanned whatever its name.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// How strictly references must be pinned: `tag` (no latest, no missing tag),
    /// `version` (also no floating or major-only tags), `digest` (immutable digests).
    #[arg(long, value_enum, default_value_t = PinPolicy::Version)]
    pub policy: PinPolicy,
    /// Exit 1 when a finding at or above this level remains; `never` always exits 0.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Also resolve compose `${VAR}` from this process's environment (before `.env`). Off by
    /// default: a CI runner's environment is not the one you deploy with.
    #[arg(long)]
    pub env_from_process: bool,
    /// Fold another tool's SARIF (e.g. Trivy's) into the gate, the counts and the summary.
    /// The file is not merged into pinwarden's SARIF; `upload` sends it under its own category.
    #[arg(long = "include-sarif", value_name = "FILE")]
    pub include_sarif: Vec<PathBuf>,
    /// Colour in text output: `auto` (a terminal without NO_COLOR), `always` or `never`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Leave out files whose path below the scanned directory matches GLOB (repeatable;
    /// gitignore-style: `vendor`, `*.generated.yaml`, `/deploy/old`). Ignore files in the
    /// scanned tree cannot do this: see "Security model" in the README.
    #[arg(long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
}

/// Upload SARIF files to GitHub code scanning, one analysis per file and category.
#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// SARIF file to upload; repeat for several (each is its own upload).
    #[arg(long = "sarif", value_name = "FILE", required = true)]
    pub sarif: Vec<PathBuf>,
    /// Code scanning category, paired with the --sarif files by position
    /// [default: the tool name lowercased, e.g. `pinwarden`, `trivy`].
    #[arg(long = "category", value_name = "NAME")]
    pub category: Vec<String>,
    /// Environment variable holding the API token.
    #[arg(
        long = "token-env",
        value_name = "NAME",
        default_value = "GITHUB_TOKEN"
    )]
    pub token_env: String,
    /// API base URL [default: $GITHUB_API_URL, else https://api.github.com].
    #[arg(long = "api-url", value_name = "URL")]
    pub api_url: Option<String>,
    /// Seconds to wait for GitHub to process each upload; 0 returns right after sending.
    #[arg(long = "wait", value_name = "SECONDS", default_value_t = 120)]
    pub wait_seconds: u64,
}

impl UploadArgs {
    /// The plain options `github::upload` works with.
    pub fn options(&self) -> UploadOptions {
        UploadOptions {
            sarif: self.sarif.clone(),
            category: self.category.clone(),
            token_env: self.token_env.clone(),
            api_url: self.api_url.clone(),
            wait_seconds: self.wait_seconds,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn scan_defaults() {
        let cli = Cli::try_parse_from(["pinwarden", "scan"]).map(|cli| cli.command);
        let Ok(Command::Scan(args)) = cli else {
            panic!("scan did not parse");
        };
        assert_eq!(args.paths, vec![PathBuf::from(".")]);
        assert_eq!(args.format, Format::Text);
        assert_eq!(args.policy, PinPolicy::Version);
        assert_eq!(args.fail_on, FailOn::Error);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for args in [
            vec!["pinwarden", "scan", "--policy", "strict"],
            vec!["pinwarden", "scan", "--fail-on", "sometimes"],
            vec!["pinwarden", "scan", "--format", "xml"],
            vec!["pinwarden", "frobnicate"],
        ] {
            assert!(Cli::try_parse_from(&args).is_err(), "{args:?}");
        }
    }
}
