//! The shell scripts a Dockerfile's `RUN` instructions run, mapped back to the file, with the
//! shell that runs each, as BuildKit's `dispatchRun` (frontend/dockerfile/dockerfile2llb) builds
//! the command:
//!
//! - Shell form: the text after the flags, continuations and the comment lines inside them
//!   removed, run as `<SHELL…> "<text>"`.
//! - Exec form: only an array that runs a POSIX shell's command string (`["sh", "-c", "…"]`,
//!   `["/bin/bash", "-euxo", "pipefail", "-c", "…"]`) holds a script: that argument, mapped
//!   character by character to its JSON string literal (an escape maps to all its bytes).
//! - Heredocs. When the whole command is one heredoc marker (`RUN <<EOF`), BuildKit runs the
//!   body itself: as a file when it starts with `#!` (the `#!` line names the interpreter), else
//!   as the shell's command string (tabs stripped first for `<<-`). Otherwise BuildKit hands the
//!   shell the command line followed by `"\n" + body + delimiter` for each heredoc, a real shell
//!   heredoc: that whole text is the script. When that command is just an interpreter reading
//!   the heredoc on its standard input (`RUN bash <<EOF`, `RUN <<EOF sh -e`, `RUN python3 <<EOF`),
//!   the body is a script of its own as well, in that interpreter's dialect.
//! - `SHELL ["…"]` sets the shell for the rest of its stage. A stage built `FROM` an earlier
//!   stage inherits that stage's final shell (BuildKit clones the base stage's image config,
//!   `Config.Shell` included); a stage on an image starts with BuildKit's default `/bin/sh -c`.
//!   NOTE: an image's own `Shell` (set by the `SHELL` of the Dockerfile that built it, e.g. on
//!   Windows bases) cannot be known offline.
//!
//! Scripts run by something that is not a POSIX shell are returned with a
//! [`ShellDialect::Skipped`] dialect and one notice per cause. `ONBUILD RUN` (run by other
//! builds) and exec forms that run a program directly are not scripts.

use std::collections::BTreeMap;

use super::{Args, Dockerfile, Heredoc, Instruction, StageBase, Word};
use crate::model::location::Span;
use crate::model::mapped_text::MappedText;
use crate::model::script::{Script, ScriptOrigin, ShellDialect, posix_command_string};
use crate::model::source::SourceFile;
use crate::parse::Notice;

/// BuildKit's default shell on Linux (`defaultShell` in dockerfile2llb).
const DEFAULT_SHELL: &[&str] = &["/bin/sh", "-c"];

/// Every script the `RUN` instructions of `dockerfile` (parsed from `source`) run, in file
/// order, and a notice for each group of scripts that is not analysed.
pub fn scripts(dockerfile: &Dockerfile, source: &SourceFile) -> (Vec<Script>, Vec<Notice>) {
    let mut collector = Collector {
        source,
        escape: dockerfile.escape,
        scripts: Vec::new(),
        skipped: BTreeMap::new(),
    };
    // The shell of each stage so far (its final shell once the stage is over).
    let mut shells: Vec<Shell> = Vec::new();
    for (index, instruction) in dockerfile.instructions.iter().enumerate() {
        let Some(stage) = instruction.stage else {
            // Before the first `FROM`: BuildKit runs nothing here.
            continue;
        };
        match instruction.keyword.as_str() {
            "FROM" => {
                let inherited = match dockerfile.stages.get(stage).map(|s| &s.base) {
                    Some(StageBase::Stage(base)) => shells.get(*base).cloned(),
                    _ => None,
                };
                set(&mut shells, stage, inherited.unwrap_or_default());
            }
            "SHELL" => {
                // BuildKit requires the JSON form with at least one element; anything else is
                // a build error and changes nothing here.
                if let Args::Exec(words) = &instruction.args
                    && !words.is_empty()
                {
                    let shell = Shell {
                        argv: words.iter().map(|word| word.text.clone()).collect(),
                        set_by: Some(instruction.keyword_span),
                    };
                    set(&mut shells, stage, shell);
                }
            }
            "RUN" => {
                let shell = shells.get(stage).cloned().unwrap_or_default();
                collector.run(index, instruction, &shell);
            }
            _ => {}
        }
    }
    let notices = collector.notices();
    (collector.scripts, notices)
}

