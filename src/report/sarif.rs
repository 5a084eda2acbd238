//! SARIF 2.1.0 for GitHub code scanning, built from serde-sarif's typed model.
//!
//! serde-sarif does not enforce what code scanning needs, so this module sets it explicitly:
//! `$schema`, `version`, `results` even when empty, `columnKind: utf16CodeUnits` with columns
//! counted that way, `%SRCROOT%`-relative URIs, `partialFingerprints`, and every rule (not just
//! the ones that fired) in `tool.driver.rules` so `ruleIndex` is stable.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

use rayon::prelude::*;
use serde::ser::Serialize;
use serde_json::{Value, json};
use serde_sarif::sarif;

use crate::model::finding::{BaselineState, Finding};
use crate::model::level::Level;
use crate::model::location::{Location, Position};
use crate::model::rule::RuleMeta;
use crate::model::secret::SecretValues;
use crate::model::source::SourceFile;
use crate::model::suppression::Suppression;
use crate::model::uri::encode_path;
use crate::report::{
    MAX_CONTEXT_LINES, MAX_RELATED, MAX_SNIPPET_CHARS, Notification, Report, region, window,
};
use crate::rules;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// Results per run: GitHub rejects a run with more than 25 000 ("SARIF results exceed one or
/// more limits"). Past it the most severe are kept and a notification counts the rest.
pub const MAX_RESULTS_PER_RUN: usize = 25_000;

/// `file:///abs/dir/` for SARIF `originalUriBaseIds`.
pub fn directory_uri(dir: &std::path::Path) -> String {
    let mut path = dir.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", encode_path(&path))
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // NOTE: the log around the results is small and printed whole; the results (up to
    // 25 000, a few KB each in serde-sarif's model) are made and pretty-printed a window at a
    // time on all cores, and written in order where the skeleton has its empty `results`.
    // The bytes are those `build` serializes to (a test checks it).
    let kept = most_severe(report, MAX_RESULTS_PER_RUN);
    let line_hashes = LineHashCache::for_findings(report, &kept);
    let items = kept_findings(report, &kept);
    let skeleton =
        serde_json::to_string_pretty(&log(report, &kept, Vec::new())).map_err(io::Error::other)?;
    // A concrete buffered writer: serde_json's many small writes are then inlined copies,
    // not a virtual call each through `dyn Write`.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let split = skeleton.split_once(EMPTY_RESULTS);
    match split {
        Some((before, after)) if !items.is_empty() => {
            // JSON strings escape every `"`, so this is the run's `results` key (one run).
            if after.contains(EMPTY_RESULTS) {
                return Err(io::Error::other("SARIF skeleton has more than one run"));
            }
            let indent = before.rsplit('\n').next().unwrap_or("");
            let inner = format!("{indent}  ");
            out.write_all(before.as_bytes())?;
            out.write_all(b"\"results\": [")?;
            let mut first = true;
            for window in items.chunks(RENDER_WINDOW) {
                let rendered: Vec<serde_json::Result<Vec<u8>>> = window
                    .par_iter()
                    .map(|item| pretty_at(&result(report, &line_hashes, *item), &inner))
                    .collect();
                for text in rendered {
                    out.write_all(if first { b"\n" } else { b",\n" })?;
                    first = false;
                    out.write_all(inner.as_bytes())?;
                    out.write_all(&text.map_err(io::Error::other)?)?;
                }
            }
            out.write_all(b"\n")?;
            out.write_all(indent.as_bytes())?;
            out.write_all(b"]")?;
            out.write_all(after.as_bytes())?;
        }
        Some(_) => out.write_all(skeleton.as_bytes())?,
        None => return Err(io::Error::other("SARIF skeleton has no run results")),
    }
    writeln!(out)?;
    out.flush()
}

/// How the run's empty `results` prints in the pretty skeleton.
const EMPTY_RESULTS: &str = "\"results\": []";

/// How many results are made and printed in parallel before they are written.
const RENDER_WINDOW: usize = 1024;

/// `value` pretty-printed as serde_json prints it inside a pretty document where it begins
/// after `indent`: each line after the first indented by that much more.
fn pretty_at<T: Serialize>(value: &T, indent: &str) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(2048);
    let formatter = NestedPretty {
        base: indent.as_bytes(),
        level: 0,
        has_value: false,
    };
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, formatter,
    ))?;
    Ok(out)
}

