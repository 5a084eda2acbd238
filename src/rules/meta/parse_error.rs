//! PW001 parse-error: a file, or a value in it, that cannot be parsed, so nothing in it can be
//! verified. The scan goes on with every other file.

use crate::discover::FileKind;
use crate::model::finding::Finding;
use crate::model::image::ImageUse;
use crate::model::level::Level;
use crate::model::location::Location;
use crate::model::refs::RefError;
use crate::parse::Document;
use crate::rules::RuleMeta;

pub static META: RuleMeta = RuleMeta {
    id: "PW001",
    name: "parse-error",
    default_level: Level::Error,
    summary: "a file or a reference in it cannot be parsed, so it cannot be checked",
    help: include_str!("../../../docs/rules/PW001.md"),
    min_policy: None,
    tags: &["supply-chain", "correctness"],
    security_severity: "5.0",
    applies_to: FileKind::ALL,
};

/// One PW001 finding per problem the parser recorded.
pub fn check(document: &Document) -> Vec<Finding> {
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
pub fn invalid_image(image: &ImageUse, resolved: &str, error: &RefError) -> Finding {
    let subject = if resolved == image.written() {
        format!("`{resolved}`")
    } else {
        format!("`{}` (resolves to `{resolved}`)", image.written())
    };
    Finding::new(
        &META,
        image.location.clone(),
        format!("invalid image reference {subject}: {error}"),
    )
    .with_related(image.via.clone())
}
