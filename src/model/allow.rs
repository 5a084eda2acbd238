//! Allow-lists of the config file (`allow:`): image, action and package patterns that are
//! never flagged for pinning.
//!
//! - An image pattern is a glob over the repository (`scratch`, `registry.internal/*`), with an
//!   optional tag glob after the last `:` of the last path segment (`mcr.microsoft.com/dotnet/*:8.0`).
//!   It matches the name as written and as Docker normalizes it (`python` is also
//!   `docker.io/library/python`). A pattern with a tag never matches an untagged reference.
//! - An action pattern is a glob over `owner/repo[/path]`, with an optional ref glob after `@`
//!   (`my-org/*`, `actions/*@v*`).
//! - A package pattern is a glob over the package name, optionally prefixed by its manager
//!   (`apt:ca-certificates`, `pip:internal-*`, `curl` for every manager).
//!
//! `*` matches any characters, `/` included; `?`, `[…]` and `{a,b}` work as in globs.

use globset::{Glob, GlobBuilder, GlobMatcher};

use crate::model::refs::ImageRef;

/// The package managers a package pattern can name, with the rule each one's findings come
/// from.
pub const PACKAGE_MANAGERS: &[(&str, &str)] = &[
    ("apt", "PW301"),
    ("apk", "PW302"),
    ("rpm", "PW303"),
    ("pip", "PW304"),
    ("npm", "PW305"),
    ("gem", "PW306"),
    ("go", "PW307"),
    ("cargo", "PW309"),
];

/// Why a pattern is not usable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(pub String);

/// One allow-list entry.
#[derive(Clone, Debug)]
pub struct AllowEntry<P> {
    pub pattern: P,
    /// The pattern as written.
    pub text: String,
    pub reason: Option<String>,
}

/// Every allow-list of the config file.
#[derive(Clone, Debug, Default)]
pub struct Allow {
    pub images: Vec<AllowEntry<ImagePattern>>,
    pub actions: Vec<AllowEntry<ActionPattern>>,
    pub packages: Vec<AllowEntry<PackagePattern>>,
}

impl Allow {
    pub fn is_empty(&self) -> bool {
        self.images.is_empty() && self.actions.is_empty() && self.packages.is_empty()
    }

    /// Is the image `text` (a reference as written or resolved) allowed?
    pub fn image(&self, text: &str) -> bool {
        !self.images.is_empty()
            && self
                .images
                .iter()
                .any(|entry| entry.pattern.matches(text.trim()))
    }

    /// Is the action `owner/repo[/path]` at `git_ref` allowed?
    pub fn action(&self, name: &str, git_ref: &str) -> bool {
        self.actions
            .iter()
            .any(|entry| entry.pattern.matches(name, git_ref))
    }

    /// Is the package written as `word` (`flask==2.0`, `curl=7.*`, `@scope/pkg@1`) installed
    /// by the rule `rule_id` allowed?
    pub fn package(&self, rule_id: &str, word: &str) -> bool {
        let Some(manager) = PACKAGE_MANAGERS
            .iter()
            .find(|(_, id)| *id == rule_id)
            .map(|(manager, _)| *manager)
        else {
            return false;
        };
        let name = package_name(manager, word);
        self.packages
            .iter()
            .any(|entry| entry.pattern.matches(manager, name))
    }
}

fn glob(text: &str) -> Result<GlobMatcher, PatternError> {
    glob_with(text, false)
}

fn glob_with(text: &str, case_insensitive: bool) -> Result<GlobMatcher, PatternError> {
    GlobBuilder::new(text)
        .literal_separator(false)
        .case_insensitive(case_insensitive)
        .backslash_escape(true)
        .build()
        .map(|glob: Glob| glob.compile_matcher())
        .map_err(|error| PatternError(error.kind().to_string()))
}

/// An image pattern: repository glob and optional tag glob.
#[derive(Clone, Debug)]
pub struct ImagePattern {
    name: GlobMatcher,
    tag: Option<GlobMatcher>,
}