fn set(shells: &mut Vec<Shell>, stage: usize, shell: Shell) {
    if shells.len() <= stage {
        shells.resize_with(stage + 1, Shell::default);
    }
    if let Some(slot) = shells.get_mut(stage) {
        *slot = shell;
    }
}

/// The active `SHELL`.
#[derive(Clone, Debug)]
struct Shell {
    argv: Vec<String>,
    /// The `SHELL` keyword that set it; `None` for the default.
    set_by: Option<Span>,
}

impl Default for Shell {
    fn default() -> Self {
        Self {
            argv: DEFAULT_SHELL
                .iter()
                .map(|word| (*word).to_owned())
                .collect(),
            set_by: None,
        }
    }
}

impl Shell {
    /// The dialect a shell-form text runs in: the text is appended to the shell's argv, so it
    /// is the script only if it lands on the shell's `-c` command string.
    /// Also returns why a skipped dialect is skipped.
    fn dialect(&self) -> (ShellDialect, Skip) {
        let mut argv: Vec<&str> = self.argv.iter().map(String::as_str).collect();
        argv.push("");
        let dialect = ShellDialect::of_argv(&argv);
        if dialect.is_posix() && posix_command_string(&argv) != Some(self.argv.len()) {
            return (ShellDialect::Skipped(self.argv.join(" ")), Skip::NotCommand);
        }
        (dialect, Skip::Shell)
    }
}

/// What runs a group of skipped scripts (the notice's wording).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Skip {
    /// The stage's `SHELL` is not a POSIX shell.
    Shell,
    /// A POSIX `SHELL` that does not run the text as its `-c` command string.
    NotCommand,
    /// A heredoc's `#!` line names an interpreter that is not a POSIX shell.
    Shebang,
    /// An interpreter that is not a POSIX shell reads a heredoc on its standard input.
    Stdin,
}

struct Collector<'a> {
    source: &'a SourceFile,
    escape: char,
    scripts: Vec<Script>,
    /// (cause's offset, interpreter, why) to the number of scripts skipped for it.
    skipped: BTreeMap<(usize, String, Skip), usize>,
}

