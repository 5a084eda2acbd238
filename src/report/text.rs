//! rustc/ruff-style text: `path:line:col: PWnnn message`, the source line, a caret under the
//! span, related locations as notes, then a summary. Colour only when asked (a terminal
//! without `NO_COLOR`; `main` decides).

use std::io::{self, Write};

use crate::model::level::Level;
use crate::report::{Report, region};

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }

    fn level(&self, level: Level) -> String {
        let code = match level {
            Level::Error => "1;31",
            Level::Warning => "1;33",
            Level::Note => "1;36",
        };
        self.paint(code, level.as_str())
    }
}

/// Longest source line echoed; longer lines (minified files) are cut around the span.
const MAX_ECHO: usize = 240;

pub fn render(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let style = Style { color };
    for finding in &report.findings {
        let (start, end) = region(&finding.primary);
        writeln!(
            out,
            "{}:{}:{}: {} {}",
            style.paint("1", finding.primary.source.path()),
            start.line,
            start.column,
            style.paint("1", finding.rule.id),
            finding.message
        )?;
        let gutter = start.line.to_string().len();
        let line = finding.primary.source.line_text(start.line);
        let (shown, caret_from) = echo_window(line, start.column);
        let width = if end.line == start.line {
            end.column.saturating_sub(start.column).max(1)
        } else {
            shown.chars().count().saturating_sub(caret_from).max(1)
        };
        let pad = " ".repeat(gutter);
        writeln!(out, "{pad} {}", style.paint("34", "|"))?;
        writeln!(out, "{} {} {shown}", start.line, style.paint("34", "|"))?;
        // Keep tabs under tabs so the caret lines up in a terminal.
        let lead: String = shown
            .chars()
            .take(caret_from)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let carets = "^".repeat(width.min(MAX_ECHO));
        writeln!(
            out,
            "{pad} {} {lead}{} {} {}",
            style.paint("34", "|"),
            style.paint(caret_code(finding.level), &carets),
            style.level(finding.level),
            finding.rule.name
        )?;
        for related in &finding.related {
            let position = related
                .location
                .source
                .position(related.location.span.start);
            writeln!(
                out,
                "{pad} = note: {} ({}:{}:{})",
                related.label,
                related.location.source.path(),
                position.line,
                position.column
            )?;
        }
        writeln!(out)?;
    }
    for notification in &report.notifications {
        writeln!(
            out,
            "{}: {}: {}",
            style.level(notification.level),
            notification.path,
            notification.message
        )?;
    }
    for included in &report.included {
        let counts = Report::included_counts(included);
        writeln!(
            out,
            "included {} from `{}`: {}, {}, {}",
            included.tool,
            included.path.display(),
            plural(counts.errors, "error", "errors"),
            plural(counts.warnings, "warning", "warnings"),
            plural(counts.notes, "note", "notes"),
        )?;
    }
    let line = summary(report);
    match line.strip_prefix("ok:") {
        Some(rest) => writeln!(out, "{}{rest}", style.paint("1;32", "ok:")),
        None => writeln!(out, "{line}"),
    }
}

/// The closing line: how many findings in how many files, of how many scanned; or why
/// nothing was scanned. Also written to stderr when the report goes to `--output`.
pub fn summary(report: &Report) -> String {
    let counts = report.counts();
    let policy = report.policy.as_str();
    let scanned = plural(report.files_scanned, "file", "files");
    if report.files_scanned == 0 {
        let skipped = match report.notifications.len() {
            0 => String::new(),
            n => format!(
                "; {} skipped (see the notes above)",
                plural(n, "file", "files")
            ),
        };
        return format!(
            "nothing scanned: no Dockerfile, compose file, workflow, action or Kubernetes \
             manifest under the given paths{skipped}"
        );
    }
    if counts.total() == 0 {
        return format!("ok: no findings ({scanned} scanned) at policy `{policy}`");
    }
    let mut paths: Vec<&str> = report
        .findings
        .iter()
        .map(|finding| finding.primary.source.path())
        .collect();
    paths.dedup();
    format!(
        "found {} in {} ({scanned} scanned) at policy `{policy}`: {}, {}, {}",
        plural(counts.total(), "finding", "findings"),
        plural(paths.len(), "file", "files"),
        plural(counts.errors, "error", "errors"),
        plural(counts.warnings, "warning", "warnings"),
        plural(counts.notes, "note", "notes"),
    )
}

fn caret_code(level: Level) -> &'static str {
    match level {
        Level::Error => "1;31",
        Level::Warning => "1;33",
        Level::Note => "1;36",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The part of `line` to echo and the 0-based char index of `column` within it.
fn echo_window(line: &str, column: usize) -> (String, usize) {
    let index = column.saturating_sub(1);
    let count = line.chars().count();
    if count <= MAX_ECHO {
        return (line.to_owned(), index);
    }
    let skip = index.saturating_sub(MAX_ECHO / 4);
    let shown: String = line.chars().skip(skip).take(MAX_ECHO).collect();
    (shown, index - skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_windowed_around_the_span() {
        let line = format!("{}TARGET{}", "x".repeat(1000), "y".repeat(1000));
        let (shown, at) = echo_window(&line, 1001);
        assert_eq!(shown.chars().count(), MAX_ECHO);
        assert!(
            shown
                .get(at..)
                .is_some_and(|rest| rest.starts_with("TARGET"))
        );
        let (short, at) = echo_window("FROM a", 6);
        assert_eq!((short.as_str(), at), ("FROM a", 5));
    }
}
