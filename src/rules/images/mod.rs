//! PW1xx: image references. Every parser hands over its image occurrences (`ImageUse`); this
//! module parses each reference once and gives it to the rules in precedence order.
//!
//! NOTE: one occurrence yields at most one PW1xx finding, the most specific one
//! (unresolved > invalid > untagged > latest > floating > no digest): `FROM python` is one
//! problem, not three, whatever the policy.

pub mod floating_tag;
pub mod latest_tag;
pub mod not_digest_pinned;
pub mod unresolved;
pub mod untagged;

use crate::model::finding::Finding;
use crate::model::image::{ImageUse, ImageValue};
use crate::model::refs::ImageRef;
use crate::parse::Document;
use crate::rules::CheckContext;
use crate::rules::meta::parse_error;

/// A resolved, valid image reference with the text it resolved to.
pub struct Resolved<'a> {
    pub use_: &'a ImageUse,
    pub text: &'a str,
    pub reference: ImageRef,
}

impl Resolved<'_> {
    /// How messages name the image: as written, plus what it resolved to when different,
    /// plus where it is used when the parser says (an anchor shared by several services).
    pub fn describe(&self) -> String {
        let written = self.use_.written();
        let mut out = if written == self.text {
            format!("image `{written}`")
        } else {
            format!("image `{written}` (resolves to `{}`)", self.text)
        };
        if let Some(context) = &self.use_.context {
            out.push_str(" in ");
            out.push_str(context);
        }
        out
    }

    fn finding(&self, rule: &'static crate::rules::RuleMeta, message: String) -> Finding {
        Finding::new(rule, self.use_.location.clone(), message).with_related(self.use_.via.clone())
    }
}

/// All PW1xx findings (and PW001 for invalid references) of one document.
pub fn check(document: &Document, cx: &CheckContext) -> Vec<Finding> {
    document
        .images
        .iter()
        .filter_map(|image| check_one(image, cx))
        .collect()
}

fn check_one(image: &ImageUse, cx: &CheckContext) -> Option<Finding> {
    let text = match &image.value {
        ImageValue::Unresolved { variables } => return unresolved::check(image, variables),
        ImageValue::Resolved(text) => text.as_str(),
    };
    let reference = match ImageRef::parse(text) {
        Ok(reference) => reference,
        // `ARG TAG=` then `FROM app:${TAG}`: the variable is declared but empty, so the image
        // is chosen on the build command line, not here. That is PW103, not a typo.
        Err(_) if image.written() != text && has_empty_part(text) => {
            let variables = unresolved::variable_names(image.written());
            return unresolved::check(image, &variables);
        }
        Err(error) => return Some(parse_error::invalid_image(image, text, &error)),
    };
    let resolved = Resolved {
        use_: image,
        text,
        reference,
    };
    untagged::check(&resolved)
        .or_else(|| latest_tag::check(&resolved))
        .or_else(|| floating_tag::check(&resolved, cx))
        .or_else(|| not_digest_pinned::check(&resolved, cx))
}

/// Does an expanded reference have an empty name, tag or digest (`app:`, `:1`, `a//b`)?
fn has_empty_part(text: &str) -> bool {
    text.is_empty()
        || text.starts_with([':', '@', '/'])
        || text.ends_with([':', '@', '/'])
        || text.contains("//")
        || text.contains("/:")
        || text.contains(":@")
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use crate::model::image::{ImageUse, ImageValue};
    use crate::model::level::PinPolicy;
    use crate::model::location::{Location, Span};
    use crate::model::source::SourceFile;
    use crate::rules::CheckContext;

    /// An occurrence of `written` (as `FROM <written>`) that resolved to `resolved`.
    pub(crate) fn image(written: &str, resolved: Option<&str>) -> ImageUse {
        let text = format!("FROM {written}\n");
        let source = Arc::new(SourceFile::new("Dockerfile", text));
        ImageUse {
            location: Location::new(source, Span::new(5, 5 + written.len())),
            value: match resolved {
                Some(value) => ImageValue::Resolved(value.to_owned()),
                None => ImageValue::Unresolved {
                    variables: vec!["TAG".to_owned()],
                },
            },
            via: Vec::new(),
            context: None,
        }
    }

    /// The id of the one finding `written` gets under `policy`, if any.
    pub(crate) fn verdict(written: &str, policy: PinPolicy) -> Option<&'static str> {
        let use_ = image(written, Some(written));
        super::check_one(&use_, &CheckContext { policy }).map(|finding| finding.rule.id)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::verdict;
    use crate::model::level::PinPolicy::{Digest, Tag, Version};

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn an_empty_variable_is_unresolved_not_invalid() {
        use super::test_support::image;
        use crate::rules::CheckContext;
        // (written, expanded, expected rule)
        let cases = [
            ("servercore:${VERSION}", "servercore:", "PW103"),
            ("${REGISTRY}/app:1.2.3", "/app:1.2.3", "PW103"),
            ("${BASE}", "", "PW103"),
            ("${NAME}:1.2.3", "Bad:1.2.3", "PW001"), // a value, just not a valid one
        ];
        for (written, expanded, expected) in cases {
            let use_ = image(written, Some(expanded));
            let finding = super::check_one(&use_, &CheckContext { policy: Tag });
            assert_eq!(finding.map(|f| f.rule.id), Some(expected), "{written}");
        }
    }

    #[test]
    fn precedence_table() {
        let pinned = format!("python:3.12@{SHA}");
        let latest_pinned = format!("python:latest@{SHA}");
        let bare_pinned = format!("python@{SHA}");
        // (reference, policy, expected rule)
        let cases: &[(&str, _, Option<&str>)] = &[
            ("python", Tag, Some("PW102")),        // untagged beats everything
            ("python", Digest, Some("PW102")),     // still one finding, not three
            ("python:latest", Tag, Some("PW101")), // explicit latest
            ("python:latest", Digest, Some("PW101")),
            ("python:3", Tag, None), // floating tags pass at `tag`
            ("python:3", Version, Some("PW104")), // major-only
            ("python:3", Digest, Some("PW104")), // floating is more specific than no digest
            ("python:3.12.1", Version, None), // specific version
            ("python:3.12.1", Digest, Some("PW105")),
            (&pinned, Digest, None),                   // tag + digest: pinned
            (&latest_pinned, Digest, None),            // the digest wins over `latest`
            (&bare_pinned, Digest, None),              // digest only
            ("Python:3.12", Tag, Some("PW001")),       // invalid: uppercase repository
            ("python@sha256:123", Tag, Some("PW001")), // invalid digest
            ("localhost:5000/app", Tag, Some("PW102")), // port is not a tag
            ("localhost:5000/app:1.2.3", Digest, Some("PW105")),
        ];
        for (reference, policy, expected) in cases {
            assert_eq!(
                verdict(reference, *policy),
                *expected,
                "{reference} at {policy:?}"
            );
        }
    }
}
