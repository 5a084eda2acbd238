//! Parser-level tables for the syntax: directives, comments, continuations, escapes, heredocs,
//! exec and shell forms, exact spans (BOM, CRLF, tabs), robustness on hostile input.
//! Stages, variables and images are in `stage_tests.rs`; hostile input in
//! `robustness_tests.rs`.

use super::*;

pub(super) fn parse_text(text: &str) -> (Arc<SourceFile>, ParsedDockerfile) {
    let source = Arc::new(SourceFile::new("Dockerfile", text));
    let parsed = parse(&source);
    (source, parsed)
}

pub(super) fn problem_messages(parsed: &ParsedDockerfile) -> Vec<String> {
    parsed.problems.iter().map(|p| p.message.clone()).collect()
}

/// 1-based (line, column) of a span's start.
pub(super) fn line_column(source: &SourceFile, span: Span) -> (usize, usize) {
    let position = source.position(span.start);
    (position.line, position.column)
}

pub(super) fn keywords(parsed: &ParsedDockerfile) -> Vec<&str> {
    parsed
        .dockerfile
        .instructions
        .iter()
        .map(|i| i.keyword.as_str())
        .collect()
}

pub(super) fn shell_text(instruction: &Instruction) -> Option<&str> {
    match &instruction.args {
        Args::Shell(text) => Some(text.text.as_str()),
        Args::Exec(_) => None,
    }
}

fn exec_words(instruction: &Instruction) -> Option<Vec<&str>> {
    match &instruction.args {
        Args::Exec(words) => Some(words.iter().map(|w| w.text.as_str()).collect()),
        Args::Shell(_) => None,
    }
}

/// (input, expected (name, value) directives, expected escape, expected problems)
type DirectiveCase<'a> = (&'a str, &'a [(&'a str, &'a str)], char, &'a [&'a str]);

/// (input, exec words if exec form, shell text otherwise, problems)
type FormCase<'a> = (
    &'a str,
    Option<&'a [&'a str]>,
    Option<&'a str>,
    &'a [&'a str],
);

#[test]
fn directives() {
    let cases: &[DirectiveCase<'_>] = &[
        // syntax directive
        (
            "# syntax=docker/dockerfile:1\nFROM a\n",
            &[("syntax", "docker/dockerfile:1")],
            '\\',
            &[],
        ),
        // escape directive switches to backtick
        ("# escape=`\nFROM a\n", &[("escape", "`")], '`', &[]),
        // case-insensitive name, spaces around `=`, leading whitespace
        ("  # ESCAPE = `  \nFROM a\n", &[("escape", "`")], '`', &[]),
        // check directive, several directives
        (
            "# syntax=x\n# check=skip=all\nFROM a\n",
            &[("syntax", "x"), ("check", "skip=all")],
            '\\',
            &[],
        ),
        // after an ordinary comment it is an ordinary comment
        ("# hello\n# escape=`\nFROM a\n", &[], '\\', &[]),
        // after a blank line too
        ("\n# escape=`\nFROM a\n", &[], '\\', &[]),
        // after an unknown directive too
        ("# foo=bar\n# escape=`\nFROM a\n", &[], '\\', &[]),
        // after an instruction it is a comment
        ("FROM a\n# escape=`\n", &[], '\\', &[]),
        // a repeated directive is an error
        (
            "# escape=`\n# escape=\\\nFROM a\n",
            &[("escape", "`")],
            '`',
            &["only one `escape` parser directive can be used"],
        ),
        // an invalid escape is an error
        (
            "# escape=x\nFROM a\n",
            &[],
            '\\',
            &["invalid escape token `x`: must be ` or \\"],
        ),
        // a BOM before the directive
        ("\u{feff}# escape=`\nFROM a\n", &[("escape", "`")], '`', &[]),
    ];
    for (input, directives, escape, problems) in cases {
        let (_, parsed) = parse_text(input);
        let got: Vec<(&str, &str)> = parsed
            .dockerfile
            .directives
            .iter()
            .map(|d| (d.name.as_str(), d.value.as_str()))
            .collect();
        assert_eq!(&got, directives, "input {input:?}");
        assert_eq!(parsed.dockerfile.escape, *escape, "input {input:?}");
        assert_eq!(problem_messages(&parsed), *problems, "input {input:?}");
    }
}

