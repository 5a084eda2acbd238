//! The baseline file (`--write-baseline FILE`, `--baseline FILE`): today's findings by a
//! line-independent identity, so tomorrow's scan can tell the findings it already knew.
//!
//! A finding's identity is its rule id and a hash of its whitespace-normalised matched text
//! (never the text: the file is committed to the repository, and a matched text could hold a
//! secret), counted per path. Matching is a multiset: a finding takes an entry of its own
//! key at its own path first, then one at a path no longer scanned (its file was moved or
//! renamed). Inserting lines changes no identity; a copy of a finding into a new file, or one
//! more of the same in a file, is new.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::baseline::BaselineError;
use crate::model::finding::Finding;

/// The version this build writes and reads. Fields are only ever added; a change that an
/// older reader would misread bumps it.
pub const VERSION: u32 = 1;

/// The largest baseline read (a hostile or corrupt file must not exhaust memory).
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// Domain separation for the hash of a matched text.
const HASH_DOMAIN: &[u8] = b"pinwarden-baseline/v1\0";

/// Hex digits of the SHA-256 kept (128 bits).
const HASH_HEX_DIGITS: usize = 32;

/// The file as written: `{"version": 1, "tool": "pinwarden", "findings": [...]}`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    tool: String,
    /// Sorted by (path, rule, hash): a re-written baseline diffs cleanly.
    findings: Vec<Entry>,
}

/// Only the version, read first so a newer file gets a clear message, not a field error.
#[derive(Deserialize)]
struct VersionProbe {
    version: Option<serde_json::Value>,
}

/// `count` findings of `rule` whose matched text hashes to `hash` at `path`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    rule: String,
    hash: String,
    count: usize,
}

/// A loaded baseline: for each (rule id, text hash), how many findings at which path.
#[derive(Debug, Default)]
pub struct Baseline {
    entries: BTreeMap<(String, String), BTreeMap<String, usize>>,
}

/// The identity of a finding in a baseline: (rule id, hash of its normalised matched text).
fn key(finding: &Finding) -> (String, String) {
    let text: Vec<&str> = finding.primary.text().split_whitespace().collect();
    let mut hasher = Sha256::new();
    hasher.update(HASH_DOMAIN);
    hasher.update(text.join(" ").as_bytes());
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let hash = hex.get(..HASH_HEX_DIGITS).unwrap_or(&hex).to_owned();
    (finding.rule.id.to_owned(), hash)
}

impl Baseline {
    /// The baseline of `findings` (every one, suppressed or not: a suppression removed later
    /// should not turn a known finding into a new one).
    pub fn from_findings(findings: &[Finding]) -> Self {
        let mut baseline = Self::default();
        for finding in findings {
            *baseline
                .entries
                .entry(key(finding))
                .or_default()
                .entry(finding.primary.source.path().to_owned())
                .or_insert(0) += 1;
        }
        baseline
    }

    /// How many findings the baseline records.
    pub fn len(&self) -> usize {
        self.entries.values().flat_map(BTreeMap::values).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Write the versioned JSON to `out`.
    pub fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut findings: Vec<Entry> = self
            .entries
            .iter()
            .flat_map(|((rule, hash), paths)| {
                paths.iter().map(|(path, count)| Entry {
                    path: path.clone(),
                    rule: rule.clone(),
                    hash: hash.clone(),
                    count: *count,
                })
            })
            .collect();
        findings.sort();
        let file = BaselineFile {
            version: VERSION,
            tool: "pinwarden".to_owned(),
            findings,
        };
        serde_json::to_writer_pretty(&mut *out, &file).map_err(io::Error::other)?;
        writeln!(out)
    }

