//! The crate as `cargo package` ships it (what `cargo install --locked pinwarden` builds): every
//! file the build needs is in it, no test corpus, fixture, example, benchmark or CI file is,
//! and the crates.io metadata is complete.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo running the tests (cargo sets `CARGO` for them), else the one on PATH.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

/// `cargo package --list`: the paths that would be packaged, `/`-separated.
fn packaged_files() -> BTreeSet<String> {
    // --offline: the lock file and the registry cache the test build already used are enough;
    // --allow-dirty: a working tree with uncommitted changes is still packageable here.
    let output = cargo()
        .args([
            "package",
            "--list",
            "--locked",
            "--allow-dirty",
            "--offline",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo package --list failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every file under `dir` (relative to the root, `/`-separated) whose name ends with `suffix`.
fn files_under(dir: &str, suffix: &str) -> Vec<String> {
    fn walk(path: &Path, suffix: &str, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(path).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, suffix, found);
            } else if path.to_string_lossy().ends_with(suffix) {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&root().join(dir), suffix, &mut found);
    found.iter().map(|path| relative(path)).collect::<Vec<_>>()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap()
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Normalise `a/b/../c` to `a/c` (the paths `include_str!` takes are relative to the file).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The files that `include_str!` / `include_bytes!` embed into the sources under src/.
fn embedded_files() -> BTreeSet<String> {
    let mut embedded = BTreeSet::new();
    for source in files_under("src", ".rs") {
        let text = std::fs::read_to_string(root().join(&source)).unwrap();
        for macro_name in ["include_str!(\"", "include_bytes!(\""] {
            for (_, rest) in text
                .match_indices(macro_name)
                .map(|(at, _)| text.split_at(at))
            {
                let Some((literal, _)) = rest[macro_name.len()..].split_once('"') else {
                    continue;
                };
                let file = root().join(&source).parent().unwrap().join(literal);
                embedded.insert(relative(&normalise(&file)));
            }
        }
    }
    embedded
}

#[test]
fn the_package_holds_what_the_build_needs() {
    let packaged = packaged_files();
    let mut needed: Vec<String> = [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "src/main.rs",
        "src/lib.rs",
    ]
    .map(str::to_owned)
    .to_vec();
    needed.extend(files_under("src", ".rs"));
    needed.extend(files_under("docs/rules", ".md"));
    let embedded = embedded_files();
    assert!(
        embedded.iter().any(|path| path.starts_with("docs/rules/")),
        "found no include_str! of the rule help pages: {embedded:?}"
    );
    needed.extend(embedded);
    let missing: Vec<&String> = needed
        .iter()
        .filter(|path| !packaged.contains(*path))
        .collect();
    assert!(missing.is_empty(), "not packaged but needed: {missing:?}");
}

#[test]
fn the_package_holds_no_tests_fixtures_examples_or_ci_files() {
    let packaged = packaged_files();
    let excluded_prefixes = [
        "tests/",
        "examples/",
        "bench/",
        "benches/",
        "fuzz/",
        ".github/",
        ".ci/",
        "target/",
    ];
    let unwanted: Vec<&String> = packaged
        .iter()
        .filter(|path| {
            excluded_prefixes
                .iter()
                .any(|prefix| path.starts_with(prefix))
                || path.contains("fixtures/")
                || path.contains("snapshots/")
                || [".sarif", ".snap", ".snap.new", ".json.gz", ".tar", ".zip"]
                    .iter()
                    .any(|suffix| path.ends_with(suffix))
                || path.starts_with("Dockerfile")
                || path.as_str() == "action.yml"
                || path.as_str() == ".dockerignore"
                || path.as_str() == "rust-toolchain.toml"
        })
        .collect();
    assert!(unwanted.is_empty(), "packaged but not needed: {unwanted:?}");

    // Everything in the package is one of the kinds the include list names (plus cargo's own
    // generated files), so a new top-level directory cannot slip in unnoticed.
    let unexpected: Vec<&String> = packaged
        .iter()
        .filter(|path| {
            !(path.starts_with("src/") && path.ends_with(".rs")
                || path.starts_with("docs/rules/") && path.ends_with(".md")
                || [
                    "Cargo.toml",
                    "Cargo.toml.orig",
                    "Cargo.lock",
                    ".cargo_vcs_info.json",
                    "build.rs",
                    "README.md",
                    "LICENSE-MIT",
                    "LICENSE-APACHE",
                ]
                .contains(&path.as_str()))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected files in the package: {unexpected:?}"
    );

    // A guard against a corpus or a binary slipping in through src/ or docs/: the sources and
    // help pages (with their unit tests) are about a mebibyte.
    let bytes: u64 = packaged
        .iter()
        .filter_map(|path| std::fs::metadata(root().join(path)).ok())
        .map(|metadata| metadata.len())
        .sum();
    assert!(
        bytes < 2 * 1024 * 1024,
        "the package's files add up to {bytes} bytes"
    );
}

#[test]
fn the_crates_io_metadata_is_complete() {
    let output = cargo()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
            "--locked",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let package = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|package| package["name"] == "pinwarden")
        .unwrap();
    for field in [
        "description",
        "license",
        "repository",
        "homepage",
        "documentation",
        "readme",
    ] {
        let value = package[field].as_str().unwrap_or_default();
        assert!(
            !value.trim().is_empty(),
            "Cargo.toml [package] has no `{field}`"
        );
    }
    assert_eq!(package["license"], "MIT OR Apache-2.0");
    assert!(package["rust_version"].is_string(), "no rust-version");
    // crates.io: at most five keywords of at most 20 characters each, ASCII letters, digits,
    // `_` and `-`, starting with a letter; and at least one category.
    let keywords = package["keywords"].as_array().unwrap();
    assert!((1..=5).contains(&keywords.len()), "{keywords:?}");
    for keyword in keywords {
        let keyword = keyword.as_str().unwrap();
        assert!(
            keyword.len() <= 20
                && keyword.starts_with(|c: char| c.is_ascii_alphabetic())
                && keyword
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "keyword {keyword:?} is not valid on crates.io"
        );
    }
    assert!(!package["categories"].as_array().unwrap().is_empty());
    // The licence texts the SPDX expression names are in the repository.
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        assert!(text.len() > 1000, "{file} is not a licence text");
    }
}
