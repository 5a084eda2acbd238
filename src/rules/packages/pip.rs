//! PW304 pip-package-unpinned: `pip` / `pip3` / `python -m pip` / `uv pip` / `pipx` install of
//! a requirement without `==` or `===`; at policy `digest`, also a pinned requirement that pip
//! does not check against a hash.

use crate::model::finding::Finding;
use crate::model::level::{Level, PinPolicy};
use crate::parse::Document;
use crate::parse::shell::Word;
use crate::rules::packages::{
    Arguments, Invocation, SCRIPT_KINDS, commands, describe, is_full_commit, package_text,
    word_finding,
};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW304",
    name: "pip-package-unpinned",
    default_level: Level::Error,
    summary: "python package installed without an exact version (or, at policy digest, without a hash)",
    help: include_str!("../../../docs/rules/PW304.md"),
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

/// Options that take a value, of `pip install`, `uv pip install` and `pipx install` together
/// (none of them uses one of these letters or names as a flag).
const SHORT: &str = "rceiftCbpP";
const LONG: &[&str] = &[
    "requirement",
    "constraint",
    "editable",
    "index-url",
    "extra-index-url",
    "find-links",
    "target",
    "prefix",
    "root",
    "platform",
    "python-version",
    "implementation",
    "abi",
    "src",
    "upgrade-strategy",
    "progress-bar",
    "log",
    "log-file",
    "proxy",
    "retries",
    "timeout",
    "exists-action",
    "trusted-host",
    "cert",
    "client-cert",
    "cache-dir",
    "config-settings",
    "config-setting",
    "global-option",
    "install-option",
    "no-binary",
    "only-binary",
    "report",
    "python",
    "root-user-action",
    "keyring-provider",
    "use-feature",
    "use-deprecated",
    "group",
    "override",
    "build-constraint",
    "upgrade-package",
    "reinstall-package",
    "no-build-package",
    "no-binary-package",
    "only-binary-package",
    "no-build-isolation-package",
    "index",
    "default-index",
    "index-strategy",
    "resolution",
    "prerelease",
    "exclude-newer",
    "link-mode",
    "python-platform",
    "torch-backend",
    "extra",
    "directory",
    "project",
    "config-file",
    "color",
    "refresh-package",
    "pip-args",
    "suffix",
    "preinstall",
    "spec",
];

fn check(document: &Document, cx: &CheckContext) -> Vec<Finding> {
    let digest = cx.policy(META.ecosystem) >= PinPolicy::Digest;
    let mut findings = Vec::new();
    for (_, invocation) in commands(document) {
        let Some(args) = install_arguments(&invocation) else {
            continue;
        };
        let arguments = Arguments::parse(args, SHORT, LONG);
        let Some((action, requirements)) = arguments.operands.split_first() else {
            continue;
        };
        if !action.is("install") {
            continue;
        }
        let hashed = arguments.has(&["--require-hashes", "--hash"]);
        for word in requirements {
            let Some(requirement) = package_text(word) else {
                continue;
            };
            let message = match judge(requirement) {
                Verdict::Fine => continue,
                Verdict::Unpinned(name) => format!(
                    "python package {} is installed without an exact version; pin it as \
                     `{name}==<version>`",
                    describe(word, requirement)
                ),
                Verdict::Range(name) => format!(
                    "python requirement {} allows a range of versions; pin it as \
                     `{name}==<version>`",
                    describe(word, requirement)
                ),
                Verdict::Branch => format!(
                    "python requirement {} is a VCS URL without a commit; pin it with \
                     `@<full commit sha>`",
                    describe(word, requirement)
                ),
                Verdict::Pinned if digest && !hashed => format!(
                    "python requirement {} is not checked against a hash; install from a \
                     requirements file with `--hash` lines and `--require-hashes`",
                    describe(word, requirement)
                ),
                Verdict::Pinned => continue,
            };
            findings.push(word_finding(&META, document, word, message));
        }
    }
    findings
}

