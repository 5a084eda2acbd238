use std::time::{Duration, Instant};

use super::*;

fn at(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("<bad span>")
}

fn root(text: &str) -> Node {
    let file = parse_yaml(text).unwrap();
    assert_eq!(file.documents.len(), 1, "{text:?}");
    file.documents.into_iter().next().unwrap()
}

#[test]
fn scalar_spans_and_decoded_text() {
    // (document, key, decoded text, text under the span, style)
    let cases = [
        ("a: nginx\n", "a", "nginx", "nginx", ScalarStyle::Plain),
        // Quoted: the span excludes the quotes but keeps escapes as written.
        (
            "a: 'it''s'\n",
            "a",
            "it's",
            "it''s",
            ScalarStyle::SingleQuoted,
        ),
        (
            "a: \"q\\\"v\"\n",
            "a",
            "q\"v",
            "q\\\"v",
            ScalarStyle::DoubleQuoted,
        ),
        ("a: \"\"\n", "a", "", "", ScalarStyle::DoubleQuoted),
        // Block scalars: the content lines, without the final line break.
        (
            "a: |\n  one\n  two\nb: 1\n",
            "a",
            "one\ntwo\n",
            "one\n  two",
            ScalarStyle::Literal,
        ),
        (
            "a: >-\n  nginx:1\n",
            "a",
            "nginx:1",
            "nginx:1",
            ScalarStyle::Folded,
        ),
        // Flow style.
        (
            "{a: nginx, b: [1]}",
            "a",
            "nginx",
            "nginx",
            ScalarStyle::Plain,
        ),
        (
            "{\"a\": \"x\\u00e9\"}",
            "a",
            "x\u{e9}",
            "x\\u00e9",
            ScalarStyle::DoubleQuoted,
        ),
        // Multi-line plain scalar.
        ("a: b\n  c\n", "a", "b c", "b\n  c", ScalarStyle::Plain),
        // Strict: YAML 1.1 booleans stay text.
        ("a: NO\n", "a", "NO", "NO", ScalarStyle::Plain),
        ("on: push\n", "on", "push", "push", ScalarStyle::Plain),
    ];
    for (text, key, decoded, written, style) in cases {
        let node = root(text);
        let value = node.get(key).unwrap_or_else(|| panic!("{text:?}"));
        let scalar = value.as_scalar().unwrap();
        assert_eq!(&*scalar.text, decoded, "{text:?}");
        assert_eq!(scalar.style, style, "{text:?}");
        assert_eq!(at(text, value.span), written, "{text:?}");
        assert_eq!(value.alias(), None);
    }
}

#[test]
fn nulls_are_kept_apart_from_strings() {
    let text = "a:\nb: ~\nc: null\nd: ''\ne: 'null'\n";
    let node = root(text);
    let null = |key: &str| node.get(key).unwrap().is_null();
    assert!(null("a") && null("b") && null("c"));
    assert!(!null("d") && !null("e"));
    assert!(matches!(node.get("a").unwrap().value, Value::Null));
    assert_eq!(node.get("b").unwrap().as_str(), Some("~"));
    assert_eq!(node.get("b").unwrap().as_string(), None);
    assert_eq!(node.get("e").unwrap().as_string(), Some("null"));
}

#[test]
fn bom_and_crlf_keep_byte_offsets() {
    let text = "\u{feff}services:\r\n  web:\r\n    image: \"nginx:1\"\r\n";
    let node = root(text);
    let image = node
        .get("services")
        .unwrap()
        .get("web")
        .unwrap()
        .get("image")
        .unwrap();
    assert_eq!(at(text, image.span), "nginx:1");
    assert_eq!(image.span.start, text.find("nginx").unwrap());
    // The mapping's span starts after the BOM.
    assert_eq!(node.span.start, 3);
}

#[test]
fn aliases_share_the_anchor_span_and_record_the_use() {
    let text = "base: &b\n  image: nginx\nweb: *b\nimg: &i redis\nother: *i\n";
    let node = root(text);
    let web = node.get("web").unwrap();
    assert_eq!(at(text, web.span), "image: nginx");
    assert_eq!(at(text, web.alias().unwrap()), "*b");
    let image = web.get("image").unwrap();
    assert_eq!(at(text, image.span), "nginx");
    assert_eq!(
        image.span,
        node.get("base").unwrap().get("image").unwrap().span
    );
    let other = node.get("other").unwrap();
    assert_eq!(other.as_str(), Some("redis"));
    assert_eq!(at(text, other.span), "redis");
    assert_eq!(at(text, other.use_span()), "*i");
}

