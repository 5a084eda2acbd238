//! Shell scripts found in scanned files (Dockerfile `RUN`, workflow and composite-action `run:`),
//! each with a map back to the file, the shell that runs it, and where it came from; plus the
//! decision which interpreters are POSIX shells that the shell analysis can read.

use crate::model::mapped_text::MappedText;

/// One script: its text as the interpreter receives it (continuations, YAML indentation and
/// JSON escapes removed), mapped back to the file's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    pub text: MappedText,
    pub dialect: ShellDialect,
    pub origin: ScriptOrigin,
}

/// What runs a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellDialect {
    /// A shell of the POSIX family, read by the shell analysis.
    Posix(PosixShell),
    /// Not analysed. The string names what runs the text as the notification should quote it:
    /// the interpreter (`pwsh`, `cmd`, `python3`, `perl`), or the command line when a shell
    /// receives the text as an argument rather than as its script.
    Skipped(String),
}

/// A POSIX-family shell. `zsh` and `ksh` extend POSIX sh much like bash does; a bash parser
/// reads their everyday scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PosixShell {
    Sh,
    Bash,
    Dash,
    Ash,
    Ksh,
    Zsh,
}

/// Where a script was written. Indexes refer to the parsed document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptOrigin {
    /// A Dockerfile `RUN`: its shell-form text (with its heredocs re-attached when the command
    /// is more than one heredoc marker), or the `-c` argument of an exec form that runs a shell.
    DockerfileRun { instruction: usize },
    /// The body of a `RUN` heredoc that is itself the script (`RUN <<EOF`), or that a shell or
    /// interpreter reads from standard input (`RUN bash <<EOF`). `heredoc` indexes the
    /// instruction's heredocs.
    DockerfileHeredoc { instruction: usize, heredoc: usize },
    /// A workflow step's `run:`.
    WorkflowRun { job: String, step: usize },
    /// A composite action's `runs.steps[step].run`.
    ActionRun { step: usize },
}

impl ShellDialect {
    pub fn is_posix(&self) -> bool {
        matches!(self, Self::Posix(_))
    }

    /// Classify an interpreter by name: a path and a Windows `.exe` suffix are ignored
    /// (`/bin/bash`, `C:\Program Files\Git\bin\bash.exe`), case-insensitively.
    pub fn of_program(program: &str) -> Self {
        let name = program_name(program);
        match posix_shell(&name) {
            Some(shell) => Self::Posix(shell),
            None => Self::Skipped(name),
        }
    }

    /// The dialect of a command line split into words, e.g. a `SHELL` instruction's JSON array
    /// or a `#!` line: its program, looking through `env` (`/usr/bin/env -S bash -e`) and
    /// `busybox sh`.
    pub fn of_argv(argv: &[&str]) -> Self {
        match program_index(argv).and_then(|index| argv.get(index)) {
            Some(program) => Self::of_program(program),
            None => Self::Skipped(argv.join(" ")),
        }
    }

    /// The shell of a GitHub Actions `run:` step from its effective `shell:` (the step's, else
    /// the job's `defaults.run.shell`, else the workflow's; `None` when none is set), following
    /// <https://docs.github.com/actions/reference/workflow-syntax-for-github-actions#jobsjob_idstepsshell>:
    ///
    /// - unset: `bash -e {0}` (falling back to `sh`) except on Windows runners, where it is
    ///   `pwsh`; `windows` says whether the job's `runs-on` names a Windows runner.
    /// - `bash` (`bash --noprofile --norc -eo pipefail {0}`, Git Bash on Windows) and `sh`
    ///   (`sh -e {0}`) are POSIX; `pwsh`, `powershell`, `cmd` and `python` are not.
    /// - a custom shell, `command [options] {0} [more options]`: its first word decides
    ///   (`perl {0}` is skipped, `/bin/bash -l {0}` is bash).
    /// - an expression (`${{ matrix.shell }}`) cannot be known before the run: skipped.
    pub fn of_github_shell(shell: Option<&str>, windows: bool) -> Self {
        let Some(shell) = shell.map(str::trim) else {
            return if windows {
                Self::Skipped("pwsh".to_owned())
            } else {
                Self::Posix(PosixShell::Bash)
            };
        };
        if shell.contains("${{") {
            return Self::Skipped(shell.to_owned());
        }
        let words: Vec<&str> = shell.split_whitespace().collect();
        if words.is_empty() {
            // NOTE: GitHub rejects an empty `shell:`; nothing is known about what would run.
            return Self::Skipped(String::new());
        }
        Self::of_argv(&words)
    }
}

