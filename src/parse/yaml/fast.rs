//! A fast path for the block YAML that most files are written in (Kubernetes CRDs, compose
//! files, workflows): block mappings and sequences (compact `- key: v` and `- - x` included),
//! plain scalars (folded over continuation lines), single-quoted scalars (also over lines),
//! one-line double-quoted scalars with their escapes, `|` and `>` block scalars, one-line flow
//! sequences of scalars, `[]` and `{}`, comments, `---` between documents. It reads each line
//! once and feeds the same [`Builder`] as granit-parser, with the same events and spans.
//!
//! NOTE: it accepts only input it is sure of. On anything else (anchors, aliases, tags, flow
//! mappings, nested flow collections, multi-line double-quoted scalars, tabs, CR, a BOM, keep
//! chomping or an indentation indicator, an empty document, block scalar or sequence item,
//! nesting past [`MAX_NESTING`], or any invalid YAML) it gives up and the caller parses the
//! whole file with granit-parser. It never reports an error itself, so every YAML error
//! message still comes from granit. The differential tests in `yaml/fast_tests.rs` hold it to
//! granit's tree, spans and duplicate keys.
//!
//! granit's span conventions, which this reproduces: a block mapping starts (empty span) at
//! its first key; a block sequence at its first `-`, or, written at its parent key's indent
//! (indentless), at its first item's node; an empty value is a `~` with an empty span at the
//! `:`; a block scalar's span starts at its first content character.

use std::borrow::Cow;

use granit_parser::{Event, ScalarStyle, StructureStyle};

use super::YamlFile;
use super::build::Builder;
use super::scalar_map::escape;
use crate::model::location::Span;

/// Deeper nesting is left to granit, which enforces `MAX_DEPTH` with its own message.
const MAX_NESTING: usize = 64;

/// granit limits an implicit key to 1024 characters; longer keys are left to it.
const MAX_KEY: usize = 1000;

/// The fast path does not apply to this text.
struct Bail;

type Step = Result<(), Bail>;

/// One line of the text: `end` is its `\n` (or the end of the text).
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
    content: usize,
    end: usize,
}

impl Line {
    fn is_blank(self) -> bool {
        self.content == self.end
    }
}

/// A mapping key as written on its line.
struct Key<'t> {
    text: Cow<'t, str>,
    style: ScalarStyle,
    span: Span,
    colon: usize,
}

struct Fast<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// Start of the first line not read yet.
    pos: usize,
    depth: usize,
    builder: Builder<'t>,
}

/// The file built by the fast path, or `None` when granit must parse it.
pub(super) fn build(text: &str) -> Option<YamlFile> {
    if !plain_text(text) {
        return None;
    }
    let mut fast = Fast {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        builder: Builder::new(text),
    };
    fast.stream().ok()?;
    Some(fast.builder.into_file())
}

