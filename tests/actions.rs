//! PW201-PW203 (GitHub Action refs and GitHub's workflow lockfile) against their fixtures:
//! the exact spans and the text they cover, per rule, fixture root and policy, and the `good`
//! fixtures clean.
//!
//! NOTE: written before the rules are wired into the engine (issue 8): these tests fail until
//! PW201, PW202 and PW203 are registered and the lockfile is read. Spans: the ref after `@`
//! for PW201/PW202, the whole `uses:` value (without quotes) for PW203, the offending value for
//! PW001 on the lockfile. One PW20x rule per reference: a branch-like ref is PW201, never
//! PW202. A `uses:` missing from the lockfile of an onboarded workflow is not pinned by it, so
//! PW201/PW202 judge its ref as usual besides PW203.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Covered, fixtures, owned, rule_hits, scan_json};

/// Expected hits of one rule: (path, start line, start column, end line, end column, text).
type Expected = &'static [(&'static str, u64, u64, u64, u64, &'static str)];

const CI: &str = ".github/workflows/ci.yml";
const LOCK: &str = ".github/workflows/actions.lock";

/// (rule, fixture root under tests/fixtures, policy, every hit of that rule in the root).
const CASES: &[(&str, &str, &str, Expected)] = &[
    // Branch-like and short-hex refs: steps (plain, double- and single-quoted, flow mapping,
    // flow sequence), reusable-workflow calls and composite action steps.
    (
        "PW201",
        "PW201/bad",
        "tag",
        &[
            (".github/actions/setup/action.yml", 6, 34, 6, 38, "main"),
            (".github/actions/setup/action.yml", 7, 29, 7, 36, "nightly"), // single-quoted
            (CI, 7, 32, 7, 36, "main"),
            (CI, 8, 35, 8, 41, "master"),            // double-quoted
            (CI, 9, 38, 9, 48, "release/v4"),        // single-quoted, sub-directory action
            (CI, 10, 37, 10, 44, "5f2e1a9"),         // flow mapping, short hex
            (CI, 11, 31, 11, 46, "refs/heads/main"), // an explicit branch
            (CI, 13, 31, 13, 37, "latest"),          // a tag that is not a version
            (CI, 16, 41, 16, 47, "stable"),          // flow sequence
            (CI, 18, 55, 18, 59, "main"),            // reusable workflow
            (CI, 20, 55, 20, 65, "deadbeef12"),      // reusable workflow, short hex, quoted
        ],
    ),
    // Every policy: the same hits at the strictest one.
    (
        "PW201",
        "PW201/bad",
        "digest",
        &[
            (".github/actions/setup/action.yml", 6, 34, 6, 38, "main"),
            (".github/actions/setup/action.yml", 7, 29, 7, 36, "nightly"),
            (CI, 7, 32, 7, 36, "main"),
            (CI, 8, 35, 8, 41, "master"),
            (CI, 9, 38, 9, 48, "release/v4"),
            (CI, 10, 37, 10, 44, "5f2e1a9"),
            (CI, 11, 31, 11, 46, "refs/heads/main"),
            (CI, 13, 31, 13, 37, "latest"),
            (CI, 16, 41, 16, 47, "stable"),
            (CI, 18, 55, 18, 59, "main"),
            (CI, 20, 55, 20, 65, "deadbeef12"),
        ],
    ),
    // Version tags: nothing at policy tag.
    ("PW202", "PW202/bad", "tag", &[]),
    // Major-only and major.minor at policy version.
    (
        "PW202",
        "PW202/bad",
        "version",
        &[
            (CI, 7, 32, 7, 34, "v4"),
            (CI, 8, 35, 8, 39, "v4.1"),         // quoted
            (CI, 12, 29, 12, 38, "v2-node20"),  // a suffix keeps the precision
            (CI, 15, 55, 15, 57, "v1"),         // reusable workflow
            ("action.yml", 6, 35, 6, 37, "v7"), // composite action step
        ],
    ),
    // Every ref that is not a full commit SHA at policy digest (the branch stays PW201).
    (
        "PW202",
        "PW202/bad",
        "digest",
        &[
            (CI, 7, 32, 7, 34, "v4"),
            (CI, 8, 35, 8, 39, "v4.1"),
            (CI, 9, 34, 9, 40, "v4.2.0"),  // sub-directory action
            (CI, 10, 38, 10, 43, "1.2.3"), // flow mapping, single-quoted
            (CI, 11, 29, 11, 42, "v2.0.0-beta.1"), // pre-release
            (CI, 12, 29, 12, 38, "v2-node20"),
            (CI, 15, 55, 15, 57, "v1"),
            (CI, 17, 55, 17, 61, "v1.4.2"), // reusable workflow, quoted
            ("action.yml", 6, 35, 6, 37, "v7"),
            ("action.yml", 7, 38, 7, 44, "v4.4.3"),
        ],
    ),
    (
        "PW201",
        "PW202/bad",
        "digest",
        &[(CI, 13, 29, 13, 33, "main")],
    ),
    // Partly onboarded: ci.yml is in actions.lock, nightly.yml and action.yml files are not.
    // Missing entries, the whole value (quotes excluded); a SHA pin needs an entry too; a
    // transitive-only entry does not count; reusable-workflow calls are not covered.
    (
        "PW203",
        "PW203/bad",
        "tag",
        &[
            (CI, 10, 16, 10, 41, "actions/setup-node@v4.1.0"),
            (
                CI,
                11,
                15,
                11,
                74,
                "actions/cache/save@34d0862aec571757390c198f724acd0ba91b63a9",
            ),
            (CI, 12, 17, 12, 42, "octo-org/lint-action@main"),
            (CI, 13, 15, 13, 31, "actions/cache@v4"),
        ],
    ),
    // Locked steps (lines 7-9, `@main` included) are not flagged; the rest as usual.
    (
        "PW201",
        "PW203/bad",
        "tag",
        &[
            (".github/actions/local/action.yml", 6, 28, 6, 32, "main"),
            (CI, 12, 38, 12, 42, "main"), // missing from the lockfile: not pinned by it
            (CI, 18, 55, 18, 59, "main"), // reusable workflow in an onboarded workflow
            (".github/workflows/nightly.yml", 10, 31, 10, 35, "main"), // not onboarded
        ],
    ),
    (
        "PW202",
        "PW203/bad",
        "version",
        &[(CI, 13, 29, 13, 31, "v4")],
    ),
    (
        "PW202",
        "PW203/bad",
        "digest",
        &[
            (CI, 10, 35, 10, 41, "v4.1.0"),
            (CI, 13, 29, 13, 31, "v4"),
            (".github/workflows/nightly.yml", 9, 32, 9, 38, "v4.2.2"), // locked only for ci.yml
        ],
    ),
    // An unknown lockfile version: PW001 on it, and ci.yml is judged as not onboarded.
    (
        "PW001",
        "PW203/unknown-version",
        "tag",
        &[(LOCK, 2, 11, 2, 17, "v9.9.9")],
    ),
    ("PW203", "PW203/unknown-version", "digest", &[]),
    (
        "PW201",
        "PW203/unknown-version",
        "tag",
        &[(CI, 8, 31, 8, 35, "main")],
    ),
    (
        "PW202",
        "PW203/unknown-version",
        "version",
        &[(CI, 7, 32, 7, 34, "v4")],
    ),
    (
        "PW202",
        "PW203/unknown-version",
        "digest",
        &[(CI, 7, 32, 7, 34, "v4"), (CI, 9, 34, 9, 40, "v4.1.0")],
    ),
    // A malformed commit: the same fail-safe.
    (
        "PW001",
        "PW203/malformed",
        "tag",
        &[(LOCK, 9, 18, 9, 31, "sha1-ed329ea9")],
    ),
    ("PW203", "PW203/malformed", "digest", &[]),
    (
        "PW201",
        "PW203/malformed",
        "tag",
        &[(CI, 7, 31, 7, 35, "main")],
    ),
    (
        "PW202",
        "PW203/malformed",
        "version",
        &[(CI, 8, 32, 8, 34, "v4")],
    ),
];

