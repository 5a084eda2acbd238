//! Text with a map back to the byte offsets it was read from: a Dockerfile instruction without
//! its line continuations, a YAML block scalar without its indentation, a shell script taken out
//! of a JSON string. Rules find a word in the text and report the word's span in the file.

use crate::model::location::Span;

/// One run: logical bytes from `logical` on come from original bytes from `original`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    logical: usize,
    original: usize,
    /// For a piece decoded from original bytes of another length (an escape `\t`, a `''`, a
    /// CRLF read as `\n`, an inserted character): where those original bytes end. `None` for
    /// a verbatim copy, whose original end follows from its length.
    end: Option<usize>,
}

impl Segment {
    const fn verbatim(logical: usize, original: usize) -> Self {
        Self {
            logical,
            original,
            end: None,
        }
    }
}

/// The map half of a [`MappedText`]: where each run of logical bytes starts in the original.
///
/// Offsets are byte offsets; the map needs the logical text's length, which the owner passes in.
/// Shared by [`MappedText`] and the Dockerfile parser's `LogicalText`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetMap {
    /// The first run (logical byte 0).
    first: Segment,
    /// Later runs, sorted by `logical` (each > 0); empty for a single run, so most texts need
    /// no allocation for the map.
    breaks: Vec<Segment>,
}

impl Default for Segment {
    fn default() -> Self {
        Self::verbatim(0, 0)
    }
}

impl OffsetMap {
    /// A map whose (empty) text starts at `origin`.
    pub const fn new(origin: usize) -> Self {
        Self {
            first: Segment::verbatim(0, origin),
            breaks: Vec::new(),
        }
    }

    /// Record that the logical byte `logical` (the text's current length) comes from original
    /// byte `original`: start a new run unless it continues the last one.
    pub fn mark(&mut self, logical: usize, original: usize) {
        self.start_run(Segment::verbatim(logical, original));
    }

    /// Record that the piece about to be appended at logical byte `logical` was decoded from
    /// the original bytes `original` (of any length, even none): a run of its own whose spans
    /// end where `original` ends.
    pub fn mark_decoded(&mut self, logical: usize, original: Span) {
        self.start_run(Segment {
            logical,
            original: original.start,
            end: Some(original.end.max(original.start)),
        });
    }

    fn start_run(&mut self, run: Segment) {
        let last = self.breaks.last_mut().unwrap_or(&mut self.first);
        let continues = last.end.is_none()
            && run.end.is_none()
            && last.original + run.logical.saturating_sub(last.logical) == run.original;
        if continues {
            return;
        }
        if last.logical == run.logical {
            // An empty run: replace it rather than stack a second one.
            *last = run;
        } else {
            self.breaks.push(run);
        }
    }

