//! PW201 action-branch-ref: a `uses:` ref that is a branch (or any name that is not a version
//! tag or a full commit), or an abbreviated commit, which GitHub resolves as a name.

use crate::model::action_ref::RefKind;
use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::rules::actions::Subject;
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW201",
    name: "action-branch-ref",
    default_level: Level::Error,
    summary: "action reference names a branch-like ref or a short commit that can move",
    help: include_str!("../../../docs/rules/PW201.md"),
    ecosystem: Ecosystem::Actions,
    min_policy: None,
    tags: &["supply-chain", "security", "pinning", "github-actions"],
    security_severity: "7.0",
    applies_to: FileKind::ACTIONS,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Action {
        precedence: 20,
        judge,
    }],
};

fn judge(subject: &Subject<'_>, _cx: &CheckContext) -> Option<Finding> {
    let reference = subject.judged_ref()?;
    let git_ref = reference.git_ref.text;
    let why = match reference.kind {
        RefKind::BranchLike => format!(
            "`{git_ref}` is branch-like (a branch, or a tag that is not a version): it can be \
             moved to another commit at any time"
        ),
        RefKind::ShortHex => format!(
            "`{git_ref}` is not a commit pin: GitHub resolves a short hex ref as a branch or tag \
             name"
        ),
        RefKind::Commit { .. } | RefKind::Version(_) => return None,
    };
    Some(subject.ref_finding(
        &META,
        reference,
        format!(
            "{}: its ref {why}; pin the full commit SHA with a `# vX.Y.Z` comment",
            subject.describe()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::model::level::PinPolicy::{Digest, Tag, Version};
    use crate::rules::actions::test_support::verdict;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn branch_like_and_short_hex_refs() {
        // (uses, flagged at every policy)
        let pinned = format!("actions/checkout@{SHA}");
        let cases: &[(&str, bool)] = &[
            ("actions/checkout@main", true),
            ("actions/checkout@master", true),
            ("org/repo/path@release/v4", true),
            ("actions/checkout@5f2e1a9", true),
            ("actions/checkout@refs/heads/main", true),
            ("org/repo/.github/workflows/x.yml@main", true),
            ("actions/checkout@latest", true),
            ("actions/checkout@v4", false),
            ("actions/checkout@v4.1.1", false),
            (&pinned, false),
            ("./.github/actions/local", false),
            ("$/.github/actions/self", false),
        ];
        for (uses, flagged) in cases {
            for policy in [Tag, Version, Digest] {
                let got = verdict(uses, policy) == Some("PW201");
                assert_eq!(got, *flagged, "{uses} at {policy:?}");
            }
        }
    }
}