#[test]
fn directive_spans() {
    let (source, parsed) = parse_text("\u{feff}#  syntax = docker/dockerfile:1.7 \r\nFROM a\r\n");
    let directive = parsed.dockerfile.directives.first().expect("directive");
    assert_eq!(source.slice(directive.span), "docker/dockerfile:1.7");
    assert_eq!(line_column(&source, directive.span), (1, 13));
    assert_eq!(
        source.slice(directive.line_span),
        "#  syntax = docker/dockerfile:1.7 "
    );
    // The frontend is an image, spanned on the reference.
    let image = parsed.images.first().expect("syntax image");
    assert_eq!(image.written(), "docker/dockerfile:1.7");
    assert_eq!(
        image.value,
        ImageValue::Resolved("docker/dockerfile:1.7".to_owned())
    );
    assert_eq!(image.origin, Some(Origin::SyntaxDirective));
}

#[test]
fn only_the_syntax_directive_names_an_image() {
    // (input, images)
    let cases: &[(&str, &[&str])] = &[
        (
            "# syntax=docker/dockerfile:1\nFROM a\n",
            &["docker/dockerfile:1", "a"],
        ),
        ("# escape=`\n# check=skip=all\nFROM a\n", &["a"]),
        // not a directive once an instruction was seen
        ("FROM a\n# syntax=docker/dockerfile:1\n", &["a"]),
    ];
    for (input, expected) in cases {
        let (_, parsed) = parse_text(input);
        let written: Vec<&str> = parsed.images.iter().map(ImageUse::written).collect();
        assert_eq!(written, *expected, "{input:?}");
    }
}

#[test]
fn continuations_and_comments() {
    // (input, keywords, shell text of the last instruction)
    let cases: &[(&str, &[&str], &str)] = &[
        // comment and blank lines inside a continuation are skipped
        (
            "FROM a\nRUN apt-get update && \\\n# a comment\n    apt-get install -y \\\n\n   \t\n    curl\n",
            &["FROM", "RUN"],
            "apt-get update &&     apt-get install -y     curl",
        ),
        // joining removes only the escape and the newline
        (
            "FROM a\nRUN echo c\\\n# c\nd\n",
            &["FROM", "RUN"],
            "echo cd",
        ),
        // trailing whitespace after the escape still continues
        ("FROM a\nRUN a \\  \t\nb\n", &["FROM", "RUN"], "a b"),
        // an escaped escape does not continue
        (
            "FROM a\nRUN echo \\\\\nRUN b\n",
            &["FROM", "RUN", "RUN"],
            "b",
        ),
        // a comment line ending in `\` does not continue
        ("FROM a\n# x \\\nRUN b\n", &["FROM", "RUN"], "b"),
        // a `#` inside an instruction is an argument
        (
            "FROM a\nRUN echo # not a comment\n",
            &["FROM", "RUN"],
            "echo # not a comment",
        ),
        // a continuation at end of file
        ("FROM a\nRUN b \\\n", &["FROM", "RUN"], "b"),
        // lowercase keywords are uppercased; tabs separate
        ("from a\nrun\tb\n", &["FROM", "RUN"], "b"),
        // a line of only `\` continues into the next
        ("FROM a\n\\\nRUN b\n", &["FROM", "RUN"], "b"),
    ];
    for (input, expected_keywords, text) in cases {
        let (_, parsed) = parse_text(input);
        assert_eq!(keywords(&parsed), *expected_keywords, "input {input:?}");
        let last = parsed.dockerfile.instructions.last().expect("instructions");
        assert_eq!(shell_text(last), Some(*text), "input {input:?}");
    }
}

#[test]
fn backtick_escape_windows_style() {
    let input = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n    && echo done\nCOPY C:\\src\\ C:\\dst\\\n";
    let (source, parsed) = parse_text(input);
    assert_eq!(keywords(&parsed), ["FROM", "RUN", "COPY"]);
    let run = parsed.dockerfile.instructions.get(1).expect("RUN");
    assert_eq!(shell_text(run), Some("dir c:\\     && echo done"));
    assert_eq!(source.slice(run.span), "RUN dir c:\\ `\n    && echo done");
    // A trailing backslash is not a continuation under escape=`.
    let copy = parsed.dockerfile.instructions.get(2).expect("COPY");
    assert_eq!(shell_text(copy), Some("C:\\src\\ C:\\dst\\"));
    let image = parsed.images.first().expect("image");
    assert_eq!(
        image.value,
        ImageValue::Resolved("mcr.microsoft.com/windows/servercore:ltsc2022".to_owned())
    );
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
}

