//! GitHub's workflow dependency lockfile, `.github/workflows/actions.lock` (public preview
//! since 2026-10-14), written by the `gh actions-lock` CLI extension. The format is pre-1.0 and
//! may change: everything that knows it lives in this module.
//!
//! Sources (read 2026-11):
//! - GitHub changelog 2026-10-14, "GitHub Actions workflow lockfiles in public preview", and
//!   GitHub Docs, "Workflow dependency lockfiles" (concepts/security): after a workflow is
//!   onboarded every action dependency it uses must be in the lockfile, or the run does not
//!   start; calls to reusable workflows (`jobs.<job_id>.uses`) are not pinned by it.
//! - The JSON schemas `schema/lockfile-v0.0.2.json` and `lockfile-v0.0.3.json` of
//!   github/actions-lockfile, its Go parser `go/pkg/lockfile/{lockfile,pin}.go`, and the
//!   lockfile github/gh-actions-lock commits for itself (`version: 'v0.0.2'`):
//!
//! ```yaml
//! version: 'v0.0.2'
//! workflows:                      # repo-relative path -> the keys the workflow uses directly
//!     '.github/workflows/ci.yml':
//!         - 'actions/checkout@v6.0.2'
//! dependencies:                   # `owner/repo@ref` -> what it resolved to
//!     'actions/checkout@v6.0.2':
//!         ref: 'v6.0.2'
//!         commit: 'sha1-de0fac2e4500dabe0009e67214ff5f5447ce83dd'
//!         owner_id: 44036562
//!         repo_id: 197814629
//!         uses: ['actions/cache@v4']   # optional: a composite action's own dependencies
//! ```
//!
//! Keys are `owner/repo@ref` with owner and repository lowercased and the ref as written; a
//! sub-directory action is keyed by its repository (`pin.go`). v0.0.3 adds an optional
//! `hostname` per dependency; v0.0.1 keyed pins as `owner/repo@ref:sha1-…` and is not read.
//!
//! NOTE: fail safe. Anything GitHub's parser would reject (unknown version, unknown keys,
//! missing or mistyped fields, a malformed commit, duplicate keys, over 1 MiB) is a
//! [`Problem`] and leaves [`ParsedLock::lock`] empty, so [`ParsedLock::status`] answers
//! [`LockStatus::NotOnboarded`] for every workflow and the ref rules judge them as usual.
//! Not checked: cycles in `uses`, and whether the commits exist.

use std::collections::BTreeMap;

use crate::model::action_ref::CommitAlgorithm;
use crate::model::location::Span;
use crate::parse::Problem;
use crate::parse::yaml::{Node, ScalarStyle, parse_yaml};

/// Where GitHub reads the lockfile, relative to the repository root.
pub const LOCKFILE_PATH: &str = ".github/workflows/actions.lock";

/// The lockfile versions this module reads (the same shape; v0.0.3 adds `hostname`).
pub const SUPPORTED_VERSIONS: &[&str] = &["v0.0.2", "v0.0.3"];

/// GitHub's parser refuses larger lockfiles (`MaxParseSize`, github/actions-lockfile).
pub const MAX_LOCKFILE_BYTES: usize = 1 << 20;

/// The lockfile, or the problems that make it unusable.
#[derive(Clone, Debug, Default)]
pub struct ParsedLock {
    /// `None` whenever `problems` is not empty.
    pub lock: Option<ActionsLock>,
    /// Each one becomes a PW001 finding on the lockfile.
    pub problems: Vec<Problem>,
}

/// A lockfile GitHub would accept.
#[derive(Clone, Debug)]
pub struct ActionsLock {
    pub version: String,
    pub version_span: Span,
    workflows: BTreeMap<String, LockedWorkflow>,
    dependencies: BTreeMap<String, Entry>,
}

/// An onboarded workflow: the lock keys listed under its path.
#[derive(Clone, Debug)]
pub struct LockedWorkflow {
    /// The path as written in the lockfile.
    pub path_span: Span,
    pub keys: Vec<LockKey>,
}

/// An `owner/repo@ref` key, canonical (owner and repository lowercased), with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockKey {
    pub key: String,
    pub span: Span,
}

/// One `dependencies` entry.
#[derive(Clone, Debug)]
pub struct Entry {
    pub key: LockKey,
    /// The tag or branch the commit was resolved from (`ref:`).
    pub git_ref: String,
    pub commit: Commit,
    pub owner_id: u64,
    pub repo_id: u64,
    /// The entry's own dependencies (a composite action's steps).
    pub uses: Vec<LockKey>,
    /// v0.0.3: the GitHub host that resolves it; `None` means the home host.
    pub hostname: Option<String>,
}

