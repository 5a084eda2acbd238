//! End to end: the real binary run the way the container action runs it (`ENTRYPOINT`
//! `/pinwarden`, `runs.args: [action]`), with the runner's `INPUT_*` variables (upper-cased,
//! hyphens kept), the `GITHUB_*` context, temporary `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`
//! files, and the upload going to the loopback fake GitHub of `tests/fake_github`, which
//! enforces the code scanning contract. Every run is also checked for a leaked token.
//!
//! Timing: the binary runs with the production `UploadSettings` (retries after 1 s then 2 s,
//! polls every 5 s), so the fake answers `complete` on the first status request except in one
//! test that exercises a `pending` answer (one 5 s poll) and one that exercises two retries (3 s).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns: a failed setup should abort the test"
)]

mod common;
mod fake_github;
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fake_github::{EchoAuthorization, FakeGithub, result_uris};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

/// A distinctive token: it must appear in no output, file or upload.
const TOKEN: &str = "ghs_TESTTOKEN0123456789abcdefABCDEF";
const REPOSITORY: &str = "octo/repo";
/// `GITHUB_SHA`: the commit the workflow runs on (the merge commit on `pull_request`).
const SHA: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
/// `pull_request.head.sha` in `tests/fixtures/action/pull_request.json`.
const HEAD_SHA: &str = "2222222222222222222222222222222222222222";

// The repository the action scans, written into a temporary workspace (not kept as fixture
// files, so a scan of this repository does not report them).
const DOCKERFILE: &str = "\
FROM python:latest
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
USER 10001
";
const COMPOSE: &str = "\
services:
  app: {build: ., security_opt: [no-new-privileges:true]}
  cache:
    security_opt: [no-new-privileges:true]
    user: root
    image: redis:7.2.4
  db:
    image: postgres:16.2@sha256:4aea012537edfad80f98d870a36e6b90b4c09b27be7f4b4759d72db863baeebb
    security_opt: [no-new-privileges:true]
";
const REQUIREMENTS: &str = "certifi==2022.12.7\nrequests==2.31.0\n";

fn fixture(name: &str) -> PathBuf {
    common::fixtures().join("action").join(name)
}

// ---------------------------------------------------------------------------------------------
// Harness

/// One action step: a fake GitHub, a workspace and the runner's files and variables.
struct Step {
    fake: FakeGithub,
    _dir: tempfile::TempDir,
    workspace: PathBuf,
    output: PathBuf,
    summary: PathBuf,
    env: BTreeMap<String, String>,
}

/// What one run of `pinwarden action` left behind.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// `$GITHUB_OUTPUT`.
    outputs: String,
    /// `$GITHUB_STEP_SUMMARY`.
    summary: String,
    /// The `sarif-file` it wrote, if any.
    sarif: Option<String>,
}

impl Run {
    /// For assertion messages.
    fn dump(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}\n--- GITHUB_OUTPUT\n{}\n--- GITHUB_STEP_SUMMARY\n{}",
            self.code, self.stdout, self.stderr, self.outputs, self.summary
        )
    }

    fn output_lines(&self) -> Vec<&str> {
        self.outputs.lines().collect()
    }

    /// The SARIF file, parsed and validated against the OASIS schema.
    fn sarif(&self) -> Value {
        let text = self.sarif.as_deref().unwrap_or_else(|| {
            panic!("the SARIF file was not written\n{}", self.dump());
        });
        let log: Value = serde_json::from_str(text).unwrap();
        common::assert_valid_sarif(&log);
        log
    }
}