/// serde_json's `PrettyFormatter` (two spaces a level) for a value printed `base` deep: every
/// line after the first starts with `base`, in the same pass.
struct NestedPretty<'a> {
    base: &'a [u8],
    level: usize,
    has_value: bool,
}

impl NestedPretty<'_> {
    fn line<W: ?Sized + Write>(&self, writer: &mut W, start: &[u8]) -> io::Result<()> {
        writer.write_all(start)?;
        writer.write_all(self.base)?;
        for _ in 0..self.level {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for NestedPretty<'_> {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(writer, b"\n")?;
        }
        writer.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, if first { b"\n" } else { b",\n" })
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(writer, b"\n")?;
        }
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, if first { b"\n" } else { b",\n" })
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The whole SARIF log for `report`: one run.
pub fn build(report: &Report) -> sarif::Sarif {
    let kept = most_severe(report, MAX_RESULTS_PER_RUN);
    let line_hashes = LineHashCache::for_findings(report, &kept);
    let results = kept_findings(report, &kept)
        .into_iter()
        .map(|item| result(report, &line_hashes, item))
        .collect();
    log(report, &kept, results)
}

/// Each finding that goes into the log (`kept`), in order, with its fingerprint.
fn kept_findings<'a>(report: &'a Report, kept: &[bool]) -> Vec<(&'a Finding, &'a String)> {
    report
        .findings
        .iter()
        .zip(&report.fingerprints)
        .zip(kept)
        .filter(|(_, kept)| **kept)
        .map(|(pair, _)| pair)
        .collect()
}

/// The SARIF result of one finding.
fn result(
    report: &Report,
    line_hashes: &LineHashCache,
    (finding, fingerprint): (&Finding, &String),
) -> sarif::Result {
    let index = rules::metas()
        .position(|rule| std::ptr::eq(rule, finding.rule))
        .unwrap_or(0);
    let start = finding.primary.source.position(finding.primary.span.start);
    let secrets = report.finding_secrets(finding);
    let mut partial = BTreeMap::new();
    partial.insert("pinwarden/v1".to_owned(), fingerprint.clone());
    partial.insert(
        "primaryLocationLineHash".to_owned(),
        line_hashes.hash(&finding.primary.source, start.line),
    );
    let related: Vec<sarif::Location> = finding
        .related
        .iter()
        .take(MAX_RELATED)
        .enumerate()
        .map(|(id, related)| {
            sarif::Location::builder()
                .id(i64::try_from(id).unwrap_or(i64::MAX))
                .physical_location(physical(report, &secrets, &related.location))
                .message(
                    sarif::Message::builder()
                        .text(report.masked(&secrets, &related.label).into_owned())
                        .build(),
                )
                .build()
        })
        .collect();
    let mut result = sarif::Result::builder()
        .rule_id(finding.rule.id)
        .rule_index(i64::try_from(index).unwrap_or(0))
        .level(result_level(finding.level))
        .message(
            sarif::Message::builder()
                .text(report.masked(&secrets, &finding.message).into_owned())
                .build(),
        )
        .locations(vec![
            sarif::Location::builder()
                .physical_location(physical(report, &secrets, &finding.primary))
                .build(),
        ])
        .partial_fingerprints(partial)
        .build();
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    // SARIF §3.27.24: set only when a baseline or `--new-since` was compared with.
    result.baseline_state = finding.baseline.map(|state| match state {
        BaselineState::New => json!("new"),
        BaselineState::Unchanged => json!("unchanged"),
    });
    if let Some(suppression) = &finding.suppression {
        result.suppressions = Some(vec![in_source(report, &secrets, suppression)]);
    }
    result
}