impl Collector<'_> {
    fn push(&mut self, script: Script, cause: usize, skip: Skip) {
        if let ShellDialect::Skipped(name) = &script.dialect {
            *self.skipped.entry((cause, name.clone(), skip)).or_default() += 1;
        }
        self.scripts.push(script);
    }

    fn notices(&self) -> Vec<Notice> {
        self.skipped
            .iter()
            .map(|((cause, name, skip), count)| {
                let line = self.source.position(*cause).line;
                let scripts = if *count == 1 {
                    "1 RUN script is".to_owned()
                } else {
                    format!("{count} RUN scripts are")
                };
                let message = match skip {
                    Skip::Shell => format!(
                        "SHELL `{name}` (line {line}) is not a POSIX shell: {scripts} not \
                         analysed"
                    ),
                    Skip::NotCommand => format!(
                        "SHELL `{name}` (line {line}) does not run the RUN text as its `-c` \
                         command: {scripts} not analysed"
                    ),
                    Skip::Shebang => format!(
                        "heredoc `#!` interpreter `{name}` (line {line}) is not a POSIX shell: \
                         its script is not analysed"
                    ),
                    Skip::Stdin => format!(
                        "`{name}` reads the heredoc at line {line} and is not a POSIX shell: \
                         its script is not analysed"
                    ),
                };
                Notice { message }
            })
            .collect()
    }

    fn run(&mut self, index: usize, instruction: &Instruction, shell: &Shell) {
        let origin = ScriptOrigin::DockerfileRun { instruction: index };
        let text = match &instruction.args {
            Args::Exec(words) => {
                self.exec(origin, words);
                return;
            }
            Args::Shell(text) => text,
        };
        if text.text.trim().is_empty() {
            return;
        }
        let (dialect, skip) = shell.dialect();
        let cause = shell.set_by.unwrap_or(instruction.keyword_span).start;
        let whole = text.original_span(Span::new(0, text.text.len()));
        let single = match instruction.heredocs.as_slice() {
            [only] if only.marker == whole => Some(only),
            _ => None,
        };
        if let Some(heredoc) = single {
            let body = self.body(heredoc);
            let origin = ScriptOrigin::DockerfileHeredoc {
                instruction: index,
                heredoc: 0,
            };
            let raw = self.source.slice(heredoc.body);
            match raw.strip_prefix("#!") {
                // A `#!` script is written to a file and executed: its own interpreter runs it.
                Some(interpreter) => {
                    let line = interpreter.lines().next().unwrap_or("");
                    let argv: Vec<&str> = line.split_whitespace().collect();
                    let dialect = ShellDialect::of_argv(&argv);
                    let script = Script {
                        text: body,
                        dialect,
                        origin,
                    };
                    self.push(script, heredoc.body.start, Skip::Shebang);
                }
                None => {
                    let script = Script {
                        text: body,
                        dialect,
                        origin,
                    };
                    self.push(script, cause, skip);
                }
            }
            return;
        }
        let mut full = text.to_mapped();
        for heredoc in &instruction.heredocs {
            if !self.attach(&mut full, heredoc) {
                break;
            }
        }
        self.push(
            Script {
                text: full,
                dialect,
                origin,
            },
            cause,
            skip,
        );
        if let Some((heredoc_index, dialect)) = stdin_interpreter(text, &instruction.heredocs) {
            let Some(heredoc) = instruction.heredocs.get(heredoc_index) else {
                return;
            };
            let script = Script {
                text: self.body(heredoc),
                dialect,
                origin: ScriptOrigin::DockerfileHeredoc {
                    instruction: index,
                    heredoc: heredoc_index,
                },
            };
            self.push(script, heredoc.marker.start, Skip::Stdin);
        }
    }

    /// The exec form: the command string of a POSIX shell, if it runs one.
    fn exec(&mut self, origin: ScriptOrigin, words: &[Word]) {
        let argv: Vec<&str> = words.iter().map(|word| word.text.as_str()).collect();
        let Some(word) = posix_command_string(&argv).and_then(|index| words.get(index)) else {
            return;
        };
        let script = Script {
            text: json_string(self.source.text(), word.span, self.escape, &word.text),
            dialect: ShellDialect::of_argv(&argv),
            origin,
        };
        self.scripts.push(script);
    }

    /// A heredoc's body as the program receives it: `<<-` strips leading tabs from each line.
    fn body(&self, heredoc: &Heredoc) -> MappedText {
        let raw = self.source.slice(heredoc.body);
        if !heredoc.strip_tabs {
            return MappedText::contiguous(raw, heredoc.body.start);
        }
        let mut text = MappedText::new(heredoc.body.start);
        let mut at = heredoc.body.start;
        for line in raw.split_inclusive('\n') {
            let kept = line.trim_start_matches('\t');
            text.push_str(kept, at + (line.len() - kept.len()));
            at += line.len();
        }
        text
    }

    /// Append `"\n" + body + delimiter` as BuildKit does for a command with heredocs; false
    /// when the heredoc has no line break before it or no delimiter line (it is unterminated:
    /// BuildKit refuses the file, and the text stops there).
    fn attach(&self, full: &mut MappedText, heredoc: &Heredoc) -> bool {
        let text = self.source.text();
        let Some(newline) = heredoc.body.start.checked_sub(1) else {
            return false;
        };
        if text.get(newline..heredoc.body.start) != Some("\n") {
            return false;
        }
        full.push_char('\n', newline);
        full.push_str(self.source.slice(heredoc.body), heredoc.body.start);
        let name = heredoc.delimiter.as_str();
        let Some(name_start) = heredoc.span.end.checked_sub(name.len()) else {
            return false;
        };
        let terminated = heredoc.span.end > heredoc.body.end && name_start >= heredoc.body.end;
        if !terminated || text.get(name_start..heredoc.span.end) != Some(name) {
            return false;
        }
        full.push_str(name, name_start);
        true
    }
}