impl Step {
    /// A push to `main` with every input at its `action.yml` default, as the runner passes them.
    fn new(fake: FakeGithub) -> Self {
        let dir = tempfile::tempdir().unwrap();
        // Canonical, so it equals the binary's current directory (a symlinked TMPDIR).
        let root = dir.path().canonicalize().unwrap();
        let workspace = root.join("workspace");
        let runner = root.join("runner");
        std::fs::create_dir_all(&workspace).unwrap();
        std::fs::create_dir_all(&runner).unwrap();
        std::fs::write(workspace.join("Dockerfile"), DOCKERFILE).unwrap();
        std::fs::write(workspace.join("compose.yaml"), COMPOSE).unwrap();
        std::fs::write(workspace.join("requirements.txt"), REQUIREMENTS).unwrap();
        // The runner creates both files empty before the step.
        let output = runner.join("set_output_0123");
        let summary = runner.join("step_summary_0123");
        std::fs::write(&output, "").unwrap();
        std::fs::write(&summary, "").unwrap();
        let env = support::runner_env(TOKEN, &workspace, &output, &summary, &fake.uri());
        Self {
            fake,
            _dir: dir,
            workspace,
            output,
            summary,
            env,
        }
    }

    /// The fake answers `complete` to the first status request (no 5 s poll).
    fn default_fake() -> FakeGithub {
        FakeGithub::builder(TOKEN, REPOSITORY)
            .pending_polls(0)
            .start()
    }

    fn set(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Put Trivy's SARIF (the fixture, one URI made absolute under this workspace) into the
    /// workspace and name it in `include-sarif`.
    fn with_trivy(&mut self) -> &mut Self {
        let text = std::fs::read_to_string(fixture("trivy-results.sarif")).unwrap();
        let text = text.replace("@WORKSPACE@", &self.workspace.display().to_string());
        std::fs::write(self.workspace.join("trivy-results.sarif"), text).unwrap();
        self.set("INPUT_INCLUDE-SARIF", "trivy-results.sarif")
    }

    /// Run `pinwarden action` in the workspace with only PATH and `self.env`, then check that
    /// the token leaked nowhere.
    fn run(&self) -> Run {
        let output = common::pinwarden()
            .current_dir(&self.workspace)
            .envs(&self.env)
            .arg("action")
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
        let sarif_file = self.workspace.join(&self.env["INPUT_SARIF-FILE"]);
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
            outputs: read(&self.output),
            summary: read(&self.summary),
            sarif: std::fs::read_to_string(sarif_file).ok(),
        };
        self.assert_no_token(&run);
        run
    }

    fn assert_no_token(&self, run: &Run) {
        let places = [
            ("stdout", run.stdout.as_str()),
            ("stderr", run.stderr.as_str()),
            ("GITHUB_OUTPUT", run.outputs.as_str()),
            ("GITHUB_STEP_SUMMARY", run.summary.as_str()),
            ("the SARIF file", run.sarif.as_deref().unwrap_or_default()),
        ];
        for (place, text) in places {
            assert!(!text.contains(TOKEN), "token in {place}\n{}", run.dump());
        }
        for (index, upload) in self.fake.uploads().iter().enumerate() {
            assert!(
                !upload.to_string().contains(TOKEN),
                "token in upload {index}"
            );
        }
    }
}

