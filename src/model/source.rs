//! A scanned file's text with a line index: the one place spans become lines and columns.

use crate::model::location::{Position, Span};

const BOM: &str = "\u{feff}";

/// The text of one scanned file, kept byte-for-byte (CRLF, BOM and tabs included) so spans
/// index the original bytes and `pin` can rewrite them in place.
#[derive(Debug)]
pub struct SourceFile {
    path: String,
    text: String,
    /// Byte offset where each line starts; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// `path` is the display path: relative to the scan root, `/`-separated.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self {
            path: path.into(),
            text,
            line_starts,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Byte offset where content starts: after a UTF-8 byte order mark, if any.
    pub fn content_start(&self) -> usize {
        if self.text.starts_with(BOM) {
            BOM.len()
        } else {
            0
        }
    }

    /// The text under `span`, or `""` if the span is out of range or splits a character.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based index of the line containing byte `offset` (clamped to the text).
    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The 1-based line of byte `offset` (clamped to the text): [`Self::position`] without
    /// counting columns, which costs the length of a long line.
    pub fn line(&self, offset: usize) -> usize {
        self.line_index(offset.min(self.text.len())) + 1
    }

    /// The 1-based position of byte `offset`. A BOM does not count as a column; a tab is one
    /// column; an offset inside a character is moved back to that character's start.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let index = self.line_index(offset);
        let mut start = self.line_starts.get(index).copied().unwrap_or(0);
        if index == 0 {
            start = start.max(self.content_start().min(offset));
        }
        let before = self.text.get(start..offset).unwrap_or("");
        Position {
            line: index + 1,
            column: before.chars().count() + 1,
            utf16_column: before.encode_utf16().count() + 1,
        }
    }

    /// The text of 1-based `line` without its terminator (`\n` or `\r\n`) or a leading BOM.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let text = self.text.get(start..end).unwrap_or("");
        let text = text.strip_suffix('\n').unwrap_or(text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        if line == 1 {
            text.strip_prefix(BOM).unwrap_or(text)
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_ignore_bom_and_crlf() {
        let source = SourceFile::new("Dockerfile", "\u{feff}FROM a\r\n\tFROM é:b\r\n");
        // After the BOM, `FROM` starts at column 1.
        assert_eq!(source.position(3).column, 1);
        assert_eq!(source.position(3).line, 1);
        let b = source.text().find("é").unwrap_or(0);
        let p = source.position(b);
        assert_eq!((p.line, p.column, p.utf16_column), (2, 7, 7));
        let after = source.position(b + "é:b".len());
        assert_eq!(after.column, 10);
        assert_eq!(source.line_text(1), "FROM a");
        assert_eq!(source.line_text(2), "\tFROM é:b");
        assert_eq!(source.line_text(3), "");
        assert_eq!(source.line_text(0), "");
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let source = SourceFile::new("f", "# 😀 x");
        let x = source.text().find('x').unwrap_or(0);
        let p = source.position(x);
        assert_eq!(p.column, 5);
        assert_eq!(p.utf16_column, 6);
    }

    #[test]
    fn out_of_range_offsets_are_clamped() {
        let source = SourceFile::new("f", "ab\né");
        assert_eq!(source.position(1000).line, 2);
        // Inside the two-byte `é`: moved back to its start.
        assert_eq!(source.position(4).column, 1);
    }
}
