//! Image occurrences in docker compose files: `services.<name>.image`, interpolated from the
//! process environment and the project's `.env` file as compose does.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::image::{ImageUse, ImageValue};
use crate::model::location::{Location, Related};
use crate::model::source::SourceFile;
use crate::parse::Problem;
use crate::parse::env::EnvFile;
use crate::parse::interpolate::interpolate;
use crate::parse::yaml::{Node, ParsedYaml, parse_yaml};

/// Find the images a compose file names.
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
    parsed.add_duplicate_keys(&file, text);
    let scope = Scope {
        source,
        env,
        process_env,
    };
    for document in &file.documents {
        let Some(services) = document.get("services").and_then(Node::as_mapping) else {
            continue;
        };
        for (name, service) in services {
            let Some(name) = name.as_str() else { continue };
            let Some(image) = service.get("image") else {
                continue;
            };
            // A service that builds and names `image:` tags its own output: not a pull.
            if service.get("build").is_some_and(|build| !build.is_null()) {
                continue;
            }
            let context = format!("service `{name}`");
            scope.image(image, context, &mut parsed);
        }
    }
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
        if let Some(value) = self.process_value(name) {
            return Some(value.clone());
        }
        let (_, env) = self.env?;
        env.get(name)?.value.clone()
    }

    fn image(&self, image: &Node, context: String, parsed: &mut ParsedYaml) {
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
            None => ImageValue::Unresolved {
                variables: result.missing,
            },
        };
        parsed.images.push(ImageUse {
            location: Location::new(Arc::clone(self.source), image.span),
            value,
            via,
            context: Some(context),
        });
    }
}

#[cfg(test)]
#[path = "compose/tests.rs"]
mod tests;