use crate::model::image::ImageValue;

/// (delimiter, strip_tabs, expand, body text, marker text)
type HeredocSummary = (String, bool, bool, String, String);

fn heredocs(source: &SourceFile, instruction: &Instruction) -> Vec<HeredocSummary> {
    instruction
        .heredocs
        .iter()
        .map(|h| {
            (
                h.delimiter.clone(),
                h.strip_tabs,
                h.expand,
                source.slice(h.body).to_owned(),
                source.slice(h.marker).to_owned(),
            )
        })
        .collect()
}

fn heredoc(name: &str, strip: bool, expand: bool, body: &str, marker: &str) -> HeredocSummary {
    (
        name.to_owned(),
        strip,
        expand,
        body.to_owned(),
        marker.to_owned(),
    )
}

#[test]
fn heredoc_cases() {
    // (input, index of the instruction, its heredocs, keywords of the file)
    let cases: Vec<(&str, usize, Vec<HeredocSummary>, &[&str])> = vec![
        // plain heredoc; the body is raw, comments included
        (
            "FROM a\nRUN <<EOF\napt-get update\n# kept\nEOF\nRUN next\n",
            1,
            vec![heredoc(
                "EOF",
                false,
                true,
                "apt-get update\n# kept\n",
                "<<EOF",
            )],
            &["FROM", "RUN", "RUN"],
        ),
        // <<- strips leading tabs before comparing the delimiter line
        (
            "FROM a\nRUN <<-EOF\n\techo hi\n\tEOF\n",
            1,
            vec![heredoc("EOF", true, true, "\techo hi\n", "<<-EOF")],
            &["FROM", "RUN"],
        ),
        // quoted delimiters disable expansion
        (
            "FROM a\nRUN <<\"EOF\"\necho $HOME\nEOF\nRUN <<'X'\nb\nX\n",
            2,
            vec![heredoc("X", false, false, "b\n", "<<'X'")],
            &["FROM", "RUN", "RUN"],
        ),
        // two heredocs on one line, bodies in order
        (
            "FROM a\nRUN <<A cat - <<B\na\nA\nb\nB\n",
            1,
            vec![
                heredoc("A", false, true, "a\n", "<<A"),
                heredoc("B", false, true, "b\n", "<<B"),
            ],
            &["FROM", "RUN"],
        ),
        // COPY heredoc with a destination
        (
            "FROM a\nCOPY <<EOF /etc/conf\nkey=value\nEOF\n",
            1,
            vec![heredoc("EOF", false, true, "key=value\n", "<<EOF")],
            &["FROM", "COPY"],
        ),
        // ONBUILD RUN carries heredocs too
        (
            "FROM a\nONBUILD RUN <<EOF\nx\nEOF\n",
            1,
            vec![heredoc("EOF", false, true, "x\n", "<<EOF")],
            &["FROM", "ONBUILD"],
        ),
        // the delimiter must be the whole line
        (
            "FROM a\nRUN <<EOF\nEOF \nEOFX\nEOF\n",
            1,
            vec![heredoc("EOF", false, true, "EOF \nEOFX\n", "<<EOF")],
            &["FROM", "RUN"],
        ),
        // JSON form has no heredocs
        (
            "FROM a\nRUN [\"cat\", \"<<EOF\"]\n",
            1,
            vec![],
            &["FROM", "RUN"],
        ),
        // `<<` must start a word: the next lines are instructions
        (
            "FROM a\nRUN cat<<EOF\nEOF\n",
            1,
            vec![],
            &["FROM", "RUN", "EOF"],
        ),
        // ENV cannot have heredocs
        ("FROM a\nENV A=<<EOF\n", 1, vec![], &["FROM", "ENV"]),
        // a heredoc marker on a continued line
        (
            "FROM a\nRUN \\\n  <<EOF cat\nx\nEOF\n",
            1,
            vec![heredoc("EOF", false, true, "x\n", "<<EOF")],
            &["FROM", "RUN"],
        ),
        // CRLF: the delimiter line matches without its `\r`
        (
            "FROM a\r\nRUN <<EOF\r\nx\r\nEOF\r\n",
            1,
            vec![heredoc("EOF", false, true, "x\r\n", "<<EOF")],
            &["FROM", "RUN"],
        ),
    ];
    for (input, index, expected, expected_keywords) in cases {
        let (source, parsed) = parse_text(input);
        assert_eq!(keywords(&parsed), expected_keywords, "input {input:?}");
        let instruction = parsed
            .dockerfile
            .instructions
            .get(index)
            .expect("instruction");
        assert_eq!(heredocs(&source, instruction), expected, "input {input:?}");
    }
}

