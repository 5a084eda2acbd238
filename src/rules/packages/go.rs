//! PW307 go-package-unpinned: `go install` / `go get` of a module without `@vX.Y.Z` (or with
//! a query such as `@latest` or a branch such as `@master`).

use crate::model::finding::Finding;
use crate::model::level::Level;
use crate::parse::Document;
use crate::rules::packages::{
    SCRIPT_KINDS, commands, describe, is_full_commit, is_semver, package_text, word_finding,
};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW307",
    name: "go-package-unpinned",
    default_level: Level::Error,
    summary: "go module installed without an exact version",
    help: include_str!("../../../docs/rules/PW307.md"),
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

/// Build flags that take a value (`go help build`); go accepts `-flag value` and `-flag=value`.
const VALUE_FLAGS: &[&str] = &[
    "-C",
    "-p",
    "-asmflags",
    "-buildmode",
    "-buildvcs",
    "-compiler",
    "-gccgoflags",
    "-gcflags",
    "-installsuffix",
    "-ldflags",
    "-mod",
    "-modfile",
    "-overlay",
    "-pgo",
    "-pkgdir",
    "-tags",
    "-toolexec",
    "-o",
    "-exec",
];

fn check(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, invocation) in commands(document) {
        if invocation.program != "go" {
            continue;
        }
        let Some((action, rest)) = invocation.args.split_first() else {
            continue;
        };
        if !matches!(action.text(), Some("install" | "get")) {
            continue;
        }
        // go's flags are single-dash words; map them to the long form Arguments reads.
        let mut operands = Vec::new();
        let mut words = rest.iter();
        while let Some(word) = words.next() {
            let Some(text) = word.text() else {
                operands.push(word);
                continue;
            };
            if text == "--" {
                operands.extend(words.by_ref());
                break;
            }
            if text.starts_with('-') {
                let name = text.trim_start_matches('-').split('=').next().unwrap_or("");
                if !text.contains('=') && VALUE_FLAGS.contains(&format!("-{name}").as_str()) {
                    words.next();
                }
                continue;
            }
            operands.push(word);
        }
        for word in operands {
            let Some(path) = package_text(word) else {
                continue;
            };
            let message = match judge(path) {
                Verdict::Fine => continue,
                Verdict::NoVersion => format!(
                    "go module {} is installed without a version; pin it as \
                     `{path}@v<major>.<minor>.<patch>`",
                    describe(word, path)
                ),
                Verdict::Query(module, query) => format!(
                    "go module {} uses `@{query}`, which moves; pin it as \
                     `{module}@v<major>.<minor>.<patch>`",
                    describe(word, path)
                ),
            };
            findings.push(word_finding(&META, document, word, message));
        }
    }
    findings
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict<'a> {
    Fine,
    NoVersion,
    /// The module path and the query after `@`.
    Query(&'a str, &'a str),
}

fn judge(path: &str) -> Verdict<'_> {
    // Local packages and the standard library.
    if path.starts_with(['.', '/']) || matches!(path, "all" | "std" | "cmd") || !path.contains('.')
    {
        return Verdict::Fine;
    }
    let Some((module, version)) = path.split_once('@') else {
        return Verdict::NoVersion;
    };
    if version == "none"
        || version.strip_prefix('v').is_some_and(is_semver)
        || is_full_commit(version)
    {
        Verdict::Fine
    } else {
        Verdict::Query(module, version)
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::model::level::PinPolicy::Tag;
    use crate::rules::packages::test_support::check_table;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn go_lines() {
        let commit = format!("go install golang.org/x/tools/gopls@{SHA}");
        let cases: &[(&str, &[&str])] = &[
            (
                "go install golang.org/x/tools/gopls@latest",
                &["golang.org/x/tools/gopls@latest"],
            ),
            (
                "go install github.com/x/y/cmd/z@master",
                &["github.com/x/y/cmd/z@master"],
            ),
            ("go install github.com/x/y@v1", &["github.com/x/y@v1"]),
            ("go install github.com/x/y@v1.2", &["github.com/x/y@v1.2"]),
            ("go install github.com/x/y", &["github.com/x/y"]),
            ("go get github.com/x/y", &["github.com/x/y"]),
            ("go get -u github.com/x/y", &["github.com/x/y"]),
            ("go get -d -v github.com/x/y/...", &["github.com/x/y/..."]),
            (
                "GO111MODULE=on go get github.com/x/y@upgrade",
                &["github.com/x/y@upgrade"],
            ),
            (
                "CGO_ENABLED=0 go install -ldflags '-s -w' github.com/a/b@latest",
                &["github.com/a/b@latest"],
            ),
            (
                "go install -tags netgo github.com/a/b@main",
                &["github.com/a/b@main"],
            ),
            (
                "go install -ldflags=-s github.com/a/b@main",
                &["github.com/a/b@main"],
            ),
            // must not fire
            ("go install golang.org/x/tools/gopls@v0.16.2", &[]),
            ("go install github.com/x/y@v1.2.3-rc.1", &[]),
            (
                "go install github.com/x/y@v0.0.0-20240101000000-0123456789ab",
                &[],
            ),
            (commit.as_str(), &[]),
            ("go install ./...", &[]),
            ("go install .", &[]),
            ("go install ./cmd/app", &[]),
            ("go get ./...", &[]),
            ("go get", &[]),
            ("go get github.com/x/y@none", &[]),
            ("go build -o /app ./cmd/app", &[]),
            ("go mod download", &[]),
            ("go install $TOOL", &[]),
            ("go install \"github.com/x/y@${VERSION}\"", &[]),
            ("go install std", &[]),
        ];
        check_table(&RULE, Tag, cases);
    }
}
