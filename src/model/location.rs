//! Spans (byte ranges in the original text) and locations (a span in a given source file).

use std::sync::Arc;

use crate::model::source::SourceFile;

/// A half-open byte range `start..end` into the *original* text of a source file.
///
/// Parsers produce spans; only `model::source` turns them into lines and columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// An empty span at `offset`.
    pub const fn at(offset: usize) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Shift a span found in a substring that starts at `base` in the original text.
    pub const fn offset_by(self, base: usize) -> Self {
        Self {
            start: self.start + base,
            end: self.end + base,
        }
    }
}

/// A span within one source file.
#[derive(Clone, Debug)]
pub struct Location {
    pub source: Arc<SourceFile>,
    pub span: Span,
}

impl Location {
    pub fn new(source: Arc<SourceFile>, span: Span) -> Self {
        Self { source, span }
    }

    /// The exact text under the span (empty if the span is not on char boundaries).
    pub fn text(&self) -> &str {
        self.source.slice(self.span)
    }
}

/// A secondary location with a short label, e.g. the `ARG` line that supplied a tag.
#[derive(Clone, Debug)]
pub struct Related {
    pub location: Location,
    pub label: String,
}

/// A 1-based position: `column` counts Unicode scalar values (what a terminal shows),
/// `utf16_column` counts UTF-16 code units (what SARIF's default `columnKind` means).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub utf16_column: usize,
}
