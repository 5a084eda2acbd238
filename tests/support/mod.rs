//! Shared by the hostile-checkout tests (`hostile.rs`, `escaping.rs`, `git_discovery.rs`):
//! running the real binary's `scan` in every format and its `action` entrypoint against the
//! loopback fake GitHub, with everything each run printed or wrote collected in one place so
//! a test can assert that a string appears nowhere.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed setup aborts the test"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common;
use crate::fake_github::FakeGithub;

pub const TOKEN: &str = "ghs_HOSTILETOKEN0123456789abcdefABCDEF";
pub const REPOSITORY: &str = "octo/repo";
pub const SHA: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

/// Every format `scan` writes.
pub const FORMATS: [&str; 5] = ["text", "json", "sarif", "github", "markdown"];

/// One command's result.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `pinwarden ARGS` in `cwd`, under a timeout (a hang fails the test instead of the suite).
pub fn run(cwd: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let output = common::pinwarden()
        .current_dir(cwd)
        .args(args)
        .envs(envs.iter().copied())
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "pinwarden panicked: {stderr}");
    assert!(
        output.status.code().is_some(),
        "pinwarden was killed (timeout or signal): {args:?}\n{stderr}"
    );
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    }
}

/// `scan` in every format (with extra `args`): format name to output.
pub fn scan_all_formats(cwd: &Path, args: &[&str]) -> BTreeMap<&'static str, Output> {
    FORMATS
        .iter()
        .map(|format| {
            let mut all = vec!["scan", "--format", format];
            all.extend_from_slice(args);
            (*format, run(cwd, &all, &[]))
        })
        .collect()
}

/// One action step in a workspace, with the runner's files in a directory beside it.
pub struct ActionStep {
    pub workspace: PathBuf,
    pub runner: PathBuf,
    pub output: PathBuf,
    pub summary: PathBuf,
    pub env: BTreeMap<String, String>,
}

/// What one action run left behind.
#[derive(Debug)]
pub struct ActionRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub outputs: String,
    pub summary: String,
    pub sarif: Option<String>,
    /// Every upload body the fake GitHub received, raw, and every decoded SARIF it accepted.
    pub uploads: Vec<String>,
}

impl ActionRun {
    /// Every place text could reach a person or a service, named.
    pub fn places(&self) -> Vec<(&'static str, &str)> {
        let mut places = vec![
            ("stdout (annotations, log)", self.stdout.as_str()),
            ("stderr", self.stderr.as_str()),
            ("GITHUB_OUTPUT", self.outputs.as_str()),
            ("GITHUB_STEP_SUMMARY", self.summary.as_str()),
            ("the SARIF file", self.sarif.as_deref().unwrap_or_default()),
        ];
        for upload in &self.uploads {
            places.push(("an upload to the fake GitHub", upload.as_str()));
        }
        places
    }

    pub fn dump(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}\n--- GITHUB_OUTPUT\n{}\n--- summary\n{}",
            self.code, self.stdout, self.stderr, self.outputs, self.summary
        )
    }
}

