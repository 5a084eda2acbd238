//! PW104 image-floating-tag: a channel or major-only tag (`lts`, `stable`, `3`, `18-alpine`)
//! that upstream moves to new releases. Runs at policy `version` and above.

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::{Level, PinPolicy};
use crate::model::refs::{TagClass, classify_image_tag};
use crate::rules::images::Subject;
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW104",
    name: "image-floating-tag",
    default_level: Level::Error,
    summary: "image tag is a floating channel or major-only version that upstream moves",
    help: include_str!("../../../docs/rules/PW104.md"),
    ecosystem: Ecosystem::Images,
    min_policy: Some(PinPolicy::Version),
    tags: &["supply-chain", "pinning"],
    security_severity: "4.0",
    applies_to: FileKind::IMAGES,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Image {
        precedence: 50,
        judge,
    }],
};

fn judge(subject: &Subject<'_>, _cx: &CheckContext) -> Option<Finding> {
    let image = subject.valid()?;
    if image.reference.digest.is_some() {
        return None;
    }
    let tag = image.reference.tag.as_deref()?;
    let name = image.reference.path.rsplit('/').next().unwrap_or("");
    let TagClass::Floating(reason) = classify_image_tag(name, tag) else {
        return None;
    };
    Some(image.finding(
        &META,
        format!(
            "{} uses `{tag}`, {} that moves to new releases; pin a full version tag or a digest",
            image.describe(),
            reason.describe()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::model::level::PinPolicy;
    use crate::rules::images::test_support::verdict;

    #[test]
    fn floating_tags_at_version_policy() {
        // (reference, flagged at `version`)
        let cases = [
            ("node:lts", true),
            ("node:18-alpine", true),
            ("python:3", true),
            ("actions/runner:v4", true),
            ("debian:bookworm", true),
            ("nginx:stable", true),
            ("alpine:edge", true),
            ("python:3.11.7-slim", false),
            ("nginx:1.25.3-alpine3.18", false),
            ("ubuntu:22.04", false),
            ("ubuntu:20240101", false),
            ("nginx:latest", false), // PW101's, not ours
        ];
        for (reference, flagged) in cases {
            let got = verdict(reference, PinPolicy::Version) == Some("PW104");
            assert_eq!(got, flagged, "{reference}");
            // Never at `tag`.
            assert_ne!(
                verdict(reference, PinPolicy::Tag),
                Some("PW104"),
                "{reference}"
            );
        }
    }
}
