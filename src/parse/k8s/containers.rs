//! Where the containers of an object are: the pod spec of the built-in workload kinds, and,
//! for any other kind (Argo Workflow, Rollout, JobSet, Knative Service, Tekton Task, KServe
//! … and CRDs not written yet), container-shaped mappings found anywhere under `spec`.

use crate::model::origin::ContainerId;
use crate::parse::yaml::Node;

use super::Container;

/// The container lists of a pod spec, with how a container of each is named in messages.
const POD_LISTS: [(&str, &str); 3] = [
    ("initContainers", "init container"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral container"),
];

/// Lists of containers under the `spec` of other kinds: the pod spec's, Tekton's `steps` and
/// `sidecars`, Argo's `sidecars` and `containerSet.containers`.
const LISTS: [(&str, &str); 5] = [
    ("initContainers", "init container"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral container"),
    ("steps", "step"),
    ("sidecars", "sidecar"),
];

/// Single container templates: Argo's `container` and `script`.
const SINGLES: [(&str, &str); 2] = [("container", "container"), ("script", "script")];

/// Keys that make a mapping with an `image:` a container (Kubernetes `Container`, Argo
/// `ScriptTemplate`, Tekton `Step`): an RBD volume's `image:` has none of them.
const CONTAINER_KEYS: &[&str] = &[
    "name",
    "command",
    "args",
    "env",
    "envFrom",
    "ports",
    "resources",
    "volumeMounts",
    "workingDir",
    "securityContext",
    "imagePullPolicy",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "source",
    "script",
];

/// How deep under `spec` containers are looked for (JobSet's are at depth 9).
const MAX_DEPTH: usize = 32;

/// The built-in kinds that have a pod spec, at a known path ([`pod_spec`]).
const WORKLOADS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// Is `kind` a built-in workload, whose containers are only where its pod spec is?
pub(super) fn is_workload(kind: &str) -> bool {
    WORKLOADS.contains(&kind)
}

/// The pod spec of an object of `kind`, if that is a built-in kind that has one.
pub(super) fn pod_spec<'n>(kind: &str, object: &'n Node) -> Option<&'n Node> {
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

/// Who a container belongs to, for messages.
pub(super) struct Owner<'a> {
    pub(super) kind: &'a str,
    pub(super) name: Option<&'a str>,
    /// A name as written (a masked template action is shown as written).
    pub(super) text_of: &'a dyn Fn(&Node) -> Option<String>,
}

/// The containers of a pod spec: every entry of its container lists.
pub(super) fn of_pod_spec(spec: &Node, owner: &Owner<'_>) -> Vec<Container> {
    let mut containers = Vec::new();
    for (list, role) in POD_LISTS {
        let items = spec.get(list).and_then(Node::as_sequence).unwrap_or(&[]);
        for (index, node) in items.iter().enumerate() {
            containers.push(container(node, role, index + 1, None, owner));
        }
    }
    containers
}

/// The container-shaped mappings under `spec`, in document order.
pub(super) fn generic(spec: &Node, owner: &Owner<'_>) -> Vec<Container> {
    let mut containers = Vec::new();
    walk(spec, None, owner, 0, &mut containers);
    containers
}

/// `parent`: the mapping around `node` (through sequences), whose `name:` names an Argo
/// template's container. Names are looked up only for a container found: a CRD's schema is
/// thousands of mappings and holds none.
fn walk(
    node: &Node,
    parent: Option<&Node>,
    owner: &Owner<'_>,
    depth: usize,
    out: &mut Vec<Container>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(items) = node.as_sequence() {
        for item in items {
            walk(item, parent, owner, depth + 1, out);
        }
        return;
    }
    let Some(entries) = node.as_mapping() else {
        return;
    };
    for (key, value) in entries {
        let key = key.as_str().unwrap_or("");
        if let Some((_, role)) = LISTS.iter().find(|(list, _)| *list == key)
            && let Some(items) = value.as_sequence()
        {
            for (index, item) in items.iter().enumerate() {
                if is_container(item) {
                    out.push(container(item, role, index + 1, None, owner));
                } else {
                    walk(item, Some(node), owner, depth + 1, out);
                }
            }
        } else if let Some((_, role)) = SINGLES.iter().find(|(single, _)| *single == key)
            && is_container(value)
        {
            // An Argo template's container is named by its template.
            let name = name_of(node).or_else(|| parent.and_then(name_of));
            let label = name.and_then(|name| (owner.text_of)(name));
            out.push(container(value, role, 1, label.as_deref(), owner));
        } else {
            walk(value, Some(node), owner, depth + 1, out);
        }
    }
}

/// The `name:` scalar of a mapping.
fn name_of(mapping: &Node) -> Option<&Node> {
    mapping
        .get("name")
        .filter(|name| name.as_string().is_some())
}

/// A mapping with a scalar `image:` and one of [`CONTAINER_KEYS`].
fn is_container(node: &Node) -> bool {
    node.get("image")
        .is_some_and(|image| image.as_str().is_some())
        && CONTAINER_KEYS.iter().any(|key| node.get(key).is_some())
}

fn container(
    node: &Node,
    role: &'static str,
    position: usize,
    fallback_name: Option<&str>,
    owner: &Owner<'_>,
) -> Container {
    let name = node
        .get("name")
        .and_then(|name| (owner.text_of)(name))
        .or_else(|| fallback_name.map(str::to_owned));
    Container {
        id: ContainerId {
            role,
            name,
            position,
            kind: owner.kind.to_owned(),
            object: owner.name.map(str::to_owned),
        },
        node: node.clone(),
    }
}
