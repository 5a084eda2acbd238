//! `pinwarden action`: the container action's entrypoint. Reads the inputs the runner passes
//! as `INPUT_<NAME>` (upper-cased, hyphens kept: `INPUT_FAIL-ON`), scans, writes the SARIF
//! file, annotations (stdout), the job summary (`$GITHUB_STEP_SUMMARY`) and the outputs
//! (`$GITHUB_OUTPUT`), uploads to code scanning when asked, and exits like `scan`.
//!
//! Each input maps 1:1 to a CLI flag with the same default (see `action.yml`).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::app::{self, Outcome, ScanOptions, UsageError};
use crate::cli::{FailOnArg, PolicyArg};
use crate::github::upload::{self, UploadArgs, UploadSettings};
use crate::model::level::{FailOn, PinPolicy};
use crate::report::{self, Format, Report};

/// The action's inputs, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionInputs {
    pub paths: Vec<PathBuf>,
    pub policy: PinPolicy,
    pub fail_on: FailOn,
    pub sarif_file: PathBuf,
    pub upload: bool,
    pub category: String,
    pub include_sarif: Vec<PathBuf>,
}

impl ActionInputs {
    /// Read the inputs from `env` (the process environment in production). Every problem is
    /// reported at once.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, UsageError> {
        let input = |name: &str| {
            env(&format!("INPUT_{}", name.to_ascii_uppercase()))
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let mut problems = Vec::new();
        let paths: Vec<PathBuf> = input("path")
            .unwrap_or_else(|| ".".to_owned())
            .split_whitespace()
            .map(PathBuf::from)
            .collect();
        let policy: PinPolicy = parse_choice(
            &input("policy"),
            "policy",
            PolicyArg::Version,
            &mut problems,
        )
        .into();
        let fail_on: FailOn = parse_choice(
            &input("fail-on"),
            "fail-on",
            FailOnArg::Error,
            &mut problems,
        )
        .into();
        let upload = match input("upload").as_deref() {
            None | Some("true" | "True" | "TRUE") => true,
            Some("false" | "False" | "FALSE") => false,
            Some(other) => {
                problems.push(format!(
                    "input `upload` must be `true` or `false`, not `{other}`"
                ));
                true
            }
        };
        let include_sarif = input("include-sarif")
            .unwrap_or_default()
            .split([',', '\n'])
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(PathBuf::from)
            .collect();
        if !problems.is_empty() {
            return Err(UsageError {
                message: problems.join("; "),
                help: "see the inputs in action.yml (`pinwarden scan --help` has the same values)"
                    .to_owned(),
            });
        }
        Ok(Self {
            paths,
            policy,
            fail_on,
            sarif_file: PathBuf::from(
                input("sarif-file").unwrap_or_else(|| "pinwarden.sarif".to_owned()),
            ),
            upload,
            category: input("category").unwrap_or_else(|| "pinwarden".to_owned()),
            include_sarif,
        })
    }
}

fn parse_choice<T: clap::ValueEnum + Clone>(
    value: &Option<String>,
    name: &str,
    default: T,
    problems: &mut Vec<String>,
) -> T {
    let Some(value) = value else {
        return default;
    };
    if let Ok(parsed) = T::from_str(value, true) {
        return parsed;
    }
    let allowed: Vec<String> = T::value_variants()
        .iter()
        .filter_map(|variant| {
            variant
                .to_possible_value()
                .map(|v| format!("`{}`", v.get_name()))
        })
        .collect();
    problems.push(format!(
        "input `{name}` must be one of {}, not `{value}`",
        allowed.join(", ")
    ));
    default
}

/// Run the action. `stdout` receives the annotations and progress.
pub fn run(
    env: &dyn Fn(&str) -> Option<String>,
    settings: &UploadSettings,
    stdout: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let inputs = ActionInputs::from_env(env)?;
    let mut report = app::scan(&ScanOptions {
        paths: inputs.paths.clone(),
        policy: inputs.policy,
        env_from_process: false,
    })?;
    let include_errors = app::include_all(&mut report, &inputs.include_sarif);

    // Everything is written and uploaded even if one step fails; the first failure decides
    // the exit code at the end (a summary that cannot be written must not stop the upload).
    let mut failures: Vec<anyhow::Error> = Vec::new();
    let sarif_written = match write_file(&inputs.sarif_file, |out| {
        report::render(&report, Format::Sarif, false, out)
    }) {
        Ok(()) => true,
        Err(error) => {
            failures.push(error);
            false
        }
    };
    report::render(&report, Format::Github, false, stdout).context("cannot write annotations")?;
    if let Some(summary) = env("GITHUB_STEP_SUMMARY").filter(|path| !path.is_empty())
        && let Err(error) = append_file(Path::new(&summary), |out| {
            report::render(&report, Format::Markdown, false, out)
        })
    {
        failures.push(error);
    }
    if let Some(outputs) = env("GITHUB_OUTPUT").filter(|path| !path.is_empty())
        && let Err(error) = append_file(Path::new(&outputs), |out| {
            write_outputs(&report, &inputs, out)
        })
    {
        failures.push(error);
    }

    let mut upload_error = None;
    if inputs.upload && sarif_written {
        // pinwarden's own log first, under the configured category; each included file after
        // it keeps its tool's name and gets a category of its own (code scanning rejects two
        // runs with the same tool and category in one upload).
        let mut files = vec![inputs.sarif_file.clone()];
        files.extend(
            inputs
                .include_sarif
                .iter()
                .zip(&loaded_mask(&inputs.include_sarif, &report))
                .filter(|(_, usable)| **usable)
                .map(|(path, _)| path.clone()),
        );
        let args = UploadArgs {
            sarif: files,
            category: vec![inputs.category.clone()],
            token_env: "GITHUB_TOKEN".to_owned(),
            api_url: None,
            wait_seconds: 120,
        };
        let token_env = |name: &str| {
            // The runner sets INPUT_TOKEN too; action.yml maps it to GITHUB_TOKEN.
            env(name).or_else(|| {
                (name == "GITHUB_TOKEN")
                    .then(|| env("INPUT_TOKEN"))
                    .flatten()
            })
        };
        if let Err(error) = upload::run_upload(&args, &token_env, settings, stdout) {
            writeln!(
                stdout,
                "::error title=pinwarden upload::{}",
                report::github::escape_data(&error.to_string())
            )?;
            upload_error = Some(error);
        }
    }

    if let Some(error) = failures.into_iter().next() {
        return Err(error);
    }
    if let Some(error) = include_errors.first() {
        return Err(UsageError {
            message: error.to_string(),
            help: "`include-sarif` must name SARIF 2.1.0 files written earlier in the job"
                .to_owned(),
        }
        .into());
    }
    if let Some(error) = upload_error {
        return Err(anyhow::Error::new(error).context("the SARIF upload to code scanning failed"));
    }
    Ok(app::gate(&report, inputs.fail_on))
}

