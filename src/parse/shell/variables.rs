//! The variables a script's environment holds before it runs, as far as the file tells: the
//! `ARG`s and `ENV`s a Dockerfile `RUN` sees, and the `env:` literals of a workflow (workflow,
//! job, step; the innermost wins) or of a composite step. Anything else is unknown.

use std::collections::HashMap;

use super::{Note, Variable};
use crate::model::script::{Script, ScriptOrigin};
use crate::parse::workflow::Step;
use crate::parse::yaml::Node;
use crate::parse::{Document, Syntax};

pub(super) type Variables = HashMap<String, Variable>;

pub(super) fn of_script(document: &Document, script: &Script) -> Variables {
    let mut variables = Variables::new();
    match (&document.syntax, &script.origin) {
        (
            Syntax::Dockerfile(dockerfile),
            ScriptOrigin::DockerfileRun { instruction }
            | ScriptOrigin::DockerfileHeredoc { instruction, .. },
        ) => {
            for (name, variable) in dockerfile
                .run_variables
                .get(instruction)
                .into_iter()
                .flatten()
            {
                variables.insert(name.clone(), variable.clone());
            }
        }
        (Syntax::Workflow(workflow), ScriptOrigin::WorkflowRun { job, step }) => {
            add_env(&mut variables, workflow.env.as_ref());
            if let Some(job) = workflow.jobs.iter().find(|candidate| candidate.id == *job) {
                add_env(&mut variables, job.env.as_ref());
                add_env(&mut variables, step_env(&job.steps, *step));
            }
        }
        (Syntax::Action(action), ScriptOrigin::ActionRun { step }) => {
            add_env(&mut variables, step_env(&action.steps, *step));
        }
        _ => {}
    }
    variables
}

fn step_env(steps: &[Step], number: usize) -> Option<&Node> {
    steps
        .iter()
        .find(|step| step.number == number)
        .and_then(|step| step.env.as_ref())
}

/// An `env:` mapping: a literal value is known; one with a `${{ }}` expression is not.
fn add_env(variables: &mut Variables, env: Option<&Node>) {
    for (key, value) in env.and_then(Node::as_mapping).unwrap_or(&[]) {
        let Some(name) = key.as_str() else { continue };
        let text = value.as_str().unwrap_or("");
        let known = !text.contains("${{");
        let variable = Variable {
            value: known.then(|| text.to_owned()),
            notes: vec![Note {
                span: value.span,
                label: format!("`{name}` is set to `{text}` here"),
            }],
        };
        variables.insert(name.to_owned(), variable);
    }
}
