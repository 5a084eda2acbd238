//! Every rule against its `bad` and `good` fixtures: exact spans, the text they cover, and
//! text + SARIF snapshots.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixtures, hits, owned, rule_hits, scan, scan_json, scan_sarif};

/// (rule, fixture dir under tests/fixtures, policy, expected hits of that rule:
/// (path, start line, start column, end line, end column, covered text)).
type Expected = &'static [(&'static str, u64, u64, u64, u64, &'static str)];

const BAD: &[(&str, &str, &str, Expected)] = &[
    (
        "PW002",
        "PW002/bad",
        "version",
        &[
            (".env", 1, 31, 1, 36, "PW999"),       // unknown, nothing close
            (".env", 2, 36, 2, 41, "PW403"),       // PW403 runs on the compose file beside it
            ("Dockerfile", 1, 25, 1, 30, "PW104"), // ignore-file: no floating tag in the file
            ("Dockerfile", 3, 20, 3, 25, "PW101"), // line above: no `latest` on line 4
            ("Dockerfile", 5, 20, 5, 25, "PW4O1"), // unknown: did you mean PW401
            ("Dockerfile", 7, 1, 7, 25, "# pinwarden:ingore PW401"), // a typo in the keyword
            ("Dockerfile", 8, 1, 8, 19, "# pinwarden:ignore"), // no rule named
            (
                "Dockerfile",
                9,
                1,
                9,
                61,
                "# pinwarden:ignore-file PW105 -- below the content: too late",
            ), // misplaced ignore-file (and PW105 does not run at version: not unused)
            ("docker-compose.yml", 3, 44, 3, 60, "image-latest-tag"), // a name, trailing
        ],
    ),
    (
        "PW101",
        "PW101/bad",
        "tag",
        &[
            // one value per literal matrix entry: only `latest` is flagged
            (
                ".github/workflows/ci.yml",
                9,
                14,
                9,
                41,
                "python:${{ matrix.python }}",
            ),
            (
                ".github/workflows/ci.yml",
                12,
                16,
                12,
                31,
                "postgres:latest",
            ),
            (".github/workflows/ci.yml", 14, 24, 14, 37, "alpine:latest"), // after `docker://`
            ("Dockerfile", 3, 6, 3, 19, "python:latest"),
            ("Dockerfile", 4, 28, 4, 41, "alpine:latest"), // RUN --mount=...,from=
            ("Dockerfile", 5, 6, 5, 22, "node:${NODE_TAG}"), // ARG default `latest`
            ("Dockerfile", 6, 13, 6, 25, "nginx:latest"),  // COPY --from
            ("action.yml", 5, 19, 5, 46, "ghcr.io/example/tool:latest"),
            ("composite/action.yml", 6, 22, 6, 36, "busybox:latest"),
            // an anchor merged into two services: the anchor's text, once per use
            ("docker-compose.yml", 2, 10, 2, 22, "redis:latest"),
            ("docker-compose.yml", 2, 10, 2, 22, "redis:latest"),
            ("docker-compose.yml", 9, 13, 9, 31, "postgres:${PG_TAG}"), // single-quoted, .env
            ("docker-compose.yml", 10, 17, 10, 29, "nginx:latest"),     // flow style, quoted
            ("k8s.yaml", 7, 14, 7, 26, "nginx:latest"),
            ("k8s.yaml", 21, 23, 21, 37, "busybox:latest"), // second document, CronJob
        ],
    ),
    (
        "PW102",
        "PW102/bad",
        "tag",
        &[
            (".github/workflows/ci.yml", 5, 16, 5, 20, "node"),
            (".github/workflows/ci.yml", 8, 16, 8, 24, "postgres"),
            (".github/workflows/ci.yml", 10, 24, 10, 30, "alpine"),
            ("Dockerfile", 1, 6, 1, 12, "ubuntu"),
            ("Dockerfile", 2, 6, 2, 29, "localhost:5000/team/app"),
            ("Dockerfile", 3, 13, 3, 20, "busybox"),
            ("action.yml", 5, 19, 5, 39, "ghcr.io/example/tool"),
            ("compose.yaml", 3, 12, 3, 17, "redis"),
            ("compose.yaml", 5, 12, 5, 35, "localhost:5000/team/app"),
            ("pod.yaml", 7, 33, 7, 38, "nginx"), // a JSON manifest
        ],
    ),
    (
        "PW103",
        "PW103/bad",
        "tag",
        &[
            (
                ".github/workflows/ci.yml",
                8,
                16,
                8,
                35,
                "${{ inputs.image }}",
            ),
            ("Dockerfile", 3, 6, 3, 19, "${BASE_IMAGE}"),
            ("Dockerfile", 4, 6, 4, 19, "python:${TAG}"),
            ("Dockerfile", 5, 6, 5, 22, "node:$UNDECLARED"),
            ("docker-compose.yml", 3, 12, 3, 34, "example/app:${APP_TAG}"),
            (
                "empty-default/Dockerfile",
                2,
                6,
                2,
                25,
                "alpine:${EMPTY_TAG}",
            ), // `ARG EMPTY_TAG=`
            ("k8s.yaml", 8, 14, 8, 24, "$IMAGE_URL"), // envsubst placeholder
        ],
    ),
    (
        "PW104",
        "PW104/bad",
        "version",
        &[
            (".github/workflows/ci.yml", 5, 16, 5, 24, "python:3"),
            (".github/workflows/ci.yml", 7, 24, 7, 35, "alpine:edge"),
            ("Dockerfile", 1, 6, 1, 20, "node:18-alpine"),
            ("Dockerfile", 2, 6, 2, 14, "python:3"),
            ("Dockerfile", 3, 6, 3, 26, "debian:bookworm-slim"),
            ("Dockerfile", 4, 6, 4, 18, "nginx:stable"),
            ("docker-compose.yml", 3, 12, 3, 26, "node:18-alpine"),
            ("k8s.yaml", 7, 42, 7, 54, "nginx:stable"),
        ],
    ),
    (
        "PW105",
        "PW105/bad",
        "digest",
        &[
            (".github/workflows/ci.yml", 7, 16, 7, 29, "postgres:16.4"),
            ("Dockerfile", 1, 6, 1, 24, "python:3.12.7-slim"),
            ("Dockerfile", 2, 13, 2, 25, "nginx:1.27.2"),
            ("action.yml", 5, 19, 5, 32, "alpine:3.20.3"),
            ("docker-compose.yml", 3, 12, 3, 23, "redis:7.4.1"),
            ("k8s.yaml", 8, 31, 8, 45, "busybox:1.37.0"),
            ("k8s.yaml", 11, 18, 11, 39, "example/migrate:2.3.1"),
        ],
    ),
    (
        "PW401",
        "PW401/bad",
        "tag",
        &[
            ("Dockerfile", 6, 1, 6, 5, "FROM"), // no USER; the builder's root is exempt
            ("docker-compose.yml", 4, 11, 4, 15, "root"),
            ("docker-compose.yml", 8, 12, 8, 18, "0:1000"),
            ("docker-compose.yml", 12, 11, 12, 20, "${RUN_AS}"), // `.env`: RUN_AS=0
            ("inherited/Dockerfile", 4, 1, 4, 5, "FROM"),        // inherits `USER root:root`
            ("k8s.yaml", 8, 20, 8, 21, "0"), // pod level, not overridden by `api`
            ("k8s.yaml", 28, 23, 28, 28, "false"),
            ("k8s.yaml", 32, 20, 32, 21, "0"),
            ("root/Dockerfile", 6, 6, 6, 27, "${APP_UID}:${APP_UID}"), // ARG default 0
            ("scratch/Dockerfile", 1, 1, 1, 5, "FROM"),
        ],
    ),
    (
        "PW402",
        "PW402/bad",
        "tag",
        &[
            ("docker-compose.yml", 2, 3, 2, 6, "web"),
            ("docker-compose.yml", 4, 3, 4, 6, "api"),
            (
                "docker-compose.yml",
                10,
                21,
                10,
                44,
                "no-new-privileges:false",
            ),
            ("docker-compose.yml", 11, 3, 11, 7, "base"),
            ("docker-compose.yml", 13, 3, 13, 8, "child"), // extends `base`
            ("k8s.yaml", 9, 9, 9, 19, "privileged"),
            ("k8s.yaml", 14, 9, 14, 33, "allowPrivilegeEscalation"),
        ],
    ),
    (
        "PW403",
        "PW403/bad",
        "tag",
        &[
            (".env", 1, 1, 1, 8, "PG_PASS"),        // `DB_PASSWORD=${PG_PASS}`
            (".env", 2, 1, 2, 13, "STRIPE_TOKEN"),  // a bare `- STRIPE_TOKEN`
            (".env", 3, 1, 3, 14, "SMTP_PASSWORD"), // `env_file: .env`
            (".github/workflows/ci.yml", 3, 3, 3, 12, "NPM_TOKEN"),
            (
                ".github/workflows/ci.yml",
                11,
                11,
                11,
                28,
                "POSTGRES_PASSWORD",
            ),
            (".github/workflows/ci.yml", 17, 11, 17, 19, "password"),
            (".github/workflows/ci.yml", 20, 11, 20, 21, "API_SECRET"),
            (".github/workflows/ci.yml", 24, 7, 24, 17, "deploy-key"),
            ("Dockerfile", 1, 5, 1, 22, "REGISTRY_PASSWORD"),
            ("Dockerfile", 3, 5, 3, 14, "NPM_TOKEN"),
            ("Dockerfile", 4, 5, 4, 20, "NODE_AUTH_TOKEN"), // a literal default
            ("Dockerfile", 7, 5, 7, 16, "DB_PASSWORD"),
            ("Dockerfile", 9, 5, 9, 17, "GITHUB_TOKEN"), // legacy `ENV key value`
            ("action/action.yml", 9, 9, 9, 17, "password"),
            ("docker-compose.yml", 7, 7, 7, 24, "POSTGRES_PASSWORD"),
            ("docker-compose.yml", 13, 9, 13, 16, "API_KEY"),
            ("docker-compose.yml", 14, 9, 14, 23, "SESSION_SECRET"),
            ("docker-compose.yml", 20, 9, 20, 18, "NPM_TOKEN"), // build.args
            ("k8s.yaml", 13, 21, 13, 32, "DB_PASSWORD"),
            ("k8s.yaml", 15, 22, 15, 28, "apiKey"),
        ],
    ),
    (
        "PW001",
        "PW001/bad",
        "tag",
        &[
            ("compose/docker-compose.yml", 3, 12, 3, 25, "[nginx:1.27.2"),
            // a `.env` line that fails to parse: its line only, never its text (issue 7)
            ("env/.env", 2, 1, 2, 1, ""),
            ("from/Dockerfile", 2, 1, 2, 5, "FROM"),
            ("heredoc/Dockerfile", 2, 5, 2, 10, "<<EOF"),
            ("k8s/pod.yaml", 8, 7, 8, 12, "image"), // duplicate key
            (
                "laughs/bomb.yaml",
                11,
                10,
                11,
                37,
                "*f,*f,*f,*f,*f,*f,*f,*f,*f]",
            ), // budget exhausted here
            ("reference/Dockerfile", 1, 6, 1, 17, "Python:3.12"),
            ("reference/Dockerfile", 2, 6, 2, 25, "nginx@sha256:123456"),
        ],
    ),
];

