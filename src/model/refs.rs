//! Image reference grammar (distribution/reference) and tag classification for pinning rules.
//!
//! The grammar follows github.com/distribution/reference (`reference.go`, `regexp.go`,
//! `normalize.go`), the parser behind `docker pull`, `BuildKit` and containerd:
//!
//! ```text
//! reference   := name [ ":" tag ] [ "@" digest ]
//! name        := [domain '/'] remote-name
//! domain      := host [':' port-number]
//! host        := domain-name | '[' IPv6address ']'
//! path-component := [a-z0-9]+ ( ([._] | __ | [-]+) [a-z0-9]+ )*
//! tag         := [\w][\w.-]{0,127}
//! digest      := algorithm ":" [0-9a-fA-F]{32,}
//! ```
//!
//! The parser is hand-written, works on `&str` without slice indexing, and never panics.

use std::fmt;

/// Registry implied when a reference names none (Docker Hub), per `normalize.go`.
const DEFAULT_REGISTRY: &str = "docker.io";
/// Docker Hub's legacy index host, which `normalize.go` canonicalizes to `docker.io`.
const LEGACY_REGISTRY: &str = "index.docker.io";
/// Namespace of Docker Hub official images: `python` is `docker.io/library/python`.
const OFFICIAL_PREFIX: &str = "library/";
/// `RepositoryNameTotalLengthMax` in `reference.go`.
const NAME_MAX: usize = 255;
/// A tag is one word character followed by at most 127 more (`[\w][\w.-]{0,127}`).
const TAG_MAX: usize = 128;

/// A parsed image reference, per the distribution reference grammar
/// (github.com/distribution/reference, reference.go / normalize.go).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host as written (`ghcr.io`, `localhost:5000`), None when implicit (Docker Hub).
    pub registry: Option<String>,
    /// Repository path as written without the registry (`python`, `library/python`, `ns/app`).
    pub path: String,
    /// The tag after `:`, if any (`3.12-slim`).
    pub tag: Option<String>,
    /// The digest after `@`, if any; it may appear together with a tag.
    pub digest: Option<Digest>,
}

/// A content digest such as `sha256:<64 hex>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    /// The algorithm before `:` (`sha256`).
    pub algorithm: String,
    /// The hex-encoded hash after `:`.
    pub encoded: String,
}

/// Why a string is not an image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    /// The reference is the empty string.
    Empty,
    /// The text does not match the grammar; the string says which part and why.
    InvalidFormat(String),
    /// The repository path (quoted) has uppercase letters, which registries reject.
    UppercaseRepository(String),
    /// The digest (quoted, as written) is malformed or has the wrong length for its algorithm.
    InvalidDigest(String),
    /// The repository path, after Docker Hub normalization, exceeds 255 characters.
    NameTooLong,
    /// The whole reference is a 64-hex image id, which `normalize.go` refuses as a name.
    HexIdentifier(String),
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("image reference is empty"),
            Self::InvalidFormat(reason) => write!(f, "invalid reference format: {reason}"),
            Self::UppercaseRepository(path) => {
                write!(f, "repository name must be lowercase: `{path}`")
            }
            Self::InvalidDigest(digest) => write!(
                f,
                "invalid digest `{digest}`: expected `algorithm:hex` \
                 (sha256 takes 64 lowercase hex characters)"
            ),
            Self::NameTooLong => {
                write!(
                    f,
                    "repository name must not be more than {NAME_MAX} characters"
                )
            }
            Self::HexIdentifier(text) => write!(
                f,
                "`{text}` is an image id, not a repository name \
                 (64-character hex strings are not allowed)"
            ),
        }
    }
}

impl std::error::Error for RefError {}

impl Digest {
    /// True for `sha256` with exactly 64 lowercase hex characters, the form registries return.
    pub fn is_canonical_sha256(&self) -> bool {
        self.algorithm == "sha256" && is_lower_hex(&self.encoded, 64)
    }

