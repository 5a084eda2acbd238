//! The data model shared by parsers, rules and reports: sources, spans, findings, levels,
//! and the reference grammars (images today; actions and packages later).

pub mod action;
pub mod action_ref;
pub mod allow;
pub mod external;
pub mod finding;
pub mod image;
pub mod kind;
pub mod level;
pub mod location;
pub mod mapped_text;
pub mod origin;
pub mod refs;
pub mod rule;
pub mod script;
pub mod secret;
pub mod source;
pub mod suppression;
pub mod uri;
