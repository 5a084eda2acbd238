//! PW103 image-unresolved: the reference depends on a variable with no resolvable value, so
//! what is pulled is decided at build or deploy time, not in the repository.

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::rules::images::Subject;
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW103",
    name: "image-unresolved",
    default_level: Level::Warning,
    summary: "image reference depends on a variable with no resolvable value",
    help: include_str!("../../../docs/rules/PW103.md"),
    ecosystem: Ecosystem::Images,
    min_policy: None,
    tags: &["supply-chain", "pinning"],
    security_severity: "4.0",
    applies_to: FileKind::IMAGES,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Image {
        precedence: 10,
        judge,
    }],
};

fn judge(subject: &Subject<'_>, _cx: &CheckContext) -> Option<Finding> {
    let Subject::Unresolved { image, variables } = subject else {
        return None;
    };
    let names: Vec<String> = variables.iter().map(|name| format!("`{name}`")).collect();
    let (noun, verb) = if names.len() == 1 {
        ("variable", "has")
    } else {
        ("variables", "have")
    };
    let mut message = format!("image `{}`", image.written());
    if let Some(origin) = &image.origin {
        message.push_str(&format!(" in {origin}"));
    }
    message.push_str(&format!(
        " depends on {noun} {} that {verb} no value here; give it a pinned default",
        names.join(", ")
    ));
    Some(Finding::new(&META, image.location.clone(), message).with_related(image.via.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::images::test_support::image;

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
            let subject = Subject::Unresolved {
                image: &use_,
                variables,
            };
            let cx = CheckContext::default();
            let finding = judge(&subject, &cx).map(|f| f.message);
            let message = finding.unwrap_or_default();
            assert!(message.contains(fragment), "{message}");
            assert!(message.starts_with("image `python:${TAG}`"), "{message}");
        }
    }
}
