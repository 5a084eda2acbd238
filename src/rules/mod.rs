//! The rule registry: every rule's public metadata, ordered by id, and the one entry point
//! that runs the checks over a parsed document.
//!
//! Rule ids and names are public API: never change or reuse one.

pub mod images;
pub mod meta;

use crate::discover::FileKind;
use crate::model::finding::Finding;
use crate::model::level::{Level, PinPolicy};
use crate::parse::Document;

/// Static description of a rule: what `pinwarden rules`, `explain`, the README table and
/// SARIF `tool.driver.rules` all read.
#[derive(Debug)]
pub struct RuleMeta {
    /// `PWnnn`; stable.
    pub id: &'static str,
    /// kebab-case; stable.
    pub name: &'static str,
    pub default_level: Level,
    /// One sentence, lowercase, no trailing period.
    pub summary: &'static str,
    /// The help page (markdown), embedded from `docs/rules/PWnnn.md`.
    pub help: &'static str,
    /// The lowest policy at which the rule runs (`None`: always).
    pub min_policy: Option<PinPolicy>,
    /// SARIF `properties.tags`.
    pub tags: &'static [&'static str],
    /// GitHub's `security-severity` (a number 0.0–10.0, as a string).
    pub security_severity: &'static str,
    pub applies_to: &'static [FileKind],
}

impl RuleMeta {
    /// The help page's URL, for SARIF `helpUri` and text output.
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/main/docs/rules/{}.md",
            env!("CARGO_PKG_REPOSITORY"),
            self.id
        )
    }

    /// Does the rule run under `policy`?
    pub fn enabled_at(&self, policy: PinPolicy) -> bool {
        self.min_policy.is_none_or(|min| policy >= min)
    }

    /// The help page without its `# PWnnn name` title line, for SARIF `help`.
    pub fn help_body(&self) -> &'static str {
        match self.help.split_once('\n') {
            Some((first, rest)) if first.starts_with("# ") => rest.trim_start_matches('\n'),
            _ => self.help,
        }
    }
}

/// Every rule, ordered by id. SARIF `ruleIndex` is the position in this list.
pub static REGISTRY: &[&RuleMeta] = &[
    &meta::parse_error::META,
    &images::latest_tag::META,
    &images::untagged::META,
    &images::unresolved::META,
    &images::floating_tag::META,
    &images::not_digest_pinned::META,
];

/// Look a rule up by id (case-insensitive, so `explain pw101` works).
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    REGISTRY
        .iter()
        .copied()
        .find(|rule| rule.id.eq_ignore_ascii_case(id))
}

/// Settings the checks read. Rules get settings only through here, never through globals.
#[derive(Clone, Copy, Debug)]
pub struct CheckContext {
    pub policy: PinPolicy,
}

/// Run every enabled check over one document. Pure: no I/O.
pub fn check(document: &Document, cx: &CheckContext) -> Vec<Finding> {
    let mut findings = meta::parse_error::check(document);
    findings.extend(images::check(document, cx));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids, names and levels are public API: this snapshot changes only when a rule is added.
    #[test]
    fn registry_is_stable_ordered_and_unique() {
        let table: Vec<(&str, &str, Level)> = REGISTRY
            .iter()
            .map(|rule| (rule.id, rule.name, rule.default_level))
            .collect();
        assert_eq!(
            table,
            vec![
                ("PW001", "parse-error", Level::Error),
                ("PW101", "image-latest-tag", Level::Error),
                ("PW102", "image-untagged", Level::Error),
                ("PW103", "image-unresolved", Level::Warning),
                ("PW104", "image-floating-tag", Level::Warning),
                ("PW105", "image-not-digest-pinned", Level::Warning),
            ]
        );
        let mut ids: Vec<&str> = REGISTRY.iter().map(|rule| rule.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), REGISTRY.len(), "duplicate rule id");
        let mut names: Vec<&str> = REGISTRY.iter().map(|rule| rule.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len(), "duplicate rule name");
    }

    #[test]
    fn help_pages_start_with_their_title() {
        for rule in REGISTRY {
            let title = format!("# {} {}\n", rule.id, rule.name);
            assert!(rule.help.starts_with(&title), "{} help title", rule.id);
            assert!(
                rule.help_body().starts_with("## What it flags"),
                "{} body",
                rule.id
            );
        }
    }

    #[test]
    fn find_is_case_insensitive() {
        assert_eq!(find("pw101").map(|rule| rule.id), Some("PW101"));
        assert!(find("PW999").is_none());
    }

    #[test]
    fn policy_gates() {
        let floating = &images::floating_tag::META;
        assert!(!floating.enabled_at(PinPolicy::Tag));
        assert!(floating.enabled_at(PinPolicy::Version));
        let digest = &images::not_digest_pinned::META;
        assert!(!digest.enabled_at(PinPolicy::Version));
        assert!(digest.enabled_at(PinPolicy::Digest));
    }
}
