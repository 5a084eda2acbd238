//! Several reports from one scan (`--sarif-output`, `--json-output`, `--markdown-output`
//! beside `--format`/`--output`) and one file from standard input (`scan -`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{pinwarden, scan};
use serde_json::Value;

const DOCKERFILE: &str = "FROM nginx:latest\nUSER app\n";

/// `pinwarden scan ARGS` in `cwd` with `stdin` as standard input.
fn scan_stdin(cwd: &Path, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let output = pinwarden()
        .current_dir(cwd)
        .arg("scan")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn one_scan_writes_every_output_it_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("Dockerfile"), DOCKERFILE).unwrap();
    let (code, stdout, stderr) = scan(
        root,
        &[
            "--format",
            "text",
            "--sarif-output",
            "out/p.sarif",
            "--json-output",
            "p.json",
            "--markdown-output",
            "p.md",
        ],
    );
    // `out/` does not exist: exit 2, before the report is printed.
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("cannot create `out/p.sarif`"), "{stderr}");

    std::fs::create_dir(root.join("out")).unwrap();
    let (code, stdout, stderr) = scan(
        root,
        &[
            "--format",
            "text",
            "--output",
            "p.txt",
            "--sarif-output",
            "out/p.sarif",
            "--json-output",
            "p.json",
            "--markdown-output",
            "p.md",
        ],
    );
    // Written on exit 1 too.
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap();
    let sarif: Value = serde_json::from_str(&read("out/p.sarif")).unwrap();
    common::assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "PW101");
    let json: Value = serde_json::from_str(&read("p.json")).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["errors"], 1);
    assert!(read("p.md").starts_with("## pinwarden\n"));
    assert!(read("p.txt").contains("Dockerfile:1:6: PW101"));
    // Each is the report of the same scan: the same fingerprint.
    assert_eq!(
        json["findings"][0]["fingerprint"],
        sarif["runs"][0]["results"][0]["partialFingerprints"]["pinwarden/v1"]
    );
}

#[test]
fn outputs_are_not_written_through_a_planted_link() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("Dockerfile"), DOCKERFILE).unwrap();
    let victim = root.join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, root.join("p.json")).unwrap();
    let (code, _, stderr) = scan(root, &["--json-output", "p.json"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        !std::fs::symlink_metadata(root.join("p.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn two_outputs_to_one_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    let (code, _, stderr) = scan(
        dir.path(),
        &["--output", "r", "--format", "sarif", "--json-output", "r"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("`r` is named by two output options"),
        "{stderr}"
    );
    assert!(!dir.path().join("r").exists());
}

#[test]
fn standard_input_is_one_file_named_by_stdin_filename() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // The name decides the kind: the same text as a Dockerfile and as compose.
    let (code, stdout, stderr) = scan_stdin(
        root,
        &["-", "--stdin-filename", "docker/Dockerfile"],
        DOCKERFILE.as_bytes(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("docker/Dockerfile:1:6: PW101"), "{stdout}");
    assert!(stdout.contains("(1 file scanned)"), "{stdout}");
    let compose = "services:\n  web:\n    image: nginx\n";
    let (_, stdout, _) = scan_stdin(
        root,
        &["-", "--stdin-filename", "compose.yaml", "--format", "json"],
        compose.as_bytes(),
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"PW102"), "{stdout}");
    assert_eq!(report["findings"][0]["path"], "compose.yaml");

    // No `.env` beside it is read, even when one exists on disk under that name.
    std::fs::write(root.join(".env"), "IMG=redis:latest\n").unwrap();
    let (_, stdout, _) = scan_stdin(
        root,
        &["-", "--stdin-filename", "compose.yaml"],
        b"services:\n  web:\n    image: ${IMG:-redis:7.2.4}\n    security_opt: [\"no-new-privileges:true\"]\n",
    );
    assert!(stdout.starts_with("ok: no findings"), "{stdout}");
    // The same file on disk reads the .env.
    std::fs::write(
        root.join("compose.yaml"),
        "services:\n  web:\n    image: ${IMG:-redis:7.2.4}\n    security_opt: [\"no-new-privileges:true\"]\n",
    )
    .unwrap();
    let (_, stdout, _) = scan(root, &["compose.yaml"]);
    assert!(stdout.contains("redis:latest"), "{stdout}");
}

#[test]
fn standard_input_is_checked_like_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Binary input is PW001, like a binary file.
    let (code, stdout, _) = scan_stdin(
        root,
        &["-", "--stdin-filename", "Dockerfile"],
        b"FROM a\0b\n",
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("PW001"), "{stdout}");
    // Over the size cap: not scanned, said so.
    let huge = vec![b'#'; usize::try_from(pinwarden::read::MAX_FILE_BYTES).unwrap() + 1];
    let (code, stdout, stderr) = scan_stdin(root, &["-", "--stdin-filename", "Dockerfile"], &huge);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("standard input is over the"), "{stdout}");
}

#[test]
fn stdin_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    // (args, what stderr says)
    let cases: &[(&[&str], &str)] = &[
        (&["-"], "`scan -` needs --stdin-filename NAME"),
        (
            &["-", "--stdin-filename", " "],
            "`scan -` needs --stdin-filename NAME",
        ),
        (
            &["-", ".", "--stdin-filename", "Dockerfile"],
            "`-` (standard input) must be the only path",
        ),
        (
            &[".", "--stdin-filename", "Dockerfile"],
            "--stdin-filename is only used with `-` as the path",
        ),
    ];
    for (args, expected) in cases {
        let (code, stdout, stderr) = scan_stdin(dir.path(), args, DOCKERFILE.as_bytes());
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
