//! A markdown summary for `$GITHUB_STEP_SUMMARY`: counts by level and rule, and a table of
//! findings (capped, so a huge scan does not exceed the 1 MiB summary limit).

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::report::Report;

/// Rows shown in the findings table; the rest are counted.
const MAX_ROWS: usize = 200;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let counts = report.counts();
    writeln!(out, "## pinwarden")?;
    writeln!(out)?;
    if counts.total() == 0 {
        writeln!(
            out,
            "No findings in {} files (policy `{}`).",
            report.files_scanned,
            report.policy.as_str()
        )?;
    } else {
        writeln!(
            out,
            "**{} findings** in {} files (policy `{}`): {} errors, {} warnings, {} notes.",
            counts.total(),
            report.files_scanned,
            report.policy.as_str(),
            counts.errors,
            counts.warnings,
            counts.notes
        )?;
        writeln!(out)?;
        let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for finding in &report.findings {
            *by_rule
                .entry((finding.rule.id, finding.rule.name))
                .or_insert(0) += 1;
        }
        writeln!(out, "| rule | name | findings |")?;
        writeln!(out, "|---|---|---:|")?;
        for ((id, name), count) in &by_rule {
            writeln!(out, "| {id} | {name} | {count} |")?;
        }
        writeln!(out)?;
        writeln!(out, "| level | rule | location | message |")?;
        writeln!(out, "|---|---|---|---|")?;
        for finding in report.findings.iter().take(MAX_ROWS) {
            let start = finding.primary.source.position(finding.primary.span.start);
            writeln!(
                out,
                "| {} | {} | `{}:{}` | {} |",
                finding.level,
                finding.rule.id,
                finding.primary.source.path(),
                start.line,
                cell(&finding.message)
            )?;
        }
        if report.findings.len() > MAX_ROWS {
            writeln!(
                out,
                "\n… and {} more (see the SARIF log or code scanning).",
                report.findings.len() - MAX_ROWS
            )?;
        }
    }
    if !report.included.is_empty() {
        writeln!(out)?;
        writeln!(out, "| included tool | file | errors | warnings | notes |")?;
        writeln!(out, "|---|---|---:|---:|---:|")?;
        for included in &report.included {
            let counts = Report::included_counts(included);
            writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                cell(&included.tool),
                included.path.display(),
                counts.errors,
                counts.warnings,
                counts.notes
            )?;
        }
        let total = report.total_counts();
        writeln!(
            out,
            "\nThe gate counts {} errors, {} warnings and {} notes in all.",
            total.errors, total.warnings, total.notes
        )?;
    }
    if !report.notifications.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>{} notifications</summary>\n",
            report.notifications.len()
        )?;
        for notification in &report.notifications {
            writeln!(
                out,
                "- {}: `{}`: {}",
                notification.level,
                notification.path,
                cell(&notification.message)
            )?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}

/// Make text safe inside a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
