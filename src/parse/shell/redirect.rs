//! Redirections (`>`, `2>&1`, `<<<`, `&>` …) and heredocs: the delimiter is the target, the
//! body is read after the line, and an unquoted body's substitutions run in the command.

use super::lex::{Scanned, ends_word, unquoted_literal};
use super::syntax::{Heredoc, Reader, Slot};
use super::{Place, Redirect, Word};

impl Reader<'_> {
    /// At `<`, `>`, `&>` or `N>` (not `<(` / `>(`).
    pub(super) fn at_redirect(&self) -> bool {
        let rest = self.rest();
        let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
        let after = rest.get(digits..).unwrap_or(&[]);
        if after.starts_with(b"<(") || after.starts_with(b">(") {
            return false;
        }
        match after.first() {
            Some(b'<' | b'>') => true,
            Some(b'&') => digits == 0 && after.get(1) == Some(&b'>'),
            _ => false,
        }
    }

    /// Redirections at the current position, appended to `redirects`.
    pub(super) fn redirects(&mut self, command: Option<usize>, redirects: &mut Vec<Redirect>) {
        loop {
            self.skip_blanks();
            if !self.at_redirect() {
                return;
            }
            self.redirect(command, redirects);
        }
    }

    /// One redirection: `[n]op target`; a heredoc's body is read after the line.
    pub(super) fn redirect(&mut self, command: Option<usize>, redirects: &mut Vec<Redirect>) {
        let start = self.pos;
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.pos += 1;
        }
        const OPERATORS: [&[u8]; 13] = [
            b"<<<", b"<<-", b"<<", b"&>>", b"&>", b">>", b">|", b">&-", b"<&-", b">&", b"<&", b"<",
            b">",
        ];
        let rest = self.rest();
        let heredoc = rest.starts_with(b"<<") && !rest.starts_with(b"<<<");
        let operator = OPERATORS
            .iter()
            .find(|operator| rest.starts_with(operator))
            .map_or(1, |operator| operator.len());
        self.pos += operator;
        let text = self.text.get(start..self.pos).unwrap_or("").to_owned();
        let slot = command.map(|index| (index, Place::Redirect(redirects.len())));
        self.skip_blanks_no_comment();
        let target = if heredoc {
            self.heredoc_start(slot, operator == 3)
        } else {
            match self.scan_word(slot) {
                Some(scanned) => Some(self.word(&scanned)),
                None => {
                    if !text.ends_with('-') {
                        self.error = true;
                    }
                    None
                }
            }
        };
        redirects.push(Redirect {
            operator: text,
            target,
        });
    }

    /// The delimiter word of `<<` (its value as written, quotes included, like the
    /// delimiter token of tree-sitter-bash); the body is read after the line.
    pub(super) fn heredoc_start(&mut self, slot: Slot, strip_tabs: bool) -> Option<Word> {
        let start = self.pos;
        let mut delimiter = String::new();
        let mut literal = false;
        while let Some(byte) = self.peek() {
            match byte {
                b'\'' | b'"' => {
                    literal = true;
                    let Some(close) = self.find_byte(self.pos + 1, byte) else {
                        self.error = true;
                        self.pos = self.bytes.len();
                        return None;
                    };
                    delimiter.push_str(self.text.get(self.pos + 1..close).unwrap_or(""));
                    self.pos = close + 1;
                }
                b'\\' => {
                    literal = true;
                    self.pos += 1;
                }
                _ if ends_word(byte) => break,
                _ => {
                    let ch = self.peek_char().unwrap_or('\0');
                    delimiter.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        if self.pos == start {
            self.error = true;
            return None;
        }
        self.heredocs.push(Heredoc {
            delimiter,
            strip_tabs,
            literal,
            slot,
        });
        let raw = self.text.get(start..self.pos).unwrap_or("");
        let mut value = String::new();
        unquoted_literal(raw, &mut value);
        Some(Word {
            span: self.span(start, self.pos),
            raw: raw.to_owned(),
            value: Some(value),
            notes: Vec::new(),
        })
    }

    /// A heredoc body from the current position up to its delimiter line; an unquoted
    /// delimiter's body has its substitutions read.
    pub(super) fn heredoc_body(&mut self, heredoc: &Heredoc) {
        loop {
            // At the start of a line: the delimiter?
            let line_end = self.find_byte(self.pos, b'\n').unwrap_or(self.bytes.len());
            let line = self.text.get(self.pos..line_end).unwrap_or("");
            let line = if heredoc.strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if line == heredoc.delimiter {
                self.pos = (line_end + 1).min(self.bytes.len());
                return;
            }
            if self.pos >= self.bytes.len() {
                self.error = true;
                return;
            }
            if heredoc.literal {
                self.pos = line_end + 1;
                continue;
            }
            // Up to the end of the line (a substitution may run over several lines).
            while let Some(byte) = self.peek() {
                match byte {
                    b'\n' => {
                        self.pos += 1;
                        break;
                    }
                    b'\\' => self.pos = (self.pos + 2).min(self.bytes.len()),
                    b'`' if self.backticks == 0 => self.backtick(heredoc.slot),
                    b'$' => {
                        let mut ignored = Scanned::default();
                        if !self.dollar(heredoc.slot, true, &mut ignored) {
                            self.error = true;
                            self.pos = self.bytes.len();
                            return;
                        }
                    }
                    _ => self.pos += 1,
                }
            }
        }
    }
}
