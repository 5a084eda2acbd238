//! PW305 npm-package-unpinned: `npm` / `yarn` / `pnpm` / `bun` add or install of a named
//! package without an exact version; at policy `digest`, also an install that does not enforce
//! the lockfile.

use crate::model::finding::Finding;
use crate::model::level::{Level, PinPolicy};
use crate::model::location::Span;
use crate::parse::Document;
use crate::rules::packages::{
    Arguments, SCRIPT_KINDS, commands, describe, finding, is_full_commit, is_semver, package_text,
    word_finding,
};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW305",
    name: "npm-package-unpinned",
    default_level: Level::Error,
    summary: "node package added without an exact version (or, at policy digest, an install that does not enforce the lockfile)",
    help: include_str!("../../../docs/rules/PW305.md"),
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

/// Options that take a value, of npm, yarn, pnpm and bun together.
const SHORT: &str = "wCFc";
const LONG: &[&str] = &[
    "prefix",
    "registry",
    "tag",
    "cache",
    "userconfig",
    "globalconfig",
    "workspace",
    "omit",
    "include",
    "install-strategy",
    "loglevel",
    "before",
    "os",
    "cpu",
    "libc",
    "cwd",
    "modules-folder",
    "network-timeout",
    "cache-folder",
    "mutex",
    "use-yarnrc",
    "link-folder",
    "global-folder",
    "dir",
    "filter",
    "store-dir",
    "reporter",
    "backend",
    "cache-dir",
    "config",
];

/// npm's aliases of `install` (npm's `cmd-list`), and `add`.
const NPM_INSTALL: &[&str] = &[
    "install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall",
    "add",
];