/// The lowercase file name of a program without a Windows `.exe`.
fn program_name(program: &str) -> String {
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let lower = name.to_ascii_lowercase();
    match lower.strip_suffix(".exe") {
        Some(stem) => stem.to_owned(),
        None => lower,
    }
}

fn posix_shell(name: &str) -> Option<PosixShell> {
    Some(match name {
        "sh" => PosixShell::Sh,
        "bash" => PosixShell::Bash,
        "dash" => PosixShell::Dash,
        "ash" => PosixShell::Ash,
        "ksh" | "ksh93" | "mksh" | "pdksh" | "oksh" => PosixShell::Ksh,
        "zsh" => PosixShell::Zsh,
        _ => return None,
    })
}

/// The index of the program an argv runs: argv[0], or what `env [options] [NAME=value]…` and
/// `busybox` run. `None` when nothing is left to run.
fn program_index(argv: &[&str]) -> Option<usize> {
    let mut index = 0;
    loop {
        let word = argv.get(index)?;
        match program_name(word).as_str() {
            "env" => index = after_env_options(argv, index + 1),
            "busybox" => index += 1,
            _ => return Some(index),
        }
    }
}

/// The first index after `env`'s options and `NAME=value` assignments.
fn after_env_options(argv: &[&str], mut index: usize) -> usize {
    while let Some(word) = argv.get(index) {
        match *word {
            "--" => return index + 1,
            // Options that take the next word as their value.
            "-u" | "--unset" | "-C" | "--chdir" => index += 2,
            _ if word.starts_with('-') && word.len() > 1 => index += 1,
            _ if word.contains('=') => index += 1,
            _ => return index,
        }
    }
    index
}

