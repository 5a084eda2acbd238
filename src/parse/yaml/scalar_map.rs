//! The decoded text of a YAML scalar with a map back to the file: every decoded byte maps to
//! the byte(s) that produced it, so a shell word in a `run: |` block, a folded `run: >` block
//! or a double-quoted `run: "…"` is reported at its exact place in the workflow.
//!
//! The decoding follows YAML 1.2 (§7.3 flow scalars, §8.1 block scalars) as the scanner
//! (granit-parser) implements it, and is then checked against the parser's own decoded text: on
//! any difference the map is not trusted and [`mapped_scalar`] returns `None`.
//!
//! NOTE: how bytes map. Content maps to itself. A folded line break (a space) and a kept line
//! break (`\n`) map to the line break that produced them (both bytes of a CRLF); for folding
//! with empty lines, each `\n` maps to an empty line's break. An escape (`\t`, `\x41`,
//! `\u00e9`, `''`) maps to all of its bytes (a span inside it starts at the backslash or the
//! first quote). The final `\n` a block scalar gets at the end of a file without a line break
//! maps to the empty span at the end.

use super::{Node, ScalarStyle};
use crate::model::location::Span;
use crate::model::mapped_text::MappedText;

/// The decoded text of the scalar `node` of the YAML file `source`, mapped to `source`'s bytes.
/// `None` when `node` is not a scalar, or when the rebuilt text differs from the parser's (an
/// unknown edge case): callers then fall back to the whole node span (see
/// [`MappedText::opaque`]).
pub fn mapped_scalar(source: &str, node: &Node) -> Option<MappedText> {
    let scalar = node.as_scalar()?;
    let span = node.span;
    let raw = source.get(span.start..span.end)?;
    if raw == &*scalar.text {
        return Some(MappedText::contiguous(raw, span.start));
    }
    let mapped = match scalar.style {
        ScalarStyle::Plain => flow(source, span, Quoting::Plain),
        ScalarStyle::SingleQuoted => flow(source, span, Quoting::Single),
        ScalarStyle::DoubleQuoted => flow(source, span, Quoting::Double),
        ScalarStyle::Literal => block(source, span.start, &scalar.text, false),
        ScalarStyle::Folded => block(source, span.start, &scalar.text, true),
    }?;
    (mapped.as_str() == &*scalar.text).then_some(mapped)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Plain,
    Single,
    Double,
}

fn is_break(byte: u8) -> bool {
    matches!(byte, b'\r' | b'\n')
}

fn is_white(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t')
}

/// The index after the line break starting at `at` (`\r\n` is one break).
fn after_break(bytes: &[u8], at: usize) -> usize {
    match (bytes.get(at), bytes.get(at + 1)) {
        (Some(b'\r'), Some(b'\n')) => at + 2,
        _ => at + 1,
    }
}

/// The start of the line holding byte `at`.
fn line_start(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(..at)
        .and_then(|before| before.iter().rposition(|&b| is_break(b)))
        .map_or(0, |index| index + 1)
}

/// The end of the line holding byte `at` (its line break, or the end of the text).
fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| is_break(b)))
        .map_or(bytes.len(), |index| at + index)
}

/// The line break that ends the line before the one starting at `at`.
fn previous_break(bytes: &[u8], at: usize) -> Option<usize> {
    let last = at.checked_sub(1)?;
    match (
        bytes.get(last),
        last.checked_sub(1).and_then(|i| bytes.get(i)),
    ) {
        (Some(b'\n'), Some(b'\r')) => Some(last - 1),
        (Some(byte), _) if is_break(*byte) => Some(last),
        _ => None,
    }
}

