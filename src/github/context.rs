//! GitHub Actions context for `pinwarden upload`: API base URL, repository, commit, ref,
//! workspace and token, read from the standard `GITHUB_*` variables through an injected lookup.

use std::fmt;
use std::path::{Path, PathBuf};

/// The API of github.com; GHES and the test server pass `--api-url` or `GITHUB_API_URL`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Where GitHub mounts the workspace inside a Docker container action. A scanner run as a
/// container action (Trivy's) writes paths under this prefix, whatever the runner's
/// `GITHUB_WORKSPACE` is, so URIs under it are made repo-relative too.
pub const CONTAINER_WORKSPACE: &str = "/github/workspace";

const ACTIONS_HINT: &str = "`pinwarden upload` reads the GitHub Actions variables; outside Actions \
     set GITHUB_REPOSITORY=owner/repo, GITHUB_SHA and GITHUB_REF yourself";

/// An API token. Its `Debug` never shows the value, and [`Token::redact`] scrubs it from any
/// text (server messages, HTTP client errors) before that text reaches output or an error.
#[derive(Clone)]
pub struct Token {
    value: String,
    /// `base64("x-access-token:<token>")`: the token as git and basic auth carry it
    /// (actions/checkout writes this form into `.git/config`).
    basic: String,
}

impl Token {
    /// A token from a raw variable value; `None` when it is empty or only whitespace.
    pub fn new(value: &str) -> Option<Self> {
        use base64::Engine as _;
        let value = value.trim();
        (!value.is_empty()).then(|| Self {
            value: value.to_owned(),
            basic: base64::engine::general_purpose::STANDARD
                .encode(format!("x-access-token:{value}")),
        })
    }

    pub(crate) fn expose(&self) -> &str {
        &self.value
    }

    /// Can the token travel in an `Authorization` header? A line break or another byte an
    /// HTTP header cannot hold would otherwise make the HTTP client panic.
    pub fn is_valid_header(&self) -> bool {
        http::HeaderValue::from_str(&format!("Bearer {}", self.value)).is_ok()
            && self.value.bytes().all(|byte| byte.is_ascii_graphic())
    }

    /// `text` with every occurrence of the token, and of its basic-auth form, replaced by
    /// `***`.
    pub fn redact(&self, text: &str) -> String {
        text.replace(self.value.as_str(), "***")
            .replace(self.basic.as_str(), "***")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Token(***)")
    }
}

/// Everything an upload needs to know about where it runs.
#[derive(Debug, Clone)]
pub struct GithubContext {
    /// API base URL without a trailing `/` (`https://api.github.com`, `https://ghe.example/api/v3`).
    pub api_url: String,
    pub owner: String,
    pub repo: String,
    /// The analyzed commit (40 lowercase hex digits).
    pub commit_sha: String,
    /// The full ref the analysis belongs to (`refs/heads/main`, `refs/pull/42/merge`).
    pub git_ref: String,
    /// The checkout directory (`GITHUB_WORKSPACE`), used to make SARIF URIs repo-relative.
    pub workspace: Option<PathBuf>,
    pub token: Token,
}

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("environment variable `{name}` is not set or empty\nhelp: {hint}")]
    Missing { name: String, hint: String },
    #[error("`GITHUB_REPOSITORY` is `{value}`, expected `owner/repo`\nhelp: {ACTIONS_HINT}")]
    InvalidRepository { value: String },
    #[error("`{name}` is `{value}`, expected a full 40-character commit SHA")]
    InvalidSha { name: &'static str, value: String },
    #[error("`GITHUB_REF` is `{value}`, expected a full ref such as `refs/heads/main`")]
    InvalidRef { value: String },
    #[error(
        "API URL `{value}` is not an http(s) URL\nhelp: pass `--api-url https://HOST/api/v3` for GitHub Enterprise Server"
    )]
    InvalidApiUrl { value: String },
    #[error("cannot use the pull request event payload `{path}`: {reason}")]
    EventPayload { path: PathBuf, reason: String },
    #[error(
        "the token in `{name}` contains a line break, a space or another character that cannot \
         be sent in an HTTP header\nhelp: pass the token alone, e.g. `${{{{ github.token }}}}` \
         or a secret without a trailing newline"
    )]
    InvalidToken { name: String },
}

