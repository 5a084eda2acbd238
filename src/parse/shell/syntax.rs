//! The shell grammar the analysis reads, in one pass straight into [`Command`]s in source
//! order (a command comes before the commands nested in its words): here the reader, lists,
//! pipelines and substitutions; simple commands in `command.rs`, compound commands (`if`,
//! `for`, `while`/`until`, `case`, `[[ ]]`, `(( ))`, functions) in `compound.rs`,
//! redirections and heredocs in `redirect.rs`, words in `lex.rs`.
//!
//! NOTE: recursive descent with a hard depth cap ([`MAX_DEPTH`] nested lists): deeper input
//! marks the script incomplete and the rest of it is skipped, so no input can exhaust the
//! stack, and every byte is read once (no rescanning per nesting level). After a syntax
//! error the reader resynchronises at the next line or operator and keeps what it can read.

use super::lex::ends_word;
use super::variables::Variables;
use super::{Command, Nesting, Pipe, Place, Substitution};
use crate::model::location::Span;
use crate::model::mapped_text::MappedText;

/// How deep lists may nest (`$( )`, `( )`, `{ }`, `if`, …) before the rest is skipped.
const MAX_DEPTH: usize = 48;

/// How deep `sh -c "sh -c '…'"` is followed.
const MAX_COMMAND_STRING_DEPTH: usize = 3;

/// The command a word belongs to and where in it.
pub(super) type Slot = Option<(usize, Place)>;

/// The commands of `script` (`source` is the file text, for `${{ }}` detection), and
/// whether it parsed without error.
pub(super) fn parse(
    script: &MappedText,
    source: &str,
    variables: &Variables,
) -> (Vec<Command>, bool) {
    let mut commands = Vec::new();
    let mut pipelines = 0;
    let mut complete = true;
    // The script, then the command strings its commands hand to a shell (`sh -c '…'`), to a
    // fixed depth (last found, first read, as a stack).
    let mut pending: Vec<(MappedText, usize)> = Vec::new();
    let mut read = |text: &MappedText, depth: usize, pending: &mut Vec<(MappedText, usize)>| {
        let mut reader = Reader::new(text, source, variables);
        reader.program();
        complete &= !reader.error;
        let strings = std::mem::take(&mut reader.command_strings);
        let (found, count) = reader.finish(pipelines);
        pipelines += count;
        let base = commands.len();
        commands.extend(found.into_iter().map(|mut command| {
            if let Some(nesting) = &mut command.nesting {
                nesting.parent += base;
            }
            command
        }));
        if depth < MAX_COMMAND_STRING_DEPTH {
            pending.extend(strings.into_iter().map(|inner| (inner, depth + 1)));
        }
    };
    read(script, 0, &mut pending);
    while let Some((text, depth)) = pending.pop() {
        read(&text, depth, &mut pending);
    }
    (commands, complete)
}

/// A heredoc whose body starts after the current line.
pub(super) struct Heredoc {
    pub(super) delimiter: String,
    pub(super) strip_tabs: bool,
    /// Quoted delimiter: the body is literal (no substitutions).
    pub(super) literal: bool,
    pub(super) slot: Slot,
}

/// What the lists being read are nested in.
#[derive(Clone, Copy, Default)]
pub(super) struct Context {
    pub(super) nesting: Option<Nesting>,
    /// In a `case` arm: `;;` ends the list.
    pub(super) case_arm: bool,
}

