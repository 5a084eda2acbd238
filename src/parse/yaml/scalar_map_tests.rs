#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::parse::yaml::{Node, parse_yaml};

/// One case: a YAML file, the key whose value is the scalar (`None`: the document root), the
/// text the parser must decode, and words of that text with the original bytes each maps to.
struct Case {
    name: &'static str,
    yaml: &'static str,
    key: Option<&'static str>,
    decoded: &'static str,
    words: &'static [(&'static str, &'static str)],
}

const fn case(
    name: &'static str,
    yaml: &'static str,
    key: Option<&'static str>,
    decoded: &'static str,
    words: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        name,
        yaml,
        key,
        decoded,
        words,
    }
}

const V: Option<&str> = Some("v");
const RUN: Option<&str> = Some("run");

const CASES: &[Case] = &[
    // --- literal
    case(
        "literal",
        "v: |\n  echo hi\n",
        V,
        "echo hi\n",
        &[("hi", "hi")],
    ),
    case(
        "literal strip",
        "v: |-\n  a\n  b\n\n",
        V,
        "a\nb",
        &[("b", "b")],
    ),
    case(
        "literal keep",
        "v: |+\n  a\n\n\nw: 1\n",
        V,
        "a\n\n\n",
        &[("a\n\n\n", "a\n\n\n")],
    ),
    case(
        "literal clip drops trailing empty lines",
        "v: |\n  a\n\n\nw: 1\n",
        V,
        "a\n",
        &[],
    ),
    case(
        "literal leading empty lines",
        "v: |\n\n  \n  a\n",
        V,
        "\n\na\n",
        &[("a", "a")],
    ),
    case(
        "literal more indented",
        "v: |\n  a\n    b\n  c\n",
        V,
        "a\n  b\nc\n",
        &[("  b", "  b"), ("c", "c")],
    ),
    case(
        "literal indentation indicator",
        "v: |2\n    x\n  y\n",
        V,
        "  x\ny\n",
        &[("  x", "  x"), ("y", "y")],
    ),
    case(
        "literal |2-",
        "v: |2-\n    x\n  y\n",
        V,
        "  x\ny",
        &[("x\ny", "x\n  y")],
    ),
    case(
        "literal |-2 (indicators swapped)",
        "v: |-2\n    x\n  y\n",
        V,
        "  x\ny",
        &[("y", "y")],
    ),
    case(
        "literal run in a list",
        "steps:\n  - run: |\n      apt-get install curl\n      pip install flask\n",
        RUN,
        "apt-get install curl\npip install flask\n",
        &[("curl\npip", "curl\n      pip"), ("flask", "flask")],
    ),
    case(
        "literal CRLF",
        "v: |\r\n  a b\r\n  c\r\n",
        V,
        "a b\nc\n",
        &[("c", "c"), ("b\nc", "b\r\n  c")],
    ),
    case(
        "literal CRLF keep",
        "v: |+\r\n  a\r\n\r\n",
        V,
        "a\n\n",
        &[("a", "a")],
    ),
    case(
        "literal at end of file without a line break",
        "v: |\n  echo hi",
        V,
        "echo hi\n",
        &[("hi", "hi"), ("hi\n", "hi")],
    ),
    case(
        "literal keep at end of file",
        "v: |+\n  a",
        V,
        "a\n",
        &[("a", "a")],
    ),
    case(
        "literal tabs in content",
        "v: |\n  a\tb\n  \tc\n",
        V,
        "a\tb\n\tc\n",
        &[("a\tb", "a\tb"), ("\tc", "\tc")],
    ),
    case(
        "literal unicode",
        "v: |\n  café ☕\n  naïve\n",
        V,
        "café ☕\nnaïve\n",
        &[("naïve", "naïve"), ("☕", "☕")],
    ),
    case(
        "literal after a BOM",
        "\u{feff}v: |\n  x y\n",
        V,
        "x y\n",
        &[("y", "y")],
    ),
    case(
        "literal at the root",
        "--- |\nfoo\nbar\n",
        None,
        "foo\nbar\n",
        &[("bar", "bar")],
    ),
    case(
        "literal at the root ends at a document marker",
        "--- |\nfoo\n...\n",
        None,
        "foo\n",
        &[("foo", "foo")],
    ),
    case(
        "literal header comment",
        "v: | # a comment | >\n  x\n",
        V,
        "x\n",
        &[("x", "x")],
    ),
    case(
        "literal empty line inside, strip",
        "v: |-\n  a\n\n  b\n",
        V,
        "a\n\nb",
        &[("b", "b")],
    ),
    case(
        "literal empty line with fewer spaces",
        "v: |\n    a\n  \n    b\n",
        V,
        "a\n\nb\n",
        &[("b", "b")],
    ),
    case(
        "literal whitespace line with more spaces is content",
        "v: |\n  a\n     \n  b\n",
        V,
        "a\n   \nb\n",
        &[("b", "b")],
    ),
    case(
        "literal nested mapping",
        "jobs:\n  build:\n    steps:\n      - name: x\n        run: |\n          make\n          make install\n    next: 1\n",
        RUN,
        "make\nmake install\n",
        &[("install", "install")],
    ),
    // --- folded
    case(
        "folded",
        "v: >\n  a\n  b\n",
        V,
        "a b\n",
        &[("a b", "a\n  b")],
    ),
    case(
        "folded empty line",
        "v: >\n  a\n\n  b\n",
        V,
        "a\nb\n",
        &[("b", "b")],
    ),
    case(
        "folded more indented lines kept",
        "v: >\n  a\n    b\n  c\n",
        V,
        "a\n  b\nc\n",
        &[("  b", "  b")],
    ),
    case(
        "folded keep",
        "v: >+\n  a\n  b\n\n",
        V,
        "a b\n\n",
        &[("b", "b")],
    ),
    case("folded strip", "v: >-\n  a\n  b\n", V, "a b", &[("b", "b")]),
    case(
        "folded run",
        "steps:\n  - run: >\n      docker build\n      --tag x\n      .\n",
        RUN,
        "docker build --tag x .\n",
        &[("--tag", "--tag"), ("build --tag", "build\n      --tag")],
    ),
    case(
        "folded CRLF",
        "v: >\r\n  a\r\n  b\r\n",
        V,
        "a b\n",
        &[("b", "b"), ("a b", "a\r\n  b")],
    ),
    case(
        "folded tab-led line kept",
        "v: >\n  a\n  \tb\n  c\n",
        V,
        "a\n\tb\nc\n",
        &[("\tb", "\tb")],
    ),
    case(
        "folded two empty lines",
        "v: >-\n  a\n\n\n  b\n",
        V,
        "a\n\nb",
        &[("b", "b")],
    ),
    // --- plain
    case(
        "plain one line",
        "v: hello world",
        V,
        "hello world",
        &[("world", "world")],
    ),
    case(
        "plain multi-line",
        "v: a\n  b\n  c\n",
        V,
        "a b c",
        &[("c", "c")],
    ),
    case(
        "plain empty line",
        "v: a\n\n  b\n",
        V,
        "a\nb",
        &[("b", "b")],
    ),
    case(
        "plain trailing spaces",
        "v: a  \n   b\n",
        V,
        "a b",
        &[("a b", "a  \n   b")],
    ),
    case(
        "plain in a sequence",
        "v:\n  - pip install\n    flask\n",
        V,
        "pip install flask",
        &[("flask", "flask")],
    ),
    case("plain CRLF", "v: a\r\n  b\r\n", V, "a b", &[("b", "b")]),
    case("plain tab separated", "v: a\tb", V, "a\tb", &[("b", "b")]),
    // --- single-quoted
    case(
        "single quoted",
        "v: 'it''s'",
        V,
        "it's",
        &[("s", "s"), ("'", "''")],
    ),
    case("single folded", "v: 'a\n  b'", V, "a b", &[("b", "b")]),
    case(
        "single spaces kept",
        "v: '  a  '",
        V,
        "  a  ",
        &[("a", "a")],
    ),
    case(
        "single empty line",
        "v: 'a\n\n  b '",
        V,
        "a\nb ",
        &[("b ", "b ")],
    ),
    case("single empty", "v: ''", V, "", &[]),
    case(
        "single CRLF with tabs",
        "v: 'a\t\r\n\t b'",
        V,
        "a b",
        &[("b", "b")],
    ),
    // --- double-quoted
    case(
        "double tab escape",
        "v: \"a\\tb\"",
        V,
        "a\tb",
        &[("\t", "\\t")],
    ),
    case(
        "double quote escape",
        "v: \"say \\\"hi\\\"\"",
        V,
        "say \"hi\"",
        &[("\"hi\"", "\\\"hi\\\""), ("hi", "hi")],
    ),
    case(
        "double backslash",
        "v: \"c:\\\\dir\"",
        V,
        "c:\\dir",
        &[("dir", "dir"), ("\\", "\\\\")],
    ),
    case(
        "double hex and unicode escapes",
        "v: \"\\x41\\u00e9\\U0001F600!\"",
        V,
        "Aé😀!",
        &[("Aé😀", "\\x41\\u00e9\\U0001F600"), ("!", "!")],
    ),
    case(
        "double escaped line break",
        "v: \"a \\\n   b\"",
        V,
        "a b",
        &[("a b", "a \\\n   b"), ("b", "b")],
    ),
    case(
        "double escaped line break then empty line",
        "v: \"a\\\n\n  b\"",
        V,
        "a\nb",
        &[("b", "b")],
    ),
    case("double folded", "v: \"a\n  b\"", V, "a b", &[("b", "b")]),
    case(
        "double folded empty lines",
        "v: \"x\n\n\n  y\"",
        V,
        "x\n\ny",
        &[("y", "y")],
    ),
    case(
        "double rare escapes",
        "v: \"\\N\\_\\L\\P\\e\\0\\a\\b\\v\\f\\r\\ \\/z\"",
        V,
        "\u{85}\u{a0}\u{2028}\u{2029}\u{1b}\0\u{7}\u{8}\u{b}\u{c}\r /z",
        &[("z", "z"), ("\u{2028}", "\\L")],
    ),
    case(
        "double with an expression",
        "run: \"echo ${{ github.sha }} && make\\n\"",
        RUN,
        "echo ${{ github.sha }} && make\n",
        &[("make", "make"), ("${{ github.sha }}", "${{ github.sha }}")],
    ),
    case(
        "double unicode",
        "v: \"naïve \\u263A ok\"",
        V,
        "naïve ☺ ok",
        &[("ok", "ok"), ("☺", "\\u263A")],
    ),
    case(
        "double CRLF folding",
        "v: \"a \r\n b\"",
        V,
        "a b",
        &[("b", "b")],
    ),
    case(
        "double escaped tab character",
        "v: \"a\\\tb\"",
        V,
        "a\tb",
        &[("b", "b")],
    ),
    case(
        "alias of a double-quoted scalar",
        "a: &x \"q\\tz\"\nv: *x\n",
        V,
        "q\tz",
        &[("z", "z")],
    ),
];

