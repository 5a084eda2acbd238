//! The data model shared by parsers, rules and reports: sources, spans, findings, levels,
//! and the reference grammars (images today; actions and packages later).

pub mod finding;
pub mod image;
pub mod level;
pub mod location;
pub mod refs;
pub mod secret;
pub mod source;
