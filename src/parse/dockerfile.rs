//! Dockerfile parsing, faithful to BuildKit's frontend (moby/buildkit `frontend/dockerfile`:
//! `parser`, `instructions`, `shell`): parser directives, comments, line continuations, heredocs,
//! exec and shell forms, flags, stages, and the image occurrences the PW1xx rules read.
//!
//! Every value keeps a [`Span`] into the original text (BOM, CRLF and tabs included). Parsing
//! never fails: what BuildKit would reject becomes a [`Problem`] and parsing goes on.

mod assignment;
mod heredoc;
mod json;
mod keyword;
mod lexer;
mod logical;
mod pattern;
mod platform;
#[cfg(test)]
mod robustness_tests;
mod scope;
mod script;
mod stage;
#[cfg(test)]
mod stage_tests;
#[cfg(test)]
mod tests;
mod user;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::image::{ImageUse, ImageValue};
use crate::model::location::{Location, Span};
use crate::model::origin::Origin;
use crate::model::source::SourceFile;
use crate::parse::Problem;

pub use assignment::Assignment;
pub use keyword::Keyword;
pub use logical::{Flag, LogicalText, Word};
pub use script::scripts;
pub use user::{StageUser, User};

/// The result of [`parse`].
#[derive(Debug)]
pub struct ParsedDockerfile {
    pub dockerfile: Dockerfile,
    pub images: Vec<ImageUse>,
    pub problems: Vec<Problem>,
}

/// A parsed Dockerfile.
#[derive(Debug)]
pub struct Dockerfile {
    /// The escape character: `\` or `` ` `` (from `# escape=`).
    pub escape: char,
    pub directives: Vec<Directive>,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// For each `RUN` (by instruction index), the build variables (`ARG`, `ENV`) its text
    /// refers to, as the command's environment will hold them.
    pub run_variables: BTreeMap<usize, Vec<(String, crate::parse::shell::Variable)>>,
}

/// A parser directive at the top of the file: `# syntax=…`, `# escape=…`, `# check=…`.
#[derive(Debug)]
pub struct Directive {
    /// Lowercase name.
    pub name: String,
    pub value: String,
    /// The value (e.g. `docker/dockerfile:1`, which names a frontend image).
    pub span: Span,
    /// The whole directive line, without its line ending.
    pub line_span: Span,
}

/// One instruction.
#[derive(Debug)]
pub struct Instruction {
    /// The keyword, e.g. `FROM` (`keyword.as_str()` is uppercase).
    pub keyword: Keyword,
    pub keyword_span: Span,
    /// The whole instruction including continuation lines and heredoc bodies (without the final
    /// line ending).
    pub span: Span,
    /// Leading `--name[=value]` flags.
    pub flags: Vec<Flag>,
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
    /// Index into [`Dockerfile::stages`]; `None` before the first `FROM` (global `ARG`s).
    pub stage: Option<usize>,
}

/// An instruction's arguments after its flags.
#[derive(Debug)]
pub enum Args {
    /// Shell form (and every instruction without an exec form): the text after the flags.
    Shell(LogicalText),
    /// JSON array form; each word's text is the decoded string, its span the literal's content.
    /// BuildKit falls back to shell form when the text is not a JSON array.
    Exec(Vec<Word>),
}

/// A heredoc attached to a `RUN`, `COPY` or `ADD` instruction.
#[derive(Debug)]
pub struct Heredoc {
    /// The delimiter with quotes removed.
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from body lines and the delimiter line.
    pub strip_tabs: bool,
    /// False when the delimiter was quoted (`<<"EOF"`, `<<'EOF'`): no variable expansion.
    pub expand: bool,
    /// The body lines, each with its line ending; the delimiter line is not included.
    pub body: Span,
    /// The body plus the delimiter line (without its line ending).
    pub span: Span,
    /// The `<<EOF` marker in the instruction line.
    pub marker: Span,
}

/// A build stage, opened by a `FROM`.
#[derive(Debug)]
pub struct Stage {
    pub index: usize,
    /// Lowercased, as BuildKit stores it.
    pub name: Option<String>,
    pub name_span: Option<Span>,
    /// Index into [`Dockerfile::instructions`] of the `FROM`.
    pub from_instruction: usize,
    pub base: StageBase,
    /// The stage's `USER` instructions, in order, each expanded against the stage's variables.
    pub users: Vec<User>,
}

/// What a stage is built on.
#[derive(Debug, PartialEq, Eq)]
pub enum StageBase {
    Image,
    Scratch,
    /// `FROM <name of an earlier stage>`.
    Stage(usize),
    /// The base depends on variables without a value, or the `FROM` is broken.
    Unresolved,
}

/// Values for the file's `ARG`s, as `docker build --build-arg` gives them: from the config
/// file's `build-args:` or the command line.
pub type BuildArgs = BTreeMap<String, BuildArg>;