/// The first value of `key` anywhere in the tree (depth first), or the root.
fn find<'a>(node: &'a Node, key: Option<&str>) -> Option<&'a Node> {
    let Some(key) = key else {
        return Some(node);
    };
    if let Some(entries) = node.as_mapping() {
        for (k, v) in entries {
            if k.as_str() == Some(key) {
                return Some(v);
            }
            if let Some(found) = find(v, Some(key)) {
                return Some(found);
            }
        }
    }
    for item in node.as_sequence().unwrap_or(&[]) {
        if let Some(found) = find(item, Some(key)) {
            return Some(found);
        }
    }
    None
}

/// The case's scalar: the value of its key (the first item if that is a sequence).
fn scalar<'a>(case: &Case, file: &'a crate::parse::yaml::YamlFile) -> &'a Node {
    let root = file.documents.first().expect("a document");
    let node = find(root, case.key).expect("the key");
    node.as_sequence()
        .and_then(|items| items.first())
        .unwrap_or(node)
}

#[test]
fn scalars_map_back_to_their_bytes() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    for case in CASES {
        let file = parse_yaml(case.yaml).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let node = scalar(case, &file);
        assert_eq!(node.as_str(), Some(case.decoded), "{}: decoded", case.name);
        let mapped = mapped_scalar(case.yaml, node)
            .unwrap_or_else(|| panic!("{}: no map for {:?}", case.name, case.decoded));
        assert_eq!(mapped.as_str(), case.decoded, "{}", case.name);
        assert!(mapped.is_exact());
        check_every_byte(case, &mapped);
        for (word, original) in case.words {
            let start = case
                .decoded
                .find(word)
                .unwrap_or_else(|| panic!("{}: {word:?} not in the text", case.name));
            let span = mapped.original_span(Span::new(start, start + word.len()));
            assert_eq!(
                case.yaml.get(span.start..span.end),
                Some(*original),
                "{}: word {word:?} at {span:?}",
                case.name
            );
        }
    }
}

