//! From a tree-sitter-bash tree to [`Command`]s: a walk with an explicit stack that carries,
//! for each node, the command slot it sits in, the substitution it runs in and its pipeline
//! stage.

use tree_sitter::{Node, TreeCursor};

use super::variables::Variables;
use super::word::{Evaluation, Evaluator};
use super::{Assignment, Command, Nesting, Pipe, Place, Redirect, Substitution, Word};
use crate::model::location::Span;
use crate::model::mapped_text::MappedText;
use crate::model::script::posix_command_string;

/// A reusable tree-sitter parser set to bash.
pub(super) struct Parser {
    inner: Option<tree_sitter::Parser>,
}

impl Parser {
    pub(super) fn new() -> Self {
        let mut parser = tree_sitter::Parser::new();
        let language = tree_sitter::Language::new(tree_sitter_bash::LANGUAGE);
        // NOTE: fails only when the grammar's ABI does not match the runtime's, which the
        // unit tests would show; the scripts then stay unanalysed rather than crash a scan.
        let inner = parser.set_language(&language).is_ok().then_some(parser);
        Self { inner }
    }

    /// The commands of `script` (`source` is the file text, for `${{ }}` detection), and
    /// whether it parsed without error.
    pub(super) fn parse(
        &mut self,
        script: &MappedText,
        source: &str,
        variables: &Variables,
    ) -> Option<(Vec<Command>, bool)> {
        let parser = self.inner.as_mut()?;
        let mut commands = Vec::new();
        let mut pipelines = 0;
        let mut complete = true;
        // The script, then the command strings its commands hand to a shell (`sh -c '…'`),
        // to a fixed depth.
        let mut pending = vec![(script.clone(), 0)];
        while let Some((text, depth)) = pending.pop() {
            let Some(tree) = parser.parse(text.as_str(), None) else {
                continue;
            };
            let root = tree.root_node();
            complete &= !root.has_error();
            let mut walk = Walk {
                map: &text,
                source,
                evaluator: Evaluator {
                    script: text.as_str(),
                    variables,
                },
                commands: Vec::new(),
                pipelines,
                command_strings: Vec::new(),
            };
            walk.run(root);
            pipelines = walk.pipelines;
            let base = commands.len();
            commands.extend(walk.commands.into_iter().map(|mut command| {
                if let Some(nesting) = &mut command.nesting {
                    nesting.parent += base;
                }
                command
            }));
            if depth < MAX_COMMAND_STRING_DEPTH {
                pending.extend(
                    walk.command_strings
                        .into_iter()
                        .map(|inner| (inner, depth + 1)),
                );
            }
        }
        Some((commands, complete))
    }
}

/// How deep `sh -c "sh -c '…'"` is followed.
const MAX_COMMAND_STRING_DEPTH: usize = 3;

/// What a node inherits from the nodes around it.
#[derive(Clone, Copy, Default)]
struct Context {
    /// The command and the part of it this node belongs to.
    slot: Option<(usize, Place)>,
    /// The substitution this node's commands run in.
    nesting: Option<Nesting>,
    /// For a pipeline stage: its place.
    pipe: Option<Pipe>,
}

impl Context {
    /// What the children of an ordinary node inherit: no pipeline stage.
    fn inner(self) -> Self {
        Self { pipe: None, ..self }
    }
}

struct Walk<'a> {
    map: &'a MappedText,
    source: &'a str,
    evaluator: Evaluator<'a>,
    commands: Vec<Command>,
    pipelines: usize,
    /// The literal command strings of `sh -c '…'` / `su -c '…'`, to be read as scripts.
    command_strings: Vec<MappedText>,
}

type Stack<'t> = Vec<(Node<'t>, Context)>;

