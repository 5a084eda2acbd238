use super::*;
use crate::model::level::Level;

fn scan(text: &str) -> ParsedYaml {
    parse_k8s(&Arc::new(SourceFile::new("deploy.yaml", text)), false)
}

/// (text under the location, context) of each image.
fn summary(parsed: &ParsedYaml) -> Vec<(String, String)> {
    let row = |image: &ImageUse| {
        assert_eq!(
            image.value,
            ImageValue::Resolved(image.written().to_owned())
        );
        (
            image.written().to_owned(),
            image
                .origin
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
    };
    parsed.images.iter().map(row).collect()
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: \"app:1.0\"
      containers:
        - name: app
          image: app:1.0
        - image: envoyproxy/envoy
      ephemeralContainers:
        - {name: debug, image: busybox}
";

#[test]
fn deployment_containers_with_spans_and_contexts() {
    let parsed = scan(DEPLOYMENT);
    assert!(parsed.problems.is_empty() && parsed.notices.is_empty());
    let expected = [
        ("app:1.0", "init container `migrate` of Deployment `web`"),
        ("app:1.0", "container `app` of Deployment `web`"),
        ("envoyproxy/envoy", "container 2 of Deployment `web`"),
        ("busybox", "ephemeral container `debug` of Deployment `web`"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(summary(&parsed), expected);
    let source = &parsed.images[0].location.source;
    let position = source.position(parsed.images[0].location.span.start);
    assert_eq!((position.line, position.column), (10, 19));
    let position = source.position(parsed.images[3].location.span.start);
    assert_eq!((position.line, position.column), (16, 32));
}

#[test]
fn every_workload_kind_has_its_pod_spec_path() {
    let containers = "containers: [{name: c, image: img}]";
    // (kind, document body leading to the pod spec's containers)
    let cases = [
        ("Pod", format!("spec: {{{containers}}}")),
        (
            "PodTemplate",
            format!("template: {{spec: {{{containers}}}}}"),
        ),
        (
            "Deployment",
            format!("spec: {{template: {{spec: {{{containers}}}}}}}"),
        ),
        (
            "StatefulSet",
            format!("spec: {{template: {{spec: {{{containers}}}}}}}"),
        ),
        (
            "DaemonSet",
            format!("spec: {{template: {{spec: {{{containers}}}}}}}"),
        ),
        (
            "ReplicaSet",
            format!("spec: {{template: {{spec: {{{containers}}}}}}}"),
        ),
        (
            "ReplicationController",
            format!("spec: {{template: {{spec: {{{containers}}}}}}}"),
        ),
        (
            "Job",
            format!("spec: {{template: {{spec: {{{containers}}}}}}}"),
        ),
        (
            "CronJob",
            format!("spec: {{jobTemplate: {{spec: {{template: {{spec: {{{containers}}}}}}}}}}}"),
        ),
    ];
    for (kind, body) in &cases {
        let text = format!("apiVersion: v1\nkind: {kind}\nmetadata: {{name: n}}\n{body}\n");
        let parsed = scan(&text);
        let expected = vec![("img".to_owned(), format!("container `c` of {kind} `n`"))];
        assert_eq!(summary(&parsed), expected, "{kind}");
    }
    // Wrong paths and other kinds name no images.
    let misses = [
        format!("kind: Deployment\nspec: {{{containers}}}"),
        format!("kind: CronJob\nspec: {{template: {{spec: {{{containers}}}}}}}"),
        format!("spec: {{{containers}}}"),
        "kind: Pod\nspec: {containers: [{name: c, image: ''}, {name: d}]}".to_owned(),
    ];
    for text in &misses {
        assert!(scan(text).images.is_empty(), "{text}");
    }
}

#[test]
fn lists_and_multi_document_files() {
    let text = "\
apiVersion: v1
kind: List
items:
  - kind: Pod
    metadata: {name: a}
    spec: {containers: [{name: c, image: one}]}
  - kind: ConfigMap
---
# second document
kind: Pod
metadata:
  generateName: b-
spec:
  containers: [{name: c, image: two}]
";
    let expected = [
        ("one".to_owned(), "container `c` of Pod `a`".to_owned()),
        ("two".to_owned(), "container `c` of Pod".to_owned()),
    ];
    assert_eq!(summary(&scan(text)), expected);
}

#[test]
fn json_manifests_have_exact_spans() {
    let text = "{\r\n  \"apiVersion\": \"v1\",\r\n  \"kind\": \"Pod\",\r\n  \"metadata\": {\"name\": \"p\"},\r\n  \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx:1.27\"}]}\r\n}\r\n";
    let parsed = scan(text);
    assert_eq!(parsed.images.len(), 1);
    let image = &parsed.images[0];
    assert_eq!(image.written(), "nginx:1.27");
    assert_eq!(image.location.span.start, text.find("nginx").unwrap());
    let position = image.location.source.position(image.location.span.start);
    assert_eq!((position.line, position.column), (5, 51));
    assert!(looks_like_k8s(text));
}

const TEMPLATED: &str = "\
# {{ not this one }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include \"chart.fullname\" . }}
spec:
  template:
    spec:
      containers:
        - image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"
        - image: nginx:latest
";

#[test]
fn chart_templates_are_skipped_with_a_notice() {
    let source = Arc::new(SourceFile::new("chart/templates/deploy.yaml", TEMPLATED));
    let parsed = parse_k8s(&source, true);
    assert!(parsed.images.is_empty() && parsed.problems.is_empty());
    assert_eq!(parsed.notices.len(), 1);
    let message = &parsed.notices[0].message;
    assert!(
        message.starts_with(
            "helm chart template (a `Chart.yaml` is beside its `templates/`): not scanned"
        ),
        "{message}"
    );
    assert!(message.contains("line 5"), "{message}");
    // A chart's static file is scanned.
    let parsed = parse_k8s(&Arc::new(SourceFile::new("t.yaml", DEPLOYMENT)), true);
    assert_eq!(parsed.images.len(), 4);
}

#[test]
fn templates_elsewhere_are_masked_and_scanned() {
    let parsed = scan(TEMPLATED);
    assert!(parsed.notices.is_empty() && parsed.problems.is_empty());
    let values: Vec<(&str, ImageValue)> = parsed
        .images
        .iter()
        .map(|image| (image.written(), image.value.clone()))
        .collect();
    let template = |name: &str| Unknown::new(name, UnknownKind::Template);
    assert_eq!(
        values,
        vec![
            (
                "{{ .Values.image.repository }}:{{ .Values.image.tag }}",
                ImageValue::Unresolved(Unresolved {
                    unknowns: vec![
                        template(".Values.image.repository"),
                        template(".Values.image.tag")
                    ],
                    shape: Some(vec![
                        crate::model::image::Part::Unknown,
                        crate::model::image::Part::Text(":".to_owned()),
                        crate::model::image::Part::Unknown,
                    ]),
                }),
            ),
            (
                "nginx:latest",
                ImageValue::Resolved("nginx:latest".to_owned())
            ),
        ]
    );
    // The object's name is the action as written, not its mask.
    let Syntax::Kubernetes(manifests) = &parsed.syntax else {
        panic!("not a manifest")
    };
    let name = manifests.objects[0].name.as_deref().unwrap_or("");
    assert_eq!(name, "{{ include \"chart.fullname\" . }}");
    // Braces only in comments do not make a template.
    let commented = format!("# {{{{ .Values.x }}}}\n{}  # {{{{ y }}}}\n", DEPLOYMENT);
    let parsed = scan(&commented);
    assert!(parsed.notices.is_empty());
    assert_eq!(parsed.images.len(), 4);
}

#[test]
fn templates_that_do_not_parse_masked_are_skipped_with_a_notice() {
    let text = "{{- if .Values.enabled }}\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: a, image: nginx:latest}\n{{- end }}\n";
    let parsed = scan(text);
    assert!(parsed.images.is_empty() && parsed.problems.is_empty());
    assert_eq!(parsed.notices.len(), 1);
    let message = &parsed.notices[0].message;
    assert!(
        message.starts_with("template actions (`{{ … }}`, first at line 1): not valid YAML"),
        "{message}"
    );
    // Without actions, invalid YAML is still a problem.
    assert_eq!(scan("kind: Pod\nspec: [\n").problems.len(), 1);
}

#[test]
fn placeholders_with_defaults_are_judged_by_their_default() {
    // (image, value, related labels)
    let cases: &[(&str, ImageValue, &[&str])] = &[
        (
            "${IMG:-nginx:1.25.3}",
            ImageValue::Resolved("nginx:1.25.3".to_owned()),
            &["`IMG` is not set here, so its default `nginx:1.25.3` is used"],
        ),
        (
            "${REG-docker.io}/nginx:${TAG:-1.25.3}",
            ImageValue::Resolved("docker.io/nginx:1.25.3".to_owned()),
            &[
                "`REG` is not set here, so its default `docker.io` is used",
                "`TAG` is not set here, so its default `1.25.3` is used",
            ],
        ),
        ("${IMG}", ImageValue::unresolved_variables(["IMG"]), &[]),
        (
            "${REG}/nginx:${TAG:-1}",
            ImageValue::unresolved_variables(["REG"]),
            &["`TAG` is not set here, so its default `1` is used"],
        ),
        // ko builds it from source
        (
            "ko://github.com/org/app/cmd/app",
            ImageValue::Resolved(String::new()),
            &[],
        ),
        // `$$` is a literal dollar, and no placeholder
        ("app:$$x", ImageValue::Resolved("app:$x".to_owned()), &[]),
        // not a placeholder: the text as written
        (
            "app:${unclosed",
            ImageValue::Resolved("app:${unclosed".to_owned()),
            &[],
        ),
    ];
    for (image, value, labels) in cases {
        let text =
            format!("kind: Pod\nspec:\n  containers:\n  - name: a\n    image: \"{image}\"\n");
        let parsed = scan(&text);
        let Some(use_) = parsed.images.first() else {
            assert!(image.starts_with("ko://"), "{image}");
            continue;
        };
        assert_eq!(use_.value.without_shape(), *value, "{image}");
        let got: Vec<&str> = use_.via.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(got, *labels, "{image}");
        // Each related location is the placeholder itself.
        for related in &use_.via {
            assert!(
                related.location.text().starts_with("${"),
                "{}",
                related.location.text()
            );
            assert!(
                related.location.text().ends_with('}'),
                "{}",
                related.location.text()
            );
        }
    }
}

#[test]
fn containers_of_any_kind_are_found_under_spec() {
    let text = "\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: hello}
spec:
  templates:
  - name: whalesay
    container: {image: docker/whalesay:latest, command: [cowsay]}
  - name: gen
    script:
      image: python:3.12
      source: print(1)
  - name: main
    steps:
    - - {name: a, template: whalesay}
  - name: set
    containerSet:
      containers:
      - {name: one, image: alpine:3.19, command: [sh]}
  volumes:
  - name: ceph
    rbd: {image: foo, monitors: [m], pool: kube}
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: build}
spec:
  steps:
  - name: compile
    image: golang:1.22
    script: go build
  sidecars:
  - {name: docker, image: docker:dind}
---
apiVersion: example.com/v1
kind: Widget
spec:
  containers:
  - image: not-a-container-without-other-keys
";
    let parsed = scan(text);
    let expected = [
        (
            "docker/whalesay:latest",
            "container `whalesay` of Workflow `hello`",
        ),
        ("python:3.12", "script `gen` of Workflow `hello`"),
        ("alpine:3.19", "container `one` of Workflow `hello`"),
        ("golang:1.22", "step `compile` of Task `build`"),
        ("docker:dind", "sidecar `docker` of Task `build`"),
    ];
    let got: Vec<(String, String)> = parsed
        .images
        .iter()
        .map(|image| {
            let origin = image
                .origin
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            (image.written().to_owned(), origin)
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn duplicate_keys_are_errors_only_where_judged_values_are() {
    // (manifest, levels of the duplicate-key problems)
    let cases: &[(&str, &[Level])] = &[
        // a second `requests:`: nothing judged in it
        (
            "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x:1\n    resources:\n      requests: {cpu: 1}\n      requests: {cpu: 2}\n",
            &[Level::Note],
        ),
        (
            "kind: Service\nspec:\n  selector: {a: b}\n  selector: {c: d}\n",
            &[Level::Note],
        ),
        // a second `image:`, or a list that holds one: judged
        (
            "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x:1\n    image: x:latest\n",
            &[Level::Error],
        ),
        (
            "kind: Pod\nspec:\n  containers: []\n  containers:\n  - {name: a, image: x}\n",
            &[Level::Error],
        ),
    ];
    for (text, levels) in cases {
        let parsed = scan(text);
        let got: Vec<Level> = parsed.problems.iter().map(|p| p.level).collect();
        assert_eq!(got, *levels, "{text}");
    }
}

#[test]
fn sniffing_manifests() {
    // (text, looks like a manifest)
    let cases = [
        ("apiVersion: v1\nkind: Pod\n", true),
        ("\u{feff}kind: Pod\r\napiVersion: v1\r\n", true),
        ("a: 1\n---\napiVersion: v1\nkind: Service\n", true),
        // a template action at the top
        (
            "{{- if .Values.on }}\napiVersion: v1\nkind: Pod\n{{- end }}\n",
            true,
        ),
        (
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}",
            true,
        ),
        // Both keys must be top level, in the same document.
        ("apiVersion: v1\n---\nkind: Pod\n", false),
        ("spec:\n  apiVersion: v1\n  kind: Pod\n", false),
        ("services:\n  web:\n    image: nginx\n", false),
        ("{\"name\": \"package\"}", false),
        ("", false),
    ];
    for (text, expected) in cases {
        assert_eq!(looks_like_k8s(text), expected, "{text:?}");
    }
}

#[test]
fn invalid_yaml_is_a_problem() {
    let text = "kind: Pod\nspec:\n  containers: [\n";
    let parsed = scan(text);
    assert_eq!(parsed.problems.len(), 1);
    assert_eq!(parsed.problems[0].span.start, text.find('[').unwrap());
}
