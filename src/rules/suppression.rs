//! Inline suppressions applied to findings, after every file's checks: a finding on a line a
//! `# pinwarden:ignore` comment covers (or in a file with `# pinwarden:ignore-file`) for its rule
//! keeps being reported, carrying the suppression, and no longer counts for the gate. What
//! suppresses nothing becomes a PW002 finding (`meta::unused_suppression`).
//!
//! It runs over the whole scan, not one document: a compose file's PW403 finding can sit in the
//! `.env` beside it, and the `.env`'s comments suppress it.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::location::Location;
use crate::model::rule::RuleMeta;
use crate::model::source::SourceFile;
use crate::model::suppression::Suppression;
use crate::parse::Document;
use crate::parse::suppression::{Directive, Scope, directives};
use crate::rules::meta::unused_suppression::{self, Problem};
use crate::rules::{self, CheckContext};

/// The suppression comments of one scanned file.
#[derive(Debug)]
pub struct FileSuppressions {
    source: Arc<SourceFile>,
    kind: FileKind,
    directives: Vec<Directive>,
}

/// The suppressions of `document`, if it has any.
pub fn collect(document: &Document) -> Option<FileSuppressions> {
    let found = directives(&document.source, &document.comments, document.kind);
    (!found.is_empty()).then(|| FileSuppressions {
        source: Arc::clone(&document.source),
        kind: document.kind,
        directives: found,
    })
}

/// Where a rule named in a suppression is: (file, directive, token) indexes.
type At = (usize, usize, usize);

/// The rule each suppression token names, whether it suppressed something, and an index
/// from (file, line or whole file, rule id) to the tokens that cover it.
struct Table {
    /// `rules[file][directive][token]`: `None` when the token names no rule.
    rules: Vec<Vec<Vec<Option<&'static RuleMeta>>>>,
    used: Vec<Vec<Vec<bool>>>,
    /// `None` as the line: an `ignore-file` suppression.
    cover: BTreeMap<(usize, Option<usize>, &'static str), Cover>,
}

/// The tokens that cover one (file, line, rule).
struct Cover {
    /// Line suppressions before file ones, each in file order.
    at: Vec<At>,
    /// Its tokens are marked used already: a second finding need not mark them again (a
    /// hostile file can have many of both on one line).
    marked: bool,
}

impl Table {
    fn new(files: &[FileSuppressions]) -> Self {
        let mut rules = Vec::with_capacity(files.len());
        let mut used = Vec::with_capacity(files.len());
        let mut cover: BTreeMap<(usize, Option<usize>, &'static str), Cover> = BTreeMap::new();
        for (file_index, file) in files.iter().enumerate() {
            let mut file_rules = Vec::with_capacity(file.directives.len());
            let mut file_used = Vec::with_capacity(file.directives.len());
            for (directive_index, directive) in file.directives.iter().enumerate() {
                let resolved: Vec<Option<&'static RuleMeta>> = directive
                    .rules
                    .iter()
                    .map(|token| rules::find(&token.text))
                    .collect();
                let line = match directive.scope {
                    Scope::Line(line) => Some(Some(line)),
                    Scope::File => Some(None),
                    Scope::MisplacedFile | Scope::Malformed => None,
                };
                for (token_index, rule) in resolved.iter().enumerate() {
                    if let (Some(line), Some(rule)) = (line, rule) {
                        cover
                            .entry((file_index, line, rule.id))
                            .or_insert_with(|| Cover {
                                at: Vec::new(),
                                marked: false,
                            })
                            .at
                            .push((file_index, directive_index, token_index));
                    }
                }
                file_used.push(vec![false; resolved.len()]);
                file_rules.push(resolved);
            }
            rules.push(file_rules);
            used.push(file_used);
        }
        Self { rules, used, cover }
    }

    fn rule(&self, (file, directive, token): At) -> Option<&'static RuleMeta> {
        self.rules
            .get(file)
            .and_then(|rules| rules.get(directive))
            .and_then(|rules| rules.get(token))
            .copied()
            .flatten()
    }

    fn is_used(&self, (file, directive, token): At) -> bool {
        self.used
            .get(file)
            .and_then(|used| used.get(directive))
            .and_then(|used| used.get(token))
            .copied()
            .unwrap_or(false)
    }

