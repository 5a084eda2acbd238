//! PW306 gem-package-unpinned: `gem install` without `-v` / `--version` / `name:version`.

use crate::model::finding::Finding;
use crate::model::level::Level;
use crate::parse::Document;
use crate::rules::packages::{
    Arguments, SCRIPT_KINDS, commands, describe, is_exact_version, package_text, word_finding,
};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW306",
    name: "gem-package-unpinned",
    default_level: Level::Error,
    summary: "ruby gem installed without an exact version",
    help: include_str!("../../../docs/rules/PW306.md"),
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

/// `gem install` options that take a value (`gem help install`).
const SHORT: &str = "vinsPgd";
const LONG: &[&str] = &[
    "version",
    "install-dir",
    "bindir",
    "source",
    "platform",
    "trust-policy",
    "file",
    "build-root",
    "document",
    "target-rbconfig",
    "config-file",
    "http-proxy",
];

fn check(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, invocation) in commands(document) {
        if invocation.program != "gem" {
            continue;
        }
        // Everything after `--` goes to the gems' build; gem's own words come before it.
        let end = invocation
            .args
            .iter()
            .position(|word| word.is("--"))
            .unwrap_or(invocation.args.len());
        let words = invocation.args.get(..end).unwrap_or(&[]);
        let arguments = Arguments::parse(words, SHORT, LONG);
        let Some((action, gems)) = arguments.operands.split_first() else {
            continue;
        };
        if !matches!(action.text(), Some("install" | "i")) {
            continue;
        }
        let version = arguments.value(&["-v", "--version"]);
        for word in gems {
            let Some(gem) = package_text(word) else {
                continue;
            };
            if gem.ends_with(".gem") || gem.starts_with(['.', '/']) {
                continue;
            }
            let (name, inline) = match gem.split_once(':') {
                // `name:` with nothing after it is no version.
                Some((name, version)) => (name, Some(version).filter(|v| !v.is_empty())),
                None => (gem, None),
            };
            let message = match inline.or(version) {
                Some(version) if is_exact_version(version.trim_start_matches("= ")) => continue,
                // An unknown value (`-v $VERSION`) is not judged.
                Some("") => continue,
                Some(version) => format!(
                    "gem {} is installed with the version requirement `{version}`, a range; \
                     pin it with `-v <version>`",
                    describe(word, gem)
                ),
                None => format!(
                    "gem {} is installed without a version; pin it with `{name} -v <version>` \
                     or `{name}:<version>`",
                    describe(word, gem)
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
    use crate::model::level::PinPolicy::Tag;
    use crate::rules::packages::test_support::check_table;

    #[test]
    fn gem_lines() {
        let cases: &[(&str, &[&str])] = &[
            ("gem install bundler", &["bundler"]),
            ("gem install rails puma", &["rails", "puma"]),
            ("gem install --no-document rake", &["rake"]),
            ("gem install -N foreman", &["foreman"]),
            ("gem install bundler -v '~> 2.5'", &["bundler"]),
            ("gem install bundler --version '>= 2'", &["bundler"]),
            ("sudo gem install fpm", &["fpm"]),
            ("gem install --install-dir /opt/gems sass", &["sass"]),
            (
                "gem install -i /opt/gems -n /usr/local/bin jekyll",
                &["jekyll"],
            ),
            (
                "gem install --source https://rubygems.org nokogiri -- --use-system-libraries",
                &["nokogiri"],
            ),
            ("gem i rubocop", &["rubocop"]),
            ("gem install bundler:", &["bundler:"]),
            // must not fire
            ("gem install bundler -v 2.5.22", &[]),
            ("gem install bundler -v2.5.22", &[]),
            ("gem install bundler --version 2.5.22", &[]),
            ("gem install bundler --version=2.5.22", &[]),
            ("gem install bundler:2.5.22 rake:13.2.1", &[]),
            ("gem install bundler -v '= 2.5.22'", &[]),
            ("gem install ./pkg/app-1.0.gem", &[]),
            ("gem install bundler -v \"$BUNDLER_VERSION\"", &[]),
            ("gem install $GEMS", &[]),
            ("gem update --system", &[]),
            ("bundle install", &[]),
            ("gem list", &[]),
            (
                "gem install --conservative --minimal-deps rake -v 13.2.1",
                &[],
            ),
        ];
        check_table(&RULE, Tag, cases);
    }
}
