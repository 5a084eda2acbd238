//! The scan pipeline: discover -> read -> parse -> check -> report. Pure but for reading the
//! files; never touches the network.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::app::{Outcome, UsageError};
use crate::baseline::{self, BaselineOptions};
use crate::cli::ScanArgs;
use crate::config::{self, Settings};
use crate::discover::{self, Candidate, Classification};
use crate::include;
use crate::model::action::LockState;
use crate::model::action_ref::{Uses, parse_uses};
use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::{FailOn, Level, PinPolicy};
use crate::model::location::Location;
use crate::model::source::SourceFile;
use crate::parse::actions_lock::{ActionsLock, LockStatus};
use crate::parse::env::EnvFile;
use crate::parse::k8s;
use crate::parse::{self, Document, ParseContext, Syntax};
use crate::read::{ReadIssue, Stdin, read_source, stdin_source};
use crate::report::{self, Notification, Report};
use crate::rules::{self, CheckContext};

/// What `scan` needs, validated from the CLI and the config file.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    /// The effective configuration (config file and flags).
    pub settings: Settings,
    /// Resolve compose variables from the process environment too (before `.env`).
    pub env_from_process: bool,
    /// `--baseline`, `--write-baseline`, `--new-since`.
    pub baseline: BaselineOptions,
    /// `scan -`: the one file to scan, read from standard input (`paths` is then ignored).
    pub stdin: Option<Stdin>,
}

impl ScanOptions {
    /// Options with the settings at their defaults but for `policy`.
    pub fn with_policy(paths: Vec<PathBuf>, policy: PinPolicy) -> Self {
        let mut settings = Settings::default();
        for slot in [
            &mut settings.images,
            &mut settings.actions,
            &mut settings.packages,
        ] {
            slot.value = policy;
        }
        Self {
            paths,
            settings,
            ..Self::default()
        }
    }
}

/// The scan options of a parsed `scan` command line (the CLI's and the action's), with the
/// config file read. A bad config file or flag is a usage error (exit 2).
pub fn scan_options(args: &ScanArgs) -> Result<ScanOptions, UsageError> {
    Ok(ScanOptions {
        paths: args.paths.clone(),
        settings: settings(&args.settings.command_line(&args.paths))?,
        env_from_process: args.env_from_process,
        baseline: BaselineOptions {
            baseline: args.baseline.clone(),
            write_baseline: args.write_baseline.clone(),
            new_since: args.new_since.clone(),
        },
        stdin: None,
    })
}

