//! Code scanning REST calls through octocrab: one upload per file, retries with exponential
//! backoff for 5xx, rate limits and transport errors, and polling of the processing status.
//! Every text that came from the network is scrubbed of the token before it is kept.
//!
//! Endpoints: "Upload an analysis as SARIF data" and "Get information about a SARIF upload",
//! <https://docs.github.com/en/rest/code-scanning/code-scanning> (API version 2022-11-28).

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::header::{ACCEPT, HeaderMap, HeaderName};

use super::context::GithubContext;
use super::upload::{PlannedFile, UploadError, UploadOutcome, UploadSettings};

/// The JSON body of `POST /repos/{owner}/{repo}/code-scanning/sarifs`.
/// NOTE: octocrab's typed `UploadSarif` wants a chrono timestamp and its typed call hides the
/// status and headers we need for retries, so we post our own body through `_post`.
#[derive(serde::Serialize)]
struct UploadBody<'a> {
    commit_sha: &'a str,
    #[serde(rename = "ref")]
    git_ref: &'a str,
    sarif: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    checkout_uri: Option<&'a str>,
    started_at: &'a str,
    tool_name: &'a str,
}

#[derive(serde::Deserialize)]
struct Receipt {
    id: String,
}

#[derive(serde::Deserialize)]
struct ProcessingStatus {
    processing_status: String,
    #[serde(default)]
    errors: Option<Vec<serde_json::Value>>,
}

enum Request<'a> {
    Post(&'a UploadBody<'a>),
    Get,
}

/// What one failed attempt means for the loop in [`Client::send`].
enum Failure {
    Fatal(UploadError),
    Retry {
        delay: Duration,
        error: UploadError,
        reason: String,
    },
}

/// An authenticated octocrab client bound to one repository and run.
pub(crate) struct Client<'a> {
    crab: octocrab::Octocrab,
    context: &'a GithubContext,
    settings: &'a UploadSettings,
    token_env: &'a str,
    checkout_uri: Option<String>,
    started_at: String,
}

impl<'a> Client<'a> {
    pub(crate) fn new(
        context: &'a GithubContext,
        settings: &'a UploadSettings,
        token_env: &'a str,
    ) -> Result<Self, UploadError> {
        let client_error = |message: String| UploadError::Client {
            api_url: context.api_url.clone(),
            message: context.token.redact(&message),
        };
        let timeout = Some(settings.request_timeout);
        let crab = octocrab::Octocrab::builder()
            .base_uri(context.api_url.as_str())
            .map_err(|error| client_error(error_chain(&error)))?
            .personal_token(context.token.expose().to_owned())
            .add_header(ACCEPT, "application/vnd.github+json".to_owned())
            .add_header(
                HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_owned(),
            )
            .set_connect_timeout(timeout)
            .set_read_timeout(timeout)
            .set_write_timeout(timeout)
            .build()
            .map_err(|error| {
                client_error(format!(
                    "{} (HTTPS uses the system CA certificates: install ca-certificates or set \
                     SSL_CERT_FILE)",
                    error_chain(&error)
                ))
            })?;
        let checkout_uri = context
            .workspace
            .as_deref()
            .and_then(Path::to_str)
            .filter(|workspace| workspace.starts_with('/'))
            .map(|workspace| format!("file://{}", crate::model::uri::encode_path(workspace)));
        Ok(Self {
            crab,
            context,
            settings,
            token_env,
            checkout_uri,
            started_at: format_rfc3339_utc(SystemTime::now()),
        })
    }

    fn repository(&self) -> String {
        format!("{}/{}", self.context.owner, self.context.repo)
    }

    fn sarifs_route(&self) -> String {
        format!(
            "/repos/{}/{}/code-scanning/sarifs",
            self.context.owner, self.context.repo
        )
    }

    /// Uploads one prepared file and, unless `wait` is zero, waits for its processing.
    pub(crate) async fn upload(
        &self,
        file: &PlannedFile,
        wait: Duration,
        out: &mut dyn Write,
    ) -> Result<UploadOutcome, UploadError> {
        let prepared = &file.prepared;
        let body = UploadBody {
            commit_sha: &self.context.commit_sha,
            git_ref: &self.context.git_ref,
            sarif: &prepared.payload,
            checkout_uri: self.checkout_uri.as_deref(),
            started_at: prepared.started_at.as_deref().unwrap_or(&self.started_at),
            tool_name: &prepared.tool_name,
        };
        writeln!(
            out,
            "uploading `{}` (tool `{}`, category `{}`, {} bytes gzip) to {} for {} at {}",
            file.path.display(),
            prepared.tool_name,
            file.category,
            prepared.gzip_bytes,
            self.repository(),
            self.context.git_ref,
            self.context.commit_sha,
        )
        .map_err(UploadError::Output)?;
        let route = self.sarifs_route();
        let answer = self
            .send(&route, Request::Post(&body), &file.path, false, out)
            .await?;
        let receipt: Receipt = serde_json::from_str(answer.as_deref().unwrap_or_default())
            .map_err(|error| self.invalid_response(&file.path, &error.to_string()))?;
        if receipt.id.is_empty()
            || !receipt
                .id
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
        {
            let message = format!("SARIF id `{}` is not a plain identifier", receipt.id);
            return Err(self.invalid_response(&file.path, &message));
        }
        writeln!(
            out,
            "uploaded `{}`: SARIF id {}",
            file.path.display(),
            receipt.id
        )
        .map_err(UploadError::Output)?;
        let status = if wait.is_zero() {
            "not-waited".to_owned()
        } else {
            self.wait_for_processing(file, &receipt.id, wait, out)
                .await?
        };
        Ok(UploadOutcome {
            file: file.path.clone(),
            category: file.category.clone(),
            sarif_id: receipt.id,
            status,
        })
    }

