//! GitHub workflow commands (`::error file=…,line=…::message`): inline annotations on the
//! pull request, which work even where code scanning is not enabled.
//!
//! Escaping follows the runner's rules (actions/toolkit `command.ts`): data escapes `%`,
//! `\r`, `\n`; property values also escape `:` and `,`.

use std::io::{self, Write};

use crate::model::level::Level;
use crate::report::{Report, region};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        let (start, end) = region(&finding.primary);
        let mut properties = format!(
            "file={},line={},col={}",
            escape_property(finding.primary.source.path()),
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
            escape_property(&format!("{} {}", finding.rule.id, finding.rule.name))
        ));
        writeln!(
            out,
            "::{} {properties}::{}",
            command(finding.level),
            escape_data(&finding.message)
        )?;
    }
    for notification in &report.notifications {
        writeln!(
            out,
            "::{} file={}::{}",
            command(notification.level),
            escape_property(&notification.path),
            escape_data(&notification.message)
        )?;
    }
    Ok(())
}

fn command(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "notice",
    }
}

pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        // (input, data, property)
        let cases = [
            ("a%b", "a%25b", "a%25b"),
            ("line\nnext\r", "line%0Anext%0D", "line%0Anext%0D"),
            ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ];
        for (input, data, property) in cases {
            assert_eq!(escape_data(input), data);
            assert_eq!(escape_property(input), property);
        }
    }
}