/// One `--build-arg` value and who gave it (`` `--build-arg` ``, `` `build-args` in
/// `.pinwarden.yml` ``), for the messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildArg {
    pub value: String,
    pub origin: String,
}

/// Parse a Dockerfile. Never panics and never fails: problems become [`Problem`]s (PW001).
pub fn parse(source: &Arc<SourceFile>) -> ParsedDockerfile {
    parse_with(source, &BuildArgs::new())
}

/// [`parse`] with values for its `ARG`s.
pub fn parse_with(source: &Arc<SourceFile>, build_args: &BuildArgs) -> ParsedDockerfile {
    let mut parser = Parser::new(source.text(), source.content_start());
    parser.run();
    let Parser {
        escape,
        directives,
        mut instructions,
        mut problems,
        lines,
        ..
    } = parser;
    for span in lines.long_lines {
        problems.push(Problem::new(
            span,
            format!("line is longer than BuildKit's limit of {MAX_LINE} bytes"),
        ));
    }
    let analysis = if instructions.is_empty() {
        problems.push(Problem::new(
            Span::at(source.content_start()),
            "file has no instructions",
        ));
        stage::Analysis::default()
    } else {
        stage::analyze(source, &mut instructions, build_args, escape, &mut problems)
    };
    problems.sort_by_key(|problem| problem.span);
    let mut images: Vec<ImageUse> = directives
        .iter()
        .filter_map(|directive| syntax_image(source, directive))
        .collect();
    images.extend(analysis.images);
    ParsedDockerfile {
        dockerfile: Dockerfile {
            escape,
            directives,
            instructions,
            stages: analysis.stages,
            run_variables: analysis.run_variables,
        },
        images,
        problems,
    }
}

/// The frontend image of a `# syntax=` directive: BuildKit pulls it and runs the build with
/// it, so it is judged like a `FROM` image. Directives are not expanded.
fn syntax_image(source: &Arc<SourceFile>, directive: &Directive) -> Option<ImageUse> {
    if directive.name != "syntax" || directive.value.trim().is_empty() {
        return None;
    }
    Some(ImageUse {
        location: Location::new(Arc::clone(source), directive.span),
        value: ImageValue::Resolved(directive.value.clone()),
        via: Vec::new(),
        origin: Some(Origin::SyntaxDirective),
    })
}

/// BuildKit reads lines with `bufio.Scanner`, whose tokens (line plus `\n`) stop at 64 KiB.
const MAX_LINE: usize = 65_535;

/// One physical line: `start..end` is its content without `\r`/`\n` at the end.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

/// Physical lines, split on `\n` only (as BuildKit's `scanLines`).
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    long_lines: Vec<Span>,
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = self.text.get(start..)?;
        let (mut end, next) = match rest.find('\n') {
            Some(newline) => (start + newline, start + newline + 1),
            None => (self.text.len(), self.text.len()),
        };
        self.pos = next;
        if next - start > MAX_LINE + 1 {
            self.long_lines.push(Span::new(start, end));
        }
        // `trimNewline`: every trailing `\r` and `\n`.
        while end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(Line { start, end })
    }
}