impl Walk<'_> {
    fn span(&self, node: Node<'_>) -> Span {
        self.map
            .original_span(Span::new(node.start_byte(), node.end_byte()))
    }

    fn run(&mut self, root: Node<'_>) {
        let mut stack: Stack<'_> = vec![(root, Context::default())];
        let mut cursor = root.walk();
        while let Some((node, context)) = stack.pop() {
            if node.child_count() == 0 {
                continue;
            }
            match node.kind() {
                "command" => {
                    let (index, starts) = self.command(node, None, context);
                    push_command_children(&mut stack, node, index, &starts, context);
                }
                "redirected_statement" => {
                    match node.child_by_field_name("body") {
                        Some(body) if body.kind() == "command" => {
                            let (index, starts) = self.command(body, Some(node), context);
                            // Redirections first, so the body's children are walked first.
                            let redirects = self.statement_redirects(node);
                            let from = self.commands.get(index).map_or(0, |command| {
                                command.redirects.len().saturating_sub(redirects.len())
                            });
                            for (offset, redirect) in redirects.into_iter().enumerate().rev() {
                                let slot = Some((index, Place::Redirect(from + offset)));
                                stack.push((
                                    redirect,
                                    Context {
                                        slot,
                                        ..context.inner()
                                    },
                                ));
                            }
                            push_command_children(&mut stack, body, index, &starts, context);
                        }
                        _ => push_children(&mut stack, &mut cursor, node, context),
                    }
                }
                "pipeline" => self.pipeline(&mut stack, node, context),
                "command_substitution" | "process_substitution" => {
                    let kind = if node.kind() == "process_substitution" {
                        Substitution::Process
                    } else {
                        Substitution::Command
                    };
                    let nesting = context.slot.map(|(parent, place)| Nesting {
                        parent,
                        place,
                        substitution: self.span(node),
                        kind,
                    });
                    let inner = Context {
                        slot: None,
                        nesting,
                        pipe: None,
                    };
                    push_children(&mut stack, &mut cursor, node, inner);
                }
                _ => push_children(&mut stack, &mut cursor, node, context.inner()),
            }
        }
    }

    fn pipeline<'t>(&mut self, stack: &mut Stack<'t>, node: Node<'t>, context: Context) {
        let pipeline = self.pipelines;
        self.pipelines += 1;
        let mut stages = Vec::new();
        let mut operator = None;
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if !child.is_named() {
                if matches!(child.kind(), "|" | "|&") {
                    operator = Some(self.span(child));
                }
                continue;
            }
            let pipe = Pipe {
                pipeline,
                stage: stages.len(),
                operator: operator.take(),
            };
            stages.push((
                child,
                Context {
                    pipe: Some(pipe),
                    ..context
                },
            ));
        }
        stack.extend(stages.into_iter().rev());
    }

    fn statement_redirects<'t>(&self, statement: Node<'t>) -> Vec<Node<'t>> {
        let mut cursor = statement.walk();
        statement
            .children(&mut cursor)
            .filter(|child| {
                matches!(
                    child.kind(),
                    "file_redirect" | "herestring_redirect" | "heredoc_redirect"
                )
            })
            .collect()
    }

    /// Build the command of `node` (with the redirections of the statement around it) and
    /// return its index and where each argument's fields start in its words.
    fn command(
        &mut self,
        node: Node<'_>,
        statement: Option<Node<'_>>,
        context: Context,
    ) -> (usize, Vec<usize>) {
        let mut words = Vec::new();
        let mut word_starts = Vec::new();
        let mut arguments = Vec::new();
        let mut assignments = Vec::new();
        let mut redirects = Vec::new();
        for (field, child) in fields(node) {
            match (field, child.kind()) {
                (Some("name"), _) => {
                    let word = child.named_child(0).unwrap_or(child);
                    words.extend(self.fields(word));
                }
                (Some("argument"), _) => {
                    word_starts.push(words.len());
                    arguments.push((words.len(), child));
                    words.extend(self.fields(child));
                }
                (_, "file_redirect" | "herestring_redirect") => {
                    redirects.push(self.redirect(child));
                }
                (_, "variable_assignment") => assignments.extend(self.assignment(child)),
                _ => {}
            }
        }
        if let Some(statement) = statement {
            for redirect in self.statement_redirects(statement) {
                redirects.push(self.redirect(redirect));
            }
        }
        if let Some(index) = command_string_index(&words)
            && let Some((_, argument)) = arguments.iter().find(|(start, _)| *start == index)
            && let Some(inner) = self.command_string(*argument)
        {
            self.command_strings.push(inner);
        }
        self.commands.push(Command {
            words,
            assignments,
            redirects,
            span: self.span(node),
            pipe: context.pipe,
            nesting: context.nesting,
        });
        (self.commands.len() - 1, word_starts)
    }

    /// The text of a quoted command string, mapped back to the file: `'…'` as written, `"…"`
    /// with its backslash escapes decoded. `None` for anything with a `$( )` in it (its
    /// commands are already read where they are written) or not quoted.
    fn command_string(&self, node: Node<'_>) -> Option<MappedText> {
        let double = match node.kind() {
            "raw_string" => false,
            "string" => true,
            _ => return None,
        };
        let mut cursor = node.walk();
        if node
            .children(&mut cursor)
            .any(|child| child.kind() == "command_substitution")
        {
            return None;
        }
        let start = node.start_byte() + 1;
        let end = node.end_byte().checked_sub(1)?;
        let text = self.evaluator.script.get(start..end)?;
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

    fn assignment(&self, node: Node<'_>) -> Option<Assignment> {
        let name = node.child_by_field_name("name")?;
        let name = self.evaluator_text(name).to_owned();
        let value = match node.child_by_field_name("value") {
            Some(value) => self.word(value),
            None => Word {
                span: Span::at(self.span(node).end),
                raw: String::new(),
                value: Some(String::new()),
                notes: Vec::new(),
            },
        };
        Some(Assignment { name, value })
    }

    fn redirect(&self, node: Node<'_>) -> Redirect {
        let mut operator = String::new();
        let mut target = None;
        for (field, child) in fields(node) {
            if field == Some("descriptor") {
                // `2>`: the descriptor is part of the operator.
                operator.push_str(self.evaluator_text(child));
                continue;
            }
            if child.is_named() {
                if target.is_none() && child.kind() != "heredoc_body" {
                    target = Some(self.word(child));
                }
            } else if target.is_none() {
                operator.push_str(self.evaluator_text(child));
            }
        }
        Redirect { operator, target }
    }

    fn evaluator_text(&self, node: Node<'_>) -> &str {
        self.evaluator
            .script
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
    }

    /// One word, unsplit.
    fn word(&self, node: Node<'_>) -> Word {
        self.build_word(node, self.evaluator.evaluate(node))
    }

    fn build_word(&self, node: Node<'_>, evaluation: Evaluation) -> Word {
        let span = self.span(node);
        let raw = self.evaluator_text(node).to_owned();
        let masked = self
            .source
            .get(span.start..span.end)
            .is_some_and(|written| written.contains("${{"));
        let value = (!evaluation.unknown && !masked).then_some(evaluation.text);
        Word {
            span,
            raw,
            value,
            notes: evaluation.notes,
        }
    }

    /// The fields a word becomes: one, several (a known unquoted variable holding spaces) or
    /// none (one expanding to nothing).
    fn fields(&self, node: Node<'_>) -> Vec<Word> {
        let evaluation = self.evaluator.evaluate(node);
        let split = evaluation.split && !evaluation.unknown;
        let word = self.build_word(node, evaluation);
        match (&word.value, split) {
            (Some(value), true) => value
                .split_ascii_whitespace()
                .map(|field| Word {
                    value: Some(field.to_owned()),
                    ..word.clone()
                })
                .collect(),
            _ => vec![word],
        }
    }
}

