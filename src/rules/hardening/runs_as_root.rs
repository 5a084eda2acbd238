//! PW401 runs-as-root: the container runs as root. A Dockerfile whose final stage sets no
//! `USER` (or sets root last, itself or through the stage it is built on), a compose service
//! with `user: root`, a Kubernetes pod or container with `runAsUser: 0` or `runAsNonRoot:
//! false`.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::model::finding::Finding;
use crate::model::image::{ImageUse, ImageValue};
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::model::location::{Location, Related, Span};
use crate::model::origin::{Origin, StageId};
use crate::model::refs::ImageRef;
use crate::model::source::SourceFile;
use crate::parse::compose::ComposeFile;
use crate::parse::dockerfile::{Dockerfile, StageBase, StageUser};
use crate::parse::interpolate::interpolate;
use crate::parse::k8s::{Manifests, Object};
use crate::parse::yaml::Node;
use crate::parse::{Document, Syntax};
use crate::rules::hardening::{is_root_user, yaml_bool, yaml_int};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW401",
    name: "runs-as-root",
    default_level: Level::Warning,
    summary: "the container runs as root: no non-root `USER`, or root set explicitly",
    help: include_str!("../../../docs/rules/PW401.md"),
    ecosystem: Ecosystem::None,
    min_policy: None,
    tags: &["security", "hardening"],
    security_severity: "5.0",
    applies_to: &[
        FileKind::Dockerfile,
        FileKind::Compose,
        FileKind::Kubernetes,
    ],
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Document(check)],
};

fn check(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    let source = &document.source;
    match &document.syntax {
        Syntax::Dockerfile(file) => dockerfile(source, file, &document.images)
            .into_iter()
            .collect(),
        Syntax::Compose(file) => compose(source, file),
        Syntax::Kubernetes(manifests) => kubernetes(source, manifests),
        _ => Vec::new(),
    }
}

/// The image a stage's `FROM` names (`None` for `scratch`, an earlier stage, or a `FROM`
/// without an image).
fn base_image(images: &[ImageUse], stage: usize) -> Option<&ImageUse> {
    images
        .iter()
        .find(|image| matches!(&image.origin, Some(Origin::Stage(id)) if id.index == stage))
}

/// Is the image a stage is built on one whose tag says it runs as non-root? Distroless
/// publishes `:nonroot` and `:<variant>-nonroot` tags whose default user is uid 65532.
fn nonroot_base(images: &[ImageUse], stage: usize) -> bool {
    let Some(ImageValue::Resolved(text)) = base_image(images, stage).map(|image| &image.value)
    else {
        return false;
    };
    ImageRef::parse(text)
        .ok()
        .and_then(|reference| reference.tag)
        .is_some_and(|tag| tag == "nonroot" || tag.ends_with("-nonroot"))
}

/// The final stage (the last one) and who it runs as.
fn dockerfile(source: &Arc<SourceFile>, file: &Dockerfile, images: &[ImageUse]) -> Option<Finding> {
    let last = file.stages.last()?;
    let at = |span: Span| Location::new(Arc::clone(source), span);
    let from_of = |stage: usize| {
        let stage = file.stages.get(stage)?;
        file.instructions.get(stage.from_instruction)
    };
    let final_from = from_of(last.index)?;
    let stage_id = |index: usize| {
        let name = file.stages.get(index).and_then(|stage| stage.name.clone());
        StageId { index, name }
    };
    let final_stage = stage_id(last.index);
    match file.user_of(last.index)? {
        StageUser::Set { stage, user } => {
            let value = user.value.as_deref()?;
            if !is_root_user(value) {
                return None;
            }
            let written = source.slice(user.span);
            let shown = if written == value {
                format!("`USER {written}`")
            } else {
                format!("`USER {written}` (resolves to `{value}`)")
            };
            if stage == last.index {
                let related = Related {
                    location: at(final_from.span),
                    label: format!("the final stage, {final_stage}, starts here"),
                };
                return Some(
                    Finding::new(
                        &META,
                        at(user.span),
                        format!(
                            "the final stage, {final_stage}, runs as root: {shown}; switch to \
                             a non-root user"
                        ),
                    )
                    .with_related(vec![related]),
                );
            }
            let related = Related {
                location: at(user.span),
                label: format!("{shown} in {} is inherited", stage_id(stage)),
            };
            Some(
                Finding::new(
                    &META,
                    at(final_from.keyword_span),
                    format!(
                        "the final stage, {final_stage}, runs as root: it inherits {shown} \
                         from {} and sets no `USER` of its own",
                        stage_id(stage)
                    ),
                )
                .with_related(vec![related]),
            )
        }
        StageUser::Unset { stage, base } => {
            if *base == StageBase::Image && nonroot_base(images, stage) {
                return None;
            }
            // A `FROM` without an image is PW001's; there is no stage to run.
            if *base == StageBase::Unresolved && base_image(images, stage).is_none() {
                return None;
            }
            let why = match base {
                StageBase::Scratch => "it runs as root (uid 0), the default on `scratch`",
                _ => "it runs as the base image's user, which is root unless the image sets one",
            };
            let mut related = Vec::new();
            if stage != last.index
                && let Some(first) = from_of(stage)
            {
                related.push(Related {
                    location: at(first.span),
                    label: format!("built on {}, which sets no `USER` either", stage_id(stage)),
                });
            }
            Some(
                Finding::new(
                    &META,
                    at(final_from.keyword_span),
                    format!("the final stage, {final_stage}, sets no `USER`: {why}"),
                )
                .with_related(related),
            )
        }
    }
}