/// Every decoded character maps to a byte that produced it: itself, a line break (folding),
/// an escape's backslash or doubled quote, or (the final `\n` of a file without one) the end.
fn check_every_byte(case: &Case, mapped: &MappedText) {
    check_bytes(case, case.yaml, mapped);
}

fn check_bytes(case: &Case, yaml: &str, mapped: &MappedText) {
    let text = mapped.as_str();
    let mut last = 0;
    for (index, ch) in text.char_indices() {
        let at = mapped.original_offset(index);
        assert!(
            at >= last,
            "{}: offsets go back at {index} in {yaml:?}",
            case.name
        );
        last = at;
        let rest = yaml.get(at..).unwrap_or("");
        let first = rest.bytes().next();
        let ok = rest.starts_with(ch)
            || (matches!(ch, ' ' | '\n') && matches!(first, Some(b'\r' | b'\n')))
            || first == Some(b'\\')
            || (ch == '\'' && rest.starts_with("''"))
            || (ch == '\n' && index + 1 == text.len() && at == yaml.len());
        assert!(
            ok,
            "{}: {ch:?} at {index} maps to {rest:?} in {yaml:?}",
            case.name
        );
    }
}

#[test]
fn word_spans_are_exact_offsets() {
    let yaml = "jobs:\n  b:\n    steps:\n      - run: |\n          pip install \\\n            flask==3.0\n";
    let file = parse_yaml(yaml).unwrap();
    let node = find(file.documents.first().unwrap(), Some("run")).unwrap();
    let mapped = mapped_scalar(yaml, node).unwrap();
    assert_eq!(mapped.as_str(), "pip install \\\n  flask==3.0\n");
    let start = mapped.as_str().find("flask").unwrap();
    let span = mapped.original_span(Span::new(start, start + "flask==3.0".len()));
    let expected = yaml.find("flask").unwrap();
    assert_eq!(span, Span::new(expected, expected + 10));
    // A span across the line break covers the original indentation.
    let from = mapped.as_str().find("\\").unwrap();
    let span = mapped.original_span(Span::new(from, start));
    assert_eq!(yaml.get(span.start..span.end), Some("\\\n            "));
}

