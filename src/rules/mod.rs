//! The rule registry and its dispatcher: every rule's metadata and checks in one table, ordered
//! by id, and the one entry point that runs the enabled ones over a parsed document.
//!
//! The dispatcher, not the rule, decides whether a rule runs (file kind, the policy of its
//! ecosystem, on/off) and at which level its findings are reported. Rules that judge one image
//! or action occurrence are links of an ordered chain: each occurrence gets at most one finding
//! of its chain, from the first enabled link that returns one, so a disabled rule falls through
//! to the next.
//!
//! Rule ids and names are public API: never change or reuse one.

pub mod actions;
pub mod hardening;
pub mod images;
pub mod meta;
pub mod packages;
pub mod suppression;

use std::collections::BTreeMap;

use crate::model::action_ref::Uses;
use crate::model::allow::Allow;
use crate::model::finding::Finding;
use crate::model::image::ImageValue;
pub use crate::model::level::Policies;
use crate::model::level::{Level, PinPolicy};
pub use crate::model::rule::{Ecosystem, RuleMeta};
use crate::parse::{Document, Notice};

/// A rule: its public description and how it checks.
pub struct Rule {
    pub meta: &'static RuleMeta,
    pub checks: &'static [Check],
}

/// One way a rule checks a document.
pub enum Check {
    /// Reads the whole document.
    Document(fn(&Document, &CheckContext) -> Vec<Finding>),
    /// A link of the image chain: judges one image occurrence. Lower `precedence` runs first.
    Image {
        precedence: u8,
        judge: for<'a> fn(&images::Subject<'a>, &CheckContext) -> Option<Finding>,
    },
    /// A link of the action chain: judges one `uses:` occurrence.
    Action {
        precedence: u8,
        judge: for<'a> fn(&actions::Subject<'a>, &CheckContext) -> Option<Finding>,
    },
}

/// Every rule, ordered by id. SARIF `ruleIndex` is the position in this list.
pub static REGISTRY: &[&Rule] = &[
    &meta::parse_error::RULE,
    &meta::unused_suppression::RULE,
    &images::latest_tag::RULE,
    &images::untagged::RULE,
    &images::unresolved::RULE,
    &images::floating_tag::RULE,
    &images::not_digest_pinned::RULE,
    &actions::branch_ref::RULE,
    &actions::mutable_tag::RULE,
    &actions::lock_missing::RULE,
    &packages::apt::RULE,
    &packages::apk::RULE,
    &packages::rpm::RULE,
    &packages::pip::RULE,
    &packages::npm::RULE,
    &packages::gem::RULE,
    &packages::go::RULE,
    &packages::download_run::RULE,
    &packages::cargo::RULE,
    &hardening::runs_as_root::RULE,
    &hardening::no_new_privileges::RULE,
    &hardening::plaintext_secret::RULE,
];

/// Every rule's metadata, in registry order.
pub fn metas() -> impl Iterator<Item = &'static RuleMeta> {
    REGISTRY.iter().map(|rule| rule.meta)
}

/// Look a rule up by id (case-insensitive, so `explain pw101` works) or by name.
pub fn find(id_or_name: &str) -> Option<&'static RuleMeta> {
    metas().find(|meta| {
        meta.id.eq_ignore_ascii_case(id_or_name) || meta.name.eq_ignore_ascii_case(id_or_name)
    })
}

/// How one rule is configured (the config file of a later issue fills these in).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleSetting {
    /// The rule does not run.
    pub off: bool,
    /// Report at this level instead of the rule's default.
    pub level: Option<Level>,
}

/// Settings the checks read. Rules get settings only through here, never through globals.
#[derive(Clone, Debug, Default)]
pub struct CheckContext {
    pub policies: Policies,
    /// Per-rule settings, by rule id.
    pub rules: BTreeMap<&'static str, RuleSetting>,
    /// Images, actions and packages never flagged for pinning (the config file's `allow:`).
    pub allow: Allow,
    /// A suppression comment without a reason is itself a finding (`require-reason: true`).
    pub require_reason: bool,
}

impl CheckContext {
    /// One policy for every ecosystem, every rule at its default.
    pub fn with_policy(policy: PinPolicy) -> Self {
        Self {
            policies: Policies::all(policy),
            ..Self::default()
        }
    }

    /// The policy that applies to a rule of `ecosystem`. Rules outside the pinning
    /// ecosystems are not gated by a policy; they see the strictest of the three.
    pub fn policy(&self, ecosystem: Ecosystem) -> PinPolicy {
        match ecosystem {
            Ecosystem::Images => self.policies.images,
            Ecosystem::Actions => self.policies.actions,
            Ecosystem::Packages => self.policies.packages,
            Ecosystem::None => self
                .policies
                .images
                .max(self.policies.actions)
                .max(self.policies.packages),
        }
    }

