//! The shell grammar the analysis reads: lists, pipelines, simple commands with their
//! assignments and redirections, compound commands (`if`, `for`, `while`/`until`, `case`,
//! `{ }`, `( )`, functions, `[[ ]]`, `(( ))`), substitutions and heredocs, read in one pass
//! straight into [`Command`]s in source order (a command comes before the commands nested in
//! its words).
//!
//! NOTE: recursive descent with a hard depth cap ([`MAX_DEPTH`] nested lists): deeper input
//! marks the script incomplete and the rest of it is skipped, so no input can exhaust the
//! stack, and every byte is read once (no rescanning per nesting level). After a syntax
//! error the reader resynchronises at the next line or operator and keeps what it can read.

use super::lex::{Form, Scanned, ends_word, is_name, is_name_byte, unquoted_literal};
use super::variables::Variables;
use super::{Assignment, Command, Nesting, Pipe, Place, Redirect, Substitution, Word};
use crate::model::location::Span;
use crate::model::mapped_text::MappedText;
use crate::model::script::posix_command_string;

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
struct Heredoc {
    delimiter: String,
    strip_tabs: bool,
    /// Quoted delimiter: the body is literal (no substitutions).
    literal: bool,
    slot: Slot,
}

/// What the lists being read are nested in.
#[derive(Clone, Copy, Default)]
struct Context {
    nesting: Option<Nesting>,
    /// In a `case` arm: `;;` ends the list.
    case_arm: bool,
}

pub(super) struct Reader<'a> {
    pub(super) text: &'a str,
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    map: &'a MappedText,
    source: &'a str,
    pub(super) variables: &'a Variables,
    commands: Vec<Command>,
    /// Where each pipeline starts; `Pipe::pipeline` holds an index here until
    /// [`Reader::finish`] numbers them in source order.
    pipelines: Vec<usize>,
    heredocs: Vec<Heredoc>,
    command_strings: Vec<MappedText>,
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
    fn finish(self, base: usize) -> (Vec<Command>, usize) {
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

    fn rest(&self) -> &[u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    fn span(&self, start: usize, end: usize) -> Span {
        self.map.original_span(Span::new(start, end))
    }

    /// The whole script: lists until the end, skipping what cannot start a command.
    fn program(&mut self) {
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
    fn skip_token(&mut self) {
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
    fn skip_blanks(&mut self) {
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
    fn skip_lines(&mut self) {
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
    fn newline(&mut self) {
        self.pos += 1;
        let heredocs = std::mem::take(&mut self.heredocs);
        for heredoc in heredocs {
            self.heredoc_body(&heredoc);
        }
    }

    /// Is `word` (followed by a delimiter) at the current position?
    fn at_word(&self, word: &str) -> bool {
        let rest = self.rest();
        rest.starts_with(word.as_bytes())
            && rest
                .get(word.len())
                .is_none_or(|&byte| ends_word(byte) || byte == b'`')
    }

    /// At a reserved word or operator that ends a list.
    fn at_closer(&self, context: Context) -> bool {
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
    fn list(&mut self, context: Context) {
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
    fn and_or(&mut self, context: Context) {
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
    fn pipeline(&mut self, context: Context) {
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

    fn set_pipe(
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
    fn stage(&mut self, context: Context) -> Option<usize> {
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
    fn nested(&mut self, context: Context, close: &[u8]) {
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
    fn expect(&mut self, token: &[u8]) -> bool {
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

    fn if_clause(&mut self, context: Context) {
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

    fn loop_clause(&mut self, context: Context, keyword: usize) {
        self.pos += keyword;
        if !self.enter() {
            return;
        }
        self.list(context);
        self.do_group(context);
        self.depth -= 1;
    }

    fn do_group(&mut self, context: Context) {
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
    fn for_clause(&mut self, context: Context, keyword: usize) {
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

    fn case_clause(&mut self, context: Context) {
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
    fn test(&mut self, close: &[u8]) {
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
    fn skip_arithmetic_command(&mut self) -> bool {
        self.arithmetic(None, 2, b')')
    }

    /// `NAME () ` at the current position: where the body starts.
    fn function_header(&self) -> Option<usize> {
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

    fn function_body(&mut self, context: Context) {
        self.skip_lines();
        let _ = self.stage(context);
    }

    /// `export`, `declare`, … (and `unset`): tree-sitter-bash's declaration commands, which
    /// are not simple commands. The keyword's length.
    fn declaration(&self) -> Option<usize> {
        [
            "declare", "typeset", "export", "readonly", "local", "unsetenv", "unset",
        ]
        .into_iter()
        .find(|word| self.at_word(word))
        .map(str::len)
    }

    /// Words (and assignments) up to the end of the command, belonging to no command.
    fn words_until_end(&mut self, slot: Slot) {
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

    /// `[NAME=value…] [word…] [redirections]`; its index when it has a command name.
    fn simple_command(&mut self, context: Context) -> Option<usize> {
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

    fn skip_blanks_no_comment(&mut self) {
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
    fn drop_command(&mut self, index: usize) {
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

    /// At `<`, `>`, `&>` or `N>` (not `<(` / `>(`).
    fn at_redirect(&self) -> bool {
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
    fn redirects(&mut self, command: Option<usize>, redirects: &mut Vec<Redirect>) {
        loop {
            self.skip_blanks();
            if !self.at_redirect() {
                return;
            }
            self.redirect(command, redirects);
        }
    }

    /// One redirection: `[n]op target`; a heredoc's body is read after the line.
    fn redirect(&mut self, command: Option<usize>, redirects: &mut Vec<Redirect>) {
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
    fn heredoc_start(&mut self, slot: Slot, strip_tabs: bool) -> Option<Word> {
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
    fn heredoc_body(&mut self, heredoc: &Heredoc) {
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

    /// `NAME=` / `NAME+=` / `NAME[…]=` at the current position: where the value starts.
    fn assignment_name_end(&self) -> Option<(usize, usize)> {
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

    fn assignment(&mut self, slot: Slot) -> Option<Assignment> {
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
    fn fields(&self, scanned: &Scanned, words: &mut Vec<Word>) {
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
    fn nesting_context(&self, start: usize, kind: Substitution, slot: Slot) -> Context {
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

    fn close_nesting(&mut self, first: usize, context: Context, start: usize) {
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

    /// The text of a quoted command string, mapped back to the file: `'…'` as written, `"…"`
    /// with its backslash escapes decoded. `None` for anything with a substitution in it (its
    /// commands are already read where they are written) or not one quoted string.
    fn command_string(&self, scanned: &Scanned) -> Option<MappedText> {
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