struct Parser<'a> {
    text: &'a str,
    lines: Lines<'a>,
    escape: char,
    directives: Vec<Directive>,
    /// Directives are only read before the first line that is not one.
    directives_done: bool,
    instructions: Vec<Instruction>,
    problems: Vec<Problem>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, content_start: usize) -> Self {
        Self {
            text,
            lines: Lines {
                text,
                pos: content_start,
                long_lines: Vec::new(),
            },
            escape: '\\',
            directives: Vec::new(),
            directives_done: false,
            instructions: Vec::new(),
            problems: Vec::new(),
        }
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    /// BuildKit `Parse`: one logical line per loop, then its heredoc bodies.
    fn run(&mut self) {
        while let Some(line) = self.lines.next() {
            let raw = self.slice(line.start, line.end);
            let content = raw.trim_start();
            let content_start = line.start + (raw.len() - content.len());
            if !self.directives_done {
                self.directive(content, content_start, line);
            }
            if content.starts_with('#') {
                continue;
            }
            let (body, continued) = trim_continuation(content, self.escape);
            if !continued && body.is_empty() {
                continue;
            }
            let mut logical = LogicalText::new(self.escape, content_start);
            logical.push_str(body, content_start);
            self.instruction(logical, continued, line.end);
        }
    }

    /// Read `content` (a line with leading whitespace trimmed) as a possible directive.
    fn directive(&mut self, content: &str, content_start: usize, line: Line) {
        let parsed = content
            .strip_prefix('#')
            .and_then(|after| {
                let trimmed = after.trim_start();
                let offset = content_start + 1 + (after.len() - trimmed.len());
                parse_directive(trimmed).map(|(name, value)| (name, value, offset))
            })
            .filter(|(name, _, _)| {
                ["syntax", "escape", "check"].contains(&name.to_ascii_lowercase().as_str())
            });
        let Some((name, (value_start, value_end), offset)) = parsed else {
            self.directives_done = true;
            return;
        };
        let name = name.to_ascii_lowercase();
        let span = Span::new(offset + value_start, offset + value_end);
        let value = self.slice(span.start, span.end).to_owned();
        let line_span = Span::new(content_start, line.end);
        if self.directives.iter().any(|d| d.name == name) {
            self.problems.push(Problem::new(
                line_span,
                format!("only one `{name}` parser directive can be used"),
            ));
            return;
        }
        if name == "escape" {
            match value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => {
                    self.problems.push(Problem::new(
                        span,
                        format!("invalid escape token `{value}`: must be ` or \\"),
                    ));
                    return;
                }
            }
        }
        self.directives.push(Directive {
            name,
            value,
            span,
            line_span,
        });
    }

    /// Gather continuation lines into `logical`, then record the instruction and its heredocs.
    fn instruction(&mut self, mut logical: LogicalText, mut continued: bool, mut last_end: usize) {
        while continued {
            let Some(line) = self.lines.next() else {
                break;
            };
            last_end = line.end;
            let raw = self.slice(line.start, line.end);
            let trimmed = raw.trim_start();
            // Comment lines and blank lines inside a continuation are skipped.
            if trimmed.starts_with('#') || trimmed.is_empty() {
                continue;
            }
            let (body, more) = trim_continuation(raw, self.escape);
            logical.push_str(body, line.start);
            continued = more;
        }
        let Some(head) = split_command(&logical) else {
            return;
        };
        let keyword = head.keyword.to_ascii_lowercase();
        let keyword_span = logical.original_span(Span::new(head.keyword_start, head.keyword_end));
        let parsed_keyword = Keyword::parse(&keyword);
        if !parsed_keyword.is_known() {
            self.problems.push(Problem::new(
                keyword_span,
                format!("unknown instruction `{}`", head.keyword),
            ));
        }
        let exec = exec_form(&keyword, &logical, head.rest_start, head.end);
        let mut heredocs = Vec::new();
        let is_exec = matches!(exec, json::ExecForm::Strings(_));
        if logical.text.contains("<<")
            && can_contain_heredoc(&keyword, is_exec, &logical, head.rest_start, head.end)
        {
            let mut reported = false;
            for marker in heredoc::markers(&logical.text) {
                let marker_span = logical.original_span(Span::new(marker.start, marker.end));
                let (heredoc, terminated) = self.heredoc_body(marker, marker_span);
                // BuildKit stops at the first unterminated heredoc; report only that one.
                if !terminated && !reported {
                    reported = true;
                    self.problems.push(Problem::new(
                        marker_span,
                        format!(
                            "unterminated heredoc `{0}`: no line `{0}` before end of file",
                            heredoc.delimiter
                        ),
                    ));
                }
                last_end = last_end.max(heredoc.span.end);
                heredocs.push(heredoc);
            }
        }
        let args = match exec {
            json::ExecForm::Strings(items) => Args::Exec(
                items
                    .into_iter()
                    .map(|item| Word {
                        text: item.value,
                        span: logical.original_span(Span::new(
                            head.rest_start + item.start,
                            head.rest_start + item.end,
                        )),
                    })
                    .collect(),
            ),
            json::ExecForm::NotStrings => {
                self.problems.push(Problem::new(
                    logical.original_span(Span::new(head.rest_start, head.end)),
                    "when using JSON array syntax, arrays must be comprised of strings only",
                ));
                Args::Shell(logical.into_slice(head.rest_start, head.end))
            }
            json::ExecForm::Invalid => Args::Shell(logical.into_slice(head.rest_start, head.end)),
        };
        self.instructions.push(Instruction {
            keyword: parsed_keyword,
            keyword_span,
            span: Span::new(keyword_span.start, last_end.max(keyword_span.end)),
            flags: head.flags,
            args,
            heredocs,
            stage: None,
        });
    }

    /// Read one heredoc body: the lines after the instruction up to the delimiter line.
    /// Also returns whether the delimiter line was found.
    fn heredoc_body(&mut self, marker: heredoc::Marker, marker_span: Span) -> (Heredoc, bool) {
        let body_start = self.lines.pos;
        let mut terminator = None;
        while let Some(line) = self.lines.next() {
            let candidate = self.slice(line.start, line.end);
            let candidate = if marker.strip_tabs {
                candidate.trim_start_matches('\t')
            } else {
                candidate
            };
            if candidate == marker.name {
                terminator = Some(line);
                break;
            }
        }
        let (body, span) = match terminator {
            Some(line) => (
                Span::new(body_start, line.start),
                Span::new(body_start, line.end),
            ),
            None => {
                let end = self.text.len().max(body_start);
                (Span::new(body_start, end), Span::new(body_start, end))
            }
        };
        let heredoc = Heredoc {
            delimiter: marker.name,
            strip_tabs: marker.strip_tabs,
            expand: marker.expand,
            body,
            span,
            marker: marker_span,
        };
        (heredoc, terminator.is_some())
    }
}

