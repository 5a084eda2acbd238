//! GitHub workflow commands (`::error file=…,line=…::message`): inline annotations on the
//! pull request, which work even where code scanning is not enabled.
//!
//! Escaping follows the runner's rules (actions/toolkit `command.ts`, see `escape`): data
//! escapes `%`, `\r`, `\n`; property values also escape `:` and `,`.
//!
//! GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (actions/toolkit
//! `docs/problem-matchers.md`, "Limitations"); more are dropped without a word. So at most
//! that many are written per level, findings before notifications, and then one plain log line
//! says how many more there are and where to find them.

use std::io::{self, Write};

use crate::model::level::Level;
use crate::report::escape::{command_data, command_property};
use crate::report::{Report, region};

/// Annotations GitHub shows per level in one step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    render_reserving(report, 0, out)
}

/// Like [`render`], leaving `reserved` annotations of each level for the caller (the action
/// writes its own upload error or fork notice after the findings).
pub fn render_reserving(report: &Report, reserved: usize, out: &mut dyn Write) -> io::Result<()> {
    let budget = ANNOTATIONS_PER_LEVEL.saturating_sub(reserved);
    let mut shown = [0usize; 3];
    let mut more = 0usize;
    let mut take = |level: Level| {
        let slot = &mut shown[level_index(level)];
        if *slot < budget {
            *slot += 1;
            true
        } else {
            more += 1;
            false
        }
    };
    // A suppressed finding is reviewed already: no annotation.
    let findings = report
        .findings
        .iter()
        .filter(|finding| finding.suppression.is_none());
    for finding in findings {
        if !take(finding.level) {
            continue;
        }
        let (start, end) = region(&finding.primary);
        let mut properties = format!(
            "file={},line={},col={}",
            command_property(finding.primary.source.path()),
            start.line,
            start.column
        );
        if end.line == start.line {
            properties.push_str(&format!(",endColumn={}", end.column));
        } else {
            properties.push_str(&format!(",endLine={}", end.line));
        }
        properties.push_str(&format!(
            ",title={}",
            command_property(&format!("{} {}", finding.rule.id, finding.rule.name))
        ));
        writeln!(
            out,
            "::{} {properties}::{}",
            command(finding.level),
            command_data(&report.finding_message(finding))
        )?;
    }
    for notification in &report.notifications {
        if !take(notification.level) {
            continue;
        }
        writeln!(
            out,
            "::{} file={}::{}",
            command(notification.level),
            command_property(&notification.path),
            command_data(&report.message(&notification.message))
        )?;
    }
    let more = more + report.left_out_total();
    if more > 0 {
        // A plain log line, not an annotation: it must not itself be dropped.
        writeln!(
            out,
            "pinwarden: {more} more findings and notifications are not annotated (GitHub \
             shows {ANNOTATIONS_PER_LEVEL} per level in a step); see the job summary, the \
             SARIF log or code scanning"
        )?;
    }
    Ok(())
}

const fn level_index(level: Level) -> usize {
    match level {
        Level::Error => 0,
        Level::Warning => 1,
        Level::Note => 2,
    }
}

const fn command(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "notice",
    }
}

/// Workflow command data (kept for callers outside `report`).
pub fn escape_data(text: &str) -> String {
    command_data(text)
}
