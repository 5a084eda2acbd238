//! Image occurrences in Kubernetes manifests (YAML or JSON): the containers of every pod
//! spec in Pods, pod templates, workloads and `List`s of them. Helm templates are skipped.

use std::sync::Arc;

use crate::model::image::{ImageUse, ImageValue};
use crate::model::location::Location;
use crate::model::source::SourceFile;
use crate::parse::Notice;
use crate::parse::yaml::{Node, ParsedYaml, parse_yaml};

/// The container lists of a pod spec, with how a container of each is named in messages.
const CONTAINER_LISTS: [(&str, &str); 3] = [
    ("initContainers", "init container"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral container"),
];

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
    for document in &file.documents {
        let kind = document.get("kind").and_then(Node::as_string).unwrap_or("");
        if kind == "List" || kind.ends_with("List") {
            for item in document
                .get("items")
                .and_then(Node::as_sequence)
                .unwrap_or(&[])
            {
                manifest(source, item, &mut parsed);
            }
        } else {
            manifest(source, document, &mut parsed);
        }
    }
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

fn manifest(source: &Arc<SourceFile>, object: &Node, parsed: &mut ParsedYaml) {
    let Some(kind) = object.get("kind").and_then(Node::as_string) else {
        return;
    };
    let Some(spec) = pod_spec(kind, object) else {
        return;
    };
    let name = object
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::as_string);
    let owner = match name {
        Some(name) => format!("{kind} `{name}`"),
        None => kind.to_owned(),
    };
    for (list, role) in CONTAINER_LISTS {
        let containers = spec.get(list).and_then(Node::as_sequence).unwrap_or(&[]);
        for (index, container) in containers.iter().enumerate() {
            let Some(image) = container.get("image") else {
                continue;
            };
            let Some(value) = image.as_string().filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            let context = match container.get("name").and_then(Node::as_string) {
                Some(container) => format!("{role} `{container}` of {owner}"),
                None => format!("{role} {} of {owner}", index + 1),
            };
            let variables = placeholder_variables(value);
            parsed.images.push(ImageUse {
                location: Location::new(Arc::clone(source), image.span),
                value: if variables.is_empty() {
                    ImageValue::Resolved(value.to_owned())
                } else {
                    ImageValue::Unresolved { variables }
                },
                via: Vec::new(),
                context: Some(context),
            });
        }
    }
}

/// `$NAME` / `${NAME}` placeholders in a manifest's image. Kubernetes never expands them; they
/// are filled in by a tool before `kubectl apply` (envsubst, CI scripts), so the image that
/// runs is decided outside the file: unresolved (PW103), not an invalid reference.
pub fn placeholder_variables(value: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = value;
    while let Some(index) = rest.find('$') {
        rest = rest.get(index + 1..).unwrap_or("");
        let (braced, body) = match rest.strip_prefix('{') {
            Some(body) => (true, body),
            None => (false, rest),
        };
        let end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let name = body.get(..end).unwrap_or("");
        let closed = !braced || body.get(end..).is_some_and(|after| after.starts_with('}'));
        if !name.is_empty() && closed && !name.starts_with(|c: char| c.is_ascii_digit()) {
            names.push(name.to_owned());
        }
    }
    names
}

#[cfg(test)]
#[path = "k8s/tests.rs"]
mod tests;