    fn parse(text: &str) -> Result<Self, RefError> {
        let invalid = || RefError::InvalidDigest(text.to_owned());
        let (algorithm, encoded) = text.split_once(':').ok_or_else(invalid)?;
        let digest = Self {
            algorithm: algorithm.to_owned(),
            encoded: encoded.to_owned(),
        };
        if digest.is_well_formed() {
            Ok(digest)
        } else {
            Err(invalid())
        }
    }

    /// The reference grammar, plus go-digest's exact lengths for the registered algorithms.
    ///
    /// NOTE: go-digest rejects algorithms it has no implementation for (`md5`); we accept any
    /// well-formed one so rules can still report it, but only sha256 counts as canonical.
    fn is_well_formed(&self) -> bool {
        let grammar = is_algorithm(&self.algorithm)
            && self.encoded.len() >= 32
            && self.encoded.bytes().all(|byte| byte.is_ascii_hexdigit());
        grammar
            && match self.algorithm.as_str() {
                "sha256" => is_lower_hex(&self.encoded, 64),
                "sha384" => is_lower_hex(&self.encoded, 96),
                "sha512" => is_lower_hex(&self.encoded, 128),
                _ => true,
            }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.encoded)
    }
}

impl ImageRef {
    /// Parses `text` exactly as written; callers trim it, strip `docker://` and expand
    /// variables first (`${TAG}` is an invalid tag here).
    ///
    /// # Errors
    ///
    /// [`RefError`] when `text` is empty, breaks the grammar, has an uppercase repository
    /// path, a malformed digest, a path over 255 characters, or is a bare image id.
    ///
    /// NOTE: the registry is split off as in `splitDockerDomain`: the first `/`-separated
    /// component is a registry if it contains `.` or `:`, is `localhost`, or has uppercase
    /// letters (so `Foo/bar` names the host `Foo`, as Docker reads it).
    pub fn parse(text: &str) -> Result<Self, RefError> {
        if text.is_empty() {
            return Err(RefError::Empty);
        }
        if is_lower_hex(text, 64) {
            return Err(RefError::HexIdentifier(text.to_owned()));
        }
        let (registry, remainder) = split_registry(text);
        // `normalize.go` checks case before the grammar, so `Python:3` gets the clear message.
        let remote = remainder.split([':', '@']).next().unwrap_or(remainder);
        if remote.chars().any(char::is_uppercase) {
            return Err(RefError::UppercaseRepository(remote.to_owned()));
        }
        let (name, digest) = match remainder.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (remainder, None),
        };
        let (path, tag) = match name.split_once(':') {
            Some((path, tag)) => (path, Some(tag)),
            None => (name, None),
        };
        check_path(path)?;
        if let Some(host) = registry.filter(|host| !is_registry_host(host)) {
            return Err(invalid(format!("registry host `{host}` is not valid")));
        }
        match tag {
            Some("") => return Err(invalid("empty tag after `:`".to_owned())),
            Some(tag) if !is_tag(tag) => {
                return Err(invalid(format!(
                    "tag `{tag}` must be 1-128 letters, digits, `_`, `.` or `-`, \
                     not starting with `.` or `-`"
                )));
            }
            _ => {}
        }
        let image = Self {
            registry: registry.map(str::to_owned),
            path: path.to_owned(),
            tag: tag.map(str::to_owned),
            digest: digest.map(Digest::parse).transpose()?,
        };
        // reference.go measures the path only, after `library/` is added for Docker Hub.
        if image.normalized_path().len() > NAME_MAX {
            return Err(RefError::NameTooLong);
        }
        Ok(image)
    }

    /// `docker.io/library/python`: implicit registry -> docker.io, single path component on
    /// docker.io -> library/ prefix; `index.docker.io` -> docker.io.
    pub fn normalized_name(&self) -> String {
        format!("{}/{}", self.normalized_registry(), self.normalized_path())
    }

    /// Short name as users write it: `python`, `ghcr.io/ns/app`, `localhost:5000/app`.
    ///
    /// Mirrors `familiarizeName`: Docker Hub loses its host, and `library/` is dropped only
    /// when one component follows it.
    pub fn familiar_name(&self) -> String {
        let registry = self.normalized_registry();
        if registry != DEFAULT_REGISTRY {
            return format!("{registry}/{}", self.path);
        }
        let path = self.normalized_path();
        match path.strip_prefix(OFFICIAL_PREFIX) {
            Some(official) if !official.contains('/') => official.to_owned(),
            _ => path,
        }
    }

    /// True when a well-formed digest is present (any algorithm; see [`Digest`]).
    pub fn is_digest_pinned(&self) -> bool {
        self.digest.as_ref().is_some_and(Digest::is_well_formed)
    }

    fn normalized_registry(&self) -> &str {
        match self.registry.as_deref() {
            None | Some(LEGACY_REGISTRY) => DEFAULT_REGISTRY,
            Some(registry) => registry,
        }
    }

    fn normalized_path(&self) -> String {
        if self.normalized_registry() == DEFAULT_REGISTRY && !self.path.contains('/') {
            format!("{OFFICIAL_PREFIX}{}", self.path)
        } else {
            self.path.clone()
        }
    }
}