impl ImagePattern {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PatternError("an empty pattern".to_owned()));
        }
        if text.contains('@') {
            return Err(PatternError(
                "a digest in an image pattern: a digest-pinned image is never flagged".to_owned(),
            ));
        }
        let last_segment = text.rfind('/').map_or(0, |slash| slash + 1);
        let (name, tag) = match text.get(last_segment..).and_then(|last| last.rfind(':')) {
            Some(colon) => {
                let at = last_segment + colon;
                (
                    text.get(..at).unwrap_or(text),
                    Some(text.get(at + 1..).unwrap_or("")),
                )
            }
            None => (text, None),
        };
        if tag.is_some_and(str::is_empty) {
            return Err(PatternError("an empty tag after `:`".to_owned()));
        }
        Ok(Self {
            name: glob(name)?,
            tag: tag.map(glob).transpose()?,
        })
    }

    /// Does the reference `text` match?
    pub fn matches(&self, text: &str) -> bool {
        let (names, tag) = match ImageRef::parse(text) {
            Ok(reference) => {
                let written = match &reference.registry {
                    Some(registry) => format!("{registry}/{}", reference.path),
                    None => reference.path.clone(),
                };
                let normalized = reference.normalized_name();
                // An official image by its short name too (`docker.io/library/python` is
                // `python`); other Docker Hub names keep their namespace.
                let official = normalized
                    .strip_prefix("docker.io/library/")
                    .map(str::to_owned);
                let mut names = vec![written, normalized];
                names.extend(official);
                (names, reference.tag.clone())
            }
            // An unresolved or invalid reference: its text up to the tag.
            Err(_) => {
                let without_digest = text.split('@').next().unwrap_or(text);
                let last_segment = without_digest.rfind('/').map_or(0, |slash| slash + 1);
                match without_digest
                    .get(last_segment..)
                    .and_then(|last| last.rfind(':'))
                {
                    Some(colon) => {
                        let at = last_segment + colon;
                        (
                            vec![without_digest.get(..at).unwrap_or("").to_owned()],
                            without_digest.get(at + 1..).map(str::to_owned),
                        )
                    }
                    None => (vec![without_digest.to_owned()], None),
                }
            }
        };
        let tag_ok = match (&self.tag, &tag) {
            (None, _) => true,
            (Some(pattern), Some(tag)) => pattern.is_match(tag),
            (Some(_), None) => false,
        };
        tag_ok && names.iter().any(|name| self.name.is_match(name))
    }
}

/// An action pattern: `owner/repo[/path]` glob and optional ref glob.
#[derive(Clone, Debug)]
pub struct ActionPattern {
    name: GlobMatcher,
    git_ref: Option<GlobMatcher>,
}

impl ActionPattern {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let text = text.trim();
        let (name, git_ref) = match text.split_once('@') {
            Some((name, git_ref)) => (name, Some(git_ref)),
            None => (text, None),
        };
        if name.is_empty() {
            return Err(PatternError("an empty action name".to_owned()));
        }
        if git_ref.is_some_and(str::is_empty) {
            return Err(PatternError("an empty ref after `@`".to_owned()));
        }
        Ok(Self {
            // GitHub compares owners and repositories case-insensitively.
            name: glob_with(name, true)?,
            git_ref: git_ref.map(glob).transpose()?,
        })
    }

    pub fn matches(&self, name: &str, git_ref: &str) -> bool {
        self.name.is_match(name)
            && self
                .git_ref
                .as_ref()
                .is_none_or(|pattern| pattern.is_match(git_ref))
    }
}

/// A package pattern: optional manager and a name glob.
#[derive(Clone, Debug)]
pub struct PackagePattern {
    manager: Option<&'static str>,
    name: GlobMatcher,
}

impl PackagePattern {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let text = text.trim();
        let (manager, name) = match text.split_once(':') {
            Some((manager, name)) => {
                let known = PACKAGE_MANAGERS
                    .iter()
                    .find(|(known, _)| known.eq_ignore_ascii_case(manager))
                    .map(|(known, _)| *known)
                    .ok_or_else(|| {
                        let managers: Vec<&str> =
                            PACKAGE_MANAGERS.iter().map(|(name, _)| *name).collect();
                        PatternError(format!(
                            "unknown package manager `{manager}`; expected one of {}",
                            managers.join(", ")
                        ))
                    })?;
                (Some(known), name)
            }
            None => (None, text),
        };
        if name.is_empty() {
            return Err(PatternError("an empty package name".to_owned()));
        }
        Ok(Self {
            manager,
            name: glob(name)?,
        })
    }

    pub fn matches(&self, manager: &str, name: &str) -> bool {
        self.manager.is_none_or(|wanted| wanted == manager) && self.name.is_match(name)
    }
}

