//! What a scan says about itself: the summary line, an empty scan, `--output`, and `explain`
//! by rule name.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{pinwarden, root, scan};

#[test]
fn the_summary_counts_files_with_findings_and_files_scanned() {
    let (code, stdout, stderr) = scan(&root().join("examples"), &["vulnerable"]);
    assert_eq!(code, 1);
    assert!(stderr.is_empty(), "{stderr}");
    let last = stdout.lines().last().unwrap();
    assert_eq!(
        last,
        "found 28 findings in 5 files (6 files scanned) at policy `version`: 19 errors, \
         4 warnings, 5 notes"
    );
}

#[test]
fn an_empty_scan_says_it_scanned_nothing_and_why() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a manifest\n").unwrap();
    let (code, stdout, _) = scan(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "nothing scanned: no Dockerfile, compose file, workflow, action or Kubernetes manifest \
         under the given paths\n"
    );
    // A skipped file is counted and pointed at.
    std::fs::write(dir.path().join("Dockerfile.template"), "FROM x\n").unwrap();
    let (_, stdout, _) = scan(dir.path(), &[]);
    assert!(
        stdout.ends_with("under the given paths; 1 file skipped (see the notes above)\n"),
        "{stdout}"
    );
}

#[test]
fn output_to_a_file_still_tells_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    let out_arg = out.to_str().unwrap();
    let (code, stdout, stderr) = scan(
        &root().join("examples"),
        &["vulnerable", "--format", "sarif", "--output", out_arg],
    );
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(
        stderr,
        format!(
            "found 28 findings in 5 files (6 files scanned) at policy `version`: 19 errors, \
             4 warnings, 5 notes (report written to `{out_arg}`)\n"
        )
    );
    assert!(std::fs::read_to_string(&out).unwrap().contains("\"PW101\""));
}

#[test]
fn explain_takes_a_rule_name() {
    let by_name = pinwarden()
        .args(["explain", "image-floating-tag"])
        .output()
        .unwrap();
    let by_id = pinwarden().args(["explain", "PW104"]).output().unwrap();
    assert!(by_name.status.success());
    assert_eq!(by_name.stdout, by_id.stdout);
    assert!(
        String::from_utf8(by_name.stdout)
            .unwrap()
            .starts_with("# PW104 image-floating-tag\n")
    );
}