/// A `commit:` value, `sha1-<40 hex>` or `sha256-<64 hex>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    pub algorithm: CommitAlgorithm,
    /// Lowercase hex.
    pub hex: String,
    pub span: Span,
}

/// What the lockfile says about one `uses:` of one workflow.
#[derive(Clone, Copy, Debug)]
pub enum LockStatus<'a> {
    /// The workflow is not listed (or there is no usable lockfile): judge the ref as usual.
    NotOnboarded,
    /// Listed for the workflow and resolved to a commit: pinned by the lockfile.
    Locked(&'a Entry),
    /// The workflow is onboarded but this key is not locked for it: GitHub refuses the run.
    Missing,
}

/// Parse the text of `.github/workflows/actions.lock`.
pub fn parse_actions_lock(text: &str) -> ParsedLock {
    let mut problems = Vec::new();
    let lock = read(text, &mut problems);
    ParsedLock {
        lock: lock.filter(|_| problems.is_empty()),
        problems,
    }
}

impl ParsedLock {
    /// The status of `lock_key` (see [`crate::model::action_ref::RepositoryRef::lock_key`]) in
    /// the workflow at `workflow_path` (repo-relative, `/`-separated:
    /// `.github/workflows/ci.yml`). Without a usable lockfile every workflow is not onboarded.
    pub fn status(&self, workflow_path: &str, lock_key: &str) -> LockStatus<'_> {
        self.lock.as_ref().map_or(LockStatus::NotOnboarded, |lock| {
            lock.status(workflow_path, lock_key)
        })
    }
}

impl ActionsLock {
    /// See [`ParsedLock::status`].
    ///
    /// NOTE: a key counts as locked only when it is listed under the workflow *and* has a
    /// `dependencies` entry: `gh actions-lock` lists each workflow's direct `uses:` under its
    /// path, and GitHub looks a workflow's dependencies up through that list
    /// (`LookupWorkflow`); a key listed without an entry has no commit to run.
    pub fn status(&self, workflow_path: &str, lock_key: &str) -> LockStatus<'_> {
        let Some(workflow) = self.workflows.get(workflow_path) else {
            return LockStatus::NotOnboarded;
        };
        let Some(key) = canonical_key(lock_key) else {
            return LockStatus::Missing;
        };
        let listed = workflow.keys.iter().any(|listed| listed.key == key);
        match self.dependencies.get(&key) {
            Some(entry) if listed => LockStatus::Locked(entry),
            _ => LockStatus::Missing,
        }
    }

    /// True when `workflow_path` is listed under `workflows`.
    pub fn is_onboarded(&self, workflow_path: &str) -> bool {
        self.workflows.contains_key(workflow_path)
    }

    /// The onboarded workflow at `workflow_path`, if it is listed.
    pub fn workflow(&self, workflow_path: &str) -> Option<&LockedWorkflow> {
        self.workflows.get(workflow_path)
    }

    /// The onboarded workflows, by path.
    pub fn workflows(&self) -> impl Iterator<Item = (&str, &LockedWorkflow)> {
        self.workflows.iter().map(|(path, w)| (path.as_str(), w))
    }

    /// The entry for a key (canonicalized first).
    pub fn entry(&self, lock_key: &str) -> Option<&Entry> {
        self.dependencies.get(&canonical_key(lock_key)?)
    }
}

fn read(text: &str, problems: &mut Vec<Problem>) -> Option<ActionsLock> {
    if text.len() > MAX_LOCKFILE_BYTES {
        problems.push(Problem::new(
            Span::at(0),
            format!(
                "lockfile is larger than {MAX_LOCKFILE_BYTES} bytes, which GitHub refuses; \
                 its workflows are checked as not onboarded"
            ),
        ));
        return None;
    }
    let file = match parse_yaml(text) {
        Ok(file) => file,
        Err(error) => {
            problems.push(Problem::new(error.span, error.message));
            return None;
        }
    };
    for duplicate in &file.duplicate_keys {
        let span = &duplicate.key;
        let key = text.get(span.start..span.end).unwrap_or("");
        problems.push(Problem::new(
            *span,
            format!("duplicate key `{key}` in lockfile"),
        ));
    }
    if let Some(extra) = file.documents.get(1) {
        problems.push(Problem::new(
            extra.span,
            "lockfile has more than one YAML document",
        ));
    }
    let Some(root) = file.documents.first().filter(|root| !root.is_null()) else {
        problems.push(Problem::new(
            Span::at(0),
            "lockfile is empty: `version` is required",
        ));
        return None;
    };
    let Some(entries) = root.as_mapping() else {
        problems.push(Problem::new(root.use_span(), "lockfile must be a mapping"));
        return None;
    };
    let version = read_version(root, problems)?;
    let mut workflows = BTreeMap::new();
    let mut dependencies = BTreeMap::new();
    for (key, value) in entries {
        match key.as_str() {
            Some("version") => {}
            Some("workflows") => workflows = read_workflows(value, problems),
            Some("dependencies") => dependencies = read_dependencies(value, &version.0, problems),
            _ => problems.push(unknown_key(key, "the lockfile")),
        }
    }
    Some(ActionsLock {
        version: version.0,
        version_span: version.1,
        workflows,
        dependencies,
    })
}