/// The log around the results: the run with its tool, rules and notifications.
fn log(report: &Report, kept: &[bool], results: Vec<sarif::Result>) -> sarif::Sarif {
    let mut notifications: Vec<sarif::Notification> = report
        .notifications
        .iter()
        .map(|item| notification(report, item))
        .collect();
    let over_run_limit = kept.iter().filter(|kept| !**kept).count();
    if over_run_limit > 0 {
        let text = format!(
            "{over_run_limit} findings are not in this log: GitHub accepts at most \
             {MAX_RESULTS_PER_RUN} results per run, so the most severe are kept. The gate \
             counts them all."
        );
        notifications.push(
            sarif::Notification::builder()
                .level(json!("warning"))
                .message(sarif::Message::builder().text(text).build())
                .build(),
        );
    }
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(true)
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }

    let driver = sarif::ToolComponent::builder()
        .name("pinwarden")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_HOMEPAGE"))
        .rules(rules::metas().map(descriptor).collect::<Vec<_>>())
        .build();
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("utf16CodeUnits"))
        .build();
    if let Some(root) = &report.root_uri {
        let mut bases = BTreeMap::new();
        bases.insert(
            SRCROOT.to_owned(),
            sarif::ArtifactLocation::builder().uri(root.clone()).build(),
        );
        run.original_uri_base_ids = Some(bases);
    }
    sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// An inline suppression as SARIF §3.35 `suppression`: kind `inSource`, its reason as the
/// `justification`, the comment as its `location`. `status: accepted` says it is in effect
/// (§3.35.3); GitHub's reference "SARIF support for code scanning" (`result` object,
/// `suppressions[].state`) says code scanning sets a result whose suppression is `accepted`
/// to closed.
fn in_source(
    report: &Report,
    secrets: &SecretValues,
    suppression: &Suppression,
) -> sarif::Suppression {
    let location = sarif::Location::builder()
        .physical_location(physical(report, secrets, &suppression.location))
        .build();
    let mut out = sarif::Suppression::builder()
        .kind(json!("inSource"))
        .status(json!("accepted"))
        .location(location)
        .build();
    out.justification = suppression
        .justification
        .as_deref()
        .map(|reason| report.masked(secrets, reason).into_owned());
    out
}

/// A rule's `reportingDescriptor`, read from the registry (and its embedded help page).
fn descriptor(rule: &RuleMeta) -> sarif::ReportingDescriptor {
    let mut properties = BTreeMap::new();
    properties.insert(
        "security-severity".to_owned(),
        Value::String(rule.security_severity.to_owned()),
    );
    properties.insert(
        "precision".to_owned(),
        Value::String("very-high".to_owned()),
    );
    properties.insert(
        "problem.severity".to_owned(),
        Value::String(problem_severity(rule.default_level).to_owned()),
    );
    let tags: Vec<String> = rule.tags.iter().map(|tag| (*tag).to_owned()).collect();
    sarif::ReportingDescriptor::builder()
        .id(rule.id)
        .name(rule.name)
        .short_description(text(rule.summary))
        .full_description(text(&full_description(rule)))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(rule.help_body())
                .markdown(rule.help_body())
                .build(),
        )
        .help_uri(rule.help_uri())
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(rule.default_level.as_str()))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(properties)
                .build(),
        )
        .build()
}

/// The first paragraph of the help page's "What it flags" section, or the summary.
fn full_description(rule: &RuleMeta) -> String {
    rule.help
        .split_once("## What it flags")
        .and_then(|(_, rest)| rest.trim_start().split("\n\n").next())
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|paragraph| !paragraph.is_empty())
        .unwrap_or_else(|| rule.summary.to_owned())
}

fn text(text: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(text)
        .build()
}

fn result_level(level: Level) -> sarif::ResultLevel {
    match level {
        Level::Error => sarif::ResultLevel::Error,
        Level::Warning => sarif::ResultLevel::Warning,
        Level::Note => sarif::ResultLevel::Note,
    }
}

/// GitHub's `problem.severity` vocabulary for non-security views.
fn problem_severity(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "recommendation",
    }
}

/// A display path as an artifact location: relative paths are relative to `%SRCROOT%`; a
/// file outside the working directory gets an absolute `file://` URI and no base (a relative
/// reference must not begin with `/`, SARIF §3.4.3).
fn artifact(path: &str) -> sarif::ArtifactLocation {
    if path.starts_with('/') {
        return sarif::ArtifactLocation::builder()
            .uri(format!("file://{}", encode_path(path)))
            .build();
    }
    sarif::ArtifactLocation::builder()
        .uri(encode_path(path))
        .uri_base_id(SRCROOT)
        .build()
}