#[test]
fn merge_keys_follow_yaml_1_1() {
    let text = "\
a: &a {image: one, x: a}
b: &b {image: two, y: b, x: b}
one: {<<: *a, z: 1}
many: {<<: [*a, *b]}
over:
  <<: [*b, *a]
  image: mine
literal: {<<: {image: three}}
";
    let node = root(text);
    let one = node.get("one").unwrap();
    let image = one.get("image").unwrap();
    assert_eq!(at(text, image.span), "one");
    assert_eq!(at(text, image.alias().unwrap()), "*a");
    assert_eq!(one.get("z").unwrap().as_str(), Some("1"));
    // The first source wins; keys come once.
    let many = node.get("many").unwrap();
    assert_eq!(many.get("image").unwrap().as_str(), Some("one"));
    assert_eq!(many.get("x").unwrap().as_str(), Some("a"));
    assert_eq!(many.get("y").unwrap().as_str(), Some("b"));
    assert_eq!(many.as_mapping().unwrap().len(), 3);
    // Explicit keys override merged ones, wherever they are written.
    let over = node.get("over").unwrap();
    assert_eq!(over.get("image").unwrap().as_str(), Some("mine"));
    assert_eq!(over.get("image").unwrap().alias(), None);
    assert_eq!(over.get("x").unwrap().as_str(), Some("b"));
    assert!(over.get("<<").is_none());
    let literal = node.get("literal").unwrap().get("image").unwrap();
    assert_eq!((literal.as_str(), literal.alias()), (Some("three"), None));
    let file = parse_yaml(text).unwrap();
    assert!(file.duplicate_keys.is_empty());
}

#[test]
fn a_quoted_merge_key_is_an_ordinary_key() {
    let node = root("a: &a {x: 1}\nb: {'<<': *a}\n");
    let b = node.get("b").unwrap();
    assert!(b.get("<<").is_some());
    assert!(b.get("x").is_none());
}

#[test]
fn multi_document_streams() {
    let text = "a: 1\n---\nb: 2\n--- \n...\n---\n- x\n";
    let file = parse_yaml(text).unwrap();
    assert_eq!(file.documents.len(), 4);
    let docs = &file.documents;
    assert_eq!(docs[0].get("a").unwrap().as_str(), Some("1"));
    assert_eq!(at(text, docs[1].get("b").unwrap().span), "2");
    assert!(docs[2].is_null());
    assert_eq!(docs[3].as_sequence().unwrap()[0].as_str(), Some("x"));
    assert!(parse_yaml("").unwrap().documents.is_empty());
    assert!(
        parse_yaml("# only a comment\n")
            .unwrap()
            .documents
            .is_empty()
    );
}

#[test]
fn anchors_do_not_cross_documents() {
    let error = parse_yaml("a: &x 1\n---\nb: *x\n").unwrap_err();
    assert!(error.message.contains("anchor"), "{}", error.message);
}

#[test]
fn duplicate_keys_keep_the_first() {
    // (document, duplicate key spans' text)
    let small = "a: 1\nb: 2\na: 3\n";
    let node = root(small);
    assert_eq!(node.get("a").unwrap().as_str(), Some("1"));
    let file = parse_yaml(small).unwrap();
    let keys: Vec<Span> = file.duplicate_keys.iter().map(|d| d.key).collect();
    assert_eq!(keys, vec![Span::new(10, 11)]);
    // A large mapping takes the hashing path.
    let mut large: String = (0..20).map(|i| format!("k{i}: {i}\n")).collect();
    large.push_str("k3: again\nk7: again\n");
    let file = parse_yaml(&large).unwrap();
    let keys: Vec<&str> = file
        .duplicate_keys
        .iter()
        .map(|d| at(&large, d.key))
        .collect();
    assert_eq!(keys, ["k3", "k7"]);
    assert_eq!(file.documents[0].get("k3").unwrap().as_str(), Some("3"));
    assert_eq!(file.documents[0].as_mapping().unwrap().len(), 20);
}

#[test]
fn invalid_yaml_reports_the_parser_position() {
    // (document, text at the error offset, fragment of the message)
    let cases = [
        ("a: [1\nb: c\n", "", "line 2 column 2"),
        ("a: b\n  c: d\n", "", "mapping values are not allowed"),
        ("a: *nope\n", "*nope", "anchor"),
        ("a: 'open\n", "", "line"),
    ];
    for (text, _, fragment) in cases {
        let error = parse_yaml(text).unwrap_err();
        assert!(
            error.message.contains(fragment),
            "{text:?}: {}",
            error.message
        );
        assert!(error.span.start <= text.len(), "{text:?}");
        assert!(error.span.is_empty());
    }
    let error = parse_yaml("a: [1\nb: c\n").unwrap_err();
    assert_eq!(error.span.start, 7);
    let error = parse_yaml("a: *nope\n").unwrap_err();
    assert_eq!(error.span.start, 3);
}

