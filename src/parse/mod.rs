//! Parsers: each turns one file's text into a typed document whose flaggable values carry
//! spans into the original text, plus the image occurrences every PW1xx rule reads.

pub mod compose;
pub mod dockerfile;
pub mod env;
pub mod expression;
pub mod interpolate;
pub mod k8s;
pub mod workflow;
pub mod yaml;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::discover::FileKind;
use crate::model::image::ImageUse;
use crate::model::location::Span;
use crate::model::source::SourceFile;

/// Something in a file that could not be parsed; reported as PW001 at `span`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
}

impl Problem {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
        }
    }
}

/// A message about a file that was deliberately not checked (e.g. a Helm template); it becomes
/// a SARIF tool notification, not a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub message: String,
}

/// The typed syntax tree of a parsed file, for rules that need more than image occurrences.
#[derive(Debug)]
pub enum Syntax {
    Dockerfile(dockerfile::Dockerfile),
}

/// One parsed file: its source, its syntax, the images it names, and what failed to parse.
#[derive(Debug)]
pub struct Document {
    pub source: Arc<SourceFile>,
    pub kind: FileKind,
    pub syntax: Option<Syntax>,
    pub images: Vec<ImageUse>,
    pub problems: Vec<Problem>,
    pub notices: Vec<Notice>,
}

/// What a parser may need besides the file itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseContext<'a> {
    /// The `.env` file beside a compose file, already parsed.
    pub env: Option<(&'a Arc<SourceFile>, &'a env::EnvFile)>,
    /// The process environment, only with `--env-from-process`.
    pub process_env: Option<&'a BTreeMap<String, String>>,
}

/// Parse `source` as `kind`. Never fails: what cannot be parsed becomes a [`Problem`].
pub fn parse(source: Arc<SourceFile>, kind: FileKind, cx: &ParseContext<'_>) -> Document {
    let parsed = match kind {
        FileKind::Dockerfile => {
            let parsed = dockerfile::parse(&source);
            return Document {
                images: parsed.images,
                problems: parsed.problems,
                notices: Vec::new(),
                syntax: Some(Syntax::Dockerfile(parsed.dockerfile)),
                source,
                kind,
            };
        }
        FileKind::Env => {
            let parsed = env::parse_env(source.text());
            return Document {
                images: Vec::new(),
                problems: parsed.problems,
                notices: Vec::new(),
                syntax: None,
                source,
                kind,
            };
        }
        FileKind::Compose => compose::parse_compose(&source, cx.env, cx.process_env),
        FileKind::Workflow => workflow::parse_workflow(&source),
        FileKind::Action => workflow::parse_action(&source),
        FileKind::Kubernetes => k8s::parse_k8s(&source),
    };
    Document {
        source,
        kind,
        syntax: None,
        images: parsed.images,
        problems: parsed.problems,
        notices: parsed.notices,
    }
}