    /// All runs, the first included.
    fn runs(&self) -> impl Iterator<Item = Segment> + '_ {
        std::iter::once(self.first).chain(self.breaks.iter().copied())
    }

    /// The run holding `logical`: the last starting at or before it, or strictly before it
    /// (`before`) so that an end offset at a run boundary stays in the earlier run. Also
    /// returns where that run ends, logically.
    fn run_at(&self, len: usize, logical: usize, before: bool) -> (Segment, usize) {
        let count = if before {
            self.breaks.partition_point(|s| s.logical < logical)
        } else {
            self.breaks.partition_point(|s| s.logical <= logical)
        };
        let run = count
            .checked_sub(1)
            .and_then(|index| self.breaks.get(index).copied())
            .unwrap_or(self.first);
        let run_end = self.breaks.get(count).map_or(len, |next| next.logical);
        (run, run_end)
    }

    /// The original offset of logical byte `logical` of a text `len` bytes long (a boundary
    /// maps to the later run, so a word starting right after a continuation starts on the next
    /// line).
    pub fn original_offset(&self, len: usize, logical: usize) -> usize {
        let logical = logical.min(len);
        let (run, _) = self.run_at(len, logical, false);
        let linear = run.original + (logical - run.logical);
        run.end.map_or(linear, |end| linear.min(end))
    }

    /// Like [`Self::original_offset`] but a boundary maps to the end of the earlier run, so a
    /// span ending right before a continuation does not swallow the `\` and newline, and a
    /// span ending with a decoded piece covers all of that piece's original bytes.
    fn original_end(&self, len: usize, logical: usize) -> usize {
        let logical = logical.min(len);
        let (run, run_end) = self.run_at(len, logical, true);
        let linear = run.original + (logical - run.logical);
        match run.end {
            Some(end) if logical >= run_end => end,
            Some(end) => linear.min(end),
            None => linear,
        }
    }

    /// The original span of a logical span of a text `len` bytes long. An empty span maps to
    /// an empty span; a span never ends before it starts.
    pub fn original_span(&self, len: usize, logical: Span) -> Span {
        let start = self.original_offset(len, logical.start);
        if logical.end <= logical.start {
            return Span::at(start);
        }
        Span::new(start, self.original_end(len, logical.end).max(start))
    }

    /// The part of `text` (whose map this is) from `start` to `end`, with its map.
    pub fn slice(&self, text: &str, start: usize, end: usize) -> MappedText {
        let end = end.min(text.len());
        let start = start.min(end);
        let mut out = MappedText::new(self.original_offset(text.len(), start));
        let mut runs = self.runs().peekable();
        while let Some(run) = runs.next() {
            if run.logical >= end {
                break;
            }
            let run_end = runs.peek().map_or(text.len(), |next| next.logical);
            let from = run.logical.max(start);
            let to = run_end.min(end);
            if from >= to {
                continue;
            }
            let piece = text.get(from..to).unwrap_or("");
            let original = run.original + (from - run.logical);
            match run.end {
                Some(run_original_end) => {
                    let piece_end = if to == run_end {
                        run_original_end
                    } else {
                        (run.original + (to - run.logical)).min(run_original_end)
                    };
                    let piece_start = original.min(piece_end);
                    out.push_decoded(piece, Span::new(piece_start, piece_end));
                }
                None => out.push_str(piece, original),
            }
        }
        out
    }

    /// True when the whole text is one verbatim run (a copy of the original).
    pub fn is_contiguous(&self) -> bool {
        self.breaks.is_empty() && self.first.end.is_none()
    }
}

/// A text plus, for every byte, the byte of the original file it was read from.
///
/// Built piece by piece with [`MappedText::push_str`] / [`MappedText::push_char`]; each piece
/// names where it starts in the original. A decoded character that came from several original
/// bytes (`\n` from `\r\n`, `é` from `\u00e9`) is pushed at the first of them.
///
/// An *opaque* text ([`MappedText::opaque`]) knows only the span it came from as a whole: every
/// span in it maps to that whole span. Callers use it when no exact map could be built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappedText {
    text: String,
    map: OffsetMap,
    /// Set for an opaque text: the span every offset maps to.
    opaque: Option<Span>,
}

impl MappedText {
    /// An empty text whose (empty) position maps to `origin`.
    pub const fn new(origin: usize) -> Self {
        Self {
            text: String::new(),
            map: OffsetMap::new(origin),
            opaque: None,
        }
    }

    /// A text that is one contiguous piece of the original, starting at byte `original`.
    pub fn contiguous(text: impl Into<String>, original: usize) -> Self {
        Self {
            text: text.into(),
            map: OffsetMap::new(original),
            opaque: None,
        }
    }

    /// A text whose bytes cannot be mapped one by one: every span maps to the whole `span`.
    pub fn opaque(text: impl Into<String>, span: Span) -> Self {
        Self {
            text: text.into(),
            map: OffsetMap::new(span.start),
            opaque: Some(span),
        }
    }

    /// Reassemble a text from a string and its map (for types that keep the two apart).
    pub fn from_parts(text: String, map: OffsetMap) -> Self {
        Self {
            text,
            map,
            opaque: None,
        }
    }