/// Every `uri` outside `originalUriBaseIds` is repo-relative: no scheme, no leading `/` or `./`.
fn assert_uris_repo_relative(value: &Value) {
    match value {
        Value::Object(map) => {
            if let Some(uri) = map.get("uri").and_then(Value::as_str) {
                assert!(
                    !uri.contains(':') && !uri.starts_with('/') && !uri.starts_with("./"),
                    "not repo-relative: {uri}"
                );
            }
            for (key, child) in map {
                if key != "originalUriBaseIds" {
                    assert_uris_repo_relative(child);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(assert_uris_repo_relative),
        _ => {}
    }
}

fn tool_and_category(sarif: &Value) -> (String, String) {
    let run = &sarif["runs"][0];
    (
        run["tool"]["driver"]["name"].as_str().unwrap().to_owned(),
        run["automationDetails"]["id"].as_str().unwrap().to_owned(),
    )
}

const PINWARDEN_ANNOTATION: &str = "::error file=Dockerfile,line=1,col=6,endColumn=19,\
     title=PW101 image-latest-tag::image `python:latest`";

/// pinwarden's own findings: PW101 (error) in the Dockerfile, PW401 (warning) in compose.
fn assert_own_findings(run: &Run) {
    assert!(
        run.stdout
            .lines()
            .any(|line| line.starts_with(PINWARDEN_ANNOTATION)),
        "{}",
        run.dump()
    );
    assert!(
        run.stdout.lines().any(
            |line| line.starts_with("::warning file=compose.yaml,line=5,")
                && line.contains("PW401")
        ),
        "{}",
        run.dump()
    );
    let sarif = run.sarif();
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "pinwarden");
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["PW101", "PW401"], "{}", run.dump());
    assert!(
        run.summary.contains("| rule | name | findings |")
            && run.summary.contains("| PW101 | image-latest-tag | 1 |")
            && run.summary.contains("| error | PW101 | `Dockerfile:1` |"),
        "{}",
        run.dump()
    );
}

/// The outputs with Trivy's three results (critical, medium, low) counted in.
const OUTPUTS_WITH_TRIVY: [&str; 5] = [
    "sarif-file=pinwarden.sarif",
    "findings=5",
    "errors=2",
    "warnings=2",
    "pre-existing=0",
];
/// The outputs of pinwarden's own findings alone.
const OWN_OUTPUTS: [&str; 5] = [
    "sarif-file=pinwarden.sarif",
    "findings=2",
    "errors=1",
    "warnings=1",
    "pre-existing=0",
];

/// The happy path's summary, annotations, SARIF file and two uploads.
fn assert_happy_path(step: &Step, run: &Run) {
    assert_eq!(run.output_lines(), OUTPUTS_WITH_TRIVY, "{}", run.dump());
    assert_own_findings(run);
    assert!(
        run.summary
            .contains("| Trivy | `trivy-results.sarif` | 1 | 1 | 1 |")
            && run
                .summary
                .contains("The gate counts 2 errors, 2 warnings and 1 notes in all."),
        "{}",
        run.dump()
    );
    assert_eq!(run.stderr, "", "{}", run.dump());

    let uploads = step.fake.uploads();
    let uploaded: Vec<(String, String)> = uploads.iter().map(tool_and_category).collect();
    assert_eq!(
        uploaded,
        [
            ("pinwarden".to_owned(), "pinwarden/".to_owned()),
            ("Trivy".to_owned(), "trivy/".to_owned())
        ]
    );
    uploads.iter().for_each(assert_uris_repo_relative);
    assert_eq!(result_uris(&uploads[0]), ["Dockerfile", "compose.yaml"]);
    assert_eq!(
        result_uris(&uploads[1]),
        ["requirements.txt", "requirements.txt", "Dockerfile"]
    );
    // Trivy's file went up as written, but for the URIs and the category
    assert_eq!(
        uploads[1]["runs"][0]["results"][0]["ruleId"],
        "CVE-2023-37920"
    );
    let posts = step.fake.post_bodies();
    assert_eq!(posts.len(), 2);
    for post in &posts {
        assert_eq!(post["commit_sha"], SHA);
        assert_eq!(post["ref"], "refs/heads/main");
        assert_eq!(
            post["checkout_uri"],
            format!("file://{}", step.workspace.display())
        );
    }
    assert_eq!(
        (
            posts[0]["tool_name"].as_str(),
            posts[1]["tool_name"].as_str()
        ),
        (Some("pinwarden"), Some("Trivy"))
    );
    // each polled until `complete`
    assert_eq!(
        step.fake.status_calls(),
        BTreeMap::from([("sarif-1".to_owned(), 1), ("sarif-2".to_owned(), 1)])
    );
    for file in ["pinwarden.sarif", "trivy-results.sarif"] {
        assert!(
            run.stdout
                .contains(&format!("code scanning processed `{file}`")),
            "{}",
            run.dump()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn findings_fail_the_step_after_everything_is_written_and_uploaded() {
    let mut step = Step::new(Step::default_fake());
    step.with_trivy();
    let run = step.run();
    assert_eq!(run.code, 1, "{}", run.dump());
    assert_happy_path(&step, &run);
}

#[test]
fn fail_on_never_passes_the_same_run() {
    let mut step = Step::new(Step::default_fake());
    step.with_trivy().set("INPUT_FAIL-ON", "never");
    let run = step.run();
    assert_eq!(run.code, 0, "{}", run.dump());
    assert_happy_path(&step, &run);
}

#[test]
fn a_critical_trivy_result_alone_fails_the_step() {
    // No pinwarden finding at all: Trivy's 9.8 result is what trips `fail-on: error`.
    let mut step = Step::new(Step::default_fake());
    std::fs::write(
        step.workspace.join("Dockerfile"),
        "FROM python:3.12.4-slim@sha256:4aea012537edfad80f98d870a36e6b90b4c09b27be7f4b4759d72db863baeebb\nUSER 10001\n",
    )
    .unwrap();
    std::fs::remove_file(step.workspace.join("compose.yaml")).unwrap();
    step.with_trivy().set("INPUT_UPLOAD", "false");
    let run = step.run();
    assert_eq!(run.code, 1, "{}", run.dump());
    assert_eq!(
        run.output_lines(),
        [
            "sarif-file=pinwarden.sarif",
            "findings=3",
            "errors=1",
            "warnings=1",
            "pre-existing=0"
        ],
        "{}",
        run.dump()
    );
    assert!(!run.stdout.contains("::error file="), "{}", run.dump());
    assert!(step.fake.requests().is_empty());
}

#[test]
fn pull_request_uploads_to_the_checked_out_commit() {
    let mut step = Step::new(Step::default_fake());
    step.set("GITHUB_EVENT_NAME", "pull_request")
        .set("GITHUB_REF", "refs/pull/7/merge")
        .set(
            "GITHUB_EVENT_PATH",
            &fixture("pull_request.json").display().to_string(),
        );
    let git = step.workspace.join(".git");
    std::fs::create_dir_all(&git).unwrap();
    // actions/checkout's default on pull_request: the merge commit, detached
    std::fs::write(git.join("HEAD"), format!("{SHA}\n")).unwrap();
    let merge = step.run();
    assert_eq!(merge.code, 1, "{}", merge.dump());
    assert_eq!(merge.output_lines(), OWN_OUTPUTS, "{}", merge.dump());
    // `ref: ${{ github.event.pull_request.head.sha }}`: the head commit
    std::fs::write(git.join("HEAD"), format!("{HEAD_SHA}\n")).unwrap();
    let head = step.run();
    assert_eq!(head.code, 1, "{}", head.dump());

    let targets: Vec<(String, String)> = step
        .fake
        .post_bodies()
        .iter()
        .map(|post| {
            (
                post["commit_sha"].as_str().unwrap().to_owned(),
                post["ref"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            (SHA.to_owned(), "refs/pull/7/merge".to_owned()),
            (HEAD_SHA.to_owned(), "refs/pull/7/head".to_owned())
        ]
    );
    assert_eq!(step.fake.uploads().len(), 2);
}

#[test]
fn upload_false_sends_nothing_and_still_reports() {
    let mut step = Step::new(Step::default_fake());
    step.with_trivy().set("INPUT_UPLOAD", "false");
    let run = step.run();
    assert_eq!(run.code, 1, "{}", run.dump());
    assert_eq!(run.output_lines(), OUTPUTS_WITH_TRIVY, "{}", run.dump());
    assert_own_findings(&run);
    assert!(
        run.summary
            .contains("| Trivy | `trivy-results.sarif` | 1 | 1 | 1 |"),
        "{}",
        run.dump()
    );
    assert!(!run.stdout.contains("uploading"), "{}", run.dump());
    assert!(step.fake.requests().is_empty(), "the server saw a request");
}

#[test]
fn forbidden_upload_explains_the_permission_and_still_writes_everything() {
    let mut step = Step::new(Step::default_fake());
    // The server echoes the Authorization header: pinwarden must redact it.
    step.fake.mount(
        Mock::given(method("POST"))
            .respond_with(EchoAuthorization(403))
            .with_priority(1),
    );
    step.with_trivy();
    let run = step.run();
    assert_eq!(run.code, 2, "{}", run.dump());
    for expected in [
        "the SARIF upload to code scanning failed",
        "GitHub refused the upload of `pinwarden.sarif` to octo/repo (HTTP 403",
        "sent Bearer ***",
        "security-events: write",
        "Advanced Security",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.dump());
    }
    let annotation = run
        .stdout
        .lines()
        .find(|line| line.starts_with("::error title=pinwarden upload::"))
        .unwrap_or_else(|| panic!("no upload annotation\n{}", run.dump()));
    assert!(
        annotation.contains("security-events: write") && annotation.contains("Advanced Security"),
        "{annotation}"
    );
    assert_eq!(run.output_lines(), OUTPUTS_WITH_TRIVY, "{}", run.dump());
    assert_own_findings(&run);
    // a 403 without rate-limit headers is not retried; the Trivy file is still tried (one
    // rejected upload must not keep the others out), and is refused the same way
    assert_eq!(step.fake.posts(), 2);
    assert!(step.fake.uploads().is_empty());
}

#[test]
fn server_errors_are_retried_and_the_gate_decides() {
    let step = Step::new(Step::default_fake());
    step.fake.mount(
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
            .with_priority(1)
            .up_to_n_times(2),
    );
    let run = step.run();
    assert_eq!(run.code, 1, "{}", run.dump());
    assert_eq!(step.fake.posts(), 3);
    assert_eq!(step.fake.uploads().len(), 1);
    // production backoff: 1 s, then 2 s
    for expected in [
        "retrying `pinwarden.sarif` in 1000 ms after HTTP 502 (attempt 2 of 4)",
        "retrying `pinwarden.sarif` in 2000 ms after HTTP 502 (attempt 3 of 4)",
        "code scanning processed `pinwarden.sarif`",
    ] {
        assert!(run.stdout.contains(expected), "{expected}\n{}", run.dump());
    }
    assert_eq!(run.output_lines(), OWN_OUTPUTS, "{}", run.dump());
    assert_eq!(run.stderr, "", "{}", run.dump());
}

#[test]
fn failed_processing_prints_the_errors_and_exits_2() {
    // One `pending` answer first: the binary waits its production poll interval (5 s).
    let fake = FakeGithub::builder(TOKEN, REPOSITORY)
        .pending_polls(1)
        .final_status(json!({
            "processing_status": "failed",
            "errors": [
                "locationFromSarifResult: expected artifact location",
                format!("could not verify token {TOKEN}")
            ]
        }))
        .start();
    let step = Step::new(fake);
    let run = step.run();
    assert_eq!(run.code, 2, "{}", run.dump());
    for expected in [
        "error: the SARIF upload to code scanning failed: code scanning could not process \
         `pinwarden.sarif` (category `pinwarden`, SARIF id sarif-1):",
        "\n  - locationFromSarifResult: expected artifact location",
        "\n  - could not verify token ***",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.dump());
    }
    assert!(
        run.stdout.lines().any(|line| line
            .starts_with("::error title=pinwarden upload::code scanning could not process")
            && line.contains("%0A  - locationFromSarifResult: expected artifact location")),
        "{}",
        run.dump()
    );
    assert_eq!(
        step.fake.status_calls(),
        BTreeMap::from([("sarif-1".to_owned(), 2)])
    );
    assert_eq!(run.output_lines(), OWN_OUTPUTS, "{}", run.dump());
    run.sarif();
}

#[test]
fn malformed_trivy_sarif_is_not_uploaded_but_the_own_scan_is() {
    let mut step = Step::new(Step::default_fake());
    step.set("INPUT_INCLUDE-SARIF", "trivy-results.sarif");
    // Trivy was killed mid-write.
    std::fs::write(
        step.workspace.join("trivy-results.sarif"),
        r#"{"version": "2.1.0""#,
    )
    .unwrap();
    let run = step.run();
    assert_eq!(run.code, 2, "{}", run.dump());
    // the message names the file and the cause; the hint names the input
    let error = run
        .stderr
        .lines()
        .find(|line| line.starts_with("error: "))
        .unwrap_or_default();
    assert!(
        error.contains("`trivy-results.sarif`")
            && error.contains("not valid JSON")
            && error.contains("EOF while parsing"),
        "{}",
        run.dump()
    );
    assert!(
        run.stderr.contains("\nhelp: `include-sarif`"),
        "{}",
        run.dump()
    );
    let annotation = run
        .stdout
        .lines()
        .find(|line| {
            line.starts_with("::error file=trivy-results.sarif::included SARIF not used: ")
        })
        .unwrap_or_else(|| panic!("no annotation for the file\n{}", run.dump()));
    assert!(annotation.contains("not valid JSON"), "{annotation}");
    // pinwarden's own results are complete, written and uploaded
    assert_eq!(run.output_lines(), OWN_OUTPUTS, "{}", run.dump());
    assert_own_findings(&run);
    let uploaded: Vec<(String, String)> =
        step.fake.uploads().iter().map(tool_and_category).collect();
    assert_eq!(
        uploaded,
        [("pinwarden".to_owned(), "pinwarden/".to_owned())]
    );
    assert_eq!(step.fake.posts(), 1);
}

#[test]
fn a_bad_input_value_names_the_input() {
    let cases = [
        (
            "INPUT_POLICY",
            "strict",
            "input `policy` must be one of `tag`, `version`, `digest`, not `strict`",
        ),
        // the runner keeps the hyphen in the variable's name
        (
            "INPUT_FAIL-ON",
            "sometimes",
            "input `fail-on` must be one of `error`, `warning`, `note`, `never`, not `sometimes`",
        ),
    ];
    for (name, value, expected) in cases {
        let mut step = Step::new(Step::default_fake());
        step.set(name, value);
        let run = step.run();
        assert_eq!(run.code, 2, "{}", run.dump());
        assert!(
            run.stderr.contains(expected)
                && run.stderr.contains("help: see the inputs in action.yml"),
            "{expected}\n{}",
            run.dump()
        );
        assert_eq!(run.outputs, "", "{}", run.dump());
        assert_eq!(run.summary, "", "{}", run.dump());
        assert!(run.sarif.is_none());
        assert!(step.fake.requests().is_empty());
    }
}

#[test]
fn the_token_input_is_used_when_github_token_is_unset() {
    // A runner that does not apply `runs.env` still passes the input as INPUT_TOKEN.
    let mut step = Step::new(Step::default_fake());
    step.env.remove("GITHUB_TOKEN");
    let run = step.run();
    assert_eq!(run.code, 1, "{}", run.dump());
    assert_eq!(step.fake.uploads().len(), 1, "{}", run.dump());

    // Neither: exit 2 naming the variable and the permission, after the outputs are written.
    let mut step = Step::new(Step::default_fake());
    step.env.remove("GITHUB_TOKEN");
    step.set("INPUT_TOKEN", "");
    let run = step.run();
    assert_eq!(run.code, 2, "{}", run.dump());
    assert!(
        run.stderr.contains("`GITHUB_TOKEN` is not set")
            && run.stderr.contains("security-events: write"),
        "{}",
        run.dump()
    );
    assert_eq!(run.output_lines(), OWN_OUTPUTS, "{}", run.dump());
    assert!(step.fake.requests().is_empty());
}

/// The `policy` input is empty by default, so the repository's `.pinwarden.yml` decides; a
/// non-empty input overrides it, like `--policy`.
#[test]
fn the_config_file_decides_unless_the_policy_input_is_set() {
    let mut step = Step::new(Step::default_fake());
    std::fs::write(
        step.workspace.join("Dockerfile"),
        "FROM python:3.12.4-slim\nUSER 10001\n",
    )
    .unwrap();
    std::fs::remove_file(step.workspace.join("compose.yaml")).unwrap();
    std::fs::write(step.workspace.join(".pinwarden.yml"), "policy: digest\n").unwrap();
    step.set("INPUT_UPLOAD", "false");
    let run = step.run();
    assert_eq!(run.code, 1, "{}", run.dump());
    let rules: Vec<String> = run.sarif()["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["ruleId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rules, ["PW105"], "{}", run.dump());
    step.set("INPUT_POLICY", "version");
    let run = step.run();
    assert_eq!(run.code, 0, "{}", run.dump());
}
