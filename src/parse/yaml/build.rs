//! Builds the spanned node tree from `granit-parser` events with an explicit stack (no
//! recursion), sharing aliased subtrees and bounding alias expansion and depth.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use granit_parser::{Event, Parser, ScalarStyle as EventStyle, ScanError, options};

use super::{
    DuplicateKey, MAX_ALIAS_BYTES, MAX_ALIAS_EXPANSION, MAX_DEPTH, Node, Scalar, ScalarStyle,
    Value, YamlError, YamlFile,
};
use crate::model::location::Span;

/// A mapping this small is checked for duplicate keys pairwise, without hashing.
const SMALL_MAPPING: usize = 8;

/// Scalars written plainly in the text up to this long share one allocation per file: keys
/// and small values (`description`, `type`, `string`) repeat thousands of times in a CRD.
const SHARED_SCALAR: usize = 32;

/// An anchored node, with how many nodes and scalar bytes it expands to and how deep it
/// nests.
struct Anchor {
    node: Node,
    size: Size,
    height: usize,
}

/// What a subtree expands to: nodes and scalar text bytes, aliases expanded.
#[derive(Clone, Copy, Default)]
struct Size {
    nodes: u64,
    bytes: u64,
}

impl Size {
    fn add(self, other: Self) -> Self {
        Self {
            nodes: self.nodes.saturating_add(other.nodes),
            bytes: self.bytes.saturating_add(other.bytes),
        }
    }
}

enum Collection {
    Sequence,
    /// With the key read and waiting for its value.
    Mapping {
        key: Option<Node>,
    },
}

/// An open collection. Its children wait on the builder's shared stacks (`items` for a
/// sequence, `entries` for a mapping) from `first` on: each collection is then moved once
/// into one exactly-sized allocation when it closes, never regrown.
struct Frame {
    collection: Collection,
    first: usize,
    anchor: usize,
    start: usize,
    end: usize,
    /// Nodes and bytes reachable from this collection so far (itself included), aliases
    /// expanded.
    size: Size,
    /// Nesting depth of its deepest child so far (a scalar is 0).
    height: usize,
}

pub(super) struct Builder<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<(Node, Node)>,
    anchors: HashMap<usize, Anchor>,
    expanded: Size,
    root: Option<Node>,
    file: YamlFile,
    /// One `Arc` per distinct short scalar text (see [`SHARED_SCALAR`]).
    shared: HashMap<&'t str, Arc<str>, foldhash::fast::FixedState>,
}

pub(super) fn build(text: &str) -> Result<YamlFile, YamlError> {
    match super::fast::build(text) {
        Some(file) => Ok(file),
        None => build_with_granit(text),
    }
}

/// The general path: every YAML construct, with granit-parser's errors.
pub(super) fn build_with_granit(text: &str) -> Result<YamlFile, YamlError> {
    let options = options! {
        flow_nesting_limit: MAX_DEPTH,
        block_nesting_limit: MAX_DEPTH,
    };
    let mut builder = Builder::new(text);
    for next in Parser::new_from_str_with_options(text, options) {
        let (event, span) = next.map_err(|error| scan_error(&error))?;
        let range = span.byte_range().unwrap_or(0..0);
        builder.event(event, Span::new(range.start, range.end))?;
    }
    Ok(builder.file)
}

fn scan_error(error: &ScanError) -> YamlError {
    let marker = error.marker();
    let mut reason = error.info();
    if reason.is_empty() {
        reason = format!("{:?}", error.kind());
    }
    YamlError {
        span: Span::at(marker.byte_offset().unwrap_or(0)),
        message: format!(
            "invalid YAML: {reason} at line {} column {}",
            marker.line(),
            marker.col() + 1
        ),
    }
}

