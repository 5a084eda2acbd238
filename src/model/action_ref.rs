//! The `uses:` grammar of GitHub workflow steps, reusable-workflow calls and composite action
//! steps, and the classification of the ref after `@` for the PW2xx rules.
//!
//! The shape follows the runner's own parser (`actions/runner`,
//! `src/Sdk/DTPipelines/Pipelines/ObjectTemplating/PipelineTemplateConverter.cs`,
//! `ConvertToStep`): `docker://` first (case-sensitive), then `./` or `.\` (a workspace path),
//! else the value is split on `@` into exactly two parts, the left one on `/` and `\` with empty
//! segments dropped, and needs an owner, a repository and a non-empty ref:
//!
//! ```text
//! uses        := "docker://" image | "./" path | ".\" path | "$/" path | remote
//! remote      := owner "/" repo [ "/" path ] "@" ref
//! ```
//!
//! `$/path` is the self-repository reference (GitHub changelog 2026-07-30): the workflow's own
//! repository at the running commit. `${{ … }}` is not allowed anywhere in `uses:` (the
//! workflow schema gives `uses` no expression context), so any `${{` makes the value an
//! [`Uses::Expression`], whatever its scheme.
//!
//! # Offsets
//!
//! Every [`Part`] carries a [`Span`] relative to the *decoded* value (what
//! `parse::yaml::Node::as_str` returns). A YAML node's span excludes the quotes of a quoted
//! scalar, so for a scalar written exactly as decoded (plain, or quoted without escapes)
//! `part.span.offset_by(node.span.start)` is the span in the file; `Node::sub_span(source,
//! part.range())` does that and falls back to the whole node when escapes or folding make the
//! written text differ from the decoded one.
//!
//! The parser works on `&str` without slice indexing and never panics.

use std::fmt;
use std::ops::Range;

use crate::model::location::Span;

const DOCKER_SCHEME: &str = "docker://";
const SELF_PREFIX: &str = "$/";
const EXPRESSION_OPEN: &str = "${{";
const EXPRESSION_CLOSE: &str = "}}";

/// A piece of a `uses:` value: its text and where it is in the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part<'a> {
    pub text: &'a str,
    /// Byte range in the decoded value (see the module docs for file offsets).
    pub span: Span,
}

/// What a `uses:` value refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uses<'a> {
    /// `./path` or `.\path`: an action or workflow in the checked-out workspace. Exempt.
    Local { path: Part<'a> },
    /// `$/path`: the workflow's own repository at the running commit. Exempt.
    SelfRepository { path: Part<'a> },
    /// `docker://image`: belongs to the image rules; `image` excludes the scheme.
    Docker { image: Part<'a> },
    /// `${{` somewhere in the value: GitHub rejects the workflow (callers report PW001).
    /// `span` covers the first `${{ … }}` (to the end of the value if unterminated).
    Expression { span: Span },
    /// `owner/repo[/path]@ref`: an action in another repository.
    Action(RepositoryRef<'a>),
    /// `owner/repo/.github/workflows/name.yml@ref`: a reusable workflow.
    ReusableWorkflow(RepositoryRef<'a>),
    /// Not a value GitHub accepts.
    Invalid(InvalidUses),
}

/// `owner/repo[/path]@ref`, as an action or a reusable workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepositoryRef<'a> {
    pub owner: Part<'a>,
    pub repo: Part<'a>,
    /// The directory of an action in the repository, or the workflow file's path, as written
    /// (separators included); `None` for an action at the repository root.
    pub path: Option<Part<'a>>,
    /// The ref after `@`: the span the PW201/PW202 findings point at.
    pub git_ref: Part<'a>,
    pub kind: RefKind,
}

/// How mutable the ref after `@` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// A full commit id: 40 hex digits (SHA-1) or 64 (SHA-256 object format). Pinned.
    Commit {
        algorithm: CommitAlgorithm,
        /// False when the hex has uppercase letters (still a commit; see [`classify_ref`]).
        lowercase: bool,
    },
    /// A version-like tag: `v4`, `v4.1`, `v4.1.1`, `1.2.3`, `v4.1.1-beta.1`, `v1.2.3+build.5`.
    Version(VersionTag),
    /// 7 to 39 hex digits with at least one letter: looks like an abbreviated commit, but
    /// GitHub resolves it as a ref *name*, so it pins nothing.
    ShortHex,
    /// Anything else: a branch, or a tag that is not a version (`main`, `release/x`, `latest`).
    /// Offline a name can be either, and both can be moved to another commit.
    BranchLike,
}

/// The hash function of a full commit id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitAlgorithm {
    Sha1,
    Sha256,
}

/// A version-like tag with how many numeric components it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionTag {
    pub precision: Precision,
    /// A `-…` pre-release suffix (`v4.1.1-beta.1`).
    pub prerelease: bool,
    /// A `+…` build-metadata suffix (`v1.2.3+meta`).
    pub build: bool,
}