/// `user: root|0|0:0|root:<group>|0:<group>`, after interpolation. A service without `user:`
/// is not flagged: its image decides.
fn compose(source: &Arc<SourceFile>, file: &ComposeFile) -> Vec<Finding> {
    let mut findings = Vec::new();
    for service in &file.services {
        let Some(user) = service.get("user") else {
            continue;
        };
        let Some(written) = user.as_string() else {
            continue;
        };
        let result = interpolate(written, &|name| file.variable(name));
        let Some(value) = result.value else { continue };
        if !is_root_user(&value) {
            continue;
        }
        let shown = if value == written {
            format!("`user: {written}`")
        } else {
            format!("`user: {written}` (resolves to `{value}`)")
        };
        let mut related = Vec::new();
        if let Some((env_source, env)) = &file.env {
            for name in &result.used {
                let from_process = file
                    .process_env
                    .as_ref()
                    .is_some_and(|process| process.contains_key(name));
                if let Some(entry) = env.get(name).filter(|_| !from_process) {
                    related.push(Related {
                        location: Location::new(Arc::clone(env_source), entry.value_span),
                        label: format!("`{name}` is set here"),
                    });
                }
            }
        }
        findings.push(
            Finding::new(
                &META,
                Location::new(Arc::clone(source), user.span),
                format!(
                    "service `{}` runs as root: {shown}; use a non-root uid",
                    service.name
                ),
            )
            .with_related(related),
        );
    }
    findings
}

/// A `securityContext` field of a container, or of its pod when the container does not set
/// it: the key's value and whether it is the pod's.
struct Effective<'n> {
    value: &'n Node,
    from_pod: bool,
}

fn effective<'n>(
    container: Option<&'n Node>,
    pod: Option<&'n Node>,
    field: &str,
) -> Option<Effective<'n>> {
    let own = container.and_then(|context| context.get(field));
    match own {
        Some(value) => Some(Effective {
            value,
            from_pod: false,
        }),
        None => pod
            .and_then(|context| context.get(field))
            .map(|value| Effective {
                value,
                from_pod: true,
            }),
    }
}

/// `runAsUser: 0`, or `runAsNonRoot: false` with no `runAsUser`, as each container sees its
/// own and its pod's `securityContext` (the container's field wins). A pod-level field is
/// flagged once, when some container does not override it.
fn kubernetes(source: &Arc<SourceFile>, manifests: &Manifests) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in &manifests.objects {
        let Some(pod_spec) = &object.pod_spec else {
            continue;
        };
        let pod = pod_spec.get("securityContext");
        let mut flagged: BTreeSet<Span> = BTreeSet::new();
        let mut judge = |container: Option<(&Node, String)>| {
            let own = container
                .as_ref()
                .and_then(|(node, _)| node.get("securityContext"));
            let user = effective(own, pod, "runAsUser");
            let non_root = effective(own, pod, "runAsNonRoot");
            // (the value flagged, whether it is the pod's, its field as written, whether the
            // container surely runs as root)
            let (node, from_pod, field, surely) = match (&user, &non_root) {
                (Some(user), _) if yaml_int(user.value) == Some(0) => {
                    (user.value, user.from_pod, "runAsUser", true)
                }
                (None, Some(non_root)) if yaml_bool(non_root.value, true) == Some(false) => {
                    (non_root.value, non_root.from_pod, "runAsNonRoot", false)
                }
                _ => return,
            };
            if !flagged.insert(node.span) {
                return;
            }
            let setting = format!("`{field}: {}`", node.as_str().unwrap_or(""));
            let message = match (&container, from_pod, surely) {
                (Some((_, name)), false, true) => format!("{name} runs as root: {setting}"),
                (Some((_, name)), false, false) => format!(
                    "{name} may run as root: {setting} and no `runAsUser`, so the image's user \
                     runs, root unless the image sets another"
                ),
                (_, _, true) => format!(
                    "the pod spec of {} sets {setting}: its containers that set no \
                     `runAsUser` of their own run as root",
                    describe(object)
                ),
                (_, _, false) => format!(
                    "the pod spec of {} sets {setting} and no `runAsUser`: its containers \
                     that set neither may run as root, as the image's user",
                    describe(object)
                ),
            };
            findings.push(Finding::new(
                &META,
                Location::new(Arc::clone(source), node.span),
                message,
            ));
        };
        if object.containers.is_empty() {
            judge(None);
        }
        for container in &object.containers {
            let name = Origin::Container(container.id.clone()).to_string();
            judge(Some((&container.node, name)));
        }
    }
    findings
}

