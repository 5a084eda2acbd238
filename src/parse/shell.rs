//! Shell analysis: every POSIX script a document runs (Dockerfile `RUN`, workflow and composite
//! `run:`), parsed once into its simple commands. Each command has its words with their values
//! (quotes removed, known build and workflow variables substituted) and their spans in the file,
//! the pipeline it is a stage of, and the command whose `$( )` / `<( )` it runs in. The PW3xx
//! rules read this, never the script text.
//!
//! # The parser: our own (`syntax.rs`, `command.rs`, `compound.rs`, `redirect.rs`, `lex.rs`)
//!
//! NOTE: the scripts are read by a purpose-built parser of the POSIX/bash grammar the analysis
//! needs: one pass from the text straight to [`Command`]s (words evaluated as they are read,
//! no syntax tree, no allocation per node). It replaced tree-sitter-bash 0.25, chosen first
//! over brush-parser 0.4 for its error tolerance, byte ranges down into `$( )` and strings,
//! and no recursion (brush stops at the first error and overflowed an 8 MiB stack at 1,000
//! nested `$(`). The reason is speed: in a profile of `pinwarden scan` over the 10x corpus
//! tree, tree-sitter's `ts_parser_parse` was 21.7% of all CPU and the walk over its tree
//! (cursor moves, a field list per node) about 10% more; it also compiled a 9.9 MB generated
//! C file into every build. The properties it was chosen for are kept: after a syntax error
//! the reader resynchronises at the next token and keeps the commands it can read; nesting is
//! capped (48 nested lists, `$( )`, `${ }`, `$(( ))`; deeper input is marked incomplete and
//! skipped, so a 512 KiB stack is enough), and every byte is read once.
//!
//! Before tree-sitter was removed, both parsers read every POSIX script of the shared
//! real-world corpus (3,094 scripts from 722 Dockerfiles, 398 workflows and 7 actions) and
//! their commands were compared field by field: 2,974 identical, 120 different. In each of
//! the 120 tree-sitter-bash departs from the shell grammar, and this parser follows bash:
//!
//! | scripts | construct | tree-sitter-bash | bash (and this parser) |
//! |---|---|---|---|
//! | 76 | `a && b > /dev/null`, `a \| sed x > f` | redirection of the whole list, lost | redirection of the last command |
//! | 26 | `echo >&2 "error: …"` | the word is a second redirection target, lost | an argument |
//! | 9 | `$REGISTRY/$IMAGE`, `nginx-$VERSION` | two words | one word |
//! | 4 | `cat <<EOF > f`, `cat <<EOF \| sh` | rest of the line nested in the heredoc: `> f` lost, `sh` a pipeline of its own | `> f` is `cat`'s, `sh` is stage 1 |
//! | 2 | `RUN <<EOT bash` | the body read as commands again (Dockerfile parsing hands it over as a script of its own), a syntax error; a scan reported each of its 4 packages twice | a heredoc before the command name |
//! | 1 | `cfssljson -bare ca -` at a line end | the next line's command glued on as arguments | two commands |
//! | 2 | `{{ … }}` in a Dockerfile template (never scanned: templates are skipped by name) | syntax errors | `{{` is a command name |
//!
//! Syntax errors: 4 scripts with tree-sitter, 1 here (the template). Time (release builds, 2
//! shared cores, `perf stat` task-clock, mean of 3 to 5 runs): a scan of the corpus's 717
//! Dockerfiles 287 ms → 114 ms of CPU; the whole corpus about 800 ms → 605 ms; the 10x tree
//! 7.9 s → 4.6 s, where the shell analysis went from 22% of the profile's samples
//! (tree-sitter and the walk over its tree) to 2.6% (this parser, the prefilter, words).

mod command;
mod compound;
mod lex;
mod prefilter;
mod redirect;
mod syntax;
mod variables;

#[cfg(test)]
mod tests;

use crate::model::location::Span;
use crate::model::script::posix_command_string;
use crate::parse::dockerfile::{Args, Dockerfile};
use crate::parse::{Document, Syntax};

pub use prefilter::ScriptFilter;

/// A build or workflow variable a script can read, as far as the file tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variable {
    /// `None`: unset, or set to something the file does not say.
    pub value: Option<String>,
    /// Where it was set, for related locations.
    pub notes: Vec<Note>,
}

/// Where a value came from: a span of the file with a short label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub span: Span,
    pub label: String,
}

/// The commands of one POSIX script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellScript {
    /// Index into [`Document::scripts`]; `None` for the one command of an exec-form `RUN`
    /// that runs a program without a shell (`RUN ["apt-get", "install", "curl"]`).
    pub script: Option<usize>,
    /// Every simple command, in source order: a command nested in a `$( )` or `<( )` comes
    /// after the command it is an argument of.
    pub commands: Vec<Command>,
    /// False when the parser met a syntax error; the commands it could read are still here.
    pub complete: bool,
}

