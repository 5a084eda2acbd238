//! Kubernetes manifests (YAML or JSON): a typed model of the objects, their pod specs and
//! containers (Pods, pod templates, workloads and `List`s of them), and the images the
//! containers name. Helm templates are skipped.

use std::sync::Arc;

use crate::model::image::{ImageUse, ImageValue};
use crate::model::location::Location;
use crate::model::origin::{ContainerId, Origin};
use crate::model::source::SourceFile;
use crate::parse::comment::yaml_comments;
use crate::parse::interpolate::variable_names;
use crate::parse::yaml::{Node, ParsedYaml, parse_yaml};
use crate::parse::{Notice, Syntax};

/// The container lists of a pod spec, with how a container of each is named in messages.
const CONTAINER_LISTS: [(&str, &str); 3] = [
    ("initContainers", "init container"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral container"),
];

/// The objects of a manifest file.
#[derive(Clone, Debug, Default)]
pub struct Manifests {
    pub objects: Vec<Object>,
}

/// One object (a document, or an item of a `List`).
#[derive(Clone, Debug)]
pub struct Object {
    pub kind: String,
    /// `metadata.name`.
    pub name: Option<String>,
    pub node: Node,
    /// The pod spec, for kinds that have one.
    pub pod_spec: Option<Node>,
    pub containers: Vec<Container>,
}

/// One container of a pod spec.
#[derive(Clone, Debug)]
pub struct Container {
    pub id: ContainerId,
    pub node: Node,
}

/// Cheap sniff for discovery: does some document have top-level `apiVersion:` and `kind:`
/// lines (or is the text a JSON object with both keys)?
pub fn looks_like_k8s(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return text.contains("\"apiVersion\"") && text.contains("\"kind\"");
    }
    let (mut api_version, mut kind) = (false, false);
    for line in text.lines() {
        if line.starts_with("---") {
            (api_version, kind) = (false, false);
            continue;
        }
        api_version |= line.starts_with("apiVersion:");
        kind |= line.starts_with("kind:");
        if api_version && kind {
            return true;
        }
    }
    false
}

/// The 1-based line of the first Helm template action (`{{ … }}` outside a comment).
fn helm_action_line(text: &str) -> Option<usize> {
    text.lines().enumerate().find_map(|(index, line)| {
        let code = if line.trim_start().starts_with('#') {
            ""
        } else {
            line.find(" #")
                .and_then(|cut| line.get(..cut))
                .unwrap_or(line)
        };
        let open = code.find("{{")?;
        code.get(open..)?.contains("}}").then_some(index + 1)
    })
}

/// Find the images a Kubernetes manifest names.
pub fn parse_k8s(source: &Arc<SourceFile>) -> ParsedYaml {
    let text = source.text();
    if let Some(line) = helm_action_line(text) {
        let message = format!(
            "helm template: not scanned (template action at line {line}); \
             render it with `helm template` and scan the output"
        );
        return ParsedYaml {
            notices: vec![Notice { message }],
            ..ParsedYaml::default()
        };
    }
    let file = match parse_yaml(text) {
        Ok(file) => file,
        Err(error) => return ParsedYaml::invalid(error),
    };
    let mut parsed = ParsedYaml::default();
    parsed.add_duplicate_keys(&file, text);
    parsed.comments = yaml_comments(text, &file);
    let mut manifests = Manifests::default();
    for document in &file.documents {
        let kind = document.get("kind").and_then(Node::as_string).unwrap_or("");
        if kind == "List" || kind.ends_with("List") {
            for item in document
                .get("items")
                .and_then(Node::as_sequence)
                .unwrap_or(&[])
            {
                manifests.objects.extend(object(item));
            }
        } else {
            manifests.objects.extend(object(document));
        }
    }
    for object in &manifests.objects {
        for container in &object.containers {
            images(source, container, &mut parsed);
        }
    }
    parsed.syntax = Syntax::Kubernetes(manifests);
    parsed
}

/// The pod spec of an object of `kind`, if that kind has one.
fn pod_spec<'n>(kind: &str, object: &'n Node) -> Option<&'n Node> {
    let template_spec = |node: &'n Node| node.get("template")?.get("spec");
    match kind {
        "Pod" => object.get("spec"),
        "PodTemplate" => template_spec(object),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => template_spec(object.get("spec")?),
        "CronJob" => template_spec(object.get("spec")?.get("jobTemplate")?.get("spec")?),
        _ => None,
    }
}

/// The typed object of a document, if it has a `kind`.
fn object(node: &Node) -> Option<Object> {
    let kind = node.get("kind").and_then(Node::as_string)?.to_owned();
    let name = node
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::as_string)
        .map(str::to_owned);
    let pod_spec = pod_spec(&kind, node).cloned();
    let mut containers = Vec::new();
    for (list, role) in CONTAINER_LISTS {
        let items = pod_spec
            .as_ref()
            .and_then(|spec| spec.get(list))
            .and_then(Node::as_sequence)
            .unwrap_or(&[]);
        for (index, container) in items.iter().enumerate() {
            containers.push(Container {
                id: ContainerId {
                    role,
                    name: container
                        .get("name")
                        .and_then(Node::as_string)
                        .map(str::to_owned),
                    position: index + 1,
                    kind: kind.clone(),
                    object: name.clone(),
                },
                node: container.clone(),
            });
        }
    }
    Some(Object {
        kind,
        name,
        node: node.clone(),
        pod_spec,
        containers,
    })
}

/// The image a container names.
fn images(source: &Arc<SourceFile>, container: &Container, parsed: &mut ParsedYaml) {
    let Some(image) = container.node.get("image") else {
        return;
    };
    let Some(value) = image.as_string().filter(|v| !v.trim().is_empty()) else {
        return;
    };
    let variables = placeholder_variables(value);
    parsed.images.push(ImageUse {
        location: Location::new(Arc::clone(source), image.span),
        value: if variables.is_empty() {
            ImageValue::Resolved(value.to_owned())
        } else {
            ImageValue::unresolved_variables(variables)
        },
        via: Vec::new(),
        origin: Some(Origin::Container(container.id.clone())),
    });
}

/// `$NAME` / `${NAME}` placeholders in a manifest's image. Kubernetes never expands them; they
/// are filled in by a tool before `kubectl apply` (envsubst, CI scripts), so the image that
/// runs is decided outside the file: unresolved (PW103), not an invalid reference.
pub fn placeholder_variables(value: &str) -> Vec<String> {
    variable_names(value)
}

#[cfg(test)]
#[path = "k8s/tests.rs"]
mod tests;