/// How many numeric components a version tag has. Ordered from the least to the most precise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// `v4`, `4`: the publisher moves it to every 4.x release.
    Major,
    /// `v4.1`: moved to every 4.1.x release.
    MajorMinor,
    /// `v4.1.1`, `1.2.3.4`: one release by convention (tags can still be moved).
    Full,
}

/// Why a `uses:` value is invalid, and where in the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidUses {
    pub reason: InvalidReason,
    /// The offending part of the value (the whole value for structural problems).
    pub span: Span,
}

/// Why a `uses:` value is not `owner/repo[/path]@ref` (nor a local, `$/` or `docker://` one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidReason {
    /// The value is empty.
    Empty,
    /// No `@ref` (`actions/checkout`).
    MissingRef,
    /// More than one `@`: the runner splits on every `@`.
    ExtraAt,
    /// Fewer than two non-empty segments before `@` (`checkout@v4`, `@v4`).
    MissingRepository,
    /// Nothing after `@` (`actions/checkout@`).
    EmptyRef,
    /// The owner is not a GitHub account name (letters, digits, `-`, `_`, `.`).
    InvalidOwner,
    /// The repository is not a GitHub repository name (letters, digits, `-`, `_`, `.`).
    InvalidRepository,
    /// The ref is not a valid git ref name (`git check-ref-format`).
    InvalidRef(RefNameError),
}

/// Which `git check-ref-format` rule a ref breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefNameError {
    /// A space or other whitespace (a quoted `"actions/checkout@v4 "`).
    Whitespace,
    /// An ASCII control character.
    ControlCharacter,
    /// One of `~ ^ : ? * [ \`.
    ForbiddenCharacter(char),
    /// `..` anywhere.
    DoubleDot,
    /// A leading, trailing or doubled `/`.
    EmptyComponent,
    /// A `/`-separated component starting with `.`.
    DotComponent,
    /// A component ending with `.lock`.
    LockSuffix,
    /// A trailing `.`.
    TrailingDot,
}

/// Parse a `uses:` value (the decoded scalar, not trimmed: GitHub does not trim it either).
pub fn parse_uses(value: &str) -> Uses<'_> {
    let whole = Span::new(0, value.len());
    if value.is_empty() {
        return invalid(InvalidReason::Empty, whole);
    }
    if let Some(open) = value.find(EXPRESSION_OPEN) {
        let body = open + EXPRESSION_OPEN.len();
        let end = value
            .get(body..)
            .and_then(|rest| rest.find(EXPRESSION_CLOSE))
            .map_or(value.len(), |close| body + close + EXPRESSION_CLOSE.len());
        return Uses::Expression {
            span: Span::new(open, end),
        };
    }
    if value.starts_with(DOCKER_SCHEME) {
        return Uses::Docker {
            image: part(value, DOCKER_SCHEME.len(), value.len()),
        };
    }
    if value.starts_with("./") || value.starts_with(".\\") {
        return Uses::Local {
            path: part(value, 0, value.len()),
        };
    }
    if value.starts_with(SELF_PREFIX) {
        return Uses::SelfRepository {
            path: part(value, SELF_PREFIX.len(), value.len()),
        };
    }
    parse_remote(value)
}

