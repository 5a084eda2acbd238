//! PW403 plaintext-secret: a secret-like key (see `model::secret`) given a literal value in a
//! file: Dockerfile `ENV` and `ARG` defaults, compose `environment` and `build.args` (and the
//! `.env` entries a service uses), Kubernetes `env[].value`, workflow and composite-action
//! `env:`, `with:` inputs, reusable-workflow `secrets:` and container `credentials:`.
//!
//! The value is never part of a message: messages name the key, and the finding points at
//! the key, so no snippet of the primary location holds the value.

mod compose;

use std::sync::Arc;

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::model::location::{Location, Span};
use crate::model::origin::{ContainerId, Origin, StageId};
use crate::model::source::SourceFile;
use crate::parse::dockerfile::{Dockerfile, Keyword};
use crate::parse::k8s::Manifests;
use crate::parse::workflow::{ActionFile, Step, Workflow};
use crate::parse::yaml::Node;
use crate::parse::{Document, Syntax};
use crate::rules::hardening::secret_value::{Dialect, is_literal, is_secret_name};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW403",
    name: "plaintext-secret",
    default_level: Level::Error,
    summary: "a secret-like key (password, token, API key …) has a literal value in the file",
    help: include_str!("../../../docs/rules/PW403.md"),
    ecosystem: Ecosystem::None,
    min_policy: None,
    tags: &["security", "secrets"],
    security_severity: "8.0",
    applies_to: &[
        FileKind::Dockerfile,
        FileKind::Compose,
        FileKind::Workflow,
        FileKind::Action,
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
        Syntax::Dockerfile(file) => dockerfile(source, file),
        Syntax::Compose(file) => compose::check(source, file),
        Syntax::Kubernetes(manifests) => kubernetes(source, manifests),
        Syntax::Workflow(workflow) => self::workflow(source, workflow),
        Syntax::Action(action) => self::action(source, action),
        _ => Vec::new(),
    }
}

/// A PW403 finding on `key` (the key's span in `source`).
fn finding(source: &Arc<SourceFile>, key: Span, message: String) -> Finding {
    Finding::new(&META, Location::new(Arc::clone(source), key), message)
}

/// `ENV name=value` and `ARG name=default` with a literal value, in any stage (a builder
/// stage's layers and history are pushed with cache exports and kept in the build cache).
fn dockerfile(source: &Arc<SourceFile>, file: &Dockerfile) -> Vec<Finding> {
    let dialect = Dialect::Dockerfile {
        escape: file.escape,
    };
    let mut findings = Vec::new();
    for instruction in &file.instructions {
        let what = match instruction.keyword {
            Keyword::Env => "a literal value, which the image keeps in its environment",
            Keyword::Arg => "a literal default, which the image history keeps",
            _ => continue,
        };
        let place = match instruction.stage {
            Some(index) => {
                let name = file.stages.get(index).and_then(|stage| stage.name.clone());
                format!("in {}", StageId { index, name })
            }
            None => "before the first `FROM`".to_owned(),
        };
        for pair in instruction.assignments() {
            let Some(value) = &pair.value else { continue };
            if !is_secret_name(&pair.name) || !is_literal(value, dialect) {
                continue;
            }
            findings.push(finding(
                source,
                pair.name_span,
                format!(
                    "`{}` {place} gives secret-like `{}` {what}",
                    instruction.keyword.as_str(),
                    pair.name
                ),
            ));
        }
    }
    findings
}

/// `env: [{name, value}]` of every container with a literal `value` (`valueFrom` is the way).
fn kubernetes(source: &Arc<SourceFile>, manifests: &Manifests) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in &manifests.objects {
        for container in &object.containers {
            let items = container
                .node
                .get("env")
                .and_then(Node::as_sequence)
                .unwrap_or(&[]);
            for item in items {
                let (Some(name_node), Some(value)) = (item.get("name"), item.get("value")) else {
                    continue;
                };
                let (Some(name), Some(value)) = (name_node.as_string(), value.as_string()) else {
                    continue;
                };
                if !is_secret_name(name) || !is_literal(value, Dialect::Kubernetes) {
                    continue;
                }
                findings.push(finding(
                    source,
                    name_node.span,
                    format!(
                        "{} sets secret-like `{name}` to a literal `value`; use \
                         `valueFrom.secretKeyRef`",
                        describe_container(&container.id)
                    ),
                ));
            }
        }
    }
    findings
}