#[test]
fn heredoc_spans_and_unterminated() {
    let input = "FROM a\nRUN <<EOF\nline\nEOF\n";
    let (source, parsed) = parse_text(input);
    let run = parsed.dockerfile.instructions.get(1).expect("RUN");
    assert_eq!(source.slice(run.span), "RUN <<EOF\nline\nEOF");
    let doc = run.heredocs.first().expect("heredoc");
    assert_eq!(source.slice(doc.span), "line\nEOF");

    // Unterminated: a problem at the marker, and the body runs to the end of the file.
    let input = "FROM a\nRUN python3 <<EOF\nprint(1)\n";
    let (source, parsed) = parse_text(input);
    assert_eq!(
        problem_messages(&parsed),
        ["unterminated heredoc `EOF`: no line `EOF` before end of file"]
    );
    let problem = parsed.problems.first().expect("problem");
    assert_eq!(source.slice(problem.span), "<<EOF");
    assert_eq!(line_column(&source, problem.span), (2, 13));
    let run = parsed.dockerfile.instructions.get(1).expect("RUN");
    let doc = run.heredocs.first().expect("heredoc");
    assert_eq!(source.slice(doc.body), "print(1)\n");
}

#[test]
fn exec_and_shell_forms() {
    let cases: &[FormCase<'_>] = &[
        // valid JSON array
        ("CMD [\"echo\", \"hi\"]", Some(&["echo", "hi"]), None, &[]),
        // JSON escapes are decoded
        (
            "ENTRYPOINT [\"a\\\"b\", \"\\u00e9\"]",
            Some(&["a\"b", "é"]),
            None,
            &[],
        ),
        // unterminated array: shell form, no problem
        (
            "CMD [\"echo\", \"hi\"",
            None,
            Some("[\"echo\", \"hi\""),
            &[],
        ),
        // single quotes are not JSON: shell form
        ("RUN ['a', 'b']", None, Some("['a', 'b']"), &[]),
        // trailing text after the array is ignored, as Go's decoder does
        (
            "CMD [\"echo\",\"hi\"] # c",
            Some(&["echo", "hi"]),
            None,
            &[],
        ),
        // an array of non-strings is a BuildKit error
        (
            "CMD [\"a\", 1]",
            None,
            Some("[\"a\", 1]"),
            &["when using JSON array syntax, arrays must be comprised of strings only"],
        ),
        // COPY exec form keeps spaces in paths
        (
            "COPY [\"a b\", \"/c d/\"]",
            Some(&["a b", "/c d/"]),
            None,
            &[],
        ),
        // flags before the JSON
        (
            "COPY --chown=1:1 [\"a\", \"/b\"]",
            Some(&["a", "/b"]),
            None,
            &[],
        ),
        // ENV has no exec form
        ("ENV X [\"a\"]", None, Some("X [\"a\"]"), &[]),
        // empty array
        ("CMD []", Some(&[]), None, &[]),
    ];
    for (line, exec, shell, problems) in cases {
        let input = format!("FROM a\n{line}\n");
        let (_, parsed) = parse_text(&input);
        let instruction = parsed.dockerfile.instructions.get(1).expect("instruction");
        assert_eq!(exec_words(instruction).as_deref(), *exec, "input {line:?}");
        assert_eq!(shell_text(instruction), *shell, "input {line:?}");
        assert_eq!(problem_messages(&parsed), *problems, "input {line:?}");
    }
}

#[test]
fn exec_word_spans_exclude_quotes() {
    let (source, parsed) = parse_text("FROM a\nCMD [\"sh\", \\\n  \"-c\"]\n");
    let cmd = parsed.dockerfile.instructions.get(1).expect("CMD");
    let Args::Exec(words) = &cmd.args else {
        panic!("expected exec form");
    };
    let texts: Vec<&str> = words.iter().map(|w| source.slice(w.span)).collect();
    assert_eq!(texts, ["sh", "-c"]);
    let second = words.get(1).expect("word");
    assert_eq!(line_column(&source, second.span), (3, 4));
}

