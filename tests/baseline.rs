//! `--baseline`, `--write-baseline` and `--new-since`: the gate counts only new findings,
//! every finding is still reported (SARIF `baselineState`), and the summaries say how many
//! were pre-existing.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{scan, scan_json, scan_sarif};
use serde_json::Value;

/// Run git in `dir` with no user or system configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        // NOTE: not /dev/null, which is a regular file in some sandboxes (CI's among them)
        // and may hold whatever was last redirected there. A missing file is an empty one.
        .env("GIT_CONFIG_GLOBAL", dir.join(".no-global-gitconfig"))
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `(rule, path, line, baseline_state)` of every finding of a JSON report.
fn states(report: &Value) -> Vec<(String, String, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap().to_owned(),
                finding["path"].as_str().unwrap().to_owned(),
                finding["start"]["line"].as_u64().unwrap(),
                finding["baseline_state"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect()
}

fn new_findings(report: &Value) -> Vec<(String, String, u64)> {
    states(report)
        .into_iter()
        .filter(|(.., state)| state == "new")
        .map(|(rule, path, line, _)| (rule, path, line))
        .collect()
}

const DOCKERFILE: &str = "FROM nginx:latest\nUSER app\n";
const COMPOSE: &str =
    "services:\n  web:\n    image: ${IMG}\n    security_opt: [\"no-new-privileges:true\"]\n";

#[test]
fn a_baseline_survives_inserted_lines_and_a_renamed_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", DOCKERFILE);
    write(root, "deploy/compose.yaml", COMPOSE);
    write(root, "deploy/.env", "IMG=redis:latest\n");
    let (code, _, stderr) = scan(root, &["--write-baseline", "baseline.json"]);
    assert_eq!(code, 1, "the exit code is the scan's: {stderr}");
    let text = std::fs::read_to_string(root.join("baseline.json")).unwrap();
    let baseline: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(baseline["version"], 1);
    let recorded = baseline["findings"].as_array().unwrap();
    assert_eq!(recorded.len(), 2, "{text}");
    // Hashes, never the matched text.
    assert!(!text.contains("nginx") && !text.contains("IMG"), "{text}");

    // Lines inserted above the finding, and the compose directory renamed with its .env.
    write(
        root,
        "Dockerfile",
        &format!("# a comment\n\nARG X=1\n{DOCKERFILE}"),
    );
    std::fs::rename(root.join("deploy"), root.join("services")).unwrap();
    let report = scan_json(root, &["--baseline", "baseline.json"]);
    assert_eq!(
        states(&report),
        [
            ("PW101".into(), "Dockerfile".into(), 4, "unchanged".into()),
            (
                "PW101".into(),
                "services/compose.yaml".into(),
                3,
                "unchanged".into()
            ),
        ]
    );
    assert_eq!(report["summary"]["pre_existing"], 2);
    let (code, stdout, _) = scan(root, &["--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains(
            "; 2 pre-existing (in the baseline `baseline.json`): not counted by the gate"
        ),
        "{stdout}"
    );

    // A new finding still fails, and only it is new.
    write(
        root,
        "Dockerfile",
        &format!("# a comment\n\nARG X=1\n{DOCKERFILE}FROM alpine:latest AS extra\nUSER app\n"),
    );
    let (code, stdout, _) = scan(root, &["--baseline", "baseline.json"]);
    assert_eq!(code, 1, "{stdout}");
    let report = scan_json(root, &["--baseline", "baseline.json"]);
    assert_eq!(
        new_findings(&report),
        [("PW101".into(), "Dockerfile".into(), 6)]
    );
    // The same finding copied to a second file is new too: the original is still there.
    write(root, "copy/Dockerfile", DOCKERFILE);
    let report = scan_json(root, &["--baseline", "baseline.json"]);
    assert_eq!(
        new_findings(&report),
        [
            ("PW101".into(), "Dockerfile".into(), 6),
            ("PW101".into(), "copy/Dockerfile".into(), 1),
        ]
    );
}