fn check(document: &Document, cx: &CheckContext) -> Vec<Finding> {
    let digest = cx.policy(META.ecosystem) >= PinPolicy::Digest;
    let mut findings = Vec::new();
    for (_, invocation) in commands(document) {
        let program = invocation.program;
        if !matches!(program, "npm" | "yarn" | "pnpm" | "bun") {
            continue;
        }
        let arguments = Arguments::parse(invocation.args, SHORT, LONG);
        let mut operands = arguments.operands.as_slice();
        if program == "yarn" && operands.first().is_some_and(|word| word.is("global")) {
            operands = operands.get(1..).unwrap_or(&[]);
        }
        let action = operands.first().map(|word| word.text());
        let install = match (program, action) {
            ("npm", Some(Some(action))) => NPM_INSTALL.contains(&action),
            // Bare `yarn` installs.
            ("yarn", None) => true,
            ("yarn", Some(Some(action))) => matches!(action, "add" | "install"),
            ("pnpm" | "bun", Some(Some(action))) => {
                matches!(action, "add" | "a" | "install" | "i")
            }
            _ => false,
        };
        if !install {
            continue;
        }
        let packages = operands.get(1..).unwrap_or(&[]);
        if packages.is_empty() {
            let locked = arguments.has(&["--frozen-lockfile", "--immutable"]);
            if digest && !locked {
                let end = operands
                    .first()
                    .map_or(invocation.program_word.span.end, |word| word.span.end);
                let span = Span::new(invocation.program_word.span.start, end);
                let message = match program {
                    "npm" => "`npm install` does not enforce the lockfile; use `npm ci`".to_owned(),
                    "yarn" => "`yarn install` without `--frozen-lockfile` (or `--immutable`) may \
                               change the lockfile; add it"
                        .to_owned(),
                    _ => format!(
                        "`{program} install` without `--frozen-lockfile` may change the \
                         lockfile; add it"
                    ),
                };
                findings.push(finding(&META, document, span, message));
            }
            continue;
        }
        for word in packages {
            let Some(package) = package_text(word) else {
                continue;
            };
            let message = match judge(package) {
                Verdict::Fine => continue,
                Verdict::Unpinned(name) => format!(
                    "node package {} is added without an exact version; pin it as \
                     `{name}@<version>`",
                    describe(word, package)
                ),
                Verdict::Git => format!(
                    "node package {} comes from git without a commit; pin it with \
                     `#<full commit sha>`",
                    describe(word, package)
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
    /// The package name, without its version or tag.
    Unpinned(&'a str),
    /// A git dependency without a full commit.
    Git,
}

fn judge(package: &str) -> Verdict<'_> {
    if package.starts_with(['.', '/', '~'])
        || ["file:", "link:", "workspace:"]
            .iter()
            .any(|prefix| package.starts_with(prefix))
        || package.ends_with(".tgz")
        || package.ends_with(".tar.gz")
    {
        return Verdict::Fine;
    }
    let git = [
        "git+",
        "git:",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ]
    .iter()
    .any(|prefix| package.starts_with(prefix));
    let shorthand = !package.starts_with('@') && package.contains('/') && !package.contains("://");
    if git || shorthand {
        let commit = package
            .rsplit_once('#')
            .is_some_and(|(_, reference)| is_full_commit(reference));
        return if commit { Verdict::Fine } else { Verdict::Git };
    }
    if package.contains("://") {
        // A tarball URL names one file.
        return Verdict::Fine;
    }
    // `name@spec` / `@scope/name@spec`: the `@` that is not the scope's.
    let (name, spec) = match package.get(1..).and_then(|rest| rest.rfind('@')) {
        Some(at) => (
            package.get(..=at).unwrap_or(package),
            package.get(at + 2..).unwrap_or(""),
        ),
        None => (package, ""),
    };
    if let Some(aliased) = spec.strip_prefix("npm:") {
        return match judge(aliased) {
            Verdict::Unpinned(_) => Verdict::Unpinned(name),
            other => other,
        };
    }
    if is_exact_semver(spec) {
        Verdict::Fine
    } else {
        Verdict::Unpinned(name)
    }
}

/// `1.2.3`, `v1.2.3`, `=1.2.3`, `1.2.3-beta.1`, `1.2.3+build`: one version, not a range.
fn is_exact_semver(spec: &str) -> bool {
    let spec = spec.strip_prefix('=').unwrap_or(spec);
    is_semver(spec.strip_prefix('v').unwrap_or(spec))
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::model::level::PinPolicy::{Digest, Tag};
    use crate::rules::packages::test_support::check_table;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn npm_lines() {
        let git_pinned = format!("npm install github:o/r#{SHA}");
        let cases: &[(&str, &[&str])] = &[
            ("npm install express", &["express"]),
            ("npm i -g typescript", &["typescript"]),
            ("npm install -g pkg@latest", &["pkg@latest"]),
            (
                "npm install --save-dev jest@^29.0.0 @types/node@20",
                &["jest@^29.0.0", "@types/node@20"],
            ),
            ("npm install lodash@4.17", &["lodash@4.17"]),
            ("npm add @scope/pkg", &["@scope/pkg"]),
            ("yarn add react react-dom@18.3.1", &["react"]),
            ("yarn global add serve", &["serve"]),
            ("pnpm add -D vite", &["vite"]),
            ("pnpm add --filter web zod", &["zod"]),
            ("bun add hono", &["hono"]),
            ("bun install -g @biomejs/biome", &["@biomejs/biome"]),
            ("npm install o/r", &["o/r"]),
            ("npm install github:o/r#main", &["github:o/r#main"]),
            // must not fire
            ("npm ci", &[]),
            ("npm install", &[]),
            ("npm install --omit=dev", &[]),
            ("yarn install --frozen-lockfile", &[]),
            ("yarn", &[]),
            ("pnpm install --frozen-lockfile", &[]),
            ("bun install", &[]),
            ("npm install -g npm@10.8.2 yarn@=1.22.22", &[]),
            ("npm install @scope/pkg@1.2.3-beta.1", &[]),
            ("npm install ./local ../x.tgz file:../y", &[]),
            ("npm install https://x.io/a-1.0.0.tgz", &[]),
            (git_pinned.as_str(), &[]),
            ("npm install $PKG", &[]),
            ("npm run build && npm test", &[]),
            ("yarn build", &[]),
            ("npm --prefix /app install express", &["express"]),
            (
                "sudo npm install -g --unsafe-perm=true node-gyp",
                &["node-gyp"],
            ),
        ];
        check_table(&RULE, Tag, cases);
    }

    #[test]
    fn digest_requires_the_lockfile() {
        let cases: &[(&str, &[&str])] = &[
            ("npm install", &["npm install"]),
            ("npm i --omit=dev", &["npm i"]),
            ("npm ci", &[]),
            ("yarn", &["yarn"]),
            ("yarn install", &["yarn install"]),
            ("yarn install --frozen-lockfile", &[]),
            ("yarn install --immutable", &[]),
            ("pnpm install", &["pnpm install"]),
            ("pnpm install --frozen-lockfile", &[]),
            ("bun install --frozen-lockfile", &[]),
            ("npm install express@4.21.1", &[]),
        ];
        check_table(&RULE, Digest, cases);
    }
}