    /// Does the rule run at all (not off, and its ecosystem's policy reaches its minimum)?
    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        let off = self.rules.get(meta.id).is_some_and(|setting| setting.off);
        !off && meta.enabled_at(self.policy(meta.ecosystem))
    }

    /// The level the rule's findings are reported at (a finding the rule reports at
    /// another level keeps it unless [`Self::configured_level`] is set).
    pub fn level(&self, meta: &RuleMeta) -> Level {
        self.configured_level(meta).unwrap_or(meta.default_level)
    }

    /// The level configured for the rule, if any: it overrides every finding's own level.
    pub fn configured_level(&self, meta: &RuleMeta) -> Option<Level> {
        self.rules.get(meta.id).and_then(|setting| setting.level)
    }
}

/// Notifications about what the enabled rules could not check in `document`: the scripts the
/// packages rules cannot read (non-POSIX shells), only when one of them runs on this file.
pub fn notices(document: &Document, cx: &CheckContext) -> Vec<Notice> {
    let reads_scripts = REGISTRY.iter().any(|rule| {
        rule.meta.ecosystem == Ecosystem::Packages
            && rule.meta.applies_to.contains(&document.kind)
            && cx.is_enabled(rule.meta)
    });
    if reads_scripts {
        packages::skipped_notices(document)
    } else {
        Vec::new()
    }
}

pub(crate) type ImageJudge = for<'a> fn(&images::Subject<'a>, &CheckContext) -> Option<Finding>;
type ActionJudge = for<'a> fn(&actions::Subject<'a>, &CheckContext) -> Option<Finding>;

/// Run every enabled check over one document. Pure: no I/O.
pub fn check(document: &Document, cx: &CheckContext) -> Vec<Finding> {
    let enabled: Vec<&Rule> = REGISTRY
        .iter()
        .copied()
        .filter(|rule| rule.meta.applies_to.contains(&document.kind) && cx.is_enabled(rule.meta))
        .collect();
    let mut findings = Vec::new();
    let mut image_chain: Vec<(u8, ImageJudge)> = Vec::new();
    let mut action_chain: Vec<(u8, ActionJudge)> = Vec::new();
    for rule in &enabled {
        for check in rule.checks {
            match check {
                Check::Document(check) => findings.extend(check(document, cx)),
                Check::Image { precedence, judge } => image_chain.push((*precedence, *judge)),
                Check::Action { precedence, judge } => action_chain.push((*precedence, *judge)),
            }
        }
    }
    image_chain.sort_by_key(|(precedence, _)| *precedence);
    action_chain.sort_by_key(|(precedence, _)| *precedence);
    if !image_chain.is_empty() {
        for image in &document.images {
            if allowed_image(&cx.allow, image) {
                continue;
            }
            findings.extend(images::judge(image, &image_chain, cx));
        }
    }
    if !action_chain.is_empty() {
        for action in &document.actions {
            let subject = actions::Subject::new(action);
            if let Uses::Action(reference) | Uses::ReusableWorkflow(reference) = &subject.uses
                && allowed_action(&cx.allow, reference)
            {
                continue;
            }
            findings.extend(
                action_chain
                    .iter()
                    .find_map(|(_, judge)| judge(&subject, cx)),
            );
        }
    }
    if !cx.allow.packages.is_empty() {
        findings.retain(|finding| {
            finding.rule.ecosystem != Ecosystem::Packages
                || !cx.allow.package(finding.rule.id, finding.primary.text())
        });
    }
    // NOTE: a rule may report a finding below its default level (PW001 reports a duplicate
    // key that holds nothing pinwarden judges as a note); a level configured for the rule
    // applies to all its findings.
    for finding in &mut findings {
        if let Some(level) = cx.configured_level(finding.rule) {
            finding.level = level;
        }
    }
    findings
}

/// Is the image allowed by the config file, as written or as it resolves?
fn allowed_image(allow: &Allow, image: &crate::model::image::ImageUse) -> bool {
    if allow.images.is_empty() {
        return false;
    }
    match &image.value {
        ImageValue::Resolved(text) => allow.image(text),
        ImageValue::PerPlatform(values) => values.iter().all(|text| allow.image(text)),
        ImageValue::Unresolved(_) => allow.image(image.written()),
    }
}

