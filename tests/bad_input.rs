//! Bad input never crashes or hangs the scan: each bad file gives PW001 or a notification,
//! and every other file is still scanned.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{hits, pinwarden};
use serde_json::Value;

/// A tree with one good-but-flagged Dockerfile next to every kind of bad file.
fn build_tree(dir: &Path) {
    fs::write(dir.join("Dockerfile"), "FROM python:latest\n").unwrap();
    let bad = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        fs::create_dir_all(&path).unwrap();
        fs::write(path.join("Dockerfile"), bytes).unwrap();
    };
    bad("empty", b"");
    bad("binary", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0");
    bad("latin1", b"FROM alpine:3.20.3\nLABEL author=\"Jos\xe9\"\n");
    bad("heredoc", b"FROM alpine:3.20.3\nRUN <<EOF\necho open\n");
    bad(
        "json",
        b"FROM alpine:3.20.3\nCMD [\"echo\", \"unterminated\"\n",
    );
    bad(
        "crlf-bom",
        b"\xef\xbb\xbfFROM\tubuntu:latest\r\nRUN true\r\n",
    );
    // A directory named Dockerfile: walked into, never read as a file.
    fs::create_dir_all(dir.join("dir/Dockerfile/inner")).unwrap();
    // A dangling symlink named Dockerfile: cannot be read (root ignores permission bits,
    // so this is the unreadable file that also works in CI).
    fs::create_dir_all(dir.join("dangling")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", dir.join("dangling/Dockerfile")).unwrap();
    // A FIFO named Dockerfile: opening it would block forever.
    fs::create_dir_all(dir.join("fifo")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(dir.join("fifo/Dockerfile"))
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo");
}

/// A hang guard, not a speed test: a debug build on two busy cores takes ~40 s for the 50 MB
/// file; `bench/run` measures speed.
fn scan_tree(dir: &Path) -> (i32, Value, Duration) {
    let started = Instant::now();
    let output = pinwarden()
        .current_dir(dir)
        .args(["scan", ".", "--format", "json", "--policy", "tag"])
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report = serde_json::from_slice(&output.stdout).expect("a report, not a crash");
    (output.status.code().unwrap_or(-1), report, elapsed)
}

#[test]
fn every_bad_file_is_reported_and_the_rest_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    build_tree(dir.path());
    let (code, report, elapsed) = scan_tree(dir.path());
    assert_eq!(code, 1, "the good file's PW101 still fails the gate");
    assert!(
        elapsed < Duration::from_secs(30),
        "no hang on the FIFO: {elapsed:?}"
    );
    let found: Vec<(String, String, u64)> = hits(&report)
        .into_iter()
        .map(|hit| (hit.path, hit.rule, hit.start.0))
        .collect();
    let expect = |path: &str, rule: &str, line: u64| {
        assert!(
            found.contains(&(path.to_owned(), rule.to_owned(), line)),
            "{path} {rule} line {line} in {found:#?}"
        );
    };
    expect("Dockerfile", "PW101", 1);
    expect("binary/Dockerfile", "PW001", 1);
    expect("latin1/Dockerfile", "PW001", 2);
    expect("heredoc/Dockerfile", "PW001", 2);
    expect("crlf-bom/Dockerfile", "PW101", 1);
    expect("empty/Dockerfile", "PW001", 1);
    // An unterminated JSON array is shell form for BuildKit, not an error.
    assert!(
        !found
            .iter()
            .any(|(path, rule, _)| path == "json/Dockerfile" && rule == "PW001"),
        "{found:#?}"
    );

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
    assert!(
        notes
            .iter()
            .any(|(p, m)| p == "dangling/Dockerfile" && m.contains("cannot read")),
        "{notes:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|(p, m)| p == "fifo/Dockerfile" && m.contains("not a regular file")),
        "{notes:#?}"
    );
    let messages = report["findings"].to_string();
    assert!(messages.contains("not valid UTF-8"), "{messages}");
}

#[test]
fn crlf_bom_and_tabs_do_not_shift_columns() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Dockerfile"),
        b"\xef\xbb\xbfFROM\tubuntu:latest\r\nFROM \t alpine\r\n",
    )
    .unwrap();
    let report = common::scan_json(dir.path(), &["--policy", "tag"]);
    let got: Vec<_> = hits(&report)
        .into_iter()
        .map(|h| (h.rule, h.start, h.end))
        .collect();
    assert_eq!(
        got,
        vec![
            ("PW101".to_owned(), (1, 6), (1, 19)),
            // the final `FROM`, after a CRLF and before a tab (PW401: no `USER`)
            ("PW401".to_owned(), (2, 1), (2, 5)),
            ("PW102".to_owned(), (2, 8), (2, 14)),
        ]
    );
}

/// Write `head`, then `filler` repeated up to `size` bytes, then `tail` into `name`; scan it
/// and return the (rule, line) of every finding and the file's line count.
fn scan_big_file(
    name: &str,
    head: &str,
    filler: &str,
    tail: &str,
    size: usize,
) -> (Vec<(String, u64)>, u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::with_capacity(size + filler.len() + head.len() + tail.len());
    text.push_str(head);
    while text.len() < size {
        text.push_str(filler);
    }
    text.push_str(tail);
    let lines = text.lines().count() as u64;
    fs::write(dir.path().join(name), &text).unwrap();
    let (code, report, _) = scan_tree(dir.path());
    assert_eq!(code, 1);
    let got = hits(&report)
        .into_iter()
        .map(|h| (h.rule, h.start.0))
        .collect();
    (got, lines)
}