#[test]
fn bad_fixtures_give_exact_spans() {
    for (rule, dir, policy, expected) in BAD {
        let got = rule_hits(&fixtures().join(dir), rule, policy);
        let want = owned(expected);
        assert_eq!(got, want, "{rule} in {dir}");
    }
}

#[test]
fn good_fixtures_are_clean_at_the_strictest_policy() {
    for rule in [
        "PW001", "PW002", "PW101", "PW102", "PW103", "PW104", "PW105", "PW401", "PW402", "PW403",
    ] {
        let cwd = fixtures().join(rule).join("good");
        let report = scan_json(&cwd, &["--policy", "digest"]);
        let own: Vec<_> = hits(&report)
            .into_iter()
            .filter(|h| h.rule == rule)
            .collect();
        assert!(own.is_empty(), "{rule} good fixture: {own:#?}");
        assert!(
            report["summary"]["files"].as_u64().unwrap_or(0) >= 1,
            "{rule}: nothing scanned"
        );
    }
}

#[test]
fn resolved_arg_points_back_at_its_definition() {
    let cwd = fixtures().join("PW101/bad");
    let report = scan_json(&cwd, &["--policy", "tag"]);
    let node = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["start"]["line"] == 5 && f["rule"] == "PW101")
        .expect("PW101 on the node FROM");
    let message = node["message"].as_str().unwrap();
    assert!(message.contains("resolves to `node:latest`"), "{message}");
    let related = &node["related"][0];
    assert_eq!(related["path"], "Dockerfile");
    assert_eq!(related["start"]["line"], 2);
    assert!(
        related["label"].as_str().unwrap().contains("NODE_TAG"),
        "{related}"
    );
}

