//! PW102 image-untagged: neither a tag nor a digest, so the engine pulls `latest`.

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::rules::images::Subject;
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW102",
    name: "image-untagged",
    default_level: Level::Error,
    summary: "image reference has neither a tag nor a digest, so it means `latest`",
    help: include_str!("../../../docs/rules/PW102.md"),
    ecosystem: Ecosystem::Images,
    min_policy: None,
    tags: &["supply-chain", "security", "pinning"],
    security_severity: "7.0",
    applies_to: FileKind::IMAGES,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Image {
        precedence: 30,
        judge,
    }],
};

fn judge(subject: &Subject<'_>, _cx: &CheckContext) -> Option<Finding> {
    let image = subject.valid()?;
    if image.reference.tag.is_some() || image.reference.digest.is_some() {
        return None;
    }
    Some(image.finding(
        &META,
        format!(
            "{} has no tag or digest, so it pulls the mutable `latest`; pin a version tag or a digest",
            image.describe()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::model::level::PinPolicy;
    use crate::rules::images::test_support::verdict;

    #[test]
    fn flags_references_without_tag_or_digest() {
        let sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let digest_only = format!("ubuntu@{sha}");
        // (reference, flagged)
        let cases = [
            ("ubuntu", true),
            ("library/ubuntu", true),
            ("docker.io/library/ubuntu", true),
            ("localhost:5000/app", true), // the port is part of the registry, not a tag
            ("ghcr.io/org/team/app", true),
            ("ubuntu:22.04", false),
            (digest_only.as_str(), false),
        ];
        for (reference, flagged) in cases {
            let got = verdict(reference, PinPolicy::Tag) == Some("PW102");
            assert_eq!(got, flagged, "{reference}");
        }
    }
}