#[test]
fn sarif_says_new_or_unchanged_and_markdown_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", DOCKERFILE);
    scan(root, &["--write-baseline", "b.json", "--fail-on", "never"]);
    write(
        root,
        "Dockerfile",
        &format!("{DOCKERFILE}FROM alpine:latest\nUSER app\n"),
    );
    let log = scan_sarif(root, &["--baseline", "b.json"]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let states: Vec<&str> = results
        .iter()
        .map(|result| result["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["unchanged", "new"]);
    // Without a baseline, no result has a state.
    let log = scan_sarif(root, &[]);
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|result| result.get("baselineState").is_none())
    );
    let (_, markdown, _) = scan(root, &["--baseline", "b.json", "--format", "markdown"]);
    assert!(
        markdown.contains("**1 more pre-existing** (in the baseline `b.json`)"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| error (pre-existing) | PW101 |"),
        "{markdown}"
    );
}

#[test]
fn a_bad_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", DOCKERFILE);
    // (file content or none, what stderr says)
    let cases = [
        (None, "cannot read the baseline `b.json`"),
        (Some("not json"), "not a pinwarden baseline (invalid JSON"),
        (
            Some("{\"version\": 2, \"tool\": \"pinwarden\", \"findings\": []}"),
            "baseline version 2 is not supported: this pinwarden reads version 1",
        ),
        (
            Some("{\"version\": 1, \"tool\": \"pinwarden\", \"findings\": [{}]}"),
            "missing field",
        ),
    ];
    for (content, expected) in cases {
        let _ = std::fs::remove_file(root.join("b.json"));
        if let Some(content) = content {
            write(root, "b.json", content);
        }
        let (code, stdout, stderr) = scan(root, &["--baseline", "b.json"]);
        assert_eq!(code, 2, "{content:?}: {stderr}");
        assert!(stdout.is_empty(), "no report on a usage error: {stdout}");
        assert!(stderr.contains(expected), "{content:?}: {stderr}");
        assert!(stderr.contains("help: "), "{stderr}");
    }
}

/// A repository with two commits: the first has the debt, the second the change.
fn two_commits() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, "Dockerfile", DOCKERFILE);
    write(root, "app/compose.yaml", COMPOSE);
    write(root, "app/.env", "IMG=redis:7.2.4\n");
    write(
        root,
        "old/Dockerfile",
        "FROM debian:latest\nUSER app\nRUN echo one\nRUN echo two\n",
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "one"]);
    git(root, &["tag", "base"]);
    // Second commit: lines inserted above the old finding, a new one, the .env value made
    // mutable (the compose line itself is untouched), a file renamed with a small edit, and a
    // new file.
    write(
        root,
        "Dockerfile",
        &format!("# comment\n{DOCKERFILE}FROM alpine:latest AS two\nUSER app\n"),
    );
    write(root, "app/.env", "IMG=redis:latest\n");
    std::fs::create_dir(root.join("renamed")).unwrap();
    git(root, &["mv", "old/Dockerfile", "renamed/Dockerfile"]);
    write(
        root,
        "renamed/Dockerfile",
        "FROM debian:latest\nUSER app\nRUN echo one\nRUN echo two\nRUN echo three\n",
    );
    write(root, "added/Dockerfile", "FROM busybox:latest\nUSER app\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "two"]);
    dir
}

