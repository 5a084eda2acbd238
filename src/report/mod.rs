//! Output formats. Every format renders the same [`Report`] to a `&mut dyn Write`; the
//! mapping from levels to a format's vocabulary lives in that format's module.

pub mod escape;
pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use rayon::prelude::*;

use crate::model::external::IncludedSarif;
use crate::model::finding::Finding;
use crate::model::level::{Level, Policies};
use crate::model::location::{Location, Position};
use crate::model::secret::{self, SecretValues};
use crate::model::source::SourceFile;

/// Findings reported per file; past it the most severe are kept and one notification says
/// how many were left out (the gate and the counts still see every finding). A 300 KB file
/// of `FROM x:latest` lines would otherwise be 10 000 results.
pub const MAX_FINDINGS_PER_FILE: usize = 500;

/// Longest backtick-quoted value in a message or label; longer ones are cut in the middle.
pub const MAX_QUOTED_CHARS: usize = 200;

/// Longest message or label.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// Related locations shown per finding.
pub const MAX_RELATED: usize = 20;

/// Longest snippet or echoed source line, in characters; longer ones are a window around the
/// span, marked as cut.
pub const MAX_SNIPPET_CHARS: usize = 240;

/// Lines of a multi-line span shown as context.
pub const MAX_CONTEXT_LINES: usize = 5;

/// What marks text that was cut.
pub const CUT: &str = "…";

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
    pub policy: Policies,
    /// `file://` URI of the directory display paths are relative to (SARIF `%SRCROOT%`).
    pub root_uri: Option<String>,
    /// Other tools' results (`--include-sarif`): in the gate, counts and summaries, never in
    /// pinwarden's own SARIF log.
    pub included: Vec<IncludedSarif>,
    /// Findings not in `findings` (over [`MAX_FINDINGS_PER_FILE`]) that count for the gate,
    /// by level: the gate and the totals count them.
    pub left_out: Counts,
    /// Findings that existed before (`--baseline`, `--new-since`) and are not suppressed:
    /// reported, but not counted by the gate. Those left out included.
    pub pre_existing: usize,
    /// What "pre-existing" means in this scan (``in the baseline `b.json` ``), when a
    /// baseline or a ref was given: the summaries then say how many were.
    pub compared_with: Option<String>,
    /// Suppressed findings not in `findings` (over [`MAX_FINDINGS_PER_FILE`]).
    pub left_out_suppressed: usize,
    /// Text output also shows suppressed findings (`--show-suppressed`); the other formats
    /// always carry them (SARIF `suppressions`, JSON `suppression`) or always skip them.
    pub show_suppressed: bool,
    /// Secret values to mask wherever text is shown.
    secrets: SecretValues,
}

impl Report {
    /// Sort findings and notifications deterministically and fingerprint the findings.
    pub fn new(
        mut findings: Vec<Finding>,
        notifications: Vec<Notification>,
        files_scanned: usize,
        policy: Policies,
        root_uri: Option<String>,
    ) -> Self {
        findings.sort_by(Finding::report_order);
        let pre_existing = findings
            .iter()
            .filter(|finding| {
                finding.suppression.is_none()
                    && finding.baseline == Some(crate::model::finding::BaselineState::Unchanged)
            })
            .count();
        // Over all findings, so a finding keeps its fingerprint whether or not others in its
        // file are left out.
        let all_fingerprints = fingerprints(&findings);
        let (findings, fingerprints, left_out, mut notifications) =
            cap_per_file(findings, all_fingerprints, notifications);
        notifications.sort();
        Self {
            findings,
            fingerprints,
            notifications,
            files_scanned,
            policy,
            root_uri,
            included: Vec::new(),
            left_out: left_out.counts,
            left_out_suppressed: left_out.suppressed,
            show_suppressed: false,
            pre_existing,
            compared_with: None,
            secrets: SecretValues::default(),
        }
    }

    /// Mask the value of `key` wherever it appears, if `key` names a secret
    /// ([`secret::is_secret_key`]).
    pub fn add_secret(&mut self, key: &str, value: &str) {
        self.secrets.insert(key, value);
    }

