//! The action on a pull request with `new-since: auto` and a `baseline`: the gate counts only
//! what the pull request adds, the outputs and the job summary say how many findings were
//! pre-existing, and the summary names the gate's own files when the pull request changes
//! them.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::pinwarden;

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", dir.join(".no-global-gitconfig"))
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
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

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    summary: String,
    outputs: String,
}

/// A workspace whose base commit has one finding and whose head adds one, changes the
/// config file and the baseline.
struct Workspace {
    _dir: tempfile::TempDir,
    workspace: PathBuf,
    runner: PathBuf,
    base: String,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let workspace = root.join("workspace");
        let runner = root.join("runner");
        std::fs::create_dir_all(&workspace).unwrap();
        std::fs::create_dir_all(&runner).unwrap();
        let write = |path: &str, text: &str| std::fs::write(workspace.join(path), text).unwrap();
        git(&workspace, &["init", "-q"]);
        write("Dockerfile", "FROM nginx:latest\nUSER app\n");
        write(".pinwarden.yml", "policy: version\n");
        write(
            "baseline.json",
            "{\"version\": 1, \"tool\": \"pinwarden\", \"findings\": []}\n",
        );
        git(&workspace, &["add", "-A"]);
        git(&workspace, &["commit", "-q", "-m", "base"]);
        let base = git(&workspace, &["rev-parse", "HEAD"]).trim().to_owned();
        write(
            "Dockerfile",
            "FROM nginx:latest\nUSER app\nFROM alpine:latest\nUSER app\n",
        );
        write(".pinwarden.yml", "policy: tag\n");
        git(&workspace, &["add", "-A"]);
        git(&workspace, &["commit", "-q", "-m", "head"]);
        Self {
            _dir: dir,
            workspace,
            runner,
            base,
        }
    }

    fn run(&self, event: &str, base: &str, inputs: &[(&str, &str)]) -> Run {
        let payload = self.runner.join("event.json");
        let pull_request = serde_json::json!({
            "pull_request": {
                "number": 7,
                "base": {"sha": base, "repo": {"full_name": "octo/repo"}},
                "head": {"sha": "f".repeat(40), "repo": {"full_name": "octo/repo"}}
            }
        });
        std::fs::write(&payload, pull_request.to_string()).unwrap();
        let summary = self.runner.join("summary");
        let outputs = self.runner.join("outputs");
        std::fs::write(&summary, "").unwrap();
        std::fs::write(&outputs, "").unwrap();
        let mut command = pinwarden();
        command
            .current_dir(&self.workspace)
            .arg("action")
            .env("INPUT_UPLOAD", "false")
            .env("INPUT_SARIF-FILE", self.runner.join("p.sarif"))
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_EVENT_PATH", &payload)
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs);
        for (name, value) in inputs {
            command.env(format!("INPUT_{}", name.to_ascii_uppercase()), value);
        }
        let output = command.output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
            summary: std::fs::read_to_string(&summary).unwrap(),
            outputs: std::fs::read_to_string(&outputs).unwrap(),
        }
    }
}

#[test]
fn new_since_auto_gates_on_what_the_pull_request_adds() {
    let workspace = Workspace::new();
    let run = workspace.run("pull_request", &workspace.base, &[("new-since", "auto")]);
    // The added image fails the step; the old one is reported, not counted.
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.outputs.contains("pre-existing=1\n"), "{}", run.outputs);
    assert!(run.outputs.contains("findings=1\n"), "{}", run.outputs);
    let unchanged = format!(
        "**1 more pre-existing** (unchanged since `{}`)",
        workspace.base
    );
    assert!(run.summary.contains(&unchanged), "{}", run.summary);
    // The pull request edits .pinwarden.yml: the reviewers are told.
    assert!(
        run.summary
            .contains("**This pull request changes the gate's own settings:** `.pinwarden.yml`."),
        "{}",
        run.summary
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workspace.runner.join("p.sarif")).unwrap())
            .unwrap();
    let states: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["unchanged", "new"]);

    // Only the added finding would count; gated on it, with the old one in a baseline too.
    let run = workspace.run(
        "pull_request",
        &workspace.base,
        &[("new-since", "auto"), ("baseline", "baseline.json")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.summary
            .contains("in the baseline `baseline.json` or unchanged since"),
        "{}",
        run.summary
    );
}

#[test]
fn new_since_auto_outside_a_pull_request_counts_everything() {
    let workspace = Workspace::new();
    let run = workspace.run("push", &workspace.base, &[("new-since", "auto")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.outputs.contains("pre-existing=0\n"), "{}", run.outputs);
    assert!(
        run.stdout.contains(
            "::notice title=pinwarden new-since::`new-since: auto` applies to pull requests only"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.summary.contains("applies to pull requests only"),
        "{}",
        run.summary
    );
    // Not a pull request: nothing said about the gate's files.
    assert!(
        !run.summary.contains("gate's own settings"),
        "{}",
        run.summary
    );
}

#[test]
fn a_base_missing_from_the_clone_is_a_clear_error() {
    let workspace = Workspace::new();
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let run = workspace.run("pull_request", missing, &[("new-since", "auto")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: --new-since: `{missing}` is not a commit of this repository"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}

#[test]
fn a_changed_baseline_is_named_in_the_summary() {
    let workspace = Workspace::new();
    std::fs::write(
        workspace.workspace.join("baseline.json"),
        "{\"version\": 1, \"tool\": \"pinwarden\", \"findings\": []}\n\n",
    )
    .unwrap();
    git(&workspace.workspace, &["commit", "-q", "-am", "baseline"]);
    let run = workspace.run(
        "pull_request",
        &workspace.base,
        &[("baseline", "./baseline.json")],
    );
    assert!(
        run.summary.contains(
            "**This pull request changes the gate's own settings:** `.pinwarden.yml`, `baseline.json`."
        ),
        "{}",
        run.summary
    );
}
