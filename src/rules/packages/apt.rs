//! PW301 apt-package-unpinned: `apt-get install` / `apt install` of a package without
//! `=version`.

use crate::model::finding::Finding;
use crate::model::level::Level;
use crate::parse::Document;
use crate::rules::packages::{
    Arguments, SCRIPT_KINDS, commands, describe, package_text, word_finding,
};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW301",
    name: "apt-package-unpinned",
    default_level: Level::Error,
    summary: "apt package installed without a version",
    help: include_str!("../../../docs/rules/PW301.md"),
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

/// apt-get's options that take a value (apt-get(8)).
const SHORT: &str = "cot";
const LONG: &[&str] = &[
    "config-file",
    "option",
    "target-release",
    "default-release",
    "host-architecture",
    "build-profiles",
];

fn check(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, invocation) in commands(document) {
        if !matches!(invocation.program, "apt-get" | "apt" | "aptitude") {
            continue;
        }
        let arguments = Arguments::parse(invocation.args, SHORT, LONG);
        let Some((action, packages)) = arguments.operands.split_first() else {
            continue;
        };
        if !matches!(action.text(), Some("install" | "reinstall")) {
            continue;
        }
        for word in packages {
            let Some(package) = package_text(word) else {
                continue;
            };
            if is_pinned_or_local(package) {
                continue;
            }
            let message = format!(
                "apt package {} is installed without a version; pin it as `{}=<version>`",
                describe(word, package),
                package.split('/').next().unwrap_or(package)
            );
            findings.push(word_finding(&META, document, word, message));
        }
    }
    findings
}

/// `pkg=version` (a `*` in the version counts), a local `.deb`, a path, or a removal
/// (`pkg-`, which `install` accepts).
fn is_pinned_or_local(package: &str) -> bool {
    package.contains('=')
        || package.starts_with(['.', '/', '~'])
        || package.ends_with(".deb")
        || (package.ends_with('-') && package.len() > 1)
        || package.is_empty()
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::model::level::PinPolicy::{Digest, Tag};
    use crate::rules::packages::test_support::check_table;

    #[test]
    fn apt_lines() {
        let cases: &[(&str, &[&str])] = &[
            ("apt-get install curl", &["curl"]),
            ("apt-get install -y curl git", &["curl", "git"]),
            (
                "apt-get update && apt-get install -y --no-install-recommends curl",
                &["curl"],
            ),
            // must not fire: pinned, wildcard versions, local files, no packages
            (
                "apt-get install -y --no-install-recommends ca-certificates=2023*",
                &[],
            ),
            (
                "apt-get install -y curl=7.88.1-10+deb12u7 git=1:2.39.5-0+deb12u1",
                &[],
            ),
            ("apt-get install -y ./local.deb /tmp/x.deb", &[]),
            ("apt-get install -f", &[]),
            ("apt-get -f install", &[]),
            ("apt-get update", &[]),
            ("apt-get remove -y curl", &[]),
            ("apt-get install -y curl-", &[]),
            // options with values are not packages
            (
                "apt-get -o Dpkg::Options::=--force-confold install -y vim",
                &["vim"],
            ),
            (
                "apt-get install -t bookworm-backports -y golang",
                &["golang"],
            ),
            (
                "apt-get install --target-release=bookworm-backports -y golang",
                &["golang"],
            ),
            ("apt install -y jq", &["jq"]),
            ("apt-get -qq install -y jq", &["jq"]),
            // a release is not a version
            (
                "apt-get install -y curl/bookworm-backports",
                &["curl/bookworm-backports"],
            ),
            // wrappers and prefixes
            ("sudo apt-get install -y curl", &["curl"]),
            (
                "DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata",
                &["tzdata"],
            ),
            (
                "env DEBIAN_FRONTEND=noninteractive apt-get install -yq tzdata",
                &["tzdata"],
            ),
            (
                "set -eux; apt-get update; apt-get install -y wget; rm -rf /var/lib/apt/lists/*",
                &["wget"],
            ),
            (
                "if [ \"$X\" = 1 ]; then apt-get install -y gcc; fi",
                &["gcc"],
            ),
            ("(apt-get install -y make)", &["make"]),
            ("echo $(apt-get install -y zip)", &["zip"]),
            ("cat pkgs.txt | xargs apt-get install -y", &[]),
            ("xargs -a pkgs.txt apt-get install -y unzip", &["unzip"]),
            ("cat pkgs.txt | xargs -I{} apt-get install -y {}", &[]),
            // exec form: with or without a shell
            (r#"["apt-get", "install", "-y", "curl"]"#, &["curl"]),
            (r#"["/bin/sh", "-c", "apt-get install -y git"]"#, &["git"]),
            (r#"["apt-get", "install", "-y", "curl=7.88.1-10"]"#, &[]),
            // command strings handed to a shell
            ("sh -c 'apt-get install -y curl'", &["curl"]),
            ("sudo su -c \"apt-get install -y git\" root", &["git"]),
            // quoting and unknown words
            ("apt-get install -y \"curl\" 'git'", &["\"curl\"", "'git'"]),
            ("apt-get install -y $PKGS", &[]),
            ("apt-get install -y \"curl=${CURL_VERSION}\"", &[]),
        ];
        check_table(&RULE, Tag, cases);
        check_table(&RULE, Digest, &cases[..3]);
    }

    #[test]
    fn variables_resolve_from_arg_and_env() {
        use crate::model::kind::FileKind;
        use crate::rules::packages::test_support::findings;
        let text = "FROM debian:12.7\nARG TOOLS=\"curl git\"\nENV PIN=7.88.1-10\n\
                    RUN apt-get install -y $TOOLS curl=$PIN\n";
        let found = findings(&RULE, FileKind::Dockerfile, text, Tag);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "apt package `$TOOLS` (resolves to `curl`) is installed without a version; pin it as `curl=<version>`",
                "apt package `$TOOLS` (resolves to `git`) is installed without a version; pin it as `git=<version>`",
            ]
        );
        assert_eq!(found[0].related[0].location.text(), "TOOLS=\"curl git\"");
    }
}