    /// A notification's message (or any text not tied to a finding) as every format shows
    /// it: secrets masked, each quoted value and the whole text capped.
    pub fn message<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.masked(&self.secrets, text)
    }

    /// The secrets a finding's texts are masked with: the report's own, plus every secret
    /// assigned on the lines its values came from (the `.env` line, the `ARG`), which its
    /// message may quote. Scoped to the finding, so a short password does not garble the
    /// rest of the report.
    pub fn finding_secrets(&self, finding: &Finding) -> SecretValues {
        let mut secrets = self.secrets.clone();
        for related in &finding.related {
            let (start, end) = region(&related.location);
            for line in start.line..=end.line.min(start.line + MAX_CONTEXT_LINES) {
                secrets.insert_line(related.location.source.line_text(line));
            }
        }
        secrets
    }

    /// A finding's message as every format shows it (see [`Report::finding_secrets`]).
    pub fn finding_message<'a>(&self, finding: &'a Finding) -> Cow<'a, str> {
        if finding.related.is_empty() {
            return self.message(&finding.message);
        }
        self.masked(&self.finding_secrets(finding), &finding.message)
    }

    /// `text` with `secrets` masked, each quoted value and the whole text capped.
    pub fn masked<'a>(&self, secrets: &SecretValues, text: &'a str) -> Cow<'a, str> {
        let masked = secrets.mask(text);
        if masked.chars().count() <= MAX_QUOTED_CHARS {
            return masked;
        }
        Cow::Owned(cap_message(&masked))
    }

    /// The text of 1-based `line` of `source` as every format echoes it: secrets masked, and
    /// for a `.env` file a line that is not a plain assignment withheld (its text may be a
    /// secret that failed to parse).
    pub fn source_line<'a>(
        &self,
        secrets: &SecretValues,
        source: &'a SourceFile,
        line: usize,
    ) -> Cow<'a, str> {
        let text = source.line_text(line);
        if is_env_file(source.path()) && !secret::looks_like_assignment(text) {
            return Cow::Borrowed("(line not shown: not a KEY=VALUE line of a .env file)");
        }
        secrets.mask(text)
    }

    /// The text under a location, masked, windowed to [`MAX_SNIPPET_CHARS`] (cut text is
    /// marked with [`CUT`]); `None` when it is empty or withheld.
    pub fn snippet(&self, secrets: &SecretValues, location: &Location) -> Option<String> {
        let text = location.text();
        if text.is_empty() {
            return None;
        }
        if is_env_file(location.source.path())
            && !text.lines().all(secret::looks_like_assignment)
            && !secret::is_key_text(text)
        {
            return None;
        }
        let masked = secrets.mask(text);
        Some(window(&masked, 0, MAX_SNIPPET_CHARS).0)
    }

    /// pinwarden's own findings that count for the gate, by level, those left out included.
    /// Suppressed (and pre-existing) findings are not counted here: every format shows these
    /// counts as its errors, warnings and notes, and [`Report::suppressed`] separately.
    pub fn counts(&self) -> Counts {
        let mut counts = self.left_out;
        for finding in self
            .findings
            .iter()
            .filter(|finding| finding.counts_for_gate())
        {
            counts.add(finding.level);
        }
        counts
    }

    /// How many findings an inline suppression covers, those left out included.
    pub fn suppressed(&self) -> usize {
        let kept = self
            .findings
            .iter()
            .filter(|finding| finding.suppression.is_some())
            .count();
        kept + self.left_out_suppressed
    }

    /// How many findings are not in `findings`.
    pub const fn left_out_total(&self) -> usize {
        self.left_out.total()
    }

    /// One included file's results by level.
    pub fn included_counts(included: &IncludedSarif) -> Counts {
        let mut counts = Counts::default();
        for result in &included.results {
            counts.add(result.level);
        }
        counts
    }

    /// Every level the gate sees: pinwarden's findings (those left out too), then included
    /// results.
    pub fn levels(&self) -> impl Iterator<Item = Level> + '_ {
        let left_out = [
            (Level::Error, self.left_out.errors),
            (Level::Warning, self.left_out.warnings),
            (Level::Note, self.left_out.notes),
        ]
        .into_iter()
        .flat_map(|(level, count)| std::iter::repeat_n(level, count));
        self.findings
            .iter()
            .filter(|finding| finding.counts_for_gate())
            .map(|finding| finding.level)
            .chain(left_out)
            .chain(
                self.included
                    .iter()
                    .flat_map(|included| included.results.iter().map(|result| result.level)),
            )
    }

    /// Counts over pinwarden's findings and every included result.
    pub fn total_counts(&self) -> Counts {
        let mut counts = self.counts();
        for included in &self.included {
            for result in &included.results {
                counts.add(result.level);
            }
        }
        counts
    }
}

