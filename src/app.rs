//! The scan pipeline: discover -> read -> parse -> check -> report -> exit status.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rayon::prelude::*;

use crate::cli::{Cli, ColorChoice, Command, ScanArgs};
use crate::discover::{self, Candidate, Classification};
use crate::github::upload::{self, UploadSettings};
use crate::model::action::LockState;
use crate::model::action_ref::{Uses, parse_uses};
use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::{FailOn, Level, PinPolicy};
use crate::model::location::{Location, Span};
use crate::model::source::SourceFile;
use crate::parse::actions_lock::{ActionsLock, LockStatus};
use crate::parse::env::EnvFile;
use crate::parse::k8s;
use crate::parse::{self, Document, ParseContext, Syntax};
use crate::report::{self, Format, Notification, Report};
use crate::rules::{self, CheckContext};
use crate::{action, include};

/// Files larger than this are not read (a notification says so).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

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

/// What `scan` needs, validated from the CLI.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub policy: PinPolicy,
    /// Resolve compose variables from the process environment too (before `.env`).
    pub env_from_process: bool,
}

/// Run a parsed command line. `stdout` receives reports and listings; `stderr` the one-line
/// summary of a scan whose report goes to `--output`.
pub fn run(cli: Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Scan(args) => run_scan(&args, stdout, stderr),
        Command::Rules => {
            write_rules(stdout)?;
            Ok(Outcome::Pass)
        }
        Command::Upload(args) => {
            let env = |name: &str| std::env::var(name).ok();
            upload::run_upload(&args, &env, &UploadSettings::default(), stdout)?;
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
    let options = ScanOptions {
        paths: args.paths.clone(),
        policy: args.policy.into(),
        env_from_process: args.env_from_process,
    };
    let format = Format::from(args.format);
    let fail_on = FailOn::from(args.fail_on);
    let mut report = scan(&options)?;
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
    Ok(gate(&report, fail_on))
}

/// Load every `--include-sarif` file into the report. A file that cannot be used becomes an
/// error notification (the scan and its report go on) and is returned, so the command can
/// still end with exit 2 after writing the report.
pub fn include_all(report: &mut Report, paths: &[PathBuf]) -> Vec<include::IncludeError> {
    let mut errors = Vec::new();
    for path in paths {
        match include::load(path) {
            Ok(included) => report.included.push(included),
            Err(error) => {
                report.notifications.push(Notification {
                    path: discover::display_path(path, std::env::current_dir().ok().as_deref()),
                    level: Level::Error,
                    message: format!("included SARIF not used: {error}"),
                });
                errors.push(error);
            }
        }
    }
    errors
}

/// Exit 1 when any finding (or included result) trips `fail_on`.
pub fn gate(report: &Report, fail_on: FailOn) -> Outcome {
    if report.levels().any(|level| fail_on.trips(level)) {
        Outcome::Fail
    } else {
        Outcome::Pass
    }
}

fn write_report_file(report: &Report, format: Format, path: &Path) -> anyhow::Result<()> {
    let file = File::create(path).map_err(|error| UsageError {
        message: format!("cannot create `{}`: {error}", path.display()),
        help: "check that the directory exists and is writable".to_owned(),
    })?;
    let mut writer = BufWriter::new(file);
    report::render(report, format, false, &mut writer)
        .and_then(|()| writer.flush())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

/// Discover, read, parse and check: the whole scan, with no output. Pure but for reading
/// the files; never touches the network.
pub fn scan(options: &ScanOptions) -> anyhow::Result<Report> {
    let candidates = discover::discover(&options.paths).map_err(|error| UsageError {
        message: error.to_string(),
        help: "pass existing files or directories, e.g. `pinwarden scan .`".to_owned(),
    })?;
    let cx = CheckContext::with_policy(options.policy);
    let cwd = std::env::current_dir().ok();
    let [envs, locks] =
        SIDECARS.map(|sidecar| load_sidecars(&candidates, cwd.as_deref(), &sidecar));
    // NOTE: a CI runner's environment is not the deploy environment, so it is read only when
    // asked (`--env-from-process`).
    let process_env: Option<BTreeMap<String, String>> = options.env_from_process.then(|| {
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect()
    });
    let outcomes: Vec<FileOutcome> = candidates
        .par_iter()
        .filter(|candidate| {
            let sidecar = SIDECARS
                .iter()
                .any(|sidecar| candidate.class == Classification::Kind(sidecar.kind));
            !sidecar
        })
        .map(|candidate| {
            let dir = candidate.path.parent();
            let env = dir.and_then(|dir| envs.get(dir)).and_then(Sidecar::env);
            let lock = dir.and_then(|dir| locks.get(dir)).and_then(Sidecar::lock);
            let file_name = candidate
                .path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let lookup = |value: &str| match lock {
                Some((source, lock)) => lock_state(source, lock, &file_name, value),
                None => LockState::Unlocked,
            };
            let parse_cx = ParseContext {
                env,
                process_env: process_env.as_ref(),
                actions_lock: Some(&lookup),
                helm_chart_template: k8s::in_chart_templates(&candidate.path, &|path| {
                    std::fs::symlink_metadata(path).is_ok()
                }),
            };
            scan_file(candidate, &cx, &parse_cx)
        })
        .chain(
            envs.par_iter()
                .chain(locks.par_iter())
                .map(|(_, sidecar)| sidecar.outcome(&cx)),
        )
        .collect();
    let mut findings = Vec::new();
    let mut notifications = Vec::new();
    let mut files_scanned = 0;
    for outcome in outcomes {
        files_scanned += usize::from(outcome.scanned);
        findings.extend(outcome.findings);
        notifications.extend(outcome.notifications);
    }
    let root_uri = std::env::current_dir().ok().map(|dir| directory_uri(&dir));
    Ok(Report::new(
        findings,
        notifications,
        files_scanned,
        options.policy,
        root_uri,
    ))
}

#[derive(Default)]
struct FileOutcome {
    scanned: bool,
    findings: Vec<Finding>,
    notifications: Vec<Notification>,
}

/// A file that other files read beside them: the `.env` of a compose file, the
/// `actions.lock` of the workflows. Read and parsed once per directory, used by every file of
/// its directory, and reported on its own (PW001 for what does not parse).
struct Sidecar {
    /// The parsed file, when it could be read.
    document: Option<Document>,
    /// Why it could not be read.
    issue: Option<Notification>,
}

impl Sidecar {
    fn outcome(&self, cx: &CheckContext) -> FileOutcome {
        match (&self.document, &self.issue) {
            (Some(document), _) => check_document(document, cx),
            (None, Some(issue)) => FileOutcome {
                notifications: vec![issue.clone()],
                ..FileOutcome::default()
            },
            (None, None) => FileOutcome::default(),
        }
    }

    /// The `.env` file, when it was parsed.
    fn env(&self) -> Option<(&Arc<SourceFile>, &EnvFile)> {
        let document = self.document.as_ref()?;
        match &document.syntax {
            Syntax::Env(file) => Some((&document.source, file)),
            _ => None,
        }
    }

    /// The usable workflow lockfile, when it was parsed.
    fn lock(&self) -> Option<(&Arc<SourceFile>, &ActionsLock)> {
        let document = self.document.as_ref()?;
        match &document.syntax {
            Syntax::ActionsLock(parsed) => Some((&document.source, parsed.lock.as_ref()?)),
            _ => None,
        }
    }
}

/// Which sidecar file goes with which kind of file.
struct SidecarKind {
    /// The files that read it.
    reader: FileKind,
    /// The sidecar's own kind and its file name in the reader's directory.
    kind: FileKind,
    name: &'static str,
}

/// Compose reads the `.env` beside it (whether or not discovery listed it: `.env` is usually
/// git-ignored, and Compose reads it anyway); GitHub reads `actions.lock` beside workflows.
const SIDECARS: [SidecarKind; 2] = [
    SidecarKind {
        reader: FileKind::Compose,
        kind: FileKind::Env,
        name: ".env",
    },
    SidecarKind {
        reader: FileKind::Workflow,
        kind: FileKind::ActionsLock,
        name: "actions.lock",
    },
];

/// Read the sidecar of `sidecar.kind` in every directory holding a reader (or the sidecar
/// itself, when discovery listed it).
fn load_sidecars(
    candidates: &[Candidate],
    cwd: Option<&Path>,
    sidecar: &SidecarKind,
) -> BTreeMap<PathBuf, Sidecar> {
    let mut loaded = BTreeMap::new();
    for candidate in candidates {
        let Classification::Kind(kind) = candidate.class else {
            continue;
        };
        let listed_sidecar = kind == sidecar.kind && sidecar.kind != FileKind::Env;
        if kind != sidecar.reader && !listed_sidecar {
            continue;
        }
        let Some(dir) = candidate.path.parent() else {
            continue;
        };
        if loaded.contains_key(dir) {
            continue;
        }
        let path = dir.join(sidecar.name);
        if !path.exists() && std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        let sidecar_candidate = Candidate {
            display: discover::display_path(&path, cwd),
            path,
            class: Classification::Kind(sidecar.kind),
            explicit: false,
        };
        let file = match read_source(&sidecar_candidate) {
            Ok(source) => Sidecar {
                document: Some(parse::parse(source, sidecar.kind, &ParseContext::default())),
                issue: None,
            },
            Err(ReadIssue::Notification(notification)) => Sidecar {
                document: None,
                issue: Some(notification),
            },
            Err(ReadIssue::Unparsable {
                source, message, ..
            }) => Sidecar {
                document: None,
                issue: Some(Notification {
                    path: source.path().to_owned(),
                    level: Level::Error,
                    message,
                }),
            },
        };
        loaded.insert(dir.to_path_buf(), file);
    }
    loaded
}

/// What the lockfile beside a workflow says of one `uses:` value of the workflow `file_name`.
fn lock_state(
    source: &Arc<SourceFile>,
    lock: &ActionsLock,
    file_name: &str,
    value: &str,
) -> LockState {
    // The lockfile lives in `.github/workflows/` and names workflows by repo-relative path.
    let workflow_path = format!(".github/workflows/{file_name}");
    let Uses::Action(reference) = parse_uses(value) else {
        return LockState::Unlocked;
    };
    match lock.status(&workflow_path, &reference.lock_key()) {
        LockStatus::NotOnboarded => LockState::Unlocked,
        LockStatus::Locked(entry) => LockState::Locked {
            entry: Location::new(Arc::clone(source), entry.key.span),
        },
        LockStatus::Missing => LockState::Missing {
            workflow: Location::new(
                Arc::clone(source),
                lock.workflow(&workflow_path)
                    .map_or(lock.version_span, |workflow| workflow.path_span),
            ),
        },
    }
}

fn scan_file(candidate: &Candidate, cx: &CheckContext, parse_cx: &ParseContext<'_>) -> FileOutcome {
    if candidate.class == Classification::Kind(FileKind::Dockerfile)
        && !candidate.explicit
        && discover::is_template(&candidate.path)
    {
        return FileOutcome {
            notifications: vec![Notification {
                path: candidate.display.clone(),
                level: Level::Note,
                message: "Dockerfile template (by its name): not scanned; scan the rendered file"
                    .to_owned(),
            }],
            ..FileOutcome::default()
        };
    }
    let source = match read_source(candidate) {
        Ok(source) => source,
        Err(ReadIssue::Notification(notification)) => {
            return FileOutcome {
                notifications: vec![notification],
                ..FileOutcome::default()
            };
        }
        Err(ReadIssue::Unparsable {
            source,
            span,
            message,
        }) => {
            let finding = Finding::new(
                &rules::meta::parse_error::META,
                Location::new(source, span),
                message,
            );
            return FileOutcome {
                scanned: true,
                findings: vec![finding],
                ..FileOutcome::default()
            };
        }
    };
    let kind = match candidate.class {
        Classification::Kind(kind) => kind,
        Classification::SniffYaml => match sniff_yaml(source.text(), candidate.explicit) {
            Some(kind) => kind,
            None if candidate.explicit => {
                return FileOutcome {
                    notifications: vec![Notification {
                        path: candidate.display.clone(),
                        level: Level::Warning,
                        message:
                            "not a compose file, workflow, action or Kubernetes manifest: skipped"
                                .to_owned(),
                    }],
                    ..FileOutcome::default()
                };
            }
            None => return FileOutcome::default(),
        },
    };
    let document = parse::parse(source, kind, parse_cx);
    check_document(&document, cx)
}

fn check_document(document: &Document, cx: &CheckContext) -> FileOutcome {
    let notifications = document
        .notices
        .iter()
        .map(|notice| Notification {
            path: document.source.path().to_owned(),
            level: Level::Note,
            message: notice.message.clone(),
        })
        .collect();
    FileOutcome {
        scanned: true,
        findings: rules::check(document, cx),
        notifications,
    }
}

/// The kind of a YAML file no name claims: a Kubernetes manifest by its `apiVersion` and
/// `kind`; a file named on the command line may also be compose, a workflow or an action,
/// told apart by its top-level keys.
fn sniff_yaml(text: &str, explicit: bool) -> Option<FileKind> {
    if k8s::looks_like_k8s(text) {
        return Some(FileKind::Kubernetes);
    }
    if !explicit {
        return None;
    }
    let top_level = |key: &str| {
        text.lines().any(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with(':') || rest.starts_with("\":"))
        })
    };
    if top_level("services") || top_level("\"services") {
        Some(FileKind::Compose)
    } else if top_level("jobs") {
        Some(FileKind::Workflow)
    } else if top_level("runs") {
        Some(FileKind::Action)
    } else {
        None
    }
}