    /// Split into the string and its map; `None` for an opaque text, which has no byte map.
    pub fn into_parts(self) -> Option<(String, OffsetMap)> {
        match self.opaque {
            Some(_) => None,
            None => Some((self.text, self.map)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn into_string(self) -> String {
        self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// False for an opaque text, whose sub-spans all map to its whole span.
    pub fn is_exact(&self) -> bool {
        self.opaque.is_none()
    }

    /// The same map over `text`, a same-length rewrite of this text (e.g. with its `${{ … }}`
    /// expressions masked), so spans found in `text` map as they would in this one. `None` when
    /// the lengths differ or a run of the map would start inside a character of `text`.
    pub fn with_text(&self, text: String) -> Option<MappedText> {
        let boundaries = self
            .map
            .runs()
            .all(|run| text.is_char_boundary(run.logical));
        (text.len() == self.text.len() && boundaries).then(|| Self {
            text,
            map: self.map.clone(),
            opaque: self.opaque,
        })
    }

    /// Append `piece`, which starts at byte `original` of the original text.
    pub fn push_str(&mut self, piece: &str, original: usize) {
        if piece.is_empty() {
            return;
        }
        self.mark(original, piece.len());
        self.text.push_str(piece);
    }

    /// Append one character that sits at byte `original` of the original text.
    pub fn push_char(&mut self, ch: char, original: usize) {
        self.mark(original, ch.len_utf8());
        self.text.push(ch);
    }

    /// Append `piece`, decoded from the original bytes `original` (an escape such as `\t` or
    /// `\u00e9`, a doubled quote, a CRLF read as `\n`; an empty span for an inserted
    /// character): spans inside the piece start at `original.start`, a span ending with it ends
    /// at `original.end`.
    pub fn push_decoded(&mut self, piece: &str, original: Span) {
        if piece.is_empty() {
            return;
        }
        match &mut self.opaque {
            Some(span) => {
                span.start = span.start.min(original.start);
                span.end = span.end.max(original.end);
            }
            None => self.map.mark_decoded(self.text.len(), original),
        }
        self.text.push_str(piece);
    }

    fn mark(&mut self, original: usize, len: usize) {
        match &mut self.opaque {
            Some(span) => {
                span.start = span.start.min(original);
                span.end = span.end.max(original + len);
            }
            None => self.map.mark(self.text.len(), original),
        }
    }

    /// The original offset of logical byte `logical` (see [`OffsetMap::original_offset`]);
    /// the start of the whole span for an opaque text.
    pub fn original_offset(&self, logical: usize) -> usize {
        match self.opaque {
            Some(span) => span.start,
            None => self.map.original_offset(self.text.len(), logical),
        }
    }

    /// The original span of a logical span: it starts where its first byte was read and ends
    /// after its last byte (a span ending at a run boundary stays in the earlier run). For an
    /// opaque text, the whole span.
    pub fn original_span(&self, logical: Span) -> Span {
        match self.opaque {
            Some(span) => span,
            None => self.map.original_span(self.text.len(), logical),
        }
    }

    /// The sub-text `start..end` (logical offsets on char boundaries), keeping the map.
    pub fn slice(&self, start: usize, end: usize) -> MappedText {
        match self.opaque {
            Some(span) => {
                let end = end.min(self.text.len());
                let piece = self.text.get(start.min(end)..end).unwrap_or("");
                Self::opaque(piece, span)
            }
            None => self.map.slice(&self.text, start, end),
        }
    }

    /// Like [`Self::slice`], reusing this text's buffer when it is a single run.
    pub fn into_slice(mut self, start: usize, end: usize) -> MappedText {
        let end = end.min(self.text.len());
        let start = start.min(end);
        let boundaries = self.text.is_char_boundary(start) && self.text.is_char_boundary(end);
        if !self.map.is_contiguous() || !boundaries {
            return self.slice(start, end);
        }
        self.text.truncate(end);
        self.text.drain(..start);
        if self.opaque.is_none() {
            self.map.first.original += start;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text made of `(piece, original offset)` runs.
    fn pieces(runs: &[(&str, usize)]) -> MappedText {
        let mut text = MappedText::new(runs.first().map_or(0, |r| r.1));
        for (piece, original) in runs {
            text.push_str(piece, *original);
        }
        text
    }

    #[test]
    fn offsets_map_across_runs() {
        // Original "RUN a \\\n  b": the continuation is left out of the text.
        let text = pieces(&[("RUN a ", 0), ("  b", 8)]);
        assert_eq!(text.as_str(), "RUN a   b");
        let cases = [
            // (logical, expected original offset)
            (0, 0), // start
            (5, 5), // the space before the break
            (6, 8), // a boundary maps to the later run
            (8, 10),
            (9, 11),  // end of text
            (50, 11), // past the end: clamped
        ];
        for (logical, original) in cases {
            assert_eq!(text.original_offset(logical), original, "logical {logical}");
        }
        let spans = [
            // (logical span, original span)
            (Span::new(4, 6), Span::new(4, 6)), // ends at the boundary: stops before it
            (Span::new(4, 9), Span::new(4, 11)), // crosses the boundary
            (Span::new(6, 6), Span::at(8)),     // empty stays empty
            (Span::new(7, 3), Span::at(9)),     // reversed is empty, at its start
            (Span::new(0, 99), Span::new(0, 11)), // clamped
        ];
        for (logical, original) in spans {
            assert_eq!(text.original_span(logical), original, "{logical:?}");
        }
    }

    #[test]
    fn adjacent_pieces_merge_into_one_run() {
        let mut text = MappedText::new(5);
        text.push_str("ab", 5);
        text.push_char('c', 7);
        text.push_str("", 100); // empty pieces change nothing
        text.push_str("d", 8);
        assert_eq!(text.as_str(), "abcd");
        assert_eq!(
            text.into_parts().map(|(_, map)| map.is_contiguous()),
            Some(true)
        );
    }

    #[test]
    fn first_piece_sets_the_origin() {
        let mut text = MappedText::new(0);
        text.push_str("xy", 40);
        assert_eq!(text.original_span(Span::new(0, 2)), Span::new(40, 42));
    }

    #[test]
    fn multibyte_characters_and_escapes() {
        // `é` decoded from `\u00e9` (6 bytes at 10), then `x` at 16.
        let mut text = MappedText::new(10);
        text.push_char('é', 10);
        text.push_char('x', 16);
        assert_eq!(text.as_str(), "éx");
        assert_eq!(text.original_span(Span::new(0, 2)), Span::new(10, 12));
        assert_eq!(text.original_span(Span::new(2, 3)), Span::new(16, 17));
        assert_eq!(text.original_span(Span::new(0, 3)), Span::new(10, 17));
    }

    #[test]
    fn decoded_pieces_cover_their_original_bytes() {
        // Original `a\tb''c` at 10: `\t` (2 bytes) decodes to a tab, `''` to `'`.
        let mut text = MappedText::new(10);
        text.push_char('a', 10);
        text.push_decoded("\t", Span::new(11, 13));
        text.push_char('b', 13);
        text.push_decoded("'", Span::new(14, 16));
        text.push_char('c', 16);
        assert_eq!(text.as_str(), "a\tb'c");
        let cases = [
            // (logical span, original span)
            (Span::new(1, 2), Span::new(11, 13)), // the tab alone: its whole escape
            (Span::new(0, 2), Span::new(10, 13)), // ending with the escape
            (Span::new(1, 3), Span::new(11, 14)), // starting with it
            (Span::new(3, 4), Span::new(14, 16)), // the doubled quote
            (Span::new(2, 5), Span::new(13, 17)),
            (Span::new(2, 2), Span::at(13)),
        ];
        for (logical, original) in cases {
            assert_eq!(text.original_span(logical), original, "{logical:?}");
        }
        // A decoded piece right after a verbatim one does not merge with it, nor the next.
        let sub = text.slice(1, 4);
        assert_eq!(sub.as_str(), "\tb'");
        assert_eq!(sub.original_span(Span::new(0, 1)), Span::new(11, 13));
        assert_eq!(sub.original_span(Span::new(0, 3)), Span::new(11, 16));
    }

    #[test]
    fn inserted_characters_map_to_an_empty_span() {
        // A block scalar's final line break at the end of a file without one: nothing produced
        // it, so it maps to the empty span at the end (6).
        let mut text = MappedText::contiguous("run x", 1);
        text.push_decoded("\n", Span::at(6));
        assert_eq!(text.original_span(Span::new(5, 6)), Span::at(6));
        assert_eq!(text.original_span(Span::new(4, 6)), Span::new(5, 6));
        assert_eq!(text.original_offset(6), 6);
    }

    #[test]
    fn multibyte_decoded_pieces() {
        // `é` (2 bytes) from `\u00e9` (6 bytes at 0): a sub-span never leaves the escape.
        let mut text = MappedText::new(0);
        text.push_decoded("é", Span::new(0, 6));
        text.push_char('!', 6);
        assert_eq!(text.original_span(Span::new(0, 2)), Span::new(0, 6));
        assert_eq!(text.original_span(Span::new(0, 3)), Span::new(0, 7));
        let sub = text.slice(0, 2);
        assert_eq!(sub.original_span(Span::new(0, 2)), Span::new(0, 6));
        assert!(
            !sub.clone()
                .into_parts()
                .is_some_and(|(_, map)| map.is_contiguous())
        );
        assert_eq!(
            sub.into_slice(0, 2).original_span(Span::new(0, 2)),
            Span::new(0, 6)
        );
    }

    #[test]
    fn slices_keep_the_map() {
        let text = pieces(&[("FROM a", 3), ("b AS x", 20)]);
        let sub = text.slice(5, 8);
        assert_eq!(sub.as_str(), "ab ");
        assert_eq!(sub.original_span(Span::new(0, 3)), Span::new(8, 22));
        assert_eq!(sub.original_offset(1), 20);
        let empty = text.slice(6, 6);
        assert_eq!(empty.as_str(), "");
        assert_eq!(empty.original_offset(0), 20);
        // Out of range slices are clamped.
        assert_eq!(text.slice(11, 99).as_str(), "x");
    }

    #[test]
    fn into_slice_matches_slice() {
        let single = MappedText::contiguous("hello world", 100);
        let multi = pieces(&[("hello ", 100), ("world", 200)]);
        for text in [single, multi] {
            for (start, end) in [(0, 5), (6, 11), (3, 9), (11, 11), (4, 2)] {
                let expected = text.slice(start, end);
                let got = text.clone().into_slice(start, end);
                assert_eq!(got.as_str(), expected.as_str());
                let whole = Span::new(0, got.len());
                assert_eq!(got.original_span(whole), expected.original_span(whole));
            }
        }
    }

    #[test]
    fn opaque_text_maps_everything_to_its_span() {
        let span = Span::new(30, 45);
        let text = MappedText::opaque("a\tb", span);
        assert!(!text.is_exact());
        assert_eq!(text.original_span(Span::new(1, 2)), span);
        assert_eq!(text.original_offset(2), 30);
        let sub = text.slice(2, 3);
        assert_eq!(sub.as_str(), "b");
        assert_eq!(sub.original_span(Span::new(0, 1)), span);
        assert_eq!(
            text.clone().into_slice(0, 1).original_span(Span::new(0, 1)),
            span
        );
        assert_eq!(text.into_parts(), None);
    }

    #[test]
    fn same_length_rewrites_keep_the_map() {
        let text = pieces(&[("echo ${{ x }} ", 10), ("done", 40)]);
        let masked = text
            .with_text("echo ________ done".to_owned())
            .expect("same length");
        assert_eq!(masked.as_str(), "echo ________ done");
        assert_eq!(masked.original_span(Span::new(5, 13)), Span::new(15, 23));
        assert_eq!(masked.original_span(Span::new(14, 18)), Span::new(40, 44));
        assert_eq!(text.with_text("short".to_owned()), None);
        // A run must not start inside a character of the new text.
        let text = pieces(&[("ab", 0), ("c", 9)]);
        assert_eq!(text.with_text("aé".to_owned()), None);
        assert!(text.with_text("xyz".to_owned()).is_some());
    }

    #[test]
    fn parts_round_trip() {
        let text = pieces(&[("a", 1), ("b", 9)]);
        let Some((string, map)) = text.clone().into_parts() else {
            panic!("exact text has parts");
        };
        assert_eq!(MappedText::from_parts(string, map), text);
    }
}