/// For an argv that runs a POSIX shell, the index of the command string it runs with `-c`
/// (POSIX `sh -c [options] command_string [name [argument…]]`: the first operand after all
/// options). `None` when the program is not a POSIX shell or no `-c` is given (the shell then
/// reads a script file or standard input).
///
/// `-o name` / `+o name` and bash's `-O name` / `+O name` take the next word; bash's
/// `--rcfile file` and `--init-file file` too; `--` ends the options.
pub fn posix_command_string(argv: &[&str]) -> Option<usize> {
    let program = program_index(argv)?;
    if !ShellDialect::of_program(argv.get(program)?).is_posix() {
        return None;
    }
    let mut has_command = false;
    let mut index = program + 1;
    while let Some(word) = argv.get(index) {
        index += 1;
        if *word == "--" {
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            if matches!(long, "rcfile" | "init-file") {
                index += 1;
            }
            continue;
        }
        let Some(cluster) = word
            .strip_prefix(['-', '+'])
            .filter(|rest| !rest.is_empty())
        else {
            // The first operand.
            index -= 1;
            break;
        };
        // Each of `o`/`O` in a cluster consumes one following word.
        index += cluster.chars().filter(|c| matches!(c, 'o' | 'O')).count();
        has_command |= word.starts_with('-') && cluster.contains('c');
    }
    (has_command && index < argv.len()).then_some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posix(shell: PosixShell) -> ShellDialect {
        ShellDialect::Posix(shell)
    }

    fn skipped(name: &str) -> ShellDialect {
        ShellDialect::Skipped(name.to_owned())
    }

    #[test]
    fn github_shells() {
        let cases = [
            // (shell:, windows runner, dialect)
            (None, false, posix(PosixShell::Bash)), // unset: bash -e {0}
            (None, true, skipped("pwsh")),          // unset on Windows: pwsh
            (Some("bash"), false, posix(PosixShell::Bash)),
            (Some("bash"), true, posix(PosixShell::Bash)), // Git Bash
            (Some("sh"), false, posix(PosixShell::Sh)),
            (Some("  sh  "), false, posix(PosixShell::Sh)),
            (Some("bash -e {0}"), false, posix(PosixShell::Bash)),
            (
                Some("bash --noprofile --norc -eo pipefail {0}"),
                false,
                posix(PosixShell::Bash),
            ),
            (Some("/bin/bash -l {0}"), false, posix(PosixShell::Bash)),
            (Some("/bin/bash -lc {0}"), false, posix(PosixShell::Bash)),
            (Some("sh -e {0}"), false, posix(PosixShell::Sh)),
            (Some("pwsh -command \". '{0}'\""), false, skipped("pwsh")),
            (Some("python {0}"), false, skipped("python")),
            (
                Some("/usr/bin/env bash {0}"),
                false,
                posix(PosixShell::Bash),
            ),
            (Some("zsh {0}"), false, posix(PosixShell::Zsh)),
            (Some("pwsh"), false, skipped("pwsh")),
            (Some("powershell"), true, skipped("powershell")),
            (Some("cmd"), true, skipped("cmd")),
            (Some("python"), false, skipped("python")),
            (Some("perl {0}"), false, skipped("perl")),
            (Some("node {0}"), false, skipped("node")),
            (Some("fish {0}"), false, skipped("fish")),
            (Some("Bash"), false, posix(PosixShell::Bash)),
            (
                Some("C:\\Program Files\\Git\\bin\\bash.exe {0}"),
                true,
                // The first whitespace word is the (broken) path `C:\Program`.
                skipped("program"),
            ),
            (
                Some("${{ matrix.shell }}"),
                false,
                skipped("${{ matrix.shell }}"),
            ),
            (Some(""), false, skipped("")),
        ];
        for (shell, windows, expected) in cases {
            assert_eq!(
                ShellDialect::of_github_shell(shell, windows),
                expected,
                "shell {shell:?} windows {windows}"
            );
        }
    }

    #[test]
    fn programs() {
        let cases = [
            ("sh", posix(PosixShell::Sh)),
            ("/bin/sh", posix(PosixShell::Sh)),
            ("/bin/bash", posix(PosixShell::Bash)),
            ("/usr/local/bin/bash", posix(PosixShell::Bash)),
            ("dash", posix(PosixShell::Dash)),
            ("ash", posix(PosixShell::Ash)),
            ("mksh", posix(PosixShell::Ksh)),
            ("bash.exe", posix(PosixShell::Bash)),
            ("C:\\Git\\bin\\BASH.EXE", posix(PosixShell::Bash)),
            ("pwsh", skipped("pwsh")),
            ("powershell.exe", skipped("powershell")),
            ("cmd", skipped("cmd")),
            ("python3", skipped("python3")),
            ("", skipped("")),
        ];
        for (program, expected) in cases {
            assert_eq!(ShellDialect::of_program(program), expected, "{program:?}");
        }
    }

    #[test]
    fn argv_programs() {
        let cases: &[(&[&str], ShellDialect)] = &[
            (&["/bin/sh", "-c"], posix(PosixShell::Sh)),
            (&["/usr/bin/env", "bash"], posix(PosixShell::Bash)),
            (
                &["/usr/bin/env", "-S", "bash", "-e"],
                posix(PosixShell::Bash),
            ),
            (&["env", "-i", "A=1", "sh", "-c"], posix(PosixShell::Sh)),
            (&["env", "-u", "X", "python3"], skipped("python3")),
            (&["/usr/bin/env", "python3"], skipped("python3")),
            (&["busybox", "sh", "-c"], posix(PosixShell::Sh)),
            (&["pwsh", "-Command"], skipped("pwsh")),
            (&["cmd", "/S", "/C"], skipped("cmd")),
            (&["env"], skipped("env")),
            (&[], skipped("")),
        ];
        for (argv, expected) in cases {
            assert_eq!(&ShellDialect::of_argv(argv), expected, "{argv:?}");
        }
    }

    #[test]
    fn command_strings() {
        let cases: &[(&[&str], Option<usize>)] = &[
            (&["sh", "-c", "echo"], Some(2)),
            (&["/bin/bash", "-lc", "echo"], Some(2)),
            (&["bash", "-euxo", "pipefail", "-c", "echo"], Some(4)),
            (
                &["bash", "-o", "pipefail", "-c", "echo", "name", "arg"],
                Some(4),
            ),
            (&["bash", "-c", "-e", "echo"], Some(3)),
            (&["bash", "--noprofile", "--norc", "-c", "echo"], Some(4)),
            (&["bash", "--rcfile", "x", "-c", "echo"], Some(4)),
            (&["bash", "-O", "extglob", "-c", "echo"], Some(4)),
            (&["sh", "-c", "--", "echo"], Some(3)),
            (&["/usr/bin/env", "bash", "-c", "echo"], Some(3)),
            // `+c` does not turn -c on.
            (&["sh", "+c", "echo"], None),
            // no -c: a script file
            (&["bash", "script.sh"], None),
            (&["bash", "-e", "script.sh"], None),
            // -c with nothing to run
            (&["sh", "-c"], None),
            // not a shell
            (&["python3", "-c", "print()"], None),
            (&["cmd", "/c", "echo"], None),
            (&[], None),
        ];
        for (argv, expected) in cases {
            assert_eq!(posix_command_string(argv), *expected, "{argv:?}");
        }
    }
}