/// The package name in a word as a manager takes it: without version, extras, suite or
/// architecture (`flask[async]==2.0` is `flask`, `curl=7.*` and `curl/bookworm` are `curl`,
/// `@scope/pkg@1` is `@scope/pkg`, `golang.org/x/tools/cmd/x@v0.1.0` is the module path).
pub fn package_name<'a>(manager: &str, word: &'a str) -> &'a str {
    let word = word.trim_matches(['"', '\'']);
    let end = match manager {
        "npm" => {
            // `@scope/name@version`: the version's `@` is not the first character.
            word.get(1..)
                .and_then(|rest| rest.find('@'))
                .map_or(word.len(), |at| at + 1)
        }
        "go" => word.find('@').unwrap_or(word.len()),
        "apt" => word.find(['=', '/', ':']).unwrap_or(word.len()),
        "apk" => word.find(['=', '<', '>', '~']).unwrap_or(word.len()),
        "cargo" => word.find('@').unwrap_or(word.len()),
        _ => word
            .find(['=', '<', '>', '!', '~', '[', ';', ' ', '@'])
            .unwrap_or(word.len()),
    };
    word.get(..end).unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(pattern: &str, text: &str) -> bool {
        ImagePattern::parse(pattern).is_ok_and(|pattern| pattern.matches(text))
    }

    #[test]
    fn image_patterns() {
        // (pattern, reference, matches)
        let cases = [
            ("scratch", "scratch", true),
            ("registry.internal/*", "registry.internal/team/app:1", true),
            ("registry.internal/*", "registry.internal:5000/app:1", false),
            (
                "registry.internal/*",
                "docker.io/registry.internal/app",
                false,
            ),
            (
                "mcr.microsoft.com/dotnet/*:8.0",
                "mcr.microsoft.com/dotnet/sdk:8.0",
                true,
            ),
            (
                "mcr.microsoft.com/dotnet/*:8.0",
                "mcr.microsoft.com/dotnet/sdk:9.0",
                false,
            ),
            (
                "mcr.microsoft.com/dotnet/*:8.0",
                "mcr.microsoft.com/dotnet/sdk",
                false,
            ),
            ("python", "python:latest", true),
            ("python", "docker.io/library/python:3", true),
            ("docker.io/library/python", "python", true),
            ("python", "pythonista", false),
            ("localhost:5000/*", "localhost:5000/app", true),
            ("app:1.*", "app:1.2", true),
            ("app:1.*", "app:2.0", false),
            ("registry.internal/*", "registry.internal/app:${TAG}", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(image(pattern, text), expected, "{pattern} {text}");
        }
        assert!(ImagePattern::parse("app@sha256:abc").is_err());
        assert!(ImagePattern::parse("app:").is_err());
        assert!(ImagePattern::parse("a[").is_err());
    }

    #[test]
    fn action_patterns() {
        let cases = [
            ("my-org/*", "my-org/tool", "main", true),
            ("my-org/*", "My-Org/tool/sub", "main", true),
            ("my-org/*", "other/tool", "main", false),
            ("actions/*@v*", "actions/checkout", "v4", true),
            ("actions/*@v*", "actions/checkout", "main", false),
        ];
        for (pattern, name, git_ref, expected) in cases {
            let pattern = ActionPattern::parse(pattern).unwrap();
            assert_eq!(pattern.matches(name, git_ref), expected, "{name}@{git_ref}");
        }
        assert!(ActionPattern::parse("@v1").is_err());
        assert!(ActionPattern::parse("a/b@").is_err());
    }

    #[test]
    fn package_patterns_and_names() {
        let names = [
            ("pip", "flask[async]==2.0", "flask"),
            ("pip", "'requests>=2'", "requests"),
            ("apt", "curl=7.*", "curl"),
            ("apt", "curl/bookworm", "curl"),
            ("npm", "@scope/pkg@1.2.3", "@scope/pkg"),
            ("npm", "left-pad@1", "left-pad"),
            (
                "go",
                "golang.org/x/tools/cmd/goimports@latest",
                "golang.org/x/tools/cmd/goimports",
            ),
            ("cargo", "ripgrep@14.1.0", "ripgrep"),
            ("apk", "curl~8", "curl"),
        ];
        for (manager, word, name) in names {
            assert_eq!(package_name(manager, word), name, "{word}");
        }
        let mut allow = Allow::default();
        for text in ["apt:ca-certificates", "internal-*"] {
            allow.packages.push(AllowEntry {
                pattern: PackagePattern::parse(text).unwrap(),
                text: text.to_owned(),
                reason: None,
            });
        }
        assert!(allow.package("PW301", "ca-certificates"));
        assert!(!allow.package("PW304", "ca-certificates"));
        assert!(allow.package("PW304", "internal-lib==1"));
        assert!(!allow.package("PW308", "internal-lib"));
        assert!(PackagePattern::parse("brew:x").is_err());
    }
}
