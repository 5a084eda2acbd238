//! rustc/ruff-style text: `path:line:col: PWnnn message`, the source line, a caret under the
//! span, related locations as notes, then a summary. Colour only when asked (a terminal
//! without `NO_COLOR`; `main` decides).
//!
//! Everything taken from the scanned files (paths, messages, source lines) is made inert
//! (`escape`): no terminal escape, no line break, and no line the Actions runner would read
//! as a workflow command.

use std::io::{self, Write};

use crate::model::finding::BaselineState;
use crate::model::level::Level;
use crate::report::escape::{log_line, log_source_line, log_text};
use crate::report::{MAX_RELATED, MAX_SNIPPET_CHARS, Report, region, window};

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

pub fn render(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let style = Style { color };
    // Every line goes through `log_line`, so none can start a workflow command.
    let mut line = |text: String| writeln!(out, "{}", log_line(&text));
    let shown = report
        .findings
        .iter()
        .filter(|finding| report.show_suppressed || finding.suppression.is_none());
    for finding in shown {
        let (start, end) = region(&finding.primary);
        let secrets = report.finding_secrets(finding);
        line(format!(
            "{}:{}:{}: {} {}",
            style.paint("1", &display_path(finding.primary.source.path())),
            start.line,
            start.column,
            style.paint("1", finding.rule.id),
            log_text(&report.masked(&secrets, &finding.message))
        ))?;
        let gutter = start.line.to_string().len();
        let source_line = report.source_line(&secrets, &finding.primary.source, start.line);
        let (shown, caret_from) = window(
            &source_line,
            start.column.saturating_sub(1),
            MAX_SNIPPET_CHARS,
        );
        let width = if end.line == start.line {
            end.column.saturating_sub(start.column).max(1)
        } else {
            shown.chars().count().saturating_sub(caret_from).max(1)
        };
        let pad = " ".repeat(gutter);
        line(format!("{pad} {}", style.paint("34", "|")))?;
        line(format!(
            "{} {} {}",
            start.line,
            style.paint("34", "|"),
            log_source_line(&shown)
        ))?;
        // Keep tabs under tabs so the caret lines up in a terminal.
        let lead: String = shown
            .chars()
            .take(caret_from)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let carets = "^".repeat(width.min(MAX_SNIPPET_CHARS));
        line(format!(
            "{pad} {} {lead}{} {} {}",
            style.paint("34", "|"),
            style.paint(caret_code(finding.level), &carets),
            style.level(finding.level),
            finding.rule.name
        ))?;
        for related in finding.related.iter().take(MAX_RELATED) {
            let position = related
                .location
                .source
                .position(related.location.span.start);
            line(format!(
                "{pad} = note: {} ({}:{}:{})",
                log_text(&report.masked(&secrets, &related.label)),
                display_path(related.location.source.path()),
                position.line,
                position.column
            ))?;
        }
        if finding.baseline == Some(BaselineState::Unchanged) && finding.suppression.is_none() {
            line(format!(
                "{pad} = note: pre-existing ({}): not counted by the gate",
                log_text(report.compared_with.as_deref().unwrap_or("baseline"))
            ))?;
        }
        if finding.related.len() > MAX_RELATED {
            line(format!(
                "{pad} = note: and {} more related locations",
                finding.related.len() - MAX_RELATED
            ))?;
        }
        if let Some(suppression) = &finding.suppression {
            let position = suppression
                .location
                .source
                .position(suppression.location.span.start);
            let reason = suppression.justification.as_deref().map_or_else(
                || " (no reason given)".to_owned(),
                |reason| format!(": {}", log_text(&report.masked(&secrets, reason))),
            );
            line(format!(
                "{pad} = suppressed by the comment at {}:{}{reason}",
                display_path(suppression.location.source.path()),
                position.line,
            ))?;
        }
        line(String::new())?;
    }
    for notification in &report.notifications {
        line(format!(
            "{}: {}: {}",
            style.level(notification.level),
            display_path(&notification.path),
            log_text(&report.message(&notification.message))
        ))?;
    }
    for included in &report.included {
        let counts = Report::included_counts(included);
        line(format!(
            "included {} from `{}`: {}, {}, {}",
            log_text(&included.tool),
            log_text(&included.path.display().to_string()),
            plural(counts.errors, "error", "errors"),
            plural(counts.warnings, "warning", "warnings"),
            plural(counts.notes, "note", "notes"),
        ))?;
    }
    let summary = summary(report);
    let left_out = report.left_out_total();
    let note = if left_out > 0 {
        format!(" ({left_out} not shown: over the per-file limit)")
    } else {
        String::new()
    };
    match summary.strip_prefix("ok:") {
        Some(rest) => line(format!("{}{rest}", style.paint("1;32", "ok:"))),
        None => line(format!("{summary}{note}")),
    }
}

/// A display path at the start of a line: escaped, and never starting with `:` (a file
/// named `::error::x` is shown as `./::error::x`).
fn display_path(path: &str) -> String {
    let escaped = log_text(path);
    if escaped.starts_with(':') {
        format!("./{escaped}")
    } else {
        escaped.into_owned()
    }
}

/// The closing line: how many findings in how many files, of how many scanned; or why
/// nothing was scanned. Also written to stderr when the report goes to `--output`.
pub fn summary(report: &Report) -> String {
    let counts = report.counts();
    let policy = report.policy.to_string();
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
    // NOTE: the counts are those of the gate; suppressed findings are counted apart.
    let suppressed = match report.suppressed() {
        0 => String::new(),
        n => format!("; {n} suppressed"),
    };
    let pre_existing = match &report.compared_with {
        Some(compared_with) => format!(
            "; {} pre-existing ({}): not counted by the gate",
            report.pre_existing,
            log_text(compared_with)
        ),
        None => String::new(),
    };
    if counts.total() == 0 {
        return format!(
            "ok: no findings ({scanned} scanned) at policy `{policy}`{suppressed}{pre_existing}"
        );
    }
    let mut paths: Vec<&str> = report
        .findings
        .iter()
        .filter(|finding| finding.counts_for_gate())
        .map(|finding| finding.primary.source.path())
        .collect();
    paths.dedup();
    format!(
        "found {} in {} ({scanned} scanned) at policy `{policy}`: {}, {}, {}{suppressed}{pre_existing}",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_windowed_around_the_span() {
        let line = format!("{}TARGET{}", "x".repeat(1000), "y".repeat(1000));
        let (shown, at) = window(&line, 1000, MAX_SNIPPET_CHARS);
        // the window plus a cut mark at each end
        assert_eq!(shown.chars().count(), MAX_SNIPPET_CHARS + 2);
        assert!(shown.starts_with(crate::report::CUT) && shown.ends_with(crate::report::CUT));
        let rest: String = shown.chars().skip(at).collect();
        assert!(rest.starts_with("TARGET"), "{rest}");
        let (short, at) = window("FROM a", 5, MAX_SNIPPET_CHARS);
        assert_eq!((short.as_str(), at), ("FROM a", 5));
    }

    #[test]
    fn paths_never_start_a_command() {
        assert_eq!(
            display_path("::error::x/Dockerfile"),
            "./::error::x/Dockerfile"
        );
        assert_eq!(display_path("a\u{1b}b"), "a\\u{1b}b");
    }
}
