//! pinwarden: a CI gate for container supply-chain pinning.
//!
//! The binary is a thin shell over this library (`app::run`); the modules are public so the
//! integration tests in `tests/` can drive them.

pub mod action;
pub mod app;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod github;
pub mod include;
pub mod model;
pub mod parse;
pub mod read;
pub mod report;
pub mod rules;
pub mod sarif_log;
pub mod scan;
pub mod write;