/// The words after the program that a pip-like installer reads (`install …` for pip; after
/// `-m pip` for python; after `pip` for uv), or `None` for other commands.
fn install_arguments<'a>(invocation: &Invocation<'a>) -> Option<&'a [Word]> {
    let program = invocation.program;
    let args = invocation.args;
    if is_versioned(program, "pip") || program == "pipx" {
        return Some(args);
    }
    if program == "uv" {
        // `uv [global options] pip install …`
        let at = args.iter().position(|word| word.is("pip"))?;
        return args.get(at + 1..);
    }
    if is_versioned(program, "python") || program == "py" {
        // `python [-u -I …] -m pip …` (also `-mpip`).
        let mut at = 0;
        while let Some(word) = args.get(at) {
            let text = word.text()?;
            if text == "-m" {
                let module = args.get(at + 1)?.text()?;
                return is_versioned(module, "pip")
                    .then(|| args.get(at + 2..))
                    .flatten();
            }
            if let Some(module) = text.strip_prefix("-m") {
                return is_versioned(module, "pip")
                    .then(|| args.get(at + 1..))
                    .flatten();
            }
            if !text.starts_with('-') || text == "-c" {
                return None;
            }
            at += if matches!(text, "-W" | "-X") { 2 } else { 1 };
        }
    }
    None
}