/// BuildKit's line continuation test: the escape character is the last character before
/// trailing spaces and tabs, and is not itself escaped. Returns the text without it.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let Some(before) = trimmed.strip_suffix(escape) else {
        return (line, false);
    };
    if before.ends_with(escape) {
        // NOTE: `foo \\` ends with an escaped escape: no continuation (the regex BuildKit uses
        // cannot see `foo \\\` either, and says so).
        return (line, false);
    }
    (before, true)
}

/// `# name = value` after the `#` and leading whitespace (BuildKit's directive regexp
/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`): the name and the value's byte range.
fn parse_directive(text: &str) -> Option<(&str, (usize, usize))> {
    // RE2's `\s`: ASCII whitespace without `\v`.
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}');
    let name_end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(text.len(), |(i, _)| i);
    let name = text.get(..name_end).filter(|n| !n.is_empty())?;
    let after_name = text.get(name_end..)?.trim_start_matches(is_space);
    let after_equals = after_name.strip_prefix('=')?;
    let value = after_equals.trim_start_matches(is_space);
    let value_start = text.len() - value.len();
    let value = value.trim_end_matches(is_space);
    if value.is_empty() {
        // `.+?` needs one character: an all-whitespace value is its last character.
        let last = after_equals.chars().next_back()?;
        let end = text.len();
        return Some((name, (end - last.len_utf8(), end)));
    }
    Some((name, (value_start, value_start + value.len())))
}

/// The keyword, flags and arguments of a logical line (BuildKit `splitCommand`).
struct Head {
    keyword: String,
    keyword_start: usize,
    keyword_end: usize,
    flags: Vec<Flag>,
    rest_start: usize,
    end: usize,
}

/// Go's `regexp` class `[\t\v\f\r ]` that separates the keyword from its arguments.
fn is_separator(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

fn split_command(logical: &LogicalText) -> Option<Head> {
    let text = &logical.text;
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    if start >= end {
        return None;
    }
    let body = text.get(start..end)?;
    let keyword_end = start + body.find(is_separator).unwrap_or(body.len());
    let keyword = text.get(start..keyword_end)?.to_owned();
    let args_start = keyword_end
        + text.get(keyword_end..end).map_or(0, |rest| {
            rest.len() - rest.trim_start_matches(is_separator).len()
        });
    let (flags, rest) = logical::split_flags(logical, args_start, end);
    let rest_start = rest
        + text
            .get(rest..end)
            .map_or(0, |rest| rest.len() - rest.trim_start().len());
    Some(Head {
        keyword,
        keyword_start: start,
        keyword_end,
        flags,
        rest_start,
        end,
    })
}

/// Instructions whose arguments may be a JSON array (`parseMaybeJSON`, `parseMaybeJSONToList`).
fn has_exec_form(keyword: &str) -> bool {
    matches!(
        keyword,
        "run" | "cmd" | "entrypoint" | "shell" | "add" | "copy" | "volume"
    )
}

/// The exec form of `logical[start..end]`: `Invalid` (shell form) unless the instruction has
/// an exec form and the text is a JSON array.
fn exec_form(keyword: &str, logical: &LogicalText, start: usize, end: usize) -> json::ExecForm {
    match logical.text.get(start..end) {
        Some(rest) if has_exec_form(keyword) && rest.starts_with('[') => json::parse_exec(rest),
        _ => json::ExecForm::Invalid,
    }
}

/// BuildKit `canContainHeredoc`: `RUN`, `COPY`, `ADD` (also under `ONBUILD`), not in JSON form.
fn can_contain_heredoc(
    keyword: &str,
    is_exec: bool,
    logical: &LogicalText,
    start: usize,
    end: usize,
) -> bool {
    match keyword {
        "run" | "copy" | "add" => !is_exec,
        "onbuild" => {
            let inner = logical.slice(start, end);
            let Some(head) = split_command(&inner) else {
                return false;
            };
            let keyword = head.keyword.to_ascii_lowercase();
            let is_exec = matches!(
                exec_form(&keyword, &inner, head.rest_start, head.end),
                json::ExecForm::Strings(_)
            );
            matches!(keyword.as_str(), "run" | "copy" | "add") && !is_exec
        }
        _ => false,
    }
}