#[test]
fn unmappable_scalars_give_none() {
    // Only line breaks: nothing anchors them (the header is not read).
    let yaml = "v: |+\n\n\nw: 1\n";
    let file = parse_yaml(yaml).unwrap();
    let node = find(file.documents.first().unwrap(), V).unwrap();
    assert_eq!(node.as_str(), Some("\n\n"));
    assert_eq!(mapped_scalar(yaml, node), None);
    // Not a scalar.
    let yaml = "v: [a, b]\n";
    let file = parse_yaml(yaml).unwrap();
    let node = find(file.documents.first().unwrap(), V).unwrap();
    assert_eq!(mapped_scalar(yaml, node), None);
    // A node whose span does not match the text given (the wrong file): no false map.
    let yaml = "v: \"a\\tb\"\n";
    let file = parse_yaml(yaml).unwrap();
    let node = find(file.documents.first().unwrap(), V).unwrap();
    assert_eq!(mapped_scalar("v: \"zzzzzz\"\n", node), None);
}

#[test]
fn empty_block_scalars_map_to_an_empty_text() {
    for yaml in ["v: |\nw: 1\n", "v: >-\n", "v: |\n\n"] {
        let file = parse_yaml(yaml).unwrap();
        let node = find(file.documents.first().unwrap(), V).unwrap();
        assert_eq!(node.as_str(), Some(""), "{yaml:?}");
        let mapped = mapped_scalar(yaml, node).unwrap();
        assert_eq!(mapped.as_str(), "");
    }
}