/// Which findings go into the log: all, or the `max` most severe (earlier first).
fn most_severe(report: &Report, max: usize) -> Vec<bool> {
    let count = report.findings.len();
    if count <= max {
        return vec![true; count];
    }
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|index| {
        std::cmp::Reverse(report.findings.get(*index).map(|finding| finding.level))
    });
    let mut kept = vec![false; count];
    for index in order.into_iter().take(max) {
        if let Some(slot) = kept.get_mut(index) {
            *slot = true;
        }
    }
    kept
}

/// A location with a snippet of its span and the lines around it, both masked and windowed
/// (cut text is marked `…`), so a one-line 300 KB file does not become 300 KB per result.
fn physical(
    report: &Report,
    secrets: &SecretValues,
    location: &Location,
) -> sarif::PhysicalLocation {
    let (start, end) = region(location);
    let mut region = sarif_region(start, end);
    if let Some(snippet) = report.snippet(secrets, location) {
        region.snippet = Some(sarif::ArtifactContent::builder().text(snippet).build());
    }
    let last = end.line.min(start.line + MAX_CONTEXT_LINES - 1);
    let mut context_lines: Vec<String> = (start.line..=last)
        .map(|line| {
            let text = report.source_line(secrets, &location.source, line);
            let at = if line == start.line {
                start.column.saturating_sub(1)
            } else {
                0
            };
            window(&text, at, MAX_SNIPPET_CHARS).0
        })
        .collect();
    if last < end.line {
        context_lines.push(crate::report::CUT.to_owned());
    }
    let mut context = sarif::Region::builder()
        .start_line(to_i64(start.line))
        .end_line(to_i64(end.line))
        .build();
    context.snippet = Some(
        sarif::ArtifactContent::builder()
            .text(context_lines.join("\n"))
            .build(),
    );
    sarif::PhysicalLocation::builder()
        .artifact_location(artifact(location.source.path()))
        .region(region)
        .context_region(context)
        .build()
}

fn sarif_region(start: Position, end: Position) -> sarif::Region {
    sarif::Region::builder()
        .start_line(to_i64(start.line))
        .start_column(to_i64(start.utf16_column))
        .end_line(to_i64(end.line))
        .end_column(to_i64(end.utf16_column))
        .build()
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn notification(report: &Report, notification: &Notification) -> sarif::Notification {
    let level = match notification.level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    };
    let location = sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(artifact(&notification.path))
                .build(),
        )
        .build();
    sarif::Notification::builder()
        .level(json!(level))
        .message(
            sarif::Message::builder()
                .text(format!(
                    "{}: {}",
                    notification.path,
                    report.message(&notification.message)
                ))
                .build(),
        )
        .locations(vec![location])
        .build()
}

/// GitHub's line hashes of the lines the results start on, computed once per file and in
/// parallel (hashing is the only per-file work left after the scan). Only those lines are
/// kept: every line of every file with a finding would be tens of MB on a large tree.
struct LineHashCache {
    files: BTreeMap<String, BTreeMap<usize, String>>,
}

impl LineHashCache {
    fn for_findings(report: &Report, kept: &[bool]) -> Self {
        let mut sources: BTreeMap<&str, (&SourceFile, BTreeSet<usize>)> = BTreeMap::new();
        for (finding, _) in report.findings.iter().zip(kept).filter(|(_, kept)| **kept) {
            let source = &finding.primary.source;
            let line = source.position(finding.primary.span.start).line;
            sources
                .entry(source.path())
                .or_insert_with(|| (source, BTreeSet::new()))
                .1
                .insert(line);
        }
        let files = sources
            .into_par_iter()
            .map(|(path, (source, lines))| {
                let last = lines.last().copied().unwrap_or(0);
                let hashes = line_hash_values(source.text(), last);
                let wanted = lines
                    .into_iter()
                    .map(|line| {
                        let hash = hashes.get(line.saturating_sub(1));
                        let label = hash.map(|&(hash, count)| line_hash_label(hash, count));
                        (line, label.unwrap_or_default())
                    })
                    .collect();
                (path.to_owned(), wanted)
            })
            .collect();
        Self { files }
    }

    fn hash(&self, source: &SourceFile, line: usize) -> String {
        self.files
            .get(source.path())
            .and_then(|hashes| hashes.get(&line))
            .cloned()
            .unwrap_or_default()
    }
}