enum ReadIssue {
    /// Not read at all (not a regular file, unreadable, too large).
    Notification(Notification),
    /// Read, but not text we can parse (binary, not UTF-8): PW001.
    Unparsable {
        source: Arc<SourceFile>,
        span: Span,
        message: String,
    },
}

/// Read a candidate as UTF-8 text, refusing what is not a regular file (a FIFO must not
/// block the scan), larger than [`MAX_FILE_BYTES`], binary or not UTF-8.
fn read_source(candidate: &Candidate) -> Result<Arc<SourceFile>, ReadIssue> {
    let skipped = |level: Level, message: String| {
        ReadIssue::Notification(Notification {
            path: candidate.display.clone(),
            level,
            message,
        })
    };
    let metadata = std::fs::metadata(&candidate.path)
        .map_err(|error| skipped(Level::Error, format!("cannot read file: {error}")))?;
    if !metadata.is_file() {
        return Err(skipped(
            Level::Warning,
            "not a regular file (directory, FIFO, socket or device): skipped".to_owned(),
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(skipped(
            Level::Warning,
            format!(
                "file is {} bytes, over the {MAX_FILE_BYTES}-byte limit: skipped",
                metadata.len()
            ),
        ));
    }
    let mut bytes = Vec::new();
    File::open(&candidate.path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|error| skipped(Level::Error, format!("cannot read file: {error}")))?;
    let probe = bytes.get(..8192).unwrap_or(&bytes);
    if let Some(nul) = probe.iter().position(|byte| *byte == 0) {
        let source = Arc::new(SourceFile::new(
            candidate.display.clone(),
            String::from_utf8_lossy(bytes.get(..nul).unwrap_or(&[])).into_owned(),
        ));
        let end = source.text().len();
        return Err(ReadIssue::Unparsable {
            source,
            span: Span::at(end),
            message: "binary file (contains a NUL byte): not a text file of its kind".to_owned(),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::new(SourceFile::new(candidate.display.clone(), text))),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let source = Arc::new(SourceFile::new(candidate.display.clone(), text));
            let position = source.position(valid_up_to);
            Err(ReadIssue::Unparsable {
                source,
                span: Span::at(valid_up_to),
                message: format!(
                    "file is not valid UTF-8 (invalid byte at line {}, column {})",
                    position.line, position.column
                ),
            })
        }
    }
}

/// `file:///abs/dir/` for SARIF `originalUriBaseIds`.
fn directory_uri(dir: &Path) -> String {
    let mut path = dir.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    let encoded: String = path
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    format!("file://{encoded}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_uris_are_absolute_and_encoded() {
        assert_eq!(directory_uri(Path::new("/work/repo")), "file:///work/repo/");
        assert_eq!(directory_uri(Path::new("/a b/")), "file:///a%20b/");
    }
}
