//! Dispatch: run a parsed command line (`scan`, `rules`, `explain`, `upload`, `action`) and
//! map it to an [`Outcome`]. The scan pipeline is `scan.rs`, file reading `read.rs`.

use rayon::prelude::*;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{Cli, ColorChoice, Command, ScanArgs};
use crate::github::upload::{self, UploadSettings};
use crate::model::level::{FailOn, PinPolicy};
use crate::read::{self, Stdin};
use crate::report::{self, Format, Report};
use crate::rules;
use crate::scan::{include_all, scan, scan_options};
use crate::{action, write};

pub use crate::scan::{ScanOptions, gate};

/// How a command ended, when it did not fail: `main` maps this to the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Pass,
    /// Exit 1: findings at or above `--fail-on`.
    Fail,
}

/// A usage or environment error: exit 2, with a one-line cause and a hint.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    pub message: String,
    pub help: String,
}

/// Run a parsed command line. `stdout` receives reports and listings; `stderr` the one-line
/// summary of a scan whose report goes to `--output`.
pub fn run(cli: Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Scan(args) => run_scan(&args, stdout, stderr),
        Command::Config(args) => {
            let settings = crate::scan::settings(&args.settings.command_line(&args.paths))?;
            stdout.write_all(crate::config::render(&settings).as_bytes())?;
            Ok(Outcome::Pass)
        }
        Command::Rules => {
            write_rules(stdout)?;
            Ok(Outcome::Pass)
        }
        Command::Upload(args) => {
            let env = |name: &str| std::env::var(name).ok();
            upload::run_upload(&args.options(), &env, &UploadSettings::default(), stdout)?;
            Ok(Outcome::Pass)
        }
        Command::Action => {
            let env = |name: &str| std::env::var(name).ok();
            action::run(&env, &UploadSettings::default(), stdout)
        }
        Command::Explain { id } => {
            let rule = rules::find(&id).ok_or_else(|| UsageError {
                message: format!("unknown rule `{id}`"),
                help: "run `pinwarden rules` to list the rule ids".to_owned(),
            })?;
            stdout.write_all(rule.help.as_bytes())?;
            Ok(Outcome::Pass)
        }
    }
}

fn run_scan(
    args: &ScanArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let format = Format::from(args.format);
    let fail_on = FailOn::from(args.fail_on);
    let extra_outputs = extra_outputs(args)?;
    let mut options = scan_options(args)?;
    options.stdin = stdin_input(args)?;
    let mut report = scan(&options)?;
    if let Some(path) = &args.write_baseline {
        let _ = writeln!(stderr, "baseline written to `{}`", path.display());
    }
    report.show_suppressed = args.show_suppressed;
    let include_errors = include_all(&mut report, &args.include_sarif);
    let color = args.output.is_none()
        && format == Format::Text
        && match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
    for (path, format) in &extra_outputs {
        write_report_file(&report, *format, path)?;
    }
    match &args.output {
        Some(path) => {
            write_report_file(&report, format, path)?;
            // NOTE: the terminal still learns the outcome; a closed stderr is not an error.
            let summary = report::text::summary(&report);
            let _ = writeln!(stderr, "{summary} (report written to `{}`)", path.display());
        }
        None => {
            report::render(&report, format, color, stdout).context("cannot write the report")?;
            stdout.flush().context("cannot write the report")?;
        }
    }
    if let Some(first) = include_errors.first() {
        return Err(UsageError {
            message: format!("{first} (pinwarden's own report was written)"),
            help: "pass the SARIF 2.1.0 file the other tool wrote, e.g. Trivy's `--format sarif --output FILE`".to_owned(),
        }
        .into());
    }
    let outcome = gate(&report, fail_on);
    // A large scan's findings take a while to free: on all cores, not on this one.
    report.findings.into_par_iter().for_each(drop);
    Ok(outcome)
}

/// `--sarif-output`, `--json-output` and `--markdown-output`, each with its format. No two
/// outputs (`--output` included) may name the same file.
fn extra_outputs(args: &ScanArgs) -> Result<Vec<(PathBuf, Format)>, UsageError> {
    let extra: Vec<(PathBuf, Format)> = [
        (&args.sarif_output, Format::Sarif),
        (&args.json_output, Format::Json),
        (&args.markdown_output, Format::Markdown),
    ]
    .into_iter()
    .filter_map(|(path, format)| path.clone().map(|path| (path, format)))
    .collect();
    let mut seen: Vec<&Path> = args.output.iter().map(PathBuf::as_path).collect();
    for (path, _) in &extra {
        if seen.contains(&path.as_path()) {
            return Err(UsageError {
                message: format!("`{}` is named by two output options", path.display()),
                help: "give each of --output, --sarif-output, --json-output and \
                       --markdown-output its own file"
                    .to_owned(),
            });
        }
        seen.push(path);
    }
    Ok(extra)
}

/// `scan -`: standard input, read (bounded) under the name `--stdin-filename` gives.
fn stdin_input(args: &ScanArgs) -> Result<Option<Stdin>, UsageError> {
    let dash = args.paths.iter().any(|path| path.as_os_str() == "-");
    let name = args.stdin_filename.as_deref().map(str::trim);
    match (dash, name) {
        (false, None) => Ok(None),
        (false, Some(_)) => Err(UsageError {
            message: "--stdin-filename is only used with `-` as the path".to_owned(),
            help: "scan standard input with `pinwarden scan - --stdin-filename Dockerfile`"
                .to_owned(),
        }),
        (true, _) if args.paths.len() > 1 => Err(UsageError {
            message: "`-` (standard input) must be the only path".to_owned(),
            help: "scan files and standard input in separate runs".to_owned(),
        }),
        (true, None | Some("")) => Err(UsageError {
            message: "`scan -` needs --stdin-filename NAME: the name decides the kind of file"
                .to_owned(),
            help: "e.g. `pinwarden scan - --stdin-filename Dockerfile < Dockerfile`".to_owned(),
        }),
        (true, Some(name)) => {
            let bytes = read::read_stdin(io::stdin().lock()).map_err(|error| UsageError {
                message: format!("cannot read standard input: {error}"),
                help: "pipe the file in: `pinwarden scan - --stdin-filename NAME < FILE`"
                    .to_owned(),
            })?;
            Ok(Some(Stdin {
                name: name.to_owned(),
                bytes,
            }))
        }
    }
}

fn write_report_file(report: &Report, format: Format, path: &Path) -> anyhow::Result<()> {
    write::write_report(path, |out| report::render(report, format, false, out)).map_err(
        |error| UsageError {
            message: format!("cannot create `{}`: {error}", path.display()),
            help: "check that the directory exists and is writable".to_owned(),
        },
    )?;
    Ok(())
}

fn write_rules(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<6} {:<24} {:<8} {:<9} summary",
        "id", "name", "level", "policy"
    )?;
    for rule in rules::metas() {
        let policy = rule.min_policy.map_or("any", PinPolicy::as_str);
        writeln!(
            out,
            "{:<6} {:<24} {:<8} {:<9} {}",
            rule.id,
            rule.name,
            rule.default_level.as_str(),
            policy,
            rule.summary
        )?;
    }
    Ok(())
}