/// `primaryLocationLineHash` for every line of `text`, exactly as GitHub's upload action
/// computes it when it uploads SARIF (github/codeql-action `src/fingerprints.ts`, function
/// `hash`): a rolling hash (base 37, 64-bit wrapping) over the next 100 UTF-16 code units
/// from each line start, skipping spaces and tabs, with CR/CRLF normalized to LF and an
/// end-of-file marker 65535; `:n` counts earlier lines with the same hash. Uploads through
/// the REST API get no fingerprints computed for them, so we add them ourselves.
pub fn line_hashes(text: &str) -> Vec<String> {
    line_hash_values(text, usize::MAX)
        .into_iter()
        .map(|(hash, count)| line_hash_label(hash, count))
        .collect()
}

/// `primaryLocationLineHash` as GitHub writes it: the hash in hex, `:`, the occurrence.
fn line_hash_label(hash: u64, count: usize) -> String {
    format!("{hash:x}:{count}")
}

/// Per line of `text` (index 0 = line 1): its rolling hash and how many lines up to it
/// (itself included) have the same hash, up to line `last`: a line's hash and count depend
/// only on the text from its start on and on the lines before it, so hashing stops there.
/// Labels are formatted only for the lines a report needs.
fn line_hash_values(text: &str, last: usize) -> Vec<(u64, usize)> {
    const BLOCK: usize = 100;
    const MOD: u64 = 37;
    const EOF: u16 = 65535;
    let first_mod = (0..BLOCK).fold(1u64, |acc, _| acc.wrapping_mul(MOD));

    let mut state = Hasher {
        window: [0u16; BLOCK],
        line_numbers: [0usize; BLOCK], // 0 = none (line numbers are 1-based)
        hash: 0,
        index: 0,
        counts: HashMap::default(),
        out: Vec::new(),
        first_mod,
        last,
    };
    let mut line_number = 0usize;
    let mut line_start = true;
    let mut previous_cr = false;
    let mut process = |state: &mut Hasher, mut unit: u16| {
        if unit == u16::from(b' ')
            || unit == u16::from(b'\t')
            || (previous_cr && unit == u16::from(b'\n'))
        {
            previous_cr = false;
            return;
        }
        if unit == u16::from(b'\r') {
            unit = u16::from(b'\n');
            previous_cr = true;
        } else {
            previous_cr = false;
        }
        if state.current_line() != 0 {
            state.output();
        }
        if line_start {
            line_start = false;
            line_number += 1;
            state.set_current_line(line_number);
        }
        if unit == u16::from(b'\n') {
            line_start = true;
        }
        state.update(unit);
    };
    // ASCII text is its own UTF-16 (the common case, and a third of the cost).
    if text.is_ascii() {
        for byte in text.bytes() {
            process(&mut state, u16::from(byte));
            if state.done() {
                break;
            }
        }
    } else {
        for unit in text.encode_utf16() {
            process(&mut state, unit);
            if state.done() {
                break;
            }
        }
    }
    if !state.done() {
        process(&mut state, EOF);
        for _ in 0..BLOCK {
            if state.current_line() != 0 {
                state.output();
            }
            state.update(0);
        }
    }
    let mut by_line = state.out;
    by_line.sort_by_key(|(line, _, _)| *line);
    by_line
        .into_iter()
        .map(|(_, hash, count)| (hash, count))
        .collect()
}

struct Hasher {
    window: [u16; 100],
    line_numbers: [usize; 100],
    hash: u64,
    index: usize,
    /// Occurrences so far per hash (the keys are hashes already: a fast hasher will do).
    counts: HashMap<u64, usize, foldhash::fast::FixedState>,
    /// (line, hash, occurrence)
    out: Vec<(usize, u64, usize)>,
    first_mod: u64,
    /// The last line whose hash is wanted.
    last: usize,
}

impl Hasher {
    /// Lines are output in order: once `last` is, nothing more is needed.
    fn done(&self) -> bool {
        self.out
            .last()
            .is_some_and(|(line, _, _)| *line >= self.last)
    }

    fn current_line(&self) -> usize {
        self.line_numbers.get(self.index).copied().unwrap_or(0)
    }

