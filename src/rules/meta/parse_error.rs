//! PW001 parse-error: a file, or a value in it, that cannot be parsed, so nothing in it can be
//! verified. The scan goes on with every other file.

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::model::location::Location;
use crate::parse::Document;
use crate::rules::images::Subject;
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

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
    ],
};

/// One PW001 finding per problem the parser recorded.
fn problems(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    document
        .problems
        .iter()
        .map(|problem| {
            Finding::new(
                &META,
                Location::new(document.source.clone(), problem.span),
                problem.message.clone(),
            )
        })
        .collect()
}

/// A reference that is not valid image-reference syntax (docker would refuse to pull it).
fn invalid_image(subject: &Subject<'_>, _cx: &CheckContext) -> Option<Finding> {
    let Subject::Invalid {
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
