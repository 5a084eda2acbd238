//! PW103 image-unresolved: the reference depends on a variable with no resolvable value, so
//! what is pulled is decided at build or deploy time, not in the repository.

use crate::discover::FileKind;
use crate::model::finding::Finding;
use crate::model::image::ImageUse;
use crate::model::level::Level;
use crate::rules::RuleMeta;

pub static META: RuleMeta = RuleMeta {
    id: "PW103",
    name: "image-unresolved",
    default_level: Level::Warning,
    summary: "image reference depends on a variable with no resolvable value",
    help: include_str!("../../../docs/rules/PW103.md"),
    min_policy: None,
    tags: &["supply-chain", "pinning"],
    security_severity: "4.0",
    applies_to: FileKind::IMAGES,
};

pub fn check(image: &ImageUse, variables: &[String]) -> Option<Finding> {
    let names: Vec<String> = variables.iter().map(|name| format!("`{name}`")).collect();
    let (noun, verb) = if names.len() == 1 {
        ("variable", "has")
    } else {
        ("variables", "have")
    };
    let mut message = format!("image `{}`", image.written());
    if let Some(context) = &image.context {
        message.push_str(" in ");
        message.push_str(context);
    }
    message.push_str(&format!(
        " depends on {noun} {} that {verb} no value here; give it a pinned default",
        names.join(", ")
    ));
    Some(Finding::new(&META, image.location.clone(), message).with_related(image.via.clone()))
}

/// The variable names in a written reference (`$NAME`, `${NAME}`, `${NAME:-default}`), in
/// order, without repeats.
pub fn variable_names(written: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = written;
    while let Some(index) = rest.find('$') {
        rest = rest.get(index + 1..).unwrap_or("");
        let body = rest.strip_prefix('{').unwrap_or(rest);
        let end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let name = body.get(..end).unwrap_or("");
        if !name.is_empty() && !names.iter().any(|known| known == name) {
            names.push(name.to_owned());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::images::test_support::image;

    #[test]
    fn variable_names_table() {
        // (written, names)
        let cases: &[(&str, &[&str])] = &[
            ("app:${TAG}", &["TAG"]),
            ("$REGISTRY/app:${TAG:-1.0}", &["REGISTRY", "TAG"]),
            ("${A}${A}", &["A"]),
            ("app:1.0", &[]),
            ("app:$", &[]),
        ];
        for (written, expected) in cases {
            assert_eq!(variable_names(written), *expected, "{written}");
        }
    }

    #[test]
    fn names_every_variable() {
        // (variables, expected fragment)
        let cases: &[(&[&str], &str)] = &[
            (&["TAG"], "depends on variable `TAG` that has no value"),
            (
                &["A", "B"],
                "depends on variables `A`, `B` that have no value",
            ),
        ];
        for (variables, fragment) in cases {
            let use_ = image("python:${TAG}", None);
            let variables: Vec<String> = variables.iter().map(|v| (*v).to_owned()).collect();
            let finding = check(&use_, &variables).map(|f| f.message);
            let message = finding.unwrap_or_default();
            assert!(message.contains(fragment), "{message}");
            assert!(message.starts_with("image `python:${TAG}`"), "{message}");
        }
    }
}