/// Plain, single-quoted and double-quoted scalars (`span` is the content without quotes):
/// line folding (YAML §6.5, §7.3), `''` and the double-quoted escapes (§5.7).
fn flow(source: &str, span: Span, quoting: Quoting) -> Option<MappedText> {
    let bytes = source.as_bytes();
    let mut out = MappedText::new(span.start);
    // Whitespace seen but not yet written: dropped if a line break follows.
    let mut white: Option<usize> = None;
    let mut at = span.start;
    while at < span.end {
        let byte = *bytes.get(at)?;
        if is_white(byte) {
            white.get_or_insert(at);
            at += 1;
            continue;
        }
        if is_break(byte) {
            white = None;
            at = fold(bytes, at, span.end, &mut out, true);
            continue;
        }
        if let Some(from) = white.take() {
            out.push_str(source.get(from..at)?, from);
        }
        match (quoting, byte) {
            (Quoting::Single, b'\'') => {
                // Inside the quotes a `'` only appears doubled.
                if bytes.get(at + 1) != Some(&b'\'') {
                    return None;
                }
                out.push_decoded("'", Span::new(at, at + 2));
                at += 2;
            }
            (Quoting::Double, b'\\') => {
                if bytes.get(at + 1).copied().is_some_and(is_break) {
                    // An escaped line break: no folding space, and trailing white space
                    // before the `\` is content.
                    at = fold(bytes, at + 1, span.end, &mut out, false);
                } else {
                    let (ch, len) = escape(source.get(at + 1..span.end)?)?;
                    let end = at + 1 + len;
                    out.push_decoded(ch.encode_utf8(&mut [0; 4]), Span::new(at, end));
                    at = end;
                }
            }
            _ => {
                let ch = source.get(at..)?.chars().next()?;
                out.push_char(ch, at);
                at += ch.len_utf8();
            }
        }
    }
    if let Some(from) = white {
        out.push_str(source.get(from..span.end)?, from);
    }
    Some(out)
}

/// Fold the line break at `at` and the empty lines after it, up to the next line's content
/// (its leading white space skipped): one break becomes a space (unless `space` is false, after
/// an escaped break), and each empty line a `\n`. Returns where the content resumes.
fn fold(bytes: &[u8], at: usize, end: usize, out: &mut MappedText, space: bool) -> usize {
    let first = at;
    let mut empties = Vec::new();
    let mut at = after_break(bytes, at);
    loop {
        while at < end && bytes.get(at).copied().is_some_and(is_white) {
            at += 1;
        }
        match bytes.get(at) {
            Some(&byte) if at < end && is_break(byte) => {
                empties.push(at);
                at = after_break(bytes, at);
            }
            _ => break,
        }
    }
    if empties.is_empty() {
        if space {
            push_break(out, bytes, " ", first);
        }
    } else {
        for empty in empties {
            push_break(out, bytes, "\n", empty);
        }
    }
    at
}

/// Append `piece` (a space or `\n`) read from the line break at `at`.
fn push_break(out: &mut MappedText, bytes: &[u8], piece: &str, at: usize) {
    out.push_decoded(piece, Span::new(at, after_break(bytes, at)));
}

/// A double-quoted escape after its `\`: the character and how many bytes follow the `\`.
pub(super) fn escape(rest: &str) -> Option<(char, usize)> {
    let code = rest.chars().next()?;
    let simple = match code {
        '0' => '\0',
        'a' => '\u{7}',
        'b' => '\u{8}',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\u{b}',
        'f' => '\u{c}',
        'r' => '\r',
        'e' => '\u{1b}',
        ' ' => ' ',
        '"' => '"',
        '/' => '/',
        '\\' => '\\',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        'x' => return hex(rest, 2),
        'u' => return hex(rest, 4),
        'U' => return hex(rest, 8),
        _ => return None,
    };
    Some((simple, code.len_utf8()))
}

/// `\xXX`, `\uXXXX`, `\UXXXXXXXX`: `digits` hex digits after the code letter.
fn hex(rest: &str, digits: usize) -> Option<(char, usize)> {
    let hex = rest.get(1..1 + digits)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let value = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(value)?, 1 + digits))
}

