//! `pinwarden action`: the container action's entrypoint. Reads the inputs the runner passes
//! as `INPUT_<NAME>` (upper-cased, hyphens kept: `INPUT_FAIL-ON`), scans, writes the SARIF
//! file, annotations (stdout), the job summary (`$GITHUB_STEP_SUMMARY`) and the outputs
//! (`$GITHUB_OUTPUT`), uploads to code scanning when asked and allowed, and exits like `scan`.
//!
//! The inputs become a `pinwarden scan …` and a `pinwarden upload …` command line, parsed by
//! the CLI's own definition (`cli::Cli`): every value is checked and every default comes
//! from one place. Only `sarif-file` (where the log goes) and `upload` (whether to send it)
//! are the action's own.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::app::{Outcome, UsageError};
use crate::baseline;
use crate::cli::{self, Command, ScanArgs};
use crate::github::context;
use crate::github::upload::{self, UploadOptions, UploadSettings};
use crate::report::escape::{command_data, markdown_message};
use crate::report::{self, Format, Report};
use crate::scan;
use crate::write;

/// Where the SARIF log goes without a `sarif-file` input (action.yml says the same).
pub const DEFAULT_SARIF_FILE: &str = "pinwarden.sarif";

/// Whether to upload (`upload` input).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadMode {
    /// `false`: never.
    Never,
    /// `true` (the default): unless this is a pull request from a fork, whose token cannot
    /// write security events.
    Allowed,
    /// `always`: even from a fork (a token with more rights is passed).
    Always,
}

/// The action's inputs, parsed by the CLI's definition.
#[derive(Debug)]
pub struct ActionInputs {
    pub scan: ScanArgs,
    pub sarif_file: PathBuf,
    pub upload_mode: UploadMode,
    /// The upload of pinwarden's log (first) and every `include-sarif` file.
    pub upload: UploadOptions,
    /// The pull request's base commit (event payload), on a pull request event.
    pub pull_request_base: Option<String>,
    /// `new-since: auto` outside a pull request: said in a notice, every finding counts.
    pub new_since_not_applied: bool,
}

/// Which input each flag of the built command lines came from (for error messages).
const FLAG_INPUTS: &[(&str, &str)] = &[
    ("--policy", "policy"),
    ("--fail-on", "fail-on"),
    ("--include-sarif", "include-sarif"),
    ("--exclude", "exclude"),
    ("--baseline", "baseline"),
    ("--new-since", "new-since"),
    ("--output", "sarif-file"),
    ("--category", "category"),
];

