//! Rules about the scan itself rather than a policy: PW001 for what cannot be parsed, PW002 for
//! suppressions that suppress nothing.

pub mod parse_error;
pub mod unused_suppression;