/// Which included files loaded (the others are not uploaded: they would be rejected).
fn loaded_mask(paths: &[PathBuf], report: &Report) -> Vec<bool> {
    paths
        .iter()
        .map(|path| {
            report
                .included
                .iter()
                .any(|included| &included.path == path)
        })
        .collect()
}

/// `name=value` lines for `$GITHUB_OUTPUT`; a value with a line break (a path input could
/// hold one) uses the runner's delimiter form, so it cannot inject another output.
fn write_outputs(
    report: &Report,
    inputs: &ActionInputs,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let counts = report.total_counts();
    let sarif_file = inputs.sarif_file.display().to_string();
    for (name, value) in [
        ("sarif-file", sarif_file),
        ("findings", counts.total().to_string()),
        ("errors", counts.errors.to_string()),
        ("warnings", counts.warnings.to_string()),
    ] {
        if value.contains(['\n', '\r']) {
            let mut delimiter = String::from("PINWARDEN_EOF");
            while value.contains(&delimiter) {
                delimiter.push('_');
            }
            writeln!(out, "{name}<<{delimiter}\n{value}\n{delimiter}")?;
        } else {
            writeln!(out, "{name}={value}")?;
        }
    }
    Ok(())
}

fn write_file(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut file = std::fs::File::create(path).map_err(|error| UsageError {
        message: format!("cannot create `{}`: {error}", path.display()),
        help: "check the `sarif-file` input".to_owned(),
    })?;
    render(&mut file).with_context(|| format!("cannot write `{}`", path.display()))
}

fn append_file(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open `{}`", path.display()))?;
    render(&mut file).with_context(|| format!("cannot write `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn inputs(pairs: &[(&str, &str)]) -> Result<ActionInputs, UsageError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ActionInputs::from_env(&|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_match_the_cli() {
        let inputs = inputs(&[]).unwrap();
        assert_eq!(inputs.paths, vec![PathBuf::from(".")]);
        assert_eq!(inputs.policy, PinPolicy::Version);
        assert_eq!(inputs.fail_on, FailOn::Error);
        assert_eq!(inputs.sarif_file, PathBuf::from("pinwarden.sarif"));
        assert!(inputs.upload);
        assert_eq!(inputs.category, "pinwarden");
        assert!(inputs.include_sarif.is_empty());
    }

    #[test]
    fn hyphenated_names_and_lists() {
        let inputs = inputs(&[
            ("INPUT_FAIL-ON", "warning"),
            ("INPUT_PATH", "Dockerfile action.yml\n.github"),
            ("INPUT_INCLUDE-SARIF", "trivy.sarif, grype.sarif\n"),
            ("INPUT_UPLOAD", "false"),
            ("INPUT_POLICY", "Digest"),
        ])
        .unwrap();
        assert_eq!(inputs.fail_on, FailOn::Warning);
        assert_eq!(inputs.paths.len(), 3);
        assert_eq!(
            inputs.include_sarif,
            vec![PathBuf::from("trivy.sarif"), PathBuf::from("grype.sarif")]
        );
        assert!(!inputs.upload);
        assert_eq!(inputs.policy, PinPolicy::Digest);
    }

    #[test]
    fn outputs_cannot_be_injected_through_a_path() {
        let report = Report::new(Vec::new(), Vec::new(), 0, PinPolicy::Version, None);
        let mut inputs = inputs(&[]).unwrap();
        inputs.sarif_file = PathBuf::from("a.sarif\nerrors=0");
        let mut out = Vec::new();
        write_outputs(&report, &inputs, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "sarif-file<<PINWARDEN_EOF\na.sarif\nerrors=0\nPINWARDEN_EOF\nfindings=0\nerrors=0\nwarnings=0\n"
        );
    }

    #[test]
    fn every_bad_input_is_reported_at_once() {
        let error = inputs(&[
            ("INPUT_POLICY", "strict"),
            ("INPUT_FAIL-ON", "sometimes"),
            ("INPUT_UPLOAD", "yes"),
        ])
        .unwrap_err();
        assert!(
            error
                .message
                .contains("input `policy` must be one of `tag`, `version`, `digest`, not `strict`"),
            "{}",
            error.message
        );
        assert!(error.message.contains("`fail-on`"), "{}", error.message);
        assert!(error.message.contains("`upload`"), "{}", error.message);
    }
}
