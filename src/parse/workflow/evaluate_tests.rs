//! What expressions in image fields evaluate to.

use std::sync::Arc;

use super::*;
use crate::model::source::SourceFile;
use crate::parse::yaml::parse_yaml;

/// The values of `expression` with the matrix and `env:` of `yaml` (a mapping with optional
/// `matrix` and `env` keys), each rendered: text as is, `?name` for a value not known here,
/// `#name` for this run's commit, `<falsy>` for a falsy value not known here.
fn values(expression: &str, yaml: &str) -> Vec<String> {
    let file = parse_yaml(yaml).unwrap();
    let root = file.documents.first().cloned().unwrap();
    let source = Arc::new(SourceFile::new("ci.yml", yaml));
    let env = root.get("env").cloned();
    let cx = Contexts {
        source: &source,
        matrix: root.get("matrix"),
        env: env.iter().collect(),
    };
    evaluate(expression, &cx)
        .into_iter()
        .map(|outcome| match &outcome.value {
            Value::Opaque {
                truthy: Some(false),
                ..
            } => "<falsy>".to_owned(),
            value => value
                .pieces()
                .iter()
                .map(|piece| match piece {
                    Piece::Text(text) => text.clone(),
                    Piece::Unknown(name) => format!("?{name}"),
                    Piece::Commit(name) => format!("#{name}"),
                })
                .collect(),
        })
        .collect()
}

#[test]
fn the_values_an_image_expression_can_take() {
    let matrix = "matrix:\n  img: ['redis:7.2.3', 'redis:latest']\n  include:\n    - extra: x\nenv:\n  REGISTRY: ghcr.io\n  COMPUTED: ${{ vars.x }}\n";
    // (expression, values)
    let cases: &[(&str, &[&str])] = &[
        // literals
        ("'redis:7.2.3'", &["redis:7.2.3"]),
        ("''", &[""]),
        ("null", &[""]),
        ("42", &["42"]),
        // `||`: the left value when truthy, else the right
        ("matrix.img || ''", &["redis:7.2.3", "redis:latest"]),
        (
            "inputs.image || 'redis:7.2.3'",
            &["?inputs.image", "redis:7.2.3"],
        ),
        ("'' || 'b:1'", &["b:1"]),
        // `&&`: the right value when the left is truthy, else the (falsy) left
        (
            "inputs.redis && 'redis@sha256:abc' || ''",
            &["", "redis@sha256:abc"],
        ),
        ("inputs.redis && 'redis:7'", &["<falsy>", "redis:7"]),
        // a comparison is a boolean not known here
        (
            "github.event_name == 'push' && 'redis:latest' || 'redis:7.2.3'",
            &["redis:7.2.3", "redis:latest"],
        ),
        // a literal comparison is known
        ("1 == 1 && 'a:1' || 'b:2'", &["a:1"]),
        // parentheses and `!`
        ("(inputs.x || 'a:1')", &["?inputs.x", "a:1"]),
        ("!inputs.x && 'a:1' || 'b:2'", &["b:2", "a:1"]),
        ("!'' && 'a:1' || 'b:2'", &["a:1"]),
        // `matrix.*`: every literal value; a key only `include` defines may be null
        ("matrix.img", &["redis:7.2.3", "redis:latest"]),
        ("matrix['img']", &["redis:7.2.3", "redis:latest"]),
        ("matrix.extra", &["x", ""]),
        ("matrix.missing", &["?matrix.missing"]),
        // `env.*`: a literal value only
        ("env.REGISTRY", &["ghcr.io"]),
        ("env.COMPUTED", &["?env.COMPUTED"]),
        ("env.MISSING", &["?env.MISSING"]),
        // `format()` with literal (or expanded) arguments
        (
            "format('{0}/app:{1}', env.REGISTRY, '1.2.3')",
            &["ghcr.io/app:1.2.3"],
        ),
        (
            "format('{0}/app:latest', inputs.registry)",
            &["?inputs.registry/app:latest"],
        ),
        ("format('{{0}}{0}', 'x')", &["{0}x"]),
        ("format('{0', 'x')", &["?format('{0', 'x')"]),
        ("format('{1}', 'x')", &["?format('{1}', 'x')"]),
        // `case()`: the values and the default
        ("case(inputs.x, 'a:1', 'b:2')", &["a:1", "b:2"]),
        // this run's commit
        ("github.sha", &["#github.sha"]),
        (
            "github.event.pull_request.head.sha",
            &["#github.event.pull_request.head.sha"],
        ),
        // anything else is not known here
        ("inputs.image", &["?inputs.image"]),
        ("fromJSON(inputs.x).image", &["?fromJSON(inputs.x).image"]),
        ("not an expression (", &["?not an expression ("]),
    ];
    for (expression, expected) in cases {
        assert_eq!(values(expression, matrix), *expected, "{expression}");
    }
}

#[test]
fn computed_matrices_are_not_known() {
    let yaml = "matrix: ${{ fromJSON(needs.a.outputs.m) }}\n";
    assert_eq!(values("matrix.img", yaml), vec!["?matrix.img"]);
}

#[test]
fn too_many_values_are_one_value_not_known() {
    let list: Vec<String> = (0..MAX_VALUES + 1).map(|i| format!("'i:{i}'")).collect();
    let yaml = format!("matrix:\n  a: [{}]\n", list.join(", "));
    assert_eq!(values("matrix.a", &yaml), vec!["?matrix.a"]);
}
