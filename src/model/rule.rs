//! A rule's public description: what `pinwarden rules`, `explain`, the README table and SARIF
//! `tool.driver.rules` read, and what every finding points at. The checks themselves live in
//! `rules/`; this is vocabulary, so findings and reports need nothing from `rules/`.
//!
//! Rule ids and names are public API: never change or reuse one.

use crate::model::kind::FileKind;
use crate::model::level::{Level, PinPolicy};

/// What a rule judges, which decides the policy that applies to it (the config file can set a
/// policy per ecosystem).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Container image references (PW1xx).
    Images,
    /// GitHub Action references (PW2xx).
    Actions,
    /// Packages installed from shell (PW3xx).
    Packages,
    /// Not about pinning (PW0xx parse problems, PW4xx hardening): no policy gates it.
    None,
}

/// Static description of a rule.
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
    /// What the rule judges, for its policy.
    pub ecosystem: Ecosystem,
    /// The lowest policy at which the rule runs (`None`: always).
    pub min_policy: Option<PinPolicy>,
    /// SARIF `properties.tags`.
    pub tags: &'static [&'static str],
    /// GitHub's `security-severity` (a number 0.0–10.0, as a string).
    pub security_severity: &'static str,
    /// The file kinds the rule reads; the dispatcher runs it on nothing else.
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

    /// Does the rule run under `policy` (the policy of its ecosystem)?
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