fn read_version(root: &Node, problems: &mut Vec<Problem>) -> Option<(String, Span)> {
    let Some(node) = root.get("version") else {
        problems.push(Problem::new(root.use_span(), "lockfile has no `version`"));
        return None;
    };
    let version = string(node, "`version`", problems)?;
    if !SUPPORTED_VERSIONS.contains(&version) {
        problems.push(Problem::new(
            node.use_span(),
            format!(
                "unsupported lockfile version `{version}` (pinwarden reads {}): its workflows \
                 are checked as not onboarded",
                SUPPORTED_VERSIONS.join(", ")
            ),
        ));
        return None;
    }
    Some((version.to_owned(), node.use_span()))
}

fn read_workflows(node: &Node, problems: &mut Vec<Problem>) -> BTreeMap<String, LockedWorkflow> {
    let mut workflows = BTreeMap::new();
    for (path_node, list) in mapping(node, "`workflows`", problems) {
        let Some(path) = string(path_node, "a workflow path", problems) else {
            continue;
        };
        if let Some(reason) = unsafe_path(path) {
            problems.push(Problem::new(
                path_node.use_span(),
                format!("workflow path `{path}` {reason}"),
            ));
            continue;
        }
        let keys = keys(list, &format!("the list of `{path}`"), problems);
        let workflow = LockedWorkflow {
            path_span: path_node.use_span(),
            keys,
        };
        workflows.insert(path.to_owned(), workflow);
    }
    workflows
}