fn parse_remote(value: &str) -> Uses<'_> {
    let whole = Span::new(0, value.len());
    let Some((name, git_ref)) = value.split_once('@') else {
        return invalid(InvalidReason::MissingRef, whole);
    };
    let at = name.len();
    if let Some(extra) = git_ref.find('@') {
        let offset = at + 1 + extra;
        return invalid(InvalidReason::ExtraAt, Span::new(offset, offset + 1));
    }
    let segments = segments(name);
    let (Some(&owner), Some(&repo)) = (segments.first(), segments.get(1)) else {
        return invalid(InvalidReason::MissingRepository, Span::new(0, at));
    };
    let git_ref = part(value, at + 1, value.len());
    if git_ref.text.is_empty() {
        return invalid(InvalidReason::EmptyRef, whole);
    }
    let owner = part(value, owner.start, owner.end);
    let repo = part(value, repo.start, repo.end);
    if !is_account_name(owner.text) {
        return invalid(InvalidReason::InvalidOwner, owner.span);
    }
    if !is_account_name(repo.text) {
        return invalid(InvalidReason::InvalidRepository, repo.span);
    }
    if let Err(error) = check_ref_name(git_ref.text) {
        return invalid(InvalidReason::InvalidRef(error), git_ref.span);
    }
    let path_segments = segments.get(2..).unwrap_or(&[]);
    let path = match (path_segments.first(), path_segments.last()) {
        (Some(first), Some(last)) => Some(part(value, first.start, last.end)),
        _ => None,
    };
    let is_workflow = match path_segments {
        [dir, sub, file] => {
            segment_text(value, dir) == ".github"
                && segment_text(value, sub) == "workflows"
                && is_yaml_name(segment_text(value, file))
        }
        _ => false,
    };
    let reference = RepositoryRef {
        owner,
        repo,
        path,
        kind: classify_ref(git_ref.text),
        git_ref,
    };
    if is_workflow {
        Uses::ReusableWorkflow(reference)
    } else {
        Uses::Action(reference)
    }
}

/// Classify the ref after `@`.
///
/// 1. `refs/heads/…` is a branch: [`RefKind::BranchLike`].
/// 2. 40 or 64 hex digits, either case, is a [`RefKind::Commit`]. NOTE: git parses a full
///    object id case-insensitively and a full id wins over a ref of the same name (git
///    `object-name.c`, `get_oid_basic`); GitHub's own lockfile parser accepts both cases
///    (`IsFullSha`, github/actions-lockfile `pin.go`). `lowercase` lets a caller suggest the
///    canonical form.
/// 3. A version (see [`parse_version`]), also after `refs/tags/`: [`RefKind::Version`].
///    An all-digit ref such as `20240101` is a major-only version, not short hex.
/// 4. 7-39 hex digits with a letter: [`RefKind::ShortHex`].
/// 5. Anything else, including `refs/tags/` plus a non-version name: [`RefKind::BranchLike`].
pub fn classify_ref(git_ref: &str) -> RefKind {
    if git_ref.starts_with("refs/heads/") {
        return RefKind::BranchLike;
    }
    if let Some(tag) = git_ref.strip_prefix("refs/tags/") {
        return parse_version(tag).map_or(RefKind::BranchLike, RefKind::Version);
    }
    let all_hex = git_ref.bytes().all(|byte| byte.is_ascii_hexdigit());
    if all_hex && matches!(git_ref.len(), 40 | 64) {
        let algorithm = if git_ref.len() == 40 {
            CommitAlgorithm::Sha1
        } else {
            CommitAlgorithm::Sha256
        };
        let lowercase = !git_ref.bytes().any(|byte| byte.is_ascii_uppercase());
        return RefKind::Commit {
            algorithm,
            lowercase,
        };
    }
    if let Some(version) = parse_version(git_ref) {
        return RefKind::Version(version);
    }
    let has_letter = git_ref.bytes().any(|byte| byte.is_ascii_alphabetic());
    if all_hex && has_letter && (7..=39).contains(&git_ref.len()) {
        return RefKind::ShortHex;
    }
    RefKind::BranchLike
}