pub(super) struct Reader<'a> {
    pub(super) text: &'a str,
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    pub(super) map: &'a MappedText,
    pub(super) source: &'a str,
    pub(super) variables: &'a Variables,
    pub(super) commands: Vec<Command>,
    /// Where each pipeline starts; `Pipe::pipeline` holds an index here until
    /// [`Reader::finish`] numbers them in source order.
    pub(super) pipelines: Vec<usize>,
    pub(super) heredocs: Vec<Heredoc>,
    pub(super) command_strings: Vec<MappedText>,
    pub(super) error: bool,
    pub(super) depth: usize,
    /// Inside how many backtick substitutions: a backtick ends a word and a list.
    pub(super) backticks: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(map: &'a MappedText, source: &'a str, variables: &'a Variables) -> Self {
        let text = map.as_str();
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            map,
            source,
            variables,
            commands: Vec::new(),
            pipelines: Vec::new(),
            heredocs: Vec::new(),
            command_strings: Vec::new(),
            error: false,
            depth: 0,
            backticks: 0,
        }
    }

    /// The commands, their pipelines numbered from `base` in source order, and how many
    /// pipelines there were.
    pub(super) fn finish(self, base: usize) -> (Vec<Command>, usize) {
        let mut order: Vec<usize> = (0..self.pipelines.len()).collect();
        order.sort_by_key(|&id| self.pipelines.get(id).copied().unwrap_or(0));
        let mut rank = vec![0; self.pipelines.len()];
        for (position, id) in order.into_iter().enumerate() {
            if let Some(slot) = rank.get_mut(id) {
                *slot = position;
            }
        }
        let mut commands = self.commands;
        for command in &mut commands {
            if let Some(pipe) = &mut command.pipe {
                pipe.pipeline = base + rank.get(pipe.pipeline).copied().unwrap_or(0);
            }
        }
        (commands, rank.len())
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    pub(super) fn peek_char(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    pub(super) fn rest(&self) -> &[u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    pub(super) fn span(&self, start: usize, end: usize) -> Span {
        self.map.original_span(Span::new(start, end))
    }

    /// The whole script: lists until the end, skipping what cannot start a command.
    pub(super) fn program(&mut self) {
        loop {
            self.list(Context::default());
            if self.peek().is_none() {
                break;
            }
            // A closer with nothing to close (`)`, `fi`, `;;`): skip it.
            self.error = true;
            self.skip_token();
        }
        if !self.heredocs.is_empty() {
            self.error = true;
        }
    }

    /// Skip one token (a word or one operator byte) after an error.
    pub(super) fn skip_token(&mut self) {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|byte| !ends_word(byte) && byte != b'`')
        {
            self.pos += 1;
        }
        if self.pos == start {
            self.pos += 1;
        }
        while !self.text.is_char_boundary(self.pos) && self.pos < self.bytes.len() {
            self.pos += 1;
        }
    }

    /// Blanks, line continuations and a comment, not newlines.
    pub(super) fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                Some(b'#') => {
                    while self.peek().is_some_and(|byte| byte != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    /// Blanks and newlines (reading the heredoc bodies that start after each line).
    pub(super) fn skip_lines(&mut self) {
        loop {
            self.skip_blanks();
            if self.peek() == Some(b'\n') {
                self.newline();
            } else {
                break;
            }
        }
    }

    /// Consume a newline and the heredoc bodies that follow it.
    pub(super) fn newline(&mut self) {
        self.pos += 1;
        let heredocs = std::mem::take(&mut self.heredocs);
        for heredoc in heredocs {
            self.heredoc_body(&heredoc);
        }
    }

    /// Is `word` (followed by a delimiter) at the current position?
    pub(super) fn at_word(&self, word: &str) -> bool {
        let rest = self.rest();
        rest.starts_with(word.as_bytes())
            && rest
                .get(word.len())
                .is_none_or(|&byte| ends_word(byte) || byte == b'`')
    }

    /// At a reserved word or operator that ends a list.
    pub(super) fn at_closer(&self, context: Context) -> bool {
        match self.peek() {
            None | Some(b')') => true,
            Some(b'`') => self.backticks > 0,
            Some(b';') => context.case_arm && matches!(self.peek_at(1), Some(b';' | b'&')),
            Some(b'}') => self.at_word("}"),
            Some(b't' | b'e' | b'f' | b'd') => ["then", "elif", "else", "fi", "do", "done", "esac"]
                .iter()
                .any(|word| self.at_word(word)),
            _ => false,
        }
    }

    /// Commands separated by `;`, `&` and newlines, up to a closer or the end.
    pub(super) fn list(&mut self, context: Context) {
        loop {
            self.skip_lines();
            match self.peek() {
                Some(b';') if !self.at_closer(context) => {
                    self.pos += 1;
                    continue;
                }
                Some(b'&') if self.peek_at(1) != Some(b'&') && self.peek_at(1) != Some(b'>') => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            if self.at_closer(context) {
                return;
            }
            let before = self.pos;
            self.and_or(context);
            if self.pos == before {
                self.error = true;
                self.skip_token();
            }
        }
    }

    /// Pipelines joined by `&&` / `||`.
    pub(super) fn and_or(&mut self, context: Context) {
        self.pipeline(context);
        loop {
            self.skip_blanks();
            let rest = self.rest();
            if !(rest.starts_with(b"&&") || rest.starts_with(b"||")) {
                return;
            }
            self.pos += 2;
            self.skip_lines();
            if self.at_closer(context) {
                self.error = true;
                return;
            }
            self.pipeline(context);
        }
    }

    /// Stages joined by `|` / `|&`.
    pub(super) fn pipeline(&mut self, context: Context) {
        let start = self.pos;
        let negated = self.at_word("!");
        if negated {
            self.pos += 1;
            self.skip_blanks();
        }
        let first = self.stage(context);
        self.skip_blanks();
        if self.peek() != Some(b'|') || self.peek_at(1) == Some(b'|') {
            return;
        }
        let id = self.pipelines.len();
        self.pipelines.push(start);
        if !negated {
            self.set_pipe(first, id, 0, None);
        }
        let mut stage = 1;
        while self.peek() == Some(b'|') && self.peek_at(1) != Some(b'|') {
            let length = if self.peek_at(1) == Some(b'&') { 2 } else { 1 };
            let operator = self.span(self.pos, self.pos + length);
            self.pos += length;
            self.skip_lines();
            if self.at_closer(context) {
                self.error = true;
                return;
            }
            let command = self.stage(context);
            self.set_pipe(command, id, stage, Some(operator));
            stage += 1;
            self.skip_blanks();
        }
    }

    pub(super) fn set_pipe(
        &mut self,
        command: Option<usize>,
        pipeline: usize,
        stage: usize,
        op: Option<Span>,
    ) {
        if let Some(command) = command.and_then(|index| self.commands.get_mut(index)) {
            command.pipe = Some(Pipe {
                pipeline,
                stage,
                operator: op,
            });
        }
    }

    /// One stage of a pipeline: a simple command (its index) or a compound command.
    pub(super) fn stage(&mut self, context: Context) -> Option<usize> {
        let inner = Context {
            case_arm: false,
            ..context
        };
        match self.peek() {
            Some(b'(') if self.peek_at(1) == Some(b'(') => {
                if !self.skip_arithmetic_command() {
                    self.error = true;
                }
            }
            Some(b'(') => {
                self.pos += 1;
                self.nested(inner, b")");
            }
            Some(b'{') if self.at_word("{") => {
                self.pos += 1;
                self.nested(inner, b"}");
            }
            Some(b'i') if self.at_word("if") => self.if_clause(inner),
            Some(b'w') if self.at_word("while") => self.loop_clause(inner, 5),
            Some(b'u') if self.at_word("until") => self.loop_clause(inner, 5),
            Some(b'f') if self.at_word("for") => self.for_clause(inner, 3),
            Some(b's') if self.at_word("select") => self.for_clause(inner, 6),
            Some(b'c') if self.at_word("case") => self.case_clause(inner),
            Some(b'[') if self.at_word("[[") => self.test(b"]]"),
            Some(b'[') if self.at_word("[") => self.test(b"]"),
            Some(b'f') if self.at_word("function") => {
                self.pos += "function".len();
                self.skip_blanks();
                self.skip_token();
                self.skip_blanks();
                if self.rest().starts_with(b"(") {
                    self.pos += 1;
                    self.skip_blanks();
                    if self.peek() == Some(b')') {
                        self.pos += 1;
                    }
                }
                self.function_body(inner);
            }
            _ => {
                if let Some(after) = self.function_header() {
                    self.pos = after;
                    self.function_body(inner);
                } else if let Some(keyword) = self.declaration() {
                    self.pos += keyword;
                    self.words_until_end(None);
                } else {
                    return self.simple_command(context);
                }
            }
        }
        // Redirections of a compound command belong to no command.
        self.redirects(None, &mut Vec::new());
        None
    }

    /// A nested list up to `close` (`)` or `}`), with the depth cap.
    pub(super) fn nested(&mut self, context: Context, close: &[u8]) {
        if !self.enter() {
            return;
        }
        self.list(context);
        self.depth -= 1;
        self.expect(close);
    }

    /// One more level of nesting; false (and the rest skipped) past the cap.
    pub(super) fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.error = true;
            self.pos = self.bytes.len();
            return false;
        }
        self.depth += 1;
        true
    }

    /// Consume `token` (a closer) or record a syntax error.
    pub(super) fn expect(&mut self, token: &[u8]) -> bool {
        self.skip_lines();
        let matched = if token.first().is_some_and(u8::is_ascii_alphabetic) || token == b"}" {
            std::str::from_utf8(token).is_ok_and(|word| self.at_word(word))
        } else {
            self.rest().starts_with(token)
        };
        if matched {
            self.pos += token.len();
        } else {
            self.error = true;
        }
        matched
    }

    /// `$( … )` / `<( … )` / `>( … )` from the current position (`open` bytes long): its
    /// commands run nested in the slot's command.
    pub(super) fn substitution(&mut self, open: usize, kind: Substitution, slot: Slot) {
        let start = self.pos;
        self.pos += open;
        let context = self.nesting_context(start, kind, slot);
        let first = self.commands.len();
        if !self.enter() {
            return;
        }
        let backticks = std::mem::replace(&mut self.backticks, 0);
        self.list(context);
        self.backticks = backticks;
        self.depth -= 1;
        self.skip_lines();
        if self.peek() == Some(b')') {
            self.pos += 1;
        } else {
            self.error = true;
        }
        self.close_nesting(first, context, start);
    }

    /// `` `…` `` from the current position.
    pub(super) fn backtick(&mut self, slot: Slot) {
        let start = self.pos;
        self.pos += 1;
        let context = self.nesting_context(start, Substitution::Command, slot);
        let first = self.commands.len();
        if !self.enter() {
            return;
        }
        self.backticks += 1;
        self.list(context);
        self.backticks -= 1;
        self.depth -= 1;
        if self.peek() == Some(b'`') {
            self.pos += 1;
        } else {
            self.error = true;
        }
        self.close_nesting(first, context, start);
    }

    /// Until the substitution's end is known, its commands carry an empty span at its start.
    pub(super) fn nesting_context(&self, start: usize, kind: Substitution, slot: Slot) -> Context {
        let at = self.map.original_offset(start);
        Context {
            nesting: slot.map(|(parent, place)| Nesting {
                parent,
                place,
                substitution: Span::new(at, at),
                kind,
            }),
            case_arm: false,
        }
    }

    pub(super) fn close_nesting(&mut self, first: usize, context: Context, start: usize) {
        let Some(provisional) = context.nesting else {
            return;
        };
        let span = self.span(start, self.pos);
        for command in self.commands.iter_mut().skip(first) {
            if let Some(nesting) = &mut command.nesting
                && *nesting == provisional
            {
                nesting.substitution = span;
            }
        }
    }
}