fn describe_container(id: &ContainerId) -> String {
    Origin::Container(id.clone()).to_string()
}

/// What a mapping of a workflow or action is: its key (`env`, `with` …) and its owner
/// ("step 2 of job `build`").
struct Section<'a> {
    node: Option<&'a Node>,
    key: &'static str,
    owner: String,
    /// Every key holds a secret (`secrets:` of a reusable-workflow call), not only the
    /// secret-like ones.
    all_secret: bool,
}

impl<'a> Section<'a> {
    fn new(node: Option<&'a Node>, key: &'static str, owner: impl Into<String>) -> Self {
        Self {
            node,
            key,
            owner: owner.into(),
            all_secret: false,
        }
    }
}

/// The literal values under secret-like keys of each section.
fn github_sections(source: &Arc<SourceFile>, sections: &[Section<'_>]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for section in sections {
        let entries = section.node.and_then(Node::as_mapping).unwrap_or(&[]);
        for (key_node, value) in entries {
            let (Some(key), Some(value)) = (key_node.as_str(), value.as_string()) else {
                continue;
            };
            let secret = section.all_secret || is_secret_name(key);
            if !secret || !is_literal(value, Dialect::GitHub) {
                continue;
            }
            let what = if section.all_secret {
                ""
            } else {
                "secret-like "
            };
            findings.push(finding(
                source,
                key_node.span,
                format!(
                    "`{}` of {} sets {what}`{key}` to a literal value; use `${{{{ secrets.… }}}}`",
                    section.key, section.owner
                ),
            ));
        }
    }
    findings
}

fn step_sections<'a>(step: &'a Step, owner: &str, sections: &mut Vec<Section<'a>>) {
    sections.push(Section::new(step.env.as_ref(), "env", owner));
    sections.push(Section::new(step.with.as_ref(), "with", owner));
}

fn workflow(source: &Arc<SourceFile>, workflow: &Workflow) -> Vec<Finding> {
    let mut sections = vec![Section::new(
        workflow.env.as_ref(),
        "env",
        "the workflow".to_owned(),
    )];
    for job in &workflow.jobs {
        let owner = format!("job `{}`", job.id);
        sections.push(Section::new(job.env.as_ref(), "env", owner.clone()));
        // A reusable-workflow call: `with:` inputs and `secrets:`.
        sections.push(Section::new(job.node.get("with"), "with", owner.clone()));
        sections.push(Section {
            all_secret: true,
            ..Section::new(job.node.get("secrets"), "secrets", owner.clone())
        });
        let container = job.node.get("container");
        let container_owner = format!("the container of job `{}`", job.id);
        sections.push(Section::new(
            container.and_then(|c| c.get("env")),
            "env",
            container_owner.clone(),
        ));
        sections.push(Section::new(
            container.and_then(|c| c.get("credentials")),
            "credentials",
            container_owner,
        ));
        let services = job
            .node
            .get("services")
            .and_then(Node::as_mapping)
            .unwrap_or(&[]);
        for (name, service) in services {
            let owner = format!(
                "service `{}` of job `{}`",
                name.as_str().unwrap_or(""),
                job.id
            );
            sections.push(Section::new(service.get("env"), "env", owner.clone()));
            sections.push(Section::new(
                service.get("credentials"),
                "credentials",
                owner,
            ));
        }
        for step in &job.steps {
            let owner = Origin::Step {
                job: job.id.clone(),
                number: step.number,
            }
            .to_string();
            step_sections(step, &owner, &mut sections);
        }
    }
    github_sections(source, &sections)
}

fn action(source: &Arc<SourceFile>, action: &ActionFile) -> Vec<Finding> {
    let mut sections = Vec::new();
    for step in &action.steps {
        let owner = Origin::CompositeStep {
            number: step.number,
        }
        .to_string();
        step_sections(step, &owner, &mut sections);
    }
    github_sections(source, &sections)
}

#[cfg(test)]
mod tests;
