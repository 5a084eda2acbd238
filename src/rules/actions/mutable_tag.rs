//! PW202 action-mutable-tag: a version tag that is not a commit. At policy `version`, the
//! major-only and major.minor tags (`@v4`, `@v4.1`) that publishers move to each release; at
//! policy `digest`, every ref that is not a full commit SHA.

use crate::model::action_ref::{Precision, RefKind};
use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::{Level, PinPolicy};
use crate::rules::actions::Subject;
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW202",
    name: "action-mutable-tag",
    default_level: Level::Error,
    summary: "action reference is a tag, not a full commit SHA",
    help: include_str!("../../../docs/rules/PW202.md"),
    ecosystem: Ecosystem::Actions,
    min_policy: Some(PinPolicy::Version),
    tags: &["supply-chain", "pinning", "github-actions"],
    security_severity: "4.0",
    applies_to: FileKind::ACTIONS,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Action {
        precedence: 30,
        judge,
    }],
};

fn judge(subject: &Subject<'_>, cx: &CheckContext) -> Option<Finding> {
    let reference = subject.judged_ref()?;
    let git_ref = reference.git_ref.text;
    let digest = cx.policy(META.ecosystem) >= PinPolicy::Digest;
    let why = match reference.kind {
        RefKind::Commit { .. } => return None,
        RefKind::Version(version) if version.precision < Precision::Full => {
            format!(
                "the {} tag `{git_ref}`, which its publisher moves to new releases",
                version.precision
            )
        }
        RefKind::Version(_) if digest => format!("the tag `{git_ref}`, which can be moved"),
        // Reached only when PW201 is off: at `digest` every name that is not a commit.
        RefKind::BranchLike | RefKind::ShortHex if digest => {
            format!("`{git_ref}`, which is not a commit")
        }
        RefKind::Version(_) | RefKind::BranchLike | RefKind::ShortHex => return None,
    };
    Some(subject.ref_finding(
        &META,
        reference,
        format!(
            "{} uses {why}; pin the full commit SHA with a `# {git_ref}` comment",
            subject.describe()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::model::level::PinPolicy::{Digest, Tag, Version};
    use crate::rules::actions::test_support::verdict;

    #[test]
    fn tags_by_policy() {
        // (uses, flagged at tag, at version, at digest)
        let cases = [
            ("actions/checkout@v4", false, true, true),
            ("actions/checkout@v4.1", false, true, true),
            ("actions/setup-node@v2-node20", false, true, true),
            ("actions/checkout@v4.1.1", false, false, true),
            ("org/tool@1.2.3", false, false, true),
            ("org/tool@v2.0.0-beta.1", false, false, true),
            (
                "actions/checkout@0123456789abcdef0123456789abcdef01234567",
                false,
                false,
                false,
            ),
            ("actions/checkout@main", false, false, false), // PW201's
        ];
        for (uses, tag, version, digest) in cases {
            assert_eq!(verdict(uses, Tag) == Some("PW202"), tag, "{uses} at tag");
            assert_eq!(verdict(uses, Version) == Some("PW202"), version, "{uses}");
            assert_eq!(verdict(uses, Digest) == Some("PW202"), digest, "{uses}");
        }
    }
}