/// The effective settings of a command line, or the usage error that explains what is wrong.
pub fn settings(command_line: &config::CommandLine) -> Result<Settings, UsageError> {
    let validate = |glob: &str| {
        discover::Excludes::new(&[glob.to_owned()])
            .map(|_| ())
            .map_err(|error| error.to_string())
    };
    config::resolve(command_line, &validate).map_err(|error| {
        let help = match &error {
            config::SettingsError::Config(error) => match &error.expected {
                Some(expected) => format!(
                    "expected {expected}; the keys and values are in README \"Configuration\" \
                     and docs/pinwarden.schema.json"
                ),
                None => "the keys and values are in README \"Configuration\" and \
                         docs/pinwarden.schema.json"
                    .to_owned(),
            },
            config::SettingsError::Ambiguous { .. } => {
                "remove one of them, or name one with `--config FILE`".to_owned()
            }
            _ => "fix the flag or the config file, or pass `--no-config`".to_owned(),
        };
        UsageError {
            message: error.to_string(),
            help,
        }
    })
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

/// Discover, read, parse and check: the whole scan, with no output. Pure but for reading
/// the files (and the git objects `--new-since` compares with) and writing
/// `--write-baseline`; never touches the network.
/// The most files one parallel task takes: a file costs tens of microseconds to
/// milliseconds, a task a few hundred nanoseconds.
const PARALLEL_CHUNK: usize = 8;

pub fn scan(options: &ScanOptions) -> anyhow::Result<Report> {
    let usage = |error: discover::DiscoverError| UsageError {
        message: error.to_string(),
        help: "pass existing files or directories, e.g. `pinwarden scan .`, and valid \
               --exclude globs"
            .to_owned(),
    };
    let excludes = discover::Excludes::new(&options.settings.exclude_globs()).map_err(usage)?;
    let discovery = match &options.stdin {
        Some(stdin) => discover::Discovery {
            candidates: vec![discover::stdin_candidate(&stdin.name)],
            notifications: Vec::new(),
        },
        None => discover::discover(&options.paths, &excludes).map_err(usage)?,
    };
    let candidates = discovery.candidates;
    let cx = options.settings.check_context();
    let build_args = options.settings.build_args();
    // NOTE: standard input has no directory: no `.env` or lockfile beside it is read.
    let [envs, locks] = SIDECARS.map(|sidecar| match options.stdin {
        Some(_) => BTreeMap::new(),
        None => load_sidecars(&candidates, &sidecar),
    });
    // NOTE: a CI runner's environment is not the deploy environment, so it is read only when
    // asked (`--env-from-process`). The config file's `env:` is the deploy environment the
    // repository declares: under the process's, over `.env`.
    let mut outer_env: BTreeMap<String, String> = options.settings.env_values();
    if options.env_from_process {
        outer_env.extend(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        );
    }
    let process_env = (!outer_env.is_empty()).then_some(outer_env);
    let outcomes: Vec<FileOutcome> = candidates
        .par_iter()
        // NOTE: rayon stops splitting a range once its first split budget is spent, so the
        // last range of a sorted tree (a folder of 800 KB CRDs) ran on one core while the
        // other idled. Small ranges keep every core busy to the end.
        .with_max_len(PARALLEL_CHUNK)
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
                build_args: Some(&build_args),
                helm_chart_template: options.stdin.is_none()
                    && k8s::in_chart_templates(&candidate.path, &|path| {
                        std::fs::symlink_metadata(path).is_ok()
                    }),
            };
            scan_file(candidate, options.stdin.as_ref(), &cx, &parse_cx)
        })
        .chain(
            envs.par_iter()
                .chain(locks.par_iter())
                .map(|(_, sidecar)| sidecar.outcome(&cx)),
        )
        .collect();
    let mut findings = Vec::with_capacity(outcomes.iter().map(|o| o.findings.len()).sum());
    let mut notifications = discovery.notifications;
    let mut files_scanned = 0;
    let mut suppressions = Vec::new();
    for outcome in outcomes {
        files_scanned += usize::from(outcome.scanned);
        findings.extend(outcome.findings);
        notifications.extend(outcome.notifications);
        suppressions.extend(outcome.suppressions);
    }
    // Over the whole scan: a compose file's finding can sit in the `.env` beside it.
    rules::suppression::apply(&mut findings, &suppressions, &cx);
    // The baseline states are set before the report is built: its per-file cap keeps the
    // findings that count for the gate first.
    findings.sort_by(Finding::report_order);
    // The files this scan covered, which a baseline file's entries are matched within; only
    // a baseline file reads them.
    let scanned: BTreeSet<String> = match options.baseline.baseline {
        Some(_) => candidates
            .iter()
            .map(|candidate| candidate.display.clone())
            .chain(
                findings
                    .iter()
                    .map(|finding| finding.primary.source.path().to_owned()),
            )
            .collect(),
        None => BTreeSet::new(),
    };
    baseline::mark(&options.baseline, &options.paths, &scanned, &mut findings).map_err(
        |error| UsageError {
            help: error.help(),
            message: error.to_string(),
        },
    )?;
    let root_uri = std::env::current_dir()
        .ok()
        .map(|dir| report::sarif::directory_uri(&dir));
    let mut report = Report::new(
        findings,
        notifications,
        files_scanned,
        options.settings.policies(),
        root_uri,
    );
    // Secret values of the environment an image could quote (`--env-from-process`), masked
    // in every output; those of files are found by the report through each finding's lines.
    for (key, value) in process_env.iter().flatten() {
        report.add_secret(key, value);
    }
    report.compared_with = options.baseline.describe();
    Ok(report)
}

#[derive(Default)]
struct FileOutcome {
    scanned: bool,
    findings: Vec<Finding>,
    notifications: Vec<Notification>,
    /// The file's `# pinwarden:ignore` comments, applied once every file is checked.
    suppressions: Option<rules::suppression::FileSuppressions>,
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
fn load_sidecars(candidates: &[Candidate], sidecar: &SidecarKind) -> BTreeMap<PathBuf, Sidecar> {
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
        let sidecar_candidate = match discover::sibling(candidate, sidecar.name, sidecar.kind) {
            None => continue,
            Some(Ok(found)) => found,
            Some(Err(notification)) => {
                let refused = Sidecar {
                    document: None,
                    issue: Some(notification),
                };
                loaded.insert(dir.to_path_buf(), refused);
                continue;
            }
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

fn scan_file(
    candidate: &Candidate,
    stdin: Option<&Stdin>,
    cx: &CheckContext,
    parse_cx: &ParseContext<'_>,
) -> FileOutcome {
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
    let read = match stdin {
        Some(stdin) => stdin_source(candidate, stdin.bytes.clone()),
        None => read_source(candidate),
    };
    let source = match read {
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
        .chain(&rules::notices(document, cx))
        .map(|notice| Notification {
            path: document.source.path().to_owned(),
            level: Level::Note,
            message: notice.message.clone(),
        })
        .collect();
    let mut findings = rules::check(document, cx);
    // In the report's order already, here on all cores: the scan's own sort of the whole
    // tree then only merges files (a finding is large to move).
    findings.sort_by(Finding::report_order);
    FileOutcome {
        scanned: true,
        findings,
        notifications,
        suppressions: rules::suppression::collect(document),
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
