//! `USER` per stage: each `USER` instruction expanded against the variables its stage sees at
//! that point (`ARG`, `ENV`, inherited from an earlier stage), and the user a stage runs as,
//! following `FROM <earlier stage>` (a stage starts with its parent's user).
//!
//! BuildKit's `USER` takes one argument, expanded like every other instruction argument
//! (docs.docker.com/reference/dockerfile/#user, "Environment replacement").

use super::scope::{Scope, resolve};
use super::{Args, Dockerfile, Instruction, StageBase};
use crate::model::image::ImageValue;
use crate::model::location::Span;

/// One `USER` instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Index into [`Dockerfile::instructions`].
    pub instruction: usize,
    /// The argument as written (quotes kept), e.g. `${APP_UID}:0`.
    pub span: Span,
    /// The argument after expansion; `None` when it depends on a variable without a value
    /// (an `ARG` without a default, the base image's environment) or cannot be expanded.
    pub value: Option<String>,
}

/// Who a stage runs as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageUser<'a> {
    /// The last `USER` of the stage, or of the earlier stage it is built on.
    Set {
        /// The stage whose `USER` it is.
        stage: usize,
        user: &'a User,
    },
    /// No `USER` in the stage nor in the stages it is built on: the user of `base`, the base
    /// of `stage`, the first stage of the chain (root on `scratch`; the image's own `USER`,
    /// root unless it sets one, on an image).
    Unset { stage: usize, base: &'a StageBase },
}

/// Expand a `USER` instruction against `scope`. `None` for an instruction without argument.
pub(super) fn resolve_user(
    index: usize,
    instruction: &Instruction,
    scope: &Scope,
    escape: char,
) -> Option<User> {
    let Args::Shell(text) = &instruction.args else {
        return None;
    };
    let trimmed = text.text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let start = text.text.len() - text.text.trim_start().len();
    let span = text.original_span(Span::new(start, start + trimmed.len()));
    let value = match resolve(trimmed, scope, escape) {
        Ok(resolution) => match resolution.value {
            ImageValue::Resolved(value) => Some(value),
            ImageValue::Unresolved(_) | ImageValue::PerPlatform(_) => None,
        },
        Err(_) => None,
    };
    Some(User {
        instruction: index,
        span,
        value,
    })
}

impl Dockerfile {
    /// Who stage `stage` runs as: its last `USER`, else that of the stage it is built on, and
    /// so on. `None` for an index that is not a stage.
    pub fn user_of(&self, stage: usize) -> Option<StageUser<'_>> {
        let mut current = self.stages.get(stage)?;
        // A stage can only be built on an earlier one, so the chain is at most this long.
        for _ in 0..=self.stages.len() {
            if let Some(user) = current.users.last() {
                return Some(StageUser::Set {
                    stage: current.index,
                    user,
                });
            }
            match current.base {
                StageBase::Stage(parent) if parent < current.index => {
                    current = self.stages.get(parent)?;
                }
                _ => break,
            }
        }
        Some(StageUser::Unset {
            stage: current.index,
            base: &current.base,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::source::SourceFile;
    use crate::parse::dockerfile::parse;

    fn dockerfile(text: &str) -> Dockerfile {
        parse(&Arc::new(SourceFile::new("Dockerfile", text))).dockerfile
    }

    /// (Dockerfile, the last stage's user: `Some((stage, written, value))` or `None` for no
    /// `USER` anywhere in its chain)
    #[test]
    fn the_user_of_the_last_stage() {
        type Expected = Option<(usize, &'static str, Option<&'static str>)>;
        let cases: &[(&str, Expected)] = &[
            ("FROM a\n", None),
            ("FROM a\nUSER app\n", Some((0, "app", Some("app")))),
            // the last USER wins
            (
                "FROM a\nUSER root\nUSER 1000:1000\n",
                Some((0, "1000:1000", Some("1000:1000"))),
            ),
            // ARG default and ENV expansion
            (
                "FROM a\nARG UID=0\nUSER ${UID}\n",
                Some((0, "${UID}", Some("0"))),
            ),
            (
                "FROM a\nENV U=app\nUSER $U:$U\n",
                Some((0, "$U:$U", Some("app:app"))),
            ),
            // a global ARG is visible only when imported into the stage
            ("ARG UID=0\nFROM a\nUSER $UID\n", Some((0, "$UID", None))),
            (
                "ARG UID=0\nFROM a\nARG UID\nUSER $UID\n",
                Some((0, "$UID", Some("0"))),
            ),
            // an ARG without a default, and the image's environment, are unknown
            ("FROM a\nARG UID\nUSER $UID\n", Some((0, "$UID", None))),
            ("FROM a\nUSER $FROM_IMAGE\n", Some((0, "$FROM_IMAGE", None))),
            // quotes are removed
            (
                "FROM a\nUSER \"root\"\n",
                Some((0, "\"root\"", Some("root"))),
            ),
            // a stage built on an earlier stage starts with its user and variables
            (
                "FROM a AS base\nARG U=app\nUSER $U\nFROM base\nRUN x\n",
                Some((0, "$U", Some("app"))),
            ),
            ("FROM a AS base\nFROM base\n", None),
            // a stage on an image does not inherit an earlier stage's user
            ("FROM a AS base\nUSER app\nFROM b\n", None),
            // one stage's user does not leak into the next one's lines
            (
                "FROM a AS one\nUSER app\nFROM one AS two\nUSER root\nFROM one\n",
                Some((0, "app", Some("app"))),
            ),
        ];
        for (text, expected) in cases {
            let file = dockerfile(text);
            let last = file.stages.len() - 1;
            let got = match file.user_of(last) {
                Some(StageUser::Set { stage, user }) => {
                    let source = SourceFile::new("Dockerfile", *text);
                    Some((
                        stage,
                        source.slice(user.span).to_owned(),
                        user.value.clone(),
                    ))
                }
                Some(StageUser::Unset { .. }) | None => None,
            };
            let want = expected.map(|(stage, written, value)| {
                (stage, written.to_owned(), value.map(str::to_owned))
            });
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn an_unset_user_names_the_base_of_the_chain() {
        let file = dockerfile("FROM scratch AS s\nFROM s\n");
        assert_eq!(
            file.user_of(1),
            Some(StageUser::Unset {
                stage: 0,
                base: &StageBase::Scratch
            })
        );
        assert_eq!(file.user_of(2), None);
    }

    #[test]
    fn a_user_across_a_continuation_points_at_its_text() {
        let text = "FROM a\nUSER \\\n  app\n";
        let file = dockerfile(text);
        let Some(StageUser::Set { user, .. }) = file.user_of(0) else {
            panic!("a user");
        };
        assert_eq!(SourceFile::new("Dockerfile", text).slice(user.span), "app");
    }
}