/// Renders the reference as parsed: `[registry/]path[:tag][@digest]`.
impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(registry) = &self.registry {
            write!(f, "{registry}/")?;
        }
        f.write_str(&self.path)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn invalid(reason: String) -> RefError {
    RefError::InvalidFormat(reason)
}

/// `splitDockerDomain` from `normalize.go`; the registry is validated later.
fn split_registry(text: &str) -> (Option<&str>, &str) {
    match text.split_once('/') {
        Some((first, rest))
            if first == "localhost"
                || first.contains(['.', ':'])
                || first.chars().any(char::is_uppercase) =>
        {
            (Some(first), rest)
        }
        _ => (None, text),
    }
}

/// `domain := host [':' port]`, host being a DNS-like name, an IPv4 address or `[IPv6]`.
fn is_registry_host(host: &str) -> bool {
    let (host_ok, port) = if let Some(bracketed) = host.strip_prefix('[') {
        let Some((address, after)) = bracketed.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        let ipv6 =
            !address.is_empty() && address.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
        (ipv6, port)
    } else {
        match host.split_once(':') {
            Some((name, port)) => (is_domain_name(name), Some(port)),
            None => (is_domain_name(host), None),
        }
    };
    host_ok && port.is_none_or(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
}

/// `domain-component ('.' domain-component)*`, each `[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?`.
fn is_domain_name(name: &str) -> bool {
    name.split('.').all(|component| {
        !component.is_empty()
            && !component.starts_with('-')
            && !component.ends_with('-')
            && component
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

fn check_path(path: &str) -> Result<(), RefError> {
    if path.is_empty() {
        return Err(invalid("missing repository name".to_owned()));
    }
    match path
        .split('/')
        .find(|component| !is_path_component(component))
    {
        Some("") => Err(invalid(format!("empty path component in `{path}`"))),
        Some(component) => Err(invalid(format!(
            "path component `{component}` must be lowercase letters and digits joined by \
             `.`, `_`, `__` or dashes"
        ))),
        None => Ok(()),
    }
}

/// `[a-z0-9]+ ( ([._] | __ | [-]+) [a-z0-9]+ )*`
fn is_path_component(component: &str) -> bool {
    let (mut dots, mut underscores, mut dashes) = (0_usize, 0_usize, 0_usize);
    let mut started = false;
    for c in component.chars() {
        match c {
            'a'..='z' | '0'..='9' => {
                let separator = (dots, underscores, dashes);
                if separator != (0, 0, 0)
                    && !matches!(separator, (1, 0, 0) | (0, 1 | 2, 0) | (0, 0, 1..))
                {
                    return false;
                }
                (dots, underscores, dashes) = (0, 0, 0);
                started = true;
            }
            _ if !started => return false,
            '.' => dots += 1,
            '_' => underscores += 1,
            '-' => dashes += 1,
            _ => return false,
        }
    }
    started && (dots, underscores, dashes) == (0, 0, 0)
}

/// `[\w][\w.-]{0,127}` where `\w` is `[A-Za-z0-9_]`.
fn is_tag(tag: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    tag.len() <= TAG_MAX
        && chars.next().is_some_and(word)
        && chars.all(|c| word(c) || c == '.' || c == '-')
}

/// `[A-Za-z][A-Za-z0-9]*` components joined by one of `-_+.`.
fn is_algorithm(algorithm: &str) -> bool {
    algorithm.split(['-', '_', '+', '.']).all(|component| {
        let mut chars = component.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric())
    })
}

fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// How mutable a tag is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagClass {
    /// `latest` (case-sensitive as Docker treats tags; `Latest` is a different tag → classify
    /// normally).
    Latest,
    /// A channel or major-only tag that upstream moves: `lts`, `stable`, `3`, `v4`, `18-alpine`.
    Floating(FloatingReason),
    /// Names a specific version, date or build: `3.11.7-slim`, `1.25.3-alpine3.18`, `22.04`,
    /// `20240101`.
    Specific,
}

/// Why a tag is considered floating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatingReason {
    /// A word without a version: `lts`, `stable`, `edge`, `mainline`, `nightly`, `nonroot`,
    /// `alpine`, `slim`, a distro codename (`bookworm`, `jammy`), `stable-alpine3.18`.
    Channel,
    /// Only a major version: `3`, `v4`, `18-alpine`, `3-slim`.
    MajorOnly,
}

impl FloatingReason {
    /// A noun phrase for messages: ``tag `3` is a major-only version tag``.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Channel => "a channel tag",
            Self::MajorOnly => "a major-only version tag",
        }
    }
}