#[test]
fn new_since_counts_only_changed_lines_and_changed_causes() {
    let dir = two_commits();
    let root = dir.path();
    let report = scan_json(root, &["--new-since", "base"]);
    assert_eq!(
        states(&report),
        [
            ("PW101".into(), "Dockerfile".into(), 2, "unchanged".into()),
            ("PW101".into(), "Dockerfile".into(), 4, "new".into()),
            ("PW101".into(), "added/Dockerfile".into(), 1, "new".into()),
            // The compose line did not change; the .env value it resolves to did.
            ("PW101".into(), "app/compose.yaml".into(), 3, "new".into()),
            (
                "PW101".into(),
                "renamed/Dockerfile".into(),
                1,
                "unchanged".into()
            ),
        ]
    );
    assert_eq!(report["summary"]["pre_existing"], 2);
    let (code, stdout, _) = scan(root, &["--new-since", "base"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("; 2 pre-existing (unchanged since `base`): not counted by the gate"),
        "{stdout}"
    );
    // Since HEAD nothing changed: every finding is pre-existing and the gate passes.
    let (code, stdout, _) = scan(root, &["--new-since", "HEAD"]);
    assert_eq!(code, 0, "{stdout}");
    // An uncommitted edit counts, and an untracked file is all new.
    write(root, "untracked/Dockerfile", "FROM x:latest\nUSER app\n");
    let report = scan_json(root, &["--new-since", "HEAD"]);
    assert_eq!(
        new_findings(&report),
        [("PW101".into(), "untracked/Dockerfile".into(), 1)]
    );
    // A scan of a subdirectory compares the same way, by paths relative to the repository.
    let report = scan_json(&root.join("app"), &["--new-since", "base", "."]);
    assert_eq!(
        new_findings(&report),
        [("PW101".into(), "compose.yaml".into(), 3)]
    );
}

#[test]
fn new_since_and_baseline_together_count_what_is_new_to_both() {
    let dir = two_commits();
    let root = dir.path();
    // A baseline of today's findings, then one more finding.
    scan(root, &["--write-baseline", "b.json", "--fail-on", "never"]);
    write(
        root,
        "Dockerfile",
        "FROM nginx:latest\nUSER app\nFROM php:latest\nUSER app\n",
    );
    let report = scan_json(root, &["--new-since", "base", "--baseline", "b.json"]);
    assert_eq!(
        new_findings(&report),
        [("PW101".into(), "Dockerfile".into(), 3)]
    );
}

#[test]
fn new_since_errors_are_usage_errors() {
    let dir = two_commits();
    let root = dir.path();
    let (code, _, stderr) = scan(root, &["--new-since", "no-such-ref"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: --new-since: `no-such-ref` is not a commit of this repository"),
        "{stderr}"
    );
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
    // A full SHA that is not in the clone (a shallow checkout's missing base).
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let (code, _, stderr) = scan(root, &["--new-since", missing]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("`{missing}` is not a commit")),
        "{stderr}"
    );

    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "Dockerfile", DOCKERFILE);
    let (code, stdout, stderr) = scan(plain.path(), &["--new-since", "main"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("error: --new-since: `.` is not in a git work tree"),
        "{stderr}"
    );
}

#[test]
fn a_hostile_repository_config_runs_nothing() {
    let dir = two_commits();
    let root = dir.path();
    // Config a `git` process would obey: none of it may run.
    let canary = root.join("canary");
    let command = format!("touch {}", canary.display());
    for (key, value) in [
        ("core.fsmonitor", command.as_str()),
        ("diff.external", command.as_str()),
        ("core.pager", command.as_str()),
        ("diff.x.textconv", command.as_str()),
    ] {
        git(root, &["config", key, value]);
    }
    write(root, ".gitattributes", "* diff=x\n");
    write(
        root,
        ".git/hooks/post-checkout",
        &format!("#!/bin/sh\n{command}\n"),
    );
    let report = scan_json(root, &["--new-since", "base"]);
    assert_eq!(new_findings(&report).len(), 3);
    assert!(
        !canary.exists(),
        "a command from the repository's config ran"
    );
}

/// A suppression is part of the change it judges: with `--new-since`, the markdown summary
/// names the new findings that a comment silences, so reviewers see them.
#[test]
fn new_findings_silenced_by_the_change_are_named_for_review() {
    let dir = two_commits();
    let root = dir.path();
    write(
        root,
        "added/Dockerfile",
        "# pinwarden:ignore PW101 -- vendored image, pinned upstream\nFROM busybox:latest\nUSER app\n",
    );
    write(
        root,
        "renamed/Dockerfile",
        "# pinwarden:ignore PW101\nFROM debian:latest\nUSER app\nRUN echo one\nRUN echo two\nRUN echo three\n",
    );
    let (code, markdown, _) = scan(root, &["--new-since", "base", "--format", "markdown"]);
    assert_eq!(code, 1, "{markdown}");
    assert!(
        markdown.contains(
            "**1 new findings are suppressed** by `pinwarden:ignore` comments; review them:\n\n\
             - PW101 `added/Dockerfile:2`: vendored image\\, pinned upstream\n"
        ),
        "{markdown}"
    );
    // The old finding silenced in the change is not new: it is not listed.
    assert!(!markdown.contains("renamed/Dockerfile:2"), "{markdown}");
}
