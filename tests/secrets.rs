//! The never-printed test (PW403): `tests/fixtures/secrets` plants a value containing
//! [`PLANTED`] under a secret-like key in every source PW403 reads (Dockerfile `ENV`/`ARG`,
//! compose `environment` map and list, `build.args`, a `.env` entry a service uses, a
//! Kubernetes `env[].value`, workflow `env:` and `with:`, a composite action's `env:`). No
//! output format, and none of the action's outputs, may contain one of them. Where a format
//! shows the source line, the value must appear masked as [`MASK`].
//!
//! The text format and SARIF's `contextRegion.snippet` show the source line of each finding:
//! there the value must be masked by the report layer's shared masking (`model::secret`).
//! PW403 itself never puts a value in a message, a related label or its primary span (the key).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::{fixtures, pinwarden, scan};

/// Every planted value contains this.
const PLANTED: &str = "s3cr3t-planted";
/// How a value is shown where its line is echoed.
const MASK: &str = "********";
/// The PW403 findings the fixture holds (one per planted value): the test is not vacuous.
const PLANTED_FINDINGS: usize = 15;

fn dir() -> PathBuf {
    fixtures().join("secrets")
}

/// `scan --format FORMAT` over the fixture: stdout and stderr together.
fn output(format: &str) -> String {
    let (code, stdout, stderr) = scan(&dir(), &["--format", format, "--fail-on", "never"]);
    assert_eq!(code, 0, "{stderr}");
    format!("{stdout}{stderr}")
}

fn assert_never_printed(place: &str, text: &str) {
    let leaked: Vec<&str> = text.lines().filter(|line| line.contains(PLANTED)).collect();
    assert!(
        leaked.is_empty(),
        "{place} prints planted secrets:\n{}",
        leaked.join("\n")
    );
}

#[test]
fn the_fixture_plants_one_finding_per_value() {
    let report = common::scan_json(&dir(), &[]);
    let pw403 = common::hits(&report)
        .into_iter()
        .filter(|hit| hit.rule == "PW403")
        .count();
    assert_eq!(pw403, PLANTED_FINDINGS, "{report:#}");
    let planted = walk(&dir())
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .matches(PLANTED)
                .count()
        })
        .sum::<usize>();
    // The README names the marker once.
    assert_eq!(planted, PLANTED_FINDINGS + 1);
}

#[test]
fn json_never_prints_planted_secrets() {
    assert_never_printed("json", &output("json"));
}

#[test]
fn github_annotations_never_print_planted_secrets() {
    let text = output("github");
    assert!(text.contains("PW403"), "{text}");
    assert_never_printed("github", &text);
}

#[test]
fn markdown_never_prints_planted_secrets() {
    let text = output("markdown");
    assert!(text.contains("PW403"), "{text}");
    assert_never_printed("markdown", &text);
}

#[test]
fn text_masks_planted_secrets() {
    let text = output("text");
    assert_never_printed("text", &text);
    assert!(
        text.contains(MASK),
        "the echoed lines show the mask:\n{text}"
    );
}

#[test]
fn sarif_masks_planted_secrets() {
    let text = output("sarif");
    assert_never_printed("sarif", &text);
    assert!(text.contains(MASK), "the snippets show the mask:\n{text}");
}

/// What `pinwarden action` leaves behind, run over a copy of the fixture with upload off.
struct ActionRun {
    stdout: String,
    stderr: String,
    outputs: String,
    summary: String,
    sarif: String,
}

fn run_action() -> ActionRun {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().canonicalize().unwrap();
    let workspace = root.join("workspace");
    copy_tree(&dir(), &workspace);
    let outputs = root.join("outputs");
    let summary = root.join("summary");
    std::fs::write(&outputs, "").unwrap();
    std::fs::write(&summary, "").unwrap();
    let output = pinwarden()
        .current_dir(&workspace)
        .env("INPUT_UPLOAD", "false")
        .env("INPUT_FAIL-ON", "never")
        .env("INPUT_SARIF-FILE", "pinwarden.sarif")
        .env("GITHUB_WORKSPACE", &workspace)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .arg("action")
        .output()
        .unwrap();
    let run = ActionRun {
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
        outputs: std::fs::read_to_string(&outputs).unwrap(),
        summary: std::fs::read_to_string(&summary).unwrap(),
        sarif: std::fs::read_to_string(workspace.join("pinwarden.sarif")).unwrap_or_default(),
    };
    assert_eq!(output.status.code(), Some(0), "{}", run.stderr);
    run
}

#[test]
fn action_annotations_summary_and_outputs_never_print_planted_secrets() {
    let run = run_action();
    assert!(run.stdout.contains("PW403"), "{}", run.stdout);
    assert!(run.summary.contains("PW403"), "{}", run.summary);
    assert!(
        run.outputs.contains(&format!("errors={PLANTED_FINDINGS}")),
        "{}",
        run.outputs
    );
    for (place, text) in [
        ("annotations (stdout)", &run.stdout),
        ("stderr", &run.stderr),
        ("GITHUB_OUTPUT", &run.outputs),
        ("GITHUB_STEP_SUMMARY", &run.summary),
    ] {
        assert_never_printed(place, text);
    }
}

#[test]
fn action_sarif_file_masks_planted_secrets() {
    let run = run_action();
    assert!(run.sarif.contains("PW403"), "the SARIF file was written");
    assert_never_printed("the action's SARIF file", &run.sarif);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

fn copy_tree(from: &Path, to: &Path) {
    for file in walk(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, &target).unwrap();
    }
}