/// Literal (`|`) and folded (`>`) block scalars (YAML §8.1). `start` is the node span's start:
/// the first content character, at the block's indentation. The chomping indicator is not read
/// from the header: the decoded text ends in as many `\n` as chomping kept, and those are
/// mapped to the line breaks after the last content line.
fn block(source: &str, start: usize, decoded: &str, folded: bool) -> Option<MappedText> {
    let bytes = source.as_bytes();
    if decoded.is_empty() {
        return Some(MappedText::new(start));
    }
    let first_line = line_start(bytes, start);
    let indentation = source.get(first_line..start)?;
    if !indentation.bytes().all(|b| b == b' ') {
        return None;
    }
    let indent = indentation.len();
    let leading = decoded.bytes().take_while(|&b| b == b'\n').count();
    if leading == decoded.len() {
        // NOTE: only line breaks, no content line to anchor them: not mapped.
        return None;
    }
    let mut out = MappedText::new(start);
    // Leading empty lines, between the header and the first content line.
    let mut empties = Vec::with_capacity(leading);
    let mut line = first_line;
    for _ in 0..leading {
        let brk = previous_break(bytes, line)?;
        line = line_start(bytes, brk);
        if !bytes.get(line..brk)?.iter().all(|&b| b == b' ') {
            return None;
        }
        empties.push(brk);
    }
    for brk in empties.iter().rev() {
        push_break(&mut out, bytes, "\n", *brk);
    }
    // Content lines, as the scanner's loop reads them.
    let mut at = start;
    let mut previous_break: Option<usize> = None;
    let mut empties: Vec<usize> = Vec::new();
    let mut leading_blank = false;
    let end_of_file = loop {
        let end = line_end(bytes, at);
        let content = source.get(at..end)?;
        let blank = content.starts_with([' ', '\t']);
        let fold = folded && !leading_blank && !blank;
        match previous_break {
            // Folding: one line break becomes a space; with empty lines, only theirs count.
            Some(brk) if fold && empties.is_empty() => push_break(&mut out, bytes, " ", brk),
            Some(_) if fold => {}
            Some(brk) => push_break(&mut out, bytes, "\n", brk),
            None => {}
        }
        for empty in empties.drain(..) {
            push_break(&mut out, bytes, "\n", empty);
        }
        leading_blank = blank;
        out.push_str(content, at);
        if end >= bytes.len() {
            previous_break = None;
            break end;
        }
        previous_break = Some(end);
        match next_content_line(bytes, after_break(bytes, end), indent, &mut empties) {
            Some(next) => at = next,
            None => break end,
        }
    };
    // Chomping: the text goes on with the kept line breaks only.
    let body = out.as_str();
    let tail = decoded.strip_prefix(body)?;
    if !tail.bytes().all(|b| b == b'\n') {
        return None;
    }
    // The last content line's break, or the end of a file without one (nothing produced
    // that `\n`: it maps to the empty span there), then the empty lines' breaks.
    let last = previous_break.map_or(Span::at(end_of_file), |brk| {
        Span::new(brk, after_break(bytes, brk))
    });
    let breaks = std::iter::once(last).chain(
        empties
            .into_iter()
            .map(|brk| Span::new(brk, after_break(bytes, brk))),
    );
    let mut kept = 0;
    for brk in breaks.take(tail.len()) {
        out.push_decoded("\n", brk);
        kept += 1;
    }
    (kept == tail.len()).then_some(out)
}

/// From the start of the line after a content line, skip up to `indent` spaces per line and
/// the empty lines (recording their breaks in `empties`); the start of the next content line,
/// or `None` where the block ends (a less indented line, a document marker, the end).
fn next_content_line(
    bytes: &[u8],
    mut line: usize,
    indent: usize,
    empties: &mut Vec<usize>,
) -> Option<usize> {
    loop {
        let mut at = line;
        while at - line < indent && bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        let byte = *bytes.get(at)?;
        if is_break(byte) {
            empties.push(at);
            line = after_break(bytes, at);
            continue;
        }
        if at - line < indent {
            return None;
        }
        if indent == 0 && is_document_marker(bytes.get(at..)?) {
            return None;
        }
        return Some(at);
    }
}

/// `---` or `...` followed by white space, a line break or the end.
fn is_document_marker(rest: &[u8]) -> bool {
    (rest.starts_with(b"---") || rest.starts_with(b"..."))
        && rest.get(3).is_none_or(|&b| is_white(b) || is_break(b))
}

#[cfg(test)]
#[path = "scalar_map_tests.rs"]
mod tests;
