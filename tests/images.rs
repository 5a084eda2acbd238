//! Issue #9: image findings on real repositories. One fixture directory per class under
//! `tests/fixtures/regressions/issue-9/`, with the exact span of every image finding (PW1xx and
//! PW001) and text + SARIF snapshots.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::{covered_text, fixtures, hits, scan, scan_json, scan_sarif};
use serde_json::Value;

/// (rule, path, start line, start column, end line, end column, covered text)
type Row = (&'static str, &'static str, u64, u64, u64, u64, &'static str);

/// (class directory, policy, every PW001 and PW1xx finding)
const CLASSES: &[(&str, &str, &[Row])] = &[
    (
        "class1-partial",
        "tag",
        &[
            (
                "PW101",
                ".github/workflows/ci.yml",
                5,
                16,
                5,
                53,
                "${{ vars.REGISTRY }}/ci-runner:latest",
            ),
            (
                "PW102",
                ".github/workflows/ci.yml",
                8,
                16,
                8,
                45,
                "${{ vars.REGISTRY }}/postgres",
            ),
            (
                "PW101",
                "Dockerfile",
                4,
                6,
                4,
                32,
                "${REGISTRY}/toolbox:latest",
            ),
            ("PW102", "Dockerfile", 5, 6, 5, 24, "${REGISTRY}/alpine"),
            (
                "PW101",
                "Dockerfile",
                6,
                6,
                6,
                60,
                "$PROJECT-docker.pkg.dev/$PROJECT/images/builder:latest",
            ),
            (
                "PW103",
                "Dockerfile",
                7,
                6,
                7,
                31,
                "${REGISTRY}/python:${TAG}",
            ),
            ("PW102", "compose.yaml", 3, 12, 3, 24, "${REG}/redis"),
            (
                "PW103",
                "compose.yaml",
                5,
                13,
                5,
                34,
                "${REG}/web:${WEB_TAG}",
            ),
            (
                "PW101",
                "deploy.yaml",
                10,
                18,
                10,
                41,
                "${REGISTRY}/shop:latest",
            ),
            (
                "PW103",
                "deploy.yaml",
                12,
                18,
                12,
                52,
                "${REGISTRY}/sidecar:${SIDECAR_TAG}",
            ),
        ],
    ),
    (
        "class2-expressions",
        "tag",
        &[
            (
                "PW101",
                ".github/workflows/ci.yml",
                16,
                16,
                16,
                39,
                "${{ matrix.img || '' }}",
            ),
            (
                "PW101",
                ".github/workflows/ci.yml",
                25,
                16,
                25,
                90,
                "${{ github.event_name == 'push' && 'postgres:latest' || 'postgres:16.4' }}",
            ),
            (
                "PW103",
                ".github/workflows/ci.yml",
                29,
                16,
                29,
                35,
                "${{ inputs.image }}",
            ),
        ],
    ),
    (
        "class3-tags",
        "version",
        &[
            (
                "PW104",
                "Dockerfile",
                7,
                6,
                7,
                35,
                "eclipse-temurin:21-jdk-alpine",
            ),
            ("PW104", "Dockerfile", 8, 6, 8, 24, "node:18-alpine3.18"),
            ("PW104", "Dockerfile", 9, 6, 9, 23, "python:alpine3.20"),
            ("PW104", "Dockerfile", 10, 6, 10, 18, "gradle:jdk21"),
        ],
    ),
    (
        "class4-templates",
        "tag",
        &[
            (
                "PW101",
                "manifests/annotated.yaml",
                12,
                18,
                12,
                30,
                "nginx:latest",
            ),
            (
                "PW103",
                "manifests/argo-params.yaml",
                13,
                17,
                13,
                44,
                "{{inputs.parameters.image}}",
            ),
        ],
    ),
    (
        "class5-crds",
        "tag",
        &[
            (
                "PW102",
                "knative.yaml",
                9,
                18,
                9,
                39,
                "ghcr.io/example/hello",
            ),
            ("PW101", "knative.yaml", 26, 26, 26, 40, "trainer:latest"),
            ("PW101", "tekton.yaml", 8, 14, 8, 27, "golang:latest"),
            ("PW102", "workflow.yaml", 14, 16, 14, 31, "docker/whalesay"),
        ],
    ),
    (
        "class6-defaults",
        "digest",
        &[
            ("PW105", "deploy.yaml", 8, 14, 8, 34, "${IMG:-nginx:1.25.3}"),
            (
                "PW101",
                "deploy.yaml",
                10,
                14,
                10,
                51,
                "${PROXY_IMG:-envoyproxy/envoy:latest}",
            ),
            ("PW103", "deploy.yaml", 12, 14, 12, 27, "${WORKER_IMG}"),
        ],
    ),
    (
        "class7-duplicates",
        "tag",
        &[
            ("PW001", "compose.yaml", 5, 5, 5, 19, "container_name"),
            ("PW001", "deploy.yaml", 8, 3, 8, 11, "selector"),
            ("PW001", "deploy.yaml", 15, 11, 15, 16, "image"),
            ("PW001", "deploy.yaml", 18, 13, 18, 21, "requests"),
        ],
    ),
    (
        "class8-syntax",
        "version",
        &[
            ("PW104", "Dockerfile", 1, 10, 1, 29, "docker/dockerfile:1"),
            (
                "PW102",
                "bare/Dockerfile",
                1,
                11,
                1,
                28,
                "docker/dockerfile",
            ),
        ],
    ),
    (
        "class9-platform",
        "digest",
        &[
            (
                "PW105",
                ".github/workflows/ci.yml",
                5,
                16,
                5,
                53,
                "ghcr.io/example/app:${{ github.sha }}",
            ),
            (
                "PW105",
                ".github/workflows/ci.yml",
                8,
                16,
                8,
                80,
                "ghcr.io/example/api:pr-${{ github.event.pull_request.head.sha }}",
            ),
            ("PW105", "Dockerfile", 1, 6, 1, 19, "alpine:3.20.3"),
            ("PW105", "Dockerfile", 2, 6, 2, 19, "alpine:3.20.3"),
            ("PW102", "Dockerfile", 6, 32, 6, 47, "tool-$BUILDARCH"),
            (
                "PW105",
                "Dockerfile",
                7,
                6,
                7,
                31,
                "golang:1.22.5-$TARGETARCH",
            ),
        ],
    ),
];

fn dir(class: &str) -> PathBuf {
    fixtures().join("regressions/issue-9").join(class)
}

fn findings(report: &Value) -> Vec<Value> {
    report["findings"].as_array().unwrap().clone()
}

#[test]
fn every_class_gives_exact_spans() {
    for (class, policy, expected) in CLASSES {
        let cwd = dir(class);
        let report = scan_json(&cwd, &["--policy", policy]);
        let got: Vec<_> = hits(&report)
            .into_iter()
            .filter(|hit| hit.rule.starts_with("PW1") || hit.rule == "PW001")
            .map(|hit| {
                let text = covered_text(&cwd, &hit);
                (
                    hit.rule,
                    hit.path,
                    hit.start.0,
                    hit.start.1,
                    hit.end.0,
                    hit.end.1,
                    text,
                )
            })
            .collect();
        let want: Vec<_> = expected
            .iter()
            .map(|(rule, path, l1, c1, l2, c2, text)| {
                (
                    (*rule).to_owned(),
                    (*path).to_owned(),
                    *l1,
                    *c1,
                    *l2,
                    *c2,
                    (*text).to_owned(),
                )
            })
            .collect();
        assert_eq!(got, want, "{class} at {policy}");
    }
}

#[test]
fn text_snapshots() {
    for (class, policy, _) in CLASSES {
        let (code, stdout, _) = scan(&dir(class), &["--policy", policy, "--fail-on", "never"]);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("text_{class}"), stdout);
    }
}

