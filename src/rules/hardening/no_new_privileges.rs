//! PW402 no-new-privileges-missing: a process in the container can gain privileges through
//! setuid/setcap binaries. A compose service without `no-new-privileges:true` in
//! `security_opt`; a Kubernetes container with `allowPrivilegeEscalation: true` or
//! `privileged: true`.

use std::sync::Arc;

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::model::location::Location;
use crate::model::origin::Origin;
use crate::model::source::SourceFile;
use crate::parse::compose::{ComposeFile, ComposeService};
use crate::parse::k8s::Manifests;
use crate::parse::yaml::Node;
use crate::parse::{Document, Syntax};
use crate::rules::hardening::{entry, yaml_bool};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW402",
    name: "no-new-privileges-missing",
    default_level: Level::Note,
    summary: "the container's processes may gain privileges: `no-new-privileges` is not set",
    help: include_str!("../../../docs/rules/PW402.md"),
    ecosystem: Ecosystem::None,
    min_policy: None,
    tags: &["security", "hardening"],
    security_severity: "3.0",
    applies_to: &[FileKind::Compose, FileKind::Kubernetes],
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Document(check)],
};

/// How far `extends:` is followed within one file.
const MAX_EXTENDS: usize = 16;

fn check(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    let source = &document.source;
    match &document.syntax {
        Syntax::Compose(file) => compose(source, file),
        Syntax::Kubernetes(manifests) => kubernetes(source, manifests),
        _ => Vec::new(),
    }
}

/// What a service's `security_opt` says about `no-new-privileges`.
enum Setting<'n> {
    On,
    /// Turned off (or set to a value Docker rejects) by this entry.
    Off(&'n Node),
    Missing,
    /// Inherited through `extends:` from another file, which is not read here.
    Unknown,
}

fn compose(source: &Arc<SourceFile>, file: &ComposeFile) -> Vec<Finding> {
    let mut findings = Vec::new();
    for service in &file.services {
        let (location, message) = match setting(file, service) {
            Setting::On | Setting::Unknown => continue,
            Setting::Off(node) => (
                node.span,
                format!(
                    "service `{}` turns `no-new-privileges` off (`{}`): its processes can gain \
                     privileges through setuid and setcap binaries",
                    service.name,
                    node.as_str().unwrap_or("")
                ),
            ),
            Setting::Missing => (
                service.key,
                format!(
                    "service `{}` does not set `no-new-privileges:true` in `security_opt`: its \
                     processes can gain privileges through setuid and setcap binaries",
                    service.name
                ),
            ),
        };
        findings.push(Finding::new(
            &META,
            Location::new(Arc::clone(source), location),
            message,
        ));
    }
    findings
}

/// The service's own `security_opt`, else the one of the service it `extends` in this file.
fn setting<'f>(file: &'f ComposeFile, service: &'f ComposeService) -> Setting<'f> {
    let mut current = service;
    for _ in 0..MAX_EXTENDS {
        if let Some(options) = current.get("security_opt").and_then(Node::as_sequence) {
            let mut result = Setting::Missing;
            for option in options {
                match option.as_str().map(option_value) {
                    Some(Some(true)) => result = Setting::On,
                    Some(Some(false)) => result = Setting::Off(option),
                    _ => {}
                }
            }
            return result;
        }
        let Some(extends) = current.get("extends") else {
            return Setting::Missing;
        };
        let base = match extends.as_mapping() {
            Some(_) if extends.get("file").is_some() => return Setting::Unknown,
            Some(_) => extends.get("service").and_then(Node::as_str),
            None => extends.as_str(),
        };
        let next = base.and_then(|base| file.services.iter().find(|s| s.name == base));
        match next {
            Some(next) => current = next,
            None => return Setting::Unknown,
        }
    }
    Setting::Unknown
}

/// What one `security_opt` entry sets `no-new-privileges` to, as the Docker daemon reads it
/// (`no-new-privileges` alone, or `no-new-privileges=<bool>` / the deprecated `:<bool>`,
/// with Go's `strconv.ParseBool`); `None` for another option. A value Docker rejects counts
/// as off.
fn option_value(option: &str) -> Option<bool> {
    if option == "no-new-privileges" {
        return Some(true);
    }
    let (key, value) = option.split_once('=').or_else(|| option.split_once(':'))?;
    if key != "no-new-privileges" {
        return None;
    }
    Some(matches!(value, "1" | "t" | "T" | "TRUE" | "true" | "True"))
}

