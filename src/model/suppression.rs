//! Inline suppressions: `# pinwarden:ignore PW101 -- reason` comments, and the suppression a
//! finding carries once one covers it (SARIF `suppressions`, kind `inSource`).

use crate::model::location::Location;

/// A suppression that covers a finding: it is still reported (SARIF keeps it with
/// `suppressions`), hidden from text output unless asked, and does not count for the gate.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// The text after `--`, when given.
    pub justification: Option<String>,
    /// The comment that suppresses.
    pub location: Location,
}