    /// Write the baseline to `path` (a new file renamed over it: never through a link).
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        crate::write::write_report(path, |out| self.render(out)).map_err(|source| {
            BaselineError::Write {
                path: path.display().to_string(),
                source,
            }
        })
    }

    /// Read a baseline written by `--write-baseline` (bounded, a regular file, not through
    /// a final symbolic link).
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let shown = path.display().to_string();
        let bytes = crate::read::read_bounded(path, MAX_BASELINE_BYTES).map_err(|source| {
            BaselineError::Read {
                path: shown.clone(),
                source,
            }
        })?;
        Self::parse(&bytes).map_err(|reason| BaselineError::Invalid {
            path: shown,
            reason,
        })
    }

    /// Parse the JSON of a baseline file; the error says why it is not one this build reads.
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        let probe: VersionProbe = serde_json::from_slice(bytes)
            .map_err(|error| format!("not a pinwarden baseline (invalid JSON: {error})"))?;
        match probe.version {
            Some(serde_json::Value::Number(number)) if number.as_u64() == Some(VERSION.into()) => {}
            Some(serde_json::Value::Number(number)) => {
                return Err(format!(
                    "baseline version {number} is not supported: this pinwarden reads version \
                     {VERSION}"
                ));
            }
            Some(_) => return Err("`version` is not a number".to_owned()),
            None => return Err("not a pinwarden baseline (no `version`)".to_owned()),
        }
        let file: BaselineFile = serde_json::from_slice(bytes)
            .map_err(|error| format!("not a pinwarden baseline: {error}"))?;
        if file.tool != "pinwarden" {
            return Err(format!(
                "written by `{}`, not pinwarden",
                file.tool.chars().take(40).collect::<String>()
            ));
        }
        let mut baseline = Self::default();
        for entry in file.findings {
            let valid_hash = entry.hash.len() == HASH_HEX_DIGITS
                && entry.hash.bytes().all(|byte| byte.is_ascii_hexdigit());
            if !valid_hash {
                return Err(format!(
                    "entry for `{}` has a malformed `hash` (expected {HASH_HEX_DIGITS} hex digits)",
                    entry.path.chars().take(200).collect::<String>()
                ));
            }
            let count = baseline
                .entries
                .entry((entry.rule, entry.hash.to_ascii_lowercase()))
                .or_default()
                .entry(entry.path)
                .or_insert(0);
            *count = count.saturating_add(entry.count);
        }
        Ok(baseline)
    }

    /// Which of `findings` (sorted) the baseline holds. `scanned` is every path this scan
    /// looked at: an entry at a path outside it belongs to a file that was moved or renamed,
    /// and any finding of the same key may take it.
    pub fn matches(&self, findings: &[Finding], scanned: &BTreeSet<String>) -> Vec<bool> {
        let mut remaining = self.entries.clone();
        let keys: Vec<(String, String)> = findings.iter().map(key).collect();
        let mut matched = vec![false; findings.len()];
        // First pass: the same key at the same path.
        for ((finding, key), matched) in findings.iter().zip(&keys).zip(matched.iter_mut()) {
            let path = finding.primary.source.path();
            if let Some(count) = remaining
                .get_mut(key)
                .and_then(|paths| paths.get_mut(path))
                .filter(|count| **count > 0)
            {
                *count -= 1;
                *matched = true;
            }
        }
        // Second pass: the same key at a path this scan did not see (the file moved).
        for (key, matched) in keys.iter().zip(matched.iter_mut()) {
            if *matched {
                continue;
            }
            let Some(paths) = remaining.get_mut(key) else {
                continue;
            };
            if let Some((_, count)) = paths
                .iter_mut()
                .find(|(path, count)| **count > 0 && !scanned.contains(path.as_str()))
            {
                *count -= 1;
                *matched = true;
            }
        }
        matched
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::location::{Location, Span};
    use crate::model::rule::RuleMeta;
    use crate::model::source::SourceFile;

    fn meta(id: &'static str) -> &'static RuleMeta {
        crate::rules::metas()
            .find(|rule| rule.id == id)
            .expect("rule exists")
    }

    /// One finding per occurrence of `needle` in `text`, at `path`.
    fn findings(path: &str, text: &str, needle: &str, rule: &'static str) -> Vec<Finding> {
        let source = Arc::new(SourceFile::new(path, text));
        text.match_indices(needle)
            .map(|(at, _)| {
                Finding::new(
                    meta(rule),
                    Location::new(Arc::clone(&source), Span::new(at, at + needle.len())),
                    "m",
                )
            })
            .collect()
    }

    fn scanned(paths: &[&str]) -> BTreeSet<String> {
        paths.iter().map(|path| (*path).to_owned()).collect()
    }

    fn round_trip(baseline: &Baseline) -> Baseline {
        let mut out = Vec::new();
        baseline.render(&mut out).unwrap();
        Baseline::parse(&out).unwrap()
    }

    #[test]
    fn inserted_lines_keep_findings_known() {
        let before = findings("Dockerfile", "FROM a:latest\n", "a:latest", "PW101");
        let baseline = round_trip(&Baseline::from_findings(&before));
        // Two lines inserted above, and one more finding below.
        let text = "# new\n\nFROM a:latest\nFROM b:latest\n";
        let mut after = findings("Dockerfile", text, "a:latest", "PW101");
        after.extend(findings("Dockerfile", text, "b:latest", "PW101"));
        assert_eq!(
            baseline.matches(&after, &scanned(&["Dockerfile"])),
            [true, false]
        );
    }

    #[test]
    fn whitespace_is_normalised() {
        let before = findings("k.yaml", "image: a   b\n", "a   b", "PW102");
        let after = findings("k.yaml", "x\nimage: a b\n", "a b", "PW102");
        let baseline = Baseline::from_findings(&before);
        assert_eq!(baseline.matches(&after, &scanned(&["k.yaml"])), [true]);
    }

    #[test]
    fn a_moved_file_keeps_its_findings_but_a_copy_is_new() {
        let before = findings("old/Dockerfile", "FROM a:latest\n", "a:latest", "PW101");
        let baseline = round_trip(&Baseline::from_findings(&before));
        let moved = findings("new/Dockerfile", "FROM a:latest\n", "a:latest", "PW101");
        // old/Dockerfile is gone: the entry moves with the file.
        assert_eq!(
            baseline.matches(&moved, &scanned(&["new/Dockerfile"])),
            [true]
        );
        // old/Dockerfile is still there: the one in new/ is a copy, so new.
        let mut both = findings("new/Dockerfile", "FROM a:latest\n", "a:latest", "PW101");
        both.extend(before);
        assert_eq!(
            baseline.matches(&both, &scanned(&["new/Dockerfile", "old/Dockerfile"])),
            [false, true]
        );
    }

    #[test]
    fn counts_are_a_multiset() {
        let text = "FROM a:latest\nFROM a:latest\n";
        let before = findings("Dockerfile", text, "a:latest", "PW101");
        let baseline = round_trip(&Baseline::from_findings(&before));
        assert_eq!(baseline.len(), 2);
        let three = findings(
            "Dockerfile",
            &format!("{text}FROM a:latest\n"),
            "a:latest",
            "PW101",
        );
        assert_eq!(
            baseline.matches(&three, &scanned(&["Dockerfile"])),
            [true, true, false]
        );
        // The same text under another rule is another finding.
        let other = findings("Dockerfile", text, "a:latest", "PW102");
        assert_eq!(
            baseline.matches(&other, &scanned(&["Dockerfile"])),
            [false, false]
        );
    }

    #[test]
    fn the_file_holds_no_matched_text() {
        let secret = "hunter2-correct-horse";
        let before = findings(
            "x/.env",
            &format!("DB_PASSWORD={secret}\n"),
            secret,
            "PW403",
        );
        let mut out = Vec::new();
        Baseline::from_findings(&before).render(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("\"version\": 1"), "{text}");
        assert!(text.contains("\"path\": \"x/.env\""), "{text}");
    }

    #[test]
    fn bad_files_say_why() {
        // (file, what the message says)
        let cases = [
            ("", "invalid JSON"),
            ("[]", "invalid JSON"),
            ("{}", "no `version`"),
            ("{\"version\": \"1\"}", "`version` is not a number"),
            (
                "{\"version\": 2, \"tool\": \"pinwarden\", \"findings\": []}",
                "baseline version 2 is not supported: this pinwarden reads version 1",
            ),
            ("{\"version\": 1}", "missing field"),
            (
                "{\"version\": 1, \"tool\": \"pinwarden\", \"findings\": [], \"x\": 1}",
                "unknown field `x`",
            ),
            (
                "{\"version\": 1, \"tool\": \"other\", \"findings\": []}",
                "written by `other`",
            ),
            (
                "{\"version\": 1, \"tool\": \"pinwarden\", \"findings\": [{\"path\": \"D\", \
                 \"rule\": \"PW101\", \"hash\": \"zz\", \"count\": 1}]}",
                "malformed `hash`",
            ),
        ];
        for (text, expected) in cases {
            let error = Baseline::parse(text.as_bytes()).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
