//! `pinwarden config`: the effective configuration as a config file, each value with a
//! comment saying where it came from. Values of secret-like names (`env: {DB_PASSWORD: …}`)
//! are masked.

use std::fmt::Write as _;

use crate::model::secret::mask_value;

use super::{Origin, Settings, allow_entries};

/// The effective configuration, as YAML that is itself a valid config file.
pub fn render(settings: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# effective configuration ({})",
        match &settings.config_file {
            Some(path) => format!("config file `{path}`"),
            None => "no config file".to_owned(),
        }
    );
    out.push_str("policy:\n");
    for (name, value) in [
        ("images", &settings.images),
        ("actions", &settings.actions),
        ("packages", &settings.packages),
    ] {
        line(
            &mut out,
            2,
            &format!("{name}: {}", value.value.as_str()),
            &value.origin,
        );
    }
    if settings.rules.is_empty() {
        out.push_str("rules: {}  # every rule at its default (`pinwarden rules`)\n");
    } else {
        out.push_str("rules:\n");
        for (rule, setting) in &settings.rules {
            let value = match setting.value {
                None => "off".to_owned(),
                Some(level) => format!("{{ level: {} }}", level.as_str()),
            };
            let _ = writeln!(
                out,
                "  {}: {value}  # {}, {}",
                rule.id, rule.name, setting.origin
            );
        }
    }
    list(
        &mut out,
        "exclude",
        settings
            .exclude
            .iter()
            .map(|glob| (quote(&glob.value), &glob.origin)),
    );
    let allow = allow_entries(settings);
    if allow.is_empty() {
        out.push_str("allow: {}\n");
    } else {
        out.push_str("allow:\n");
        for kind in ["images", "actions", "packages"] {
            let entries: Vec<_> = allow.iter().filter(|entry| entry.0 == kind).collect();
            if entries.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {kind}:");
            for (_, text, reason, origin) in entries {
                let item = match reason {
                    Some(reason) => format!(
                        "- {{ pattern: {}, reason: {} }}",
                        quote(text),
                        quote(reason)
                    ),
                    None => format!("- {}", quote(text)),
                };
                line(&mut out, 4, &item, origin);
            }
        }
    }
    map(&mut out, "build-args", &settings.build_args);
    map(&mut out, "env", &settings.env);
    line(
        &mut out,
        0,
        &format!("require-reason: {}", settings.require_reason.value),
        &settings.require_reason.origin,
    );
    out
}

fn line(out: &mut String, indent: usize, text: &str, origin: &Origin) {
    let _ = writeln!(out, "{:indent$}{text}  # {origin}", "");
}

fn list<'a>(out: &mut String, key: &str, items: impl Iterator<Item = (String, &'a Origin)>) {
    let items: Vec<_> = items.collect();
    if items.is_empty() {
        let _ = writeln!(out, "{key}: []");
        return;
    }
    let _ = writeln!(out, "{key}:");
    for (text, origin) in items {
        line(out, 2, &format!("- {text}"), origin);
    }
}

fn map(
    out: &mut String,
    key: &str,
    values: &std::collections::BTreeMap<String, super::Sourced<String>>,
) {
    if values.is_empty() {
        let _ = writeln!(out, "{key}: {{}}");
        return;
    }
    let _ = writeln!(out, "{key}:");
    for (name, value) in values {
        let shown = mask_value(name, &value.value);
        line(
            out,
            2,
            &format!("{}: {}", quote(name), quote(shown)),
            &value.origin,
        );
    }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}
