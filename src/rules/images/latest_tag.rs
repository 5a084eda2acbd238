//! PW101 image-latest-tag: an explicit `:latest` tag without a digest.

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::model::refs::{TagClass, classify_tag};
use crate::rules::images::Subject;
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW101",
    name: "image-latest-tag",
    default_level: Level::Error,
    summary: "image reference uses the mutable `latest` tag",
    help: include_str!("../../../docs/rules/PW101.md"),
    ecosystem: Ecosystem::Images,
    min_policy: None,
    tags: &["supply-chain", "security", "pinning"],
    security_severity: "7.0",
    applies_to: FileKind::IMAGES,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Image {
        precedence: 40,
        judge,
    }],
};

fn judge(subject: &Subject<'_>, _cx: &CheckContext) -> Option<Finding> {
    let image = subject.valid()?;
    if image.reference.digest.is_some() {
        return None;
    }
    let tag = image.reference.tag.as_deref()?;
    if classify_tag(tag) != TagClass::Latest {
        return None;
    }
    Some(image.finding(
        &META,
        format!(
            "{} uses the mutable `latest` tag; pin a version tag or a digest",
            image.describe()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::model::level::PinPolicy;
    use crate::rules::images::test_support::verdict;

    #[test]
    fn flags_only_an_explicit_latest_without_digest() {
        // (reference, flagged)
        let cases = [
            ("nginx:latest", true),
            ("ghcr.io/org/app:latest", true),
            ("localhost:5000/app:latest", true),
            ("nginx:Latest", false), // a different (floating) tag: PW104, not PW101
            ("nginx", false),        // implicit latest is PW102
            ("nginx:1.25.3", false),
            ("nginx:latest-alpine", false),
        ];
        for (reference, flagged) in cases {
            let got = verdict(reference, PinPolicy::Tag) == Some("PW101");
            assert_eq!(got, flagged, "{reference}");
        }
    }
}
