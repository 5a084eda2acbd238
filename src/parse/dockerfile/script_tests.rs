#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use super::*;
use crate::model::script::PosixShell;
use crate::parse::dockerfile::parse;

fn scripts_of(text: &str) -> (Arc<SourceFile>, Vec<Script>, Vec<Notice>) {
    let source = Arc::new(SourceFile::new("Dockerfile", text));
    let parsed = parse(&source);
    let (scripts, notices) = scripts(&parsed.dockerfile, &source);
    (source, scripts, notices)
}

const SH: ShellDialect = ShellDialect::Posix(PosixShell::Sh);
const BASH: ShellDialect = ShellDialect::Posix(PosixShell::Bash);

fn skipped(name: &str) -> ShellDialect {
    ShellDialect::Skipped(name.to_owned())
}

fn run(instruction: usize) -> ScriptOrigin {
    ScriptOrigin::DockerfileRun { instruction }
}

fn heredoc(instruction: usize, heredoc: usize) -> ScriptOrigin {
    ScriptOrigin::DockerfileHeredoc {
        instruction,
        heredoc,
    }
}

/// One case: a Dockerfile and the scripts it must yield, each with words of its text and the
/// original bytes each word maps to.
struct Case {
    name: &'static str,
    dockerfile: &'static str,
    scripts: Vec<Expected>,
}

struct Expected {
    text: &'static str,
    dialect: ShellDialect,
    origin: ScriptOrigin,
    words: &'static [(&'static str, &'static str)],
}

