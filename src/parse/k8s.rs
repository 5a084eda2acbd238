//! Kubernetes manifests (YAML or JSON): a typed model of the objects, their pod specs and
//! containers (Pods, pod templates, workloads, `List`s of them, and container-shaped mappings
//! under the `spec` of any other kind), and the images the containers name. A Helm chart's
//! templates are skipped; template actions elsewhere are masked (see [`template`]).

#[path = "k8s/containers.rs"]
mod containers;
#[path = "k8s/template.rs"]
mod template;

use std::ops::Range;
use std::sync::Arc;

use crate::model::image::{HOLE, ImageUse, ImageValue, Unknown, UnknownKind, Unresolved, shape_of};
use crate::model::location::{Location, Related};
use crate::model::origin::{ContainerId, Origin};
use crate::model::source::SourceFile;
use crate::parse::comment::yaml_comments;
use crate::parse::interpolate::{closing_brace, interpolate, interpolated_shape, variable_names};
use crate::parse::yaml::{Node, ParsedYaml, parse_yaml};
use crate::parse::{Notice, Syntax};

use containers::Owner;

pub use template::in_chart_templates;

/// An image `ko` builds from a Go import path (ko.build, "ko resolve").
const KO_SCHEME: &str = "ko://";

/// Keys whose values the rules judge in a manifest: a duplicate key that holds none of them
/// is a note (see [`ParsedYaml::add_duplicate_keys`]).
const JUDGED_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "image",
    "securityContext",
    "runAsUser",
    "runAsNonRoot",
    "privileged",
    "allowPrivilegeEscalation",
    "env",
    "value",
    "items",
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
    /// The pod spec, for the built-in kinds that have one.
    pub pod_spec: Option<Node>,
    /// The containers of the pod spec, or the container-shaped mappings under `spec` of
    /// another kind.
    pub containers: Vec<Container>,
}

/// One container.
#[derive(Clone, Debug)]
pub struct Container {
    pub id: ContainerId,
    pub node: Node,
}