/// Every combination of block header, content shape, nesting and line ending: the map exists
/// (unless the text is only line breaks) and every character maps to a byte that produced it.
#[test]
fn block_scalar_combinations() {
    let headers = ["|", "|-", "|+", ">", ">-", ">+", "|2", "|2-", ">2+", "|-2"];
    let bodies: &[&[&str]] = &[
        &["a"],
        &["a", "b"],
        &["a", "", "b"],
        &["a", "  more", "b"],
        &["a", "\tb", "c"],
        &["", "a", "", ""],
        &["a b  ", "c"],
        &["x", "  ", "y"],
        &["ünï cödé ☕", "ok"],
        &["a", "", "", "  b", "", "c"],
    ];
    // (prefix before the header, indentation of the content)
    let nestings = [("v: ", "  "), ("- ", "  "), ("k:\n  - run: ", "      ")];
    let mut checked = 0;
    for header in headers {
        for body in bodies {
            for (prefix, indent) in nestings {
                for newline in ["\n", "\r\n"] {
                    for final_break in [true, false] {
                        let mut yaml = format!("{prefix}{header}{newline}");
                        let lines: Vec<String> = body
                            .iter()
                            .map(|line| {
                                if line.is_empty() {
                                    String::new()
                                } else {
                                    format!("{indent}{line}")
                                }
                            })
                            .collect();
                        yaml.push_str(&lines.join(newline));
                        if final_break {
                            yaml.push_str(newline);
                        }
                        let Ok(file) = parse_yaml(&yaml) else {
                            // e.g. an indentation indicator that does not fit the nesting
                            continue;
                        };
                        let root = file.documents.first().expect("a document");
                        let Some(node) = first_scalar(root) else {
                            continue;
                        };
                        let decoded = node.as_str().unwrap_or("");
                        let mapped = mapped_scalar(&yaml, node);
                        if decoded.bytes().all(|b| b == b'\n') && !decoded.is_empty() {
                            continue;
                        }
                        let mapped = mapped
                            .unwrap_or_else(|| panic!("no map for {yaml:?} (decoded {decoded:?})"));
                        let case = Case {
                            name: "combination",
                            yaml: "",
                            key: None,
                            decoded: "",
                            words: &[],
                        };
                        check_bytes(&case, &yaml, &mapped);
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 900, "{checked} combinations mapped");
}

/// Flow scalars with escapes, doubled quotes, folding, CRLF and tabs.
#[test]
fn flow_scalar_combinations() {
    let contents = [
        "a b",
        "a\n  b",
        "a  \n\n  b",
        "  lead and trail  ",
        "x\t\n\ty",
        "é \n ☕",
    ];
    let escapes = [
        "\\t",
        "\\\"",
        "\\\\",
        "\\x41",
        "\\u00e9",
        "\\U0001F600",
        "\\\n  ",
        "\\ ",
    ];
    let mut checked = 0;
    for content in contents {
        for newline in ["\n", "\r\n"] {
            let content = content.replace('\n', newline);
            let mut variants = vec![
                format!("v: '{}'", content.replace('a', "a''")),
                format!("v: \"{content}\""),
            ];
            if !content.starts_with(' ') {
                variants.push(format!("v: {}", content.trim_end()));
            }
            for escape in escapes {
                variants.push(format!("v: \"{content}{escape}z\""));
                variants.push(format!("v: \"{escape}{content}\""));
            }
            for yaml in variants {
                let Ok(file) = parse_yaml(&yaml) else {
                    continue;
                };
                let root = file.documents.first().expect("a document");
                let node = first_scalar(root).expect("a scalar");
                let mapped = mapped_scalar(&yaml, node)
                    .unwrap_or_else(|| panic!("no map for {yaml:?} ({:?})", node.as_str()));
                let case = Case {
                    name: "combination",
                    yaml: "",
                    key: None,
                    decoded: "",
                    words: &[],
                };
                check_bytes(&case, &yaml, &mapped);
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "{checked} combinations mapped");
}

/// The first scalar value in a document (depth first, values before keys).
fn first_scalar(node: &Node) -> Option<&Node> {
    if node.as_scalar().is_some() {
        return Some(node);
    }
    if let Some(entries) = node.as_mapping() {
        return entries.iter().find_map(|(_, v)| first_scalar(v));
    }
    node.as_sequence()?.iter().find_map(first_scalar)
}

#[test]
fn masked_expressions_keep_word_spans() {
    let yaml = "steps:\n  - run: >-\n      pip install\n      \"flask==${{ matrix.flask }}\"\n";
    let file = parse_yaml(yaml).unwrap();
    let node = find(file.documents.first().unwrap(), RUN).unwrap();
    let mapped = mapped_scalar(yaml, node).unwrap();
    let (masked, ranges) = crate::parse::expression::mask_expressions(mapped.as_str());
    assert_eq!(masked.len(), mapped.len());
    let [range] = ranges.as_slice() else {
        panic!("one expression: {ranges:?}");
    };
    let span = mapped.original_span(Span::new(range.start, range.end));
    assert_eq!(yaml.get(span.start..span.end), Some("${{ matrix.flask }}"));
    // The whole quoted word, found in the masked text, maps to the file.
    let word = masked.find("\"flask==").unwrap();
    let end = masked.rfind('"').unwrap() + 1;
    let span = mapped.original_span(Span::new(word, end));
    assert_eq!(
        yaml.get(span.start..span.end),
        Some("\"flask==${{ matrix.flask }}\"")
    );
}
