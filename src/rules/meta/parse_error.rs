//! PW001 parse-error: a file, or a value in it, that cannot be parsed, so nothing in it can be
//! verified. The scan goes on with every other file.

use crate::model::action_ref::Uses;
use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::model::location::Location;
use crate::parse::Document;
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};
use crate::rules::{actions, images};

pub static META: RuleMeta = RuleMeta {
    id: "PW001",
    name: "parse-error",
    default_level: Level::Error,
    summary: "a file or a reference in it cannot be parsed, so it cannot be checked",
    help: include_str!("../../../docs/rules/PW001.md"),
    ecosystem: Ecosystem::None,
    min_policy: None,
    tags: &["supply-chain", "correctness"],
    security_severity: "5.0",
    applies_to: FileKind::ALL,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[
        Check::Document(problems),
        // After PW103 (an unresolved reference is not invalid), before every other link.
        Check::Image {
            precedence: 20,
            judge: invalid_image,
        },
        // Before PW201/PW202: an invalid `uses:` has no ref to judge.
        Check::Action {
            precedence: 10,
            judge: invalid_action,
        },
    ],
};

/// One PW001 finding per problem the parser recorded.
fn problems(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    document
        .problems
        .iter()
        .map(|problem| {
            let mut finding = Finding::new(
                &META,
                Location::new(document.source.clone(), problem.span),
                problem.message.clone(),
            );
            finding.level = problem.level;
            finding
        })
        .collect()
}

/// A reference that is not valid image-reference syntax (docker would refuse to pull it).
fn invalid_image(subject: &images::Subject<'_>, _cx: &CheckContext) -> Option<Finding> {
    let images::Subject::Invalid {
        image,
        text: resolved,
        error,
    } = subject
    else {
        return None;
    };
    let subject = if *resolved == image.written() {
        format!("`{resolved}`")
    } else {
        format!("`{}` (resolves to `{resolved}`)", image.written())
    };
    Some(
        Finding::new(
            &META,
            image.location.clone(),
            format!("invalid image reference {subject}: {error}"),
        )
        .with_related(image.via.clone()),
    )
}

/// A `uses:` GitHub rejects: an expression (no context is available there) or a value that is
/// not `owner/repo[/path]@ref`, `./path`, `$/path` or `docker://image`.
fn invalid_action(subject: &actions::Subject<'_>, _cx: &CheckContext) -> Option<Finding> {
    let (span, why) = match &subject.uses {
        Uses::Expression { span } => (
            *span,
            "expressions are not allowed in `uses:` (GitHub rejects the workflow)".to_owned(),
        ),
        Uses::Invalid(invalid) => (invalid.span, invalid.reason.to_string()),
        _ => return None,
    };
    Some(Finding::new(
        &META,
        subject.location_of(span),
        format!(
            "invalid `uses:` value `{}`: {why}",
            subject.action.written()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::model::level::PinPolicy::{Digest, Tag};
    use crate::rules::actions::test_support::verdict;

    #[test]
    fn invalid_uses_values() {
        // (uses, expected)
        let cases = [
            ("actions/checkout@${{ inputs.ref }}", Some("PW001")),
            ("${{ matrix.action }}", Some("PW001")),
            ("docker://alpine:${{ matrix.tag }}", Some("PW001")),
            ("actions/checkout", Some("PW001")),
            ("checkout@v4", Some("PW001")),
            ("actions/checkout@", Some("PW001")),
            ("a/b@v1@v2", Some("PW001")),
            ("./local", None),
        ];
        for (uses, expected) in cases {
            for policy in [Tag, Digest] {
                assert_eq!(verdict(uses, policy), expected, "{uses}");
            }
        }
    }
}