/// Rules whose exact spans are asserted in their own test file (tests/actions.rs,
/// tests/packages.rs), snapshotted
/// here with the rest: (rule, fixture dir, policy).
const SNAPSHOTTED_ELSEWHERE: &[(&str, &str, &str)] = &[
    ("PW201", "PW201/bad", "tag"),
    ("PW202", "PW202/bad", "version"),
    ("PW203", "PW203/bad", "tag"),
    // tests/packages.rs
    ("PW301", "PW301/bad", "tag"),
    ("PW302", "PW302/bad", "tag"),
    ("PW303", "PW303/bad", "tag"),
    ("PW304", "PW304/bad", "digest"),
    ("PW305", "PW305/bad", "digest"),
    ("PW306", "PW306/bad", "tag"),
    ("PW307", "PW307/bad", "tag"),
    ("PW308", "PW308/bad", "tag"),
    ("PW309", "PW309/bad", "digest"),
];

/// Every (rule, fixture dir, policy) that gets a text and a SARIF snapshot.
fn snapshotted() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    BAD.iter()
        .map(|(rule, dir, policy, _)| (*rule, *dir, *policy))
        .chain(SNAPSHOTTED_ELSEWHERE.iter().copied())
}

#[test]
fn text_snapshots() {
    for (rule, dir, policy) in snapshotted() {
        let cwd = fixtures().join(dir);
        let (code, stdout, _) = scan(&cwd, &["--policy", policy, "--fail-on", "never"]);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("text_{rule}"), stdout);
    }
}

