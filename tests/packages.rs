//! PW301-PW309 (packages installed from shell, download-then-run) against their fixtures: the
//! exact span of every package word (through continuations, heredocs, exec form, workflow
//! `run:` literal and folded scalars with `${{ }}` inside words), the `good` fixtures clean at
//! the strictest policy, and the notification for a script no POSIX shell runs.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixtures, hits, owned, rule_hits, scan_json};

/// Expected hits of one rule: (path, start line, start column, end line, end column, text).
type Expected = &'static [(&'static str, u64, u64, u64, u64, &'static str)];

const CI: &str = ".github/workflows/ci.yml";
const DOCKERFILE: &str = "Dockerfile";

/// (rule, fixture root under tests/fixtures, policy, every hit of that rule in the root).
const CASES: &[(&str, &str, &str, Expected)] = &[
    (
        "PW301",
        "PW301/bad",
        "tag",
        &[
            (CI, 6, 61, 6, 71, "libssl-dev"),
            (CI, 10, 13, 10, 30, "protobuf-compiler"), // the `${{ }}` word before it is not judged
            (DOCKERFILE, 3, 66, 3, 81, "ca-certificates"),
            (DOCKERFILE, 6, 9, 6, 11, "jq"), // on a continuation line
            (DOCKERFILE, 7, 9, 7, 16, "\"unzip\""),
            (DOCKERFILE, 9, 56, 9, 62, "$TOOLS"), // `ARG TOOLS="curl git"`: two packages
            (DOCKERFILE, 9, 56, 9, 62, "$TOOLS"),
            (DOCKERFILE, 10, 35, 10, 38, "vim"),  // exec form
            (DOCKERFILE, 12, 39, 12, 43, "make"), // heredoc body
        ],
    ),
    (
        "PW302",
        "PW302/bad",
        "tag",
        &[
            (DOCKERFILE, 2, 24, 2, 28, "curl"),
            (DOCKERFILE, 4, 9, 4, 12, "gcc"), // after `--virtual .build-deps`
            (DOCKERFILE, 6, 9, 6, 22, "'openssl>3.0'"),
            (DOCKERFILE, 9, 22, 9, 28, "$EXTRA"), // `ENV EXTRA=bash`
            (DOCKERFILE, 9, 38, 9, 52, "tini@community"),
        ],
    ),
    (
        "PW303",
        "PW303/bad",
        "tag",
        &[
            (DOCKERFILE, 2, 44, 2, 49, "httpd"),
            (DOCKERFILE, 2, 50, 2, 65, "java-17-openjdk"),
            (DOCKERFILE, 3, 20, 3, 24, "wget"),
            (DOCKERFILE, 3, 25, 3, 37, "'pkg >= 1.2'"),
            (DOCKERFILE, 4, 25, 4, 37, "shadow-utils"),
            (DOCKERFILE, 6, 54, 6, 58, "curl"), // zypper
            (DOCKERFILE, 7, 31, 7, 39, "git-core"),
        ],
    ),
    (
        "PW304",
        "PW304/bad",
        "tag",
        &[
            (CI, 11, 11, 11, 16, "$TOOL"), // folded scalar, workflow `env:`
            (CI, 12, 11, 12, 15, "mypy"),
            (CI, 13, 53, 13, 56, "tox"),
            (DOCKERFILE, 3, 17, 3, 22, "flask"),
            (DOCKERFILE, 3, 23, 3, 28, "redis"),
            (DOCKERFILE, 5, 9, 5, 22, "'django>=4.2'"),
            (DOCKERFILE, 6, 9, 6, 28, "\"uvicorn[standard]\""),
            (DOCKERFILE, 7, 32, 7, 39, "$LINTER"), // `uv pip`, ARG default
            (
                DOCKERFILE,
                8,
                18,
                8,
                62,
                "git+https://github.com/example/tool.git@main",
            ),
        ],
    ),
    (
        "PW304",
        "PW304/bad",
        "digest",
        &[
            (CI, 11, 11, 11, 16, "$TOOL"),
            (CI, 12, 11, 12, 15, "mypy"),
            (CI, 13, 53, 13, 56, "tox"),
            (DOCKERFILE, 3, 17, 3, 22, "flask"),
            (DOCKERFILE, 3, 23, 3, 28, "redis"),
            (DOCKERFILE, 5, 9, 5, 22, "'django>=4.2'"),
            (DOCKERFILE, 6, 9, 6, 28, "\"uvicorn[standard]\""),
            (DOCKERFILE, 7, 32, 7, 39, "$LINTER"),
            (
                DOCKERFILE,
                8,
                18,
                8,
                62,
                "git+https://github.com/example/tool.git@main",
            ),
            (DOCKERFILE, 9, 17, 9, 33, "gunicorn==23.0.0"), // pinned, but no hash
        ],
    ),
    (
        "PW305",
        "PW305/bad",
        "tag",
        &[
            (CI, 6, 22, 6, 26, "hono"),
            (CI, 9, 11, 9, 17, "eslint"), // folded scalar
            (DOCKERFILE, 2, 20, 2, 30, "typescript"),
            (DOCKERFILE, 2, 31, 2, 41, "pkg@latest"),
            (DOCKERFILE, 3, 21, 3, 29, "@vue/cli"),
            (DOCKERFILE, 4, 20, 4, 31, "vite@^5.4.0"),
        ],
    ),
    (
        "PW305",
        "PW305/bad",
        "digest",
        &[
            (CI, 6, 22, 6, 26, "hono"),
            (CI, 6, 63, 6, 75, "yarn install"), // no lockfile enforcement
            (CI, 9, 11, 9, 17, "eslint"),
            (DOCKERFILE, 2, 20, 2, 30, "typescript"),
            (DOCKERFILE, 2, 31, 2, 41, "pkg@latest"),
            (DOCKERFILE, 3, 21, 3, 29, "@vue/cli"),
            (DOCKERFILE, 4, 20, 4, 31, "vite@^5.4.0"),
            (DOCKERFILE, 5, 5, 5, 16, "npm install"),
        ],
    ),
    (
        "PW306",
        "PW306/bad",
        "tag",
        &[
            (DOCKERFILE, 2, 17, 2, 24, "bundler"),
            (DOCKERFILE, 2, 40, 2, 45, "rails"), // `-v '~> 7.1'` is a range
            (DOCKERFILE, 3, 44, 3, 47, "fpm"),
        ],
    ),
    (
        "PW307",
        "PW307/bad",
        "tag",
        &[
            (DOCKERFILE, 2, 16, 2, 47, "golang.org/x/tools/gopls@latest"),
            (
                DOCKERFILE,
                3,
                50,
                3,
                89,
                "github.com/example/tool/cmd/tool@master",
            ),
            (DOCKERFILE, 4, 12, 4, 34, "github.com/example/lib"),
            // composite action: the step's `env:` literal resolves `@$TOOL_VERSION`
            (
                "action.yml",
                6,
                23,
                6,
                62,
                "\"github.com/example/tool@$TOOL_VERSION\"",
            ),
        ],
    ),
    (
        "PW308",
        "PW308/bad",
        "tag",
        &[
            (
                CI,
                6,
                21,
                6,
                75,
                "$(curl -fsSL https://example.com/${{ matrix.script }})",
            ),
            (DOCKERFILE, 2, 51, 2, 55, "| sh"),
            (DOCKERFILE, 3, 44, 3, 58, "| sudo -E bash"),
            (
                DOCKERFILE,
                4,
                10,
                4,
                48,
                "<(curl -fsSL https://example.com/i.sh)",
            ),
            (DOCKERFILE, 7, 8, 7, 17, "/tmp/tool"), // downloaded, then run
        ],
    ),
    (
        "PW309",
        "PW309/bad",
        "tag",
        &[
            (DOCKERFILE, 2, 19, 2, 26, "ripgrep"),
            (DOCKERFILE, 2, 53, 2, 57, "just"), // `--version '^1.36'`
            (DOCKERFILE, 3, 57, 3, 61, "tool"), // `--git` without `--rev`
        ],
    ),
    (
        "PW309",
        "PW309/bad",
        "digest",
        &[
            (DOCKERFILE, 2, 19, 2, 26, "ripgrep"),
            (DOCKERFILE, 2, 53, 2, 57, "just"),
            (DOCKERFILE, 3, 57, 3, 61, "tool"),
            (DOCKERFILE, 4, 19, 4, 29, "bat@0.24.0"), // no `--locked`
        ],
    ),
];

