//! Variable scopes (docs.docker.com/reference/dockerfile, "Scope" and "Using ARG variables"):
//! what `ARG` and `ENV` make visible where, and expanding a word against them.
//!
//! - `ARG`s before the first `FROM` are global and visible only in `FROM` lines and later
//!   global defaults; BuildKit also predefines the platform arguments there.
//! - Inside a stage, `ARG name` without a default imports the global value; `ARG` and `ENV`
//!   are visible to later instructions of the stage (an `ENV` wins over an `ARG` of the same
//!   name); a stage built `FROM` an earlier stage inherits that stage's variables.
//!
//! Values are known, unset (an `ARG` without a default: only a `--build-arg` sets it) or
//! unknown (set at build time to something the file does not say); see [`super::lexer`].

use std::rc::Rc;

use rpds::HashTrieMap;

use super::lexer::{self, Env, LexError, Lookup, Options};
use super::platform::{self, Platform, Side};
use super::{Args, Instruction};
use crate::model::image::{HOLE, ImageValue, Part, Unknown, UnknownKind, Unresolved, shape_of};
use crate::model::location::Span;
use crate::parse::Problem;
use crate::parse::shell::{Note as ShellNote, Variable};

/// Arguments BuildKit sets for every build (frontend/dockerfile/dockerfile2llb/platform.go):
/// their values come from the build, not the file, and a `--build-arg` or default is ignored.
const AUTOMATIC_ARGS: &[&str] = &[
    "BUILDARCH",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDPLATFORM",
    "BUILDVARIANT",
    "TARGETARCH",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETPLATFORM",
    "TARGETSTAGE",
    "TARGETVARIANT",
];

/// At most this many related locations are kept per variable, so chains of `ARG`s stay linear.
const MAX_NOTES: usize = 16;

#[derive(Clone, Debug)]
pub(super) enum Value {
    Known(String),
    /// Declared without a default: unset unless a `--build-arg` sets it.
    Unset,
    /// Set at build time to something the file does not say.
    Unknown,
}

/// Where a variable's value came from, as a future [`Related`] location.
#[derive(Clone, Debug)]
pub(super) struct Note {
    pub(super) span: Span,
    /// Shared: a note is copied into every variable and image that depends on it.
    pub(super) label: Rc<str>,
}

#[derive(Clone, Debug)]
struct Binding {
    value: Value,
    notes: Vec<Note>,
    from_env: bool,
}

/// The variables visible at one point; cloning shares the map until one side changes it.
#[derive(Clone, Debug)]
pub(super) struct Scope {
    vars: HashTrieMap<String, Binding>,
    /// What an undeclared name is: unset in global scope and on `scratch`, unknown on an image
    /// (whose `ENV` we cannot see).
    undeclared: Value,
}

impl Scope {
    pub(super) fn new(undeclared: Value) -> Self {
        Self {
            vars: HashTrieMap::new(),
            undeclared,
        }
    }

    pub(super) fn global() -> Self {
        let mut scope = Self::new(Value::Unset);
        for name in AUTOMATIC_ARGS {
            scope.set(name, automatic_binding(Vec::new()));
        }
        scope
    }

    /// A variable as a `RUN` command's environment holds it: its value when the file says it,
    /// with where it was set.
    pub(super) fn variable(&self, name: &str) -> Variable {
        let binding = self.get(name);
        let value = match binding.map_or(&self.undeclared, |binding| &binding.value) {
            Value::Known(value) => Some(value.clone()),
            Value::Unset | Value::Unknown => None,
        };
        let notes = binding.map_or(Vec::new(), |binding| {
            binding
                .notes
                .iter()
                .map(|note| ShellNote {
                    span: note.span,
                    label: note.label.to_string(),
                })
                .collect()
        });
        Variable { value, notes }
    }

    fn get(&self, name: &str) -> Option<&Binding> {
        self.vars.get(name)
    }

    /// Is `name` an automatic argument visible here (predefined globally, or imported into
    /// the stage with `ARG name`), whose value the builder sets?
    pub(super) fn is_automatic(&self, name: &str) -> bool {
        AUTOMATIC_ARGS.contains(&name)
            && self
                .get(name)
                .is_some_and(|binding| !binding.from_env && matches!(binding.value, Value::Unknown))
    }

    /// This scope with the automatic arguments `names` set to their values on a build for
    /// `target` that runs on `build`.
    pub(super) fn on_platform(
        &self,
        names: &[String],
        target: &Platform,
        build: &Platform,
    ) -> Self {
        let mut scope = self.clone();
        for name in names {
            let platform = match platform::side(name) {
                Some(Side::Target) => target,
                Some(Side::Build) => build,
                None => continue,
            };
            if let (Some(value), Some(binding)) = (platform.value(name), self.get(name)) {
                let binding = Binding {
                    value: Value::Known(value),
                    ..binding.clone()
                };
                scope.set(name, binding);
            }
        }
        scope
    }