    fn set_current_line(&mut self, line: usize) {
        if let Some(slot) = self.line_numbers.get_mut(self.index) {
            *slot = line;
        }
    }

    fn output(&mut self) {
        let count = self.counts.entry(self.hash).or_insert(0);
        *count += 1;
        let count = *count;
        let line = self.current_line();
        self.out.push((line, self.hash, count));
        self.set_current_line(0);
    }

    fn update(&mut self, unit: u16) {
        let begin = self.window.get(self.index).copied().unwrap_or(0);
        if let Some(slot) = self.window.get_mut(self.index) {
            *slot = unit;
        }
        self.hash = 37u64
            .wrapping_mul(self.hash)
            .wrapping_add(u64::from(unit))
            .wrapping_sub(self.first_mod.wrapping_mul(u64::from(begin)));
        self.index += 1;
        if self.index == self.window.len() {
            self.index = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashing stops after the last wanted line; every line up to it keeps its hash and count.
    #[test]
    fn line_hashes_up_to_a_line_are_a_prefix_of_all_of_them() {
        let text = "FROM a\nRUN x\n\nFROM a\nRUN x\n".repeat(40) + "short\n\tlast line";
        let all = line_hash_values(&text, usize::MAX);
        assert_eq!(all.len(), text.lines().count());
        for last in [1, 2, 3, 7, 100, all.len() - 1, all.len()] {
            let some = line_hash_values(&text, last);
            assert!(some.len() >= last, "{last}: {} lines", some.len());
            assert_eq!(some[..last], all[..last], "up to line {last}");
        }
        // The repeated block repeats hashes, so counts above 1 are among those compared.
        assert!(all.iter().any(|(_, count)| *count > 1));
    }

    /// Vectors from github/codeql-action's own unit tests (`src/fingerprints.test.ts`,
    /// test "hash"), which run the reference implementation.
    #[test]
    fn line_hashes_match_codeql_action() {
        let expected_crlf_variants = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        let lorem = "Lorem ipsum dolor sit amet.\n".repeat(10);
        // (input, expected hashes by line)
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("", vec!["c129715d7a2bc9a3:1"]),
            (
                " a\nb\n  \t\tc\n d",
                vec![
                    "271789c17abda88f:1",
                    "54703d4cd895b18:1",
                    "180aee12dab6264:1",
                    "a23a3dc5e078b07b:1",
                ],
            ),
            (
                " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
                vec![
                    "8b7cf3e952e7aeb2:1",
                    "b1ae1287ec4718d9:1",
                    "bff680108adb0fcc:1",
                    "c6805c5e1288b612:1",
                    "b86d3392aea1be30:1",
                    "e6ceba753e1a442:1",
                ],
            ),
            (
                " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
                expected_crlf_variants.to_vec(),
            ),
            (
                " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
                expected_crlf_variants.to_vec(),
            ),
            (
                " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
                expected_crlf_variants.to_vec(),
            ),
            (
                " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
                expected_crlf_variants.to_vec(),
            ),
            (
                &lorem,
                vec![
                    "a7f2ff13bc495cf2:1",
                    "a7f2ff13bc495cf2:2",
                    "a7f2ff13bc495cf2:3",
                    "a7f2ff13bc495cf2:4",
                    "a7f2ff13bc495cf2:5",
                    "a7f2ff13bc495cf2:6",
                    "a7f2ff1481e87703:1",
                    "a9cf91f7bbf1862b:1",
                    "55ec222b86bcae53:1",
                    "cc97dc7b1d7d8f7b:1",
                    "c129715d7a2bc9a3:1",
                ],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(line_hashes(input), expected, "{input:?}");
        }
    }

    #[test]
    fn line_hashes_ignore_whitespace_and_line_endings() {
        let unix = line_hashes("a\nb\n");
        let windows = line_hashes("a\r\nb\r\n");
        let spaced = line_hashes("  a\n\tb\n");
        assert_eq!(unix, windows);
        assert_eq!(unix, spaced);
    }

    #[test]
    fn directory_uris_are_absolute_and_encoded() {
        assert_eq!(
            directory_uri(std::path::Path::new("/work/repo")),
            "file:///work/repo/"
        );
        assert_eq!(
            directory_uri(std::path::Path::new("/a b/")),
            "file:///a%20b/"
        );
    }
}