/// Reads the context. Precedence for the API URL: `api_url_flag`, then `GITHUB_API_URL`,
/// then [`DEFAULT_API_URL`]. The token comes from the variable named `token_env`.
pub fn from_env(
    env: &dyn Fn(&str) -> Option<String>,
    token_env: &str,
    api_url_flag: Option<&str>,
) -> Result<GithubContext, ContextError> {
    let api_url = api_url_flag
        .map(str::to_owned)
        .or_else(|| non_empty(env, "GITHUB_API_URL"))
        .unwrap_or_else(|| DEFAULT_API_URL.to_owned());
    let api_url = normalize_api_url(&api_url)?;

    let token = non_empty(env, token_env)
        .as_deref()
        .and_then(Token::new)
        .ok_or_else(|| ContextError::Missing {
            name: token_env.to_owned(),
            hint: format!(
                "the upload needs a token allowed to write security events; in the workflow give \
                 the step `env: {token_env}: ${{{{ github.token }}}}` and the job \
                 `permissions: security-events: write`, or name another variable with `--token-env`"
            ),
        })?;
    if !token.is_valid_header() {
        return Err(ContextError::InvalidToken {
            name: token_env.to_owned(),
        });
    }

    let repository = required(env, "GITHUB_REPOSITORY")?;
    let (owner, repo) =
        split_repository(&repository).ok_or_else(|| ContextError::InvalidRepository {
            value: repository.clone(),
        })?;

    let sha = required(env, "GITHUB_SHA")?;
    if !is_commit_sha(&sha) {
        return Err(ContextError::InvalidSha {
            name: "GITHUB_SHA",
            value: sha,
        });
    }
    let sha = sha.to_ascii_lowercase();

    let git_ref = required(env, "GITHUB_REF")?;
    if !git_ref.starts_with("refs/") || git_ref.len() <= "refs/".len() {
        return Err(ContextError::InvalidRef { value: git_ref });
    }

    let workspace = non_empty(env, "GITHUB_WORKSPACE").map(PathBuf::from);
    let event_name = non_empty(env, "GITHUB_EVENT_NAME");
    let (commit_sha, git_ref) = resolve_analyzed_commit(
        env,
        event_name.as_deref(),
        sha,
        git_ref,
        workspace.as_deref(),
    )?;

    Ok(GithubContext {
        api_url,
        owner: owner.to_owned(),
        repo: repo.to_owned(),
        commit_sha,
        git_ref,
        workspace,
        token,
    })
}

/// Picks the (`commit_sha`, `ref`) pair for the upload.
///
/// NOTE: the REST docs define `commit_sha` as "the SHA of the commit to which the analysis you
/// are uploading relates" and `ref` as `refs/heads/<branch>`, `refs/tags/<tag>`,
/// `refs/pull/<number>/merge` or `refs/pull/<number>/head`
/// (<https://docs.github.com/en/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data>).
/// So the pair must name the same commit. On `pull_request` the checkout is the merge commit
/// `GITHUB_SHA` and `GITHUB_REF` is already `refs/pull/N/merge`; that pair is used as is. If
/// the workflow checked out the PR head instead (`ref: ${{ github.event.pull_request.head.sha }}`,
/// common with `pull_request_target`), the analysis relates to the head commit, so we send
/// `pull_request.head.sha` from the event payload with `refs/pull/N/head`. This mirrors
/// github/codeql-action's `getRef`, which compares `git rev-parse HEAD` with `GITHUB_SHA`;
/// we read `.git/HEAD` instead of running git.
fn resolve_analyzed_commit(
    env: &dyn Fn(&str) -> Option<String>,
    event_name: Option<&str>,
    sha: String,
    git_ref: String,
    workspace: Option<&Path>,
) -> Result<(String, String), ContextError> {
    if !matches!(event_name, Some("pull_request" | "pull_request_target")) {
        return Ok((sha, git_ref));
    }
    let Some(checked_out) = workspace.and_then(checked_out_commit) else {
        return Ok((sha, git_ref));
    };
    if checked_out == sha {
        return Ok((sha, git_ref));
    }
    let event = read_pull_request_event(env)?;
    if checked_out == event.head_sha {
        let head_ref = format!("refs/pull/{}/head", event.number);
        return Ok((event.head_sha, head_ref));
    }
    // Some other commit is checked out; the event names no ref for it, so keep the pair the
    // run was triggered with (codeql-action: "not a huge problem for the alerts").
    Ok((sha, git_ref))
}

