//! `pinwarden upload` against a loopback server on 127.0.0.1 that enforces GitHub's code
//! scanning upload contract (`fake_github`): auth and media-type headers, the JSON body's fields
//! and types, and a gzip + base64 SARIF 2.1.0 payload (OASIS schema) with one run stamped with
//! its category.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns: a failed setup should abort the test"
)]

mod common;
mod fake_github;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use fake_github::{EchoAuthorization, FakeGithub, Github, result_uris};
use pinwarden::github::sarif_file::{SarifFileError, load_sarif, tool_name};
use pinwarden::github::upload::{
    UploadError, UploadOptions as UploadArgs, UploadOutcome, UploadSettings, run_upload,
};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, Request, ResponseTemplate};

const TOKEN: &str = "ghs_loopbackSecret0123456789abcdef";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const WORKSPACE: &str = "/home/runner/work/app/app";

// ---------------------------------------------------------------------------------------------
// Harness

/// The fake GitHub (`tests/fake_github`) plus the library call's inputs. Dropping it asserts
/// that the fake saw no contract violation.
struct Harness {
    fake: FakeGithub,
    github: Arc<Github>,
    dir: tempfile::TempDir,
    env: BTreeMap<&'static str, String>,
}

struct Run {
    result: Result<Vec<UploadOutcome>, UploadError>,
    out: String,
}

impl Harness {
    fn new() -> Self {
        Self::with_final_status(fake_github::complete())
    }

    /// Each upload's status is `pending` once, then `final_status`.
    fn with_final_status(final_status: Value) -> Self {
        let fake = FakeGithub::builder(TOKEN, "octo/app")
            .pending_polls(1)
            .final_status(final_status)
            .start();
        Self {
            github: fake.github.clone(),
            fake,
            dir: tempfile::tempdir().unwrap(),
            env: BTreeMap::from([
                ("GITHUB_REPOSITORY", "octo/app".to_owned()),
                ("GITHUB_SHA", SHA.to_owned()),
                ("GITHUB_REF", "refs/heads/main".to_owned()),
                ("GITHUB_WORKSPACE", WORKSPACE.to_owned()),
                ("GITHUB_EVENT_NAME", "push".to_owned()),
                ("GITHUB_TOKEN", TOKEN.to_owned()),
            ]),
        }
    }

    fn mount(&self, mock: Mock) {
        self.fake.mount(mock);
    }

    fn write(&self, name: &str, sarif: &Value) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, serde_json::to_string_pretty(sarif).unwrap()).unwrap();
        path
    }

    fn args(&self, files: &[&Path]) -> UploadArgs {
        UploadArgs {
            sarif: files.iter().map(|file| file.to_path_buf()).collect(),
            category: Vec::new(),
            token_env: "GITHUB_TOKEN".to_owned(),
            api_url: Some(self.fake.uri()),
            wait_seconds: 5,
        }
    }

    fn run(&self, args: &UploadArgs) -> Run {
        let settings = UploadSettings {
            poll_interval: Duration::from_millis(5),
            max_attempts: 4,
            retry_base_delay: Duration::from_millis(1),
            retry_max_delay: Duration::from_millis(50),
            request_timeout: Duration::from_secs(10),
        };
        let lookup = |name: &str| self.env.get(name).cloned();
        let mut out = Vec::new();
        let result = run_upload(args, &lookup, &settings, &mut out);
        let run = Run {
            result,
            out: String::from_utf8(out).unwrap(),
        };
        assert_no_token(&run);
        run
    }

    fn requests(&self) -> Vec<Request> {
        self.fake.requests()
    }

    fn posts(&self) -> usize {
        self.fake.posts()
    }

    fn violations(&self) -> Vec<String> {
        self.fake.violations()
    }
}