fn expect(
    text: &'static str,
    dialect: ShellDialect,
    origin: ScriptOrigin,
    words: &'static [(&'static str, &'static str)],
) -> Expected {
    Expected {
        text,
        dialect,
        origin,
        words,
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "shell form",
            dockerfile: "FROM alpine\nRUN apk add curl\n",
            scripts: vec![expect("apk add curl", SH, run(1), &[("curl", "curl")])],
        },
        Case {
            name: "flags are not part of the script",
            dockerfile: "FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n",
            scripts: vec![expect(
                "apk add curl",
                SH,
                run(1),
                &[("apk add", "apk add")],
            )],
        },
        Case {
            name: "continuations",
            dockerfile: "FROM debian\nRUN apt-get update && \\\n    apt-get install -y \\\n      curl\n",
            scripts: vec![expect(
                "apt-get update &&     apt-get install -y       curl",
                SH,
                run(1),
                &[
                    ("curl", "curl"),
                    ("install -y", "install -y"),
                    ("&&     apt-get", "&& \\\n    apt-get"),
                ],
            )],
        },
        Case {
            name: "comment and blank lines inside continuations",
            dockerfile: "FROM debian\nRUN a \\\n# a comment\n\n  b \\\n    # indented comment\n  c\n",
            scripts: vec![expect(
                "a   b   c",
                SH,
                run(1),
                &[
                    ("b", "b"),
                    ("c", "c"),
                    ("a   b", "a \\\n# a comment\n\n  b"),
                ],
            )],
        },
        Case {
            name: "CRLF continuations",
            dockerfile: "FROM x\r\nRUN a \\\r\n  pip install flask\r\n",
            scripts: vec![expect(
                "a   pip install flask",
                SH,
                run(1),
                &[("flask", "flask"), ("a   pip", "a \\\r\n  pip")],
            )],
        },
        Case {
            name: "escape directive",
            dockerfile: "# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo hi\n",
            scripts: vec![expect(
                "dir c:\\   && echo hi",
                SH,
                run(1),
                &[("echo hi", "echo hi"), ("c:\\", "c:\\")],
            )],
        },
        Case {
            name: "BOM",
            dockerfile: "\u{feff}FROM x\nRUN apk add curl\n",
            scripts: vec![expect("apk add curl", SH, run(1), &[("curl", "curl")])],
        },
        Case {
            name: "exec form sh -c",
            dockerfile: "FROM x\nRUN [\"sh\", \"-c\", \"apk add curl\"]\n",
            scripts: vec![expect("apk add curl", SH, run(1), &[("curl", "curl")])],
        },
        Case {
            name: "exec form bash -lc with JSON escapes",
            dockerfile: "FROM x\nRUN [\"/bin/bash\", \"-lc\", \"echo \\\"hi\\\" && pip install a\\tb\"]\n",
            scripts: vec![expect(
                "echo \"hi\" && pip install a\tb",
                BASH,
                run(1),
                &[("\"hi\"", "\\\"hi\\\""), ("\t", "\\t"), ("pip", "pip")],
            )],
        },
        Case {
            name: "exec form bash -euxo pipefail -c",
            dockerfile: "FROM x\nRUN [\"bash\",\"-euxo\",\"pipefail\",\"-c\",\"npm i left-pad\"]\n",
            scripts: vec![expect(
                "npm i left-pad",
                BASH,
                run(1),
                &[("left-pad", "left-pad")],
            )],
        },
        Case {
            name: "exec form unicode escapes",
            dockerfile: "FROM x\nRUN [\"sh\", \"-c\", \"echo \\u00e9\\ud83d\\ude00 ok\"]\n",
            scripts: vec![expect(
                "echo é😀 ok",
                SH,
                run(1),
                &[("é", "\\u00e9"), ("😀", "\\ud83d\\ude00"), ("ok", "ok")],
            )],
        },
        Case {
            name: "exec form with a continuation inside the string",
            dockerfile: "FROM x\nRUN [\"sh\", \"-c\", \"a && \\\n# note\n  b\"]\n",
            scripts: vec![expect("a &&   b", SH, run(1), &[("b", "b"), ("a", "a")])],
        },
        Case {
            name: "exec form that runs no shell",
            dockerfile: "FROM x\nRUN [\"apt-get\", \"install\", \"curl\"]\nRUN [\"python3\", \"-c\", \"print()\"]\n",
            scripts: vec![],
        },
        Case {
            name: "heredoc is the script",
            dockerfile: "FROM x\nRUN <<EOF\napk add curl\npip install flask\nEOF\n",
            scripts: vec![expect(
                "apk add curl\npip install flask\n",
                SH,
                heredoc(1, 0),
                &[("flask", "flask"), ("curl\npip", "curl\npip")],
            )],
        },
        Case {
            name: "heredoc with tabs stripped",
            dockerfile: "FROM x\nRUN <<-EOF\n\tapk add curl\n\t\tpip install flask\n\tEOF\n",
            scripts: vec![expect(
                "apk add curl\npip install flask\n",
                SH,
                heredoc(1, 0),
                &[("apk", "apk"), ("curl\npip", "curl\n\t\tpip")],
            )],
        },
        Case {
            name: "heredoc with a python shebang",
            dockerfile: "FROM x\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n",
            scripts: vec![expect(
                "#!/usr/bin/env python3\nprint(1)\n",
                skipped("python3"),
                heredoc(1, 0),
                &[("print", "print")],
            )],
        },
        Case {
            name: "heredoc with a bash shebang",
            dockerfile: "FROM x\nSHELL [\"pwsh\", \"-c\"]\nRUN <<EOF\n#!/bin/bash -e\nnpm i x\nEOF\n",
            scripts: vec![expect(
                "#!/bin/bash -e\nnpm i x\n",
                BASH,
                heredoc(2, 0),
                &[("x", "x")],
            )],
        },
        Case {
            name: "heredoc with CRLF",
            dockerfile: "FROM x\r\nRUN <<EOF\r\napk add curl\r\nEOF\r\n",
            scripts: vec![expect(
                "apk add curl\r\n",
                SH,
                heredoc(1, 0),
                &[("curl", "curl")],
            )],
        },
        Case {
            name: "heredoc written to a file is data",
            dockerfile: "FROM x\nRUN cat <<EOF > /etc/x && apk add y\nhello\nEOF\n",
            scripts: vec![expect(
                "cat <<EOF > /etc/x && apk add y\nhello\nEOF",
                SH,
                run(1),
                &[("hello", "hello"), ("y\nhello\nEOF", "y\nhello\nEOF")],
            )],
        },
        Case {
            name: "heredoc on a shell's standard input",
            dockerfile: "FROM x\nRUN bash <<EOF\npip install flask\nEOF\n",
            scripts: vec![
                expect(
                    "bash <<EOF\npip install flask\nEOF",
                    SH,
                    run(1),
                    &[("flask", "flask")],
                ),
                expect(
                    "pip install flask\n",
                    BASH,
                    heredoc(1, 0),
                    &[("flask", "flask")],
                ),
            ],
        },
        Case {
            name: "heredoc marker first, then the shell (BuildKit's documented form)",
            dockerfile: "FROM x\nRUN <<EOT sh -e\n  apk add git\nEOT\n",
            scripts: vec![
                expect(
                    "<<EOT sh -e\n  apk add git\nEOT",
                    SH,
                    run(1),
                    &[("git", "git")],
                ),
                expect("  apk add git\n", SH, heredoc(1, 0), &[("git", "git")]),
            ],
        },
        Case {
            name: "heredoc on python's standard input",
            dockerfile: "FROM x\nRUN python3 <<EOF\nimport os\nEOF\n",
            scripts: vec![
                expect("python3 <<EOF\nimport os\nEOF", SH, run(1), &[]),
                expect("import os\n", skipped("python3"), heredoc(1, 0), &[]),
            ],
        },
        Case {
            name: "heredoc feeding sh -c is stdin, not the script",
            dockerfile: "FROM x\nRUN sh -c 'cat' <<EOF\nx\nEOF\n",
            scripts: vec![expect("sh -c 'cat' <<EOF\nx\nEOF", SH, run(1), &[])],
        },
        Case {
            name: "two heredocs",
            dockerfile: "FROM x\nRUN <<A cat - <<-B\nfirst\nA\n\tsecond\n\tB\n",
            scripts: vec![expect(
                // BuildKit appends the delimiter's name, not its line: no tab before `B`.
                "<<A cat - <<-B\nfirst\nA\n\tsecond\nB",
                SH,
                run(1),
                &[
                    ("first", "first"),
                    ("second", "second"),
                    ("A\n\tsecond", "A\n\tsecond"),
                    ("\nB", "\n\tB"),
                ],
            )],
        },
        Case {
            name: "unterminated heredoc: the text stops after the body",
            dockerfile: "FROM x\nRUN cat <<EOF\nabc\n",
            scripts: vec![expect("cat <<EOF\nabc\n", SH, run(1), &[("abc", "abc")])],
        },
        Case {
            name: "SHELL bash -o pipefail -c",
            dockerfile: "FROM x\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl x | sh\n",
            scripts: vec![expect("curl x | sh", BASH, run(2), &[("| sh", "| sh")])],
        },
        Case {
            name: "SHELL pwsh",
            dockerfile: "FROM x\nSHELL [\"pwsh\", \"-Command\"]\nRUN Install-Module X\nRUN echo\n",
            scripts: vec![
                expect("Install-Module X", skipped("pwsh"), run(2), &[]),
                expect("echo", skipped("pwsh"), run(3), &[]),
            ],
        },
        Case {
            name: "SHELL cmd",
            dockerfile: "FROM x\nSHELL [\"cmd\", \"/S\", \"/C\"]\nRUN dir\n",
            scripts: vec![expect("dir", skipped("cmd"), run(2), &[])],
        },
        Case {
            name: "SHELL without -c runs the text as a file name",
            dockerfile: "FROM x\nSHELL [\"/bin/bash\"]\nRUN echo\n",
            scripts: vec![expect("echo", skipped("/bin/bash"), run(2), &[])],
        },
        Case {
            name: "SHELL whose -c runs its own command",
            dockerfile: "FROM x\nSHELL [\"bash\", \"-c\", \"exec $0\"]\nRUN echo\n",
            scripts: vec![expect("echo", skipped("bash -c exec $0"), run(2), &[])],
        },
        Case {
            name: "SHELL in shell form is ignored",
            dockerfile: "FROM x\nSHELL pwsh -c\nRUN echo\n",
            scripts: vec![expect("echo", SH, run(2), &[])],
        },
        Case {
            name: "SHELL is inherited from a base stage, not from the previous stage",
            dockerfile: "FROM a AS one\nRUN p\nSHELL [\"/bin/bash\", \"-c\"]\nFROM one AS two\nRUN q\nFROM alpine\nRUN r\n",
            scripts: vec![
                expect("p", SH, run(1), &[]),
                expect("q", BASH, run(4), &[]),
                expect("r", SH, run(6), &[]),
            ],
        },
        Case {
            name: "a stage inherits its base's final SHELL",
            dockerfile: "FROM a AS one\nRUN p\nSHELL [\"pwsh\", \"-c\"]\nFROM one\nRUN q\n",
            scripts: vec![
                expect("p", SH, run(1), &[]),
                expect("q", skipped("pwsh"), run(4), &[]),
            ],
        },
        Case {
            name: "nothing before FROM, in ONBUILD, or empty",
            dockerfile: "RUN early\nFROM x\nONBUILD RUN later\nRUN\n",
            scripts: vec![],
        },
    ]
}

