//! PW309 cargo-package-unpinned: `cargo install` of a crate without `--version` / `@version`
//! (and, at policy `digest`, without `--locked`).

use crate::model::finding::Finding;
use crate::model::level::{Level, PinPolicy};
use crate::parse::Document;
use crate::rules::packages::{
    Arguments, SCRIPT_KINDS, commands, describe, is_exact_version, package_text, word_finding,
};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW309",
    name: "cargo-package-unpinned",
    default_level: Level::Error,
    summary: "rust crate installed without an exact version (or, at policy digest, without --locked)",
    help: include_str!("../../../docs/rules/PW309.md"),
    ecosystem: Ecosystem::Packages,
    min_policy: None,
    tags: &["supply-chain", "pinning", "packages"],
    security_severity: "4.0",
    applies_to: SCRIPT_KINDS,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Document(check)],
};

/// `cargo install` options that take a value (cargo-install(1)).
const SHORT: &str = "Fj";
const LONG: &[&str] = &[
    "version",
    "vers",
    "git",
    "branch",
    "tag",
    "rev",
    "path",
    "root",
    "index",
    "registry",
    "features",
    "target",
    "target-dir",
    "profile",
    "jobs",
    "bin",
    "example",
    "config",
    "color",
    "message-format",
];

fn check(document: &Document, cx: &CheckContext) -> Vec<Finding> {
    let digest = cx.policy(META.ecosystem) >= PinPolicy::Digest;
    let mut findings = Vec::new();
    for (_, invocation) in commands(document) {
        if invocation.program != "cargo" {
            continue;
        }
        // `cargo +nightly install …`: a toolchain comes first.
        let args = match invocation.args.first() {
            Some(word) if word.text().is_some_and(|text| text.starts_with('+')) => {
                invocation.args.get(1..).unwrap_or(&[])
            }
            _ => invocation.args,
        };
        let arguments = Arguments::parse(args, SHORT, LONG);
        let Some((action, crates)) = arguments.operands.split_first() else {
            continue;
        };
        if !action.is("install") || arguments.has(&["--list", "--path"]) {
            continue;
        }
        let version = arguments.value(&["--version", "--vers"]);
        let git = arguments.value(&["--git"]);
        let locked = arguments.has(&["--locked"]);
        for word in crates {
            let Some(name) = package_text(word) else {
                continue;
            };
            let (crate_name, inline) = match name.split_once('@') {
                Some((crate_name, version)) => (crate_name, Some(version)),
                None => (name, None),
            };
            let message = match (git, inline.or(version)) {
                (Some(_), _) if arguments.has(&["--rev"]) => continue,
                (Some(git), _) => format!(
                    "crate {} is installed from git `{git}` without `--rev`; pin a full commit",
                    describe(word, name)
                ),
                (None, Some("")) => continue,
                (None, Some(version)) if is_exact_version(version.trim_start_matches('=')) => {
                    if digest && !locked {
                        format!(
                            "crate {} is installed without `--locked`, so its dependencies \
                             float; add `--locked`",
                            describe(word, name)
                        )
                    } else {
                        continue;
                    }
                }
                (None, Some(version)) => format!(
                    "crate {} is installed with the version requirement `{version}`, a range; \
                     pin it as `{crate_name}@<version>`",
                    describe(word, name)
                ),
                (None, None) => format!(
                    "crate {} is installed without a version; pin it as \
                     `{crate_name}@<version>` (or `--version <version>`)",
                    describe(word, name)
                ),
            };
            findings.push(word_finding(&META, document, word, message));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::model::level::PinPolicy::{Digest, Tag};
    use crate::rules::packages::test_support::check_table;

    #[test]
    fn cargo_lines() {
        let cases: &[(&str, &[&str])] = &[
            ("cargo install ripgrep", &["ripgrep"]),
            ("cargo install --locked cargo-deny", &["cargo-deny"]),
            (
                "cargo install cargo-audit cargo-edit",
                &["cargo-audit", "cargo-edit"],
            ),
            (
                "cargo install sqlx-cli --no-default-features --features postgres",
                &["sqlx-cli"],
            ),
            ("cargo install -F postgres sqlx-cli", &["sqlx-cli"]),
            ("cargo install just --version '^1.36'", &["just"]),
            ("cargo +nightly install cargo-fuzz", &["cargo-fuzz"]),
            ("cargo install --git https://github.com/o/r tool", &["tool"]),
            (
                "cargo install --git https://github.com/o/r --branch main tool",
                &["tool"],
            ),
            (
                "cargo install --root /usr/local --target x86_64-unknown-linux-musl bat",
                &["bat"],
            ),
            ("sudo -E cargo install wasm-pack", &["wasm-pack"]),
            ("cargo install --jobs 2 mdbook", &["mdbook"]),
            // must not fire
            ("cargo install ripgrep@14.1.1", &[]),
            ("cargo install ripgrep --version 14.1.1", &[]),
            ("cargo install --vers=14.1.1 ripgrep", &[]),
            ("cargo install --version =0.9.1 cargo-nextest", &[]),
            ("cargo install --locked cargo-deny@0.16.2", &[]),
            ("cargo install --path .", &[]),
            ("cargo install --path ./crates/cli --locked", &[]),
            (
                "cargo install --git https://github.com/o/r --rev 0123456789abcdef tool",
                &[],
            ),
            ("cargo install --list", &[]),
            ("cargo install $TOOLS", &[]),
            ("cargo install \"just@${JUST_VERSION}\"", &[]),
            ("cargo build --release --locked", &[]),
            ("cargo fetch", &[]),
        ];
        check_table(&RULE, Tag, cases);
    }

    #[test]
    fn digest_requires_locked() {
        let cases: &[(&str, &[&str])] = &[
            ("cargo install ripgrep@14.1.1", &["ripgrep@14.1.1"]),
            ("cargo install --locked ripgrep@14.1.1", &[]),
            ("cargo install ripgrep", &["ripgrep"]),
        ];
        check_table(&RULE, Digest, cases);
    }
}
