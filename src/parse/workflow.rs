//! GitHub workflows (`.github/workflows/*.yml`) and actions (`action.yml`): a typed model of
//! jobs and steps (`uses`, `run`, `shell`, `env`, `with`, containers, services, matrix), and the
//! occurrences it names: images (job and service containers, `docker://` steps, docker
//! actions; `${{ matrix.x }}` expanded from the job's literal matrix) and action references.

#[path = "workflow/evaluate.rs"]
mod evaluate;
#[path = "workflow/matrix.rs"]
mod matrix;

use std::sync::Arc;

use crate::model::action::{ActionUse, LockState};
use crate::model::image::{ImageUse, ImageValue, Unknown, UnknownKind, Unresolved};
use crate::model::location::{Location, Span};
use crate::model::mapped_text::MappedText;
use crate::model::origin::Origin;
use crate::model::script::{Script, ScriptOrigin, ShellDialect};
use crate::model::source::SourceFile;
use crate::parse::expression::mask_expressions;
use crate::parse::yaml::{Node, ParsedYaml, YamlFile, mapped_scalar, parse_yaml};
use crate::parse::{Notice, Syntax};

use evaluate::Contexts;
use matrix::{Expander, OverBudget};

pub use matrix::{MAX_COMBINATIONS, MAX_EXPANDED_BYTES};

const DOCKER_SCHEME: &str = "docker://";

/// Keys whose values the rules judge in a workflow or action: a duplicate key that holds none
/// of them is a note (see [`ParsedYaml::add_duplicate_keys`]).
const JUDGED_KEYS: &[&str] = &[
    "jobs",
    "steps",
    "uses",
    "run",
    "shell",
    "defaults",
    "container",
    "image",
    "services",
    "strategy",
    "matrix",
    "include",
    "env",
    "with",
    "runs",
    "using",
    "inputs",
    "<<",
];

/// A parsed workflow.
#[derive(Clone, Debug, Default)]
pub struct Workflow {
    /// Top-level `env:`.
    pub env: Option<Node>,
    /// `defaults.run.shell`.
    pub default_shell: Option<Node>,
    pub jobs: Vec<Job>,
}

/// One job (`jobs.<id>`).
#[derive(Clone, Debug)]
pub struct Job {
    pub id: String,
    /// The job's key.
    pub key: Span,
    pub node: Node,
    /// `uses:`: a reusable workflow call.
    pub uses: Option<Node>,
    /// The container image (`container:` as a string, or `container.image`).
    pub container: Option<Node>,
    /// `services.<name>.image`, by service name.
    pub services: Vec<(String, Node)>,
    pub env: Option<Node>,
    /// `defaults.run.shell`.
    pub default_shell: Option<Node>,
    /// `strategy.matrix`.
    pub matrix: Option<Node>,
    pub steps: Vec<Step>,
}

/// One step of a job or of a composite action.
#[derive(Clone, Debug)]
pub struct Step {
    /// 1-based.
    pub number: usize,
    pub node: Node,
    pub uses: Option<Node>,
    pub run: Option<Node>,
    pub shell: Option<Node>,
    pub env: Option<Node>,
    pub with: Option<Node>,
}

/// A parsed `action.yml`.
#[derive(Clone, Debug, Default)]
pub struct ActionFile {
    /// `runs.using`, e.g. `composite`, `docker`, `node20`.
    pub using: Option<String>,
    /// `runs.image` of a docker action.
    pub image: Option<Node>,
    /// `runs.steps` of a composite action.
    pub steps: Vec<Step>,
    pub inputs: Option<Node>,
}

impl Job {
    /// The shell a step runs with: the step's `shell`, else the job's default, else the
    /// workflow's (`None`: the runner's default, `bash` or `sh` on Linux).
    pub fn shell_of<'a>(&'a self, step: &'a Step, workflow: &'a Workflow) -> Option<&'a Node> {
        step.shell
            .as_ref()
            .or(self.default_shell.as_ref())
            .or(workflow.default_shell.as_ref())
    }
}

/// How `uses:` values of a workflow are locked: the answer for each value as written.
pub type LockLookup<'a> = &'a dyn Fn(&str) -> LockState;

/// Parse a workflow with no lockfile.
pub fn parse_workflow(source: &Arc<SourceFile>) -> ParsedYaml {
    parse_workflow_with(source, &|_| LockState::Unlocked)
}