/// Cheap sniff for discovery: does some document have top-level `apiVersion:` and `kind:`
/// lines (or is the text a JSON object with both keys)?
pub fn looks_like_k8s(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A template action (`{{- if … }}`) at the top is no JSON object.
    let start = text.trim_start();
    if start.starts_with('{') && !start.starts_with("{{") {
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

/// Find the images a Kubernetes manifest names. `chart_template`: the file is in a Helm
/// chart's `templates/` (see [`in_chart_templates`]).
pub fn parse_k8s(source: &Arc<SourceFile>, chart_template: bool) -> ParsedYaml {
    let text = source.text();
    let actions = template::ranges(text);
    if chart_template && let Some(line) = template::first_action_line(text) {
        let message = format!(
            "helm chart template (a `Chart.yaml` is beside its `templates/`): not scanned \
             (template action at line {line}); render it with `helm template` and scan the output"
        );
        return ParsedYaml {
            notices: vec![Notice { message }],
            ..ParsedYaml::default()
        };
    }
    let masked = (!actions.is_empty()).then(|| template::mask(text, &actions));
    let parsed_text = masked.as_deref().unwrap_or(text);
    let file = match parse_yaml(parsed_text) {
        Ok(file) => file,
        Err(error) => {
            let Some(line) = template::first_action_line(text) else {
                return ParsedYaml::invalid(error);
            };
            // A template that is not YAML until rendered: not a broken manifest.
            let message = format!(
                "template actions (`{{{{ … }}}}`, first at line {line}): not valid YAML with them \
                 masked ({error}); not scanned: render the template and scan the output"
            );
            return ParsedYaml {
                notices: vec![Notice { message }],
                ..ParsedYaml::default()
            };
        }
    };
    let mut parsed = ParsedYaml::default();
    parsed.add_duplicate_keys(&file, text, JUDGED_KEYS);
    parsed.comments = yaml_comments(text, &file);
    let text_of = |node: &Node| written(node, text, &actions);
    let mut manifests = Manifests::default();
    for document in &file.documents {
        let kind = document.get("kind").and_then(Node::as_string).unwrap_or("");
        if kind == "List" || kind.ends_with("List") {
            for item in document
                .get("items")
                .and_then(Node::as_sequence)
                .unwrap_or(&[])
            {
                manifests.objects.extend(object(item, &text_of));
            }
        } else {
            manifests.objects.extend(object(document, &text_of));
        }
    }
    let images = Images {
        source,
        parsed_text,
        actions: &actions,
    };
    for object in &manifests.objects {
        for container in &object.containers {
            parsed.images.extend(images.of(container));
        }
    }
    parsed.syntax = Syntax::Kubernetes(manifests);
    parsed
}

/// A scalar's text as written: with its template actions as written rather than masked.
fn written(node: &Node, text: &str, actions: &[Range<usize>]) -> Option<String> {
    let value = node.as_string()?;
    let masked = actions
        .iter()
        .any(|action| action.start < node.span.end && action.end > node.span.start);
    if masked {
        text.get(node.span.start..node.span.end).map(str::to_owned)
    } else {
        Some(value.to_owned())
    }
}

/// The typed object of a document, if it has a `kind`.
fn object(node: &Node, text_of: &dyn Fn(&Node) -> Option<String>) -> Option<Object> {
    let kind = node.get("kind").and_then(Node::as_string)?.to_owned();
    let name = node
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(text_of);
    let owner = Owner {
        kind: &kind,
        name: name.as_deref(),
        text_of,
    };
    let pod_spec = containers::pod_spec(&kind, node).cloned();
    let containers = match (&pod_spec, node.get("spec")) {
        (Some(spec), _) => containers::of_pod_spec(spec, &owner),
        (None, Some(spec)) if !containers::is_workload(&kind) => containers::generic(spec, &owner),
        _ => Vec::new(),
    };
    Some(Object {
        kind,
        name,
        node: node.clone(),
        pod_spec,
        containers,
    })
}

/// Reads the image of each container.
struct Images<'a> {
    source: &'a Arc<SourceFile>,
    /// The text that was parsed (template actions masked).
    parsed_text: &'a str,
    /// The template actions of the file.
    actions: &'a [Range<usize>],
}

impl Images<'_> {
    /// A related location on each placeholder whose default is used (`${IMG:-nginx:1.25.3}`:
    /// no variable is set when pinwarden reads the file). `decoded` is the node's text.
    fn defaults_used(&self, node: &Node, decoded: &str) -> Vec<Related> {
        let mut via = Vec::new();
        let bytes = decoded.as_bytes();
        let mut from = 0;
        while let Some(found) = decoded.get(from..).and_then(|rest| rest.find('$')) {
            let at = from + found;
            from = at + 1;
            match bytes.get(at + 1) {
                Some(b'$') => from = at + 2,
                Some(b'{') => {
                    let body = decoded.get(at + 2..).unwrap_or("");
                    let Some(close) = closing_brace(body) else {
                        break;
                    };
                    let inner = body.get(..close).unwrap_or("");
                    let name_len = inner
                        .bytes()
                        .take_while(|b| *b == b'_' || b.is_ascii_alphanumeric())
                        .count();
                    let name = inner.get(..name_len).unwrap_or("");
                    let operator = inner.get(name_len..).unwrap_or("");
                    let default = operator
                        .strip_prefix(":-")
                        .or_else(|| operator.strip_prefix('-'));
                    let end = at + 2 + close + 1;
                    if let Some(default) = default
                        && !name.is_empty()
                    {
                        let span = node.sub_span(self.parsed_text, at..end);
                        via.push(Related {
                            location: Location::new(Arc::clone(self.source), span),
                            label: format!(
                                "`{name}` is not set here, so its default `{default}` is used"
                            ),
                        });
                    }
                    from = end;
                }
                _ => {}
            }
        }
        via
    }

    /// The image a container names.
    fn of(&self, container: &Container) -> Option<ImageUse> {
        let image = container.node.get("image")?;
        let value = image.as_string().filter(|v| !v.trim().is_empty())?;
        // NOTE: `ko://<import path>` is built from this repository's source by `ko resolve`,
        // which writes the image's digest in its place: not a pull.
        if value.starts_with(KO_SCHEME) {
            return None;
        }
        let (value, via) = self.value(image, value);
        Some(ImageUse {
            location: Location::new(Arc::clone(self.source), image.span),
            value,
            via,
            origin: Some(Origin::Container(container.id.clone())),
        })
    }

    /// What an image string is: template actions in it are not known here; envsubst-style
    /// placeholders (`${IMG}`, `$IMG`) are filled in by a tool before `kubectl apply`, so they
    /// are not known either, except that a default (`${IMG:-nginx:1.25.3}`) is what is used
    /// when the variable is not set, as compose reads it.
    fn value(&self, node: &Node, decoded: &str) -> (ImageValue, Vec<Related>) {
        let span = node.span;
        let inside: Vec<&Range<usize>> = self
            .actions
            .iter()
            .filter(|action| action.start < span.end && action.end > span.start)
            .collect();
        let mut templates: Vec<Unknown> = Vec::new();
        for action in &inside {
            let name =
                template::action_name(self.source.text().get((*action).clone()).unwrap_or(""));
            if !templates.iter().any(|known| known.name == name) {
                templates.push(Unknown::new(name, UnknownKind::Template));
            }
        }
        if decoded.contains(HOLE) {
            // A NUL in the value (only a double-quoted `\0` writes one): no shape.
            let mut unknowns = templates;
            unknowns.extend(
                variable_names(decoded)
                    .into_iter()
                    .map(|name| Unknown::new(name, UnknownKind::Variable)),
            );
            return (
                ImageValue::Unresolved(Unresolved {
                    unknowns,
                    shape: None,
                }),
                Vec::new(),
            );
        }
        // The value with a hole for each action, when it is written as decoded.
        let written = self.parsed_text.get(span.start..span.end);
        let exact = written == Some(decoded)
            && inside
                .iter()
                .all(|action| action.start >= span.start && action.end <= span.end);
        let marked = if inside.is_empty() {
            decoded.to_owned()
        } else if exact {
            let mut marked = String::new();
            let mut last = span.start;
            for action in &inside {
                marked.push_str(self.source.text().get(last..action.start).unwrap_or(""));
                marked.push(HOLE);
                last = action.end;
            }
            marked.push_str(self.source.text().get(last..span.end).unwrap_or(""));
            marked
        } else {
            let unknowns = templates;
            return (
                ImageValue::Unresolved(Unresolved {
                    unknowns,
                    shape: None,
                }),
                Vec::new(),
            );
        };
        let unset = |_: &str| None;
        let result = interpolate(&marked, &unset);
        // A malformed placeholder (`app:${unclosed`) is no placeholder: the text as written.
        let (text, via) = match (result.error, result.value) {
            (Some(_), _) => (marked, Vec::new()),
            (None, Some(value)) => (value, self.defaults_used(node, decoded)),
            (None, None) => {
                let shape = interpolated_shape(&marked, &unset, &result.missing);
                let mut unknowns: Vec<Unknown> = result
                    .missing
                    .into_iter()
                    .map(|name| Unknown::new(name, UnknownKind::Variable))
                    .collect();
                unknowns.extend(templates);
                let via = self.defaults_used(node, decoded);
                return (ImageValue::Unresolved(Unresolved { unknowns, shape }), via);
            }
        };
        let value = match shape_of(&text) {
            None => ImageValue::Resolved(text),
            Some(shape) => ImageValue::Unresolved(Unresolved {
                unknowns: templates,
                shape: Some(shape),
            }),
        };
        (value, via)
    }
}

#[cfg(test)]
#[path = "k8s/tests.rs"]
mod tests;