/// Is the action (`owner/repo[/path]@ref`) allowed by the config file?
fn allowed_action(allow: &Allow, reference: &crate::model::action_ref::RepositoryRef<'_>) -> bool {
    if allow.actions.is_empty() {
        return false;
    }
    let mut name = format!("{}/{}", reference.owner.text, reference.repo.text);
    if let Some(path) = &reference.path {
        name.push('/');
        name.push_str(path.text.trim_start_matches('/'));
    }
    allow.action(&name, reference.git_ref.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids, names and levels are public API: this snapshot changes only when a rule is added.
    #[test]
    fn registry_is_stable_ordered_and_unique() {
        let table: Vec<(&str, &str, Level)> = metas()
            .map(|rule| (rule.id, rule.name, rule.default_level))
            .collect();
        assert_eq!(
            table,
            vec![
                ("PW001", "parse-error", Level::Error),
                ("PW002", "unused-suppression", Level::Note),
                ("PW101", "image-latest-tag", Level::Error),
                ("PW102", "image-untagged", Level::Error),
                ("PW103", "image-unresolved", Level::Warning),
                ("PW104", "image-floating-tag", Level::Error),
                ("PW105", "image-not-digest-pinned", Level::Error),
                ("PW201", "action-branch-ref", Level::Error),
                ("PW202", "action-mutable-tag", Level::Error),
                ("PW203", "action-lock-missing", Level::Error),
                ("PW301", "apt-package-unpinned", Level::Error),
                ("PW302", "apk-package-unpinned", Level::Error),
                ("PW303", "rpm-package-unpinned", Level::Error),
                ("PW304", "pip-package-unpinned", Level::Error),
                ("PW305", "npm-package-unpinned", Level::Error),
                ("PW306", "gem-package-unpinned", Level::Error),
                ("PW307", "go-package-unpinned", Level::Error),
                ("PW308", "download-then-run", Level::Error),
                ("PW309", "cargo-package-unpinned", Level::Error),
                ("PW401", "runs-as-root", Level::Warning),
                ("PW402", "no-new-privileges-missing", Level::Note),
                ("PW403", "plaintext-secret", Level::Error),
            ]
        );
        let ids: Vec<&str> = metas().map(|rule| rule.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "registry not ordered by id, or a duplicate id");
        let mut names: Vec<&str> = metas().map(|rule| rule.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len(), "duplicate rule name");
    }

    /// The gate follows the policy: whatever a policy asks for is an error, so the default
    /// gate (`--fail-on error`) fails on every violation of the chosen policy, for images,
    /// actions and packages alike. Only a rule that cannot decide (an unresolvable value) is
    /// less. README "What fails the default gate" is this rule.
    #[test]
    fn a_policy_violation_is_an_error() {
        for rule in metas() {
            if rule.ecosystem == Ecosystem::None {
                continue;
            }
            let expected = if rule.id == "PW103" {
                Level::Warning
            } else {
                Level::Error
            };
            assert_eq!(rule.default_level, expected, "{}", rule.id);
        }
    }

    /// Two links of one chain with the same precedence would run in registry order by
    /// accident; every chain has a strict order.
    #[test]
    fn chain_precedences_are_unique() {
        let mut images = Vec::new();
        let mut actions = Vec::new();
        for rule in REGISTRY {
            for check in rule.checks {
                match check {
                    Check::Image { precedence, .. } => images.push(*precedence),
                    Check::Action { precedence, .. } => actions.push(*precedence),
                    Check::Document(_) => {}
                }
            }
        }
        for chain in [&mut images, &mut actions] {
            let count = chain.len();
            chain.sort_unstable();
            chain.dedup();
            assert_eq!(chain.len(), count, "two links share a precedence");
        }
    }

    #[test]
    fn help_pages_start_with_their_title() {
        for rule in metas() {
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
    fn find_by_id_or_name_case_insensitively() {
        assert_eq!(find("pw101").map(|rule| rule.id), Some("PW101"));
        assert_eq!(
            find("image-floating-tag").map(|rule| rule.id),
            Some("PW104")
        );
        assert!(find("PW999").is_none());
    }

    #[test]
    fn the_dispatcher_applies_policy_and_settings() {
        let floating = &images::floating_tag::META;
        assert!(!CheckContext::with_policy(PinPolicy::Tag).is_enabled(floating));
        assert!(CheckContext::with_policy(PinPolicy::Version).is_enabled(floating));
        let digest = &images::not_digest_pinned::META;
        assert!(!CheckContext::with_policy(PinPolicy::Version).is_enabled(digest));
        assert!(CheckContext::with_policy(PinPolicy::Digest).is_enabled(digest));
        let mut cx = CheckContext::with_policy(PinPolicy::Digest);
        cx.rules.insert(
            "PW105",
            RuleSetting {
                off: true,
                level: None,
            },
        );
        assert!(!cx.is_enabled(digest));
        cx.rules.insert(
            "PW104",
            RuleSetting {
                off: false,
                level: Some(Level::Error),
            },
        );
        assert_eq!(cx.level(floating), Level::Error);
        assert_eq!(cx.level(digest), Level::Error);
        cx.rules.insert(
            "PW104",
            RuleSetting {
                off: false,
                level: Some(Level::Note),
            },
        );
        assert_eq!(cx.level(floating), Level::Note);
    }
}
