//! Rules about the scan itself rather than a policy: PW001 for what cannot be parsed.

pub mod parse_error;