#[test]
fn crlf_bom_and_tabs_exact_spans() {
    let input =
        "\u{feff}ARG TAG=1.0\r\nFROM\talpine:${TAG}\tAS\tbuild\r\nRUN echo a \\\r\n\t&& echo b\r\n";
    let (source, parsed) = parse_text(input);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);

    let image = parsed.images.first().expect("image");
    assert_eq!(image.written(), "alpine:${TAG}");
    assert_eq!(line_column(&source, image.location.span), (2, 6));
    assert_eq!(image.value, ImageValue::Resolved("alpine:1.0".to_owned()));
    let via = image.via.first().expect("via");
    assert_eq!(via.location.text(), "TAG=1.0");
    // The BOM does not count as a column.
    assert_eq!(line_column(&source, via.location.span), (1, 5));

    let stage = parsed.dockerfile.stages.first().expect("stage");
    let name_span = stage.name_span.expect("name span");
    assert_eq!(source.slice(name_span), "build");
    assert_eq!(line_column(&source, name_span), (2, 23));

    let arg = parsed.dockerfile.instructions.first().expect("ARG");
    assert_eq!(line_column(&source, arg.keyword_span), (1, 1));
    assert_eq!(source.slice(arg.span), "ARG TAG=1.0");

    let run = parsed.dockerfile.instructions.get(2).expect("RUN");
    assert_eq!(source.slice(run.keyword_span), "RUN");
    assert_eq!(source.slice(run.span), "RUN echo a \\\r\n\t&& echo b");
    assert_eq!(shell_text(run), Some("echo a \t&& echo b"));
    let Args::Shell(text) = &run.args else {
        panic!("expected shell form");
    };
    let words = text.words();
    let and = words.get(2).expect("&&");
    assert_eq!(and.text, "&&");
    assert_eq!(source.slice(and.span), "&&");
    assert_eq!(line_column(&source, and.span), (4, 2));
    // A logical span across the continuation maps to the original, `\` and CRLF included.
    let whole = text.original_span(Span::new(0, text.text.len()));
    assert_eq!(source.slice(whole), "echo a \\\r\n\t&& echo b");
    assert_eq!(
        text.original_offset(7),
        source.text().find("\t&&").unwrap_or(0)
    );
}

#[test]
fn flags_are_recorded() {
    let (source, parsed) = parse_text(
        "FROM --platform=$BUILDPLATFORM golang AS b\nFROM a\nCOPY --link --chown=1:1 --from=b /a /b\n",
    );
    let copy = parsed.dockerfile.instructions.get(2).expect("COPY");
    let flags: Vec<(&str, Option<&str>, &str)> = copy
        .flags
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.value.as_ref().map(|v| v.text.as_str()),
                source.slice(f.span),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("link", None, "--link"),
            ("chown", Some("1:1"), "--chown=1:1"),
            ("from", Some("b"), "--from=b"),
        ]
    );
    assert_eq!(shell_text(copy), Some("/a /b"));
    let from = parsed.dockerfile.instructions.first().expect("FROM");
    let platform = from
        .flags
        .first()
        .and_then(|f| f.value.as_ref())
        .expect("platform");
    assert_eq!(source.slice(platform.span), "$BUILDPLATFORM");
}

#[test]
fn unknown_and_misplaced_instructions() {
    // (input, keywords, problems)
    let cases: &[(&str, &[&str], &[&str])] = &[
        // unknown instruction is kept and reported
        (
            "FROM a\nFOO bar\nRUN x\n",
            &["FROM", "FOO", "RUN"],
            &["unknown instruction `FOO`"],
        ),
        // only ARG may come before FROM
        (
            "RUN x\nFROM a\n",
            &["RUN", "FROM"],
            &["`RUN` before the first `FROM`: no build stage in current context"],
        ),
        // ARGs alone: no stages
        (
            "ARG A=1\n",
            &["ARG"],
            &["no `FROM` instruction: the file has no stages to build"],
        ),
    ];
    for (input, expected_keywords, problems) in cases {
        let (_, parsed) = parse_text(input);
        assert_eq!(keywords(&parsed), *expected_keywords, "input {input:?}");
        assert_eq!(problem_messages(&parsed), *problems, "input {input:?}");
    }
    let (source, parsed) = parse_text("FROM a\n  foo bar\n");
    let problem = parsed.problems.first().expect("problem");
    assert_eq!(source.slice(problem.span), "foo");
    assert_eq!(line_column(&source, problem.span), (2, 3));
    let foo = parsed.dockerfile.instructions.get(1).expect("foo");
    assert_eq!((foo.keyword.as_str(), foo.stage), ("FOO", Some(0)));
}