    fn set(&mut self, name: &str, binding: Binding) {
        self.vars.insert_mut(name.to_owned(), binding);
    }
}

impl Env for Scope {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        match self
            .get(name)
            .map_or(&self.undeclared, |binding| &binding.value)
        {
            Value::Known(value) => Lookup::Known(value),
            Value::Unset => Lookup::Unset,
            Value::Unknown => Lookup::Unknown,
        }
    }
}

fn automatic_binding(notes: Vec<Note>) -> Binding {
    Binding {
        value: Value::Unknown,
        notes,
        from_env: false,
    }
}

/// A word after expansion, and the notes of the variables it used.
pub(super) struct Resolution {
    pub(super) value: ImageValue,
    pub(super) via: Vec<Note>,
}

/// Expand `text` as BuildKit's lexer would, against `scope`.
pub(super) fn resolve(text: &str, scope: &Scope, escape: char) -> Result<Resolution, LexError> {
    let expansion = match lexer::expand(text, Options::expand(escape), scope) {
        Ok(expansion) => expansion,
        // NOTE: absurd nesting is treated as unresolved rather than as a broken file.
        Err(LexError::TooDeep) => {
            return Ok(Resolution {
                value: ImageValue::unresolved_variables(Vec::<String>::new()),
                via: Vec::new(),
            });
        }
        Err(error) => return Err(error),
    };
    let mut via: Vec<Note> = Vec::new();
    for name in expansion.used.iter().chain(&expansion.unresolved) {
        if let Some(binding) = scope.get(name) {
            add_notes(&mut via, &binding.notes);
        }
    }
    let value = if expansion.unresolved.is_empty() {
        ImageValue::Resolved(expansion.text)
    } else {
        let mut variables: Vec<String> = Vec::new();
        for name in expansion.unresolved {
            if !variables.contains(&name) {
                variables.push(name);
            }
        }
        let shape = shape(text, scope, escape, &variables, &expansion.text);
        ImageValue::Unresolved(Unresolved {
            unknowns: variables
                .into_iter()
                .map(|name| {
                    // A default or `--build-arg` never sets these: no default can pin them.
                    let kind = if scope.is_automatic(&name) {
                        UnknownKind::Builder
                    } else {
                        UnknownKind::Variable
                    };
                    Unknown::new(name, kind)
                })
                .collect(),
            shape,
        })
    };
    Ok(Resolution { value, via })
}

/// Where the unresolved variables stand in the expansion of `text`: expanded again with each
/// of them standing for [`HOLE`]. Only kept when that is exactly the first expansion with the
/// holes in it (`${TAG:+x}` or `${TAG#v}` on an unknown `TAG` is not): else `None`.
fn shape(
    text: &str,
    scope: &Scope,
    escape: char,
    unresolved: &[String],
    expanded: &str,
) -> Option<Vec<Part>> {
    /// The scope with the unresolved variables set to a hole.
    struct Marked<'a> {
        scope: &'a Scope,
        unresolved: &'a [String],
    }
    impl Env for Marked<'_> {
        fn lookup(&self, name: &str) -> Lookup<'_> {
            if self.unresolved.iter().any(|known| known == name) {
                Lookup::Known(HOLE_TEXT)
            } else {
                self.scope.lookup(name)
            }
        }
    }
    const HOLE_TEXT: &str = "\0";
    if text.contains(HOLE) {
        return None;
    }
    let marked = Marked { scope, unresolved };
    let expansion = lexer::expand(text, Options::expand(escape), &marked).ok()?;
    let same = expansion.unresolved.is_empty() && expansion.text.replace(HOLE, "") == expanded;
    if !same {
        return None;
    }
    shape_of(&expansion.text)
}

fn add_notes(into: &mut Vec<Note>, notes: &[Note]) {
    for note in notes {
        if into.len() >= MAX_NOTES {
            return;
        }
        if !into.iter().any(|known| known.span == note.span) {
            into.push(note.clone());
        }
    }
}

