//! Image occurrences in GitHub workflows (job containers, service containers, `docker://`
//! steps) and in `action.yml` (docker and composite actions), with `${{ matrix.x }}` expanded
//! from the job's literal matrix.

use std::ops::Range;
use std::sync::Arc;

use crate::model::image::{ImageUse, ImageValue};
use crate::model::location::{Location, Related};
use crate::model::source::SourceFile;
use crate::parse::yaml::{Node, ParsedYaml, parse_yaml};

const DOCKER_SCHEME: &str = "docker://";

/// More matrix combinations than this in one image string are left unresolved.
const MAX_COMBINATIONS: usize = 256;

/// Find the images a workflow (`.github/workflows/*.yml`) names.
pub fn parse_workflow(source: &Arc<SourceFile>) -> ParsedYaml {
    scan(source, |root, scope| {
        let Some(jobs) = root.get("jobs").and_then(Node::as_mapping) else {
            return;
        };
        for (id, job) in jobs {
            let Some(id) = id.as_str() else { continue };
            let matrix = job.get("strategy").and_then(|s| s.get("matrix"));
            match job.get("container") {
                Some(container) if container.as_mapping().is_some() => {
                    if let Some(image) = container.get("image") {
                        scope.image(image, 0, format!("job `{id}`"), matrix);
                    }
                }
                Some(image) => scope.image(image, 0, format!("job `{id}`"), matrix),
                None => {}
            }
            for (name, service) in job
                .get("services")
                .and_then(Node::as_mapping)
                .unwrap_or(&[])
            {
                let (Some(name), Some(image)) = (name.as_str(), service.get("image")) else {
                    continue;
                };
                let context = format!("service `{name}` of job `{id}`");
                scope.image(image, 0, context, matrix);
            }
            scope.steps(job, &|n| format!("step {n} of job `{id}`"), matrix);
        }
    })
}

/// Find the images an `action.yml` / `action.yaml` names: a docker action's
/// `runs.image: docker://…` (a Dockerfile path is not an image) and composite steps.
pub fn parse_action(source: &Arc<SourceFile>) -> ParsedYaml {
    scan(source, |root, scope| {
        let Some(runs) = root.get("runs") else { return };
        let using = runs.get("using").and_then(Node::as_string).unwrap_or("");
        if using.eq_ignore_ascii_case("docker") {
            if let Some(image) = runs.get("image") {
                scope.uses(image, "docker action".to_owned(), None);
            }
        } else if using.eq_ignore_ascii_case("composite") {
            scope.steps(runs, &|n| format!("step {n} of composite action"), None);
        }
    })
}

fn scan(source: &Arc<SourceFile>, visit: impl Fn(&Node, &mut Scope<'_>)) -> ParsedYaml {
    let text = source.text();
    let file = match parse_yaml(text) {
        Ok(file) => file,
        Err(error) => return ParsedYaml::invalid(error),
    };
    let mut scope = Scope {
        source,
        parsed: ParsedYaml::default(),
    };
    scope.parsed.add_duplicate_keys(&file, text);
    for document in &file.documents {
        visit(document, &mut scope);
    }
    scope.parsed
}

struct Scope<'a> {
    source: &'a Arc<SourceFile>,
    parsed: ParsedYaml,
}

/// One `${{ … }}` in an image string: its byte range and its trimmed expression.
struct Expression<'t> {
    range: Range<usize>,
    inner: &'t str,
}

/// The `${{ … }}` expressions of `text`, in order (an unterminated one is left as text).
fn expressions(text: &str) -> Vec<Expression<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|rest| rest.find("${{")) {
        let start = from + open;
        let body = start + 3;
        let Some(close) = text.get(body..).and_then(|rest| rest.find("}}")) else {
            break;
        };
        let end = body + close + 2;
        let inner = text.get(body..body + close).unwrap_or("").trim();
        found.push(Expression {
            range: start..end,
            inner,
        });
        from = end;
    }
    found
}

/// The variable name of a `matrix.<name>` expression.
fn matrix_name(expression: &str) -> Option<&str> {
    let name = expression.strip_prefix("matrix.")?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then_some(name)
}

/// The literal values of `matrix.<name>` (its list and `include` entries), deduplicated, or
/// `None` if the matrix is computed (e.g. `${{ fromJSON(…) }}`) or does not define it.
fn matrix_values<'n>(matrix: Option<&'n Node>, name: &str) -> Option<Vec<&'n Node>> {
    let matrix = matrix?;
    matrix.as_mapping()?;
    let mut values: Vec<&Node> = Vec::new();
    let mut add = |node: &'n Node| {
        let Some(text) = node.as_string() else { return };
        if text.contains("${{") || values.iter().any(|v| v.as_str() == Some(text)) {
            return;
        }
        values.push(node);
    };
    if let Some(list) = matrix.get(name) {
        list.as_sequence()?.iter().for_each(&mut add);
    }
    for entry in matrix
        .get("include")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
    {
        if let Some(value) = entry.get(name) {
            add(value);
        }
    }
    (!values.is_empty()).then_some(values)
}

