use super::*;

fn workflow(text: &str) -> ParsedYaml {
    parse_workflow(&Arc::new(SourceFile::new(".github/workflows/ci.yml", text)))
}

fn action(text: &str) -> ParsedYaml {
    parse_action(&Arc::new(SourceFile::new("action.yml", text)))
}

fn resolved(value: &str) -> ImageValue {
    ImageValue::Resolved(value.to_owned())
}

/// Depends on the expressions `names` (compared without the shape).
fn unresolved(names: &[&str]) -> ImageValue {
    ImageValue::Unresolved(crate::model::image::Unresolved {
        unknowns: names
            .iter()
            .map(|n| {
                crate::model::image::Unknown::new(*n, crate::model::image::UnknownKind::Expression)
            })
            .collect(),
        shape: None,
    })
}

/// (text under the location, value, context) of each image.
fn summary(parsed: &ParsedYaml) -> Vec<(String, ImageValue, String)> {
    let row = |image: &ImageUse| {
        let context = image
            .origin
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        (
            image.written().to_owned(),
            image.value.without_shape(),
            context,
        )
    };
    parsed.images.iter().map(row).collect()
}

fn rows(expected: &[(&str, ImageValue, &str)]) -> Vec<(String, ImageValue, String)> {
    let row = |(w, v, c): &(&str, ImageValue, &str)| (w.to_string(), v.clone(), c.to_string());
    expected.iter().map(row).collect()
}

#[test]
fn job_containers_services_and_docker_steps() {
    let text = "\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    container: node:20
    services:
      redis:
        image: 'redis:7'
      pg: {image: postgres}
    steps:
      - uses: actions/checkout@v4
      - run: echo hi
      - uses: docker://alpine:3.20
      - uses: ./local
  test:
    container:
      image: \"python:3.12\"
      options: --cpus 1
  empty:
    container: ''
  reusable:
    uses: org/repo/.github/workflows/x.yml@main
";
    let parsed = workflow(text);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let expected = rows(&[
        ("node:20", resolved("node:20"), "job `build`"),
        (
            "redis:7",
            resolved("redis:7"),
            "service `redis` of job `build`",
        ),
        (
            "postgres",
            resolved("postgres"),
            "service `pg` of job `build`",
        ),
        (
            "alpine:3.20",
            resolved("alpine:3.20"),
            "step 3 of job `build`",
        ),
        ("python:3.12", resolved("python:3.12"), "job `test`"),
    ]);
    assert_eq!(summary(&parsed), expected);
    // The step's span starts after `docker://`.
    let step = &parsed.images[3];
    assert_eq!(step.location.span.start, text.find("alpine").unwrap());
    let position = step.location.source.position(step.location.span.start);
    assert_eq!((position.line, position.column), (13, 24));
}

#[test]
fn matrix_values_expand_one_use_each() {
    let text = "\
jobs:
  test:
    strategy:
      matrix:
        image: [node:18, 'node:20', node:22]
    container: ${{ matrix.image }}
";
    let parsed = workflow(text);
    let values: Vec<_> = parsed.images.iter().map(|i| i.value.clone()).collect();
    assert_eq!(
        values,
        [
            resolved("node:18"),
            resolved("node:20"),
            resolved("node:22")
        ]
    );
    for image in &parsed.images {
        assert_eq!(image.written(), "${{ matrix.image }}");
        assert_eq!(image.via.len(), 1);
    }
    let via = &parsed.images[1].via[0];
    assert_eq!(via.location.text(), "node:20");
    assert_eq!(via.location.span.start, text.find("node:20").unwrap());
    assert_eq!(via.label, "`matrix.image` is `node:20` here");
}

