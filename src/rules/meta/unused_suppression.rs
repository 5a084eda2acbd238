//! PW002 unused-suppression: a `# pinwarden:ignore` comment that suppresses nothing (no finding
//! of the rule it names on the line it covers, an unknown rule, a misplaced `ignore-file`, a
//! typo in the keyword) or, with `require-reason`, one without a reason.
//!
//! The rule has no check: its findings are made after the other rules' findings are matched
//! against the suppressions (`rules::suppression`), which calls the constructors here. The
//! dispatcher's settings still apply (`cx.is_enabled`, `cx.level`).

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::level::Level;
use crate::model::location::Location;
use crate::rules::{self, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW002",
    name: "unused-suppression",
    default_level: Level::Note,
    summary: "a pinwarden:ignore comment suppresses nothing, names an unknown rule or gives no reason",
    help: include_str!("../../../docs/rules/PW002.md"),
    ecosystem: Ecosystem::None,
    min_policy: None,
    tags: &["security", "suppression"],
    security_severity: "2.0",
    // Every kind that has comments.
    applies_to: &[
        FileKind::Dockerfile,
        FileKind::Compose,
        FileKind::Env,
        FileKind::Workflow,
        FileKind::Action,
        FileKind::Kubernetes,
    ],
};

/// Registered so that `rules`, `explain`, SARIF and the configuration know it; produced by
/// `rules::suppression::apply`, not by a check.
pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[],
};

/// What is wrong with a suppression.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Problem<'a> {
    /// A named rule has no finding where the suppression looks (`line`: `None` for the file).
    Unused {
        rule: &'static RuleMeta,
        line: Option<usize>,
    },
    /// A token that is no rule id or name.
    Unknown(&'a str),
    /// `pinwarden:ignore` with no rule after it.
    NoRule,
    /// `ignore-file` below the file's first content line.
    MisplacedFile,
    /// `pinwarden:` followed by neither `ignore` nor `ignore-file`.
    Malformed,
    /// No `-- reason`, with `require-reason` set.
    NoReason,
}

/// A PW002 finding at `location`, at the level configured for PW002.
pub(crate) fn finding(location: Location, problem: Problem<'_>, cx: &CheckContext) -> Finding {
    let message = match problem {
        Problem::Unused { rule, line } => {
            let place = match line {
                Some(line) => format!("on line {line}"),
                None => "in this file".to_owned(),
            };
            format!(
                "suppression of `{}` ({}) matches no finding {place}: remove it",
                rule.id, rule.name
            )
        }
        Problem::Unknown(token) => {
            let hint = did_you_mean(token)
                .map(|rule| format!("; did you mean `{}` ({})?", rule.id, rule.name))
                .unwrap_or_default();
            format!("unknown rule `{token}` in a suppression{hint}")
        }
        Problem::NoRule => "suppression names no rule: write the ids it silences, e.g. \
                            `# pinwarden:ignore PW101 -- reason`"
            .to_owned(),
        Problem::MisplacedFile => "`pinwarden:ignore-file` is not in the comments at the top \
                                   of the file, so it suppresses nothing: move it above the \
                                   first line of content"
            .to_owned(),
        Problem::Malformed => "not a suppression: write `pinwarden:ignore RULE -- reason` or \
                               `pinwarden:ignore-file RULE -- reason`"
            .to_owned(),
        Problem::NoReason => "suppression gives no reason (`require-reason` is set): add \
                              `-- reason` after the rule ids"
            .to_owned(),
    };
    let mut finding = Finding::new(&META, location, message);
    finding.level = cx.level(&META);
    finding
}

/// The rule whose id or name is closest to `token`, when it is close enough to be a typo.
pub(crate) fn did_you_mean(token: &str) -> Option<&'static RuleMeta> {
    let token = token.to_ascii_lowercase();
    rules::metas()
        .flat_map(|rule| [(rule, rule.id, 1), (rule, rule.name, 2)])
        .filter_map(|(rule, candidate, close)| {
            // An id is five characters: one edit apart is a typo, two is another rule.
            let candidate = candidate.to_ascii_lowercase();
            let distance = edit_distance(&token, &candidate);
            let prefix = token.len() >= 5 && candidate.starts_with(&token) && close > 1;
            (distance <= close || prefix).then_some((distance, rule))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, rule)| rule)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(usize::from(ca != *cb));
            let delete = previous
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let insert = current
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_typos_only() {
        // (token, suggested id)
        let cases: &[(&str, Option<&str>)] = &[
            ("PW1O1", Some("PW101")),        // letter O for zero
            ("pw40", Some("PW401")), // a digit short (PW402, PW403 are as close: first wins)
            ("image-latest", Some("PW101")), // a prefix of a name
            ("runs-as-rot", Some("PW401")),
            ("PW999", None),
            ("nonsense", None),
        ];
        for (token, expected) in cases {
            assert_eq!(
                did_you_mean(token).map(|rule| rule.id),
                *expected,
                "{token}"
            );
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("pw101", "pw101"), 0);
    }
}