type Hit = Covered;

fn hits_of(rule: &str, dir: &str, policy: &str) -> Vec<Hit> {
    rule_hits(&fixtures().join(dir), rule, policy)
}

#[test]
fn action_fixtures_give_exact_spans() {
    let mut wrong = Vec::new();
    for (rule, dir, policy, expected) in CASES {
        let got = hits_of(rule, dir, policy);
        let want = owned(expected);
        if got != want {
            wrong.push(format!(
                "{rule} in {dir} at policy {policy}:\n   got: {got:#?}\n  want: {want:#?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn good_action_fixtures_are_clean_at_the_strictest_policy() {
    let mut dirty = Vec::new();
    for rule in ["PW201", "PW202", "PW203"] {
        let got = hits_of(rule, &format!("{rule}/good"), "digest");
        if !got.is_empty() {
            dirty.push(format!("{rule} in {rule}/good: {got:#?}"));
        }
    }
    // Fully onboarded: every step is locked, the reusable-workflow call is SHA-pinned.
    for rule in ["PW001", "PW201", "PW202"] {
        let got = hits_of(rule, "PW203/good", "digest");
        if !got.is_empty() {
            dirty.push(format!("{rule} in PW203/good: {got:#?}"));
        }
    }
    assert!(dirty.is_empty(), "{}", dirty.join("\n"));
}

#[test]
fn an_unusable_lockfile_says_why() {
    for (dir, needle) in [
        ("PW203/unknown-version", "v9.9.9"),
        ("PW203/malformed", "sha1-<40 hex>"),
    ] {
        let report = scan_json(&fixtures().join(dir), &["--policy", "tag"]);
        let messages: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "PW001" && f["path"] == LOCK)
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert_eq!(messages.len(), 1, "{dir}: {messages:?}");
        assert!(messages[0].contains(needle), "{dir}: {}", messages[0]);
    }
}
