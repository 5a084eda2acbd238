//! PW203 action-lock-missing: a workflow is onboarded to GitHub's workflow lockfile
//! (`.github/workflows/actions.lock`) but one of its step `uses:` has no lock entry, so
//! GitHub refuses to start the run.

use crate::model::action::LockState;
use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::parse::Document;
use crate::rules::actions::{Subject, lock_related};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW203",
    name: "action-lock-missing",
    default_level: Level::Error,
    summary: "workflow is onboarded to actions.lock but this reference has no lock entry",
    help: include_str!("../../../docs/rules/PW203.md"),
    ecosystem: Ecosystem::Actions,
    min_policy: None,
    tags: &["supply-chain", "security", "pinning", "github-actions"],
    security_severity: "7.0",
    applies_to: &[FileKind::Workflow],
};

/// NOTE: not a link of the action chain: a missing lock entry is a fact about the lockfile,
/// independent of how the ref itself is pinned, which PW201/PW202 still judge.
pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Document(check)],
};

fn check(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    document
        .actions
        .iter()
        .filter(|action| matches!(action.lock, LockState::Missing { .. }))
        .map(|action| {
            let subject = Subject::new(action);
            Finding::new(
                &META,
                action.location.clone(),
                format!(
                    "{} has no entry in `actions.lock`, which this workflow is onboarded to: \
                     GitHub refuses to start the run; run `gh actions-lock` to add it",
                    subject.describe()
                ),
            )
            .with_related(lock_related(&action.lock))
        })
        .collect()
}
