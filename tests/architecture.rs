//! The module floors (issue #8): which layer may use which. A forbidden `crate::` path in a
//! module's source, or reached through the modules it uses, fails here with the file and line.
//!
//! - `model/` uses nothing but `model/`;
//! - `parse/` uses only `model/` and `parse/`; `rules/` only `model/`, `parse/` and `rules/`;
//! - `report/` never reaches `github/`, the CLI or the pipeline;
//! - `clap` appears only in `cli.rs` and `main.rs`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::root;

/// The top-level module a source file belongs to (`model`, `report`, `app` …).
fn module_of(relative: &str) -> String {
    let first = relative.split('/').next().unwrap_or("");
    first.trim_end_matches(".rs").to_owned()
}

/// Every `crate::<module>` a file names, with its line.
fn uses_of(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((name, number + 1));
            }
            rest = after;
        }
        // `use crate::{a, b}` groups.
        if let Some(group) = code.split("use crate::{").nth(1) {
            for name in group.split([',', '}']) {
                let name = name.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    found.push((name.to_owned(), number + 1));
                }
            }
        }
    }
    found
}

fn sources() -> Vec<(String, String)> {
    let src = root().join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path
                    .strip_prefix(&src)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// What each layer may use (itself always).
fn allowed(module: &str) -> Option<&'static [&'static str]> {
    match module {
        "model" => Some(&[]),
        "parse" => Some(&["model"]),
        "rules" => Some(&["model", "parse"]),
        _ => None,
    }
}

#[test]
fn lower_layers_use_only_what_is_below_them() {
    let mut violations = Vec::new();
    for (file, text) in sources() {
        let module = module_of(&file);
        let Some(allowed) = allowed(&module) else {
            continue;
        };
        for (used, line) in uses_of(&text) {
            if used != module && !allowed.contains(&used.as_str()) {
                violations.push(format!("src/{file}:{line}: {module}/ uses crate::{used}"));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn reports_never_reach_github_the_cli_or_the_pipeline() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in sources() {
        let module = module_of(&file);
        let uses = graph.entry(module.clone()).or_default();
        for (used, _) in uses_of(&text) {
            if used != module {
                uses.insert(used);
            }
        }
    }
    let mut reached = BTreeSet::new();
    let mut stack = vec!["report".to_owned()];
    while let Some(module) = stack.pop() {
        for used in graph.get(&module).into_iter().flatten() {
            if reached.insert(used.clone()) {
                stack.push(used.clone());
            }
        }
    }
    for forbidden in ["github", "cli", "app", "action", "discover"] {
        assert!(
            !reached.contains(forbidden),
            "report/ reaches {forbidden}/ (through {reached:?})"
        );
    }
}

#[test]
fn clap_stays_in_the_command_line_module() {
    let mut violations = Vec::new();
    for (file, text) in sources() {
        if file == "cli.rs" || file == "main.rs" {
            continue;
        }
        for (number, line) in text.lines().enumerate() {
            if line.contains("clap::") || line.contains("use clap") {
                violations.push(format!("src/{file}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_scanner_finds_what_it_must() {
    // The floor checks are only as good as the import scanner: check it on known shapes.
    let text = "use crate::model::x;\nuse crate::{parse, rules::y};\nlet a = crate::report::f(); // crate::github\n";
    let found: Vec<String> = uses_of(text).into_iter().map(|(name, _)| name).collect();
    assert_eq!(found, ["model", "parse", "rules", "report"]);
    assert_eq!(module_of("model/kind.rs"), "model");
    assert_eq!(module_of("app.rs"), "app");
}
