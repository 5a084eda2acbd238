//! Compound commands: `if`, `while`/`until`, `for`/`select`, `case`, `[ ]`/`[[ ]]`, `(( ))`,
//! functions, and the declaration commands (`export`, `local`, …) that are not simple commands.

use super::lex::ends_word;
use super::syntax::{Context, Reader, Slot};

impl Reader<'_> {
    pub(super) fn if_clause(&mut self, context: Context) {
        self.pos += 2;
        if !self.enter() {
            return;
        }
        self.list(context);
        if self.expect(b"then") {
            self.list(context);
            loop {
                self.skip_lines();
                if self.at_word("elif") {
                    self.pos += 4;
                    self.list(context);
                    if !self.expect(b"then") {
                        break;
                    }
                    self.list(context);
                } else if self.at_word("else") {
                    self.pos += 4;
                    self.list(context);
                } else {
                    break;
                }
            }
            self.expect(b"fi");
        }
        self.depth -= 1;
    }

    pub(super) fn loop_clause(&mut self, context: Context, keyword: usize) {
        self.pos += keyword;
        if !self.enter() {
            return;
        }
        self.list(context);
        self.do_group(context);
        self.depth -= 1;
    }

    pub(super) fn do_group(&mut self, context: Context) {
        self.skip_lines();
        if self.at_word("{") {
            self.pos += 1;
            self.list(context);
            self.expect(b"}");
        } else if self.expect(b"do") {
            self.list(context);
            self.expect(b"done");
        }
    }

    /// `for NAME [in word…]; do …; done` and `for (( … )); do …; done`.
    pub(super) fn for_clause(&mut self, context: Context, keyword: usize) {
        self.pos += keyword;
        self.skip_blanks();
        if self.rest().starts_with(b"((") {
            if !self.skip_arithmetic_command() {
                self.error = true;
                return;
            }
        } else {
            self.skip_token();
            self.skip_lines();
            if self.at_word("in") {
                self.pos += 2;
                self.words_until_end(None);
            }
        }
        self.skip_blanks();
        if self.peek() == Some(b';') {
            self.pos += 1;
        }
        if !self.enter() {
            return;
        }
        self.do_group(context);
        self.depth -= 1;
    }

    pub(super) fn case_clause(&mut self, context: Context) {
        self.pos += 4;
        self.skip_blanks();
        let _ = self.scan_word(None);
        self.skip_lines();
        if !self.expect(b"in") {
            return;
        }
        if !self.enter() {
            return;
        }
        let arm = Context {
            case_arm: true,
            ..context
        };
        loop {
            self.skip_lines();
            if self.at_word("esac") {
                self.pos += 4;
                break;
            }
            if matches!(self.peek(), None | Some(b')')) {
                self.error = true;
                break;
            }
            if self.peek() == Some(b'(') {
                self.pos += 1;
            }
            // Patterns: word [| word]… )
            loop {
                self.skip_blanks();
                let before = self.pos;
                let _ = self.scan_word(None);
                self.skip_blanks();
                match self.peek() {
                    Some(b'|') => self.pos += 1,
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        self.error = true;
                        if self.pos == before {
                            self.skip_token();
                        }
                        break;
                    }
                }
            }
            self.list(arm);
            self.skip_lines();
            let rest = self.rest();
            if rest.starts_with(b";;&") {
                self.pos += 3;
            } else if rest.starts_with(b";;") || rest.starts_with(b";&") {
                self.pos += 2;
            } else if !self.at_word("esac") {
                self.error = true;
                break;
            }
        }
        self.depth -= 1;
    }

    /// `[ … ]` / `[[ … ]]`: a test, no command; its words' substitutions are still read.
    pub(super) fn test(&mut self, close: &[u8]) {
        let double = close.len() == 2;
        self.pos += close.len();
        loop {
            if double {
                self.skip_lines();
            } else {
                self.skip_blanks();
            }
            let Some(byte) = self.peek() else {
                self.error = true;
                return;
            };
            if std::str::from_utf8(close).is_ok_and(|word| self.at_word(word)) {
                self.pos += close.len();
                return;
            }
            match byte {
                b'<' | b'>' if self.peek_at(1) == Some(b'(') => {
                    let _ = self.scan_word(None);
                }
                b'(' | b')' | b'<' | b'>' | b'|' | b'&' if double => self.pos += 1,
                b'<' | b'>' | b'!' | b'(' if !double => self.pos += 1,
                _ => {
                    if self.scan_word(None).is_none() {
                        // `;`, `&`, `|` or a newline before the closing bracket.
                        self.error = true;
                        return;
                    }
                }
            }
        }
    }

    /// `(( … ))` as a command: skipped, reading its substitutions.
    pub(super) fn skip_arithmetic_command(&mut self) -> bool {
        self.arithmetic(None, 2, b')')
    }

    /// `NAME () ` at the current position: where the body starts.
    pub(super) fn function_header(&self) -> Option<usize> {
        let rest = self.rest();
        let name = rest
            .iter()
            .position(|&byte| ends_word(byte) || matches!(byte, b'$' | b'`' | b'\'' | b'"'))
            .unwrap_or(rest.len());
        if name == 0 {
            return None;
        }
        let mut at = name;
        while matches!(rest.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        if rest.get(at) != Some(&b'(') {
            return None;
        }
        at += 1;
        while matches!(rest.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        (rest.get(at) == Some(&b')')).then_some(self.pos + at + 1)
    }

    pub(super) fn function_body(&mut self, context: Context) {
        self.skip_lines();
        let _ = self.stage(context);
    }

    /// `export`, `declare`, … (and `unset`): tree-sitter-bash's declaration commands, which
    /// are not simple commands. The keyword's length.
    pub(super) fn declaration(&self) -> Option<usize> {
        [
            "declare", "typeset", "export", "readonly", "local", "unsetenv", "unset",
        ]
        .into_iter()
        .find(|word| self.at_word(word))
        .map(str::len)
    }

    /// Words (and assignments) up to the end of the command, belonging to no command.
    pub(super) fn words_until_end(&mut self, slot: Slot) {
        loop {
            self.skip_blanks();
            match self.peek() {
                None | Some(b'\n' | b';' | b'&' | b'|' | b')') => return,
                Some(b'`') if self.backticks > 0 => return,
                Some(b'<' | b'>') if self.peek_at(1) != Some(b'(') => {
                    self.redirects(slot.map(|(index, _)| index), &mut Vec::new());
                }
                _ => {
                    let before = self.pos;
                    if self.assignment_name_end().is_some() {
                        let _ = self.assignment(slot);
                    } else {
                        let _ = self.scan_word(slot);
                    }
                    if self.pos == before {
                        self.skip_token();
                    }
                }
            }
        }
    }
}
