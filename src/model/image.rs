//! An image occurrence: one place a file names a container image, as the parsers see it.

use std::fmt;

use crate::model::location::{Location, Related};
use crate::model::origin::Origin;

/// One place where a file names an image, after variable resolution.
///
/// Every parser (Dockerfile `FROM`, `COPY --from`, compose `image:`, workflow `container:` …)
/// produces these; the PW1xx rules read only this, so they work the same for every file kind.
#[derive(Clone, Debug)]
pub struct ImageUse {
    /// The narrowest span of the reference as written (e.g. `python:${TAG}`), quotes excluded.
    pub location: Location,
    /// What the reference is after variable expansion.
    pub value: ImageValue,
    /// Where the values of the variables came from (`ARG` default, `.env` line, matrix entry).
    pub via: Vec<Related>,
    /// Where the reference is used (messages say "stage `builder`", "service `web`").
    pub origin: Option<Origin>,
}

/// An image reference after expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageValue {
    /// The fully expanded reference text, e.g. `python:3.12-slim`.
    Resolved(String),
    /// The reference depends on values the file does not give.
    Unresolved(Unresolved),
    /// The reference depends only on values the builder sets for each build (BuildKit's
    /// platform arguments): every plausible expansion, in order. They are judged together: a
    /// finding only when no expansion is safe.
    PerPlatform(Vec<String>),
}

/// A reference that depends on values the file does not give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    /// What has no value here, in order of first use, without repeats.
    pub unknowns: Vec<Unknown>,
    /// The reference as far as it is known: its text with a [`Part::Unknown`] where each
    /// unknown value stands (`${REGISTRY}/app:latest` is `[Unknown, Text("/app:latest")]`).
    /// `None` when where the unknown values stand is not known.
    pub shape: Option<Vec<Part>>,
}

/// A value an image reference depends on that has no value here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// As written, without its delimiters: `TAG`, `inputs.image`, `.Values.image.tag`.
    pub name: String,
    pub kind: UnknownKind,
}

/// What kind of value is unknown; messages say it differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownKind {
    /// A variable: a Dockerfile `ARG`/`ENV`, a compose or envsubst `${NAME}`.
    Variable,
    /// A GitHub Actions expression, evaluated when the workflow runs.
    Expression,
    /// A template action (`{{ … }}`: Helm, Argo) filled in before the file is used.
    Template,
    /// A value BuildKit sets for each build (`TARGETOSVERSION`): no default can set it.
    Builder,
}

/// A piece of a partly known reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Known text.
    Text(String),
    /// A value that is not known here.
    Unknown,
    /// The commit this workflow run builds (`${{ github.sha }}`): a different value each run,
    /// but one that names exactly one build.
    Commit,
}

/// The character a parser puts where an unknown value stands before splitting the text into
/// [`Part`]s. NUL: no image reference, variable value or template can contain it, and a text
/// that does (a hostile file) gets no shape at all.
pub const HOLE: char = '\0';

impl ImageUse {
    /// The reference text as written in the file.
    pub fn written(&self) -> &str {
        self.location.text()
    }
}

impl ImageValue {
    /// Depends on the variables `names`, with no known shape.
    pub fn unresolved_variables<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Self::Unresolved(Unresolved {
            unknowns: names
                .into_iter()
                .map(|name| Unknown::new(name, UnknownKind::Variable))
                .collect(),
            shape: None,
        })
    }

    /// The same value without the shape of an unresolved reference (for tests that compare
    /// only what is unknown).
    #[must_use]
    pub fn without_shape(&self) -> Self {
        match self {
            Self::Unresolved(unresolved) => Self::Unresolved(Unresolved {
                unknowns: unresolved.unknowns.clone(),
                shape: None,
            }),
            other => other.clone(),
        }
    }
}

impl Unknown {
    pub fn new(name: impl Into<String>, kind: UnknownKind) -> Self {
        Self {
            name: name.into(),
            kind,
        }
    }
}

/// As the value is written: `$TAG`, `${{ inputs.image }}`, `{{ .Values.tag }}`.
impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            UnknownKind::Variable | UnknownKind::Builder => write!(f, "${}", self.name),
            UnknownKind::Expression => write!(f, "${{{{ {} }}}}", self.name),
            UnknownKind::Template => write!(f, "{{{{ {} }}}}", self.name),
        }
    }
}

/// Split a text with [`HOLE`]s where unknown values stand into parts; `None` without a hole.
pub fn shape_of(marked: &str) -> Option<Vec<Part>> {
    if !marked.contains(HOLE) {
        return None;
    }
    let mut parts = Vec::new();
    for (index, text) in marked.split(HOLE).enumerate() {
        if index > 0 {
            parts.push(Part::Unknown);
        }
        if !text.is_empty() {
            parts.push(Part::Text(text.to_owned()));
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_split_at_holes() {
        let text = |t: &str| Part::Text(t.to_owned());
        // (marked, parts)
        let cases = [
            (
                "\0/app:latest",
                Some(vec![Part::Unknown, text("/app:latest")]),
            ),
            ("app:\0", Some(vec![text("app:"), Part::Unknown])),
            (
                "\0-docker.pkg.dev/\0/x",
                Some(vec![
                    Part::Unknown,
                    text("-docker.pkg.dev/"),
                    Part::Unknown,
                    text("/x"),
                ]),
            ),
            ("\0\0", Some(vec![Part::Unknown, Part::Unknown])),
            ("app:1", None),
        ];
        for (marked, parts) in cases {
            assert_eq!(shape_of(marked), parts, "{marked:?}");
        }
    }

    #[test]
    fn unknowns_read_as_written() {
        let cases = [
            (Unknown::new("TAG", UnknownKind::Variable), "$TAG"),
            (
                Unknown::new("inputs.image", UnknownKind::Expression),
                "${{ inputs.image }}",
            ),
            (
                Unknown::new(".Values.tag", UnknownKind::Template),
                "{{ .Values.tag }}",
            ),
        ];
        for (unknown, written) in cases {
            assert_eq!(unknown.to_string(), written);
        }
    }
}