/// Base operating systems whose version, in a tag, names the image's base and not the image:
/// `18-alpine3.18` is Node 18 on Alpine 3.18, and Node 18 moves.
const BASE_SYSTEMS: &[&str] = &[
    "alpine",
    "almalinux",
    "amazonlinux",
    "azurelinux",
    "centos",
    "debian",
    "el",
    "fedora",
    "mariner",
    "nanoserver",
    "ol",
    "oraclelinux",
    "rhel",
    "rocky",
    "rockylinux",
    "sles",
    "ubi",
    "ubuntu",
    "windowsservercore",
];

/// Classifies how mutable `tag` is, knowing nothing of the repository (see
/// [`classify_image_tag`]).
pub fn classify_tag(tag: &str) -> TagClass {
    classify_image_tag("", tag)
}

/// Classifies how mutable `tag` of the repository named `name` (the last path component,
/// `python`) is. This is a heuristic on the text alone; it never asks a registry.
///
/// Only the exact tag `latest` is [`TagClass::Latest`] (tags are case-sensitive, so
/// `Latest` is an ordinary word). Otherwise the tag is split into tokens on `-`, `_` and `+`
/// (a `.` stays inside its token) and it is:
///
/// 1. **Specific** when any token, wherever it stands, carries a full version:
///    - a date or build number: 6 or more digits (`20240101`, `jammy-20240111`), a dashed
///      date (`2024-01-01`), a commit id (7 or more of `[0-9a-f]` with a digit and a letter:
///      `sha-abc1234`), a Java build (`b10`), or a number after `+` (`21+35`);
///    - after any leading letters (`v`, `jdk`, `jax`, `temurin`…), a version with two or more
///      numeric components, `\d+(\.\d+)+` and any suffix (`3.11.7`, `22.04`, `v1.2.3`,
///      `jax0.7.2`, `1.2.3rc1`), or a Java update `\d+u\d+` (`8u342`, `jdk8u292`);
///
///    except that the version of a base system (`alpine3.18`, `ubuntu22.04`, `ubi9.3`) names
///    the base, not the image, unless the repository is that system (`centos:centos7.9.2009`).
/// 2. **Floating, major-only** when the first token is `v?\d+` alone (`3`, `v4`, `18-alpine`,
///    `17-jdk`, `18-alpine3.18`).
/// 3. **Floating, channel** otherwise: words and what they carry (`lts`, `stable`, `edge`,
///    `alpine`, `bookworm-slim`, `lts-alpine`, `stable-alpine3.18`, `nonroot`, `ltsc2022`),
///    and an empty tag.
pub fn classify_image_tag(name: &str, tag: &str) -> TagClass {
    if tag == "latest" {
        return TagClass::Latest;
    }
    let tokens = tag_tokens(tag);
    let Some((first, _)) = tokens.first() else {
        return TagClass::Floating(FloatingReason::Channel);
    };
    let dated = tokens.windows(3).any(|window| match window {
        [(year, _), (month, _), (day, _)] => {
            all_digits(year, 4) && all_digits(month, 2) && all_digits(day, 2)
        }
        _ => false,
    });
    let versioned = tokens.iter().any(|(token, after_plus)| {
        is_build_number(token)
            || is_commit_like(token)
            || is_java_build(token)
            || (*after_plus && token.bytes().all(|b| b.is_ascii_digit()))
            || carries_version(name, token)
    });
    if dated || versioned {
        TagClass::Specific
    } else if is_major_only(first) {
        TagClass::Floating(FloatingReason::MajorOnly)
    } else {
        TagClass::Floating(FloatingReason::Channel)
    }
}

