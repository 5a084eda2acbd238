//! Every rule ships complete: a help page with the house skeleton, `bad` and `good`
//! fixtures, text and SARIF snapshots, and a row in the README's rules table.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::root;
use pinwarden::rules::metas;

const SECTIONS: &[&str] = &[
    "## What it flags",
    "## Why it matters",
    "## Example",
    "## Use instead",
    "## Policy and options",
    "## Suppressing",
    "## References",
];

#[test]
fn every_rule_has_a_complete_help_page() {
    for rule in metas() {
        let page = std::fs::read_to_string(root().join(format!("docs/rules/{}.md", rule.id)))
            .unwrap_or_else(|_| panic!("docs/rules/{}.md is missing", rule.id));
        assert_eq!(
            page, rule.help,
            "{}: the embedded help is the page",
            rule.id
        );
        assert!(
            page.starts_with(&format!("# {} {}\n", rule.id, rule.name)),
            "{}",
            rule.id
        );
        let mut at = 0;
        for section in SECTIONS {
            let found = page[at..].find(section).unwrap_or_else(|| {
                panic!("{}: section `{section}` missing or out of order", rule.id)
            });
            at += found + section.len();
        }
    }
}

#[test]
fn every_rule_has_fixtures_and_snapshots() {
    for rule in metas() {
        for kind in ["bad", "good"] {
            let dir = root().join(format!("tests/fixtures/{}/{kind}", rule.id));
            let has_file = walk(&dir).next().is_some();
            assert!(
                has_file,
                "{}: no {kind} fixture in {}",
                rule.id,
                dir.display()
            );
        }
        for snapshot in [
            format!("tests/snapshots/rules__text_{}.snap", rule.id),
            format!("tests/snapshots/rules__sarif_{}.snap", rule.id),
        ] {
            assert!(
                root().join(&snapshot).exists(),
                "{}: {snapshot} missing",
                rule.id
            );
        }
    }
}

#[test]
fn readme_rules_table_matches_the_registry() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let rows: Vec<String> = readme
        .lines()
        .filter(|line| line.starts_with("| [PW"))
        .map(str::to_owned)
        .collect();
    let expected: Vec<String> = metas()
        .map(|rule| {
            let policy = rule.min_policy.map_or("any", |p| p.as_str());
            format!(
                "| [{id}](docs/rules/{id}.md) | `{}` | {} | {policy} | {} |",
                rule.name,
                rule.default_level,
                rule.summary,
                id = rule.id
            )
        })
        .collect();
    assert_eq!(
        rows, expected,
        "README rules table (regenerate it from `pinwarden rules`)"
    );
}

fn walk(dir: &std::path::Path) -> impl Iterator<Item = std::path::PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
    }
    files.into_iter()
}