impl ActionInputs {
    /// Read the inputs from `env` (the process environment in production). Every problem is
    /// reported at once.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, UsageError> {
        let input = |name: &str| {
            env(&format!("INPUT_{}", name.to_ascii_uppercase()))
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let list = |name: &str, separators: &[char]| -> Vec<String> {
            input(name)
                .unwrap_or_default()
                .split(separators)
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut problems = Vec::new();
        let upload_mode = match input("upload").map(|value| value.to_ascii_lowercase()) {
            None => UploadMode::Allowed,
            Some(value) => match value.as_str() {
                "true" => UploadMode::Allowed,
                "false" => UploadMode::Never,
                "always" => UploadMode::Always,
                _ => {
                    problems.push(format!(
                        "input `upload` must be `true`, `false` or `always`, not `{value}`"
                    ));
                    UploadMode::Allowed
                }
            },
        };
        let sarif_file = input("sarif-file").unwrap_or_else(|| DEFAULT_SARIF_FILE.to_owned());
        let include_sarif = list("include-sarif", &[',', '\n']);

        let mut scan = vec!["scan".to_owned(), "--format".to_owned(), "sarif".to_owned()];
        scan.extend(["--output".to_owned(), sarif_file.clone()]);
        // Choices are accepted in any case, as the runner's YAML users write them (`Digest`).
        for (flag, name) in [("--policy", "policy"), ("--fail-on", "fail-on")] {
            if let Some(value) = input(name) {
                scan.extend([flag.to_owned(), value.to_ascii_lowercase()]);
            }
        }
        for file in &include_sarif {
            scan.extend(["--include-sarif".to_owned(), file.clone()]);
        }
        // One glob per line: a glob may hold a comma (`{a,b}`).
        for glob in list("exclude", &['\n']) {
            scan.extend(["--exclude".to_owned(), glob]);
        }
        if let Some(baseline) = input("baseline") {
            scan.extend(["--baseline".to_owned(), baseline]);
        }
        let pull_request_base = pull_request_base(env);
        let mut new_since_not_applied = false;
        match input("new-since") {
            Some(value) if value.eq_ignore_ascii_case("auto") => match &pull_request_base {
                Some(base) => scan.extend(["--new-since".to_owned(), base.clone()]),
                None => new_since_not_applied = true,
            },
            Some(value) => scan.extend(["--new-since".to_owned(), value]),
            None => {}
        }
        // `--` so that a path starting with `-` stays a path.
        scan.push("--".to_owned());
        scan.extend(list("path", &[' ', '\t', '\n']));

        let mut upload = vec![
            "upload".to_owned(),
            "--sarif".to_owned(),
            sarif_file.clone(),
        ];
        if let Some(category) = input("category") {
            upload.extend(["--category".to_owned(), category]);
        }
        for file in &include_sarif {
            upload.extend(["--sarif".to_owned(), file.clone()]);
        }

        let scan = parse(scan, &mut problems).and_then(|command| match command {
            Command::Scan(args) => Some(*args),
            _ => None,
        });
        let upload = parse(upload, &mut problems).and_then(|command| match command {
            Command::Upload(args) => Some(args.options()),
            _ => None,
        });
        match (scan, upload) {
            (Some(scan), Some(upload)) if problems.is_empty() => Ok(Self {
                scan,
                sarif_file: PathBuf::from(sarif_file),
                upload_mode,
                upload,
                pull_request_base,
                new_since_not_applied,
            }),
            _ => Err(UsageError {
                message: problems.join("; "),
                help: "see the inputs in action.yml (`pinwarden scan --help` has the same values)"
                    .to_owned(),
            }),
        }
    }
}

/// Parse a command line built from the inputs with the CLI's definition. A bad value is
/// recorded in `problems` under its input's name and dropped, and parsing goes on, so every
/// bad input is reported at once.
fn parse(mut args: Vec<String>, problems: &mut Vec<String>) -> Option<Command> {
    for _ in 0..=FLAG_INPUTS.len() {
        let error = match cli::parse_command(args.iter().cloned()) {
            Ok(command) => return Some(command),
            Err(error) => error,
        };
        let flag = error.flag.clone();
        let input = flag.as_deref().and_then(|flag| {
            FLAG_INPUTS
                .iter()
                .find(|(known, _)| *known == flag)
                .map(|(_, input)| *input)
        });
        let (Some(flag), Some(input), Some(value)) = (flag, input, error.value.clone()) else {
            problems.push(format!(
                "the inputs do not form a valid command: {}",
                error.kind
            ));
            return None;
        };
        let allowed = error
            .allowed
            .iter()
            .map(|value| format!("`{value}`"))
            .collect::<Vec<_>>()
            .join(", ");
        problems.push(if allowed.is_empty() {
            format!("input `{input}` has an invalid value `{value}`")
        } else {
            format!("input `{input}` must be one of {allowed}, not `{value}`")
        });
        // Drop the bad flag and its value, then parse the rest.
        let at = args
            .iter()
            .position(|arg| *arg == flag)
            .filter(|at| args.get(at + 1) == Some(&value))?;
        args.drain(at..at + 2);
    }
    None
}

/// The base commit of the pull request this run is for (`pull_request.base.sha` of the event
/// payload), on a pull request event.
fn pull_request_base(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let event_name = env("GITHUB_EVENT_NAME")?;
    if !event_name.starts_with("pull_request") {
        return None;
    }
    let payload_path = env("GITHUB_EVENT_PATH").filter(|path| !path.is_empty())?;
    let payload = context::read_event_payload(Path::new(&payload_path)).ok()?;
    payload
        .pointer("/pull_request/base/sha")
        .and_then(serde_json::Value::as_str)
        .filter(|sha| context::is_commit_sha(sha))
        .map(str::to_ascii_lowercase)
}

/// The files that set the gate itself: a pull request that changes one can let findings
/// through, so the job summary names them for the reviewers.
fn gate_files(inputs: &ActionInputs) -> Vec<String> {
    let mut files = vec![".pinwarden.yml".to_owned(), ".pinwarden.yaml".to_owned()];
    if let Some(baseline) = &inputs.scan.baseline {
        files.push(crate::discover::display_path(baseline, None));
    }
    files
}

/// The job summary's paragraph on the gate's own files in a pull request: which of them it
/// changes (`git diff --name-only base...HEAD` in `workspace`, the repository's top), or why
/// that could not be told. `None` when nothing needs saying.
fn gate_change_note(inputs: &ActionInputs, workspace: &Path) -> Option<String> {
    let base = inputs.pull_request_base.as_deref()?;
    let files = gate_files(inputs);
    let compared = baseline::Repository::open(workspace, base)
        .and_then(|repository| repository.changed_paths(&files));
    match compared {
        Ok(changed) if changed.is_empty() => None,
        Ok(changed) => {
            let names: Vec<String> = changed
                .iter()
                .map(|path| crate::report::escape::markdown_code(path, false))
                .collect();
            Some(format!(
                "\n**This pull request changes the gate's own settings:** {}. Review those \
                 changes with the code: they can let findings through.\n",
                names.join(", ")
            ))
        }
        // Only worth saying when the gate depends on the comparison.
        Err(_) if inputs.scan.baseline.is_none() && inputs.scan.new_since.is_none() => None,
        Err(error) => Some(format!(
            "\nCould not tell whether this pull request changes {}: {}\n",
            files.join(", "),
            markdown_message(&error.to_string(), false)
        )),
    }
}

/// Every scanned path must lie inside the workspace: a symbolic link the pull request
/// committed at a `path` input must not move the scan outside it.
fn check_paths_inside(paths: &[PathBuf]) -> Result<(), UsageError> {
    let Ok(workspace) = std::env::current_dir().and_then(std::fs::canonicalize) else {
        return Ok(());
    };
    for path in paths {
        let inside = std::fs::canonicalize(path).map_or(true, |real| real.starts_with(&workspace));
        if !inside {
            return Err(UsageError {
                message: format!(
                    "input `path`: `{}` resolves outside the workspace (a symbolic link?): not \
                     scanned",
                    path.display()
                ),
                help: "name files or directories of the checked-out repository".to_owned(),
            });
        }
    }
    Ok(())
}

/// Run the action. `stdout` receives the annotations and progress.
pub fn run(
    env: &dyn Fn(&str) -> Option<String>,
    settings: &UploadSettings,
    stdout: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let inputs = ActionInputs::from_env(env)?;
    check_paths_inside(&inputs.scan.paths)?;
    check_paths_inside(inputs.scan.baseline.as_slice())?;
    let mut report = scan::scan(&scan::scan_options(&inputs.scan)?)?;
    let include_errors = scan::include_all(&mut report, &inputs.scan.include_sarif);

    // Everything is written and uploaded even if one step fails; the first failure decides
    // the exit code at the end (a summary that cannot be written must not stop the upload).
    let mut failures: Vec<anyhow::Error> = Vec::new();
    let sarif_written = match write::write_report(&inputs.sarif_file, |out| {
        report::render(&report, Format::Sarif, false, out)
    }) {
        Ok(()) => true,
        Err(error) => {
            failures.push(
                UsageError {
                    message: format!("cannot create `{}`: {error}", inputs.sarif_file.display()),
                    help: "check the `sarif-file` input".to_owned(),
                }
                .into(),
            );
            false
        }
    };
    let skip = upload_skipped(env, inputs.upload_mode);
    // One annotation of each level is kept for the upload's own error or notice.
    report::github::render_reserving(&report, 1, stdout).context("cannot write annotations")?;
    if let Some(reason) = skip.as_deref() {
        writeln!(
            stdout,
            "::notice title=pinwarden upload::{}",
            command_data(reason)
        )?;
    }
    let new_since_note = inputs.new_since_not_applied.then_some(
        "`new-since: auto` applies to pull requests only: this run is not one, so every \
         finding counts for the gate",
    );
    if let Some(note) = new_since_note {
        writeln!(
            stdout,
            "::notice title=pinwarden new-since::{}",
            command_data(note)
        )?;
    }
    let gate_change = gate_change_note(&inputs, Path::new("."));
    if let Some(summary) = env("GITHUB_STEP_SUMMARY").filter(|path| !path.is_empty())
        && let Err(error) = write::append_runner_file(Path::new(&summary), |out| {
            report::render(&report, Format::Markdown, false, out)?;
            if let Some(note) = &gate_change {
                out.write_all(note.as_bytes())?;
            }
            if let Some(note) = new_since_note {
                writeln!(out, "\n{}", markdown_message(note, false))?;
            }
            if let Some(reason) = skip.as_deref() {
                writeln!(
                    out,
                    "\n**Upload skipped.** {}",
                    markdown_message(reason, false)
                )?;
            }
            Ok(())
        })
    {
        failures.push(anyhow::Error::new(error).context("cannot write the job summary"));
    }
    if let Some(outputs) = env("GITHUB_OUTPUT").filter(|path| !path.is_empty())
        && let Err(error) = write::append_runner_file(Path::new(&outputs), |out| {
            write_outputs(&report, &inputs, out)
        })
    {
        failures.push(anyhow::Error::new(error).context("cannot write the step outputs"));
    }

    let mut upload_error = None;
    if skip.is_none() && inputs.upload_mode != UploadMode::Never && sarif_written {
        // pinwarden's own log first, under the configured category; each included file after
        // it keeps its tool's name and gets a category of its own (code scanning rejects two
        // runs with the same tool and category in one upload). Files that did not load are
        // left out: they would be rejected.
        let loaded = loaded_mask(&inputs.scan.include_sarif, &report);
        let mut options = inputs.upload.clone();
        let mut keep = std::iter::once(true).chain(loaded);
        options.sarif.retain(|_| keep.next().unwrap_or(false));
        let token_env = |name: &str| {
            // The runner sets INPUT_TOKEN too; action.yml maps it to GITHUB_TOKEN.
            env(name).or_else(|| {
                (name == options.token_env)
                    .then(|| env("INPUT_TOKEN"))
                    .flatten()
            })
        };
        if let Err(error) = upload::run_upload(&options, &token_env, settings, stdout) {
            writeln!(
                stdout,
                "::error title=pinwarden upload::{}",
                command_data(&error.to_string())
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
    Ok(scan::gate(&report, inputs.scan.fail_on.into()))
}

/// Why the upload is skipped, if it is: a pull request from a fork gets a read-only token,
/// so code scanning would refuse it (HTTP 403). `upload: always` tries anyway.
fn upload_skipped(env: &dyn Fn(&str) -> Option<String>, mode: UploadMode) -> Option<String> {
    if mode != UploadMode::Allowed {
        return None;
    }
    let event_name = env("GITHUB_EVENT_NAME");
    let payload_path = env("GITHUB_EVENT_PATH").filter(|path| !path.is_empty())?;
    let payload = context::read_event_payload(Path::new(&payload_path)).ok()?;
    context::is_fork_pull_request(event_name.as_deref(), &payload).then(|| {
        "this is a pull request from a fork, whose token cannot write to code scanning, so \
         the SARIF log is not uploaded; the annotations, this summary and the gate still \
         report every finding (set `upload: always` to try anyway)"
            .to_owned()
    })
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
        ("pre-existing", report.pre_existing.to_string()),
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::level::{FailOn, PinPolicy, Policies};

    fn inputs(pairs: &[(&str, &str)]) -> Result<ActionInputs, UsageError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ActionInputs::from_env(&|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_come_from_the_cli() {
        let inputs = inputs(&[]).unwrap();
        let cli = match cli::parse_command(["scan".to_owned()]).unwrap() {
            Command::Scan(args) => args,
            _ => unreachable!(),
        };
        assert_eq!(inputs.scan.paths, cli.paths);
        assert_eq!(inputs.scan.settings.policy, cli.settings.policy);
        assert_eq!(inputs.scan.fail_on, cli.fail_on);
        assert_eq!(inputs.scan.settings.policy, None);
        assert_eq!(inputs.sarif_file, PathBuf::from(DEFAULT_SARIF_FILE));
        assert_eq!(inputs.scan.output, Some(PathBuf::from(DEFAULT_SARIF_FILE)));
        assert_eq!(inputs.upload_mode, UploadMode::Allowed);
        assert_eq!(inputs.upload.sarif, vec![PathBuf::from(DEFAULT_SARIF_FILE)]);
        // no category: the upload's default, the tool name lowercased (`pinwarden`)
        assert!(inputs.upload.category.is_empty());
        assert_eq!(inputs.upload.token_env, "GITHUB_TOKEN");
        assert_eq!(inputs.upload.wait_seconds, 120);
        assert!(inputs.scan.include_sarif.is_empty());
    }

    #[test]
    fn hyphenated_names_and_lists() {
        let inputs = inputs(&[
            ("INPUT_FAIL-ON", "warning"),
            ("INPUT_PATH", "Dockerfile action.yml\n.github"),
            ("INPUT_INCLUDE-SARIF", "trivy.sarif, grype.sarif\n"),
            ("INPUT_EXCLUDE", "vendor\n*.{gen,tmp}.yaml\n"),
            ("INPUT_UPLOAD", "false"),
            ("INPUT_POLICY", "Digest"),
            ("INPUT_CATEGORY", "images"),
        ])
        .unwrap();
        assert_eq!(FailOn::from(inputs.scan.fail_on), FailOn::Warning);
        assert_eq!(inputs.scan.paths.len(), 3);
        assert_eq!(
            inputs.scan.include_sarif,
            vec![PathBuf::from("trivy.sarif"), PathBuf::from("grype.sarif")]
        );
        assert_eq!(inputs.scan.settings.exclude, ["vendor", "*.{gen,tmp}.yaml"]);
        assert_eq!(inputs.upload_mode, UploadMode::Never);
        assert_eq!(
            inputs.scan.settings.policy.map(PinPolicy::from),
            Some(PinPolicy::Digest)
        );
        assert_eq!(inputs.upload.category, ["images"]);
        assert_eq!(inputs.upload.sarif.len(), 3);
        let always = super::tests::inputs(&[("INPUT_UPLOAD", "Always")]).unwrap();
        assert_eq!(always.upload_mode, UploadMode::Always);
    }

    #[test]
    fn baseline_and_new_since_map_to_their_flags() {
        let inputs = inputs(&[
            ("INPUT_BASELINE", "ci/baseline.json"),
            ("INPUT_NEW-SINCE", "origin/main"),
        ])
        .unwrap();
        assert_eq!(
            inputs.scan.baseline,
            Some(PathBuf::from("ci/baseline.json"))
        );
        assert_eq!(inputs.scan.new_since.as_deref(), Some("origin/main"));
        assert!(!inputs.new_since_not_applied);
        // `auto` without a pull request event: no flag, and a notice.
        let auto = super::tests::inputs(&[("INPUT_NEW-SINCE", "Auto")]).unwrap();
        assert_eq!(auto.scan.new_since, None);
        assert!(auto.new_since_not_applied);
        let none = super::tests::inputs(&[]).unwrap();
        assert_eq!((none.scan.baseline, none.scan.new_since), (None, None));
        assert_eq!(
            gate_files(&inputs),
            [".pinwarden.yml", ".pinwarden.yaml", "ci/baseline.json"]
        );
    }

    #[test]
    fn a_path_starting_with_a_dash_stays_a_path() {
        let inputs = inputs(&[("INPUT_PATH", "--help -x")]).unwrap();
        assert_eq!(
            inputs.scan.paths,
            [PathBuf::from("--help"), PathBuf::from("-x")]
        );
    }

    #[test]
    fn outputs_cannot_be_injected_through_a_path() {
        let report = Report::new(Vec::new(), Vec::new(), 0, Policies::default(), None);
        let mut inputs = inputs(&[]).unwrap();
        inputs.sarif_file = PathBuf::from("a.sarif\nerrors=0");
        let mut out = Vec::new();
        write_outputs(&report, &inputs, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "sarif-file<<PINWARDEN_EOF\na.sarif\nerrors=0\nPINWARDEN_EOF\nfindings=0\nerrors=0\nwarnings=0\npre-existing=0\n"
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
        assert!(
            error.message.contains(
                "input `fail-on` must be one of `error`, `warning`, `note`, `never`, not `sometimes`"
            ),
            "{}",
            error.message
        );
        assert!(error.message.contains("`upload`"), "{}", error.message);
    }
}
