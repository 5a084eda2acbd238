//! Parsers: each turns one file's text into a typed [`Document`]: the file's own model with
//! spans (stages and instructions, services, jobs and steps, pod specs, `.env` entries), its
//! comments, and the occurrences the rules read (images, action references), each spanned in
//! the original text.

pub mod actions_lock;
pub mod comment;
pub mod compose;
pub mod dockerfile;
pub mod env;
pub mod expression;
pub mod interpolate;
pub mod k8s;
pub mod shell;
pub mod suppression;
pub mod workflow;
pub mod yaml;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use crate::model::action::{ActionUse, LockState};
use crate::model::image::ImageUse;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::model::location::Span;
use crate::model::script::Script;
use crate::model::source::SourceFile;

pub use comment::Comment;

/// Something in a file that could not be parsed; reported as PW001 at `span`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
    /// The level of the PW001 finding: an error unless the problem touches nothing the rules
    /// judge (a duplicate `requests:` key), then a note.
    pub level: Level,
}

impl Problem {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            level: Level::Error,
        }
    }

    /// A problem that affects no value the rules judge.
    pub fn note(span: Span, message: impl Into<String>) -> Self {
        Self {
            level: Level::Note,
            ..Self::new(span, message)
        }
    }
}

/// A message about a file that was deliberately not checked (e.g. a Helm template); it becomes
/// a SARIF tool notification, not a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub message: String,
}

/// The typed model of a parsed file.
#[derive(Debug, Default)]
pub enum Syntax {
    /// Nothing could be parsed (not valid YAML, not read).
    #[default]
    None,
    Dockerfile(dockerfile::Dockerfile),
    Compose(compose::ComposeFile),
    Workflow(workflow::Workflow),
    Action(workflow::ActionFile),
    Kubernetes(k8s::Manifests),
    Env(env::EnvFile),
    ActionsLock(actions_lock::ParsedLock),
}

/// One parsed file: its source, its typed model, its comments, the occurrences it names, and
/// what failed to parse.
#[derive(Debug)]
pub struct Document {
    pub source: Arc<SourceFile>,
    pub kind: FileKind,
    pub syntax: Syntax,
    pub comments: Vec<Comment>,
    pub images: Vec<ImageUse>,
    pub actions: Vec<ActionUse>,
    /// Shell scripts (Dockerfile `RUN`, workflow and composite `run:`), each mapped back to
    /// the file; a script in a shell pinwarden does not read is kept with its dialect
    /// `Skipped`.
    pub scripts: Vec<Script>,
    pub problems: Vec<Problem>,
    pub notices: Vec<Notice>,
    /// The shell analysis of `scripts`, made the first time a rule asks ([`Document::shell`]).
    pub shell: OnceLock<Vec<shell::ShellScript>>,
    /// The analysis of the scripts a filter admits ([`Document::shell_for`]), with its filter.
    pub shell_filtered: OnceLock<(shell::ScriptFilter, Vec<shell::ShellScript>)>,
}

impl Document {
    /// A document with nothing in it yet.
    pub fn empty(source: Arc<SourceFile>, kind: FileKind) -> Self {
        Self {
            source,
            kind,
            syntax: Syntax::None,
            comments: Vec::new(),
            images: Vec::new(),
            actions: Vec::new(),
            scripts: Vec::new(),
            problems: Vec::new(),
            notices: Vec::new(),
            shell: OnceLock::new(),
            shell_filtered: OnceLock::new(),
        }
    }

    /// The commands of every POSIX script, parsed once for all the rules that read them.
    pub fn shell(&self) -> &[shell::ShellScript] {
        self.shell.get_or_init(|| shell::analyze(self, None))
    }

    /// The commands of the POSIX scripts `filter` admits: at least every script that can run
    /// a word the filter asks for (most scripts install nothing, and parsing is the cost). The
    /// result is made once; every caller is expected to pass the same filter, and one that
    /// passes another gets the analysis of every script.
    pub fn shell_for(&self, filter: &shell::ScriptFilter) -> &[shell::ShellScript] {
        if let Some(all) = self.shell.get() {
            return all;
        }
        let (first, scripts) = self
            .shell_filtered
            .get_or_init(|| (*filter, shell::analyze(self, Some(filter))));
        if first == filter {
            scripts
        } else {
            self.shell()
        }
    }
}

