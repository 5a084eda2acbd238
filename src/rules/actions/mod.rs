//! PW2xx: GitHub Action references. Every workflow and action parser hands over its `uses:`
//! occurrences (`ActionUse`); this module parses each value once and gives it to the chain:
//! PW001 (an expression or an invalid value), then PW201 (branch-like ref), then PW202 (a tag
//! that is not a full commit). A reference pinned by `actions.lock` is judged by the lockfile
//! (PW203), not by its ref.

pub mod branch_ref;
pub mod lock_missing;
pub mod mutable_tag;

use crate::model::action::{ActionUse, LockState};
use crate::model::action_ref::{RepositoryRef, Uses, parse_uses};
use crate::model::finding::Finding;
use crate::model::location::{Location, Related, Span};
use crate::model::rule::RuleMeta;

/// One `uses:` occurrence as the chain sees it.
pub struct Subject<'a> {
    pub action: &'a ActionUse,
    /// The parsed value.
    pub uses: Uses<'a>,
}

impl<'a> Subject<'a> {
    pub fn new(action: &'a ActionUse) -> Self {
        Self {
            action,
            uses: parse_uses(action.written()),
        }
    }

    /// The repository reference whose ref the PW201/PW202 links judge: not for exempt
    /// values (local, `$/`, `docker://`), invalid ones, or one the lockfile pins.
    pub fn judged_ref(&self) -> Option<&RepositoryRef<'a>> {
        if matches!(self.action.lock, LockState::Locked { .. }) {
            return None;
        }
        self.uses.repository()
    }

    /// The file location of `span` (a range of the decoded value); the whole value when the
    /// value is written with escapes and cannot be mapped byte for byte.
    pub fn location_of(&self, span: Span) -> Location {
        let location = &self.action.location;
        let exact = location.text().len() == self.action.written().len()
            && location.text().get(span.start..span.end).is_some();
        if exact {
            Location::new(
                location.source.clone(),
                Span::new(
                    location.span.start + span.start,
                    location.span.start + span.end,
                ),
            )
        } else {
            location.clone()
        }
    }

    /// A finding of `rule` on the ref after `@`.
    pub(crate) fn ref_finding(
        &self,
        rule: &'static RuleMeta,
        reference: &RepositoryRef<'_>,
        message: String,
    ) -> Finding {
        Finding::new(rule, self.location_of(reference.git_ref.span), message)
    }

    /// How messages name the action: "action `actions/checkout@v4` in step 2 of job `build`".
    pub fn describe(&self) -> String {
        let noun = match self.uses {
            Uses::ReusableWorkflow(_) => "reusable workflow",
            _ => "action",
        };
        format!(
            "{noun} `{}` in {}",
            self.action.written(),
            self.action.origin
        )
    }
}

/// The related location of a lock entry, for messages that mention the lockfile.
pub(crate) fn lock_related(state: &LockState) -> Vec<Related> {
    match state {
        LockState::Missing { workflow } => vec![Related {
            location: workflow.clone(),
            label: "the workflow is onboarded to the lockfile here".to_owned(),
        }],
        LockState::Locked { entry } => vec![Related {
            location: entry.clone(),
            label: "locked here".to_owned(),
        }],
        LockState::Unlocked => Vec::new(),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use crate::model::action::{ActionUse, LockState};
    use crate::model::kind::FileKind;
    use crate::model::level::PinPolicy;
    use crate::model::location::{Location, Span};
    use crate::model::origin::Origin;
    use crate::model::source::SourceFile;
    use crate::parse::Document;
    use crate::rules::CheckContext;

    /// The id of the one finding `uses` (a step's value) gets under `policy`, if any.
    pub(crate) fn verdict(uses: &str, policy: PinPolicy) -> Option<&'static str> {
        let text = format!("      - uses: {uses}\n");
        let source = Arc::new(SourceFile::new(".github/workflows/ci.yml", text));
        let action = ActionUse {
            location: Location::new(source.clone(), Span::new(14, 14 + uses.len())),
            origin: Origin::Step {
                job: "j".to_owned(),
                number: 1,
            },
            lock: LockState::Unlocked,
        };
        let document = Document {
            actions: vec![action],
            ..Document::empty(source, FileKind::Workflow)
        };
        let findings = crate::rules::check(&document, &CheckContext::with_policy(policy));
        assert!(
            findings.len() <= 1,
            "one finding per reference: {findings:?}"
        );
        findings.first().map(|finding| finding.rule.id)
    }
}