/// Is this display path a Compose `.env` file?
fn is_env_file(path: &str) -> bool {
    path.rsplit('/').next() == Some(".env")
}

/// What [`cap_per_file`] left out.
#[derive(Default)]
struct LeftOut {
    /// Those that count for the gate, by level.
    counts: Counts,
    /// Those an inline suppression covers.
    suppressed: usize,
}

/// Keep at most [`MAX_FINDINGS_PER_FILE`] findings per file (the most severe, in their
/// order) and say how many were left out.
fn cap_per_file(
    findings: Vec<Finding>,
    fingerprints: Vec<String>,
    mut notifications: Vec<Notification>,
) -> (Vec<Finding>, Vec<String>, LeftOut, Vec<Notification>) {
    let mut per_file: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, finding) in findings.iter().enumerate() {
        per_file
            .entry(finding.primary.source.path())
            .or_default()
            .push(index);
    }
    let mut dropped = vec![false; findings.len()];
    let mut left_out = LeftOut::default();
    for (path, indexes) in &per_file {
        if indexes.len() <= MAX_FINDINGS_PER_FILE {
            continue;
        }
        let mut by_severity = indexes.clone();
        // Stable: among equal levels, the earlier finding is kept.
        // Those that count for the gate first, then the most severe.
        by_severity.sort_by_key(|index| {
            std::cmp::Reverse(
                findings
                    .get(*index)
                    .map(|finding| (finding.counts_for_gate(), finding.level)),
            )
        });
        let mut file_left_out = Counts::default();
        let mut waived = 0;
        for index in by_severity.into_iter().skip(MAX_FINDINGS_PER_FILE) {
            if let (Some(slot), Some(finding)) = (dropped.get_mut(index), findings.get(index)) {
                *slot = true;
                if finding.counts_for_gate() {
                    file_left_out.add(finding.level);
                } else {
                    waived += 1;
                }
                left_out.suppressed += usize::from(finding.suppression.is_some());
            }
        }
        let waived = if waived == 0 {
            String::new()
        } else {
            format!(" and {waived} suppressed or pre-existing ones")
        };
        notifications.push(Notification {
            path: (*path).to_owned(),
            level: Level::Warning,
            message: format!(
                "{} more findings in this file are not reported ({} errors, {} warnings, {} \
                 notes){waived}; at most {MAX_FINDINGS_PER_FILE} per file are, the most severe \
                 first. The gate and the counts include them",
                file_left_out.total(),
                file_left_out.errors,
                file_left_out.warnings,
                file_left_out.notes
            ),
        });
        left_out.counts.errors += file_left_out.errors;
        left_out.counts.warnings += file_left_out.warnings;
        left_out.counts.notes += file_left_out.notes;
    }
    if !dropped.contains(&true) {
        return (findings, fingerprints, left_out, notifications);
    }
    let (kept, kept_fingerprints) = findings
        .into_iter()
        .zip(fingerprints)
        .zip(dropped)
        .filter(|(_, dropped)| !dropped)
        .map(|(pair, _)| pair)
        .unzip();
    (kept, kept_fingerprints, left_out, notifications)
}