/// What a parser may need besides the file itself.
#[derive(Clone, Copy, Default)]
pub struct ParseContext<'a> {
    /// The `.env` file beside a compose file, already parsed.
    pub env: Option<(&'a Arc<SourceFile>, &'a env::EnvFile)>,
    /// The process environment, only with `--env-from-process`.
    pub process_env: Option<&'a BTreeMap<String, String>>,
    /// What the workflow lockfile beside a workflow says of each `uses:` value.
    pub actions_lock: Option<workflow::LockLookup<'a>>,
    /// The file is in a Helm chart's `templates/` ([`k8s::in_chart_templates`]): its template
    /// actions make it no manifest until rendered.
    pub helm_chart_template: bool,
    /// Values for Dockerfile `ARG`s (`--build-arg`, the config file's `build-args:`).
    pub build_args: Option<&'a dockerfile::BuildArgs>,
}

/// No build arguments.
static NO_BUILD_ARGS: dockerfile::BuildArgs = dockerfile::BuildArgs::new();

/// Parse `source` as `kind`. Never fails: what cannot be parsed becomes a [`Problem`].
pub fn parse(source: Arc<SourceFile>, kind: FileKind, cx: &ParseContext<'_>) -> Document {
    let parsed = match kind {
        FileKind::Dockerfile => {
            let parsed = dockerfile::parse_with(&source, cx.build_args.unwrap_or(&NO_BUILD_ARGS));
            let comments = dockerfile_comments(&source, &parsed.dockerfile);
            // NOTE: a script in a shell pinwarden does not read (`SHELL ["pwsh", …]`) stays in
            // `scripts` as `Skipped`; the rules that read scripts say so when they run.
            let (scripts, _skipped) = dockerfile::scripts(&parsed.dockerfile, &source);
            return Document {
                comments,
                scripts,
                images: parsed.images,
                problems: parsed.problems,
                syntax: Syntax::Dockerfile(parsed.dockerfile),
                ..Document::empty(source, kind)
            };
        }
        FileKind::Env => {
            let file = env::parse_env(source.text());
            // A `#` after a blank ends an unquoted value (compose-go), so `.env` has trailing
            // comments; a `#` inside a value (`KEY="a #b"`, `KEY= #x`) is not one.
            let values: Vec<Span> = file.entries.iter().map(|entry| entry.value_span).collect();
            return Document {
                comments: comment::comments(source.text(), &values, true),
                problems: file.problems.clone(),
                syntax: Syntax::Env(file),
                ..Document::empty(source, kind)
            };
        }
        FileKind::Compose => compose::parse_compose(&source, cx.env, cx.process_env),
        FileKind::Workflow => {
            let unlocked = |_: &str| LockState::Unlocked;
            workflow::parse_workflow_with(&source, cx.actions_lock.unwrap_or(&unlocked))
        }
        FileKind::Action => workflow::parse_action(&source),
        FileKind::Kubernetes => k8s::parse_k8s(&source, cx.helm_chart_template),
        FileKind::ActionsLock => {
            let parsed = actions_lock::parse_actions_lock(source.text());
            let mut notices = Vec::new();
            if !parsed.problems.is_empty() {
                notices.push(Notice {
                    message: "workflow lockfile not used (see the PW001 findings): the \
                              workflows beside it are judged as not onboarded"
                        .to_owned(),
                });
            }
            return Document {
                problems: parsed.problems.clone(),
                notices,
                syntax: Syntax::ActionsLock(parsed),
                ..Document::empty(source, kind)
            };
        }
    };
    Document {
        source,
        kind,
        syntax: parsed.syntax,
        comments: parsed.comments,
        images: parsed.images,
        actions: parsed.actions,
        scripts: parsed.scripts,
        problems: parsed.problems,
        notices: parsed.notices,
        shell: OnceLock::new(),
        shell_filtered: OnceLock::new(),
    }
}

/// A Dockerfile's comment lines, outside heredoc bodies.
fn dockerfile_comments(source: &SourceFile, dockerfile: &dockerfile::Dockerfile) -> Vec<Comment> {
    let mut bodies: Vec<Span> = dockerfile
        .instructions
        .iter()
        .flat_map(|instruction| instruction.heredocs.iter().map(|heredoc| heredoc.span))
        .collect();
    bodies.sort_unstable();
    comment::comments(source.text(), &bodies, false)
}