#[test]
fn dockerfile_scripts() {
    for case in cases() {
        let (source, scripts, _) = scripts_of(case.dockerfile);
        let got: Vec<(&str, &ShellDialect, &ScriptOrigin)> = scripts
            .iter()
            .map(|s| (s.text.as_str(), &s.dialect, &s.origin))
            .collect();
        let expected: Vec<(&str, &ShellDialect, &ScriptOrigin)> = case
            .scripts
            .iter()
            .map(|s| (s.text, &s.dialect, &s.origin))
            .collect();
        assert_eq!(got, expected, "{}", case.name);
        for (script, expected) in scripts.iter().zip(&case.scripts) {
            assert!(script.text.is_exact(), "{}: exact map", case.name);
            for (word, original) in expected.words {
                let start = script
                    .text
                    .as_str()
                    .find(word)
                    .unwrap_or_else(|| panic!("{}: {word:?} not in the script", case.name));
                let span = script
                    .text
                    .original_span(Span::new(start, start + word.len()));
                assert_eq!(
                    source.slice(span),
                    *original,
                    "{}: {word:?} at {span:?}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn word_spans_are_exact_offsets() {
    let text = "FROM debian\nRUN apt-get update \\\n # comment\n && apt-get install -y curl=7.88\n";
    let (_, scripts, _) = scripts_of(text);
    let script = scripts.first().expect("one script");
    let start = script.text.as_str().find("curl=7.88").expect("the word");
    let span = script.text.original_span(Span::new(start, start + 9));
    let expected = text.find("curl=7.88").expect("in the file");
    assert_eq!(span, Span::new(expected, expected + 9));
    // Line 4, column 24 (1-based), where an editor shows it.
    let source = SourceFile::new("Dockerfile", text);
    let position = source.position(span.start);
    assert_eq!((position.line, position.column), (4, 24));
}

#[test]
fn skipped_scripts_get_one_notice_per_cause() {
    let text = "FROM x\nSHELL [\"pwsh\", \"-Command\"]\nRUN a\nRUN b\nFROM y\nRUN <<EOF\n#!/usr/bin/python3\nprint()\nEOF\nRUN ruby <<EOF\nputs 1\nEOF\nSHELL [\"bash\"]\nRUN c\n";
    let (_, scripts, notices) = scripts_of(text);
    assert_eq!(scripts.len(), 6);
    let messages: Vec<&str> = notices.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "SHELL `pwsh` (line 2) is not a POSIX shell: 2 RUN scripts are not analysed",
            "heredoc `#!` interpreter `python3` (line 7) is not a POSIX shell: its script is \
             not analysed",
            "`ruby` reads the heredoc at line 10 and is not a POSIX shell: its script is not \
             analysed",
            "SHELL `bash` (line 13) does not run the RUN text as its `-c` command: 1 RUN \
             script is not analysed",
        ]
    );
    // POSIX scripts make no notice.
    let (_, _, notices) = scripts_of("FROM x\nRUN a\nRUN <<EOF\nb\nEOF\n");
    assert!(notices.is_empty());
}

#[test]
fn json_strings_that_do_not_decode_the_same_map_as_a_whole() {
    // The parser's value differs from what the text decodes to: the whole literal.
    let text = "\"a\\tb\"";
    let span = Span::new(1, 5);
    let mapped = json_string(text, span, '\\', "something else");
    assert!(!mapped.is_exact());
    assert_eq!(mapped.as_str(), "something else");
    assert_eq!(mapped.original_span(Span::new(0, 4)), span);
    // And the exact case for comparison.
    let mapped = json_string(text, span, '\\', "a\tb");
    assert!(mapped.is_exact());
    // The tab covers its whole escape.
    assert_eq!(mapped.original_span(Span::new(1, 2)), Span::new(2, 4));
}
