//! PW303 rpm-package-unpinned: `dnf` / `yum` / `microdnf` / `tdnf` / `zypper` install of a
//! package without a version.

use crate::model::finding::Finding;
use crate::model::level::Level;
use crate::parse::Document;
use crate::rules::packages::{
    Arguments, SCRIPT_KINDS, commands, describe, package_text, word_finding,
};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW303",
    name: "rpm-package-unpinned",
    default_level: Level::Error,
    summary: "dnf, yum, microdnf or zypper package installed without a version",
    help: include_str!("../../../docs/rules/PW303.md"),
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

/// dnf / yum / microdnf options that take a value (dnf(8) "Options").
const DNF_SHORT: &str = "cdeRx";
const DNF_LONG: &[&str] = &[
    "config",
    "debuglevel",
    "errorlevel",
    "enablerepo",
    "disablerepo",
    "repo",
    "repoid",
    "releasever",
    "installroot",
    "exclude",
    "excludepkgs",
    "setopt",
    "forcearch",
    "repofrompath",
    "destdir",
    "downloaddir",
    "comment",
    "color",
    "rpmverbosity",
    "disableplugin",
    "enableplugin",
];

/// zypper's global and `install` options that take a value (zypper(8)).
const ZYPPER_SHORT: &str = "cDRrtC";
const ZYPPER_LONG: &[&str] = &[
    "config",
    "reposd-dir",
    "cache-dir",
    "raw-cache-dir",
    "solv-cache-dir",
    "pkg-cache-dir",
    "root",
    "repo",
    "from",
    "type",
    "download",
    "installroot",
];

fn check(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, invocation) in commands(document) {
        let program = invocation.program;
        let zypper = program == "zypper";
        let (short, long, actions): (&str, &[&str], &[&str]) = if zypper {
            (ZYPPER_SHORT, ZYPPER_LONG, &["install", "in"])
        } else if matches!(program, "dnf" | "dnf5" | "yum" | "microdnf" | "tdnf") {
            (DNF_SHORT, DNF_LONG, &["install", "reinstall"])
        } else {
            continue;
        };
        let arguments = Arguments::parse(invocation.args, short, long);
        let Some((action, packages)) = arguments.operands.split_first() else {
            continue;
        };
        if !action
            .text()
            .is_some_and(|action| actions.contains(&action))
        {
            continue;
        }
        for word in packages {
            let Some(package) = package_text(word) else {
                continue;
            };
            if is_pinned_or_local(package, zypper) {
                continue;
            }
            let name = package
                .split([' ', '<', '>', '='])
                .next()
                .unwrap_or(package);
            let example = if zypper {
                format!("`{name}=<version>`")
            } else {
                format!("`{name}-<version>`")
            };
            let what = if package.contains(['>', '<']) {
                "allows a range of versions"
            } else {
                "is installed without a version"
            };
            let message = format!(
                "{program} package {} {what}; pin it as {example}",
                describe(word, package),
            );
            findings.push(word_finding(&META, document, word, message));
        }
    }
    findings
}

/// A version in the spec (`pkg-1.2.3`, `pkg-1.2.3-1.el9`, `pkg-0:1.2.3-1.el9.x86_64`; for
/// zypper also `pkg=1.2.3`), a local or remote `.rpm`, a path, a group or module (`@…`).
fn is_pinned_or_local(package: &str, zypper: bool) -> bool {
    if package.starts_with(['@', '.', '/']) || package.ends_with(".rpm") || package.contains("://")
    {
        return true;
    }
    if package.contains(['<', '>']) {
        return false;
    }
    if package.contains('=') {
        return zypper;
    }
    has_version_suffix(package)
}

/// `name-version` or `name-version-release`: the last or the second-to-last `-` field starts
/// with a digit (or an `epoch:`), and a release, when there is one, does too.
fn has_version_suffix(package: &str) -> bool {
    let fields: Vec<&str> = package.split('-').collect();
    let starts_numeric = |field: &&str| field.starts_with(|c: char| c.is_ascii_digit());
    match fields.as_slice() {
        [_, .., version, release] if starts_numeric(version) && starts_numeric(release) => true,
        [_, .., version] => starts_numeric(version),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::model::level::PinPolicy::Tag;
    use crate::rules::packages::test_support::check_table;

    #[test]
    fn rpm_lines() {
        let cases: &[(&str, &[&str])] = &[
            ("dnf install -y httpd", &["httpd"]),
            ("yum install -y git curl", &["git", "curl"]),
            ("microdnf install -y shadow-utils", &["shadow-utils"]),
            ("tdnf install -y tar", &["tar"]),
            ("yum -y install wget", &["wget"]),
            // must not fire: versions in the spec, local and remote rpms, groups, modules
            ("dnf install -y httpd-2.4.57", &[]),
            ("dnf install -y httpd-2.4.57-5.el9", &[]),
            ("yum install -y nginx-1:1.20.1-14.el9.x86_64", &[]),
            ("dnf install -y java-17-openjdk-17.0.9.0.9-1.el9", &[]),
            ("dnf install -y ./local.rpm https://x.io/y.rpm", &[]),
            ("dnf install -y @development-tools", &[]),
            ("dnf install -y $PKGS", &[]),
            ("dnf update -y", &[]),
            ("dnf clean all", &[]),
            // a package name with a number inside is not a version
            ("dnf install -y java-17-openjdk", &["java-17-openjdk"]),
            ("dnf install -y python3.11", &["python3.11"]),
            // options with values
            ("dnf --setopt=tsflags=nodocs install -y gcc", &["gcc"]),
            ("yum --enablerepo epel install -y jq", &["jq"]),
            (
                "dnf install -y --releasever 9 --installroot /mnt zlib",
                &["zlib"],
            ),
            ("dnf install -y 'pkg >= 1.2'", &["'pkg >= 1.2'"]),
            // zypper
            ("zypper install -y curl", &["curl"]),
            (
                "zypper --non-interactive in --no-recommends git-core",
                &["git-core"],
            ),
            ("zypper -n in -y vim=9.1.0836", &[]),
            ("zypper in -y vim-9.1.0836", &[]),
            ("zypper --root /mnt in -y -r oss tar", &["tar"]),
            ("zypper refresh", &[]),
            // wrappers
            ("sudo dnf install -y make && dnf clean all", &["make"]),
        ];
        check_table(&RULE, Tag, cases);
    }
}
