//! What a partly known reference fixes whatever its unknown values hold.
//!
//! `${REGISTRY}/app:latest` pulls `latest` from some registry: the variable cannot touch the
//! tag, so the reference is judged like `app:latest` (PW101), and the message says where the
//! variable stands. `python:${TAG}` or `${IMAGE}` can be anything: PW103.
//!
//! The tag and digest are fixed when the text after the last unknown value holds the `@digest`,
//! the whole `:tag`, or a `/` (then the last path component is literal: with no `:` after it,
//! the reference has no tag). The reference is then checked by parsing it with each unknown
//! value replaced by a neutral component (`x`) and each commit by a full commit id.

use std::ops::Range;

use crate::model::image::Part;
use crate::model::refs::ImageRef;

/// What stands for an unknown value in the reference that is parsed: a valid host, path
/// component and tag, so it changes nothing the rules judge.
const NEUTRAL: &str = "x";

/// What stands for this run's commit: a full commit id, the most specific tag there is.
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// A partly known reference whose tag and digest are known.
#[derive(Debug)]
pub(super) struct Fixed {
    /// The reference with the neutral stand-ins, parsed.
    pub(super) reference: ImageRef,
    /// The text that was parsed.
    pub(super) probe: String,
    /// Where the unknown values stand: `registry`, `repository path`, `image name`.
    pub(super) places: Vec<&'static str>,
    /// The tag names this run's commit.
    pub(super) commit: bool,
}

/// The fixed reference of `parts`, or `None` when an unknown value can change the tag or
/// the digest (or the known text is not a valid reference whatever the values are).
pub(super) fn fixed(parts: &[Part]) -> Option<Fixed> {
    let mut probe = String::new();
    let mut holes: Vec<Range<usize>> = Vec::new();
    let mut commit = false;
    for part in parts {
        match part {
            Part::Text(text) => probe.push_str(text),
            Part::Unknown => {
                let start = probe.len();
                probe.push_str(NEUTRAL);
                holes.push(start..probe.len());
            }
            Part::Commit => {
                probe.push_str(COMMIT);
                commit = true;
            }
        }
    }
    if let Some(last) = holes.last() {
        let tail = probe.get(last.end..)?;
        let last_component = tail.rsplit('/').next().unwrap_or(tail);
        let tag_or_digest_fixed =
            tail.contains('@') || last_component.contains(':') || tail.contains('/');
        if !tag_or_digest_fixed {
            return None;
        }
    }
    let reference = ImageRef::parse(&probe).ok()?;
    let places = places(&probe, &holes);
    Some(Fixed {
        reference,
        probe,
        places,
        commit,
    })
}

/// Where each hole stands, by the `/` components of the name: the first of several is read as
/// the registry, the last as the image name, the others as the repository path.
fn places(probe: &str, holes: &[Range<usize>]) -> Vec<&'static str> {
    let name_end = probe.find('@').unwrap_or(probe.len());
    let name = probe.get(..name_end).unwrap_or(probe);
    let first_slash = name.find('/');
    let last_slash = name.rfind('/');
    let mut places = Vec::new();
    for hole in holes {
        let place = match (first_slash, last_slash) {
            (Some(first), _) if hole.start < first => "registry",
            (_, Some(last)) if hole.start < last => "repository path",
            _ => "image name",
        };
        if !places.contains(&place) {
            places.push(place);
        }
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::image::shape_of;

    /// Parts from a text where `?` marks an unknown value and `#` this run's commit.
    fn parts(text: &str) -> Vec<Part> {
        let marked: String = text.replace('?', "\0");
        let mut parts = shape_of(&marked).unwrap_or_else(|| vec![Part::Text(marked.clone())]);
        // Split the commit marks out of the text parts.
        parts = parts
            .into_iter()
            .flat_map(|part| match part {
                Part::Text(text) if text.contains('#') => {
                    let mut out = Vec::new();
                    for (index, piece) in text.split('#').enumerate() {
                        if index > 0 {
                            out.push(Part::Commit);
                        }
                        if !piece.is_empty() {
                            out.push(Part::Text(piece.to_owned()));
                        }
                    }
                    out
                }
                other => vec![other],
            })
            .collect();
        parts
    }

    #[test]
    fn what_unknown_values_cannot_change() {
        // (reference, fixed: (tag, has digest, places), or None)
        type Expected = Option<(Option<&'static str>, bool, &'static [&'static str])>;
        let cases: &[(&str, Expected)] = &[
            // registry variable, literal latest
            ("?/app:latest", Some((Some("latest"), false, &["registry"]))),
            // registry variable, no tag: untagged whatever the registry
            ("?/alpine", Some((None, false, &["registry"]))),
            // two variables, one glued to the host
            (
                "?-docker.pkg.dev/?/x:latest",
                Some((Some("latest"), false, &["registry", "repository path"])),
            ),
            // the whole name is a variable but the tag is literal
            ("?:latest", Some((Some("latest"), false, &["image name"]))),
            // a literal digest pins it whatever comes before
            (
                "?@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                Some((None, true, &["image name"])),
            ),
            // a port is not a tag: the last component is literal and untagged
            ("?:5000/app", Some((None, false, &["registry"]))),
            (
                "ghcr.io/?/app:1.2.3",
                Some((Some("1.2.3"), false, &["repository path"])),
            ),
            // the tag or the name can change: unknown
            ("python:?", None),
            ("?", None),
            ("app:?-alpine", None),
            ("app-?", None),
            ("?/app:?", None),
            // the literal part is not valid whatever the value: left to PW103
            ("?/App:latest", None),
            ("?/app:", None),
            // this run's commit is a specific tag
            ("ghcr.io/org/app:#", Some((Some(COMMIT), false, &[]))),
            (
                "ghcr.io/org/app:sha-#",
                Some((
                    Some("sha-0123456789abcdef0123456789abcdef01234567"),
                    false,
                    &[],
                )),
            ),
            ("?/app:#", Some((Some(COMMIT), false, &["registry"]))),
        ];
        for (text, expected) in cases {
            let got = fixed(&parts(text)).map(|fixed| {
                (
                    fixed.reference.tag.clone(),
                    fixed.reference.digest.is_some(),
                    fixed.places.clone(),
                )
            });
            let want = expected
                .map(|(tag, digest, places)| (tag.map(str::to_owned), digest, places.to_vec()));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn commits_are_marked() {
        let fixed = fixed(&parts("app:#"));
        assert!(fixed.is_some_and(|fixed| fixed.commit));
    }
}