fn read_dependencies(
    node: &Node,
    version: &str,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Entry> {
    let mut dependencies: BTreeMap<String, Entry> = BTreeMap::new();
    for (key_node, value) in mapping(node, "`dependencies`", problems) {
        let Some(key) = lock_key(key_node, problems) else {
            continue;
        };
        if let Some(first) = dependencies.get(&key.key) {
            let first = first.key.span;
            problems.push(Problem::new(
                key.span,
                format!(
                    "dependency `{}` is listed twice (owner and repository are case-insensitive; \
                     the first is at byte {})",
                    key.key, first.start
                ),
            ));
            continue;
        }
        if let Some(entry) = read_entry(key.clone(), value, version, problems) {
            dependencies.insert(key.key, entry);
        }
    }
    dependencies
}

fn read_entry(
    key: LockKey,
    node: &Node,
    version: &str,
    problems: &mut Vec<Problem>,
) -> Option<Entry> {
    let what = format!("dependency `{}`", key.key);
    let Some(fields) = node.as_mapping() else {
        problems.push(Problem::new(
            node.use_span(),
            format!("{what} must be a mapping"),
        ));
        return None;
    };
    let mut git_ref = None;
    let mut commit = None;
    let mut owner_id = None;
    let mut repo_id = None;
    let mut uses = Vec::new();
    let mut hostname = None;
    for (field, value) in fields {
        match field.as_str() {
            Some("ref") => {
                let text = string(value, &format!("`ref` of {what}"), problems);
                if text == Some("") {
                    problems.push(Problem::new(
                        value.use_span(),
                        format!("`ref` of {what} is empty"),
                    ));
                }
                git_ref = text.filter(|text| !text.is_empty());
            }
            Some("commit") => commit = read_commit(value, &what, problems),
            Some("owner_id") => owner_id = id(value, &format!("`owner_id` of {what}"), problems),
            Some("repo_id") => repo_id = id(value, &format!("`repo_id` of {what}"), problems),
            Some("uses") => uses = keys(value, &format!("`uses` of {what}"), problems),
            Some("hostname") if version != "v0.0.2" => {
                hostname = string(value, &format!("`hostname` of {what}"), problems);
            }
            _ => problems.push(unknown_key(field, &what)),
        }
    }
    let missing: Vec<&str> = [
        ("ref", git_ref.is_none()),
        ("commit", commit.is_none()),
        ("owner_id", owner_id.is_none()),
        ("repo_id", repo_id.is_none()),
    ]
    .into_iter()
    .filter(|(name, absent)| *absent && node.get(name).is_none())
    .map(|(name, _)| name)
    .collect();
    if !missing.is_empty() {
        problems.push(Problem::new(
            key.span,
            format!("{what} has no `{}`", missing.join("`, `")),
        ));
    }
    Some(Entry {
        key,
        git_ref: git_ref?.to_owned(),
        commit: commit?,
        owner_id: owner_id?,
        repo_id: repo_id?,
        uses,
        hostname: hostname.map(str::to_owned),
    })
}

fn read_commit(node: &Node, what: &str, problems: &mut Vec<Problem>) -> Option<Commit> {
    let text = string(node, &format!("`commit` of {what}"), problems)?;
    let parsed = text.split_once('-').and_then(|(algorithm, hex)| {
        let (algorithm, len) = match algorithm {
            "sha1" => (CommitAlgorithm::Sha1, 40),
            "sha256" => (CommitAlgorithm::Sha256, 64),
            _ => return None,
        };
        let valid = hex.len() == len && hex.bytes().all(|byte| byte.is_ascii_hexdigit());
        valid.then(|| (algorithm, hex.to_ascii_lowercase()))
    });
    let Some((algorithm, hex)) = parsed else {
        problems.push(Problem::new(
            node.use_span(),
            format!(
                "`commit` of {what} must be `sha1-<40 hex>` or `sha256-<64 hex>`, not `{text}`"
            ),
        ));
        return None;
    };
    Some(Commit {
        algorithm,
        hex,
        span: node.use_span(),
    })
}

/// A sequence of lock keys (a null value is an empty list, as GitHub's YAML decoder reads it).
fn keys(node: &Node, what: &str, problems: &mut Vec<Problem>) -> Vec<LockKey> {
    if node.is_null() {
        return Vec::new();
    }
    let Some(items) = node.as_sequence() else {
        problems.push(Problem::new(
            node.use_span(),
            format!("{what} must be a list of `owner/repo@ref` keys"),
        ));
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| lock_key(item, problems))
        .collect()
}

fn lock_key(node: &Node, problems: &mut Vec<Problem>) -> Option<LockKey> {
    let text = string(node, "a lock key", problems)?;
    let Some(key) = canonical_key(text) else {
        problems.push(Problem::new(
            node.use_span(),
            format!("`{text}` is not an `owner/repo@ref` lock key"),
        ));
        return None;
    };
    Some(LockKey {
        key,
        span: node.use_span(),
    })
}

/// The schema's pin grammar, `^[^/@:]+/[^/@:]+@[^:]+$`, with owner and repository lowercased
/// (`Pin.Canonical` in github/actions-lockfile `pin.go`).
fn canonical_key(text: &str) -> Option<String> {
    let (name, git_ref) = text.split_once('@')?;
    let (owner, repo) = name.split_once('/')?;
    let plain = |part: &str| !part.is_empty() && !part.contains(['/', '@', ':']);
    let valid = plain(owner) && plain(repo) && !git_ref.is_empty() && !git_ref.contains(':');
    valid.then(|| format!("{}/{}@{git_ref}", owner.to_lowercase(), repo.to_lowercase()))
}

/// Why a workflow key is not a safe repo-relative path (`validateWorkflowPaths`).
fn unsafe_path(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("is empty")
    } else if path.starts_with('/') {
        Some("is absolute")
    } else if path.split('/').any(|segment| segment == "..") {
        Some("leaves the repository (`..`)")
    } else if path.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    }
}

/// The entries of a mapping; a null value is an empty mapping.
fn mapping<'n>(node: &'n Node, what: &str, problems: &mut Vec<Problem>) -> &'n [(Node, Node)] {
    if node.is_null() {
        return &[];
    }
    node.as_mapping().unwrap_or_else(|| {
        problems.push(Problem::new(
            node.use_span(),
            format!("{what} must be a mapping"),
        ));
        &[]
    })
}

/// A non-null scalar's text.
fn string<'n>(node: &'n Node, what: &str, problems: &mut Vec<Problem>) -> Option<&'n str> {
    let text = node.as_string();
    if text.is_none() {
        problems.push(Problem::new(
            node.use_span(),
            format!("{what} must be a string"),
        ));
    }
    text
}

/// A positive integer written as a plain decimal scalar (a quoted one is a string in YAML).
fn id(node: &Node, what: &str, problems: &mut Vec<Problem>) -> Option<u64> {
    let number = node
        .as_scalar()
        .filter(|scalar| scalar.style == ScalarStyle::Plain)
        .filter(|scalar| scalar.text.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|scalar| scalar.text.parse::<u64>().ok())
        .filter(|&number| number >= 1);
    if number.is_none() {
        problems.push(Problem::new(
            node.use_span(),
            format!("{what} must be a positive integer"),
        ));
    }
    number
}

fn unknown_key(key: &Node, owner: &str) -> Problem {
    let name = key.as_str().unwrap_or("?");
    Problem::new(key.use_span(), format!("unknown key `{name}` in {owner}"))
}

#[cfg(test)]
#[path = "actions_lock/tests.rs"]
mod tests;