impl<'t> Builder<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Self {
            text,
            stack: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            anchors: HashMap::new(),
            expanded: Size::default(),
            root: None,
            file: YamlFile::default(),
            shared: HashMap::with_capacity_and_hasher(256, foldhash::fast::FixedState::default()),
        }
    }

    pub(super) fn into_file(self) -> YamlFile {
        self.file
    }

    pub(super) fn event(&mut self, event: Event<'t>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::DocumentStart(..) => self.root = None,
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Node {
                    value: Value::Null,
                    span: Span::at(span.start),
                    alias: None,
                });
                self.file.documents.push(root);
                // Anchors are scoped to their document.
                self.anchors.clear();
                self.stack.clear();
                self.items.clear();
                self.entries.clear();
            }
            Event::Scalar(text, style, anchor, _) => {
                let size = Size {
                    nodes: 1,
                    bytes: u64::try_from(text.len()).unwrap_or(u64::MAX),
                };
                let node = self.scalar(text, style, span);
                if matches!(node.value, Value::Scalar(_)) {
                    self.file.scalar_spans.push(node.span);
                }
                self.finish(node, size, 0, anchor);
            }
            Event::SequenceStart(_, anchor, _) => {
                self.open(Collection::Sequence, anchor, span)?;
            }
            Event::MappingStart(_, anchor, _) => {
                self.open(Collection::Mapping { key: None }, anchor, span)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::Alias(id) => self.alias(id, span)?,
            Event::UnresolvedAlias(name) => {
                return Err(error(span, format!("unknown anchor `{name}`")));
            }
            _ => {}
        }
        Ok(())
    }

    fn scalar(&mut self, text: Cow<'t, str>, style: EventStyle, span: Span) -> Node {
        let style = match style {
            EventStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            EventStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            EventStyle::Literal => ScalarStyle::Literal,
            EventStyle::Folded => ScalarStyle::Folded,
            EventStyle::Plain => ScalarStyle::Plain,
        };
        if style == ScalarStyle::Plain && span.is_empty() {
            return Node {
                value: Value::Null,
                span,
                alias: None,
            };
        }
        let raw = self.text.get(span.start..span.end).unwrap_or("");
        let span = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if raw.len() >= 2 => {
                Span::new(span.start + 1, span.end - 1)
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                Span::new(span.start, span.start + raw.trim_end().len())
            }
            _ => span,
        };
        let text = match text {
            Cow::Borrowed(short) if short.len() <= SHARED_SCALAR => {
                Arc::clone(self.shared.entry(short).or_insert_with(|| Arc::from(short)))
            }
            text => Arc::from(text.as_ref()),
        };
        Node {
            value: Value::Scalar(Scalar { text, style }),
            span,
            alias: None,
        }
    }

    fn open(&mut self, collection: Collection, anchor: usize, span: Span) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(too_deep(span));
        }
        let first = match collection {
            Collection::Sequence => self.items.len(),
            Collection::Mapping { .. } => self.entries.len(),
        };
        self.stack.push(Frame {
            collection,
            first,
            anchor,
            start: span.start,
            end: span.end,
            size: Size { nodes: 1, bytes: 0 },
            height: 0,
        });
        Ok(())
    }

    fn close(&mut self, span: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        // A flow collection ends at its bracket; a block one at its last child.
        let end = if span.is_empty() { frame.end } else { span.end };
        let value = match frame.collection {
            Collection::Sequence => Value::Sequence(self.items.drain(frame.first..).collect()),
            Collection::Mapping { .. } => {
                let written = self.entries.get(frame.first..).unwrap_or(&[]);
                match finish_mapping(written, &mut self.file.duplicate_keys) {
                    Some(entries) => {
                        self.entries.truncate(frame.first);
                        Value::Mapping(entries.into())
                    }
                    None => Value::Mapping(self.entries.drain(frame.first..).collect()),
                }
            }
        };
        let node = Node {
            value,
            span: Span::new(frame.start, end.max(frame.start)),
            alias: None,
        };
        self.finish(node, frame.size, frame.height + 1, frame.anchor);
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), YamlError> {
        let Some(anchor) = self.anchors.get(&id) else {
            return Err(error(span, "alias refers to a node that contains it"));
        };
        self.expanded = self.expanded.add(anchor.size);
        if self.expanded.nodes > MAX_ALIAS_EXPANSION {
            return Err(error(
                span,
                format!("alias expansion exceeds {MAX_ALIAS_EXPANSION} nodes (billion laughs?)"),
            ));
        }
        if self.expanded.bytes > MAX_ALIAS_BYTES {
            return Err(error(
                span,
                format!("alias expansion exceeds {MAX_ALIAS_BYTES} bytes of text"),
            ));
        }
        if self.stack.len() + anchor.height > MAX_DEPTH {
            return Err(too_deep(span));
        }
        let node = Node {
            value: anchor.node.value.clone(),
            span: anchor.node.span,
            alias: Some(Box::new(span)),
        };
        let (size, height) = (anchor.size, anchor.height);
        self.finish(node, size, height, 0);
        Ok(())
    }

    /// Attach a completed node to its parent (or make it the document root).
    fn finish(&mut self, node: Node, size: Size, height: usize, anchor: usize) {
        if anchor != 0 {
            let anchored = Anchor {
                node: node.clone(),
                size,
                height,
            };
            self.anchors.insert(anchor, anchored);
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        frame.size = frame.size.add(size);
        frame.height = frame.height.max(height);
        frame.end = frame.end.max(node.use_span().end);
        match &mut frame.collection {
            Collection::Sequence => self.items.push(node),
            Collection::Mapping { key } => match key.take() {
                Some(k) => self.entries.push((k, node)),
                None => *key = Some(node),
            },
        }
    }
}

