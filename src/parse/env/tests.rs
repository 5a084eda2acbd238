use super::*;

fn at(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("<bad span>")
}

#[test]
fn values_follow_compose_dotenv() {
    // (file, key, expected value, text under the value span)
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        ("A=1\n", "A", Some("1"), "1"),
        ("export A=1\n", "A", Some("1"), "1"),
        ("export\tA = 1 \n", "A", Some("1"), "1"),
        ("A: yaml style\n", "A", Some("yaml style"), "yaml style"),
        ("A=\n", "A", Some(""), ""),
        ("A=", "A", Some(""), ""),
        ("A\n", "A", None, ""),
        ("A", "A", None, ""),
        // Unquoted: trimmed, ` #` starts a comment, `#` alone does not.
        ("A=  spaced out   \n", "A", Some("spaced out"), "spaced out"),
        ("A=nginx:1 # pinned\n", "A", Some("nginx:1"), "nginx:1"),
        ("A=a#b\n", "A", Some("a#b"), "a#b"),
        ("A=x\r\n", "A", Some("x"), "x"),
        // Single quotes are literal.
        ("A='${B} \\n x'\n", "A", Some("${B} \\n x"), "${B} \\n x"),
        ("A='it\\'s'\n", "A", Some("it's"), "it\\'s"),
        // Double quotes: escapes, multiple lines, interpolation, `\$`.
        (
            "A=\"a\\nb\\tc\\\\d\\\"e\"\n",
            "A",
            Some("a\nb\tc\\d\"e"),
            "a\\nb\\tc\\\\d\\\"e",
        ),
        (
            "A=\"line1\nline2\"\n",
            "A",
            Some("line1\nline2"),
            "line1\nline2",
        ),
        ("A=\"\\$HOME\"\n", "A", Some("$HOME"), "\\$HOME"),
        ("A=\"$$x\"\n", "A", Some("$x"), "$$x"),
        ("A=\"q\" # comment\n", "A", Some("q"), "q"),
        ("A=\"\"\n", "A", Some(""), ""),
        // Interpolation of earlier keys (unset ones become empty, like compose).
        ("A=1\nB=${A}-x\n", "B", Some("1-x"), "${A}-x"),
        ("A=1\nB=\"$A-x\"\n", "B", Some("1-x"), "$A-x"),
        ("A=1\nB='$A'\n", "B", Some("$A"), "$A"),
        ("B=${A}-x\nA=1\n", "B", Some("-x"), "${A}-x"),
        ("B=${A:-dflt}\n", "B", Some("dflt"), "${A:-dflt}"),
        // The last definition wins.
        ("A=1\nA=2\n", "A", Some("2"), "2"),
        // Comments and blank lines.
        ("# c\n\n   \n  # c2\nA=1 # c3\n", "A", Some("1"), "1"),
        ("\u{feff}A=bom\n", "A", Some("bom"), "bom"),
        ("dotted.key-1=v\n", "dotted.key-1", Some("v"), "v"),
    ];
    for (text, key, value, written) in cases {
        let file = parse_env(text);
        assert!(file.problems.is_empty(), "{text:?}: {:?}", file.problems);
        let entry = file.get(key).unwrap_or_else(|| panic!("{text:?}"));
        assert_eq!(entry.value.as_deref(), *value, "{text:?}");
        assert_eq!(at(text, entry.value_span), *written, "{text:?}");
        assert_eq!(at(text, entry.key_span), *key, "{text:?}");
    }
}

#[test]
fn spans_cover_keys_values_and_lines() {
    let text = "# versions\r\nexport NGINX_VERSION=latest\r\nB=\"two\nlines\" # x\r\n";
    let file = parse_env(text);
    assert!(file.problems.is_empty());
    let nginx = file.get("NGINX_VERSION").unwrap();
    assert_eq!(at(text, nginx.key_span), "NGINX_VERSION");
    assert_eq!(at(text, nginx.value_span), "latest");
    assert_eq!(at(text, nginx.line_span), "export NGINX_VERSION=latest");
    let b = file.get("B").unwrap();
    assert_eq!(at(text, b.line_span), "B=\"two\nlines\"");
    assert_eq!(file.entries.len(), 2);
}

#[test]
fn bad_lines_are_problems_and_parsing_goes_on() {
    // (file, text under the problem span: the key, or nothing, fragment of the message)
    let cases = [
        ("=x\nA=1\n", "", "missing variable name"),
        ("KEY with space=1\nA=1\n", "", "contains a space"),
        ("K$Y=1\nA=1\n", "", "unexpected character `$`"),
        ("B=\"open\nA=1\n", "B", "no closing \""),
        ("B='open\r\nA=1\r\n", "B", "no closing '"),
        ("B=\"x\" junk\nA=1\n", "B", "unexpected text"),
        ("B=${\nA=1\n", "B", "unterminated"),
    ];
    for (text, problem, fragment) in cases {
        let file = parse_env(text);
        assert_eq!(file.problems.len(), 1, "{text:?}: {:?}", file.problems);
        let found = &file.problems[0];
        assert_eq!(at(text, found.span), problem, "{text:?}");
        assert!(
            found.message.contains(fragment),
            "{text:?}: {}",
            found.message
        );
        assert_eq!(
            file.get("A").and_then(|e| e.value.as_deref()),
            Some("1"),
            "{text:?}"
        );
    }
}

#[test]
fn problems_never_quote_the_line() {
    // Secrets written wrongly: the message names the line's key at most.
    let cases = [
        "hunter2 is the password\n",
        "DB_PASSWORD hunter2\n",
        "DB_PASSWORD=\"hunter2\n",
        "DB_PASSWORD=\"hunter2\" hunter3\n",
        "DB_PASSWORD=${hunter2\n",
        "DB_PASSWORD=${hunter2:x}\n",
        "hunter2\u{1b}=x\n",
    ];
    for text in cases {
        let file = parse_env(text);
        assert!(!file.problems.is_empty(), "{text:?}");
        for problem in &file.problems {
            assert!(
                !problem.message.contains("hunter"),
                "{text:?}: {}",
                problem.message
            );
            assert!(!at(text, problem.span).contains("hunter"), "{text:?}");
        }
    }
}

#[test]
fn lookup_takes_precedence_over_earlier_keys() {
    let lookup = |name: &str| (name == "A").then(|| "env".to_owned());
    let file = parse_env_with("A=file\nB=${A}\n", &lookup);
    assert_eq!(file.get("B").unwrap().value.as_deref(), Some("env"));
    // The entry itself still records the file's value.
    assert_eq!(file.get("A").unwrap().value.as_deref(), Some("file"));
}