/// A version-like tag: `[vV] N ( "." N )* [ "-" ids ] [ "+" ids ]`, where `ids` are
/// dot-separated non-empty runs of letters, digits and `-` (the SemVer 2.0.0 suffix grammar
/// without its leading-zero rule). Precision counts the numeric components; a suffix does not
/// change it (`v4.1.1-beta.1` is full, `v2-node20` is major-only).
///
/// NOTE: `v4.x`, `v4.1.1_x` and `v4.` are not versions (they are branch-like): the numeric
/// part must end at a `-`, a `+` or the end.
pub fn parse_version(text: &str) -> Option<VersionTag> {
    let numbers = text
        .strip_prefix('v')
        .or_else(|| text.strip_prefix('V'))
        .unwrap_or(text);
    let end = numbers.find(['-', '+']).unwrap_or(numbers.len());
    let (core, suffix) = numbers.split_at_checked(end)?;
    let mut components = 0usize;
    for component in core.split('.') {
        if component.is_empty() || !component.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        components += 1;
    }
    let (prerelease, build) = match suffix.split_once('+') {
        Some((prerelease, build)) => (prerelease, Some(build)),
        None => (suffix, None),
    };
    let prerelease = match prerelease.strip_prefix('-') {
        Some(ids) if is_suffix(ids) => true,
        Some(_) => return None,
        None if prerelease.is_empty() => false,
        None => return None,
    };
    if build.is_some_and(|ids| !is_suffix(ids)) {
        return None;
    }
    let precision = match components {
        1 => Precision::Major,
        2 => Precision::MajorMinor,
        _ => Precision::Full,
    };
    Some(VersionTag {
        precision,
        prerelease,
        build: build.is_some(),
    })
}

/// The version in a trailing comment such as `  # v4.1.1`: what Dependabot and Renovate keep
/// beside a SHA pin and update together with it. `line_rest` is the rest of the line after the
/// value (after the closing quote of a quoted value). Accepts `# v4.1.1`, `#v4.1.1`,
/// `# tag=v4.1.1` (Renovate's older form) and `# pin@v4.1.1` (pin-github-action); only the
/// first word of the comment is read, and it must be a version ([`parse_version`]).
pub fn version_comment(line_rest: &str) -> Option<&str> {
    let span = version_comment_span(line_rest)?;
    line_rest.get(span.start..span.end)
}

/// Where [`version_comment`] found the version, relative to `line_rest`.
pub fn version_comment_span(line_rest: &str) -> Option<Span> {
    let comment = line_rest.trim_start().strip_prefix('#')?.trim_start();
    let word = comment
        .strip_prefix("tag=")
        .or_else(|| comment.strip_prefix("pin@"))
        .unwrap_or(comment)
        .trim_start();
    let version = word.split_whitespace().next()?;
    parse_version(version)?;
    let start = line_rest.len() - word.len();
    Some(Span::new(start, start + version.len()))
}

impl Part<'_> {
    /// The span as a range, for `Node::sub_span`.
    pub fn range(&self) -> Range<usize> {
        self.span.start..self.span.end
    }
}

impl RepositoryRef<'_> {
    /// The key of this reference in GitHub's workflow lockfile: `owner/repo@ref`, owner and
    /// repository lowercased (GitHub names are case-insensitive), the ref as written (git refs
    /// are case-sensitive). NOTE: a sub-directory action (`actions/cache/save@v4`) maps to its
    /// repository's key (`actions/cache@v4`): the runner downloads `owner/repo@ref` once and
    /// reuses it for every path (github/actions-lockfile `pin.go`: sub-action paths are not
    /// part of the pin). Reusable-workflow calls have a key too, but the lockfile does not
    /// cover them (GitHub docs, "Workflow dependency lockfiles").
    pub fn lock_key(&self) -> String {
        format!(
            "{}/{}@{}",
            self.owner.text.to_ascii_lowercase(),
            self.repo.text.to_ascii_lowercase(),
            self.git_ref.text
        )
    }
}

impl<'a> Uses<'a> {
    /// The repository reference of a remote action or reusable workflow.
    pub fn repository(&self) -> Option<&RepositoryRef<'a>> {
        match self {
            Self::Action(reference) | Self::ReusableWorkflow(reference) => Some(reference),
            _ => None,
        }
    }
}

