//! A fake GitHub on 127.0.0.1 that enforces the code scanning upload contract, shared by the
//! upload tests (`tests/upload.rs`, the library) and the action tests (`tests/action.rs`, the
//! binary).
//!
//! Endpoints: "Upload an analysis as SARIF data" (`POST /repos/{owner}/{repo}/code-scanning/sarifs`)
//! and "Get information about a SARIF upload" (`GET …/sarifs/{id}`),
//! <https://docs.github.com/en/rest/code-scanning/code-scanning>. Every request is checked for the
//! token, the media type, the API version and a User-Agent; every upload for the JSON body's
//! fields and types and a gzip + base64 SARIF 2.1.0 payload that passes the OASIS schema, with one
//! run stamped `automationDetails.id` = `<category>/`. A request that breaks the contract gets a
//! 422 and is recorded as a violation; any request to another route is a violation too. Dropping
//! the [`FakeGithub`] asserts that there were none.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test helper module: not every test file uses every item, and a failed setup \
              should abort the test"
)]

use std::collections::BTreeMap;
use std::io::Read as _;

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The API version pinwarden asks for (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";

/// What the fake GitHub expects, saw and answers.
pub struct Github {
    /// The only token it accepts.
    pub token: String,
    /// `owner/repo`, the only repository it serves.
    pub repository: String,
    /// How many `pending` answers each upload's status gets before `final_status`.
    pub pending_polls: usize,
    /// The status answer after the `pending` ones.
    pub final_status: Value,
    /// Every accepted upload's decoded SARIF, in order (`sarif-1` is the first).
    pub uploads: Mutex<Vec<Value>>,
    pub violations: Mutex<Vec<String>>,
    /// Status requests per SARIF id.
    pub status_calls: Mutex<BTreeMap<String, usize>>,
}

impl Github {
    pub fn reject(&self, violation: String) -> ResponseTemplate {
        self.violations.lock().unwrap().push(violation.clone());
        ResponseTemplate::new(422).set_body_json(json!({"message": violation}))
    }

    fn check_headers(&self, request: &Request) -> Result<(), String> {
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        let authorization = header("authorization").ok_or("no Authorization header")?;
        if authorization != format!("Bearer {}", self.token)
            && authorization != format!("token {}", self.token)
        {
            return Err("Authorization is not `Bearer <token>` or `token <token>`".to_owned());
        }
        if header("accept") != Some("application/vnd.github+json") {
            return Err(format!("Accept is {:?}", header("accept")));
        }
        // "Requests with no User-Agent header will be rejected" (REST API: getting started).
        if header("user-agent").is_none_or(|agent| agent.trim().is_empty()) {
            return Err("no User-Agent header".to_owned());
        }
        if header("x-github-api-version") != Some(API_VERSION) {
            return Err(format!(
                "X-GitHub-Api-Version is {:?}",
                header("x-github-api-version")
            ));
        }
        Ok(())
    }

    /// Checks one upload against the REST contract and returns the decoded SARIF.
    fn check_upload(&self, request: &Request) -> Result<Value, String> {
        self.check_headers(request)?;
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|value| value.to_str().ok());
        if content_type != Some("application/json") {
            return Err(format!("Content-Type is {content_type:?}"));
        }
        let body: Value =
            serde_json::from_slice(&request.body).map_err(|error| format!("body: {error}"))?;
        let body = body.as_object().ok_or("body is not an object")?;
        let known = [
            "commit_sha",
            "ref",
            "sarif",
            "checkout_uri",
            "started_at",
            "tool_name",
            "validate",
        ];
        if let Some(unknown) = body.keys().find(|key| !known.contains(&key.as_str())) {
            return Err(format!("unknown body field `{unknown}`"));
        }
        let text = |name: &str| {
            body.get(name)
                .and_then(Value::as_str)
                .ok_or(format!("`{name}` missing or not a string"))
        };
        let sha = text("commit_sha")?;
        if sha.len() != 40 || !sha.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(format!("commit_sha `{sha}` is not 40 hex digits"));
        }
        if !text("ref")?.starts_with("refs/") {
            return Err("ref does not start with refs/".to_owned());
        }
        if !text("checkout_uri")?.starts_with("file:///") {
            return Err("checkout_uri is not a file URI".to_owned());
        }
        if !is_rfc3339(text("started_at")?) {
            return Err("started_at is not RFC 3339".to_owned());
        }
        let gzipped = base64::engine::general_purpose::STANDARD
            .decode(text("sarif")?)
            .map_err(|error| format!("sarif is not base64: {error}"))?;
        if gzipped.len() > 10 * 1024 * 1024 {
            return Err("sarif over 10 MB".to_owned());
        }
        let mut json = String::new();
        flate2::read::GzDecoder::new(gzipped.as_slice())
            .read_to_string(&mut json)
            .map_err(|error| format!("sarif is not gzip: {error}"))?;
        let sarif: Value =
            serde_json::from_str(&json).map_err(|error| format!("sarif is not JSON: {error}"))?;
        if sarif["version"] != "2.1.0" {
            return Err("SARIF version is not 2.1.0".to_owned());
        }
        let errors: Vec<String> = crate::common::sarif_schema()
            .iter_errors(&sarif)
            .map(|error| error.to_string())
            .collect();
        if !errors.is_empty() {
            return Err(format!("SARIF fails the OASIS schema: {errors:?}"));
        }
        let runs = sarif["runs"].as_array().ok_or("no runs")?;
        if runs.len() != 1 {
            return Err(format!("{} runs in one upload", runs.len()));
        }
        let id = runs[0]["automationDetails"]["id"]
            .as_str()
            .ok_or("no automationDetails.id")?;
        if id.len() < 2 || !id.ends_with('/') {
            return Err(format!("automationDetails.id `{id}` is not `<category>/`"));
        }
        if text("tool_name")? != runs[0]["tool"]["driver"]["name"] {
            return Err("tool_name differs from tool.driver.name".to_owned());
        }
        Ok(sarif)
    }
}

