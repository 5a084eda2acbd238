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
use crate::model::refs::{ImageRef, RefError};
use crate::parse::interpolate::variable_names;
use crate::rules::RuleMeta;

/// One image occurrence as the chain sees it: parsed once, judged by the first link that
/// claims it.
pub enum Subject<'a> {
    /// Depends on variables without a value (PW103's).
    Unresolved {
        image: &'a ImageUse,
        variables: Vec<String>,
    },
    /// Not valid image-reference syntax (PW001's).
    Invalid {
        image: &'a ImageUse,
        text: &'a str,
        error: RefError,
    },
    /// A valid reference (PW101, PW102, PW104, PW105).
    Valid(Resolved<'a>),
}

impl<'a> Subject<'a> {
    pub fn new(image: &'a ImageUse) -> Self {
        let text = match &image.value {
            ImageValue::Unresolved { variables } => {
                return Self::Unresolved {
                    image,
                    variables: variables.clone(),
                };
            }
            ImageValue::Resolved(text) => text.as_str(),
        };
        match ImageRef::parse(text) {
            Ok(reference) => Self::Valid(Resolved {
                use_: image,
                text,
                reference,
            }),
            // `ARG TAG=` then `FROM app:${TAG}`: the variable is declared but empty, so the
            // image is chosen on the build command line, not here. That is PW103, not a typo.
            Err(_) if image.written() != text && has_empty_part(text) => Self::Unresolved {
                image,
                variables: variable_names(image.written()),
            },
            Err(error) => Self::Invalid { image, text, error },
        }
    }

    /// The valid reference, for the links that judge only those.
    pub fn valid(&self) -> Option<&Resolved<'a>> {
        match self {
            Self::Valid(resolved) => Some(resolved),
            _ => None,
        }
    }
}

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
        if let Some(origin) = &self.use_.origin {
            out.push_str(&format!(" in {origin}"));
        }
        out
    }

    fn finding(&self, rule: &'static RuleMeta, message: String) -> Finding {
        Finding::new(rule, self.use_.location.clone(), message).with_related(self.use_.via.clone())
    }
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
    use crate::model::kind::FileKind;
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
            origin: None,
        }
    }

    /// The id of the one finding `use_` gets from the image chain under `policy`, if any.
    pub(crate) fn verdict_of(use_: ImageUse, policy: PinPolicy) -> Option<&'static str> {
        let source = use_.location.source.clone();
        let document = crate::parse::Document {
            images: vec![use_],
            ..crate::parse::Document::empty(source, FileKind::Dockerfile)
        };
        let findings = crate::rules::check(&document, &CheckContext::with_policy(policy));
        assert!(
            findings.len() <= 1,
            "one finding per occurrence: {findings:?}"
        );
        findings.first().map(|finding| finding.rule.id)
    }

    /// The id of the one finding `written` gets under `policy`, if any.
    pub(crate) fn verdict(written: &str, policy: PinPolicy) -> Option<&'static str> {
        verdict_of(image(written, Some(written)), policy)
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
        // (written, expanded, expected rule)
        let cases = [
            ("servercore:${VERSION}", "servercore:", "PW103"),
            ("${REGISTRY}/app:1.2.3", "/app:1.2.3", "PW103"),
            ("${BASE}", "", "PW103"),
            ("${NAME}:1.2.3", "Bad:1.2.3", "PW001"), // a value, just not a valid one
        ];
        for (written, expanded, expected) in cases {
            let use_ = image(written, Some(expanded));
            let got = super::test_support::verdict_of(use_, Tag);
            assert_eq!(got, Some(expected), "{written}");
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