impl RefKind {
    /// True for a full commit id, the only ref that cannot be moved.
    pub const fn is_commit(self) -> bool {
        matches!(self, Self::Commit { .. })
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Major => "major-only",
            Self::MajorMinor => "major.minor",
            Self::Full => "full",
        })
    }
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("`uses` is empty"),
            Self::MissingRef => f.write_str("missing `@ref` (expected `owner/repo[/path]@ref`)"),
            Self::ExtraAt => f.write_str("more than one `@` (expected `owner/repo[/path]@ref`)"),
            Self::MissingRepository => {
                f.write_str("missing owner or repository (expected `owner/repo[/path]@ref`)")
            }
            Self::EmptyRef => f.write_str("empty ref after `@`"),
            Self::InvalidOwner => f.write_str("owner must be letters, digits, `-`, `_` or `.`"),
            Self::InvalidRepository => {
                f.write_str("repository must be letters, digits, `-`, `_` or `.`")
            }
            Self::InvalidRef(error) => write!(f, "ref is not a valid git ref name: {error}"),
        }
    }
}

impl fmt::Display for RefNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Whitespace => f.write_str("it contains whitespace"),
            Self::ControlCharacter => f.write_str("it contains a control character"),
            Self::ForbiddenCharacter(c) => write!(f, "it contains `{c}`"),
            Self::DoubleDot => f.write_str("it contains `..`"),
            Self::EmptyComponent => f.write_str("it has an empty `/`-separated component"),
            Self::DotComponent => f.write_str("a component starts with `.`"),
            Self::LockSuffix => f.write_str("a component ends with `.lock`"),
            Self::TrailingDot => f.write_str("it ends with `.`"),
        }
    }
}

fn invalid(reason: InvalidReason, span: Span) -> Uses<'static> {
    Uses::Invalid(InvalidUses { reason, span })
}

fn part(value: &str, start: usize, end: usize) -> Part<'_> {
    Part {
        text: value.get(start..end).unwrap_or(""),
        span: Span::new(start, end),
    }
}

/// The non-empty `/`- or `\`-separated segments of `name`, as byte ranges.
fn segments(name: &str) -> Vec<Span> {
    let mut found = Vec::new();
    let mut start = 0;
    for (index, c) in name.char_indices() {
        if c == '/' || c == '\\' {
            if index > start {
                found.push(Span::new(start, index));
            }
            start = index + 1;
        }
    }
    if name.len() > start {
        found.push(Span::new(start, name.len()));
    }
    found
}

fn segment_text<'a>(value: &'a str, span: &Span) -> &'a str {
    value.get(span.start..span.end).unwrap_or("")
}

fn is_yaml_name(name: &str) -> bool {
    let stem = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"));
    stem.is_some_and(|stem| !stem.is_empty())
}

/// GitHub account and repository names: ASCII letters, digits, `-`, `_`, `.`, not `.`/`..`.
fn is_account_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
}

fn is_suffix(ids: &str) -> bool {
    ids.split('.').all(|id| {
        !id.is_empty()
            && id
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
    })
}

/// The `git check-ref-format` rules that a short ref name (no `@`, split off already) can
/// break.
fn check_ref_name(name: &str) -> Result<(), RefNameError> {
    for c in name.chars() {
        if c.is_ascii_control() {
            return Err(RefNameError::ControlCharacter);
        }
        if c.is_whitespace() {
            return Err(RefNameError::Whitespace);
        }
        if matches!(c, '~' | '^' | ':' | '?' | '*' | '[' | '\\') {
            return Err(RefNameError::ForbiddenCharacter(c));
        }
    }
    if name.contains("..") {
        return Err(RefNameError::DoubleDot);
    }
    for component in name.split('/') {
        if component.is_empty() {
            return Err(RefNameError::EmptyComponent);
        }
        if component.starts_with('.') {
            return Err(RefNameError::DotComponent);
        }
        if component.ends_with(".lock") {
            return Err(RefNameError::LockSuffix);
        }
    }
    if name.ends_with('.') {
        return Err(RefNameError::TrailingDot);
    }
    Ok(())
}

#[cfg(test)]
#[path = "action_ref/tests.rs"]
mod tests;
