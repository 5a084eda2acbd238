//! `--exclude GLOB`: the explicit way to leave paths out of a scan (ignore files a pull
//! request can add are not honoured).
//!
//! A pattern is matched against each file's path relative to its scan root, `/`-separated,
//! and against every directory above it, so `vendor` or `vendor/**` leaves out a whole
//! directory. As in `.gitignore`, a pattern without `/` matches at any depth (`*.generated.yaml`,
//! `testdata`), a leading `/` anchors it to the root, and `*` does not cross `/` (`**` does).

use std::path::{Component, Path};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::DiscoverError;

/// The compiled `--exclude` patterns.
#[derive(Clone, Debug, Default)]
pub struct Excludes {
    set: Option<GlobSet>,
}

impl Excludes {
    /// Compile `patterns`; an invalid pattern is a usage error naming it.
    pub fn new(patterns: &[String]) -> Result<Self, DiscoverError> {
        if patterns.is_empty() {
            return Ok(Self::default());
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let trimmed = pattern.trim().trim_end_matches('/');
            let anchored = match trimmed.strip_prefix('/') {
                Some(rest) => rest.to_owned(),
                None if trimmed.contains('/') => trimmed.to_owned(),
                None => format!("**/{trimmed}"),
            };
            let glob = GlobBuilder::new(&anchored)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|source| DiscoverError::Exclude {
                    pattern: pattern.clone(),
                    source,
                })?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|source| DiscoverError::Exclude {
            pattern: patterns.join(" "),
            source,
        })?;
        Ok(Self { set: Some(set) })
    }

    /// Is the root-relative `path`, or a directory above it, excluded?
    pub fn is_excluded(&self, path: &Path) -> bool {
        let Some(set) = &self.set else {
            return false;
        };
        let mut prefix = String::new();
        for component in path.components() {
            let Component::Normal(name) = component else {
                continue;
            };
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(&name.to_string_lossy());
            if set.is_match(&prefix) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_like_gitignore() {
        let excludes = Excludes::new(&[
            "vendor".to_owned(),
            "/deploy/old/".to_owned(),
            "*.generated.yaml".to_owned(),
            "docs/*/Dockerfile".to_owned(),
        ])
        .unwrap();
        // (path, excluded)
        let cases = [
            ("vendor/x/Dockerfile", true),
            ("a/vendor/Dockerfile", true),
            ("deploy/old/compose.yaml", true),
            ("x/deploy/old/compose.yaml", false), // anchored
            ("k8s/app.generated.yaml", true),
            ("docs/a/Dockerfile", true),
            ("docs/a/b/Dockerfile", false), // `*` does not cross `/`
            ("Dockerfile", false),
            ("vendored/Dockerfile", false),
        ];
        for (path, expected) in cases {
            assert_eq!(excludes.is_excluded(Path::new(path)), expected, "{path}");
        }
        assert!(!Excludes::default().is_excluded(Path::new("vendor/Dockerfile")));
    }

    #[test]
    fn a_bad_pattern_is_named() {
        let error = Excludes::new(&["a[".to_owned()]).unwrap_err().to_string();
        assert!(error.contains("`a[`"), "{error}");
    }
}