#[test]
fn bad_fixtures_give_exact_spans() {
    for (rule, dir, policy, expected) in CASES {
        let got = rule_hits(&fixtures().join(dir), rule, policy);
        let want = owned(expected);
        assert_eq!(got, want, "{rule} in {dir} at {policy}");
    }
}

#[test]
fn good_fixtures_are_clean_at_the_strictest_policy() {
    for rule in [
        "PW301", "PW302", "PW303", "PW304", "PW305", "PW306", "PW307", "PW308", "PW309",
    ] {
        let cwd = fixtures().join(rule).join("good");
        let report = scan_json(&cwd, &["--policy", "digest"]);
        let own: Vec<_> = hits(&report)
            .into_iter()
            .filter(|hit| hit.rule.starts_with("PW3"))
            .collect();
        assert!(own.is_empty(), "{rule} good fixture: {own:#?}");
        assert!(
            report["summary"]["files"].as_u64().unwrap_or(0) >= 1,
            "{rule}: nothing scanned"
        );
    }
}

#[test]
fn a_resolved_package_points_at_its_variable() {
    let cwd = fixtures().join("PW304/bad");
    let report = scan_json(&cwd, &["--policy", "tag"]);
    let findings = report["findings"].as_array().unwrap();
    let related = |path: &str, line: u64| -> Vec<(String, u64)> {
        findings
            .iter()
            .filter(|f| f["path"] == path && f["start"]["line"] == line)
            .flat_map(|f| f["related"].as_array().unwrap().clone())
            .map(|r| {
                (
                    r["label"].as_str().unwrap().to_owned(),
                    r["start"]["line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        related(DOCKERFILE, 7),
        vec![("`LINTER` defaults to `ruff` here".to_owned(), 2)]
    );
    assert_eq!(
        related(CI, 11),
        vec![("`TOOL` is set to `black` here".to_owned(), 3)]
    );
}

#[test]
fn a_download_points_at_where_it_was_downloaded() {
    let cwd = fixtures().join("PW308/bad");
    let report = scan_json(&cwd, &["--policy", "tag"]);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "PW308" && f["start"]["line"] == 7)
        .expect("the run of /tmp/tool");
    let related = &finding["related"][0];
    assert_eq!(related["label"], "downloaded here");
    assert_eq!(related["start"]["line"], 5);
    assert_eq!(related["start"]["column"], 5);
}

#[test]
fn a_script_in_a_non_posix_shell_gets_one_notification() {
    let cwd = fixtures().join("PW301/good");
    let report = scan_json(&cwd, &["--policy", "tag"]);
    let notes: Vec<&str> = report["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["message"].as_str())
        .filter(|message| message.contains("POSIX"))
        .collect();
    assert_eq!(
        notes,
        [
            "RUN script at line 10 runs in `pwsh`, not a POSIX shell: the packages it installs \
             are not checked (PW301-PW309)"
        ]
    );
}