struct PullRequestEvent {
    number: u64,
    head_sha: String,
}

fn read_pull_request_event(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PullRequestEvent, ContextError> {
    let path = PathBuf::from(required(env, "GITHUB_EVENT_PATH")?);
    let payload_error = |reason: String| ContextError::EventPayload {
        path: path.clone(),
        reason,
    };
    let payload = read_event_payload(&path).map_err(payload_error)?;
    let number = payload
        .pointer("/pull_request/number")
        .or_else(|| payload.get("number"))
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| payload_error("no `pull_request.number`".to_owned()))?;
    let head_sha = payload
        .pointer("/pull_request/head/sha")
        .and_then(serde_json::Value::as_str)
        .filter(|sha| is_commit_sha(sha))
        .ok_or_else(|| payload_error("no 40-character `pull_request.head.sha`".to_owned()))?;
    Ok(PullRequestEvent {
        number,
        head_sha: head_sha.to_ascii_lowercase(),
    })
}

/// The largest event payload read (GitHub's webhook payloads are capped at 25 MB).
const MAX_EVENT_BYTES: u64 = 32 * 1024 * 1024;

/// The event payload at `path` (`GITHUB_EVENT_PATH`), as JSON; bounded, regular file only.
pub fn read_event_payload(path: &Path) -> Result<serde_json::Value, String> {
    let bytes = crate::read::read_bounded(path, MAX_EVENT_BYTES).map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|error| error.to_string())
}

/// Is this run a pull request from a fork, whose `GITHUB_TOKEN` cannot write security
/// events? `pull_request` (and its review events) from a head repository other than the
/// base; a deleted fork (no head repository) counts too. `pull_request_target` runs with the
/// base repository's token, so it is not.
pub fn is_fork_pull_request(event_name: Option<&str>, payload: &serde_json::Value) -> bool {
    if !matches!(
        event_name,
        Some("pull_request" | "pull_request_review" | "pull_request_review_comment")
    ) {
        return false;
    }
    let Some(pull_request) = payload.get("pull_request") else {
        return false;
    };
    let name = |pointer: &str| {
        pull_request
            .pointer(pointer)
            .and_then(serde_json::Value::as_str)
    };
    match (name("/head/repo/full_name"), name("/base/repo/full_name")) {
        (Some(head), Some(base)) => !head.eq_ignore_ascii_case(base),
        // The head repository was deleted: only a fork can be.
        (None, Some(_)) => pull_request
            .pointer("/head/repo")
            .is_none_or(serde_json::Value::is_null),
        _ => pull_request
            .pointer("/head/repo/fork")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
    }
}

/// A small file of the checkout's `.git` (regular, bounded, not through a link), as text.
fn read_git_file(path: &Path) -> Option<String> {
    const MAX_GIT_FILE_BYTES: u64 = 64 * 1024 * 1024;
    let bytes = crate::read::read_bounded(path, MAX_GIT_FILE_BYTES).ok()?;
    String::from_utf8(bytes).ok()
}