#[test]
fn huge_dockerfile_is_scanned() {
    // 20 MB: a real FROM at the top and bottom, 20 MB of RUN lines between.
    let (got, lines) = scan_big_file(
        "Dockerfile",
        "FROM ubuntu:latest AS first\n",
        "RUN echo 'padding padding padding padding padding padding padding padding'\n",
        "FROM alpine\n",
        20 * 1024 * 1024,
    );
    assert_eq!(
        got,
        vec![
            ("PW101".to_owned(), 1),
            ("PW401".to_owned(), lines),
            ("PW102".to_owned(), lines)
        ]
    );
}

#[test]
fn explicitly_named_file_is_scanned_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("base.image"), "FROM node\n").unwrap();
    let (code, _, _) = common::scan(dir.path(), &["."]);
    assert_eq!(code, 0, "not discovered by name in a directory walk");
    let report = common::scan_json(dir.path(), &["base.image"]);
    let got: Vec<_> = hits(&report)
        .into_iter()
        .map(|h| (h.rule, h.path))
        .collect();
    assert_eq!(
        got,
        vec![
            ("PW401".to_owned(), "base.image".to_owned()),
            ("PW102".to_owned(), "base.image".to_owned())
        ]
    );
}

#[test]
fn gitignored_files_are_skipped_without_a_git_directory() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(".gitignore"), "vendor/\n").unwrap();
    fs::create_dir_all(dir.path().join("vendor")).unwrap();
    fs::write(dir.path().join("vendor/Dockerfile"), "FROM node\n").unwrap();
    fs::create_dir_all(dir.path().join(".git")).unwrap();
    fs::write(dir.path().join(".git/Dockerfile"), "FROM node\n").unwrap();
    fs::create_dir_all(dir.path().join(".hidden")).unwrap();
    fs::write(dir.path().join(".hidden/Dockerfile"), "FROM node\n").unwrap();
    let report = common::scan_json(dir.path(), &[]);
    let mut paths: Vec<_> = hits(&report).into_iter().map(|h| h.path).collect();
    paths.dedup();
    assert_eq!(paths, vec![".hidden/Dockerfile".to_owned()]);
}

#[test]
fn hostile_yaml_neither_crashes_nor_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // 10,000 levels of nesting in a Kubernetes-looking file.
    let mut deep = String::from("apiVersion: v1\nkind: Pod\nspec: ");
    deep.push_str(&"[".repeat(10_000));
    deep.push_str(&"]".repeat(10_000));
    deep.push('\n');
    fs::write(root.join("deep.yaml"), deep).unwrap();
    // A billion laughs in a compose file.
    let mut laughs = String::from(
        "x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut previous = 'a';
    for name in 'b'..='j' {
        laughs.push_str(&format!(
            "x-{name}: &{name} [{}]\n",
            vec![format!("*{previous}"); 9].join(",")
        ));
        previous = name;
    }
    laughs.push_str("services:\n  web:\n    image: nginx:latest\n    labels: *j\n");
    fs::write(root.join("compose.yaml"), laughs).unwrap();
    // Non-UTF-8 bytes in a workflow.
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::write(
        root.join(".github/workflows/ci.yml"),
        b"on: push\njobs: {x: {container: \"\xff\xfe\"}}\n",
    )
    .unwrap();
    // Duplicate keys.
    fs::write(
        root.join("k8s.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - {name: a, image: nginx:1.27.2}\n  containers: []\n",
    )
    .unwrap();
    // And a good file that must still be scanned.
    fs::write(root.join("Dockerfile"), "FROM python:latest\n").unwrap();

    let (code, report, elapsed) = scan_tree(root);
    assert_eq!(code, 1);
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    let found: Vec<(String, String)> = hits(&report)
        .into_iter()
        .map(|h| (h.path, h.rule))
        .collect();
    for expected in [
        ("Dockerfile", "PW101"),
        ("deep.yaml", "PW001"),
        ("compose.yaml", "PW001"),
        (".github/workflows/ci.yml", "PW001"),
        ("k8s.yaml", "PW001"),
    ] {
        let expected = (expected.0.to_owned(), expected.1.to_owned());
        assert!(found.contains(&expected), "{expected:?} in {found:#?}");
    }
}

#[test]
fn large_yaml_is_scanned() {
    // A multi-document Kubernetes file of ~50 MB with one finding at the very end.
    let (got, lines) = scan_big_file(
        "big.yaml",
        "",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27.2\n      env: [{name: A, value: \"0123456789012345678901234567890123456789\"}]\n---\n",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: last}\nspec:\n  containers:\n    - name: app\n      image: nginx:latest\n",
        50 * 1024 * 1024,
    );
    assert_eq!(got, vec![("PW101".to_owned(), lines)]);
}

#[test]
fn env_from_process_is_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  db:\n    image: postgres:${PG_TAG}\n    security_opt: [no-new-privileges:true]\n",
    )
    .unwrap();
    let run = |flag: Option<&str>| {
        let mut cmd = pinwarden();
        cmd.current_dir(dir.path()).env("PG_TAG", "latest");
        cmd.args(["scan", "--format", "json", "--fail-on", "never"]);
        if let Some(flag) = flag {
            cmd.arg(flag);
        }
        let output = cmd.output().unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        hits(&report)
            .into_iter()
            .map(|h| h.rule)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        run(None),
        vec!["PW103".to_owned()],
        "the process environment is ignored"
    );
    assert_eq!(run(Some("--env-from-process")), vec!["PW101".to_owned()]);
}