#[test]
fn sarif_snapshots() {
    for (rule, dir, policy) in snapshotted() {
        let cwd = fixtures().join(dir);
        let log = scan_sarif(&cwd, &["--policy", policy]);
        insta::assert_json_snapshot!(format!("sarif_{rule}"), log["runs"][0]["results"]);
    }
}

#[test]
fn compose_env_and_matrix_values_point_back_where_they_are_written() {
    let cwd = fixtures().join("PW101/bad");
    let report = scan_json(&cwd, &["--policy", "tag"]);
    let related = |path: &str, line: u64| -> Vec<(String, String, u64, u64)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == path && f["start"]["line"] == line)
            .flat_map(|f| f["related"].as_array().unwrap().clone())
            .map(|r| {
                (
                    r["label"].as_str().unwrap().to_owned(),
                    r["path"].as_str().unwrap().to_owned(),
                    r["start"]["line"].as_u64().unwrap(),
                    r["start"]["column"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    // `export PG_TAG="latest"`: the value inside the quotes, in the .env file.
    assert_eq!(
        related("docker-compose.yml", 9),
        vec![(
            "`PG_TAG` is set to `latest` here".to_owned(),
            ".env".to_owned(),
            2,
            16
        )]
    );
    // `python: ["3.12.7", latest]`: only `latest` is flagged, and it points at that entry.
    assert_eq!(
        related(".github/workflows/ci.yml", 9),
        vec![(
            "`matrix.python` is `latest` here".to_owned(),
            ".github/workflows/ci.yml".to_owned(),
            7,
            28
        )]
    );
    // The anchor's two users are named in the messages.
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "docker-compose.yml" && f["start"]["line"] == 2)
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2);
    assert!(messages[0].contains("service `cache`"), "{}", messages[0]);
    assert!(
        messages[1].contains("service `cache-replica`"),
        "{}",
        messages[1]
    );
}