#[test]
fn a_node_cannot_alias_itself() {
    let error = parse_yaml("a: &a [1, *a]\n").unwrap_err();
    assert!(error.message.contains("contains it"), "{}", error.message);
}

#[test]
fn billion_laughs_is_bounded_and_fast() {
    let mut text = String::from("a0: &a0 [lol]\n");
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let started = Instant::now();
    let error = parse_yaml(&text).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        error.message.contains("billion laughs"),
        "{}",
        error.message
    );
    assert!(at(&text, Span::new(error.span.start, error.span.start + 1)) == "*");
    // Below the budget, aliases are shared, not copied.
    let small = "a: &a [x, y]\nb: [*a, *a, *a]\n";
    let node = root(small);
    let b = node.get("b").unwrap().as_sequence().unwrap();
    assert_eq!(b.len(), 3);
    assert_eq!(at(small, b[2].span), "[x, y]");
}

#[test]
fn alias_expansion_counts_bytes_too() {
    // Few nodes, many bytes: one 100 KB string aliased 200 times is 20 MB of text.
    let long = "x".repeat(100_000);
    let mut text = format!("a: &a \"{long}\"\nb: [");
    text.push_str(&vec!["*a"; 200].join(", "));
    text.push_str("]\n");
    let error = parse_yaml(&text).unwrap_err();
    assert!(error.message.contains("bytes of text"), "{}", error.message);
    // A handful of uses stays fine.
    let few = format!("a: &a \"{long}\"\nb: [*a, *a, *a]\n");
    assert!(parse_yaml(&few).is_ok());
}

/// Run `f` on a thread with a 256 KiB stack, as a guard against recursion anywhere.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    on_small_stack(|| {
        let depth = 10_000;
        let flow = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let block: String = (0..depth)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect();
        let dashes = format!("{}x\n", "- ".repeat(depth));
        let mixed: String = (0..depth)
            .map(|i| format!("{}a: [\n", " ".repeat(i)))
            .collect();
        for text in [flow, block, dashes, mixed] {
            let error = parse_yaml(&text).unwrap_err();
            assert!(error.message.contains("deep") || error.message.contains("recursion"));
        }
        // Right at the limit is fine.
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(parse_yaml(&ok).is_ok());
    });
}

#[test]
fn nesting_through_aliases_is_bounded() {
    on_small_stack(|| {
        // Each anchor nests the previous one 200 levels deeper.
        let mut text = String::new();
        for i in 0..50 {
            let inner = if i == 0 {
                "x".to_owned()
            } else {
                format!("*a{}", i - 1)
            };
            text.push_str(&format!(
                "a{i}: &a{i} {}{inner}{}\n",
                "[".repeat(200),
                "]".repeat(200)
            ));
        }
        let error = parse_yaml(&text).unwrap_err();
        assert!(error.message.contains("deeper"), "{}", error.message);
    });
}

#[test]
fn sub_spans_map_into_the_written_text() {
    let text = "a: docker://alpine:3\nb: \"docker://x\\u0041\"\n";
    let node = root(text);
    let a = node.get("a").unwrap();
    assert_eq!(
        at(text, a.sub_span(text, 9..a.as_str().unwrap().len())),
        "alpine:3"
    );
    // Escapes: the written text differs, so the whole scalar is the span.
    let b = node.get("b").unwrap();
    assert_eq!(at(text, b.sub_span(text, 9..11)), "docker://x\\u0041");
}

#[test]
fn large_input_parses_in_linear_time() {
    let service = "  svc{}:\n    image: \"registry.example.com/team/app:1.2.3\"\n    ports: [\"80:80\", \"443:443\"]\n    environment: {A: '1', B: \"2\"}\n";
    let make = |n: usize| {
        let mut text = String::from("services:\n");
        for i in 0..n {
            text.push_str(&service.replace("{}", &i.to_string()));
        }
        text
    };
    let time = |text: &str| {
        let started = Instant::now();
        let file = parse_yaml(text).unwrap();
        assert_eq!(file.documents.len(), 1);
        started.elapsed()
    };
    let small = make(2_500);
    let large = make(10_000);
    // Warm up, then compare: four times the input must not take much more than four times long.
    time(&small);
    let (t1, t4) = (time(&small), time(&large));
    assert!(
        t4 < t1 * 10 + Duration::from_millis(200),
        "{t1:?} vs {t4:?}"
    );
}