fn assert_no_token(run: &Run) {
    assert!(!run.out.contains(TOKEN), "token in output: {}", run.out);
    if let Err(error) = &run.result {
        assert!(
            !error.to_string().contains(TOKEN),
            "token in Display: {error}"
        );
        assert!(
            !format!("{error:?}").contains(TOKEN),
            "token in Debug: {error:?}"
        );
    }
}

fn error_of(run: Run) -> UploadError {
    match run.result {
        Ok(outcomes) => panic!("expected an error, got {outcomes:?}\n{}", run.out),
        Err(error) => error,
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF inputs

fn pinwarden_sarif() -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pinwarden",
                "version": "0.1.0",
                "informationUri": "https://github.com/pinwarden/pinwarden",
                "rules": [{
                    "id": "PW101",
                    "name": "image-latest-tag",
                    "shortDescription": {"text": "image reference uses the mutable `latest` tag"},
                    "defaultConfiguration": {"level": "error"},
                    "properties": {"tags": ["security", "supply-chain"], "security-severity": "7.5"}
                }]
            }},
            "results": [{
                "ruleId": "PW101",
                "ruleIndex": 0,
                "level": "error",
                "message": {"text": "image `nginx:latest` uses the mutable `latest` tag"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": "./Dockerfile"},
                    "region": {"startLine": 1, "startColumn": 6, "endColumn": 18}
                }}],
                "partialFingerprints": {"pinwarden/v1": "PW101:Dockerfile:nginx:latest"}
            }]
        }]
    })
}

fn trivy_result(rule: &str, uri: &str) -> Value {
    json!({
        "ruleId": rule,
        "ruleIndex": 0,
        "level": "warning",
        "message": {"text": "Specify a tag in the 'FROM' statement"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri, "uriBaseId": "ROOTPATH"},
            "region": {"startLine": 3, "endLine": 3}
        }}]
    })
}

/// Trivy run as a container action: absolute `/github/workspace` URIs, a `ROOTPATH` base.
fn trivy_sarif(results: Vec<Value>) -> Value {
    json!({
        "version": "2.1.0",
        "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "fullName": "Trivy Vulnerability Scanner",
                "informationUri": "https://github.com/aquasecurity/trivy",
                "name": "Trivy",
                "version": "0.50.0",
                "rules": [{
                    "id": "DS001",
                    "name": "Misconfiguration",
                    "shortDescription": {"text": "':latest' tag used"},
                    "properties": {"precision": "very-high", "security-severity": "3.0", "tags": ["misconfiguration", "security", "LOW"]}
                }]
            }},
            "results": results,
            "columnKind": "utf16CodeUnits",
            "originalUriBaseIds": {"ROOTPATH": {"uri": "file:///github/workspace/"}}
        }]
    })
}