#[test]
fn sarif_snapshots() {
    for (class, policy, _) in CLASSES {
        let log = scan_sarif(&dir(class), &["--policy", policy]);
        insta::assert_json_snapshot!(format!("sarif_{class}"), log["runs"][0]["results"]);
    }
}

/// Class 1: the message says where the unknown values stand.
#[test]
fn partial_references_say_what_the_variables_hold() {
    let report = scan_json(&dir("class1-partial"), &["--policy", "tag"]);
    let message = |path: &str, line: u64| -> String {
        findings(&report)
            .iter()
            .find(|f| f["path"] == path && f["start"]["line"] == line)
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert!(message("Dockerfile", 4).contains("(registry comes from `$REGISTRY`)"));
    assert!(
        message("Dockerfile", 6).contains("(registry and repository path come from `$PROJECT`)")
    );
    assert!(
        message(".github/workflows/ci.yml", 5)
            .contains("(registry comes from `${{ vars.REGISTRY }}`)")
    );
    // A literal digest pins it whatever the registry: no finding on line 8, at any policy.
    let strict = scan_json(&dir("class1-partial"), &["--policy", "digest"]);
    assert!(!findings(&strict).iter().any(|f| f["path"] == "Dockerfile"
        && f["start"]["line"] == 8
        && f["rule"].as_str().unwrap().starts_with("PW1")));
}

/// Class 4: what is not scanned is said, and is no finding.
#[test]
fn skipped_templates_are_notifications() {
    let report = scan_json(&dir("class4-templates"), &["--policy", "tag"]);
    let notes: Vec<(String, String)> = report["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["path"].as_str().unwrap().to_owned(),
                n["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(notes[0].0, "chart/templates/deployment.yaml");
    assert!(
        notes[0].1.starts_with("helm chart template"),
        "{}",
        notes[0].1
    );
    assert_eq!(notes[1].0, "manifests/wrapped.yaml");
    assert!(notes[1].1.starts_with("template actions"), "{}", notes[1].1);
    // The chart's `Chart.yaml` decides: the same template elsewhere is masked and scanned.
    let tmp = tempfile::tempdir().unwrap();
    let template =
        std::fs::read_to_string(dir("class4-templates/chart/templates/deployment.yaml")).unwrap();
    std::fs::create_dir(tmp.path().join("templates")).unwrap();
    std::fs::write(tmp.path().join("templates/deployment.yaml"), template).unwrap();
    let report = scan_json(tmp.path(), &["--policy", "tag"]);
    let rules: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .filter(|rule| rule.starts_with("PW1"))
        .collect();
    assert_eq!(rules, vec!["PW103"]);
}

/// Class 6: the default's related location is the placeholder.
#[test]
fn placeholder_defaults_point_at_the_placeholder() {
    let report = scan_json(&dir("class6-defaults"), &["--policy", "digest"]);
    let finding = findings(&report)
        .into_iter()
        .find(|f| f["rule"] == "PW101")
        .unwrap();
    let related = &finding["related"][0];
    assert_eq!(
        related["label"],
        "`PROXY_IMG` is not set here, so its default `envoyproxy/envoy:latest` is used"
    );
    assert_eq!(
        (
            related["start"]["line"].as_u64(),
            related["start"]["column"].as_u64()
        ),
        (Some(10), Some(14))
    );
    assert_eq!(related["end"]["column"].as_u64(), Some(51));
}

/// Class 7: only the duplicate `image:` is an error; the default gate passes the others.
#[test]
fn duplicate_keys_nobody_judges_are_notes() {
    let report = scan_json(&dir("class7-duplicates"), &["--policy", "tag"]);
    let levels: Vec<(String, String)> = findings(&report)
        .iter()
        .filter(|f| f["rule"] == "PW001")
        .map(|f| {
            (
                f["message"]
                    .as_str()
                    .unwrap()
                    .split(':')
                    .next()
                    .unwrap()
                    .to_owned(),
                f["level"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("duplicate key `container_name`", "note"),
        ("duplicate key `selector`", "note"),
        ("duplicate key `image`", "error"),
        ("duplicate key `requests`", "note"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(levels, expected);
    let dir = dir("class7-duplicates");
    let (code, _, _) = scan(&dir, &["compose.yaml"]);
    assert_eq!(code, 0, "a note-level PW001 does not fail the default gate");
}

/// Class 9: this run's commit is a pinned build below policy `digest`, and no message
/// advises a default.
#[test]
fn the_runs_own_commit_is_pinned_below_digest() {
    for policy in ["tag", "version"] {
        let report = scan_json(&dir("class9-platform"), &["--policy", policy]);
        let image_findings: Vec<Value> = findings(&report)
            .into_iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with("PW1"))
            .filter(|f| f["path"] != "Dockerfile" || f["start"]["line"] != 6)
            .collect();
        assert!(image_findings.is_empty(), "{policy}: {image_findings:#?}");
    }
    let report = scan_json(&dir("class9-platform"), &["--policy", "digest"]);
    for finding in findings(&report) {
        let message = finding["message"].as_str().unwrap();
        assert!(!message.contains("default"), "{message}");
    }
}