/// `allowPrivilegeEscalation: true` or `privileged: true` in a container's `securityContext`
/// (the pod-level `securityContext` has neither field).
fn kubernetes(source: &Arc<SourceFile>, manifests: &Manifests) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in &manifests.objects {
        for container in &object.containers {
            let Some(context) = container.node.get("securityContext") else {
                continue;
            };
            let name = Origin::Container(container.id.clone()).to_string();
            for (field, why) in [
                (
                    "allowPrivilegeEscalation",
                    "its processes can gain more privileges than their parent",
                ),
                (
                    "privileged",
                    "a privileged container can always gain privileges",
                ),
            ] {
                let Some((key, value)) = entry(context, field) else {
                    continue;
                };
                if yaml_bool(value, true) != Some(true) {
                    continue;
                }
                findings.push(Finding::new(
                    &META,
                    Location::new(Arc::clone(source), key.span),
                    format!(
                        "{name} sets `{field}: {}`: {why}",
                        value.as_str().unwrap_or("true")
                    ),
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::hardening::test_support::hits;

    #[test]
    fn security_opt_entries_as_docker_reads_them() {
        // (entry, no-new-privileges value)
        let cases = [
            ("no-new-privileges", Some(true)),
            ("no-new-privileges:true", Some(true)),
            ("no-new-privileges=true", Some(true)),
            ("no-new-privileges=1", Some(true)),
            ("no-new-privileges:True", Some(true)),
            ("no-new-privileges:false", Some(false)),
            ("no-new-privileges=0", Some(false)),
            ("no-new-privileges=yes", Some(false)), // Docker rejects it: not on
            ("no-new-privileges: true", Some(false)), // " true" is not a Go bool
            ("No-New-Privileges:true", None),
            ("label=disable", None),
            ("seccomp:unconfined", None),
            ("apparmor=docker-default", None),
        ];
        for (option, expected) in cases {
            assert_eq!(option_value(option), expected, "{option}");
        }
    }

    #[test]
    fn compose_services() {
        // (services, flagged `line:text`)
        let cases: &[(&str, &[&str])] = &[
            ("  a:\n    image: x\n", &["2:a"]),
            (
                "  a:\n    image: x\n    security_opt: [no-new-privileges:true]\n",
                &[],
            ),
            (
                "  a:\n    image: x\n    security_opt:\n      - \"no-new-privileges=true\"\n",
                &[],
            ),
            (
                "  a:\n    image: x\n    security_opt:\n      - no-new-privileges\n",
                &[],
            ),
            ("  a:\n    security_opt:\n      - label:disable\n", &["2:a"]),
            (
                "  a:\n    security_opt:\n      - no-new-privileges:false\n",
                &["4:no-new-privileges:false"],
            ),
            // the last entry wins
            (
                "  a:\n    security_opt: [no-new-privileges:false, no-new-privileges:true]\n",
                &[],
            ),
            // a mapping is not a security_opt entry (compose rejects it)
            (
                "  a:\n    security_opt:\n      - no-new-privileges: true\n",
                &["2:a"],
            ),
            // `extends` in the same file is followed; another file is not read
            (
                "  base:\n    security_opt: [no-new-privileges:true]\n  a:\n    extends: base\n",
                &[],
            ),
            (
                "  base:\n    security_opt: [no-new-privileges:true]\n  a:\n    extends:\n      service: base\n",
                &[],
            ),
            (
                "  base:\n    image: x\n  a:\n    extends: base\n",
                &["2:base", "4:a"],
            ),
            (
                "  a:\n    extends:\n      file: common.yml\n      service: base\n",
                &[],
            ),
            ("  a:\n    extends: a\n", &[]), // a loop stops
        ];
        for (services, expected) in cases {
            let text = format!("services:\n{services}");
            assert_eq!(hits("PW402", FileKind::Compose, &text), *expected, "{text}");
        }
    }

    #[test]
    fn kubernetes_containers() {
        let pod = |context: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: x\n{context}"
            )
        };
        // (container securityContext, flagged)
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            // not set: Kubernetes' default is not flagged
            ("    securityContext:\n      runAsNonRoot: true\n", &[]),
            (
                "    securityContext:\n      allowPrivilegeEscalation: false\n",
                &[],
            ),
            (
                "    securityContext:\n      allowPrivilegeEscalation: true\n",
                &["10:allowPrivilegeEscalation"],
            ),
            (
                "    securityContext:\n      privileged: true\n",
                &["10:privileged"],
            ),
            ("    securityContext:\n      privileged: false\n", &[]),
            (
                "    securityContext: {privileged: yes, allowPrivilegeEscalation: true}\n",
                &["9:privileged", "9:allowPrivilegeEscalation"],
            ),
            ("    securityContext:\n      privileged: \"true\"\n", &[]),
        ];
        for (context, expected) in cases {
            let text = pod(context);
            assert_eq!(
                hits("PW402", FileKind::Kubernetes, &text),
                *expected,
                "{text}"
            );
        }
    }
}