/// Parse a workflow; `lock` says what `actions.lock` holds for each step's `uses:`.
pub fn parse_workflow_with(source: &Arc<SourceFile>, lock: LockLookup<'_>) -> ParsedYaml {
    parse(source, |file, scope| {
        let mut workflow = Workflow::default();
        for root in &file.documents {
            workflow.env = root.get("env").cloned();
            workflow.default_shell = default_shell(root);
            for (key, node) in root.get("jobs").and_then(Node::as_mapping).unwrap_or(&[]) {
                let Some(id) = key.as_str() else { continue };
                workflow.jobs.push(job(id, key.span, node));
            }
        }
        for job in &workflow.jobs {
            scope.job(job, workflow.env.as_ref(), lock);
            let windows = job
                .node
                .get("runs-on")
                .and_then(Node::as_string)
                .is_some_and(|runner| runner.to_ascii_lowercase().contains("windows"));
            for step in &job.steps {
                let shell = job.shell_of(step, &workflow).and_then(Node::as_string);
                let dialect = ShellDialect::of_github_shell(shell, windows);
                let origin = ScriptOrigin::WorkflowRun {
                    job: job.id.clone(),
                    step: step.number,
                };
                scope.script(step, dialect, origin);
            }
        }
        Syntax::Workflow(workflow)
    })
}

/// Parse an `action.yml` / `action.yaml`: a docker action's `runs.image: docker://…` (a
/// Dockerfile path is not an image) and composite steps.
pub fn parse_action(source: &Arc<SourceFile>) -> ParsedYaml {
    parse(source, |file, scope| {
        let mut action = ActionFile::default();
        for root in &file.documents {
            action.inputs = root.get("inputs").cloned();
            let Some(runs) = root.get("runs") else {
                continue;
            };
            action.using = runs
                .get("using")
                .and_then(Node::as_string)
                .map(str::to_owned);
            let using = action.using.as_deref().unwrap_or("");
            if using.eq_ignore_ascii_case("docker") {
                action.image = runs.get("image").cloned();
            } else if using.eq_ignore_ascii_case("composite") {
                action.steps = steps(runs);
            }
        }
        // `runs.image` is an image only with `docker://`; else it is the action's Dockerfile.
        if let Some(image) = &action.image
            && image
                .as_string()
                .is_some_and(|text| text.starts_with(DOCKER_SCHEME))
        {
            scope.uses(image, &Origin::DockerAction, &|_| LockState::Unlocked);
        }
        for step in &action.steps {
            // Composite steps must name their shell; GitHub rejects a `run:` without one.
            let shell = step.shell.as_ref().and_then(Node::as_string);
            let dialect = ShellDialect::of_github_shell(shell, false);
            let origin = ScriptOrigin::ActionRun { step: step.number };
            scope.script(step, dialect, origin);
            if let Some(uses) = &step.uses {
                let origin = Origin::CompositeStep {
                    number: step.number,
                };
                // NOTE: GitHub's lockfile covers workflows; a composite action's own steps
                // are judged by their refs.
                scope.uses(uses, &origin, &|_| LockState::Unlocked);
            }
        }
        Syntax::Action(action)
    })
}

fn parse(
    source: &Arc<SourceFile>,
    build: impl FnOnce(&YamlFile, &mut Scope<'_>) -> Syntax,
) -> ParsedYaml {
    let text = source.text();
    let file = match parse_yaml(text) {
        Ok(file) => file,
        Err(error) => return ParsedYaml::invalid(error),
    };
    let mut scope = Scope {
        source,
        parsed: ParsedYaml::default(),
        expander: Expander::new(),
    };
    scope.parsed.add_duplicate_keys(&file, text, JUDGED_KEYS);
    scope.parsed.comments = crate::parse::comment::yaml_comments(text, &file);
    let syntax = build(&file, &mut scope);
    if scope.expander.over_budget() {
        scope.parsed.notices.push(Notice {
            message: format!(
                "matrix expansion stopped after {MAX_EXPANDED_BYTES} bytes: the remaining \
                 matrix images are reported as unresolved"
            ),
        });
    }
    scope.parsed.syntax = syntax;
    scope.parsed
}

fn default_shell(node: &Node) -> Option<Node> {
    node.get("defaults")?.get("run")?.get("shell").cloned()
}

fn job(id: &str, key: Span, node: &Node) -> Job {
    let container = match node.get("container") {
        Some(container) if container.as_mapping().is_some() => container.get("image").cloned(),
        other => other.cloned(),
    };
    let services = node
        .get("services")
        .and_then(Node::as_mapping)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(name, service)| {
            let name = name.as_str()?.to_owned();
            // `services.<id>` may be the image string itself.
            let image = if service.as_mapping().is_some() {
                service.get("image")?.clone()
            } else {
                service.clone()
            };
            Some((name, image))
        })
        .collect();
    Job {
        id: id.to_owned(),
        key,
        node: node.clone(),
        uses: node.get("uses").cloned(),
        container,
        services,
        env: node.get("env").cloned(),
        default_shell: default_shell(node),
        matrix: node
            .get("strategy")
            .and_then(|strategy| strategy.get("matrix"))
            .cloned(),
        steps: steps(node),
    }
}

