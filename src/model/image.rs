//! An image occurrence: one place a file names a container image, as the parsers see it.

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
    /// The reference depends on variables without a resolvable value (names, in order).
    Unresolved { variables: Vec<String> },
}

impl ImageUse {
    /// The reference text as written in the file.
    pub fn written(&self) -> &str {
        self.location.text()
    }
}
