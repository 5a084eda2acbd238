//! Robustness tables: files without instructions, garbage, over-long lines, and pathological
//! sizes (all built in memory; shapes are asserted, not timings).

use super::tests::{keywords, line_column, parse_text, problem_messages, shell_text};

#[test]
fn files_without_instructions() {
    // (input, problems)
    let cases: &[(&str, &[&str])] = &[
        // empty file
        ("", &["file has no instructions"]),
        // whitespace only
        (" \n\t\r\n  \n", &["file has no instructions"]),
        // only comments (and a directive)
        (
            "# syntax=docker/dockerfile:1\n# just a comment\n",
            &["file has no instructions"],
        ),
        // a BOM alone
        ("\u{feff}", &["file has no instructions"]),
        // lines of lone escapes join into nothing
        ("\\\n\\\n", &["file has no instructions"]),
    ];
    for (input, problems) in cases {
        let (_, parsed) = parse_text(input);
        assert!(parsed.dockerfile.instructions.is_empty(), "input {input:?}");
        assert_eq!(problem_messages(&parsed), *problems, "input {input:?}");
    }
}

#[test]
fn garbage_does_not_panic() {
    let inputs = [
        "\u{0}\u{1}\u{7f}\u{fffd}ÿþ garbage \\\n\u{fffd}",
        "FROM \u{0}\nRUN \"\u{1}'\n<<\n<<<\n",
        "FROM a\nRUN <<\u{0}\n\u{0}\n",
        "FROM ${\nCOPY --from=${ /a /b\nRUN --mount=from=\"a /x\n",
        "\r\r\r\n\r",
        "FROM a\nRUN <<'\n",
        "FROM\u{a0}a\u{2028}b\n",
        "ARG =x\nARG\nENV\nENV a\nENV a=1 b\nFROM\n",
    ];
    for input in inputs {
        let (_, parsed) = parse_text(input);
        // Every problem's span is inside the text and on char boundaries.
        for problem in &parsed.problems {
            assert!(
                problem.span.end <= input.len(),
                "input {input:?}: {problem:?}"
            );
            assert!(
                input.get(problem.span.start..problem.span.end).is_some(),
                "input {input:?}: {problem:?}"
            );
        }
    }
}

#[test]
fn long_lines_are_reported() {
    let input = format!("FROM a\nRUN echo {}\n", "x".repeat(70_000));
    let (source, parsed) = parse_text(&input);
    assert_eq!(
        problem_messages(&parsed),
        ["line is longer than BuildKit's limit of 65535 bytes"]
    );
    let problem = parsed.problems.first().expect("problem");
    assert_eq!(line_column(&source, problem.span), (2, 1));
    assert_eq!(keywords(&parsed), ["FROM", "RUN"]);
}

#[test]
fn pathological_inputs_stay_linear() {
    // 100k continuation lines: one instruction.
    let input = format!("FROM a\nRUN {}b\n", "x \\\n".repeat(100_000));
    let (_, parsed) = parse_text(&input);
    assert_eq!(keywords(&parsed), ["FROM", "RUN"]);
    let run = parsed.dockerfile.instructions.get(1).expect("RUN");
    assert_eq!(shell_text(run).map(str::len), Some(2 * 100_000 + 1));

    // 100k heredocs, one per instruction.
    let input = format!("FROM a\n{}", "RUN <<EOF\nx\nEOF\n".repeat(100_000));
    let (_, parsed) = parse_text(&input);
    assert_eq!(parsed.dockerfile.instructions.len(), 100_001);
    assert!(
        parsed
            .dockerfile
            .instructions
            .iter()
            .skip(1)
            .all(|i| i.heredocs.len() == 1)
    );
    assert!(parsed.problems.is_empty());

    // Many heredocs on one line, all unterminated after the first: one problem.
    let input = format!("FROM a\nRUN {}\nA\n", "<<A ".repeat(10_000));
    let (_, parsed) = parse_text(&input);
    let run = parsed.dockerfile.instructions.get(1).expect("RUN");
    assert_eq!(run.heredocs.len(), 10_000);
    assert_eq!(parsed.problems.len(), 1);

    // A few MB of ordinary instructions (the 20 MB release-mode timing is measured outside
    // the test suite; here only the shape is checked).
    let line = "RUN apt-get install -y curl=7.88 && echo ${X:-y} \\\n    && true\n";
    let count = 40_000;
    let input = format!("ARG X=1\nFROM debian:12\n{}", line.repeat(count));
    let (_, parsed) = parse_text(&input);
    assert_eq!(parsed.dockerfile.instructions.len(), count + 2);

    // Deeply nested JSON in an exec form.
    let input = format!(
        "FROM a\nCMD [{}{}]\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (_, parsed) = parse_text(&input);
    assert_eq!(keywords(&parsed), ["FROM", "CMD"]);
}
