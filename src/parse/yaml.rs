//! A spanned YAML node tree: every node knows the byte range where its value is written, so
//! the compose, workflow and Kubernetes parsers can point at the exact image string.
//!
//! NOTE: scalars are never coerced (YAML 1.1 `on`/`NO` stay strings); aliased subtrees are
//! shared through `Arc`, never deep-cloned, and alias expansion and nesting depth are bounded.
//! Two readers feed one tree builder: `fast.rs` reads the plain block YAML most files are
//! (CRDs, compose, workflows) line by line; anything else, and every error, is granit-parser's.
//! Both give the same tree, spans and duplicate keys (`yaml/fast_tests.rs`).

#[path = "yaml/build.rs"]
mod build;
#[path = "yaml/fast.rs"]
mod fast;
#[path = "yaml/scalar_map.rs"]
mod scalar_map;

use std::ops::Range;
use std::sync::Arc;

use crate::model::action::ActionUse;
use crate::model::image::ImageUse;
use crate::model::location::Span;
use crate::model::script::Script;
use crate::parse::comment::Comment;
use crate::parse::{Notice, Problem, Syntax};

pub use scalar_map::mapped_scalar;

/// The most nodes that may be reachable through aliases in one file ("billion laughs" guard).
pub const MAX_ALIAS_EXPANSION: u64 = 1_000_000;

/// The most scalar bytes that may be reachable through aliases in one file: one long string
/// aliased a thousand times is few nodes but many bytes for every consumer (interpolation,
/// messages), so expansion counts bytes too.
pub const MAX_ALIAS_BYTES: u64 = 16 * 1024 * 1024;

/// The deepest nesting of collections accepted, counting nesting reached through aliases.
pub const MAX_DEPTH: usize = 256;

/// A parsed YAML stream.
#[derive(Clone, Debug, Default)]
pub struct YamlFile {
    /// One root node per document (`---`), in order.
    pub documents: Vec<Node>,
    /// Mapping keys that repeat an earlier key of the same mapping; the first wins.
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Where every scalar is written (keys, and values dropped as duplicates, included), in
    /// text order: a `#` inside one is no comment.
    pub scalar_spans: Vec<Span>,
}

/// A mapping entry dropped because an earlier entry has the same key.
#[derive(Clone, Debug)]
pub struct DuplicateKey {
    /// The span of the repeated key.
    pub key: Span,
    /// The dropped value.
    pub value: Node,
}

/// Why a YAML stream could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// An empty span at the position the parser stopped.
    pub span: Span,
    /// The parser's reason, with its 1-based line and column.
    pub message: String,
}

/// One YAML node.
#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    /// Where the value is written: for a node reached through an alias or a merge key, the
    /// anchored node's text; for a quoted scalar, the content without its quotes; for a block
    /// scalar, its content lines without the trailing line break.
    pub span: Span,
    /// Where the node was used through `*alias` (or a `<<` merge key), if it was: boxed,
    /// since few nodes are aliased and a smaller node is cheaper to build and move.
    alias: Option<Box<Span>>,
}

/// The value of a node. Collections are shared so an alias costs one pointer, not a copy.
#[derive(Clone, Debug)]
pub enum Value {
    /// Nothing written at all, e.g. `key:` with no value. (`~` and `null` stay scalars; see
    /// [`Node::is_null`].)
    Null,
    Scalar(Scalar),
    Sequence(Arc<[Node]>),
    /// Entries in document order, duplicate keys removed, merge keys (`<<`) applied.
    Mapping(Arc<[(Node, Node)]>),
}

/// A scalar as decoded by the parser, never coerced to a bool or a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// Shared: one allocation per scalar, and a clone (an alias, a merged key) is a pointer.
    pub text: Arc<str>,
    pub style: ScalarStyle,
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// What the compose, workflow and Kubernetes parsers return for one file.
#[derive(Debug, Default)]
pub struct ParsedYaml {
    /// The typed model (`Syntax::None` when the file is not valid YAML).
    pub syntax: Syntax,
    pub comments: Vec<Comment>,
    pub images: Vec<ImageUse>,
    pub actions: Vec<ActionUse>,
    pub scripts: Vec<Script>,
    pub problems: Vec<Problem>,
    pub notices: Vec<Notice>,
}

