use super::*;

fn scan(text: &str) -> ParsedYaml {
    parse_k8s(&Arc::new(SourceFile::new("deploy.yaml", text)))
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
        format!("kind: Service\nspec: {{{containers}}}"),
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

#[test]
fn helm_templates_are_skipped_with_a_notice() {
    let template = "\
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
";
    let parsed = scan(template);
    assert!(parsed.images.is_empty() && parsed.problems.is_empty());
    assert_eq!(parsed.notices.len(), 1);
    let message = &parsed.notices[0].message;
    assert!(
        message.starts_with("helm template: not scanned"),
        "{message}"
    );
    assert!(message.contains("line 5"), "{message}");
    // Braces only in comments do not make a template.
    let commented = format!("# {{{{ .Values.x }}}}\n{}  # {{{{ y }}}}\n", DEPLOYMENT);
    let parsed = scan(&commented);
    assert!(parsed.notices.is_empty());
    assert_eq!(parsed.images.len(), 4);
}

#[test]
fn sniffing_manifests() {
    // (text, looks like a manifest)
    let cases = [
        ("apiVersion: v1\nkind: Pod\n", true),
        ("\u{feff}kind: Pod\r\napiVersion: v1\r\n", true),
        ("a: 1\n---\napiVersion: v1\nkind: Service\n", true),
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

#[test]
fn placeholders_are_unresolved_variables() {
    // (image, variables)
    let cases: &[(&str, &[&str])] = &[
        ("$IMAGE_URL", &["IMAGE_URL"]),
        ("gcr.io/${PROJECT_ID}/app:${TAG}", &["PROJECT_ID", "TAG"]),
        ("nginx:1.27.2", &[]),
        ("app:$", &[]),          // a lone `$` names nothing
        ("app:${unclosed", &[]), // not a placeholder
        ("app:$1", &[]),         // positional, not a name
    ];
    for (image, expected) in cases {
        assert_eq!(super::placeholder_variables(image), *expected, "{image}");
    }
}