/// Cut every backtick-quoted value over [`MAX_QUOTED_CHARS`] in the middle, then the whole
/// text to [`MAX_MESSAGE_CHARS`].
fn cap_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_MESSAGE_CHARS * 4));
    for (index, part) in text.split('`').enumerate() {
        if index > 0 {
            out.push('`');
        }
        // Odd parts are inside backticks.
        if index % 2 == 1 && part.chars().count() > MAX_QUOTED_CHARS {
            let head: String = part.chars().take(MAX_QUOTED_CHARS * 2 / 3).collect();
            let tail_len = MAX_QUOTED_CHARS / 3;
            let total = part.chars().count();
            let tail: String = part.chars().skip(total.saturating_sub(tail_len)).collect();
            out.push_str(&head);
            out.push_str(CUT);
            out.push_str(&tail);
        } else {
            out.push_str(part);
        }
    }
    if out.chars().count() > MAX_MESSAGE_CHARS {
        let mut cut: String = out.chars().take(MAX_MESSAGE_CHARS).collect();
        cut.push_str(CUT);
        cut
    } else {
        out
    }
}

/// At most `max` characters of `line` around the 0-based char index `at`: the shown text and
/// where `at` falls in it. Cut ends are marked with [`CUT`].
pub fn window(line: &str, at: usize, max: usize) -> (String, usize) {
    let count = line.chars().count();
    if count <= max {
        return (line.to_owned(), at);
    }
    let skip = at.saturating_sub(max / 4).min(count.saturating_sub(max));
    let mut shown = String::new();
    let mut offset = at - skip.min(at);
    if skip > 0 {
        shown.push_str(CUT);
        offset += 1;
    }
    shown.extend(line.chars().skip(skip).take(max));
    if skip + max < count {
        shown.push_str(CUT);
    }
    (shown, offset)
}

/// One fingerprint per finding: FNV-1a over (rule id, path, normalized matched text, ordinal
/// among identical keys). No line numbers, so inserting unrelated lines keeps it stable.
pub fn fingerprints(findings: &[Finding]) -> Vec<String> {
    // A key holds its path, so only findings of one file can share one: each file's findings
    // are counted on their own (in their order), the files on all cores.
    let mut files: HashMap<&str, Vec<usize>, foldhash::fast::FixedState> = HashMap::default();
    for (index, finding) in findings.iter().enumerate() {
        files
            .entry(finding.primary.source.path())
            .or_default()
            .push(index);
    }
    let files: Vec<Vec<usize>> = files.into_values().collect();
    let mut out = vec![String::new(); findings.len()];
    let computed: Vec<(usize, String)> = files
        .par_iter()
        .flat_map_iter(|indices| {
            let mut seen: HashMap<String, usize, foldhash::fast::FixedState> = HashMap::default();
            indices
                .iter()
                .filter_map(|&index| {
                    let key = findings.get(index)?.fingerprint_key();
                    // The hash of `{key}\0{ordinal}`, FNV-1a being a running fold.
                    let hash = fnv1a_extend(fnv1a(key.as_bytes()), b"\0");
                    let ordinal = seen.entry(key).or_insert(0);
                    *ordinal += 1;
                    let hash = fnv1a_extend(hash, ordinal.to_string().as_bytes());
                    Some((index, format!("{hash:016x}")))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for (index, fingerprint) in computed {
        if let Some(slot) = out.get_mut(index) {
            *slot = fingerprint;
        }
    }
    out
}

/// FNV-1a, 64 bit: tiny, stable across platforms and releases (unlike `std`'s hasher).
fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_extend(0xcbf2_9ce4_8422_2325, bytes)
}

/// FNV-1a of the bytes hashed into `hash` followed by `bytes`.
fn fnv1a_extend(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Start and end positions of a location. An empty span is widened to the rest of its line
/// (a parse error "at" a point still gets a visible region), except in a `.env` file.
pub fn region(location: &Location) -> (Position, Position) {
    let source = &location.source;
    let start = source.position(location.span.start);
    // A `.env` line that failed to parse is reported by its line only: not widened.
    if !location.span.is_empty() || is_env_file(source.path()) {
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