    /// The first token that covers `rule` on `line` of `file` (or in the whole file), marking
    /// every covering token used.
    fn cover(&mut self, file: usize, line: usize, rule: &'static str) -> Option<At> {
        let mut first = None;
        for key in [(file, Some(line), rule), (file, None, rule)] {
            let Some(cover) = self.cover.get_mut(&key) else {
                continue;
            };
            first = first.or_else(|| cover.at.first().copied());
            if cover.marked {
                continue;
            }
            cover.marked = true;
            for &(file, directive, token) in &cover.at {
                if let Some(slot) = self
                    .used
                    .get_mut(file)
                    .and_then(|used| used.get_mut(directive))
                    .and_then(|used| used.get_mut(token))
                {
                    *slot = true;
                }
            }
        }
        first
    }
}

/// Mark every finding a suppression covers, then add a PW002 finding for each suppression
/// that covers nothing (or has another problem). `findings` is every finding of the scan.
pub fn apply(findings: &mut Vec<Finding>, files: &[FileSuppressions], cx: &CheckContext) {
    if files.is_empty() {
        return;
    }
    let by_path: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(index, file)| (file.source.path(), index))
        .collect();
    let mut table = Table::new(files);
    let pw002 = &unused_suppression::META;
    // The other rules' findings first; then PW002's own, which a suppression may name too.
    for finding in findings.iter_mut() {
        suppress(finding, files, &by_path, &mut table);
    }
    let mut own = if cx.is_enabled(pw002) {
        problems(files, &table, cx, false)
    } else {
        Vec::new()
    };
    for finding in &mut own {
        suppress(finding, files, &by_path, &mut table);
    }
    if cx.is_enabled(pw002) {
        own.extend(problems(files, &table, cx, true));
    }
    findings.extend(own);
}

/// Attach the first suppression that covers `finding` (a line suppression before a file one)
/// and mark every token that covers it as used.
fn suppress(
    finding: &mut Finding,
    files: &[FileSuppressions],
    by_path: &BTreeMap<&str, usize>,
    table: &mut Table,
) {
    let Some(&file_index) = by_path.get(finding.primary.source.path()) else {
        return;
    };
    let line = finding.primary.source.line(finding.primary.span.start);
    let Some((_, directive, _)) = table.cover(file_index, line, finding.rule.id) else {
        return;
    };
    let Some(file) = files.get(file_index) else {
        return;
    };
    if let Some(directive) = file.directives.get(directive) {
        finding.suppression = Some(Suppression {
            justification: directive.reason.clone(),
            location: Location::new(Arc::clone(&file.source), directive.comment),
        });
    }
}

/// The PW002 findings: with `own` false, every problem except unused tokens naming PW002
/// itself; with `own` true, only those (decided once PW002's findings were matched).
fn problems(
    files: &[FileSuppressions],
    table: &Table,
    cx: &CheckContext,
    own: bool,
) -> Vec<Finding> {
    let mut found = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        let at = |span| Location::new(Arc::clone(&file.source), span);
        for (directive_index, directive) in file.directives.iter().enumerate() {
            if !own {
                let problem = match directive.scope {
                    Scope::Malformed => Some(Problem::Malformed),
                    Scope::MisplacedFile => Some(Problem::MisplacedFile),
                    Scope::Line(_) | Scope::File if directive.rules.is_empty() => {
                        Some(Problem::NoRule)
                    }
                    Scope::Line(_) | Scope::File
                        if cx.require_reason && directive.reason.is_none() =>
                    {
                        Some(Problem::NoReason)
                    }
                    Scope::Line(_) | Scope::File => None,
                };
                if let Some(problem) = problem {
                    found.push(unused_suppression::finding(
                        at(directive.comment),
                        problem,
                        cx,
                    ));
                }
            }
            let line = match directive.scope {
                Scope::Line(line) => Some(line),
                Scope::File => None,
                // Covers nothing, already reported whole.
                Scope::MisplacedFile | Scope::Malformed => continue,
            };
            for (token_index, token) in directive.rules.iter().enumerate() {
                let index = (file_index, directive_index, token_index);
                let rule = table.rule(index);
                let names_pw002 = rule.is_some_and(|rule| rule.id == unused_suppression::META.id);
                if names_pw002 != own {
                    continue;
                }
                let problem = match rule {
                    None => Problem::Unknown(&token.text),
                    Some(rule) if !table.is_used(index) && ran_on(rule, file.kind, cx) => {
                        Problem::Unused { rule, line }
                    }
                    Some(_) => continue,
                };
                found.push(unused_suppression::finding(at(token.span), problem, cx));
            }
        }
    }
    found
}