fn error(span: Span, message: impl Into<String>) -> YamlError {
    YamlError {
        span: Span::at(span.start),
        message: message.into(),
    }
}

fn too_deep(span: Span) -> YamlError {
    error(span, format!("YAML nests deeper than {MAX_DEPTH} levels"))
}

fn key_text(key: &Node) -> Option<&str> {
    key.as_scalar().map(|scalar| &*scalar.text)
}

fn is_merge_key(key: &Node) -> bool {
    key.as_scalar()
        .is_some_and(|scalar| scalar.style == ScalarStyle::Plain && &*scalar.text == "<<")
}

/// The mappings a `<<` value merges in, in priority order, or `None` if it is not a merge.
fn merge_sources(value: &Node) -> Option<Vec<&Node>> {
    match &value.value {
        Value::Mapping(_) => Some(vec![value]),
        Value::Sequence(items) if items.iter().all(|item| item.as_mapping().is_some()) => {
            Some(items.iter().collect())
        }
        _ => None,
    }
}

/// Drop duplicate keys (the first wins) and apply YAML 1.1 merge keys: merged entries go at
/// the `<<` position, explicit keys override them, and earlier sources override later ones.
/// `None` when the mapping stays as written (the common case: no copy is made).
fn finish_mapping(
    entries: &[(Node, Node)],
    duplicates: &mut Vec<DuplicateKey>,
) -> Option<Vec<(Node, Node)>> {
    let has_merge = entries
        .iter()
        .any(|(k, v)| is_merge_key(k) && merge_sources(v).is_some());
    if !has_merge {
        return dedupe(entries, duplicates);
    }
    let explicit: HashSet<String> = entries
        .iter()
        .filter(|(k, v)| !(is_merge_key(k) && merge_sources(v).is_some()))
        .filter_map(|(k, _)| key_text(k).map(str::to_owned))
        .collect();
    let mut seen = HashSet::new();
    let mut result = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        if let Some(sources) = is_merge_key(key).then(|| merge_sources(value)).flatten() {
            for source in sources {
                for (k, v) in source.as_mapping().unwrap_or(&[]) {
                    let Some(text) = key_text(k) else { continue };
                    if explicit.contains(text) || !seen.insert(text.to_owned()) {
                        continue;
                    }
                    let mut k = k.clone();
                    let mut v = v.clone();
                    k.alias = k.alias.or_else(|| source.alias.clone());
                    v.alias = v.alias.or_else(|| source.alias.clone());
                    result.push((k, v));
                }
            }
        } else if let Some(text) = key_text(key) {
            if seen.insert(text.to_owned()) {
                result.push((key.clone(), value.clone()));
            } else {
                duplicates.push(DuplicateKey {
                    key: key.span,
                    value: value.clone(),
                });
            }
        } else {
            result.push((key.clone(), value.clone()));
        }
    }
    Some(result)
}

/// The mapping without its repeated keys, or `None` when no key repeats.
fn dedupe(
    entries: &[(Node, Node)],
    duplicates: &mut Vec<DuplicateKey>,
) -> Option<Vec<(Node, Node)>> {
    let mut drop = Vec::new();
    if entries.len() <= SMALL_MAPPING {
        for (i, (key, _)) in entries.iter().enumerate() {
            let Some(text) = key_text(key) else { continue };
            let earlier = entries.get(..i).unwrap_or(&[]);
            if earlier.iter().any(|(k, _)| key_text(k) == Some(text)) {
                drop.push(i);
            }
        }
    } else {
        let mut seen = HashSet::with_capacity(entries.len());
        for (i, (key, _)) in entries.iter().enumerate() {
            if key_text(key).is_some_and(|text| !seen.insert(text)) {
                drop.push(i);
            }
        }
    }
    if drop.is_empty() {
        return None;
    }
    let mut next = drop.iter().peekable();
    let mut kept = Vec::with_capacity(entries.len() - drop.len());
    for (index, (key, value)) in entries.iter().enumerate() {
        if next.peek() == Some(&&index) {
            next.next();
            duplicates.push(DuplicateKey {
                key: key.span,
                value: value.clone(),
            });
        } else {
            kept.push((key.clone(), value.clone()));
        }
    }
    Some(kept)
}
