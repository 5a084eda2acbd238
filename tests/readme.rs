//! The README shows what the binary really does: its sample output is the real output (a
//! `...` line stands for lines left out), and its usage block names every `scan` flag.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{pinwarden, root};

/// The fenced block of the README that starts with `$ pinwarden scan examples/vulnerable`.
fn sample() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("```text\n$ pinwarden scan examples/vulnerable\n")
        .expect("README sample output");
    let body = &readme[start + "```text\n".len()..];
    body[..body.find("```").unwrap()].to_owned()
}

#[test]
fn sample_output_is_the_real_output() {
    let sample = sample();
    // (command line, shown output) pairs.
    let mut runs: Vec<(String, String)> = Vec::new();
    for line in sample.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            runs.push((command.to_owned(), String::new()));
        } else if let Some((_, shown)) = runs.last_mut() {
            shown.push_str(line);
            shown.push('\n');
        }
    }
    assert_eq!(runs.len(), 2, "{sample}");
    for (command, shown) in runs {
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let output = pinwarden()
            .current_dir(root())
            .args(&args)
            .output()
            .unwrap();
        let real = String::from_utf8(output.stdout).unwrap();
        // Every run of lines between `...` lines is in the real output, in order.
        let mut at = 0;
        for chunk in shown.split("...\n").filter(|chunk| !chunk.is_empty()) {
            let found = real[at..]
                .find(chunk)
                .unwrap_or_else(|| panic!("`{command}` does not print:\n{chunk}\n---\n{real}"));
            at += found + chunk.len();
        }
        // The summary line is the last line, exactly.
        let last_shown = shown.lines().last().unwrap_or("");
        assert_eq!(real.lines().last(), Some(last_shown), "{command}");
    }
}

#[test]
fn usage_names_every_scan_flag() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let usage_start = readme.find("## Usage").unwrap();
    let usage = &readme[usage_start..usage_start + readme[usage_start..].find("\n```\n").unwrap()];
    let help = pinwarden().args(["scan", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    // The option lines of `--help`: `  -o, --output <FILE>`, `      --policy <POLICY>`.
    let flags: Vec<&str> = help
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = line.split_once(", ").map_or(line, |(_, long)| long);
            line.starts_with("--")
                .then(|| line.split_whitespace().next().unwrap_or(""))
        })
        .filter(|flag| !matches!(*flag, "--help" | "--version"))
        .collect();
    assert!(flags.len() >= 7, "{help}");
    for flag in flags {
        assert!(usage.contains(flag), "README usage lacks `{flag}`");
    }
}

#[test]
fn no_reference_to_a_style_guide_the_project_does_not_ship() {
    assert!(!root().join("STYLE.md").exists());
    for path in [
        "README.md",
        "action.yml",
        ".ci/validate-action",
        ".ci/test",
        ".ci/run",
    ] {
        let Ok(text) = std::fs::read_to_string(root().join(path)) else {
            continue;
        };
        assert!(!text.contains("STYLE.md"), "{path} refers to STYLE.md");
    }
}