/// The commit checked out in `workspace`, read from `.git/HEAD` (detached, as
/// actions/checkout leaves it, or a branch resolved through loose or packed refs).
/// `None` when it cannot be told; the caller then trusts `GITHUB_SHA`.
fn checked_out_commit(workspace: &Path) -> Option<String> {
    let git_dir = git_dir(workspace)?;
    let head = read_git_file(&git_dir.join("HEAD"))?;
    let head = head.trim();
    match head.strip_prefix("ref:") {
        Some(name) => resolve_branch(&git_dir, name.trim()),
        None => is_commit_sha(head).then(|| head.to_ascii_lowercase()),
    }
}

fn git_dir(workspace: &Path) -> Option<PathBuf> {
    let dot_git = workspace.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    // A worktree or submodule: `.git` is a file holding `gitdir: <path>`.
    let text = read_git_file(&dot_git)?;
    let target = text.trim().strip_prefix("gitdir:")?.trim();
    Some(workspace.join(target))
}

fn resolve_branch(git_dir: &Path, name: &str) -> Option<String> {
    if !name.starts_with("refs/") || name.split('/').any(|part| part.is_empty() || part == "..") {
        return None;
    }
    if let Some(text) = read_git_file(&git_dir.join(name)) {
        let sha = text.trim();
        return is_commit_sha(sha).then(|| sha.to_ascii_lowercase());
    }
    let packed = read_git_file(&git_dir.join("packed-refs"))?;
    packed
        .lines()
        .filter_map(|line| line.split_once(' '))
        .find(|(_, ref_name)| ref_name.trim() == name)
        .map(|(sha, _)| sha)
        .filter(|sha| is_commit_sha(sha))
        .map(str::to_ascii_lowercase)
}

/// A full SHA-1 commit id: exactly 40 hex digits.
pub fn is_commit_sha(value: &str) -> bool {
    value.len() == 40 && value.bytes().all(|byte| byte.is_ascii_hexdigit())
}

fn split_repository(value: &str) -> Option<(&str, &str)> {
    let (owner, repo) = value.split_once('/')?;
    let valid = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
    };
    (valid(owner) && valid(repo)).then_some((owner, repo))
}

fn normalize_api_url(value: &str) -> Result<String, ContextError> {
    let trimmed = value.trim().trim_end_matches('/');
    let has_host = |rest: &str| !rest.is_empty() && !rest.starts_with('/');
    let ok = match trimmed.split_once("://") {
        Some((scheme, rest)) => {
            (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http"))
                && has_host(rest)
                && trimmed.parse::<http::Uri>().is_ok()
        }
        None => false,
    };
    if ok {
        Ok(trimmed.to_owned())
    } else {
        Err(ContextError::InvalidApiUrl {
            value: value.to_owned(),
        })
    }
}

fn non_empty(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name).filter(|value| !value.trim().is_empty())
}

