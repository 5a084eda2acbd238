//! Command-line arguments (clap derive) and their validation into options for `app`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::CommandLine;
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
    // `pinwarden 1.2.3 (commit <40 hex>)`: the commit comes from build.rs (git, else
    // PINWARDEN_COMMIT, else the crate's .cargo_vcs_info.json, else `unknown`).
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("PINWARDEN_BUILD_COMMIT"), ")"),
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
    Scan(Box<ScanArgs>),
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
    /// Print the effective configuration (config file and flags), each value with where it
    /// came from.
    Config(ConfigArgs),
    /// The container action's entrypoint: reads `INPUT_*` variables (see action.yml), scans,
    /// writes outputs, the job summary and annotations, and uploads.
    Action,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan. A file named here is scanned whatever its name. `-`
    /// reads one file from standard input (see --stdin-filename).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this level remains; `never` always exits 0.
    #[arg(long, value_enum, default_value_t = FailOnArg::Error)]
    pub fail_on: FailOnArg,
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
    /// Also show the findings a `# pinwarden:ignore` comment suppresses in text output (SARIF
    /// and JSON always carry them, marked suppressed).
    #[arg(long)]
    pub show_suppressed: bool,
    /// Findings recorded in FILE (by --write-baseline) are still reported but do not count
    /// for the gate; only new ones do. A finding stays known when lines are inserted above it
    /// or its file is moved.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record this scan's findings in FILE for --baseline (versioned JSON of rule ids, paths
    /// and hashes: never the matched text). The exit code is not changed.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Only findings on lines added or changed since GIT_REF (at its merge base with HEAD,
    /// uncommitted changes included) count for the gate. A changed `.env` value or ARG
    /// default makes the findings it feeds new; a file not in GIT_REF is all new.
    #[arg(long, value_name = "GIT_REF")]
    pub new_since: Option<String>,
    /// Also write the SARIF report to FILE (besides --format / --output).
    #[arg(long, value_name = "FILE")]
    pub sarif_output: Option<PathBuf>,
    /// Also write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub json_output: Option<PathBuf>,
    /// Also write the markdown summary to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown_output: Option<PathBuf>,
    /// The file name standard input stands for, with `-` as the path (required then): it
    /// decides the kind of file and the path shown. No `.env` or `actions.lock` beside it is
    /// read.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
}

/// The settings `scan` and `config` share: the config file and the flags over it.
#[derive(Debug, Clone, Args)]
pub struct SettingsArgs {
    /// How strictly references must be pinned, for images, actions and packages alike: `tag`
    /// (no latest, no missing tag), `version` (also no floating or major-only tags), `digest`
    /// (immutable digests) [default: the config file's, else `version`].
    #[arg(long, value_enum)]
    pub policy: Option<PolicyArg>,
    /// Leave out files whose path below the scanned directory matches GLOB (repeatable;
    /// gitignore-style: `vendor`, `*.generated.yaml`, `/deploy/old`), besides the config
    /// file's `exclude:`. Ignore files in the scanned tree cannot do this: see "Security
    /// model" in the README.
    #[arg(long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Read the configuration from FILE instead of `.pinwarden.yml` (or `.pinwarden.yaml`)
    /// in the scanned directory.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore the config file: every setting at its default but for the flags.
    #[arg(long)]
    pub no_config: bool,
    /// A value for a Dockerfile `ARG`, as `docker build --build-arg` gives it (repeatable);
    /// over the config file's `build-args:`.
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_arg: Vec<String>,
}

/// `pinwarden config`: the configuration a `scan` of PATH with these flags would use.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The directory or files a scan would be given (the config file is looked for in the
    /// one directory named, else the working directory).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

impl SettingsArgs {
    /// The settings part of a command line, for `config::resolve`.
    pub fn command_line(&self, paths: &[PathBuf]) -> CommandLine {
        CommandLine {
            paths: paths.to_vec(),
            config: self.config.clone(),
            no_config: self.no_config,
            policy: self.policy.map(PinPolicy::from),
            exclude: self.exclude.clone(),
            build_args: self.build_arg.clone(),
        }
    }
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

/// Why a command line built by a program (the action, from its inputs) does not parse: the flag
/// and value clap refused, and the values it allows, when clap says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidArgs {
    pub flag: Option<String>,
    pub value: Option<String>,
    pub allowed: Vec<String>,
    /// clap's kind of error, for a message when nothing more precise is known.
    pub kind: String,
}

/// Parse `args` (without the program name) with the command line's own definition, so every
/// default and every allowed value has one home.
pub fn parse_command(args: impl IntoIterator<Item = String>) -> Result<Command, InvalidArgs> {
    use clap::error::{ContextKind, ContextValue};
    let argv = std::iter::once("pinwarden".to_owned()).chain(args);
    Cli::try_parse_from(argv)
        .map(|cli| cli.command)
        .map_err(|error| {
            let string = |kind| match error.get(kind) {
                Some(ContextValue::String(value)) => Some(value.clone()),
                _ => None,
            };
            InvalidArgs {
                flag: string(ContextKind::InvalidArg)
                    .and_then(|arg| arg.split_whitespace().next().map(str::to_owned)),
                value: string(ContextKind::InvalidValue),
                allowed: match error.get(ContextKind::ValidValue) {
                    Some(ContextValue::Strings(values)) => values.clone(),
                    _ => Vec::new(),
                },
                kind: error.kind().to_string(),
            }
        })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--format`: the command-line spelling of [`Format`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// rustc-style diagnostics with the source line and a caret.
    Text,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// pinwarden's versioned JSON (schema version 1).
    Json,
    /// GitHub workflow commands (`::error file=…`), for inline annotations.
    Github,
    /// A markdown summary, for `$GITHUB_STEP_SUMMARY`.
    Markdown,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Self {
        match arg {
            FormatArg::Text => Self::Text,
            FormatArg::Sarif => Self::Sarif,
            FormatArg::Json => Self::Json,
            FormatArg::Github => Self::Github,
            FormatArg::Markdown => Self::Markdown,
        }
    }
}

/// `--policy`: the command-line spelling of [`PinPolicy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyArg {
    Tag,
    Version,
    Digest,
}

impl From<PolicyArg> for PinPolicy {
    fn from(arg: PolicyArg) -> Self {
        match arg {
            PolicyArg::Tag => Self::Tag,
            PolicyArg::Version => Self::Version,
            PolicyArg::Digest => Self::Digest,
        }
    }
}

/// `--fail-on`: the command-line spelling of [`FailOn`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOnArg {
    Error,
    Warning,
    Note,
    Never,
}

impl From<FailOnArg> for FailOn {
    fn from(arg: FailOnArg) -> Self {
        match arg {
            FailOnArg::Error => Self::Error,
            FailOnArg::Warning => Self::Warning,
            FailOnArg::Note => Self::Note,
            FailOnArg::Never => Self::Never,
        }
    }
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
        assert_eq!(Format::from(args.format), Format::Text);
        assert_eq!(args.settings.policy, None);
        assert!(!args.settings.no_config);
        assert_eq!(FailOn::from(args.fail_on), FailOn::Error);
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