/// The non-empty tokens of a tag, each with whether a `+` stands before it.
fn tag_tokens(tag: &str) -> Vec<(&str, bool)> {
    let mut tokens = Vec::new();
    let mut after_plus = false;
    let mut start = 0;
    for (index, c) in tag.char_indices().chain(std::iter::once((tag.len(), '-'))) {
        if matches!(c, '-' | '_' | '+') {
            if let Some(token) = tag.get(start..index).filter(|t| !t.is_empty()) {
                tokens.push((token, after_plus));
            }
            after_plus = c == '+';
            start = index + 1;
        }
    }
    tokens
}

/// A version after the token's leading letters, unless the letters name a base system other
/// than the repository itself.
fn carries_version(name: &str, token: &str) -> bool {
    let digits_at = token
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(token.len());
    let (letters, rest) = token.split_at(digits_at);
    if !is_version(rest) {
        return false;
    }
    let base = BASE_SYSTEMS
        .iter()
        .any(|system| letters.eq_ignore_ascii_case(system));
    !base || letters.eq_ignore_ascii_case(name)
}

/// `b\d+`: a Java build (`jdk8u292-b10`).
fn is_java_build(token: &str) -> bool {
    token
        .strip_prefix('b')
        .is_some_and(|rest| rest.len() >= 2 && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// Splits `text` into its leading ASCII digits and the rest.
fn leading_digits(text: &str) -> (usize, &str) {
    let rest = text.trim_start_matches(|c: char| c.is_ascii_digit());
    (text.len() - rest.len(), rest)
}

fn all_digits(token: &str, len: usize) -> bool {
    token.len() == len && token.bytes().all(|b| b.is_ascii_digit())
}

fn is_build_number(token: &str) -> bool {
    token.len() >= 6 && token.bytes().all(|b| b.is_ascii_digit())
}

fn is_commit_like(token: &str) -> bool {
    token.len() >= 7
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && token.bytes().any(|b| b.is_ascii_digit())
        && token.bytes().any(|b| b.is_ascii_alphabetic())
}

/// `\d+(\.\d+)+…` or `\d+u\d+…`.
fn is_version(token: &str) -> bool {
    let (major, rest) = leading_digits(token);
    if major == 0 {
        return false;
    }
    let next = rest.strip_prefix('.').or_else(|| rest.strip_prefix('u'));
    next.is_some_and(|next| leading_digits(next).0 > 0)
}

/// `v?\d+` and nothing else.
fn is_major_only(token: &str) -> bool {
    let (major, rest) = leading_digits(token.strip_prefix('v').unwrap_or(token));
    major > 0 && rest.is_empty()
}

#[cfg(test)]
#[path = "refs/tests.rs"]
mod tests;