/// `pip`, `pip3`, `pip3.12`; `python`, `python3.12`.
fn is_versioned(program: &str, stem: &str) -> bool {
    program
        .strip_prefix(stem)
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict<'a> {
    /// Local, pinned to a commit, a requirements file's business.
    Fine,
    /// `==` / `===`: pinned to a version (hash-checked only with `--require-hashes`).
    Pinned,
    Unpinned(&'a str),
    Range(&'a str),
    /// A VCS URL without a full commit.
    Branch,
}

fn judge(requirement: &str) -> Verdict<'_> {
    // PEP 508 direct reference: `name @ url`.
    let url = requirement
        .split_once('@')
        .filter(|(name, _)| !name.contains("://") && name.trim_end().len() < name.len())
        .map_or(requirement, |(_, url)| url.trim());
    if url.contains("://") {
        return judge_url(url);
    }
    if requirement.starts_with(['.', '/', '~'])
        || requirement.contains('/')
        || [".whl", ".tar.gz", ".zip", ".tgz"]
            .iter()
            .any(|suffix| requirement.ends_with(suffix))
    {
        return Verdict::Fine;
    }
    let spec = requirement.split(';').next().unwrap_or(requirement).trim();
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = spec.get(..name_end).unwrap_or(spec);
    if name.is_empty() {
        return Verdict::Fine;
    }
    let constraint = spec.get(name_end..).unwrap_or("");
    let constraint = match constraint.strip_prefix('[') {
        Some(extras) => extras.split_once(']').map_or("", |(_, rest)| rest),
        None => constraint,
    };
    if constraint.contains("==") {
        Verdict::Pinned
    } else if constraint.trim().is_empty() {
        Verdict::Unpinned(name)
    } else {
        Verdict::Range(name)
    }
}

/// A URL: a VCS URL is pinned by a full commit after `@`; an archive URL names one file.
fn judge_url(url: &str) -> Verdict<'_> {
    let vcs = ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|prefix| url.starts_with(prefix));
    if url.starts_with("file:") {
        return Verdict::Fine;
    }
    if !vcs {
        return if url.contains("#sha256=") || url.contains("#sha512=") {
            Verdict::Fine
        } else {
            Verdict::Pinned
        };
    }
    let without_fragment = url.split('#').next().unwrap_or(url);
    let path = without_fragment
        .split_once("://")
        .map_or("", |(_, rest)| rest);
    let reference = path.rsplit_once('@').map(|(_, reference)| reference);
    let commit = reference.is_some_and(is_full_commit);
    if commit {
        Verdict::Fine
    } else {
        Verdict::Branch
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::model::level::PinPolicy::{Digest, Tag};
    use crate::rules::packages::test_support::check_table;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn pip_lines() {
        let vcs_pinned = format!("pip install git+https://github.com/o/r.git@{SHA}");
        let cases: &[(&str, &[&str])] = &[
            ("pip install flask redis", &["flask", "redis"]),
            ("pip3 install --no-cache-dir requests", &["requests"]),
            ("python -m pip install flask", &["flask"]),
            (
                "python3 -m pip install --upgrade pip setuptools",
                &["pip", "setuptools"],
            ),
            ("python3.12 -u -m pip install x", &["x"]),
            ("uv pip install --system ruff", &["ruff"]),
            ("pipx install poetry", &["poetry"]),
            ("/usr/local/bin/pip install gunicorn", &["gunicorn"]),
            // ranges
            ("pip install 'django>=4.2'", &["'django>=4.2'"]),
            (
                "pip install \"numpy~=1.26\" 'pandas<3'",
                &["\"numpy~=1.26\"", "'pandas<3'"],
            ),
            ("pip install 'uvicorn[standard]'", &["'uvicorn[standard]'"]),
            // must not fire: pinned, files, local, VCS at a commit
            ("pip install flask==3.0.0 redis==5.0.1", &[]),
            ("pip install 'uvicorn[standard]==0.30.6' 'x===1.0'", &[]),
            ("pip install -r requirements.txt", &[]),
            ("pip install -r requirements.txt -c constraints.txt", &[]),
            ("pip install --requirement=requirements/prod.txt", &[]),
            ("pip install .", &[]),
            ("pip install -e .", &[]),
            (
                "pip install ./dist/app-1.0-py3-none-any.whl /wheels/*.whl",
                &[],
            ),
            ("uv pip install --system /wheels/*.whl", &[]),
            (vcs_pinned.as_str(), &[]),
            ("pip install \"app @ file:///src\"", &[]),
            ("pip install $PACKAGES", &[]),
            ("pip install \"flask==${FLASK_VERSION}\"", &[]),
            ("pip wheel --wheel-dir /wheels .", &[]),
            ("pip download flask", &[]),
            ("python3 -c 'import pip'", &[]),
            // VCS without a commit
            (
                "pip install git+https://github.com/o/r.git@main",
                &["git+https://github.com/o/r.git@main"],
            ),
            // options with values are not requirements
            (
                "pip install -i https://pypi.org/simple --trusted-host pypi.org black",
                &["black"],
            ),
            (
                "pip install --target /opt/x --platform manylinux2014_x86_64 boto3",
                &["boto3"],
            ),
            ("sudo -H pip3 install awscli", &["awscli"]),
            (
                "pip install --user ansible && ansible --version",
                &["ansible"],
            ),
        ];
        check_table(&RULE, Tag, cases);
    }

    #[test]
    fn digest_requires_hashes() {
        let cases: &[(&str, &[&str])] = &[
            ("pip install flask==3.0.0", &["flask==3.0.0"]),
            ("pip install --require-hashes flask==3.0.0", &[]),
            ("pip install -r requirements.txt", &[]),
            ("pip install --require-hashes -r requirements.txt", &[]),
            (
                "pip install https://x.io/a-1.0.tar.gz",
                &["https://x.io/a-1.0.tar.gz"],
            ),
            ("pip install https://x.io/a-1.0.tar.gz#sha256=abc", &[]),
            ("pip install flask", &["flask"]),
            ("pip install ./local", &[]),
        ];
        check_table(&RULE, Digest, cases);
        // Archive URLs name one file: not flagged below digest.
        check_table(
            &RULE,
            Tag,
            &[("pip install https://x.io/a-1.0.tar.gz", &[])],
        );
    }
}
