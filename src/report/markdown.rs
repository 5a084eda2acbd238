//! A markdown summary for `$GITHUB_STEP_SUMMARY`: counts by level and rule, and a table of
//! findings, kept under GitHub's 1 MiB step-summary limit.
//!
//! Every cell and code span is escaped (`escape`): text from the scanned files (paths,
//! messages, other tools' names) can open no tag, link, table cell or code span.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::model::finding::{BaselineState, Finding};
use crate::report::escape::{markdown_code, markdown_message, markdown_text};
use crate::report::{Report, region};

/// Rows shown in the findings table; the rest are counted.
const MAX_ROWS: usize = 200;

/// Notifications listed; the rest are counted.
const MAX_NOTIFICATIONS: usize = 100;

/// GitHub refuses a step summary over 1 MiB ("Adding a job summary": "the maximum size of a
/// summary is 1MiB"); what we write stays well under it, leaving room for other steps' text
/// in the same file.
pub const MAX_SUMMARY_BYTES: usize = 512 * 1024;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut text = String::new();
    write_summary(report, &mut text);
    out.write_all(text.as_bytes())
}

/// With a baseline or `--new-since`: how many findings existed before (not in the counts).
fn pre_existing(report: &Report, out: &mut String) {
    if let Some(compared_with) = &report.compared_with {
        out.push_str(&format!(
            "**{} more pre-existing** ({}): reported, but not counted by the gate; only new \
             findings fail it.\n\n",
            report.pre_existing,
            markdown_message(compared_with, false)
        ));
        // A suppression is part of the change it judges: new findings that a comment
        // silences are named, so a reviewer sees what the change waved through.
        let silenced: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|finding| {
                finding.suppression.is_some() && finding.baseline == Some(BaselineState::New)
            })
            .collect();
        if !silenced.is_empty() {
            out.push_str(&format!(
                "**{} new findings are suppressed** by `pinwarden:ignore` comments; review them:\n\n",
                silenced.len()
            ));
            for finding in silenced.iter().take(MAX_ROWS) {
                let (start, _) = region(&finding.primary);
                let reason = finding
                    .suppression
                    .as_ref()
                    .and_then(|suppression| suppression.justification.as_deref())
                    .map_or("no reason given".to_owned(), |reason| {
                        markdown_message(&report.message(reason), false)
                    });
                out.push_str(&format!(
                    "- {} {}: {reason}\n",
                    finding.rule.id,
                    markdown_code(
                        &format!("{}:{}", finding.primary.source.path(), start.line),
                        false
                    ),
                ));
            }
            out.push('\n');
        }
    }
}

/// The summary as a string (bounded by [`MAX_SUMMARY_BYTES`]).
fn write_summary(report: &Report, out: &mut String) {
    let counts = report.counts();
    // NOTE: the counts are those of the gate; suppressed findings are only counted, and are
    // in the SARIF log with their suppression.
    let suppressed = match report.suppressed() {
        0 => String::new(),
        n => format!(" {n} suppressed (see the SARIF log)."),
    };
    out.push_str("## pinwarden\n\n");
    if counts.total() == 0 {
        out.push_str(&format!(
            "No findings in {} files (policy `{}`).{suppressed}\n",
            report.files_scanned, report.policy
        ));
        if report.compared_with.is_some() {
            out.push('\n');
        }
        pre_existing(report, out);
    } else {
        out.push_str(&format!(
            "**{} findings** in {} files (policy `{}`): {} errors, {} warnings, {} \
             notes.{suppressed}\n\n",
            counts.total(),
            report.files_scanned,
            report.policy,
            counts.errors,
            counts.warnings,
            counts.notes
        ));
        pre_existing(report, out);
        if report.left_out_total() > 0 {
            out.push_str(&format!(
                "{} of them are not listed anywhere below or in the SARIF log: over the \
                 per-file limit (see the notifications). The gate counts them.\n\n",
                report.left_out_total()
            ));
        }
        // Pre-existing findings are listed, marked; suppressed ones only counted.
        let listed: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|finding| finding.suppression.is_none())
            .collect();
        let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for finding in &listed {
            *by_rule
                .entry((finding.rule.id, finding.rule.name))
                .or_insert(0) += 1;
        }
        out.push_str("| rule | name | findings |\n|---|---|---:|\n");
        for ((id, name), count) in &by_rule {
            out.push_str(&format!("| {id} | {name} | {count} |\n"));
        }
        out.push_str("\n| level | rule | location | message |\n|---|---|---|---|\n");
        // Rows until the row cap or the byte budget (half of it: the rest is for the
        // included tools, the notifications and the closing lines).
        let mut rows = 0;
        for finding in &listed {
            if rows >= MAX_ROWS || out.len() > MAX_SUMMARY_BYTES / 2 {
                break;
            }
            let start = region(&finding.primary).0;
            let location = format!("{}:{}", finding.primary.source.path(), start.line);
            let pre_existing = if finding.baseline == Some(BaselineState::Unchanged) {
                " (pre-existing)"
            } else {
                ""
            };
            out.push_str(&format!(
                "| {}{pre_existing} | {} | {} | {} |\n",
                finding.level,
                finding.rule.id,
                markdown_code(&location, true),
                markdown_message(&report.finding_message(finding), true)
            ));
            rows += 1;
        }
        let rest = counts.total().saturating_sub(rows);
        if rest > 0 {
            out.push_str(&format!(
                "\n… and {rest} more (see the SARIF log or code scanning).\n"
            ));
        }
    }
    if !report.included.is_empty() {
        out.push_str("\n| included tool | file | errors | warnings | notes |\n");
        out.push_str("|---|---|---:|---:|---:|\n");
        for included in &report.included {
            let counts = Report::included_counts(included);
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                markdown_text(&included.tool),
                markdown_code(&included.path.display().to_string(), true),
                counts.errors,
                counts.warnings,
                counts.notes
            ));
        }
        let total = report.total_counts();
        out.push_str(&format!(
            "\nThe gate counts {} errors, {} warnings and {} notes in all.\n",
            total.errors, total.warnings, total.notes
        ));
    }
    if !report.notifications.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>{} notifications</summary>\n\n",
            report.notifications.len()
        ));
        let mut listed = 0;
        for notification in &report.notifications {
            if listed >= MAX_NOTIFICATIONS || out.len() > MAX_SUMMARY_BYTES * 7 / 8 {
                break;
            }
            out.push_str(&format!(
                "- {}: {}: {}\n",
                notification.level,
                markdown_code(&notification.path, false),
                markdown_message(&report.message(&notification.message), false)
            ));
            listed += 1;
        }
        let rest = report.notifications.len() - listed;
        if rest > 0 {
            out.push_str(&format!("- … and {rest} more (see the SARIF log)\n"));
        }
        out.push_str("\n</details>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::level::Policies;
    use crate::report::Notification;

    #[test]
    fn the_summary_stays_under_budget() {
        let huge = "x".repeat(20_000);
        let notifications = (0..5_000)
            .map(|index| Notification {
                path: format!("{index}/{huge}"),
                level: crate::model::level::Level::Warning,
                message: huge.clone(),
            })
            .collect();
        let report = Report::new(Vec::new(), notifications, 0, Policies::default(), None);
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        assert!(out.len() <= MAX_SUMMARY_BYTES + 64 * 1024, "{}", out.len());
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("more (see the SARIF log)"));
    }
}