fn is_rfc3339(value: &str) -> bool {
    let bytes = value.as_bytes();
    let shape = "dddd-dd-ddTdd:dd:dd";
    bytes.len() >= 20
        && shape.bytes().zip(bytes).all(|(want, got)| {
            if want == b'd' {
                got.is_ascii_digit()
            } else {
                want == *got
            }
        })
        && (value.ends_with('Z')
            || value
                .get(value.len() - 6..)
                .is_some_and(|zone| zone.starts_with(['+', '-'])))
}

/// `POST /repos/{owner}/{repo}/code-scanning/sarifs`: checks the upload, answers 202 + id.
pub struct UploadEndpoint(pub Arc<Github>);

impl Respond for UploadEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match self.0.check_upload(request) {
            Ok(sarif) => {
                let mut uploads = self.0.uploads.lock().unwrap();
                uploads.push(sarif);
                let id = format!("sarif-{}", uploads.len());
                let url = format!("{}/{id}", request.url);
                ResponseTemplate::new(202).set_body_json(json!({"id": id, "url": url}))
            }
            Err(violation) => self.0.reject(violation),
        }
    }
}

/// `GET …/sarifs/{id}`: 404 for an unknown id, then `pending` `pending_polls` times, then the
/// final status.
pub struct StatusEndpoint(pub Arc<Github>);

impl Respond for StatusEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if let Err(violation) = self.0.check_headers(request) {
            return self.0.reject(violation);
        }
        let id = request
            .url
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let known = id
            .strip_prefix("sarif-")
            .and_then(|n| n.parse::<usize>().ok());
        if !known.is_some_and(|n| n >= 1 && n <= self.0.uploads.lock().unwrap().len()) {
            return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
        }
        let mut calls = self.0.status_calls.lock().unwrap();
        let count = calls.entry(id).or_default();
        *count += 1;
        if *count <= self.0.pending_polls {
            ResponseTemplate::new(200).set_body_json(
                json!({"processing_status": "pending", "analyses_url": null, "errors": null}),
            )
        } else {
            ResponseTemplate::new(200).set_body_json(&self.0.final_status)
        }
    }
}

/// Any request no endpoint claims: a violation (pinwarden called a route it should not).
struct Unexpected(Arc<Github>);

impl Respond for Unexpected {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.violations.lock().unwrap().push(format!(
            "unexpected request {} {}",
            request.method,
            request.url.path()
        ));
        ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}))
    }
}

/// A failure answer that echoes the Authorization header, as a careless proxy might.
pub struct EchoAuthorization(pub u16);

