//! PW105 image-not-digest-pinned: no `@sha256:` digest. Runs at policy `digest` only.

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::{Level, PinPolicy};
use crate::rules::images::Subject;
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW105",
    name: "image-not-digest-pinned",
    default_level: Level::Error,
    summary: "image reference is not pinned by an immutable digest",
    help: include_str!("../../../docs/rules/PW105.md"),
    ecosystem: Ecosystem::Images,
    min_policy: Some(PinPolicy::Digest),
    tags: &["supply-chain", "pinning"],
    security_severity: "3.0",
    applies_to: FileKind::IMAGES,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Image {
        precedence: 60,
        judge,
    }],
};

fn judge(subject: &Subject<'_>, _cx: &CheckContext) -> Option<Finding> {
    let image = subject.valid()?;
    if image.reference.digest.is_some() {
        return None;
    }
    Some(image.finding(
        &META,
        format!(
            "{} is not pinned by digest; append the `@sha256:…` digest of the image you tested",
            image.describe()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::model::level::PinPolicy;
    use crate::rules::images::test_support::verdict;

    #[test]
    fn only_at_digest_policy() {
        let sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let pinned = format!("nginx:1.25.3@{sha}");
        // (reference, policy, flagged)
        let cases = [
            ("nginx:1.25.3", PinPolicy::Digest, true),
            ("nginx:1.25.3", PinPolicy::Version, false),
            ("nginx:1.25.3", PinPolicy::Tag, false),
            (pinned.as_str(), PinPolicy::Digest, false),
        ];
        for (reference, policy, flagged) in cases {
            let got = verdict(reference, policy) == Some("PW105");
            assert_eq!(got, flagged, "{reference} {policy:?}");
        }
    }
}