#[test]
fn matrix_forms() {
    // (job body, expected values in order)
    let cases: &[(&str, &[&str])] = &[
        // No spaces inside the braces; text around the expression.
        (
            "strategy: {matrix: {v: ['18', '20']}}\n    container: node:${{matrix.v}}-slim",
            &["node:18-slim", "node:20-slim"],
        ),
        // `include` entries add values; a repeated value counts once.
        (
            "strategy:\n      matrix:\n        v: [a]\n        include:\n          - v: b\n          - v: a\n          - other: c\n    container: img:${{ matrix.v }}",
            &["img:a", "img:b"],
        ),
        // Defined only in `include`.
        (
            "strategy: {matrix: {include: [{v: x}]}}\n    container: img:${{ matrix.v }}",
            &["img:x"],
        ),
        // Two variables: every combination.
        (
            "strategy: {matrix: {r: [a, b], t: ['1', '2']}}\n    container: ${{ matrix.r }}:${{ matrix.t }}",
            &["a:1", "b:1", "a:2", "b:2"],
        ),
    ];
    for (body, values) in cases {
        let text = format!("jobs:\n  j:\n    {body}\n");
        let parsed = workflow(&text);
        assert!(parsed.problems.is_empty(), "{body}: {:?}", parsed.problems);
        let found: Vec<_> = parsed.images.iter().map(|i| i.value.clone()).collect();
        let values: Vec<_> = values.iter().map(|v| resolved(v)).collect();
        assert_eq!(found, values, "{body}");
        let expressions = body.matches("${{").count();
        assert!(
            parsed.images.iter().all(|i| i.via.len() == expressions),
            "{body}"
        );
    }
}

#[test]
fn other_expressions_are_unresolved() {
    // (job body, expected variables)
    let cases: &[(&str, &[&str])] = &[
        ("container: ${{ env.IMAGE }}", &["env.IMAGE"]),
        ("container: ghcr.io/x:${{ inputs.tag }}", &["inputs.tag"]),
        // A computed matrix has no literal values.
        (
            "strategy: {matrix: '${{ fromJSON(needs.a.outputs.m) }}'}\n    container: ${{ matrix.image }}",
            &["matrix.image"],
        ),
        (
            "strategy: {matrix: {image: '${{ fromJSON(x) }}'}}\n    container: ${{ matrix.image }}",
            &["matrix.image"],
        ),
        // Not in the matrix at all, or no matrix.
        (
            "strategy: {matrix: {v: [1]}}\n    container: ${{ matrix.image }}",
            &["matrix.image"],
        ),
        ("container: ${{ matrix.image }}", &["matrix.image"]),
        // A resolvable matrix value does not hide an unresolvable expression.
        (
            "strategy: {matrix: {v: [1]}}\n    container: ${{ env.R }}:${{ matrix.v }}",
            &["env.R"],
        ),
    ];
    for (body, variables) in cases {
        let text = format!("jobs:\n  j:\n    {body}\n");
        let parsed = workflow(&text);
        assert_eq!(parsed.images.len(), 1, "{body}");
        assert_eq!(
            parsed.images[0].value.without_shape(),
            unresolved(variables),
            "{body}"
        );
    }
}

#[test]
fn too_many_combinations_are_judged_per_axis_value() {
    let values: Vec<String> = (0..20).map(|i| format!("'{i}'")).collect();
    let list = values.join(", ");
    let text = format!(
        "jobs:\n  j:\n    strategy: {{matrix: {{a: [{list}], b: [{list}]}}}}\n    container: ${{{{ matrix.a }}}}:${{{{ matrix.b }}}}\n"
    );
    let parsed = workflow(&text);
    // 20 × 20 combinations: instead, every value of each axis once (1 + 19 + 19).
    assert_eq!(parsed.images.len(), 39);
    let values: Vec<_> = parsed.images.iter().map(|i| i.value.clone()).collect();
    for i in 0..20 {
        assert!(values.contains(&resolved(&format!("{i}:0"))), "{i}:0");
        assert!(values.contains(&resolved(&format!("0:{i}"))), "0:{i}");
    }
}