/// Only line feeds and printable characters: no tab, CR, BOM, NEL or other control.
fn plain_text(text: &str) -> bool {
    // Branch-free per 64-byte block, so the common all-ASCII text is checked at memory speed.
    let control = text.as_bytes().chunks(64).any(|block| {
        block.iter().fold(false, |bad, &b| {
            bad | ((b < 0x20) & (b != b'\n')) | (b == 0x7f)
        })
    });
    if control {
        return false;
    }
    text.is_ascii()
        || text.chars().filter(|c| !c.is_ascii()).all(|c| {
            matches!(c, '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
                && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
        })
}

impl<'t> Fast<'t> {
    /// The byte at `i`, or 0 past the end (0 never occurs in accepted text).
    fn byte(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn slice(&self, start: usize, end: usize) -> &'t str {
        self.text.get(start..end).unwrap_or("")
    }

    fn line_end(&self, from: usize) -> usize {
        let rest = self.bytes.get(from..).unwrap_or(&[]);
        memchr::memchr(b'\n', rest).map_or(self.bytes.len(), |i| from + i)
    }

    fn line(&self, start: usize) -> Line {
        let end = self.line_end(start);
        let mut content = start;
        while content < end && self.byte(content) == b' ' {
            content += 1;
        }
        Line {
            start,
            indent: content - start,
            content,
            end,
        }
    }

    fn after(&self, end: usize) -> usize {
        (end + 1).min(self.bytes.len())
    }

    fn skip_spaces(&self, mut i: usize, end: usize) -> usize {
        while i < end && self.byte(i) == b' ' {
            i += 1;
        }
        i
    }

    /// The next line with content, skipping (and consuming) blank and comment lines.
    fn peek(&mut self) -> Option<Line> {
        while self.pos < self.bytes.len() {
            let line = self.line(self.pos);
            if !line.is_blank() && self.byte(line.content) != b'#' {
                return Some(line);
            }
            self.pos = self.after(line.end);
        }
        None
    }

    /// `---` or `...` at column 0, alone or followed by a space.
    fn marker(&self, line: Line) -> Option<u8> {
        let head = self.bytes.get(line.start..line.start + 3)?;
        let mark = match head {
            b"---" => b'-',
            b"..." => b'.',
            _ => return None,
        };
        matches!(self.byte(line.start + 3), b' ' | b'\n' | 0).then_some(mark)
    }

    /// The next content line of the same structure: none at a document marker or the end.
    fn next_in_document(&mut self) -> Option<Line> {
        let line = self.peek()?;
        self.marker(line).is_none().then_some(line)
    }

    /// A `-` block sequence entry indicator at `i`.
    fn is_dash(&self, i: usize) -> bool {
        self.byte(i) == b'-' && matches!(self.byte(i + 1), b' ' | b'\n' | 0)
    }

    fn emit(&mut self, event: Event<'t>, span: Span) -> Step {
        self.builder.event(event, span).map_err(|_| Bail)
    }

    fn enter(&mut self) -> Step {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Bail);
        }
        Ok(())
    }

    fn stream(&mut self) -> Step {
        let mut documents = 0;
        while let Some(mut line) = self.peek() {
            let mut explicit = false;
            if let Some(mark) = self.marker(line) {
                if mark != b'-' || self.skip_spaces(line.start + 3, line.end) != line.end {
                    return Err(Bail);
                }
                explicit = true;
                self.pos = self.after(line.end);
                match self.next_in_document() {
                    Some(next) => line = next,
                    // A last `---` alone on its line, nothing after it: granit reads an empty
                    // document, a null right after the marker.
                    None if line.end == line.start + 3
                        && self.bytes.get(line.end..).is_some_and(|rest| {
                            rest.iter().all(|byte| matches!(byte, b' ' | b'\n'))
                        }) =>
                    {
                        self.emit(Event::DocumentStart(true, None), Span::at(line.start))?;
                        self.emit(
                            Event::Scalar(Cow::Borrowed("~"), ScalarStyle::Plain, 0, None),
                            Span::at(line.end),
                        )?;
                        self.emit(Event::DocumentEnd, Span::at(line.end))?;
                        documents += 1;
                        break;
                    }
                    None => return Err(Bail),
                }
            }
            if line.indent != 0 {
                return Err(Bail);
            }
            self.emit(Event::DocumentStart(explicit, None), Span::at(line.start))?;
            self.block_node(line)?;
            if let Some(next) = self.peek()
                && self.marker(next) != Some(b'-')
            {
                return Err(Bail);
            }
            self.emit(Event::DocumentEnd, Span::at(self.pos))?;
            documents += 1;
        }
        if documents == 0 { Err(Bail) } else { Ok(()) }
    }

    /// A block collection that starts a line of its own.
    fn block_node(&mut self, line: Line) -> Step {
        if self.is_dash(line.content) {
            self.sequence(line.indent, line.content, false)
        } else if self.key(line.content, line.end).is_some() {
            self.mapping(line.indent, line.content)
        } else {
            Err(Bail)
        }
    }

    /// The key written at `p` (up to `end`, the line's end), if the line is a mapping entry.
    fn key(&self, p: usize, end: usize) -> Option<Key<'t>> {
        let (text, style, close) = match self.byte(p) {
            b'"' | b'\'' => {
                let (text, style, close) = self.quoted(p, end)?;
                (text, style, close)
            }
            first
                if first.is_ascii_alphanumeric() || matches!(first, b'_' | b'.' | b'/' | b'$') =>
            {
                let mut i = p;
                loop {
                    if i >= end || i - p > MAX_KEY {
                        return None;
                    }
                    match self.byte(i) {
                        b':' if matches!(self.byte(i + 1), b' ' | b'\n' | 0) => break,
                        b'#' if i > p && self.byte(i - 1) == b' ' => return None,
                        _ => i += 1,
                    }
                }
                if self.byte(i - 1) == b' ' {
                    return None;
                }
                (Cow::Borrowed(self.slice(p, i)), ScalarStyle::Plain, i)
            }
            _ => return None,
        };
        if self.byte(close) != b':' || !matches!(self.byte(close + 1), b' ' | b'\n' | 0) {
            return None;
        }
        Some(Key {
            text,
            style,
            span: Span::new(p, close),
            colon: close,
        })
    }

    /// A one-line quoted scalar at `p`: its text, style and the end of its closing quote.
    fn quoted(&self, p: usize, end: usize) -> Option<(Cow<'t, str>, ScalarStyle, usize)> {
        let quote = self.byte(p);
        let mut i = p + 1;
        let mut escaped = false;
        loop {
            if i >= end {
                return None;
            }
            match self.byte(i) {
                b'\\' if quote == b'"' => {
                    escaped = true;
                    i += 2;
                }
                b'\'' if quote == b'\'' && self.byte(i + 1) == b'\'' => {
                    escaped = true;
                    i += 2;
                }
                byte if byte == quote => break,
                _ => i += 1,
            }
        }
        let inner = self.slice(p + 1, i);
        let style = if quote == b'"' {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        let text = match (escaped, quote) {
            (false, _) => Cow::Borrowed(inner),
            (true, b'"') => Cow::Owned(unescape(inner)?),
            (true, _) => Cow::Owned(inner.replace("''", "'")),
        };
        Some((text, style, i + 1))
    }

    /// A block mapping whose entries start at column `indent`, the first one at `first`.
    fn mapping(&mut self, indent: usize, first: usize) -> Step {
        self.enter()?;
        self.emit(
            Event::MappingStart(StructureStyle::Block, 0, None),
            Span::at(first),
        )?;
        let mut p = first;
        loop {
            let end = self.line_end(p);
            let key = self.key(p, end).ok_or(Bail)?;
            self.emit(Event::Scalar(key.text, key.style, 0, None), key.span)?;
            let value = self.skip_spaces(key.colon + 1, end);
            if value == end || self.byte(value) == b'#' {
                self.pos = self.after(end);
                match self.next_in_document() {
                    Some(next) if next.indent > indent => self.block_node(next)?,
                    Some(next) if next.indent == indent && self.is_dash(next.content) => {
                        self.sequence(indent, next.content, true)?;
                    }
                    _ => self.emit(
                        Event::Scalar(Cow::Borrowed("~"), ScalarStyle::Plain, 0, None),
                        Span::at(key.colon),
                    )?,
                }
            } else {
                self.value(value, end, indent)?;
            }
            match self.next_in_document() {
                Some(next) if next.indent == indent && !self.is_dash(next.content) => {
                    p = next.content;
                }
                Some(next) if next.indent >= indent => return Err(Bail),
                _ => break,
            }
        }
        self.emit(Event::MappingEnd, Span::at(self.pos))?;
        self.depth -= 1;
        Ok(())
    }

    /// A block sequence whose `-` are at column `indent`, the first one at `first`.
    /// `indentless`: written at its parent key's indent.
    fn sequence(&mut self, indent: usize, first: usize, indentless: bool) -> Step {
        self.enter()?;
        let start = if indentless {
            let end = self.line_end(first);
            let item = self.skip_spaces(first + 1, end);
            if item == end || self.byte(item) == b'#' {
                return Err(Bail);
            }
            item
        } else {
            first
        };
        self.emit(
            Event::SequenceStart(StructureStyle::Block, 0, None),
            Span::at(start),
        )?;
        let mut dash = first;
        loop {
            let end = self.line_end(dash);
            let item = self.skip_spaces(dash + 1, end);
            if item == end || self.byte(item) == b'#' {
                self.pos = self.after(end);
                match self.next_in_document() {
                    Some(next) if next.indent > indent => self.block_node(next)?,
                    // An empty item: granit's span for it is not the `-`; left to granit.
                    _ => return Err(Bail),
                }
            } else if self.is_dash(item) {
                // A compact nested sequence (`- - x`): its `-` are at the inner column.
                self.sequence(indent + (item - dash), item, false)?;
            } else if self.key(item, end).is_some() {
                self.mapping(indent + (item - dash), item)?;
            } else {
                self.value(item, end, indent)?;
            }
            match self.next_in_document() {
                Some(next) if next.indent == indent && self.is_dash(next.content) => {
                    dash = next.content;
                }
                Some(next) if next.indent > indent || (next.indent == indent && !indentless) => {
                    return Err(Bail);
                }
                _ => break,
            }
        }
        self.emit(Event::SequenceEnd, Span::at(self.pos))?;
        self.depth -= 1;
        Ok(())
    }

    /// A value written on its key's (or `-`'s) line at `p`, in a collection at `indent`.
    fn value(&mut self, p: usize, end: usize, indent: usize) -> Step {
        match self.byte(p) {
            b'|' | b'>' => return self.block_scalar(p, end, indent),
            b'"' | b'\'' => {
                if let Some((text, style, close)) = self.quoted(p, end) {
                    self.emit(Event::Scalar(text, style, 0, None), Span::new(p, close))?;
                    return self.rest(close, end);
                }
                if self.byte(p) != b'\'' {
                    return Err(Bail);
                }
                let (text, close, end) = self.single_quoted_lines(p, end, indent)?;
                self.emit(
                    Event::Scalar(Cow::Owned(text), ScalarStyle::SingleQuoted, 0, None),
                    Span::new(p, close),
                )?;
                return self.rest(close, end);
            }
            b'[' => return self.flow_sequence(p, end),
            b'{' => {
                if self.byte(p + 1) != b'}' {
                    return Err(Bail);
                }
                self.emit(
                    Event::MappingStart(StructureStyle::Flow, 0, None),
                    Span::new(p, p + 1),
                )?;
                self.emit(Event::MappingEnd, Span::new(p + 1, p + 2))?;
                return self.rest(p + 2, end);
            }
            b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b'#' => {
                return Err(Bail);
            }
            b'-' | b'?' | b':' if matches!(self.byte(p + 1), b' ' | b'\n' | 0) => {
                return Err(Bail);
            }
            _ => {}
        }
        let (stop, comment) = self.plain_line(p, end)?;
        if comment {
            let text = self.slice(p, stop);
            self.emit(
                Event::Scalar(Cow::Borrowed(text), ScalarStyle::Plain, 0, None),
                Span::new(p, stop),
            )?;
            self.pos = self.after(end);
            return Ok(());
        }
        // Continuation lines, indented past the collection: folded into one line each, an
        // empty line between two of them a line feed.
        let mut folded: Option<String> = None;
        let (mut last, mut next) = (stop, self.after(end));
        let (mut pos, mut empty) = (next, 0);
        while pos < self.bytes.len() {
            let line = self.line(pos);
            if line.is_blank() {
                empty += 1;
                pos = self.after(line.end);
                continue;
            }
            if line.indent <= indent || self.byte(line.content) == b'#' {
                break;
            }
            if matches!(self.byte(line.content), b'-' | b'?' | b':')
                && matches!(self.byte(line.content + 1), b' ' | b'\n' | 0)
            {
                return Err(Bail);
            }
            let (line_stop, comment) = self.plain_line(line.content, line.end)?;
            let text = folded.get_or_insert_with(|| self.slice(p, stop).to_owned());
            if empty == 0 {
                text.push(' ');
            } else {
                text.extend(std::iter::repeat_n('\n', empty));
            }
            text.push_str(self.slice(line.content, line_stop));
            (last, next, empty) = (line_stop, self.after(line.end), 0);
            if comment {
                break;
            }
            pos = next;
        }
        let text = folded.map_or_else(|| Cow::Borrowed(self.slice(p, stop)), Cow::Owned);
        self.emit(
            Event::Scalar(text, ScalarStyle::Plain, 0, None),
            Span::new(p, last),
        )?;
        self.pos = next;
        Ok(())
    }

    /// A single-quoted scalar at `p` that goes on past its line (`end`), in a collection at
    /// `indent`: its folded text, the end of its closing quote and the end of that line.
    fn single_quoted_lines(
        &self,
        p: usize,
        mut end: usize,
        indent: usize,
    ) -> Result<(String, usize, usize), Bail> {
        let mut text = String::new();
        let mut i = p + 1;
        loop {
            let mut from = i;
            while i < end {
                if self.byte(i) == b'\'' {
                    if self.byte(i + 1) != b'\'' {
                        text.push_str(self.slice(from, i));
                        return Ok((text, i + 1, end));
                    }
                    text.push_str(self.slice(from, i + 1));
                    i += 2;
                    from = i;
                } else {
                    i += 1;
                }
            }
            text.push_str(self.slice(from, end));
            text.truncate(text.trim_end_matches(' ').len());
            // Folding: one line break is a space, each empty line after it a line feed.
            let mut empty = 0;
            let line = loop {
                if end >= self.bytes.len() {
                    return Err(Bail);
                }
                let line = self.line(end + 1);
                if !line.is_blank() {
                    break line;
                }
                empty += 1;
                end = line.end;
            };
            if line.indent <= indent {
                return Err(Bail);
            }
            if empty == 0 {
                text.push(' ');
            } else {
                text.extend(std::iter::repeat_n('\n', empty));
            }
            (i, end) = (line.content, line.end);
        }
    }

    /// One line of a plain scalar from `p`: where its text ends (trailing spaces trimmed)
    /// and whether a comment follows. `: ` inside is left to granit (an error there).
    fn plain_line(&self, p: usize, end: usize) -> Result<(usize, bool), Bail> {
        let mut stop = end;
        let mut comment = false;
        let mut i = p;
        while i < end {
            match self.byte(i) {
                b':' if matches!(self.byte(i + 1), b' ' | b'\n' | 0) => return Err(Bail),
                b'#' if i > p && self.byte(i - 1) == b' ' => {
                    stop = i;
                    comment = true;
                    break;
                }
                _ => i += 1,
            }
        }
        while stop > p && self.byte(stop - 1) == b' ' {
            stop -= 1;
        }
        Ok((stop, comment))
    }

    /// A one-line flow sequence of scalars at `p`: `[]`, `[a, "b", 'c']`.
    fn flow_sequence(&mut self, p: usize, end: usize) -> Step {
        self.emit(
            Event::SequenceStart(StructureStyle::Flow, 0, None),
            Span::new(p, p + 1),
        )?;
        let mut i = self.skip_spaces(p + 1, end);
        if self.byte(i) != b']' {
            loop {
                match self.byte(i) {
                    b'"' | b'\'' => {
                        let (text, style, close) = self.quoted(i, end).ok_or(Bail)?;
                        self.emit(Event::Scalar(text, style, 0, None), Span::new(i, close))?;
                        i = close;
                    }
                    b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>'
                    | b'%' | b'@' | b'`' => return Err(Bail),
                    b'-' | b'?' | b':' if matches!(self.byte(i + 1), b' ' | b',' | b']') => {
                        return Err(Bail);
                    }
                    _ => {
                        let mut j = i;
                        while j < end && !matches!(self.byte(j), b',' | b']') {
                            if matches!(
                                self.byte(j),
                                b':' | b'#' | b'[' | b'{' | b'}' | b'\'' | b'"'
                            ) {
                                return Err(Bail);
                            }
                            j += 1;
                        }
                        let mut stop = j;
                        while stop > i && self.byte(stop - 1) == b' ' {
                            stop -= 1;
                        }
                        self.emit(
                            Event::Scalar(
                                Cow::Borrowed(self.slice(i, stop)),
                                ScalarStyle::Plain,
                                0,
                                None,
                            ),
                            Span::new(i, stop),
                        )?;
                        i = j;
                    }
                }
                i = self.skip_spaces(i, end);
                match self.byte(i) {
                    b',' => {
                        i = self.skip_spaces(i + 1, end);
                        if matches!(self.byte(i), b']' | b',') {
                            return Err(Bail);
                        }
                    }
                    b']' => break,
                    _ => return Err(Bail),
                }
            }
        }
        if i >= end {
            return Err(Bail);
        }
        self.emit(Event::SequenceEnd, Span::new(i, i + 1))?;
        self.rest(i + 1, end)
    }

    /// After a value at `i`: only spaces, or spaces and a comment, up to the line's end.
    fn rest(&mut self, i: usize, end: usize) -> Step {
        let j = self.skip_spaces(i, end);
        if j != end && !(j > i && self.byte(j) == b'#') {
            return Err(Bail);
        }
        self.pos = self.after(end);
        Ok(())
    }

    /// A `|`, `|-`, `>` or `>-` block scalar whose header is at `p`, in a collection at
    /// `indent`.
    fn block_scalar(&mut self, p: usize, end: usize, indent: usize) -> Step {
        let literal = self.byte(p) == b'|';
        let strip = self.byte(p + 1) == b'-';
        let header = if strip { p + 2 } else { p + 1 };
        if end == self.bytes.len() || self.skip_spaces(header, end) != end {
            return Err(Bail);
        }
        let first = self.line(self.after(end));
        // Leading empty lines and an empty scalar are left to granit.
        if first.is_blank() || first.indent <= indent {
            return Err(Bail);
        }
        let width = first.indent;
        let mut text = String::new();
        let mut any = false;
        let mut empty = 0;
        let mut last = first.end;
        let mut pos = first.start;
        while pos < self.bytes.len() {
            let line = self.line(pos);
            if line.is_blank() {
                // Spaces past the indent would be content: left to granit.
                if line.indent > width {
                    return Err(Bail);
                }
                empty += 1;
                pos = self.after(line.end);
                continue;
            }
            if line.indent < width {
                break;
            }
            if line.end == self.bytes.len() || (!literal && line.indent > width) {
                return Err(Bail);
            }
            if any {
                match (literal, empty) {
                    (true, _) => text.extend(std::iter::repeat_n('\n', empty + 1)),
                    (false, 0) => text.push(' '),
                    (false, _) => text.extend(std::iter::repeat_n('\n', empty)),
                }
            }
            text.push_str(self.slice(line.start + width, line.end));
            any = true;
            empty = 0;
            last = line.end;
            pos = line.end + 1;
        }
        if !strip {
            text.push('\n');
        }
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        self.emit(
            Event::Scalar(Cow::Owned(text), style, 0, None),
            Span::new(first.content, last),
        )?;
        self.pos = pos;
        Ok(())
    }
}

/// The text of a double-quoted scalar's escapes (YAML 1.2, decoded as the span mapping
/// decodes them), or `None` for an escape this path leaves to granit (a line continuation,
/// an unknown or invalid escape).
fn unescape(inner: &str) -> Option<String> {
    let mut text = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(at) = rest.find('\\') {
        text.push_str(rest.get(..at)?);
        let (decoded, length) = escape(rest.get(at + 1..)?)?;
        text.push(decoded);
        rest = rest.get(at + 1 + length..)?;
    }
    text.push_str(rest);
    Some(text)
}
