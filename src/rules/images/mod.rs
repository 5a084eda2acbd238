//! PW1xx: image references. Every parser hands over its image occurrences (`ImageUse`); this
//! module parses each reference once and gives it to the rules in precedence order.
//!
//! NOTE: one occurrence yields at most one PW1xx finding, the most specific one
//! (unresolved > invalid > untagged > latest > floating > no digest): `FROM python` is one
//! problem, not three, whatever the policy.

pub mod floating_tag;
pub mod latest_tag;
pub mod not_digest_pinned;
mod shape;
pub mod unresolved;
pub mod untagged;

use std::borrow::Cow;

use crate::model::finding::Finding;
use crate::model::image::{ImageUse, ImageValue, Unknown, UnknownKind};
use crate::model::refs::{ImageRef, RefError};
use crate::parse::interpolate::variable_names;
use crate::rules::{CheckContext, ImageJudge, RuleMeta};

/// One image occurrence as the chain sees it: parsed once, judged by the first link that
/// claims it.
pub enum Subject<'a> {
    /// Depends on values that are not known here, and they can change the tag or digest
    /// (PW103's).
    Unresolved {
        image: &'a ImageUse,
        unknowns: Cow<'a, [Unknown]>,
    },
    /// Not valid image-reference syntax (PW001's).
    Invalid {
        image: &'a ImageUse,
        text: &'a str,
        error: RefError,
    },
    /// A valid reference (PW101, PW102, PW104, PW105), possibly with unknown parts that cannot
    /// change its tag or digest.
    Valid(Resolved<'a>),
}

/// The finding the chain gives `image`, if any.
///
/// NOTE: an image that takes one value per build platform gets a finding only when every
/// value gets one (a `FROM binary-$TARGETOS` that names a stage for some platform is that
/// stage there); the first value's finding is reported.
pub(crate) fn judge(
    image: &ImageUse,
    chain: &[(u8, ImageJudge)],
    cx: &CheckContext,
) -> Option<Finding> {
    let run = |subject: &Subject<'_>| chain.iter().find_map(|(_, judge)| judge(subject, cx));
    match &image.value {
        ImageValue::PerPlatform(values) => {
            let mut first = None;
            for value in values {
                let mut subject = Subject::of_text(image, value);
                if let Subject::Valid(resolved) = &mut subject {
                    resolved.platforms = values.len();
                }
                let finding = run(&subject)?;
                first.get_or_insert(finding);
            }
            first
        }
        _ => run(&Subject::new(image)),
    }
}

impl<'a> Subject<'a> {
    pub fn new(image: &'a ImageUse) -> Self {
        match &image.value {
            ImageValue::Resolved(text) => Self::of_text(image, text),
            // Judged one value at a time by `judge`; alone, the first value stands for all.
            ImageValue::PerPlatform(values) => {
                Self::of_text(image, values.first().map_or("", String::as_str))
            }
            ImageValue::Unresolved(unresolved) => {
                let fixed = unresolved.shape.as_deref().and_then(shape::fixed);
                match fixed {
                    Some(fixed) => Self::Valid(Resolved {
                        use_: image,
                        text: Cow::Owned(fixed.probe),
                        reference: fixed.reference,
                        partial: Some(Partial {
                            unknowns: &unresolved.unknowns,
                            places: fixed.places,
                            commit: fixed.commit,
                        }),
                        platforms: 0,
                    }),
                    None => Self::Unresolved {
                        image,
                        unknowns: Cow::Borrowed(&unresolved.unknowns),
                    },
                }
            }
        }
    }

    /// The subject of `image` when it expands to `text`.
    fn of_text(image: &'a ImageUse, text: &'a str) -> Self {
        match ImageRef::parse(text) {
            Ok(reference) => Self::Valid(Resolved {
                use_: image,
                text: Cow::Borrowed(text),
                reference,
                partial: None,
                platforms: 0,
            }),
            // `ARG TAG=` then `FROM app:${TAG}`: the variable is declared but empty, so the
            // image is chosen on the build command line, not here. That is PW103, not a typo.
            Err(_) if image.written() != text && has_empty_part(text) => Self::Unresolved {
                image,
                unknowns: Cow::Owned(
                    variable_names(image.written())
                        .into_iter()
                        .map(|name| Unknown::new(name, UnknownKind::Variable))
                        .collect(),
                ),
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

/// A valid image reference with the text it resolved to.
pub struct Resolved<'a> {
    pub use_: &'a ImageUse,
    /// The expanded text (for a partly known reference, with stand-ins for what is unknown).
    pub text: Cow<'a, str>,
    pub reference: ImageRef,
    /// Set when parts of the reference are unknown but cannot change its tag or digest.
    pub partial: Option<Partial<'a>>,
    /// How many platform values the reference takes (0: it does not depend on the platform).
    pub platforms: usize,
}

/// The unknown parts of a reference whose tag and digest are known.
pub struct Partial<'a> {
    pub unknowns: &'a [Unknown],
    /// Where they stand: `registry`, `repository path`, `image name`.
    pub places: Vec<&'static str>,
    /// The tag names this run's commit.
    pub commit: bool,
}

impl Resolved<'_> {
    /// How messages name the image: as written, plus what it resolved to when different,
    /// plus where it is used when the parser says (an anchor shared by several services),
    /// plus where unknown values stand.
    pub fn describe(&self) -> String {
        let written = self.use_.written();
        let mut out = if written == self.text || self.partial.is_some() {
            format!("image `{written}`")
        } else if self.platforms > 1 {
            format!(
                "image `{written}` (resolves to `{}` on one of {} build platforms, and alike on the others)",
                self.text, self.platforms
            )
        } else {
            format!("image `{written}` (resolves to `{}`)", self.text)
        };
        if let Some(origin) = &self.use_.origin {
            out.push_str(&format!(" in {origin}"));
        }
        if let Some(partial) = &self.partial {
            let names: Vec<String> = partial
                .unknowns
                .iter()
                .map(|unknown| format!("`{unknown}`"))
                .collect();
            if !partial.places.is_empty() && !names.is_empty() {
                let verb = if partial.places.len() == 1 {
                    "comes"
                } else {
                    "come"
                };
                out.push_str(&format!(
                    " ({} {verb} from {})",
                    partial.places.join(" and "),
                    names.join(", ")
                ));
            }
            if partial.commit {
                out.push_str(" (tagged with this run's commit)");
            }
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
                None => ImageValue::unresolved_variables(["TAG"]),
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