#[test]
fn empty_matrix_values_are_skipped() {
    let text = "jobs:\n  j:\n    strategy: {matrix: {c: ['', 'node:20']}}\n    container: ${{ matrix.c }}\n";
    let parsed = workflow(text);
    let values: Vec<_> = parsed.images.iter().map(|i| i.value.clone()).collect();
    assert_eq!(values, [resolved("node:20")]);
}

#[test]
fn actions_name_docker_images() {
    let docker = "runs:\n  using: docker\n  image: docker://ghcr.io/o/i:1\n";
    let parsed = action(docker);
    assert_eq!(
        summary(&parsed),
        rows(&[("ghcr.io/o/i:1", resolved("ghcr.io/o/i:1"), "docker action")])
    );
    let dockerfile = "runs:\n  using: 'docker'\n  image: Dockerfile\n";
    assert!(action(dockerfile).images.is_empty());
    let composite = "\
runs:
  using: composite
  steps:
    - run: echo
      shell: bash
    - uses: \"docker://busybox:${{ inputs.tag }}\"
";
    // GitHub evaluates no expression in `uses:`: not an image to expand, but an action
    // occurrence the PW001 link reports as invalid.
    let parsed = action(composite);
    assert!(parsed.images.is_empty());
    assert_eq!(parsed.actions.len(), 1);
    assert_eq!(
        parsed.actions[0].written(),
        "docker://busybox:${{ inputs.tag }}"
    );
    assert_eq!(
        parsed.actions[0].origin.to_string(),
        "step 2 of composite action"
    );
    assert!(
        action("runs:\n  using: node20\n  main: index.js\n")
            .images
            .is_empty()
    );
}

#[test]
fn invalid_yaml_is_a_problem() {
    let text = "jobs:\n  a:\n    container: [node\n";
    let source = Arc::new(SourceFile::new("ci.yml", text));
    let parsed = parse_workflow(&source);
    assert_eq!(parsed.problems.len(), 1);
    let problem = &parsed.problems[0];
    assert_eq!(
        problem.message,
        "invalid YAML: unclosed bracket '[' at line 3 column 16"
    );
    let position = source.position(problem.span.start);
    assert_eq!((position.line, position.column), (3, 16));
    assert!(parsed.images.is_empty());
}

#[test]
fn run_steps_are_scripts_mapped_back_to_the_file() {
    let text = "\
defaults:
  run:
    shell: bash
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - run: |
          pip install flask==${{ inputs.v }}
          echo done
      - run: >
          npm install
          left-pad
        shell: pwsh
  win:
    runs-on: windows-2022
    steps:
      - run: choco install git
";
    let parsed = workflow(text);
    assert_eq!(parsed.scripts.len(), 3);
    let first = &parsed.scripts[0];
    assert!(first.dialect.is_posix());
    // The expression is masked with a same-length placeholder.
    assert_eq!(
        first.text.as_str(),
        "pip install flask==_______________\necho done\n"
    );
    // `flask==…` maps to its exact bytes in the block scalar.
    let word = first.text.as_str().find("flask").unwrap_or(0);
    let span = first
        .text
        .original_span(crate::model::location::Span::new(word, word + 5));
    assert_eq!(&text[span.start..span.end], "flask");
    assert_eq!(span.start, text.find("flask").unwrap_or(0));
    // A folded scalar in pwsh is not POSIX.
    assert!(!parsed.scripts[1].dialect.is_posix());
    assert_eq!(parsed.scripts[1].text.as_str(), "npm install left-pad\n");
    // The workflow's default `bash` applies on Windows too (Git Bash).
    assert!(parsed.scripts[2].dialect.is_posix());
    // Without a default, a Windows runner runs `pwsh`.
    let windows =
        workflow("jobs:\n  w:\n    runs-on: windows-2022\n    steps:\n      - run: dir\n");
    assert!(!windows.scripts[0].dialect.is_posix());
}