/// Parse a YAML stream (all documents). `text` may start with a BOM and use CRLF.
pub fn parse_yaml(text: &str) -> Result<YamlFile, YamlError> {
    build::build(text)
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

impl ParsedYaml {
    /// The result for a file that is not valid YAML: one problem at the parser's position.
    pub fn invalid(error: YamlError) -> Self {
        Self {
            problems: vec![Problem::new(error.span, error.message)],
            ..Self::default()
        }
    }

    /// Record a problem for each duplicate key of `file`: an error when the duplicate entry
    /// (whose value is dropped) is, or holds, one of the `judged` keys whose values the rules
    /// read (a second `image:`, a second `containers:` list); else a note, since what is
    /// checked is the same whichever entry a tool keeps.
    pub fn add_duplicate_keys(&mut self, file: &YamlFile, text: &str, judged: &[&str]) {
        for duplicate in &file.duplicate_keys {
            let span = duplicate.key;
            let key = text.get(span.start..span.end).unwrap_or("");
            let name = key.trim_matches(['"', '\'']);
            if judged.contains(&name) || holds_key(&duplicate.value, judged, 0) {
                self.problems.push(Problem::new(
                    span,
                    format!("duplicate key `{key}`: the first one is used"),
                ));
            } else {
                self.problems.push(Problem::note(
                    span,
                    format!(
                        "duplicate key `{key}`: the first one is used; nothing pinwarden checks \
                         is in the duplicate"
                    ),
                ));
            }
        }
    }
}

/// Does `node` hold one of `keys` as a mapping key, at any depth (bounded)?
fn holds_key(node: &Node, keys: &[&str], depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    match &node.value {
        Value::Mapping(entries) => entries.iter().any(|(key, value)| {
            key.as_str().is_some_and(|key| keys.contains(&key)) || holds_key(value, keys, depth + 1)
        }),
        Value::Sequence(items) => items.iter().any(|item| holds_key(item, keys, depth + 1)),
        Value::Null | Value::Scalar(_) => false,
    }
}

impl Node {
    /// The value of `key` in a mapping (keys compare by their scalar text).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_mapping()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The text of a scalar, whatever its style (`~` and `null` included).
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|scalar| &*scalar.text)
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// True for an empty value and for a plain `~`, `null`, `Null` or `NULL` (YAML 1.2 core).
    pub fn is_null(&self) -> bool {
        match &self.value {
            Value::Null => true,
            Value::Scalar(scalar) => {
                scalar.style == ScalarStyle::Plain
                    && matches!(&*scalar.text, "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    /// A scalar's text unless it is null: what an `image:` key can hold.
    pub fn as_string(&self) -> Option<&str> {
        if self.is_null() { None } else { self.as_str() }
    }

    /// The span of `range` (byte offsets into the decoded text) in the original source, when
    /// the scalar is written exactly as decoded (no escapes, no folding); else the whole span.
    pub fn sub_span(&self, source: &str, range: Range<usize>) -> Span {
        let Some(text) = self.as_str() else {
            return self.span;
        };
        let written = source.get(self.span.start..self.span.end);
        if written == Some(text) && range.start <= range.end && text.get(range.clone()).is_some() {
            Span::new(self.span.start + range.start, self.span.start + range.end)
        } else {
            self.span
        }
    }

    /// Where the node was used through `*alias` (or a `<<` merge key), if it was.
    pub fn alias(&self) -> Option<Span> {
        self.alias.as_deref().copied()
    }

    /// Where the node is used: the alias for an aliased node, else where it is written.
    pub fn use_span(&self) -> Span {
        self.alias().unwrap_or(self.span)
    }
}

#[cfg(test)]
#[path = "yaml/tests.rs"]
mod tests;

#[cfg(test)]
#[path = "yaml/fast_tests.rs"]
mod fast_tests;