/// Did `rule` run where its findings can land in a file of `kind`? A suppression of a rule
/// that did not (off, below its policy, not for this kind of file) is not unused: it waits
/// for a configuration that runs the rule.
fn ran_on(rule: &RuleMeta, kind: FileKind, cx: &CheckContext) -> bool {
    // NOTE: a compose file's checks report in its `.env` (PW403 on a secret set there).
    let reporters: &[FileKind] = match kind {
        FileKind::Env => &[FileKind::Env, FileKind::Compose],
        _ => std::slice::from_ref(&kind),
    };
    cx.is_enabled(rule) && reporters.iter().any(|kind| rule.applies_to.contains(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::level::{Level, PinPolicy};
    use crate::parse::{ParseContext, parse};
    use crate::rules::RuleSetting;

    fn run(path: &str, kind: FileKind, text: &str, cx: &CheckContext) -> Vec<Finding> {
        let source = Arc::new(SourceFile::new(path, text));
        let document = parse(source, kind, &ParseContext::default());
        let mut findings = rules::check(&document, cx);
        let files: Vec<FileSuppressions> = collect(&document).into_iter().collect();
        apply(&mut findings, &files, cx);
        findings
    }

    /// (rule id, line, suppressed)
    fn summary(findings: &[Finding]) -> Vec<(&'static str, usize, bool)> {
        let mut rows: Vec<_> = findings
            .iter()
            .map(|finding| {
                let line = finding
                    .primary
                    .source
                    .position(finding.primary.span.start)
                    .line;
                (finding.rule.id, line, finding.suppression.is_some())
            })
            .collect();
        rows.sort_unstable();
        rows
    }

    #[test]
    fn same_line_line_above_and_file() {
        let cx = CheckContext::with_policy(PinPolicy::Version);
        let text = "# pinwarden:ignore-file PW401 -- runs as root on purpose\n\
                    # pinwarden:ignore PW101 -- a test image\n\
                    FROM alpine:latest\n\
                    FROM python:3\n\
                    # pinwarden:ignore image-floating-tag\n\
                    FROM node:20\n";
        let findings = run("Dockerfile", FileKind::Dockerfile, text, &cx);
        assert_eq!(
            summary(&findings),
            vec![
                ("PW101", 3, true),
                ("PW104", 4, false),
                ("PW104", 6, true),
                ("PW401", 6, true),
            ]
        );
        let justification = findings
            .iter()
            .find(|finding| finding.rule.id == "PW101")
            .and_then(|finding| finding.suppression.as_ref())
            .and_then(|suppression| suppression.justification.clone());
        assert_eq!(justification.as_deref(), Some("a test image"));
    }

    #[test]
    fn unused_unknown_and_reasonless() {
        let mut cx = CheckContext::with_policy(PinPolicy::Version);
        let text = "services:\n  web:\n    image: nginx:1.27.2 # pinwarden:ignore PW101, PW10l\n    user: \"1000\" # pinwarden:ignore PW105 -- digest policy only\n";
        let findings = run("compose.yaml", FileKind::Compose, text, &cx);
        let messages: Vec<&str> = findings
            .iter()
            .filter(|finding| finding.rule.id == "PW002")
            .map(|finding| finding.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "suppression of `PW101` (image-latest-tag) matches no finding on line 3: remove it",
                "unknown rule `PW10l` in a suppression; did you mean `PW101` (image-latest-tag)?",
            ],
            "PW105 does not run at policy version: not unused"
        );
        assert!(
            findings
                .iter()
                .filter(|finding| finding.rule.id == "PW002")
                .all(|finding| finding.level == Level::Note)
        );
        cx.require_reason = true;
        let findings = run("compose.yaml", FileKind::Compose, text, &cx);
        let reasonless = findings
            .iter()
            .filter(|finding| finding.message.contains("gives no reason"))
            .count();
        assert_eq!(reasonless, 1);
    }

    #[test]
    fn pw002_follows_its_settings_and_can_be_suppressed() {
        let text = "# pinwarden:ignore-file PW002 -- migrating\n# pinwarden:ignore PW101\nFROM a:1.2.3@sha256:0000000000000000000000000000000000000000000000000000000000000000\nUSER app\n";
        let cx = CheckContext::with_policy(PinPolicy::Digest);
        let findings = run("Dockerfile", FileKind::Dockerfile, text, &cx);
        assert_eq!(summary(&findings), vec![("PW002", 2, true)]);
        let mut cx = cx;
        cx.rules.insert(
            "PW002",
            RuleSetting {
                off: false,
                level: Some(Level::Warning),
            },
        );
        let text = "# pinwarden:ignore PW101\nFROM a:1.2.3@sha256:0000000000000000000000000000000000000000000000000000000000000000\nUSER app\n";
        let findings = run("Dockerfile", FileKind::Dockerfile, text, &cx);
        assert_eq!(
            findings
                .iter()
                .map(|f| (f.rule.id, f.level))
                .collect::<Vec<_>>(),
            [("PW002", Level::Warning)]
        );
        cx.rules.insert(
            "PW002",
            RuleSetting {
                off: true,
                level: None,
            },
        );
        assert!(run("Dockerfile", FileKind::Dockerfile, text, &cx).is_empty());
    }
}