/// "Deployment `web`", or the kind alone for an object without a name.
fn describe(object: &Object) -> String {
    match &object.name {
        Some(name) => format!("{} `{name}`", object.kind),
        None => object.kind.clone(),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::kind::FileKind;
    use crate::rules::hardening::test_support::{hits, hits_with_env};

    #[test]
    fn dockerfile_final_stage() {
        // (Dockerfile, flagged `line:text`)
        let cases: &[(&str, &[&str])] = &[
            // no USER: the final FROM
            ("FROM a\nRUN x\n", &["1:FROM"]),
            ("FROM scratch\nCOPY x /\n", &["1:FROM"]),
            ("FROM $BASE\n", &["1:FROM"]),
            ("FROM a\nFROM\n", &[]), // a broken FROM is PW001's
            // distroless `nonroot` tags run as uid 65532
            ("FROM gcr.io/distroless/static:nonroot\n", &[]),
            (
                "FROM gcr.io/distroless/base-debian12:debug-nonroot@sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
                &[],
            ),
            ("FROM a:nonroot AS base\nFROM base\n", &[]),
            ("FROM a:nonroot\nUSER root\n", &["2:root"]),
            ("FROM a:nonrootish\n", &["1:FROM"]),
            // a non-root USER
            ("FROM a\nUSER app\n", &[]),
            ("FROM a\nUSER 1000:1000\n", &[]),
            ("FROM a\nUSER 1000:0\n", &[]), // group 0 only
            // root, however written: the last USER
            ("FROM a\nUSER root\n", &["2:root"]),
            ("FROM a\nUSER 0\n", &["2:0"]),
            ("FROM a\nUSER 0:0\n", &["2:0:0"]),
            ("FROM a\nUSER root:root\n", &["2:root:root"]),
            ("FROM a\nUSER 0:app\n", &["2:0:app"]),
            ("FROM a\nUSER app\nRUN x\nUSER root\n", &["4:root"]),
            ("FROM a\nUSER root\nRUN x\nUSER app\n", &[]),
            // after ARG / ENV expansion; unresolved is not flagged
            ("FROM a\nARG U=root\nUSER $U\n", &["3:$U"]),
            (
                "FROM a\nENV UID=0\nUSER ${UID}:${UID}\n",
                &["3:${UID}:${UID}"],
            ),
            ("FROM a\nARG U\nUSER $U\n", &[]),
            ("FROM a\nUSER $FROM_THE_IMAGE\n", &[]),
            // earlier stages are exempt
            ("FROM a AS build\nUSER root\nFROM b\nUSER app\n", &[]),
            ("FROM a AS build\nUSER app\nFROM b\n", &["3:FROM"]),
            // a final stage built on an earlier stage inherits its USER
            ("FROM a AS base\nUSER app\nFROM base\nRUN x\n", &[]),
            ("FROM a AS base\nUSER root\nFROM base\nRUN x\n", &["3:FROM"]),
            ("FROM a AS base\nFROM base\n", &["2:FROM"]),
            ("FROM a AS base\nUSER $U\nFROM base\n", &[]),
            ("FROM a AS base\nUSER root\nFROM base\nUSER app\n", &[]),
            // nothing to run
            ("# only a comment\n", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(
                hits("PW401", FileKind::Dockerfile, text),
                *expected,
                "{text:?}"
            );
        }
    }

    #[test]
    fn compose_user() {
        let service = |user: &str| format!("services:\n  app:\n    image: a\n{user}");
        // (user line, .env, flagged)
        let cases: &[(&str, Option<&str>, &[&str])] = &[
            ("    user: root\n", None, &["4:root"]),
            ("    user: \"0\"\n", None, &["4:0"]),
            ("    user: 0:0\n", None, &["4:0:0"]),
            ("    user: root:docker\n", None, &["4:root:docker"]),
            ("    user: \"1000:1000\"\n", None, &[]),
            ("    user: app\n", None, &[]),
            ("", None, &[]), // no `user:`: the image decides
            ("    user:\n", None, &[]),
            // interpolated: a default, the .env file, or unresolved
            ("    user: ${UID:-0}\n", None, &["4:${UID:-0}"]),
            ("    user: ${UID:-0}\n", Some("UID=1000\n"), &[]),
            ("    user: ${UID}\n", Some("UID=0\n"), &["4:${UID}"]),
            ("    user: ${UID}\n", None, &[]),
        ];
        for (user, env, expected) in cases {
            let text = service(user);
            assert_eq!(
                hits_with_env("PW401", FileKind::Compose, &text, *env),
                *expected,
                "{user:?} {env:?}"
            );
        }
    }

    #[test]
    fn kubernetes_security_context() {
        let pod = |pod_context: &str, containers: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{pod_context}  containers:\n{containers}"
            )
        };
        let container =
            |name: &str, context: &str| format!("  - name: {name}\n    image: a\n{context}");
        let own = |field: &str| format!("    securityContext:\n      {field}\n");
        let at_pod = |field: &str| format!("  securityContext:\n    {field}\n");
        // (pod securityContext, containers, flagged)
        let cases: Vec<(String, String, Vec<&str>)> = vec![
            // nothing set: the image decides
            (String::new(), container("a", ""), vec![]),
            // a container's own fields
            (
                String::new(),
                container("a", &own("runAsUser: 0")),
                vec!["10:0"],
            ),
            (
                String::new(),
                container("a", &own("runAsUser: 1000")),
                vec![],
            ),
            (
                String::new(),
                container("a", &own("runAsNonRoot: false")),
                vec!["10:false"],
            ),
            (
                String::new(),
                container("a", &own("runAsNonRoot: true")),
                vec![],
            ),
            // the pod's field, unless every container overrides it
            (at_pod("runAsUser: 0"), container("a", ""), vec!["7:0"]),
            (
                at_pod("runAsUser: 0"),
                container("a", &own("runAsUser: 1000")),
                vec![],
            ),
            (
                at_pod("runAsUser: 0"),
                format!(
                    "{}{}",
                    container("a", &own("runAsUser: 1000")),
                    container("b", "")
                ),
                vec!["7:0"],
            ),
            (
                at_pod("runAsNonRoot: false"),
                container("a", &own("runAsNonRoot: true")),
                vec![],
            ),
            (
                at_pod("runAsNonRoot: false"),
                container("a", ""),
                vec!["7:false"],
            ),
            // the container's root overrides the pod's non-root
            (
                at_pod("runAsUser: 1000"),
                container("a", &own("runAsUser: 0")),
                vec!["12:0"],
            ),
            (
                at_pod("runAsNonRoot: true"),
                container("a", &own("runAsNonRoot: false")),
                vec!["12:false"],
            ),
            // `runAsNonRoot: false` with a non-root uid does not run as root
            (
                at_pod("runAsUser: 1000"),
                container("a", &own("runAsNonRoot: false")),
                vec![],
            ),
            // a pod-level root flagged once for two containers
            (
                at_pod("runAsUser: 0"),
                format!("{}{}", container("a", ""), container("b", "")),
                vec!["7:0"],
            ),
            // YAML 1.1 booleans as Kubernetes reads them; a quoted value is not a bool
            (
                String::new(),
                container("a", &own("runAsNonRoot: no")),
                vec!["10:no"],
            ),
            (
                String::new(),
                container("a", &own("runAsNonRoot: \"false\"")),
                vec![],
            ),
            (
                String::new(),
                container("a", &own("runAsUser: username")),
                vec![],
            ),
        ];
        for (pod_context, containers, expected) in &cases {
            let text = pod(pod_context, containers);
            assert_eq!(
                hits("PW401", FileKind::Kubernetes, &text),
                *expected,
                "{text}"
            );
        }
    }
}
