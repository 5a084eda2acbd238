//! Simple commands: `[NAME=value…] word… [redirections]`, their words split into fields, and
//! the command strings they hand to a shell (`sh -c '…'`).

use super::lex::{Form, Scanned, is_name, is_name_byte};
use super::syntax::{Context, Reader, Slot};
use super::{Assignment, Command, Place, Word};
use crate::model::location::Span;
use crate::model::mapped_text::MappedText;
use crate::model::script::posix_command_string;

impl Reader<'_> {
    /// `[NAME=value…] [word…] [redirections]`; its index when it has a command name.
    pub(super) fn simple_command(&mut self, context: Context) -> Option<usize> {
        let index = self.commands.len();
        self.commands.push(Command {
            words: Vec::new(),
            assignments: Vec::new(),
            redirects: Vec::new(),
            span: Span::at(0),
            pipe: None,
            nesting: context.nesting,
        });
        let start = self.pos;
        let mut end = start;
        let mut words: Vec<Word> = Vec::new();
        let mut assignments = Vec::new();
        let mut redirects = Vec::new();
        let mut arguments: Vec<(usize, Scanned)> = Vec::new();
        let mut named = false;
        loop {
            self.skip_blanks_no_comment();
            match self.peek() {
                None | Some(b'\n' | b';' | b'|' | b')' | b'#') => break,
                Some(b'&') if self.peek_at(1) != Some(b'>') => break,
                Some(b'`') if self.backticks > 0 => break,
                Some(b'(') => break,
                _ => {}
            }
            if self.at_redirect() {
                let rest = self.rest();
                let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
                let herestring = rest
                    .get(digits..)
                    .is_some_and(|after| after.starts_with(b"<<<"));
                self.redirect(Some(index), &mut redirects);
                if !named || herestring {
                    end = self.pos;
                }
                continue;
            }
            if !named && self.assignment_name_end().is_some() {
                if let Some(assignment) = self.assignment(Some((index, Place::Assignment))) {
                    assignments.push(assignment);
                }
                end = self.pos;
                continue;
            }
            let place = if named {
                Place::Argument(words.len())
            } else {
                Place::Name
            };
            let Some(scanned) = self.scan_word(Some((index, place))) else {
                break;
            };
            end = self.pos;
            let first = words.len();
            self.fields(&scanned, &mut words);
            if named {
                arguments.push((first, scanned));
            }
            named = true;
        }
        if !named {
            self.drop_command(index);
            return None;
        }
        if let Some(at) = command_string_index(&words)
            && let Some((_, argument)) = arguments.iter().find(|(first, _)| *first == at)
            && let Some(inner) = self.command_string(argument)
        {
            self.command_strings.push(inner);
        }
        let span = self.span(start, end);
        if let Some(command) = self.commands.get_mut(index) {
            command.words = words;
            command.assignments = assignments;
            command.redirects = redirects;
            command.span = span;
        }
        Some(index)
    }

    pub(super) fn skip_blanks_no_comment(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                _ => break,
            }
        }
    }

    /// A statement with no command name (`A=b`, `> file`): no command; what was nested in
    /// it runs in no command.
    pub(super) fn drop_command(&mut self, index: usize) {
        if index < self.commands.len() {
            self.commands.remove(index);
        }
        for command in self.commands.iter_mut().skip(index) {
            if let Some(nesting) = &mut command.nesting {
                if nesting.parent == index {
                    command.nesting = None;
                } else if nesting.parent > index {
                    nesting.parent -= 1;
                }
            }
        }
        for heredoc in &mut self.heredocs {
            if heredoc.slot.is_some_and(|(parent, _)| parent == index) {
                heredoc.slot = None;
            }
        }
    }

    /// `NAME=` / `NAME+=` / `NAME[…]=` at the current position: where the value starts.
    pub(super) fn assignment_name_end(&self) -> Option<(usize, usize)> {
        let rest = self.rest();
        if !rest
            .first()
            .is_some_and(|byte| byte.is_ascii_alphabetic() || *byte == b'_')
        {
            return None;
        }
        let mut at = rest.iter().take_while(|&&byte| is_name_byte(byte)).count();
        let name_end = if rest.get(at) == Some(&b'[') {
            let close = rest.get(at..)?.iter().position(|&byte| byte == b']')?;
            at += close + 1;
            at
        } else {
            at
        };
        if rest.get(at) == Some(&b'+') {
            at += 1;
        }
        (rest.get(at) == Some(&b'=')).then_some((self.pos + name_end, self.pos + at + 1))
    }

    pub(super) fn assignment(&mut self, slot: Slot) -> Option<Assignment> {
        let (name_end, value_start) = self.assignment_name_end()?;
        let name = self.text.get(self.pos..name_end).unwrap_or("").to_owned();
        let name_ok = is_name(name.split('[').next().unwrap_or(""));
        self.pos = value_start;
        let value = if self.peek() == Some(b'(') {
            // An array: its words are read for substitutions; the value is unknown.
            self.pos += 1;
            loop {
                self.skip_lines();
                match self.peek() {
                    None => {
                        self.error = true;
                        break;
                    }
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        if self.scan_word(slot).is_none() {
                            self.error = true;
                            self.skip_token();
                        }
                    }
                }
            }
            Word {
                span: self.span(value_start, self.pos),
                raw: self
                    .text
                    .get(value_start..self.pos)
                    .unwrap_or("")
                    .to_owned(),
                value: None,
                notes: Vec::new(),
            }
        } else {
            match self.scan_word(slot) {
                Some(scanned) => self.word(&scanned),
                None => Word {
                    span: Span::at(self.span(value_start, value_start).end),
                    raw: String::new(),
                    value: Some(String::new()),
                    notes: Vec::new(),
                },
            }
        };
        name_ok.then_some(Assignment { name, value })
    }

    /// One word, unsplit.
    pub(super) fn word(&self, scanned: &Scanned) -> Word {
        let span = self.span(scanned.start, scanned.end);
        let raw = self
            .text
            .get(scanned.start..scanned.end)
            .unwrap_or("")
            .to_owned();
        let masked = self
            .source
            .get(span.start..span.end)
            .is_some_and(|written| written.contains("${{"));
        let value = (!scanned.unknown && !masked).then(|| scanned.text.clone());
        Word {
            span,
            raw,
            value,
            notes: scanned.notes.clone(),
        }
    }

    /// The fields a word becomes: one, several (a known unquoted variable holding spaces) or
    /// none (one expanding to nothing).
    pub(super) fn fields(&self, scanned: &Scanned, words: &mut Vec<Word>) {
        let word = self.word(scanned);
        match &word.value {
            Some(value) if scanned.split => {
                for field in value.split_ascii_whitespace() {
                    words.push(Word {
                        value: Some(field.to_owned()),
                        ..word.clone()
                    });
                }
            }
            _ => words.push(word),
        }
    }

    /// The text of a quoted command string, mapped back to the file: `'…'` as written, `"…"`
    /// with its backslash escapes decoded. `None` for anything with a substitution in it (its
    /// commands are already read where they are written) or not one quoted string.
    pub(super) fn command_string(&self, scanned: &Scanned) -> Option<MappedText> {
        let double = match scanned.form {
            Form::Single => false,
            Form::Double if !scanned.substitutes => true,
            _ => return None,
        };
        let start = scanned.start + 1;
        let end = scanned.end.checked_sub(1)?;
        let text = self.text.get(start..end)?;
        let mut inner = MappedText::new(self.map.original_offset(start));
        let mut chars = text.char_indices().peekable();
        while let Some((offset, ch)) = chars.next() {
            let at = start + offset;
            if double
                && ch == '\\'
                && let Some(&(next_offset, next)) = chars.peek()
                && matches!(next, '$' | '`' | '"' | '\\' | '\n')
            {
                chars.next();
                let escape = Span::new(at, start + next_offset + next.len_utf8());
                if next != '\n' {
                    let decoded = next.encode_utf8(&mut [0; 4]).to_owned();
                    inner.push_decoded(&decoded, self.map.original_span(escape));
                }
                continue;
            }
            inner.push_char(ch, self.map.original_offset(at));
        }
        Some(inner)
    }
}

/// For a command that hands a script to a shell (`sh -c '…'`, `sudo bash -lc "…"`,
/// `su -c '…' user`), the index of that command string in `words`.
fn command_string_index(words: &[Word]) -> Option<usize> {
    let mut at = 0;
    if words.first().is_some_and(|word| word.is("sudo")) {
        at = 1;
        while let Some(text) = words.get(at).and_then(Word::text) {
            if !text.starts_with('-') {
                break;
            }
            at += if matches!(
                text,
                "-u" | "-g" | "-C" | "-D" | "-h" | "-p" | "-r" | "-t" | "-T" | "-U"
            ) {
                2
            } else {
                1
            };
        }
    }
    let rest = words.get(at..)?;
    let argv: Vec<&str> = rest.iter().map(|word| word.text().unwrap_or("")).collect();
    if argv.first() == Some(&"su") {
        let flag = argv
            .iter()
            .position(|arg| matches!(*arg, "-c" | "--command"))?;
        return Some(at + flag + 1);
    }
    posix_command_string(&argv).map(|index| at + index)
}