/// Apply an `ARG name[=default] …` instruction to `target`: the global scope (`global` is
/// `None`) or a stage's scope (`global` is the global scope, for `ARG name` imports).
pub(super) fn declare_args(
    instruction: &Instruction,
    target: &mut Scope,
    global: Option<&Scope>,
    build_args: &super::BuildArgs,
    escape: char,
    problems: &mut Vec<Problem>,
) {
    let Args::Shell(text) = &instruction.args else {
        return;
    };
    let words = text.words();
    if words.is_empty() {
        problems.push(Problem::new(
            instruction.keyword_span,
            "`ARG` requires at least one argument",
        ));
    }
    for word in words {
        let (key, default) = match word.text.split_once('=') {
            Some((key, default)) => (key, Some(default)),
            None => (word.text.as_str(), None),
        };
        if key.is_empty() {
            problems.push(Problem::new(word.span, "`ARG` names can't be blank"));
            continue;
        }
        let binding = if AUTOMATIC_ARGS.contains(&key) {
            automatic_binding(vec![Note {
                span: word.span,
                label: format!("`{key}` is set by the builder for each build").into(),
            }])
        } else if let Some(given) = build_args.get(key) {
            // As `docker build --build-arg KEY=value`: the declared argument takes the value
            // given, whatever its default.
            Binding {
                value: Value::Known(given.value.clone()),
                notes: vec![Note {
                    span: word.span,
                    label: format!("`{key}` is set to `{}` by {}", given.value, given.origin)
                        .into(),
                }],
                from_env: false,
            }
        } else if let Some(default) = default {
            assign(key, default, word.span, target, false, escape, problems)
        } else {
            // `ARG name` in a stage takes the global value, if the global one has a value.
            let imported = global
                .and_then(|global| global.get(key))
                .filter(|binding| !matches!(binding.value, Value::Unset))
                .cloned();
            match imported {
                Some(binding) => binding,
                // Declaring again keeps what is already there.
                None if target.get(key).is_some() => continue,
                None => Binding {
                    value: Value::Unset,
                    notes: vec![Note {
                        span: word.span,
                        label: format!("`{key}` is declared here without a default").into(),
                    }],
                    from_env: false,
                },
            }
        };
        if global.is_some() && target.get(key).is_some_and(|existing| existing.from_env) {
            continue;
        }
        target.set(key, binding);
    }
}

/// Apply `ENV key=value …` or the legacy `ENV key value` to `target`. All values of one
/// instruction are expanded against the variables before it (`ENV a=1 b=$a` sees the old `a`).
pub(super) fn set_env(
    instruction: &Instruction,
    target: &mut Scope,
    escape: char,
    problems: &mut Vec<Problem>,
) {
    let Args::Shell(text) = &instruction.args else {
        return;
    };
    let words = text.words();
    let Some(first) = words.first() else {
        problems.push(Problem::new(
            instruction.keyword_span,
            "`ENV` requires at least one argument",
        ));
        return;
    };
    let mut pairs: Vec<(&str, &str, Span)> = Vec::new();
    if first.text.contains('=') {
        for word in &words {
            let Some((key, value)) = word.text.split_once('=') else {
                problems.push(Problem::new(
                    word.span,
                    format!(
                        "can't find `=` in `{}`: must be of the form name=value",
                        word.text
                    ),
                ));
                return;
            };
            pairs.push((key, value, word.span));
        }
    } else {
        let all = text.text.as_str();
        let key_end = all.find(super::is_separator).unwrap_or(all.len());
        let value = all
            .get(key_end..)
            .unwrap_or("")
            .trim_start_matches(super::is_separator);
        if value.is_empty() {
            problems.push(Problem::new(
                instruction.keyword_span,
                "`ENV` must have two arguments",
            ));
            return;
        }
        let span = text.original_span(Span::new(0, all.len()));
        pairs.push((all.get(..key_end).unwrap_or(""), value, span));
    }
    let bindings: Vec<(&str, Binding)> = pairs
        .into_iter()
        .map(|(key, value, span)| {
            (
                key,
                assign(key, value, span, target, true, escape, problems),
            )
        })
        .collect();
    for (key, binding) in bindings {
        target.set(key, binding);
    }
}

/// A binding for `key` assigned the expansion of `raw` (an `ARG` default or `ENV` value).
fn assign(
    key: &str,
    raw: &str,
    span: Span,
    scope: &Scope,
    from_env: bool,
    escape: char,
    problems: &mut Vec<Problem>,
) -> Binding {
    let verb = if from_env { "is set to" } else { "defaults to" };
    match resolve(raw, scope, escape) {
        Ok(resolution) => {
            let (value, shown) = match resolution.value {
                ImageValue::Resolved(value) => (Value::Known(value.clone()), value),
                ImageValue::Unresolved(_) | ImageValue::PerPlatform(_) => {
                    (Value::Unknown, raw.to_owned())
                }
            };
            let mut notes = vec![Note {
                span,
                label: format!("`{key}` {verb} `{shown}` here").into(),
            }];
            add_notes(&mut notes, &resolution.via);
            Binding {
                value,
                notes,
                from_env,
            }
        }
        Err(error) => {
            problems.push(Problem::new(
                span,
                format!("cannot expand `{raw}`: {error}"),
            ));
            Binding {
                value: Value::Unknown,
                notes: vec![Note {
                    span,
                    label: format!("`{key}` {verb} `{raw}` here").into(),
                }],
                from_env,
            }
        }
    }
}