fn default_trivy() -> Value {
    trivy_sarif(vec![
        trivy_result("DS001", "file:///github/workspace/deploy/Dockerfile"),
        trivy_result("DS001", &format!("{WORKSPACE}/compose.yaml")),
    ])
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn uploads_each_file_with_its_own_category_and_relative_uris() {
    let harness = Harness::new();
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let trivy = harness.write("trivy.sarif", &default_trivy());
    let run = harness.run(&harness.args(&[&own, &trivy]));
    let outcomes = run
        .result
        .unwrap_or_else(|error| panic!("{error}\n{}", run.out));
    assert!(
        harness.violations().is_empty(),
        "{:?}",
        harness.violations()
    );

    let summary: Vec<(&str, &str, &str)> = outcomes
        .iter()
        .map(|o| (o.category.as_str(), o.sarif_id.as_str(), o.status.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("pinwarden", "sarif-1", "complete"),
            ("trivy", "sarif-2", "complete")
        ]
    );
    assert_eq!(outcomes[0].file, own);

    let uploads = harness.github.uploads.lock().unwrap().clone();
    assert_eq!(uploads.len(), 2);
    assert_eq!(
        uploads[0]["runs"][0]["automationDetails"]["id"],
        "pinwarden/"
    );
    assert_eq!(uploads[1]["runs"][0]["automationDetails"]["id"], "trivy/");
    assert_eq!(uploads[1]["runs"][0]["tool"]["driver"]["name"], "Trivy");
    assert_eq!(result_uris(&uploads[0]), ["Dockerfile"]);
    assert_eq!(
        result_uris(&uploads[1]),
        ["deploy/Dockerfile", "compose.yaml"]
    );
    // the base URI table stays absolute; rewritten locations drop their uriBaseId
    assert_eq!(
        uploads[1]["runs"][0]["originalUriBaseIds"]["ROOTPATH"]["uri"],
        "file:///github/workspace/"
    );
    assert!(
        uploads[1]["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            .get("uriBaseId")
            .is_none()
    );

    // the body carried the context; each upload was polled: pending, then complete
    let posts: Vec<Value> = harness
        .requests()
        .iter()
        .filter(|request| request.method.as_str() == "POST")
        .map(|request| serde_json::from_slice(&request.body).unwrap())
        .collect();
    assert_eq!(posts[0]["commit_sha"], SHA);
    assert_eq!(posts[0]["ref"], "refs/heads/main");
    assert_eq!(posts[0]["checkout_uri"], format!("file://{WORKSPACE}"));
    assert_eq!(posts[1]["tool_name"], "Trivy");
    let calls = harness.github.status_calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        BTreeMap::from([("sarif-1".to_owned(), 2), ("sarif-2".to_owned(), 2)])
    );
    assert!(
        run.out.contains("uploaded `") && run.out.contains("SARIF id sarif-2"),
        "{}",
        run.out
    );
}

#[test]
fn the_fake_github_enforces_the_token() {
    let mut harness = Harness::new();
    harness
        .env
        .insert("GITHUB_TOKEN", "ghs_someOtherToken".to_owned());
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let error = error_of(harness.run(&harness.args(&[&own])));
    assert!(
        matches!(error, UploadError::Rejected { status: 422, .. }),
        "{error}"
    );
    let violations = std::mem::take(&mut *harness.github.violations.lock().unwrap());
    assert_eq!(
        violations,
        ["Authorization is not `Bearer <token>` or `token <token>`"]
    );
}

#[test]
fn explicit_categories_pair_with_files_by_position() {
    let harness = Harness::new();
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let trivy = harness.write("trivy.sarif", &default_trivy());
    let mut args = harness.args(&[&trivy, &own]);
    args.category = vec!["container-images".to_owned()];
    let outcomes = harness.run(&args).result.unwrap();
    let categories: Vec<&str> = outcomes.iter().map(|o| o.category.as_str()).collect();
    assert_eq!(categories, ["container-images", "pinwarden"]);
    let uploads = harness.github.uploads.lock().unwrap();
    assert_eq!(
        uploads[0]["runs"][0]["automationDetails"]["id"],
        "container-images/"
    );
}

#[test]
fn category_mistakes_are_caught_before_any_request() {
    let harness = Harness::new();
    let first = harness.write("trivy-fs.sarif", &default_trivy());
    let second = harness.write("trivy-image.sarif", &default_trivy());
    // two Trivy files would share the category `trivy`
    let error = error_of(harness.run(&harness.args(&[&first, &second])));
    assert!(
        matches!(error, UploadError::DuplicateCategory { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("--category"));
    let mut args = harness.args(&[&first]);
    args.category = vec!["a".to_owned(), "b".to_owned()];
    assert!(matches!(
        error_of(harness.run(&args)),
        UploadError::TooManyCategories {
            categories: 2,
            files: 1
        }
    ));
    args.category = vec![" ".to_owned()];
    assert!(matches!(
        error_of(harness.run(&args)),
        UploadError::EmptyCategory { .. }
    ));
    assert!(harness.requests().is_empty());
}

#[test]
fn forbidden_explains_permissions_and_advanced_security() {
    let harness = Harness::new();
    harness.mount(
        Mock::given(method("POST"))
            .respond_with(EchoAuthorization(403))
            .with_priority(1),
    );
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let error = error_of(harness.run(&harness.args(&[&own])));
    let message = error.to_string();
    assert!(matches!(error, UploadError::Forbidden { .. }), "{message}");
    assert!(message.contains("security-events: write"), "{message}");
    assert!(message.contains("Advanced Security"), "{message}");
    assert!(
        message.contains("octo/app") && message.contains("pinwarden.sarif"),
        "{message}"
    );
    // the server echoed the token; the error shows it redacted
    assert!(message.contains("sent Bearer ***"), "{message}");
    assert_eq!(
        harness.posts(),
        1,
        "a 403 without rate-limit headers is not retried"
    );
}

#[test]
fn not_found_explains_repository_and_token() {
    let harness = Harness::new();
    let mut harness = harness;
    harness
        .env
        .insert("GITHUB_REPOSITORY", "octo/missing".to_owned());
    harness.mount(
        Mock::given(method("POST"))
            .respond_with(EchoAuthorization(404))
            .with_priority(10),
    );
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let error = error_of(harness.run(&harness.args(&[&own])));
    let message = error.to_string();
    assert!(matches!(error, UploadError::NotFound { .. }), "{message}");
    assert!(
        message.contains("octo/missing") && message.contains("GITHUB_REPOSITORY"),
        "{message}"
    );
    assert!(message.contains("--api-url"), "{message}");
    assert_eq!(harness.posts(), 1);
}

#[test]
fn unauthorized_names_the_token_variable() {
    let mut harness = Harness::new();
    harness.env.insert("PINWARDEN_TOKEN", TOKEN.to_owned());
    harness.mount(
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(401).set_body_json(json!({"message": "Bad credentials"})),
            )
            .with_priority(1),
    );
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let mut args = harness.args(&[&own]);
    args.token_env = "PINWARDEN_TOKEN".to_owned();
    let message = error_of(harness.run(&args)).to_string();
    assert!(
        message.contains("Bad credentials") && message.contains("`PINWARDEN_TOKEN`"),
        "{message}"
    );
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let harness = Harness::new();
    harness.mount(
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
            .with_priority(1)
            .up_to_n_times(2),
    );
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let run = harness.run(&harness.args(&[&own]));
    let out = run.out.clone();
    let outcomes = run.result.unwrap_or_else(|error| panic!("{error}\n{out}"));
    assert_eq!(outcomes[0].status, "complete");
    assert_eq!(harness.posts(), 3);
    assert_eq!(out.matches("retrying").count(), 2, "{out}");
    assert!(out.contains("after HTTP 502 (attempt 2 of 4)"), "{out}");
}

#[test]
fn server_errors_give_up_after_the_last_attempt() {
    let harness = Harness::new();
    harness.mount(
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .with_priority(1),
    );
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let error = error_of(harness.run(&harness.args(&[&own])));
    assert!(
        matches!(
            error,
            UploadError::Server {
                status: 503,
                attempts: 4,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(harness.posts(), 4);
}

#[test]
fn rate_limits_are_retried() {
    let harness = Harness::new();
    // a secondary rate limit (403 + retry-after), then a primary one (429, remaining 0, reset past)
    harness.mount(
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(403)
                    .insert_header("retry-after", "0")
                    .set_body_json(json!({"message": "You have exceeded a secondary rate limit."})),
            )
            .with_priority(1)
            .up_to_n_times(1),
    );
    harness.mount(
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("x-ratelimit-remaining", "0")
                    .insert_header("x-ratelimit-reset", "1"),
            )
            .with_priority(2)
            .up_to_n_times(1),
    );
    // a secondary limit naming no wait: retried after `retry_max_delay` (50 ms here)
    harness.mount(
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(403).set_body_json(
                json!({"message": "You have exceeded a secondary rate limit. Please wait."}),
            ))
            .with_priority(3)
            .up_to_n_times(1),
    );
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let run = harness.run(&harness.args(&[&own]));
    assert!(run.result.is_ok(), "{:?}\n{}", run.result, run.out);
    assert_eq!(harness.posts(), 4);
    assert!(
        run.out.contains("in 0 ms after a rate limit (HTTP 403)")
            && run.out.contains("in 0 ms after a rate limit (HTTP 429)")
            && run.out.contains("in 50 ms after a rate limit (HTTP 403)"),
        "{}",
        run.out
    );
}

#[test]
fn a_rate_limit_longer_than_the_cap_fails_at_once() {
    let harness = Harness::new();
    harness.mount(
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
            .with_priority(1),
    );
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let error = error_of(harness.run(&harness.args(&[&own])));
    assert!(
        matches!(error, UploadError::RateLimited { attempts: 1, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("3600 s"), "{error}");
    assert_eq!(harness.posts(), 1);
}

#[test]
fn failed_processing_lists_the_errors() {
    let errors = json!([
        "locationFromSarifResult: expected artifact location",
        format!("leaked {TOKEN}")
    ]);
    let harness =
        Harness::with_final_status(json!({"processing_status": "failed", "errors": errors}));
    let trivy = harness.write("trivy.sarif", &default_trivy());
    let error = error_of(harness.run(&harness.args(&[&trivy])));
    let message = error.to_string();
    assert!(
        matches!(error, UploadError::ProcessingFailed { .. }),
        "{message}"
    );
    assert!(
        message.contains("trivy.sarif")
            && message.contains("category `trivy`")
            && message.contains("sarif-1"),
        "{message}"
    );
    assert!(
        message.contains("\n  - locationFromSarifResult: expected artifact location"),
        "{message}"
    );
    assert!(message.contains("\n  - leaked ***"), "{message}");
}

#[test]
fn a_limit_violation_sends_nothing() {
    let harness = Harness::new();
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let results = vec![trivy_result("DS001", "Dockerfile"); 25_001];
    let big = harness.write("big.sarif", &trivy_sarif(results));
    let error = error_of(harness.run(&harness.args(&[&own, &big])));
    let message = error.to_string();
    assert!(
        matches!(error, UploadError::Sarif(SarifFileError::Limit { .. })),
        "{message}"
    );
    assert!(
        message.contains("big.sarif")
            && message.contains("25001 results")
            && message.contains("25000"),
        "{message}"
    );
    assert!(harness.requests().is_empty(), "the server saw a request");
}

#[test]
fn malformed_sarif_is_a_clear_error() {
    let harness = Harness::new();
    let broken = harness.dir.path().join("broken.sarif");
    std::fs::write(&broken, "{\"version\": \"2.1.0\", \"runs\": [").unwrap();
    let error = error_of(harness.run(&harness.args(&[&broken])));
    let message = error.to_string();
    assert!(
        message.contains("broken.sarif") && message.contains("not valid JSON"),
        "{message}"
    );
    assert!(
        message.contains("line 1"),
        "serde_json's position is kept: {message}"
    );

    let old = harness.write("old.sarif", &json!({"version": "2.0.0", "runs": []}));
    let message = error_of(harness.run(&harness.args(&[&old]))).to_string();
    assert!(message.contains("not a SARIF 2.1.0 log"), "{message}");
    let missing = harness.dir.path().join("missing.sarif");
    let message = error_of(harness.run(&harness.args(&[&missing]))).to_string();
    assert!(
        message.contains("cannot read SARIF file") && message.contains("missing.sarif"),
        "{message}"
    );
    assert!(harness.requests().is_empty());
}

#[test]
fn load_sarif_and_tool_name_are_reusable() {
    let harness = Harness::new();
    let trivy = harness.write("trivy.sarif", &default_trivy());
    let sarif = load_sarif(&trivy).unwrap();
    assert_eq!(tool_name(&sarif).as_deref(), Some("Trivy"));
}

#[test]
fn ghes_base_url_with_a_path_prefix_from_the_environment() {
    let mut harness = Harness::new();
    harness
        .env
        .insert("GITHUB_API_URL", format!("{}/api/v3/", harness.fake.uri()));
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let mut args = harness.args(&[&own]);
    args.api_url = None;
    let run = harness.run(&args);
    assert!(run.result.is_ok(), "{:?}", run.result);
    assert!(
        harness
            .requests()
            .iter()
            .all(|request| request.url.path().starts_with("/api/v3/repos/octo/app/"))
    );
}

#[test]
fn pull_request_head_checkout_uploads_to_the_head_ref() {
    let mut harness = Harness::new();
    let head = "89abcdef0123456789abcdef0123456789abcdef";
    let workspace = harness.dir.path().join("checkout");
    std::fs::create_dir_all(workspace.join(".git")).unwrap();
    std::fs::write(workspace.join(".git/HEAD"), format!("{head}\n")).unwrap();
    let event = harness.dir.path().join("event.json");
    std::fs::write(
        &event,
        json!({"pull_request": {"number": 12, "head": {"sha": head}}}).to_string(),
    )
    .unwrap();
    harness.env.extend([
        ("GITHUB_EVENT_NAME", "pull_request_target".to_owned()),
        ("GITHUB_EVENT_PATH", event.display().to_string()),
        ("GITHUB_WORKSPACE", workspace.display().to_string()),
    ]);
    let trivy = harness.write(
        "trivy.sarif",
        &trivy_sarif(vec![trivy_result(
            "DS001",
            &format!("file://{}/Dockerfile", workspace.display()),
        )]),
    );
    let run = harness.run(&harness.args(&[&trivy]));
    assert!(run.result.is_ok(), "{:?}", run.result);
    let post: Value = serde_json::from_slice(&harness.requests()[0].body).unwrap();
    assert_eq!(
        (post["commit_sha"].as_str(), post["ref"].as_str()),
        (Some(head), Some("refs/pull/12/head"))
    );
    assert_eq!(
        result_uris(&harness.github.uploads.lock().unwrap()[0]),
        ["Dockerfile"]
    );
}

#[test]
fn wait_zero_does_not_poll() {
    let harness = Harness::new();
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let mut args = harness.args(&[&own]);
    args.wait_seconds = 0;
    let outcomes = harness.run(&args).result.unwrap();
    assert_eq!(outcomes[0].status, "not-waited");
    assert!(
        harness
            .requests()
            .iter()
            .all(|request| request.method.as_str() == "POST")
    );
}

#[test]
fn processing_still_pending_at_the_deadline_warns() {
    let harness = Harness::with_final_status(json!({"processing_status": "pending"}));
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let mut args = harness.args(&[&own]);
    args.wait_seconds = 1;
    let run = harness.run(&args);
    assert_eq!(run.result.unwrap()[0].status, "pending");
    assert!(
        run.out.contains("warning: ") && run.out.contains("--wait"),
        "{}",
        run.out
    );
}

#[test]
fn missing_token_fails_before_any_request() {
    let mut harness = Harness::new();
    harness.env.remove("GITHUB_TOKEN");
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let message = error_of(harness.run(&harness.args(&[&own]))).to_string();
    assert!(
        message.contains("`GITHUB_TOKEN`") && message.contains("security-events: write"),
        "{message}"
    );
    assert!(harness.requests().is_empty());
}

#[test]
fn an_unreachable_server_is_retried_then_reported() {
    let harness = Harness::new();
    // A port that was just free on 127.0.0.1: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let own = harness.write("pinwarden.sarif", &pinwarden_sarif());
    let mut args = harness.args(&[&own]);
    args.api_url = Some(format!("http://127.0.0.1:{port}"));
    let run = harness.run(&args);
    let out = run.out.clone();
    let error = error_of(run);
    assert!(
        matches!(error, UploadError::Transport { attempts: 4, .. }),
        "{error}"
    );
    assert_eq!(out.matches("retrying").count(), 3, "{out}");
}