/// One simple command: `[NAME=value…] word… [redirections]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The command name and its arguments after expansion: a word whose known variables hold
    /// several fields gives several words (all with the word's span); one that expands to
    /// nothing gives none.
    pub words: Vec<Word>,
    /// `NAME=value` prefixes.
    pub assignments: Vec<Assignment>,
    pub redirects: Vec<Redirect>,
    /// The whole command in the file.
    pub span: Span,
    pub pipe: Option<Pipe>,
    pub nesting: Option<Nesting>,
}

/// A word of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Where the word is written in the file.
    pub span: Span,
    /// The word as written in the script.
    pub raw: String,
    /// Its value: quotes removed and known variables substituted. `None` when it depends on
    /// something the file does not say (an unknown variable, a `$( )`, a `${{ }}`).
    pub value: Option<String>,
    /// Where the variables it used were set.
    pub notes: Vec<Note>,
}

impl Word {
    /// The value, when known.
    pub fn text(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// True when the value is known and equals `text`.
    pub fn is(&self, text: &str) -> bool {
        self.text() == Some(text)
    }
}

/// `NAME=value` before a command name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub value: Word,
}

/// A redirection of a command: `> file`, `< file`, `<<< word`, `2>&1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// `>`, `>>`, `<`, `<<<`, `>&` …, with its file descriptor when one is written (`2>`).
    pub operator: String,
    pub target: Option<Word>,
}

/// A command's place in a pipeline (`a | b | c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pipe {
    /// Which pipeline of the script (numbered in source order).
    pub pipeline: usize,
    /// 0 for the first stage.
    pub stage: usize,
    /// The `|` (or `|&`) before this stage.
    pub operator: Option<Span>,
}

/// Where a command runs inside another: in a `$( )` or `<( )` of one of its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nesting {
    /// Index of the command in [`ShellScript::commands`].
    pub parent: usize,
    pub place: Place,
    /// The `$( … )`, `` `…` `` or `<( … )` in the file.
    pub substitution: Span,
    pub kind: Substitution,
}

/// Which part of the parent command holds the substitution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The command name.
    Name,
    /// The word that begins at this index of [`Command::words`].
    Argument(usize),
    /// This index of [`Command::redirects`].
    Redirect(usize),
    /// A `NAME=value` prefix.
    Assignment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Substitution {
    /// `$( … )` or `` `…` ``: the output becomes text.
    Command,
    /// `<( … )` or `>( … )`: the output is a file name.
    Process,
}

/// Parse every POSIX script of `document` (with a `filter`, only those it admits). Scripts in
/// other dialects are left out (the rules that read scripts say so in a notification).
pub fn analyze(document: &Document, filter: Option<&ScriptFilter>) -> Vec<ShellScript> {
    let source = document.source.text();
    let mut scripts: Vec<ShellScript> = document
        .scripts
        .iter()
        .enumerate()
        .filter(|(_, script)| script.dialect.is_posix())
        .filter_map(|(index, script)| {
            let variables = variables::of_script(document, script);
            if filter.is_some_and(|filter| !filter.admits(script.text.as_str(), &variables)) {
                return None;
            }
            let (commands, complete) = syntax::parse(&script.text, source, &variables);
            Some(ShellScript {
                script: Some(index),
                commands,
                complete,
            })
        })
        .collect();
    if let Syntax::Dockerfile(dockerfile) = &document.syntax {
        scripts.extend(exec_commands(dockerfile, source));
    }
    scripts
}

/// Exec-form `RUN`s that run a program directly: one command each, its words as the program
/// receives them (no shell, so no variable expansion).
fn exec_commands<'a>(
    dockerfile: &'a Dockerfile,
    source: &'a str,
) -> impl Iterator<Item = ShellScript> + 'a {
    dockerfile
        .instructions
        .iter()
        .filter_map(move |instruction| {
            let Args::Exec(words) = &instruction.args else {
                return None;
            };
            let argv: Vec<&str> = words.iter().map(|word| word.text.as_str()).collect();
            if instruction.keyword.as_str() != "RUN"
                || instruction.stage.is_none()
                || argv.is_empty()
                || posix_command_string(&argv).is_some()
            {
                return None;
            }
            let words = words
                .iter()
                .map(|word| Word {
                    span: word.span,
                    raw: source
                        .get(word.span.start..word.span.end)
                        .unwrap_or("")
                        .to_owned(),
                    value: Some(word.text.clone()),
                    notes: Vec::new(),
                })
                .collect();
            let command = Command {
                words,
                assignments: Vec::new(),
                redirects: Vec::new(),
                span: instruction.span,
                pipe: None,
                nesting: None,
            };
            Some(ShellScript {
                script: None,
                commands: vec![command],
                complete: true,
            })
        })
}
