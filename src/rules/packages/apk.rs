//! PW302 apk-package-unpinned: `apk add` of a package without `=version` or `~version`.

use crate::model::finding::Finding;
use crate::model::level::Level;
use crate::parse::Document;
use crate::rules::packages::{
    Arguments, SCRIPT_KINDS, commands, describe, package_text, word_finding,
};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW302",
    name: "apk-package-unpinned",
    default_level: Level::Error,
    summary: "apk package added without a version",
    help: include_str!("../../../docs/rules/PW302.md"),
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

/// apk's options that take a value (apk(8), apk-add(8)); `--virtual NAME` names a group.
const SHORT: &str = "Xpt";
const LONG: &[&str] = &[
    "repository",
    "root",
    "arch",
    "cache-dir",
    "keys-dir",
    "repositories-file",
    "timeout",
    "virtual",
    "wait",
    "cache-max-age",
];

fn check(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, invocation) in commands(document) {
        if invocation.program != "apk" {
            continue;
        }
        let arguments = Arguments::parse(invocation.args, SHORT, LONG);
        let Some((action, packages)) = arguments.operands.split_first() else {
            continue;
        };
        if !action.is("add") {
            continue;
        }
        for word in packages {
            let Some(package) = package_text(word) else {
                continue;
            };
            if is_pinned_or_local(package) {
                continue;
            }
            let name = package.split(['>', '<', '@']).next().unwrap_or(package);
            let what = if package.contains(['>', '<']) {
                "allows a range of versions"
            } else {
                "is added without a version"
            };
            let message = format!(
                "apk package {} {what}; pin it as `{name}=<version>`",
                describe(word, package),
            );
            findings.push(word_finding(&META, document, word, message));
        }
    }
    findings
}

/// `pkg=version`, `pkg~version` (`~=` too), a local `.apk` or path. A range (`pkg>1.2`,
/// `pkg<2`) and a repository tag (`pkg@edge`) are not pins.
fn is_pinned_or_local(package: &str) -> bool {
    let range = package.contains(['>', '<']);
    (!range && package.contains(['=', '~']))
        || package.starts_with(['.', '/'])
        || package.ends_with(".apk")
        || package.is_empty()
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::model::level::PinPolicy::Tag;
    use crate::rules::packages::test_support::check_table;

    #[test]
    fn apk_lines() {
        let cases: &[(&str, &[&str])] = &[
            ("apk add curl", &["curl"]),
            ("apk add --no-cache curl git", &["curl", "git"]),
            ("apk update && apk add -U bash", &["bash"]),
            // must not fire
            ("apk add --no-cache curl=8.11.1-r0 git~2.47", &[]),
            ("apk add --no-cache 'openssl~=3.3'", &[]),
            ("apk add --allow-untrusted /tmp/x.apk ./y.apk", &[]),
            ("apk del curl", &[]),
            ("apk update", &[]),
            ("apk add --no-cache $PKGS", &[]),
            ("apk add --no-cache \"curl=${CURL_VERSION}\"", &[]),
            // `--virtual NAME` and `-t NAME` name a group, not a package
            (
                "apk add --no-cache --virtual .build-deps gcc musl-dev",
                &["gcc", "musl-dev"],
            ),
            ("apk add -t .deps gcc=14.2.0-r4 make", &["make"]),
            ("apk add --virtual=.deps make", &["make"]),
            (
                "apk add --repository http://dl-cdn.alpinelinux.org/alpine/edge/testing hub",
                &["hub"],
            ),
            ("apk add -X https://x/y tini", &["tini"]),
            ("apk --no-cache add ca-certificates", &["ca-certificates"]),
            // ranges and repository tags are not pins
            ("apk add 'curl>8.0'", &["'curl>8.0'"]),
            ("apk add curl@edge", &["curl@edge"]),
            // wrappers, lists, control flow
            ("sudo apk add jq", &["jq"]),
            (
                "set -ex && apk add --no-cache tzdata && rm -rf /var/cache/apk/*",
                &["tzdata"],
            ),
            (
                "for i in 1 2; do apk add --no-cache git || sleep 1; done",
                &["git"],
            ),
            (
                "apk add --no-cache python3 py3-pip && pip3 install x",
                &["python3", "py3-pip"],
            ),
            ("if true; then apk add --no-cache xz; fi", &["xz"]),
            (
                "apk add \\\n  --no-cache \\\n  openssh-client",
                &["openssh-client"],
            ),
            ("apk info curl", &[]),
        ];
        check_table(&RULE, Tag, cases);
    }
}
