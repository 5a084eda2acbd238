//! The command-line contract: exit codes 0/1/2 for every `--fail-on`, the policy ordering,
//! usage errors, the output file, `rules`, `explain` and `--help`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixtures, pinwarden, root, scan};

#[test]
fn exit_codes_follow_fail_on() {
    // PW401/bad has only warnings; PW101/bad has errors.
    let warnings = fixtures().join("PW401/bad");
    let errors = fixtures().join("PW101/bad");
    let clean = fixtures().join("PW104/good");
    // (dir, fail-on, expected exit)
    let cases = [
        (&errors, "error", 1),
        (&errors, "warning", 1),
        (&errors, "note", 1),
        (&errors, "never", 0),
        (&warnings, "error", 0),
        (&warnings, "warning", 1),
        (&warnings, "note", 1),
        (&warnings, "never", 0),
        (&clean, "error", 0),
        (&clean, "warning", 0),
        (&clean, "note", 0),
        (&clean, "never", 0),
    ];
    for (dir, fail_on, expected) in cases {
        let (code, _, stderr) = scan(dir, &["--fail-on", fail_on]);
        assert_eq!(
            code,
            expected,
            "{} --fail-on {fail_on}: {stderr}",
            dir.display()
        );
    }
}

#[test]
fn policies_are_ordered() {
    // The same file gets more findings as the policy tightens, never fewer.
    let dir = fixtures().join("PW104/good");
    let count = |policy: &str| {
        let report = common::scan_json(&dir, &["--policy", policy]);
        report["summary"]["findings"].as_u64().unwrap()
    };
    let (tag, version, digest) = (count("tag"), count("version"), count("digest"));
    assert_eq!((tag, version), (0, 0));
    // 4 FROM lines, 1 compose image, a workflow container and `docker://` step, 1 k8s image.
    assert_eq!(digest, 8, "every reference lacks a digest");
    let dir = fixtures().join("PW104/bad");
    let count = |policy: &str| {
        common::scan_json(&dir, &["--policy", policy])["summary"]["findings"]
            .as_u64()
            .unwrap()
    };
    assert!(count("tag") < count("version"));
    assert!(count("version") <= count("digest"));
}

#[test]
fn usage_errors_exit_2_with_a_hint() {
    for args in [
        vec!["scan", "--policy", "strict"],
        vec!["scan", "--fail-on", "sometimes"],
        vec!["scan", "--format", "xml"],
        vec!["scan", "--no-such-flag"],
        vec!["frobnicate"],
    ] {
        let output = pinwarden().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}: says why");
    }
    let output = pinwarden()
        .args(["scan", "does/not/exist"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: cannot scan `does/not/exist`"),
        "{stderr}"
    );
    assert!(stderr.contains("\nhelp: "), "{stderr}");
    let output = pinwarden().args(["explain", "PW999"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn output_file_is_written_even_when_the_gate_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.sarif");
    let output = pinwarden()
        .current_dir(fixtures().join("PW101/bad"))
        .args(["scan", "--format", "sarif", "--output"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "report goes to the file only");
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    common::assert_valid_sarif(&log);
    let pw101 = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["ruleId"] == "PW101")
        .count();
    assert_eq!(pw101, 15, "every PW101 in the fixture");
}

#[test]
fn unwritable_output_is_exit_2() {
    let output = pinwarden()
        .current_dir(fixtures().join("PW101/bad"))
        .args(["scan", "--output", "/nonexistent-dir/out.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("cannot create"), "{stderr}");
}

#[test]
fn output_is_deterministic() {
    let dir = root().join("examples");
    let first = scan(&dir, &["--format", "sarif", "--fail-on", "never"]).1;
    let second = scan(&dir, &["--format", "sarif", "--fail-on", "never"]).1;
    assert_eq!(first, second);
}

#[test]
fn rules_and_explain() {
    let output = pinwarden().arg("rules").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("rules", String::from_utf8(output.stdout).unwrap());
    let output = pinwarden().args(["explain", "pw104"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.starts_with("# PW104 image-floating-tag\n"), "{page}");
    assert_eq!(
        page,
        std::fs::read_to_string(root().join("docs/rules/PW104.md")).unwrap()
    );
}

#[test]
fn help_snapshots() {
    for args in [vec!["--help"], vec!["scan", "--help"]] {
        let output = pinwarden().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        insta::assert_snapshot!(
            format!("help_{}", args.join("_").trim_start_matches('-')),
            String::from_utf8(output.stdout).unwrap()
        );
    }
}

#[test]
fn color_only_when_asked() {
    let dir = fixtures().join("PW101/bad");
    let (_, plain, _) = scan(&dir, &[]);
    assert!(
        !plain.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    let (_, colored, _) = scan(&dir, &["--color", "always"]);
    assert!(colored.contains("\u{1b}[1;31m"), "forced colour");
}

#[test]
fn examples_vulnerable_is_caught_and_fixed_twin_is_clean() {
    let examples = root().join("examples");
    let report = common::scan_json(&examples, &["vulnerable"]);
    let found = common::hits(&report);
    for (rule, path, start, end) in [
        ("PW101", "vulnerable/Dockerfile", (5, 6), (5, 26)),
        ("PW101", "vulnerable/Dockerfile", (10, 6), (10, 19)),
        ("PW102", "vulnerable/Dockerfile", (12, 13), (12, 33)),
        ("PW304", "vulnerable/Dockerfile", (14, 17), (14, 22)), // flask
        ("PW304", "vulnerable/Dockerfile", (14, 23), (14, 28)), // redis
        ("PW308", "vulnerable/Dockerfile", (15, 53), (15, 57)), // | sh
        (
            "PW102",
            "vulnerable/services/worker/Dockerfile",
            (1, 6),
            (1, 12),
        ),
        ("PW101", "vulnerable/docker-compose.yml", (6, 12), (6, 36)),
        ("PW102", "vulnerable/docker-compose.yml", (11, 12), (11, 17)),
        // the hardening baseline: root, no-new-privileges, a plaintext secret
        ("PW401", "vulnerable/Dockerfile", (10, 1), (10, 5)),
        (
            "PW401",
            "vulnerable/services/worker/Dockerfile",
            (5, 1),
            (5, 5),
        ),
        ("PW401", "vulnerable/docker-compose.yml", (14, 11), (14, 15)),
        (
            "PW401",
            "vulnerable/k8s/deployment.yaml",
            (19, 24),
            (19, 25),
        ),
        ("PW402", "vulnerable/docker-compose.yml", (2, 3), (2, 6)),
        (
            "PW402",
            "vulnerable/k8s/deployment.yaml",
            (20, 13),
            (20, 37),
        ),
        ("PW403", "vulnerable/docker-compose.yml", (9, 7), (9, 24)),
    ] {
        let expected = common::Hit {
            rule: rule.to_owned(),
            path: path.to_owned(),
            start,
            end,
        };
        assert!(found.contains(&expected), "{expected:?} in {found:#?}");
    }
    let (code, stdout, _) = scan(&examples, &["vulnerable"]);
    assert_eq!(code, 1, "{stdout}");
    for policy in ["tag", "version"] {
        let (code, stdout, _) = scan(&examples, &["fixed", "--policy", policy]);
        assert_eq!(code, 0, "fixed twin at {policy}: {stdout}");
        assert!(stdout.starts_with("ok: no findings"), "{stdout}");
    }
}

#[test]
fn examples_text_snapshot() {
    let (code, stdout, _) = scan(&root().join("examples"), &["vulnerable"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("text_examples_vulnerable", stdout);
}
