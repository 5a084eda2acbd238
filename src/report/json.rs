//! pinwarden's JSON output, schema version 1. Frozen: fields are only ever added, never
//! renamed or removed; a breaking change bumps `version`. It is written from its own types,
//! not by serializing internal structs (zizmor `json/v1.rs`).

use std::borrow::Cow;
use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::model::finding::BaselineState;
use crate::model::location::Location;
use crate::report::{Report, region};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    /// The policy, `images …, actions …, packages …` when they differ.
    policy: String,
    policies: PoliciesV1,
    summary: Summary,
    findings: Vec<FindingV1<'a>>,
    notifications: Vec<NotificationV1<'a>>,
    /// Other tools' SARIF folded into the gate (`--include-sarif`): counts only.
    included: Vec<IncludedV1<'a>>,
}

#[derive(Serialize)]
struct PoliciesV1 {
    images: &'static str,
    actions: &'static str,
    packages: &'static str,
}

#[derive(Serialize)]
struct IncludedV1<'a> {
    tool: &'a str,
    path: String,
    results: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    /// Findings that existed before (`--baseline`, `--new-since`): not counted by the gate.
    /// Only when a baseline or a ref was compared with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pre_existing: Option<usize>,
    /// Findings an inline suppression covers (not in `errors`, `warnings`, `notes`).
    suppressed: usize,
}

#[derive(Serialize)]
struct FindingV1<'a> {
    rule: &'static str,
    name: &'static str,
    level: &'static str,
    message: Cow<'a, str>,
    path: &'a str,
    start: Point,
    end: Point,
    fingerprint: &'a str,
    related: Vec<RelatedV1<'a>>,
    /// `new` or `unchanged` (SARIF `baselineState`), only with `--baseline`/`--new-since`.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    /// An inline suppression covers it: reported, not counted for the gate.
    suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<SuppressionV1<'a>>,
}

/// The `# pinwarden:ignore` comment that covers a finding.
#[derive(Serialize)]
struct SuppressionV1<'a> {
    justification: Option<Cow<'a, str>>,
    path: &'a str,
    start: Point,
    end: Point,
}

#[derive(Serialize)]
struct RelatedV1<'a> {
    label: Cow<'a, str>,
    path: &'a str,
    start: Point,
    end: Point,
}

#[derive(Serialize)]
struct NotificationV1<'a> {
    level: &'static str,
    path: &'a str,
    message: Cow<'a, str>,
}

/// A 1-based line and column (Unicode scalar values, as shown in a terminal).
#[derive(Serialize)]
struct Point {
    line: usize,
    column: usize,
}

fn points(location: &Location) -> (Point, Point) {
    let (start, end) = region(location);
    (
        Point {
            line: start.line,
            column: start.column,
        },
        Point {
            line: end.line,
            column: end.column,
        },
    )
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let counts = report.counts();
    // Made on all cores (a large tree has many thousands), kept in order.
    let findings: Vec<FindingV1<'_>> = report
        .findings
        .par_iter()
        .zip(&report.fingerprints)
        .map(|(finding, fingerprint)| {
            let (start, end) = points(&finding.primary);
            let secrets = report.finding_secrets(finding);
            FindingV1 {
                rule: finding.rule.id,
                name: finding.rule.name,
                level: finding.level.as_str(),
                message: report.masked(&secrets, &finding.message),
                path: finding.primary.source.path(),
                start,
                end,
                fingerprint,
                baseline_state: finding.baseline.map(|state| match state {
                    BaselineState::New => "new",
                    BaselineState::Unchanged => "unchanged",
                }),
                related: finding
                    .related
                    .iter()
                    .take(crate::report::MAX_RELATED)
                    .map(|related| {
                        let (start, end) = points(&related.location);
                        RelatedV1 {
                            label: report.masked(&secrets, &related.label),
                            path: related.location.source.path(),
                            start,
                            end,
                        }
                    })
                    .collect(),
                suppressed: finding.suppression.is_some(),
                suppression: finding.suppression.as_ref().map(|suppression| {
                    let (start, end) = points(&suppression.location);
                    SuppressionV1 {
                        justification: suppression
                            .justification
                            .as_deref()
                            .map(|reason| report.masked(&secrets, reason)),
                        path: suppression.location.source.path(),
                        start,
                        end,
                    }
                }),
            }
        })
        .collect();
    let output = Output {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "pinwarden",
            version: env!("CARGO_PKG_VERSION"),
        },
        policy: report.policy.to_string(),
        policies: PoliciesV1 {
            images: report.policy.images.as_str(),
            actions: report.policy.actions.as_str(),
            packages: report.policy.packages.as_str(),
        },
        summary: Summary {
            files: report.files_scanned,
            findings: counts.total(),
            errors: counts.errors,
            warnings: counts.warnings,
            notes: counts.notes,
            pre_existing: report.compared_with.as_ref().map(|_| report.pre_existing),
            suppressed: report.suppressed(),
        },
        findings,
        notifications: report
            .notifications
            .iter()
            .map(|notification| NotificationV1 {
                level: notification.level.as_str(),
                path: &notification.path,
                message: report.message(&notification.message),
            })
            .collect(),
        included: report
            .included
            .iter()
            .map(|included| {
                let counts = Report::included_counts(included);
                IncludedV1 {
                    tool: &included.tool,
                    path: included.path.display().to_string(),
                    results: counts.total(),
                    errors: counts.errors,
                    warnings: counts.warnings,
                    notes: counts.notes,
                }
            })
            .collect(),
    };
    // A concrete buffered writer: serde_json's many small writes are then inlined copies,
    // not a virtual call each through `dyn Write`.
    let mut buffered = io::BufWriter::with_capacity(1 << 16, &mut *out);
    serde_json::to_writer_pretty(&mut buffered, &output).map_err(io::Error::other)?;
    buffered.flush()?;
    drop(buffered);
    writeln!(out)
}