/// The environment the runner gives the action's step: every input at its `action.yml`
/// default (as the runner passes them, `INPUT_*`), `GITHUB_TOKEN` from `runs.env`, and a push to
/// `main` of `octo/repo` with the runner's file-command files.
pub fn runner_env(
    token: &str,
    workspace: &Path,
    output: &Path,
    summary: &Path,
    api_url: &str,
) -> BTreeMap<String, String> {
    let path = |path: &Path| path.display().to_string();
    [
        ("INPUT_PATH", "."),
        ("INPUT_POLICY", ""),
        ("INPUT_FAIL-ON", "error"),
        ("INPUT_SARIF-FILE", "pinwarden.sarif"),
        ("INPUT_UPLOAD", "true"),
        ("INPUT_CATEGORY", "pinwarden"),
        ("INPUT_INCLUDE-SARIF", ""),
        ("INPUT_TOKEN", token),
        // action.yml `runs.env`: GITHUB_TOKEN: ${{ inputs.token }}
        ("GITHUB_TOKEN", token),
        ("GITHUB_API_URL", api_url),
        ("GITHUB_REPOSITORY", REPOSITORY),
        ("GITHUB_SHA", SHA),
        ("GITHUB_REF", "refs/heads/main"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_WORKSPACE", &path(workspace)),
        ("GITHUB_OUTPUT", &path(output)),
        ("GITHUB_STEP_SUMMARY", &path(summary)),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

impl ActionStep {
    /// A push to `main` with the inputs at their defaults; `workspace` is the checkout.
    pub fn new(root: &Path, workspace: &Path, fake: &FakeGithub) -> Self {
        let runner = root.join("runner");
        std::fs::create_dir_all(&runner).unwrap();
        let output = runner.join("set_output");
        let summary = runner.join("step_summary");
        std::fs::write(&output, "").unwrap();
        std::fs::write(&summary, "").unwrap();
        let env = runner_env(TOKEN, workspace, &output, &summary, &fake.uri());
        Self {
            workspace: workspace.to_path_buf(),
            runner,
            output,
            summary,
            env,
        }
    }

    pub fn set(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Run `pinwarden action` in the workspace (under a timeout).
    pub fn run(&self, fake: &FakeGithub) -> ActionRun {
        let output = common::pinwarden()
            .current_dir(&self.workspace)
            .envs(&self.env)
            .arg("action")
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "pinwarden panicked: {stderr}");
        assert!(output.status.code().is_some(), "killed: {stderr}");
        let read = |path: &Path| {
            std::fs::symlink_metadata(path)
                .ok()
                .filter(|metadata| metadata.is_file())
                .and_then(|_| std::fs::read_to_string(path).ok())
                .unwrap_or_default()
        };
        let sarif_path = self.workspace.join(&self.env["INPUT_SARIF-FILE"]);
        let mut uploads: Vec<String> = fake
            .requests()
            .iter()
            .map(|request| String::from_utf8_lossy(&request.body).into_owned())
            .collect();
        uploads.extend(fake.uploads().iter().map(ToString::to_string));
        ActionRun {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr,
            outputs: read(&self.output),
            summary: read(&self.summary),
            sarif: std::fs::symlink_metadata(&sarif_path)
                .ok()
                .filter(|metadata| metadata.is_file())
                .and_then(|_| std::fs::read_to_string(&sarif_path).ok()),
            uploads,
        }
    }
}

/// The fake GitHub answering `complete` at once.
pub fn fake() -> FakeGithub {
    FakeGithub::builder(TOKEN, REPOSITORY)
        .pending_polls(0)
        .start()
}

pub fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    let link = link.as_ref();
    if let Some(parent) = link.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::os::unix::fs::symlink(target, link).unwrap();
}

pub fn write(path: impl AsRef<Path>, text: &str) {
    let path = path.as_ref();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

pub fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A canonical temporary directory (equal to the binary's current directory even where
/// TMPDIR is a symlink).
pub fn tempdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

/// The largest input an amplification case writes.
pub const MAX_INPUT: usize = 300 * 1024;

/// Write one generated input (`shape` gives its name and text) into a fresh directory.
pub fn case(shape: fn() -> (&'static str, String)) -> (tempfile::TempDir, PathBuf, usize) {
    let (dir, root) = tempdir();
    let (name, text) = shape();
    assert!(text.len() <= MAX_INPUT, "{name}: {} bytes", text.len());
    write(root.join(name), &text);
    (dir, root, text.len())
}

/// Scan `dir` in every format and assert the output bounds: SARIF ≤ 100 × input and
/// ≤ 25 MB, text and JSON ≤ 100 × input, the summary ≤ 1 MiB, at most 10 annotations per
/// level plus one line.
pub fn check_bounds(case: &str, dir: &Path, input: usize) {
    let outputs = scan_all_formats(dir, &["--fail-on", "never"]);
    for (format, output) in &outputs {
        assert_eq!(output.code, 0, "{case} {format}: {}", output.stderr);
    }
    let size = |format: &str| outputs[format].stdout.len();
    let sarif = size("sarif");
    assert!(
        sarif <= 100 * input && sarif <= 25 * 1024 * 1024,
        "{case}: SARIF is {sarif} bytes for {input} bytes of input"
    );
    for format in ["text", "json"] {
        assert!(
            size(format) <= 100 * input,
            "{case}: {format} is {} bytes for {input} bytes of input",
            size(format)
        );
    }
    assert!(
        size("markdown") <= 1024 * 1024,
        "{case}: the summary is {} bytes",
        size("markdown")
    );
    let github = &outputs["github"].stdout;
    for level in ["::error ", "::warning ", "::notice "] {
        let count = github
            .lines()
            .filter(|line| line.starts_with(level))
            .count();
        assert!(count <= 10, "{case}: {count} `{level}` annotations");
    }
    assert!(
        github.lines().count() <= 31,
        "{case}: {}",
        github.lines().count()
    );
    common::assert_valid_sarif(&serde_json::from_str(&outputs["sarif"].stdout).unwrap());
}