/// When a command is only an interpreter and its options plus one heredoc marker
/// (`bash -e <<EOF`, `<<EOF sh`, `python3 <<EOF`), the heredoc is that interpreter's script on
/// standard input: its index and dialect. `cat <<EOF > file` and `sh -c "…" <<EOF` are not.
fn stdin_interpreter(
    text: &super::LogicalText,
    heredocs: &[Heredoc],
) -> Option<(usize, ShellDialect)> {
    let [heredoc] = heredocs else {
        return None;
    };
    let words = text.words();
    let mut argv: Vec<&str> = Vec::new();
    let mut markers = 0;
    for word in &words {
        if word.span == heredoc.marker {
            markers += 1;
        } else {
            argv.push(word.text.as_str());
        }
    }
    let (program, options) = argv.split_first()?;
    if markers != 1 || !options.iter().all(|option| option.starts_with('-')) {
        return None;
    }
    let dialect = ShellDialect::of_program(program);
    match &dialect {
        ShellDialect::Posix(_) if posix_command_string(&argv).is_none() => Some((0, dialect)),
        ShellDialect::Skipped(name) if is_interpreter(name) => Some((0, dialect)),
        _ => None,
    }
}

/// Interpreters that run a script read on standard input (not analysed, but worth a notice).
fn is_interpreter(name: &str) -> bool {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    matches!(
        base,
        "python" | "node" | "nodejs" | "perl" | "ruby" | "php" | "pwsh" | "powershell" | "lua"
    )
}

/// The decoded JSON string literal whose content is `span` in `text`, mapped character by
/// character (an escape maps to all its bytes), reading through line continuations (and the
/// comment and blank lines they skip) as the Dockerfile parser does. `expected` is the decoded
/// value the parser found; if this decoding differs, the literal is mapped as a whole.
fn json_string(text: &str, span: Span, escape: char, expected: &str) -> MappedText {
    match decode_json(text, span, escape) {
        Some(mapped) if mapped.as_str() == expected => mapped,
        _ => MappedText::opaque(expected, span),
    }
}

fn decode_json(text: &str, span: Span, escape: char) -> Option<MappedText> {
    let raw = text.get(span.start..span.end)?;
    let mut out = MappedText::new(span.start);
    let mut chars = raw.char_indices().peekable();
    while let Some((offset, ch)) = chars.next() {
        let at = span.start + offset;
        if ch == escape
            && let Some(resume) = continuation(raw, offset + ch.len_utf8())
        {
            while chars.peek().is_some_and(|(next, _)| *next < resume) {
                chars.next();
            }
            continue;
        }
        if ch != '\\' {
            out.push_char(ch, at);
            continue;
        }
        let (_, code) = chars.next()?;
        let escape_start = at;
        let decoded = match code {
            '"' | '\\' | '/' => code,
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let first = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&first) {
                    let mut lookahead = chars.clone();
                    let low = match (lookahead.next(), lookahead.next()) {
                        (Some((_, '\\')), Some((_, 'u'))) => hex4(&mut lookahead),
                        _ => None,
                    };
                    match low {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            chars = lookahead;
                            let combined = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                            char::from_u32(combined).unwrap_or('\u{FFFD}')
                        }
                        _ => '\u{FFFD}',
                    }
                } else {
                    char::from_u32(first).unwrap_or('\u{FFFD}')
                }
            }
            _ => return None,
        };
        let escape_end = chars.peek().map_or(span.end, |(next, _)| span.start + next);
        out.push_decoded(
            decoded.encode_utf8(&mut [0; 4]),
            Span::new(escape_start, escape_end),
        );
    }
    Some(out)
}

fn hex4(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<u32> {
    let mut value = 0;
    for _ in 0..4 {
        let (_, ch) = chars.next()?;
        value = value * 16 + ch.to_digit(16)?;
    }
    Some(value)
}

/// If an escape character ending at `after` in `raw` is a line continuation (only spaces and
/// tabs, then `\r`s, then `\n` follow), where the text resumes: after that line break and after
/// the comment and blank lines that follow it.
fn continuation(raw: &str, after: usize) -> Option<usize> {
    let rest = raw.get(after..)?;
    let trimmed = rest
        .trim_start_matches([' ', '\t'])
        .trim_start_matches('\r');
    let next = trimmed.strip_prefix('\n')?;
    let mut resume = raw.len() - next.len();
    loop {
        let line_rest = raw.get(resume..)?;
        let (line, has_break) = match line_rest.split_once('\n') {
            Some((line, _)) => (line, true),
            None => (line_rest, false),
        };
        let content = line.trim_end_matches('\r').trim_start();
        if !has_break || !(content.is_empty() || content.starts_with('#')) {
            return Some(resume);
        }
        resume += line.len() + 1;
    }
}

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;