    /// Polls the upload's status until `complete` or `failed`, or until `wait` runs out.
    /// NOTE: running out only warns, like github/codeql-action: the upload itself succeeded
    /// and GitHub finishes processing on its own.
    async fn wait_for_processing(
        &self,
        file: &PlannedFile,
        sarif_id: &str,
        wait: Duration,
        out: &mut dyn Write,
    ) -> Result<String, UploadError> {
        let started = Instant::now();
        let route = format!("{}/{sarif_id}", self.sarifs_route());
        loop {
            // A fresh upload may not be visible yet (404); keep polling until the deadline.
            let answer = self
                .send(&route, Request::Get, &file.path, true, out)
                .await?;
            if let Some(text) = answer {
                let status: ProcessingStatus = serde_json::from_str(&text)
                    .map_err(|error| self.invalid_response(&file.path, &error.to_string()))?;
                match status.processing_status.as_str() {
                    "complete" => {
                        writeln!(out, "code scanning processed `{}`", file.path.display())
                            .map_err(UploadError::Output)?;
                        return Ok("complete".to_owned());
                    }
                    "failed" => {
                        let errors = status.errors.unwrap_or_default();
                        let errors = errors.iter().map(|error| match error {
                            serde_json::Value::String(text) => self.context.token.redact(text),
                            other => self.context.token.redact(&other.to_string()),
                        });
                        return Err(UploadError::ProcessingFailed {
                            file: file.path.clone(),
                            category: file.category.clone(),
                            sarif_id: sarif_id.to_owned(),
                            errors: errors.collect(),
                        });
                    }
                    _ => {}
                }
            }
            if started
                .elapsed()
                .saturating_add(self.settings.poll_interval)
                > wait
            {
                writeln!(
                    out,
                    "warning: `{}` is still being processed after {} s; not waiting longer \
                     (raise --wait to wait more)",
                    file.path.display(),
                    wait.as_secs()
                )
                .map_err(UploadError::Output)?;
                return Ok("pending".to_owned());
            }
            tokio::time::sleep(self.settings.poll_interval).await;
        }
    }