impl Scope<'_> {
    /// `steps[*].uses: docker://…` of a job or a composite action.
    fn steps(&mut self, parent: &Node, context: &dyn Fn(usize) -> String, matrix: Option<&Node>) {
        let steps = parent
            .get("steps")
            .and_then(Node::as_sequence)
            .unwrap_or(&[]);
        for (index, step) in steps.iter().enumerate() {
            if let Some(uses) = step.get("uses") {
                self.uses(uses, context(index + 1), matrix);
            }
        }
    }

    /// A `uses:`-style value: an image only with the `docker://` scheme.
    fn uses(&mut self, node: &Node, context: String, matrix: Option<&Node>) {
        let Some(text) = node.as_string() else { return };
        if text.starts_with(DOCKER_SCHEME) {
            self.image(node, DOCKER_SCHEME.len(), context, matrix);
        }
    }

    /// The image written in `node` from byte `skip` of its text on, matrix-expanded.
    fn image(&mut self, node: &Node, skip: usize, context: String, matrix: Option<&Node>) {
        let Some(text) = node.as_string().and_then(|text| text.get(skip..)) else {
            return;
        };
        let full = node.as_str().map_or(0, str::len);
        let span = node.sub_span(self.source.text(), skip..full);
        let uses: Vec<(ImageValue, Vec<Related>)> = match self.expand(text, matrix) {
            Ok(values) => values
                .into_iter()
                .filter(|(value, _)| !value.trim().is_empty())
                .map(|(value, via)| (ImageValue::Resolved(value), via))
                .collect(),
            Err(variables) => vec![(ImageValue::Unresolved { variables }, Vec::new())],
        };
        for (value, via) in uses {
            self.parsed.images.push(ImageUse {
                location: Location::new(Arc::clone(self.source), span),
                value,
                via,
                context: Some(context.clone()),
            });
        }
    }

    /// Every expansion of `text` with the matrix entries it took, or the expressions that
    /// cannot be resolved (all of them when there are too many combinations).
    fn expand(
        &self,
        text: &str,
        matrix: Option<&Node>,
    ) -> Result<Vec<(String, Vec<Related>)>, Vec<String>> {
        let found = expressions(text);
        // Each distinct expression with its literal matrix values (None: unresolvable).
        let mut choices: Vec<(&str, Option<Vec<&Node>>)> = Vec::new();
        for expression in &found {
            if choices.iter().all(|(inner, _)| *inner != expression.inner) {
                let name = matrix_name(expression.inner);
                let values = name.and_then(|name| matrix_values(matrix, name));
                choices.push((expression.inner, values));
            }
        }
        let unresolvable: Vec<String> = choices
            .iter()
            .filter(|(_, values)| values.is_none())
            .map(|(inner, _)| (*inner).to_owned())
            .collect();
        if !unresolvable.is_empty() {
            return Err(unresolvable);
        }
        let sizes: Vec<usize> = choices
            .iter()
            .map(|(_, values)| values.as_ref().map_or(0, Vec::len).max(1))
            .collect();
        let combinations = sizes.iter().try_fold(1usize, |count, &n| {
            count.checked_mul(n).filter(|&c| c <= MAX_COMBINATIONS)
        });
        let Some(combinations) = combinations else {
            return Err(choices
                .iter()
                .map(|(inner, _)| (*inner).to_owned())
                .collect());
        };
        let mut expansions = Vec::with_capacity(combinations);
        for combination in 0..combinations {
            // Pick one value per expression: `combination` in mixed radix `sizes`.
            let mut rest = combination;
            let mut picked: Vec<(&str, &Node)> = Vec::new();
            for ((inner, values), &size) in choices.iter().zip(&sizes) {
                let values = values.as_deref().unwrap_or(&[]);
                if let Some(&value) = values.get(rest % size) {
                    picked.push((inner, value));
                }
                rest /= size;
            }
            let mut expanded = String::with_capacity(text.len());
            let mut last = 0;
            for expression in &found {
                expanded.push_str(text.get(last..expression.range.start).unwrap_or(""));
                let value = picked.iter().find(|(inner, _)| *inner == expression.inner);
                expanded.push_str(value.and_then(|(_, node)| node.as_str()).unwrap_or(""));
                last = expression.range.end;
            }
            expanded.push_str(text.get(last..).unwrap_or(""));
            let via = picked
                .iter()
                .map(|(inner, node)| Related {
                    location: Location::new(Arc::clone(self.source), node.span),
                    label: format!("`{inner}` is `{}` here", node.as_str().unwrap_or("")),
                })
                .collect();
            expansions.push((expanded, via));
        }
        Ok(expansions)
    }
}

#[cfg(test)]
#[path = "workflow/tests.rs"]
mod tests;