/// Push the children of `node` so that the first is walked first. One cursor serves the whole
/// walk: a cursor per node would cost an allocation per node.
fn push_children<'t>(
    stack: &mut Stack<'t>,
    cursor: &mut TreeCursor<'t>,
    node: Node<'t>,
    context: Context,
) {
    let start = stack.len();
    cursor.reset(node);
    if cursor.goto_first_child() {
        loop {
            stack.push((cursor.node(), context));
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    if let Some(pushed) = stack.get_mut(start..) {
        pushed.reverse();
    }
}

/// Walk a command's children for the commands nested in them, each in its slot.
fn push_command_children<'t>(
    stack: &mut Stack<'t>,
    node: Node<'t>,
    index: usize,
    starts: &[usize],
    context: Context,
) {
    let mut slots = Vec::new();
    let mut word = 0;
    let mut redirect = 0;
    for (field, child) in fields(node) {
        let place = match (field, child.kind()) {
            (Some("name"), _) => Place::Name,
            (Some("argument"), _) => {
                let place = Place::Argument(starts.get(word).copied().unwrap_or(0));
                word += 1;
                place
            }
            (_, "file_redirect" | "herestring_redirect") => {
                redirect += 1;
                Place::Redirect(redirect - 1)
            }
            (_, "variable_assignment") => Place::Assignment,
            _ => Place::Name,
        };
        slots.push((
            child,
            Context {
                slot: Some((index, place)),
                ..context.inner()
            },
        ));
    }
    stack.extend(slots.into_iter().rev());
}

/// The children of `node` with their field names.
fn fields(node: Node<'_>) -> Vec<(Option<&'static str>, Node<'_>)> {
    let mut cursor = node.walk();
    let mut children = Vec::new();
    if cursor.goto_first_child() {
        loop {
            children.push((cursor.field_name(), cursor.node()));
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    children
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