    /// Sends one request with retries. `Ok(None)` is a 404 when `not_found_is_pending`.
    async fn send(
        &self,
        route: &str,
        request: Request<'_>,
        file: &Path,
        not_found_is_pending: bool,
        out: &mut dyn Write,
    ) -> Result<Option<String>, UploadError> {
        let max_attempts = self.settings.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let response = match &request {
                Request::Post(body) => self.crab._post(route, Some(*body)).await,
                Request::Get => self.crab._get(route).await,
            };
            let failure = match response {
                Err(error) => self.transport_failure(file, attempt, &error),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    match self.crab.body_to_string(response).await {
                        Err(error) => self.transport_failure(file, attempt, &error),
                        Ok(body) if (200..300).contains(&status) => return Ok(Some(body)),
                        Ok(_) if status == 404 && not_found_is_pending => return Ok(None),
                        Ok(body) => self.classify(file, attempt, status, &headers, &body),
                    }
                }
            };
            match failure {
                Failure::Fatal(error) => return Err(error),
                Failure::Retry { error, .. } if attempt >= max_attempts => return Err(error),
                Failure::Retry { delay, error, .. } if delay > self.settings.retry_max_delay => {
                    return Err(error);
                }
                Failure::Retry { delay, reason, .. } => {
                    writeln!(
                        out,
                        "retrying `{}` in {} ms after {reason} (attempt {} of {max_attempts})",
                        file.display(),
                        delay.as_millis(),
                        attempt + 1
                    )
                    .map_err(UploadError::Output)?;
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    fn transport_failure(&self, file: &Path, attempts: u32, error: &octocrab::Error) -> Failure {
        let message = self.context.token.redact(&error_chain(error));
        Failure::Retry {
            delay: self.backoff(attempts),
            reason: format!("a connection error ({message})"),
            error: UploadError::Transport {
                file: file.to_owned(),
                attempts,
                message,
            },
        }
    }

    /// Maps a non-2xx answer to a fatal error or a retry. Rate limits follow "Exceeding the rate
    /// limit" (<https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit>):
    /// a 403 or 429 with `retry-after` waits that long; with `x-ratelimit-remaining: 0` it
    /// waits until `x-ratelimit-reset`; a secondary limit with neither waits "at least one
    /// minute", here `retry_max_delay` (60 s by default).
    fn classify(
        &self,
        file: &Path,
        attempts: u32,
        status: u16,
        headers: &HeaderMap,
        body: &str,
    ) -> Failure {
        let message = self.context.token.redact(&server_message(status, body));
        let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        let retry_after = header("retry-after").and_then(|value| value.trim().parse::<u64>().ok());
        let exhausted = header("x-ratelimit-remaining").is_some_and(|value| value.trim() == "0");
        let secondary = message
            .to_ascii_lowercase()
            .contains("secondary rate limit");
        if status == 429 || (status == 403 && (retry_after.is_some() || exhausted || secondary)) {
            let reset_delay = || {
                let reset = header("x-ratelimit-reset")?.trim().parse::<u64>().ok()?;
                let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
                Some(Duration::from_secs(reset.saturating_sub(now)))
            };
            let delay = match retry_after {
                Some(seconds) => Duration::from_secs(seconds),
                None if exhausted => reset_delay().unwrap_or(self.settings.retry_max_delay),
                None => self.settings.retry_max_delay,
            };
            let error = UploadError::RateLimited {
                file: file.to_owned(),
                attempts,
                message: format!(
                    "HTTP {status}: {message}; GitHub asked to wait {} s",
                    delay.as_secs()
                ),
            };
            let reason = format!("a rate limit (HTTP {status})");
            return Failure::Retry {
                delay,
                error,
                reason,
            };
        }
        let file = file.to_owned();
        match status {
            401 => Failure::Fatal(UploadError::Unauthorized {
                file,
                message,
                token_env: self.token_env.to_owned(),
            }),
            403 => Failure::Fatal(UploadError::Forbidden {
                file,
                repository: self.repository(),
                message,
            }),
            404 => Failure::Fatal(UploadError::NotFound {
                file,
                repository: self.repository(),
                api_url: self.context.api_url.clone(),
                message,
            }),
            500..=599 => Failure::Retry {
                delay: self.backoff(attempts),
                reason: format!("HTTP {status}"),
                error: UploadError::Server {
                    file,
                    status,
                    attempts,
                    message,
                },
            },
            _ => Failure::Fatal(UploadError::Rejected {
                file,
                status,
                message,
                hint: rejected_hint(status),
            }),
        }
    }

    /// `retry_base_delay * 2^(attempt - 1)`, capped at `retry_max_delay`.
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1_u32 << attempt.saturating_sub(1).min(16);
        self.settings
            .retry_base_delay
            .saturating_mul(factor)
            .min(self.settings.retry_max_delay)
    }

    fn invalid_response(&self, file: &Path, message: &str) -> UploadError {
        UploadError::InvalidResponse {
            file: file.to_owned(),
            message: self.context.token.redact(message),
        }
    }
}

fn rejected_hint(status: u16) -> &'static str {
    match status {
        413 => "\nhelp: the upload is over GitHub's size limit; report fewer results",
        422 => {
            "\nhelp: GitHub could not accept the SARIF or the commit/ref; check GITHUB_SHA and GITHUB_REF"
        }
        _ => "",
    }
}

/// GitHub's `message` (and `documentation_url`) from an error body, or the raw body.
fn server_message(status: u16, body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|value| value.get(name))
            .and_then(serde_json::Value::as_str)
    };
    match (field("message"), field("documentation_url")) {
        (Some(message), Some(url)) => format!("{message} ({url})"),
        (Some(message), None) => message.to_owned(),
        _ if body.trim().is_empty() => format!("empty body with status {status}"),
        _ => body.trim().chars().take(500).collect(),
    }
}

/// An error and its sources joined with `: `, skipping repeats (octocrab and hyper nest
/// errors whose Display already includes their source).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `time` in UTC (RFC 3339, as `started_at` expects).
fn format_rfc3339_utc(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::sarif_file::is_rfc3339_utc;

    #[test]
    fn formats_utc_timestamps() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            // leap day
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_709_251_199, "2024-02-29T23:59:59Z"),
            (1_735_689_600, "2025-01-01T00:00:00Z"),
        ];
        for (seconds, expected) in cases {
            let time = UNIX_EPOCH + Duration::from_secs(seconds);
            assert_eq!(format_rfc3339_utc(time), expected);
            assert!(is_rfc3339_utc(expected));
        }
    }

    #[test]
    fn server_message_prefers_github_fields() {
        let cases = [
            (
                r#"{"message": "Not Found", "documentation_url": "https://docs"}"#,
                "Not Found (https://docs)",
            ),
            (r#"{"message": "Bad"}"#, "Bad"),
            ("<html>oops</html>", "<html>oops</html>"),
            ("", "empty body with status 502"),
        ];
        for (body, expected) in cases {
            assert_eq!(server_message(502, body), expected);
        }
    }
}
