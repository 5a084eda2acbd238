//! PW403 in compose files: literal values under secret-like keys of a service's
//! `environment` and `build.args` (map and list forms), and the `.env` entries with literal
//! values that a service uses: through interpolation anywhere in the service, a bare
//! `environment` entry (compose fills it from `.env`), or `env_file: .env`.
//!
//! A `.env` entry is flagged when its key is secret-like, or when a service passes it to a
//! secret-like key (`POSTGRES_PASSWORD: ${PG_PASS}`). An entry no service uses is not: compose
//! does not pass it to any container.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::finding;
use crate::model::finding::Finding;
use crate::model::location::{Location, Related, Span};
use crate::model::source::SourceFile;
use crate::parse::compose::{ComposeFile, ComposeService};
use crate::parse::env::{EnvEntry, EnvFile};
use crate::parse::interpolate::variable_names;
use crate::parse::yaml::{Node, Value};
use crate::rules::hardening::secret_value::{Dialect, is_literal, is_secret_name};

/// How deep the walk for interpolations goes into a service.
const MAX_DEPTH: usize = 64;

/// One variable a service uses.
struct Use {
    name: String,
    /// Where, in the compose file.
    span: Span,
    /// The secret-like key its value is passed to, when that key is not the variable itself.
    feeds: Option<String>,
}

/// One `KEY=value` of `environment` or `build.args`.
struct Item {
    key: String,
    key_span: Span,
    /// `None` for a bare `KEY` (compose takes the value from its environment and `.env`).
    value: Option<(String, Span)>,
}

pub(super) fn check(source: &Arc<SourceFile>, file: &ComposeFile) -> Vec<Finding> {
    let text = source.text();
    let mut findings = Vec::new();
    let mut flagged_entries: BTreeSet<Span> = BTreeSet::new();
    for service in &file.services {
        let mut uses = Vec::new();
        let build_args = service.get("build").and_then(|build| build.get("args"));
        for (section, node) in [
            ("environment", service.get("environment")),
            ("build.args", build_args),
        ] {
            for item in items(node, text) {
                let secret = is_secret_name(&item.key);
                let Some((value, value_span)) = &item.value else {
                    uses.push(Use {
                        name: item.key.clone(),
                        span: item.key_span,
                        feeds: None,
                    });
                    continue;
                };
                if !secret {
                    continue;
                }
                if is_literal(value, Dialect::Compose) {
                    findings.push(finding(
                        source,
                        item.key_span,
                        format!(
                            "service `{}` sets secret-like `{}` to a literal value in \
                             `{section}`; use `secrets:` and `{}_FILE`",
                            service.name, item.key, item.key
                        ),
                    ));
                    continue;
                }
                for name in variable_names(value) {
                    let feeds = (name != item.key).then(|| item.key.clone());
                    uses.push(Use {
                        name,
                        span: *value_span,
                        feeds,
                    });
                }
            }
        }
        interpolations(&service.node, 0, &mut uses);
        let Some((env_source, env)) = &file.env else {
            continue;
        };
        let env_file = dotenv_reference(service);
        for entry in used_entries(env_source, env, &uses, env_file) {
            let (entry, use_span, feeds) = entry;
            if !flagged_entries.insert(entry.key_span) {
                continue;
            }
            let message = match feeds {
                Some(feeds) => format!(
                    "`.env` sets `{}` to a literal value that service `{}` passes as \
                     secret-like `{feeds}`",
                    entry.key, service.name
                ),
                None => format!(
                    "`.env` sets secret-like `{}` to a literal value that service `{}` uses",
                    entry.key, service.name
                ),
            };
            findings.push(
                finding(env_source, entry.key_span, message).with_related(vec![Related {
                    location: Location::new(Arc::clone(source), use_span),
                    label: format!("used by service `{}` here", service.name),
                }]),
            );
        }
    }
    findings
}