impl Respond for EchoAuthorization {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request
            .headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let message = match self.0 {
            403 => format!(
                "Advanced Security must be enabled for this repository to use code scanning. (sent {auth})"
            ),
            _ => format!("Not Found (sent {auth})"),
        };
        ResponseTemplate::new(self.0).set_body_json(
            json!({"message": message, "documentation_url": "https://docs.github.com/rest"}),
        )
    }
}

/// The status answer of a processed upload.
pub fn complete() -> Value {
    json!({"processing_status": "complete", "analyses_url": "https://x/analyses", "errors": []})
}

/// How to start a [`FakeGithub`].
pub struct Builder {
    token: String,
    repository: String,
    pending_polls: usize,
    final_status: Value,
}

impl Builder {
    /// Answer `pending` this many times per upload before the final status (default 1).
    pub fn pending_polls(mut self, count: usize) -> Self {
        self.pending_polls = count;
        self
    }

    /// The status after the `pending` answers (default [`complete`]).
    pub fn final_status(mut self, status: Value) -> Self {
        self.final_status = status;
        self
    }

    pub fn start(self) -> FakeGithub {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start());
        assert!(server.address().ip().is_loopback());
        let repository = regex_escape(&self.repository);
        let github = Arc::new(Github {
            token: self.token,
            repository: self.repository,
            pending_polls: self.pending_polls,
            final_status: self.final_status,
            uploads: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            status_calls: Mutex::new(BTreeMap::new()),
        });
        let fake = FakeGithub {
            runtime,
            server,
            github: github.clone(),
        };
        // An optional `/api/v3` prefix: GitHub Enterprise Server's API base.
        fake.mount(
            Mock::given(method("POST"))
                .and(path_regex(format!(
                    r"^(/api/v3)?/repos/{repository}/code-scanning/sarifs$"
                )))
                .respond_with(UploadEndpoint(github.clone())),
        );
        fake.mount(
            Mock::given(method("GET"))
                .and(path_regex(format!(
                    r"^(/api/v3)?/repos/{repository}/code-scanning/sarifs/[^/]+$"
                )))
                .respond_with(StatusEndpoint(github.clone())),
        );
        // Lowest priority: a test's own mocks (priority 1..=254) still come first.
        fake.mount(
            Mock::given(any())
                .respond_with(Unexpected(github))
                .with_priority(u8::MAX),
        );
        fake
    }
}

fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if r"\.+*?()|[]{}^$".contains(character) {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// The fake GitHub, serving on 127.0.0.1 from its own thread until dropped.
pub struct FakeGithub {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    pub github: Arc<Github>,
}

impl FakeGithub {
    /// A fake serving `repository` (`owner/repo`) to `token`: one `pending`, then `complete`.
    pub fn builder(token: &str, repository: &str) -> Builder {
        Builder {
            token: token.to_owned(),
            repository: repository.to_owned(),
            pending_polls: 1,
            final_status: complete(),
        }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Mount an extra mock (give it a priority below 5 to take precedence over the endpoints).
    pub fn mount(&self, mock: Mock) {
        self.runtime.block_on(mock.mount(&self.server));
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.runtime
            .block_on(self.server.received_requests())
            .unwrap_or_default()
    }

    pub fn posts(&self) -> usize {
        self.requests()
            .iter()
            .filter(|request| request.method.as_str() == "POST")
            .count()
    }

    /// The JSON bodies of every POST, in order (including rejected ones).
    pub fn post_bodies(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .filter(|request| request.method.as_str() == "POST")
            .map(|request| serde_json::from_slice(&request.body).unwrap())
            .collect()
    }

    /// The decoded SARIF of every accepted upload, in order.
    pub fn uploads(&self) -> Vec<Value> {
        self.github.uploads.lock().unwrap().clone()
    }

    pub fn status_calls(&self) -> BTreeMap<String, usize> {
        self.github.status_calls.lock().unwrap().clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.github.violations.lock().unwrap().clone()
    }
}

impl Drop for FakeGithub {
    /// Every test obeys the contract: the fake GitHub saw no malformed or unexpected request.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_eq!(
                self.violations(),
                Vec::<String>::new(),
                "contract violations"
            );
        }
    }
}

/// The artifact location URIs of a run's results.
pub fn result_uris(sarif: &Value) -> Vec<String> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}
