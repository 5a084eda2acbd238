//! Docker compose files: a typed model of the services, and their image occurrences
//! (`services.<name>.image`), interpolated from the process environment and the project's
//! `.env` file as compose does.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::image::{HOLE, ImageUse, ImageValue, Unknown, UnknownKind, Unresolved};
use crate::model::location::{Location, Related, Span};
use crate::model::origin::Origin;
use crate::model::source::SourceFile;
use crate::parse::comment::yaml_comments;
use crate::parse::env::EnvFile;
use crate::parse::interpolate::{interpolate, interpolated_shape};
use crate::parse::yaml::{Node, ParsedYaml, parse_yaml};
use crate::parse::{Problem, Syntax};

/// Keys whose values the rules judge in a compose file: a duplicate key that holds none of
/// them is a note (see [`ParsedYaml::add_duplicate_keys`]).
const JUDGED_KEYS: &[&str] = &[
    "services",
    "image",
    "build",
    "args",
    "user",
    "privileged",
    "security_opt",
    "environment",
    "env_file",
    "extends",
    "<<",
];

/// A parsed compose file.
#[derive(Clone, Debug, Default)]
pub struct ComposeFile {
    pub services: Vec<ComposeService>,
    /// The `.env` file beside the compose file: compose interpolates from it, and passes its
    /// values to a service's bare `environment` entries and to `env_file: .env`.
    pub env: Option<(Arc<SourceFile>, EnvFile)>,
    /// The process environment, read before `.env` (only with `--env-from-process`).
    pub process_env: Option<BTreeMap<String, String>>,
}

impl ComposeFile {
    /// The value compose interpolates for `name`: the process environment's (when read),
    /// else the `.env` file's.
    pub fn variable(&self, name: &str) -> Option<String> {
        let env = self.env.as_ref().map(|(source, file)| (source, file));
        lookup(self.process_env.as_ref(), env, name)
    }
}

/// A variable as compose resolves it: the process environment first, then `.env`.
fn lookup(
    process_env: Option<&BTreeMap<String, String>>,
    env: Option<(&Arc<SourceFile>, &EnvFile)>,
    name: &str,
) -> Option<String> {
    if let Some(value) = process_env.and_then(|env| env.get(name)) {
        return Some(value.clone());
    }
    let (_, env) = env?;
    env.get(name)?.value.clone()
}

/// One service (`services.<name>`); its keys (`image`, `build`, `user`, `security_opt`,
/// `environment`, …) are read from `node`.
#[derive(Clone, Debug)]
pub struct ComposeService {
    pub name: String,
    /// The service's key.
    pub key: Span,
    pub node: Node,
}

impl ComposeService {
    /// The value of one of the service's keys.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.node.get(key)
    }

    /// Does the service build its own image (`build:` set)?
    pub fn builds(&self) -> bool {
        self.get("build").is_some_and(|build| !build.is_null())
    }
}

/// Parse a compose file and find the images it names.
///
/// Variables are looked up in `process_env` first (only given with `--env-from-process`),
/// then in the `.env` file, whose entries become related locations of the image.
pub fn parse_compose(
    source: &Arc<SourceFile>,
    env: Option<(&Arc<SourceFile>, &EnvFile)>,
    process_env: Option<&BTreeMap<String, String>>,
) -> ParsedYaml {
    let text = source.text();
    let file = match parse_yaml(text) {
        Ok(file) => file,
        Err(error) => return ParsedYaml::invalid(error),
    };
    let mut parsed = ParsedYaml::default();
    parsed.add_duplicate_keys(&file, text, JUDGED_KEYS);
    parsed.comments = yaml_comments(text, &file);
    let scope = Scope {
        source,
        env,
        process_env,
    };
    let mut compose = ComposeFile {
        env: env.map(|(source, file)| (Arc::clone(source), file.clone())),
        process_env: process_env.cloned(),
        ..ComposeFile::default()
    };
    for document in &file.documents {
        let services = document.get("services").and_then(Node::as_mapping);
        for (key, node) in services.unwrap_or(&[]) {
            let Some(name) = key.as_str() else { continue };
            compose.services.push(ComposeService {
                name: name.to_owned(),
                key: key.span,
                node: node.clone(),
            });
        }
    }
    for service in &compose.services {
        // A service that builds and names `image:` tags its own output: not a pull.
        if let Some(image) = service.get("image")
            && !service.builds()
        {
            let origin = Origin::Service {
                name: service.name.clone(),
            };
            scope.image(image, origin, &mut parsed);
        }
    }
    parsed.syntax = Syntax::Compose(compose);
    parsed
}

struct Scope<'a> {
    source: &'a Arc<SourceFile>,
    env: Option<(&'a Arc<SourceFile>, &'a EnvFile)>,
    process_env: Option<&'a BTreeMap<String, String>>,
}

impl Scope<'_> {
    fn process_value(&self, name: &str) -> Option<&String> {
        self.process_env.and_then(|env| env.get(name))
    }

    fn lookup(&self, name: &str) -> Option<String> {
        lookup(self.process_env, self.env, name)
    }

    fn image(&self, image: &Node, origin: Origin, parsed: &mut ParsedYaml) {
        let Some(written) = image.as_string() else {
            return;
        };
        let result = interpolate(written, &|name| self.lookup(name));
        if let Some(error) = result.error {
            let message = format!("invalid interpolation in image `{written}`: {error}");
            parsed.problems.push(Problem::new(image.span, message));
            return;
        }
        let mut via = Vec::new();
        for name in &result.used {
            if self.process_value(name).is_some() {
                continue;
            }
            let Some((env_source, env)) = self.env else {
                continue;
            };
            let Some(entry) = env.get(name) else { continue };
            let value = entry.value.as_deref().unwrap_or("");
            via.push(Related {
                location: Location::new(Arc::clone(env_source), entry.value_span),
                label: format!("`{name}` is set to `{value}` here"),
            });
        }
        let value = match result.value {
            Some(value) => ImageValue::Resolved(value),
            None => {
                let lookup = |name: &str| self.lookup(name);
                // A value with a hole in it already (a NUL) gets no shape.
                let shape = (!written.contains(HOLE))
                    .then(|| interpolated_shape(written, &lookup, &result.missing))
                    .flatten();
                ImageValue::Unresolved(Unresolved {
                    shape,
                    unknowns: result
                        .missing
                        .into_iter()
                        .map(|name| Unknown::new(name, UnknownKind::Variable))
                        .collect(),
                })
            }
        };
        parsed.images.push(ImageUse {
            location: Location::new(Arc::clone(self.source), image.span),
            value,
            via,
            origin: Some(origin),
        });
    }
}

#[cfg(test)]
#[path = "compose/tests.rs"]
mod tests;