fn steps(parent: &Node) -> Vec<Step> {
    parent
        .get("steps")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(index, node)| Step {
            number: index + 1,
            node: node.clone(),
            uses: node.get("uses").cloned(),
            run: node.get("run").cloned(),
            shell: node.get("shell").cloned(),
            env: node.get("env").cloned(),
            with: node.get("with").cloned(),
        })
        .collect()
}

struct Scope<'a> {
    source: &'a Arc<SourceFile>,
    parsed: ParsedYaml,
    expander: Expander,
}

impl Scope<'_> {
    fn job(&mut self, job: &Job, workflow_env: Option<&Node>, lock: LockLookup<'_>) {
        let cx = Contexts {
            source: self.source,
            matrix: job.matrix.as_ref(),
            env: job.env.iter().chain(workflow_env).collect(),
        };
        let id = &job.id;
        if let Some(image) = &job.container {
            let origin = Origin::JobContainer { job: id.clone() };
            self.image(image, 0, &origin, &cx);
        }
        for (service, image) in &job.services {
            let origin = Origin::JobService {
                job: id.clone(),
                service: service.clone(),
            };
            self.image(image, 0, &origin, &cx);
        }
        if let Some(uses) = &job.uses {
            // NOTE: GitHub's lockfile does not cover reusable-workflow calls: judged as usual.
            let origin = Origin::ReusableWorkflow { job: id.clone() };
            self.uses(uses, &origin, &|_| LockState::Unlocked);
        }
        for step in &job.steps {
            if let Some(uses) = &step.uses {
                let origin = Origin::Step {
                    job: id.clone(),
                    number: step.number,
                };
                self.uses(uses, &origin, lock);
            }
        }
    }

    /// A `uses:`-style value: an image with the `docker://` scheme, else an action reference.
    fn uses(&mut self, node: &Node, origin: &Origin, lock: LockLookup<'_>) {
        let Some(text) = node.as_string() else { return };
        // NOTE: GitHub evaluates no expression in `uses:` (not even `docker://…${{ }}`): such a
        // value is an action occurrence, reported as invalid (PW001), not an image to expand.
        if text.starts_with(DOCKER_SCHEME) && !text.contains("${{") {
            let cx = Contexts {
                source: self.source,
                matrix: None,
                env: Vec::new(),
            };
            self.image(node, DOCKER_SCHEME.len(), origin, &cx);
            return;
        }
        if text.trim().is_empty() {
            return;
        }
        self.parsed.actions.push(ActionUse {
            location: Location::new(Arc::clone(self.source), node.span),
            origin: origin.clone(),
            lock: lock(text),
        });
    }

    /// A step's `run:` script, mapped back to the file, `${{ … }}` masked so a shell parser
    /// sees one word where GitHub substitutes one.
    fn script(&mut self, step: &Step, dialect: ShellDialect, origin: ScriptOrigin) {
        let Some(run) = &step.run else { return };
        let Some(text) = run.as_string() else { return };
        let mapped = mapped_scalar(self.source.text(), run)
            .unwrap_or_else(|| MappedText::opaque(text, run.span));
        let (masked, _) = mask_expressions(mapped.as_str());
        let text = mapped
            .with_text(masked.clone())
            .unwrap_or_else(|| MappedText::opaque(masked, run.span));
        self.parsed.scripts.push(Script {
            text,
            dialect,
            origin,
        });
    }

    /// The image written in `node` from byte `skip` of its text on, with its expressions
    /// expanded to every value they can take.
    fn image(&mut self, node: &Node, skip: usize, origin: &Origin, cx: &Contexts<'_>) {
        let Some(text) = node.as_string().and_then(|text| text.get(skip..)) else {
            return;
        };
        let full = node.as_str().map_or(0, str::len);
        let span = node.sub_span(self.source.text(), skip..full);
        let uses: Vec<(ImageValue, Vec<_>)> = match self.expander.expand(text, cx) {
            Ok(values) => values,
            Err(OverBudget(expressions)) => {
                let unknowns = expressions
                    .into_iter()
                    .map(|name| Unknown::new(name, UnknownKind::Expression))
                    .collect();
                let value = ImageValue::Unresolved(Unresolved {
                    unknowns,
                    shape: None,
                });
                vec![(value, Vec::new())]
            }
        };
        for (value, via) in uses {
            self.parsed.images.push(ImageUse {
                location: Location::new(Arc::clone(self.source), span),
                value,
                via,
                origin: Some(origin.clone()),
            });
        }
    }
}

#[cfg(test)]
#[path = "workflow/tests.rs"]
mod tests;
