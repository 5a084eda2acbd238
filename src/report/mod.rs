//! Output formats. Every format renders the same [`Report`] to a `&mut dyn Write`; the
//! mapping from levels to a format's vocabulary lives in that format's module.

pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::include::IncludedSarif;
use crate::model::finding::Finding;
use crate::model::level::{Level, PinPolicy};
use crate::model::location::{Location, Position};

/// An output format of `scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// rustc-style diagnostics with the source line and a caret.
    Text,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// pinwarden's versioned JSON (schema version 1).
    Json,
    /// GitHub workflow commands (`::error file=…`), for inline annotations.
    Github,
    /// A markdown summary, for `$GITHUB_STEP_SUMMARY`.
    Markdown,
}

/// Something about the scan itself (a file skipped or unreadable), not a policy finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Notification {
    pub path: String,
    pub level: Level,
    pub message: String,
}

/// Counts of findings by level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    pub fn add(&mut self, level: Level) {
        match level {
            Level::Error => self.errors += 1,
            Level::Warning => self.warnings += 1,
            Level::Note => self.notes += 1,
        }
    }

    pub const fn total(&self) -> usize {
        self.errors + self.warnings + self.notes
    }
}

/// A finished scan, ready to render: findings sorted by (path, position, rule id).
#[derive(Debug)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Stable fingerprint of each finding (same index), see [`fingerprints`].
    pub fingerprints: Vec<String>,
    pub notifications: Vec<Notification>,
    pub files_scanned: usize,
    pub policy: PinPolicy,
    /// `file://` URI of the directory display paths are relative to (SARIF `%SRCROOT%`).
    pub root_uri: Option<String>,
    /// Other tools' results (`--include-sarif`): in the gate, counts and summaries, never in
    /// pinwarden's own SARIF log.
    pub included: Vec<IncludedSarif>,
}

impl Report {
    /// Sort findings and notifications deterministically and fingerprint the findings.
    pub fn new(
        mut findings: Vec<Finding>,
        mut notifications: Vec<Notification>,
        files_scanned: usize,
        policy: PinPolicy,
        root_uri: Option<String>,
    ) -> Self {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        notifications.sort();
        let fingerprints = fingerprints(&findings);
        Self {
            findings,
            fingerprints,
            notifications,
            files_scanned,
            policy,
            root_uri,
            included: Vec::new(),
        }
    }

    /// pinwarden's own findings by level.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for finding in &self.findings {
            counts.add(finding.level);
        }
        counts
    }

    /// One included file's results by level.
    pub fn included_counts(included: &IncludedSarif) -> Counts {
        let mut counts = Counts::default();
        for result in &included.results {
            counts.add(result.level);
        }
        counts
    }

    /// Every level the gate sees: pinwarden's findings, then included results.
    pub fn levels(&self) -> impl Iterator<Item = Level> + '_ {
        self.findings.iter().map(|finding| finding.level).chain(
            self.included
                .iter()
                .flat_map(|included| included.results.iter().map(|result| result.level)),
        )
    }

    /// Counts over pinwarden's findings and every included result.
    pub fn total_counts(&self) -> Counts {
        let mut counts = Counts::default();
        for level in self.levels() {
            counts.add(level);
        }
        counts
    }
}

/// One fingerprint per finding: FNV-1a over (rule id, path, normalized matched text, ordinal
/// among identical keys). No line numbers, so inserting unrelated lines keeps it stable.
pub fn fingerprints(findings: &[Finding]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    findings
        .iter()
        .map(|finding| {
            let key = finding.fingerprint_key();
            let ordinal = seen.entry(key.clone()).or_insert(0);
            *ordinal += 1;
            format!("{:016x}", fnv1a(format!("{key}\u{0}{ordinal}").as_bytes()))
        })
        .collect()
}

/// FNV-1a, 64 bit: tiny, stable across platforms and releases (unlike `std`'s hasher).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Start and end positions of a location. An empty span is widened to the rest of its line
/// (a parse error "at" a point still gets a visible region).
pub fn region(location: &Location) -> (Position, Position) {
    let source = &location.source;
    let start = source.position(location.span.start);
    if !location.span.is_empty() {
        return (start, source.position(location.span.end));
    }
    let line = source.line_text(start.line);
    let rest = line
        .char_indices()
        .nth(start.column.saturating_sub(1))
        .map_or("", |(index, _)| line.get(index..).unwrap_or(""));
    let end = Position {
        line: start.line,
        column: start.column + rest.chars().count(),
        utf16_column: start.utf16_column + rest.encode_utf16().count(),
    };
    (start, end)
}

/// Render `report` as `format`.
pub fn render(report: &Report, format: Format, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::render(report, color, out),
        Format::Sarif => sarif::render(report, out),
        Format::Json => json::render(report, out),
        Format::Github => github::render(report, out),
        Format::Markdown => markdown::render(report, out),
    }
}