/// The `.env` entries with literal values that the service's `uses` (or `env_file: .env` at
/// `env_file`) reach: (entry, where it is used, the secret-like key it is passed to).
fn used_entries<'e>(
    env_source: &Arc<SourceFile>,
    env: &'e EnvFile,
    uses: &[Use],
    env_file: Option<Span>,
) -> Vec<(&'e EnvEntry, Span, Option<String>)> {
    let mut found = Vec::new();
    for entry in &env.entries {
        // The last entry of a key is the one compose reads.
        if !env
            .get(&entry.key)
            .is_some_and(|last| std::ptr::eq(last, entry))
        {
            continue;
        }
        if !literal_entry(env_source, entry) {
            continue;
        }
        let secret = is_secret_name(&entry.key);
        let mut matching = uses.iter().filter(|use_| use_.name == entry.key);
        let reached = if secret {
            matching
                .next()
                .map(|use_| (use_.span, None))
                .or_else(|| env_file.map(|span| (span, None)))
        } else {
            matching.find_map(|use_| {
                use_.feeds
                    .as_ref()
                    .map(|feeds| (use_.span, Some(feeds.clone())))
            })
        };
        if let Some((span, feeds)) = reached {
            found.push((entry, span, feeds));
        }
    }
    found
}

/// Does a `.env` entry hold a literal value? A single-quoted value is never interpolated.
fn literal_entry(source: &SourceFile, entry: &EnvEntry) -> bool {
    if entry.value.is_none() {
        return false;
    }
    let written = source.slice(entry.value_span);
    let single_quoted = entry
        .value_span
        .start
        .checked_sub(1)
        .and_then(|before| source.text().get(before..entry.value_span.start))
        == Some("'");
    if single_quoted {
        return is_literal(&written.replace('$', "$$"), Dialect::Compose);
    }
    is_literal(written, Dialect::Compose)
}

/// The `env_file:` entry naming the `.env` file beside the compose file, if any.
fn dotenv_reference(service: &ComposeService) -> Option<Span> {
    let node = service.get("env_file")?;
    let is_dotenv = |path: &str| matches!(path, ".env" | "./.env");
    let entries: Vec<&Node> = match node.as_sequence() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    entries.into_iter().find_map(|entry| {
        // `- path: .env` (long form) or `- .env`.
        let path = entry.get("path").unwrap_or(entry);
        path.as_str()
            .filter(|path| is_dotenv(path))
            .map(|_| path.span)
    })
}

/// Every variable interpolated in a scalar of the service.
fn interpolations(node: &Node, depth: usize, uses: &mut Vec<Use>) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.value {
        Value::Scalar(scalar) => {
            for name in variable_names(&scalar.text) {
                uses.push(Use {
                    name,
                    span: node.span,
                    feeds: None,
                });
            }
        }
        Value::Sequence(items) => {
            for item in items.iter() {
                interpolations(item, depth + 1, uses);
            }
        }
        Value::Mapping(entries) => {
            for (_, value) in entries.iter() {
                interpolations(value, depth + 1, uses);
            }
        }
        Value::Null => {}
    }
}

/// The items of an `environment` or `build.args` node: a mapping (`KEY: value`, `KEY:` bare)
/// or a list (`- KEY=value`, `- KEY` bare).
fn items(node: Option<&Node>, text: &str) -> Vec<Item> {
    let Some(node) = node else {
        return Vec::new();
    };
    if let Some(entries) = node.as_mapping() {
        return entries
            .iter()
            .filter_map(|(key, value)| {
                let key_text = key.as_str()?;
                let value = if value.is_null() {
                    None
                } else {
                    Some((value.as_str()?.to_owned(), value.span))
                };
                Some(Item {
                    key: key_text.to_owned(),
                    key_span: key.span,
                    value,
                })
            })
            .collect();
    }
    node.as_sequence()
        .unwrap_or(&[])
        .iter()
        .filter_map(|item| {
            let written = item.as_string()?;
            Some(match written.split_once('=') {
                Some((key, value)) => Item {
                    key: key.to_owned(),
                    key_span: item.sub_span(text, 0..key.len()),
                    value: Some((
                        value.to_owned(),
                        item.sub_span(text, key.len() + 1..written.len()),
                    )),
                },
                None => Item {
                    key: written.to_owned(),
                    key_span: item.span,
                    value: None,
                },
            })
        })
        .collect()
}
