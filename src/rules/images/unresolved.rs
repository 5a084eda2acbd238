//! PW103 image-unresolved: the reference depends on a variable with no resolvable value, so
//! what is pulled is decided at build or deploy time, not in the repository.

use crate::model::finding::Finding;
use crate::model::image::{Unknown, UnknownKind};
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
    let Subject::Unresolved { image, unknowns } = subject else {
        return None;
    };
    let mut message = format!("image `{}`", image.written());
    if let Some(origin) = &image.origin {
        message.push_str(&format!(" in {origin}"));
    }
    message.push_str(" depends on ");
    message.push_str(&depends_on(unknowns));
    Some(Finding::new(&META, image.location.clone(), message).with_related(image.via.clone()))
}

/// What the reference depends on and what to do about it, by the kind of the unknown values:
/// a variable can be given a default; an expression or a template is only known when the
/// workflow runs or the file is rendered.
fn depends_on(unknowns: &[Unknown]) -> String {
    let kinds = |kind: UnknownKind| unknowns.iter().filter(move |u| u.kind == kind);
    let only = |kind: UnknownKind| unknowns.iter().all(|u| u.kind == kind);
    let list = |kind: UnknownKind, show: &dyn Fn(&Unknown) -> String| {
        kinds(kind).map(show).collect::<Vec<_>>().join(", ")
    };
    let count = unknowns.len();
    if unknowns.is_empty() {
        return "values that are not known here".to_owned();
    }
    if only(UnknownKind::Variable) {
        let (noun, verb) = if count == 1 {
            ("variable", "has")
        } else {
            ("variables", "have")
        };
        let names = list(UnknownKind::Variable, &|u| format!("`{}`", u.name));
        return format!("{noun} {names} that {verb} no value here; give it a pinned default");
    }
    let noun = |kind: UnknownKind, one: &str, many: &str| {
        let n = kinds(kind).count();
        (n > 0).then(|| {
            let word = if n == 1 { one } else { many };
            format!("{word} {}", list(kind, &|u| format!("`{u}`")))
        })
    };
    let parts: Vec<String> = [
        noun(UnknownKind::Variable, "variable", "variables"),
        noun(UnknownKind::Expression, "expression", "expressions"),
        noun(
            UnknownKind::Template,
            "template expression",
            "template expressions",
        ),
        noun(
            UnknownKind::Builder,
            "builder argument",
            "builder arguments",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let advice = if only(UnknownKind::Expression) {
        "only known when the workflow runs; write the pinned reference, or list the values in \
         the job's matrix"
    } else if only(UnknownKind::Builder) {
        "set by BuildKit for each build (a default is ignored); name the image without it"
    } else if only(UnknownKind::Template) {
        "filled in by the templating tool (Helm, Argo …); pin the value where it is set, or \
         render the file and scan the output"
    } else {
        "not known here; write the pinned reference"
    };
    format!("{}, {advice}", parts.join(" and "))
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
            let unknowns: Vec<Unknown> = variables
                .iter()
                .map(|v| Unknown::new(*v, UnknownKind::Variable))
                .collect();
            let subject = Subject::Unresolved {
                image: &use_,
                unknowns: unknowns.into(),
            };
            let cx = CheckContext::default();
            let finding = judge(&subject, &cx).map(|f| f.message);
            let message = finding.unwrap_or_default();
            assert!(message.contains(fragment), "{message}");
            assert!(message.starts_with("image `python:${TAG}`"), "{message}");
        }
    }

    #[test]
    fn says_what_kind_of_value_is_unknown() {
        let expression = Unknown::new("inputs.image", UnknownKind::Expression);
        let template = Unknown::new(".Values.tag", UnknownKind::Template);
        let variable = Unknown::new("REG", UnknownKind::Variable);
        // (unknowns, expected)
        let cases = [
            (
                vec![expression.clone()],
                "expression `${{ inputs.image }}`, only known when the workflow runs; write \
                 the pinned reference, or list the values in the job's matrix",
            ),
            (
                vec![template.clone()],
                "template expression `{{ .Values.tag }}`, filled in by the templating tool \
                 (Helm, Argo …); pin the value where it is set, or render the file and scan the \
                 output",
            ),
            (
                vec![variable, template],
                "variable `$REG` and template expression `{{ .Values.tag }}`, not known here; \
                 write the pinned reference",
            ),
            (
                vec![Unknown::new("TARGETOSVERSION", UnknownKind::Builder)],
                "builder argument `$TARGETOSVERSION`, set by BuildKit for each build (a default \
                 is ignored); name the image without it",
            ),
            (Vec::new(), "values that are not known here"),
        ];
        for (unknowns, expected) in cases {
            let got = depends_on(&unknowns);
            assert_eq!(got, expected);
            // Only a variable can be given a default.
            assert!(!got.contains("give it a pinned default"), "{got}");
        }
    }
}
