use super::*;
use crate::parse::env::parse_env;

fn scan(text: &str) -> ParsedYaml {
    parse_compose(&Arc::new(SourceFile::new("compose.yaml", text)), None, None)
}

fn resolved(value: &str) -> ImageValue {
    ImageValue::Resolved(value.to_owned())
}

/// (text under the location, value, context) of each image.
fn summary(parsed: &ParsedYaml) -> Vec<(String, ImageValue, String)> {
    let row = |image: &ImageUse| {
        let context = image
            .origin
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        (image.written().to_owned(), image.value.clone(), context)
    };
    parsed.images.iter().map(row).collect()
}

/// (written, resolved value, service)
type Expected<'a> = &'a [(&'a str, &'a str, &'a str)];

#[test]
fn service_images_with_exact_spans() {
    // (compose file, expected images)
    let cases: &[(&str, Expected<'_>)] = &[
        (
            "services:\n  web:\n    image: nginx:1.25\n",
            &[("nginx:1.25", "nginx:1.25", "web")],
        ),
        // Quotes are not part of the span.
        (
            "services:\n  web:\n    image: \"nginx:1.25\"\n",
            &[("nginx:1.25", "nginx:1.25", "web")],
        ),
        (
            "services:\n  web:\n    image: 'redis'\n",
            &[("redis", "redis", "web")],
        ),
        // Flow style.
        (
            "services: {web: {image: nginx}, db: {image: \"postgres:16\"}}\n",
            &[
                ("nginx", "nginx", "web"),
                ("postgres:16", "postgres:16", "db"),
            ],
        ),
        // Block scalar.
        (
            "services:\n  web:\n    image: >-\n      nginx:1\n",
            &[("nginx:1", "nginx:1", "web")],
        ),
        // build + image names the build's output: not an occurrence; build alone neither.
        (
            "services:\n  app:\n    build: .\n    image: me/app:dev\n  b:\n    build: .\n",
            &[],
        ),
        (
            "services:\n  app:\n    build:\n      context: .\n    image: me/app\n",
            &[],
        ),
        // A null build is no build.
        (
            "services:\n  app:\n    build:\n    image: alpine\n",
            &[("alpine", "alpine", "app")],
        ),
        // `$$` is a literal dollar.
        (
            "services:\n  w:\n    image: a$$b\n",
            &[("a$$b", "a$b", "w")],
        ),
        // A scalar alias: the anchor's text; tags are ignored (`!reset null` is null).
        (
            "x-img: &img nginx:1\nservices:\n  a:\n    image: *img\n",
            &[("nginx:1", "nginx:1", "a")],
        ),
        (
            "services:\n  a:\n    image: !!str redis\n  b:\n    image: !reset null\n",
            &[("redis", "redis", "a")],
        ),
        // Null and non-string images are ignored quietly, as are odd roots.
        ("services:\n  w:\n    image:\n  x:\n    image: [a]\n", &[]),
        ("- just\n- a list\n", &[]),
        ("services: 3\n", &[]),
        ("", &[]),
    ];
    for (text, expected) in cases {
        let parsed = scan(text);
        assert!(
            parsed.problems.is_empty(),
            "{text:?}: {:?}",
            parsed.problems
        );
        let expected: Vec<_> = expected
            .iter()
            .map(|(w, v, s)| (w.to_string(), resolved(v), format!("service `{s}`")))
            .collect();
        assert_eq!(summary(&parsed), expected, "{text:?}");
    }
}

#[test]
fn positions_survive_bom_and_crlf() {
    let text = "\u{feff}services:\r\n  web:\r\n    image: \"nginx:latest\"\r\n";
    let source = Arc::new(SourceFile::new("compose.yaml", text));
    let parsed = parse_compose(&source, None, None);
    let image = &parsed.images[0];
    assert_eq!(image.written(), "nginx:latest");
    let position = source.position(image.location.span.start);
    assert_eq!((position.line, position.column), (3, 13));
}

#[test]
fn anchors_and_merge_keys_yield_one_use_per_service_at_the_anchor() {
    let text = "\
x-base: &base
  image: node:20
  restart: always
services:
  web: *base
  api:
    <<: *base
    ports: ['80:80']
  own:
    <<: *base
    image: node:22
";
    let parsed = scan(text);
    let rows = summary(&parsed);
    let names: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(names, ["service `web`", "service `api`", "service `own`"]);
    let anchor = text.find("node:20").unwrap();
    assert_eq!(parsed.images[0].location.span.start, anchor);
    assert_eq!(parsed.images[1].location.span.start, anchor);
    assert_eq!(parsed.images[0].written(), "node:20");
    assert_eq!(parsed.images[2].written(), "node:22");
    assert_eq!(parsed.images[2].value, resolved("node:22"));
}

#[test]
fn dotenv_values_resolve_with_related_locations() {
    let compose = "services:\n  web:\n    image: nginx:${NGINX_VERSION}\n";
    let env_text = "# pins\nNGINX_VERSION=latest\n";
    let source = Arc::new(SourceFile::new("compose.yaml", compose));
    let env_source = Arc::new(SourceFile::new(".env", env_text));
    let env = parse_env(env_text);
    let parsed = parse_compose(&source, Some((&env_source, &env)), None);
    let image = &parsed.images[0];
    assert_eq!(image.written(), "nginx:${NGINX_VERSION}");
    assert_eq!(image.value, resolved("nginx:latest"));
    assert_eq!(image.via.len(), 1);
    let related = &image.via[0];
    assert_eq!(related.location.source.path(), ".env");
    assert_eq!(related.location.text(), "latest");
    let position = env_source.position(related.location.span.start);
    assert_eq!((position.line, position.column), (2, 15));
    assert_eq!(related.label, "`NGINX_VERSION` is set to `latest` here");

    // The process environment (`--env-from-process`) wins and has no file location.
    let process = BTreeMap::from([("NGINX_VERSION".to_owned(), "1.27".to_owned())]);
    let parsed = parse_compose(&source, Some((&env_source, &env)), Some(&process));
    assert_eq!(parsed.images[0].value, resolved("nginx:1.27"));
    assert!(parsed.images[0].via.is_empty());
}

#[test]
fn interpolation_forms_and_unresolved_variables() {
    let env_text = "TAG=1.2\nEMPTY=\nBARE\n";
    let env = parse_env(env_text);
    let env_source = Arc::new(SourceFile::new(".env", env_text));
    let unresolved = |names: &[&str]| ImageValue::unresolved_variables(names.iter().copied());
    // (image, expected value, number of related .env lines)
    let cases = [
        ("app:$TAG", resolved("app:1.2"), 1),
        ("app:${TAG}", resolved("app:1.2"), 1),
        ("app:${MISSING}", unresolved(&["MISSING"]), 0),
        // A bare `KEY` in .env is unset unless the process environment has it.
        ("app:${BARE}", unresolved(&["BARE"]), 0),
        ("app:${MISSING:-3}", resolved("app:3"), 0),
        ("app:${EMPTY:-3}", resolved("app:3"), 1),
        ("app:${EMPTY-3}", resolved("app:"), 1),
        ("app:${MISSING:?set it}", unresolved(&["MISSING"]), 0),
        ("app:${TAG:+x}", resolved("app:x"), 1),
        ("${REG}/app:${TAG}", unresolved(&["REG"]), 1),
    ];
    for (image, expected, related) in cases {
        let text = format!("services:\n  s:\n    image: \"{image}\"\n");
        let source = Arc::new(SourceFile::new("compose.yaml", text));
        let parsed = parse_compose(&source, Some((&env_source, &env)), None);
        assert_eq!(parsed.images[0].value.without_shape(), expected, "{image}");
        assert_eq!(parsed.images[0].via.len(), related, "{image}");
        assert_eq!(parsed.images[0].written(), image);
    }
}

#[test]
fn bad_interpolation_is_a_problem() {
    let text = "services:\n  s:\n    image: \"app:${TAG\"\n";
    let parsed = scan(text);
    assert!(parsed.images.is_empty());
    assert_eq!(parsed.problems.len(), 1);
    assert_eq!(parsed.problems[0].span.start, text.find("app:").unwrap());
    assert!(parsed.problems[0].message.contains("unterminated"));
}

#[test]
fn multi_document_files_are_all_read() {
    let parsed = scan("services: {a: {image: one}}\n---\nservices: {b: {image: two}}\n");
    assert_eq!(parsed.images.len(), 2);
    assert_eq!(parsed.images[1].written(), "two");
}

#[test]
fn invalid_yaml_is_one_problem_at_the_parser_position() {
    let text = "services:\n  web:\n    image: nginx\n   bad: [\n";
    let source = Arc::new(SourceFile::new("compose.yaml", text));
    let parsed = parse_compose(&source, None, None);
    assert!(parsed.images.is_empty());
    assert_eq!(parsed.problems.len(), 1);
    let problem = &parsed.problems[0];
    assert!(problem.message.contains("line 4"), "{}", problem.message);
    assert_eq!(source.position(problem.span.start).line, 4);
}

#[test]
fn duplicate_keys_are_problems_and_the_first_wins() {
    let text = "services:\n  web:\n    image: one\n    image: two\n";
    let parsed = scan(text);
    assert_eq!(summary(&parsed)[0].0, "one");
    assert_eq!(parsed.problems.len(), 1);
    assert_eq!(parsed.problems[0].span.start, text.rfind("image").unwrap());
    assert!(parsed.problems[0].message.contains("duplicate key `image`"));
}