fn required(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Result<String, ContextError> {
    non_empty(env, name)
        .map(|value| value.trim().to_owned())
        .ok_or_else(|| ContextError::Missing {
            name: name.to_owned(),
            hint: ACTIONS_HINT.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::fs;

    const MERGE_SHA: &str = "1111111111111111111111111111111111111111";
    const HEAD_SHA: &str = "2222222222222222222222222222222222222222";

    fn base_env() -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("GITHUB_REPOSITORY", "octo/app".to_owned()),
            ("GITHUB_SHA", MERGE_SHA.to_owned()),
            ("GITHUB_REF", "refs/heads/main".to_owned()),
            ("GITHUB_TOKEN", "ghs_secret".to_owned()),
        ])
    }

    fn read(map: &BTreeMap<&'static str, String>) -> Result<GithubContext, ContextError> {
        let lookup = |name: &str| map.get(name).cloned();
        from_env(&lookup, "GITHUB_TOKEN", None)
    }

    #[test]
    fn push_event_uses_sha_and_ref() {
        let context = read(&base_env()).unwrap();
        assert_eq!(context.api_url, DEFAULT_API_URL);
        assert_eq!(
            (context.owner.as_str(), context.repo.as_str()),
            ("octo", "app")
        );
        assert_eq!(context.commit_sha, MERGE_SHA);
        assert_eq!(context.git_ref, "refs/heads/main");
    }

    #[test]
    fn api_url_precedence_and_validation() {
        let mut env = base_env();
        env.insert("GITHUB_API_URL", "https://ghe.example/api/v3/".to_owned());
        assert_eq!(read(&env).unwrap().api_url, "https://ghe.example/api/v3");
        let lookup = |name: &str| env.get(name).cloned();
        let flag = from_env(&lookup, "GITHUB_TOKEN", Some("http://127.0.0.1:9")).unwrap();
        assert_eq!(flag.api_url, "http://127.0.0.1:9");
        for bad in ["ftp://x", "api.github.com", "https://", "https:///path"] {
            assert!(matches!(
                from_env(&lookup, "GITHUB_TOKEN", Some(bad)),
                Err(ContextError::InvalidApiUrl { .. })
            ));
        }
    }

    #[test]
    fn missing_and_invalid_values() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            // unset token names the variable and the permission
            ("GITHUB_TOKEN", None, "security-events: write"),
            // whitespace-only counts as unset
            ("GITHUB_TOKEN", Some("  "), "`GITHUB_TOKEN` is not set"),
            (
                "GITHUB_REPOSITORY",
                Some("no-slash"),
                "expected `owner/repo`",
            ),
            ("GITHUB_REPOSITORY", Some("a/b/c"), "expected `owner/repo`"),
            ("GITHUB_SHA", Some("abc123"), "40-character"),
            ("GITHUB_REF", Some("main"), "full ref"),
            ("GITHUB_SHA", None, "GITHUB_SHA"),
        ];
        for (name, value, expected) in cases {
            let mut env = base_env();
            match value {
                Some(value) => env.insert(name, (*value).to_owned()),
                None => env.remove(name),
            };
            let message = read(&env).unwrap_err().to_string();
            assert!(message.contains(expected), "{name}={value:?}: {message}");
            assert!(!message.contains("ghs_secret"));
        }
    }

    #[test]
    fn token_env_names_another_variable() {
        let mut env = base_env();
        env.insert("PW_TOKEN", "other".to_owned());
        let lookup = |name: &str| env.get(name).cloned();
        let context = from_env(&lookup, "PW_TOKEN", None).unwrap();
        assert_eq!(context.token.expose(), "other");
        assert_eq!(format!("{:?}", context.token), "Token(***)");
        assert!(!format!("{context:?}").contains("other"));
    }

    #[test]
    fn redact_scrubs_every_occurrence() {
        let token = Token::new(" abc ").unwrap();
        assert_eq!(
            token.redact("Bearer abc and abcabc"),
            "Bearer *** and ******"
        );
        assert!(Token::new("").is_none());
        // base64("x-access-token:abc"), as in `AUTHORIZATION: basic …`
        assert_eq!(
            token.redact("AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46YWJj"),
            "AUTHORIZATION: basic ***"
        );
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused_unprinted() {
        for bad in ["ghs_a\nInjected: 1", "ghs_a b", "ghs_\u{7f}x", "ghs_é"] {
            let mut env = base_env();
            env.insert("GITHUB_TOKEN", bad.to_owned());
            let error = read(&env).unwrap_err();
            assert!(
                matches!(error, ContextError::InvalidToken { .. }),
                "{bad:?}"
            );
            let message = error.to_string();
            assert!(
                message.contains("`GITHUB_TOKEN`") && !message.contains("ghs_"),
                "{message}"
            );
        }
    }

    #[test]
    fn fork_pull_requests_by_payload() {
        use serde_json::json;
        let pr = |head: serde_json::Value, base: &str| json!({"pull_request": {"head": {"repo": head}, "base": {"repo": {"full_name": base}}}});
        // (event, payload, fork)
        let cases = [
            (
                "pull_request",
                pr(
                    json!({"full_name": "mallory/repo", "fork": true}),
                    "octo/repo",
                ),
                true,
            ),
            (
                "pull_request",
                pr(
                    json!({"full_name": "octo/repo", "fork": false}),
                    "octo/repo",
                ),
                false,
            ),
            // a fork's own pull request inside the fork is not from a fork
            (
                "pull_request",
                pr(json!({"full_name": "octo/repo", "fork": true}), "octo/repo"),
                false,
            ),
            // the fork was deleted
            ("pull_request", pr(json!(null), "octo/repo"), true),
            // pull_request_target has the base repository's token
            (
                "pull_request_target",
                pr(json!({"full_name": "mallory/repo"}), "octo/repo"),
                false,
            ),
            ("push", json!({}), false),
        ];
        for (event, payload, expected) in cases {
            assert_eq!(
                is_fork_pull_request(Some(event), &payload),
                expected,
                "{event} {payload}"
            );
        }
    }

    fn pull_request_env(dir: &Path, checked_out: &str) -> BTreeMap<&'static str, String> {
        let workspace = dir.join("ws");
        fs::create_dir_all(workspace.join(".git")).unwrap();
        fs::write(workspace.join(".git/HEAD"), format!("{checked_out}\n")).unwrap();
        let event = dir.join("event.json");
        let payload = serde_json::json!({"number": 7, "pull_request": {"number": 7, "head": {"sha": HEAD_SHA}}});
        fs::write(&event, payload.to_string()).unwrap();
        let mut env = base_env();
        env.insert("GITHUB_EVENT_NAME", "pull_request".to_owned());
        env.insert("GITHUB_REF", "refs/pull/7/merge".to_owned());
        env.insert("GITHUB_EVENT_PATH", event.display().to_string());
        env.insert("GITHUB_WORKSPACE", workspace.display().to_string());
        env
    }

    #[test]
    fn pull_request_on_merge_commit_keeps_merge_ref() {
        let dir = tempfile::tempdir().unwrap();
        let context = read(&pull_request_env(dir.path(), MERGE_SHA)).unwrap();
        assert_eq!(context.commit_sha, MERGE_SHA);
        assert_eq!(context.git_ref, "refs/pull/7/merge");
    }

    #[test]
    fn pull_request_with_head_checked_out_uses_head_ref() {
        let dir = tempfile::tempdir().unwrap();
        let context = read(&pull_request_env(dir.path(), HEAD_SHA)).unwrap();
        assert_eq!(context.commit_sha, HEAD_SHA);
        assert_eq!(context.git_ref, "refs/pull/7/head");
    }

    #[test]
    fn pull_request_target_with_branch_checkout_resolves_packed_refs() {
        let dir = tempfile::tempdir().unwrap();
        let mut env = pull_request_env(dir.path(), "ref: refs/heads/feature");
        env.insert("GITHUB_EVENT_NAME", "pull_request_target".to_owned());
        env.insert("GITHUB_REF", "refs/heads/main".to_owned());
        let git = dir.path().join("ws/.git");
        fs::write(
            git.join("packed-refs"),
            format!("# pack-refs\n{HEAD_SHA} refs/heads/feature\n"),
        )
        .unwrap();
        let context = read(&env).unwrap();
        assert_eq!(
            (context.commit_sha.as_str(), context.git_ref.as_str()),
            (HEAD_SHA, "refs/pull/7/head")
        );
    }

    #[test]
    fn pull_request_with_unreadable_payload_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut env = pull_request_env(dir.path(), HEAD_SHA);
        env.insert(
            "GITHUB_EVENT_PATH",
            dir.path().join("missing.json").display().to_string(),
        );
        assert!(matches!(read(&env), Err(ContextError::EventPayload { .. })));
    }

    #[test]
    fn pull_request_without_checkout_trusts_environment() {
        let mut env = base_env();
        env.insert("GITHUB_EVENT_NAME", "pull_request".to_owned());
        env.insert("GITHUB_REF", "refs/pull/7/merge".to_owned());
        env.insert("GITHUB_WORKSPACE", "/nonexistent/pinwarden-test".to_owned());
        let context = read(&env).unwrap();
        assert_eq!(
            (context.commit_sha.as_str(), context.git_ref.as_str()),
            (MERGE_SHA, "refs/pull/7/merge")
        );
    }
}
