//! Stages: which `FROM` opens which stage on which base, and every image a Dockerfile names
//! (`FROM`, `COPY --from`, `RUN --mount=…,from=`), as BuildKit's `instructions` and
//! `dockerfile2llb` packages resolve them. Variables are in [`super::scope`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::platform;
use super::scope::{self, Resolution, Scope, Value, resolve};
use super::user;
use super::{Args, Instruction, LogicalText, Stage, StageBase};
use crate::model::image::{ImageUse, ImageValue};
use crate::model::location::{Location, Related, Span};
use crate::model::origin::{Origin, StageId};
use crate::model::source::SourceFile;
use crate::parse::Problem;
use crate::parse::interpolate::variable_names;
use crate::parse::shell::Variable;

/// The stages and image occurrences of a file.
#[derive(Debug, Default)]
pub(super) struct Analysis {
    pub(super) stages: Vec<Stage>,
    pub(super) images: Vec<ImageUse>,
    pub(super) run_variables: BTreeMap<usize, Vec<(String, Variable)>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RefKind {
    CopyFrom,
    MountFrom,
}

/// A `--from` reference, classified once every stage name is known.
struct Reference {
    kind: RefKind,
    stage: usize,
    span: Span,
    resolution: Resolution,
    /// Its values on each build platform, when it depends only on platform arguments.
    per_platform: Option<Vec<String>>,
}

struct Analyzer<'a> {
    source: &'a Arc<SourceFile>,
    build_args: &'a super::BuildArgs,
    escape: char,
    global: Scope,
    stages: Vec<Stage>,
    /// Lowercased stage name to the index of the latest stage so far with that name.
    stage_names: HashMap<String, usize>,
    /// The final scope of every closed stage, by index.
    closed: Vec<Scope>,
    /// The scope of the current (last) stage.
    current: Option<Scope>,
    images: Vec<ImageUse>,
    references: Vec<Reference>,
    run_variables: BTreeMap<usize, Vec<(String, Variable)>>,
    problems: &'a mut Vec<Problem>,
}

/// Open stages, track scopes and collect image occurrences; sets each instruction's `stage`.
pub(super) fn analyze(
    source: &Arc<SourceFile>,
    instructions: &mut [Instruction],
    build_args: &super::BuildArgs,
    escape: char,
    problems: &mut Vec<Problem>,
) -> Analysis {
    let mut analyzer = Analyzer {
        source,
        build_args,
        escape,
        global: Scope::global(),
        stages: Vec::new(),
        stage_names: HashMap::new(),
        closed: Vec::new(),
        current: None,
        images: Vec::new(),
        references: Vec::new(),
        run_variables: BTreeMap::new(),
        problems,
    };
    for (index, instruction) in instructions.iter_mut().enumerate() {
        analyzer.instruction(index, instruction);
        instruction.stage = analyzer.stages.len().checked_sub(1);
    }
    if analyzer.stages.is_empty() {
        analyzer.problem(
            Span::at(source.content_start()),
            "no `FROM` instruction: the file has no stages to build",
        );
    }
    analyzer.classify_references();
    let mut images = analyzer.images;
    images.sort_by_key(|image| image.location.span.start);
    Analysis {
        stages: analyzer.stages,
        images,
        run_variables: analyzer.run_variables,
    }
}

impl Analyzer<'_> {
    fn problem(&mut self, span: Span, message: impl Into<String>) {
        self.problems.push(Problem::new(span, message));
    }

    fn instruction(&mut self, index: usize, instruction: &Instruction) {
        let keyword = instruction.keyword.as_str();
        if keyword == "FROM" {
            self.from(index, instruction);
            return;
        }
        let Some(stage) = self.stages.len().checked_sub(1) else {
            if keyword == "ARG" {
                scope::declare_args(
                    instruction,
                    &mut self.global,
                    None,
                    self.build_args,
                    self.escape,
                    self.problems,
                );
            } else if instruction.keyword.is_known() {
                self.problem(
                    instruction.keyword_span,
                    format!(
                        "`{keyword}` before the first `FROM`: no build stage in current context"
                    ),
                );
            }
            return;
        };
        match keyword {
            "ARG" => {
                let current = self
                    .current
                    .get_or_insert_with(|| Scope::new(Value::Unknown));
                scope::declare_args(
                    instruction,
                    current,
                    Some(&self.global),
                    self.build_args,
                    self.escape,
                    self.problems,
                );
            }
            "ENV" => {
                let current = self
                    .current
                    .get_or_insert_with(|| Scope::new(Value::Unknown));
                scope::set_env(instruction, current, self.escape, self.problems);
            }
            "COPY" => self.copy_from(instruction, stage),
            "RUN" => {
                self.mount_from(instruction, stage);
                self.run_variables(index, instruction);
            }
            "USER" => {
                let current = self
                    .current
                    .get_or_insert_with(|| Scope::new(Value::Unknown));
                let user = user::resolve_user(index, instruction, current, self.escape);
                if let (Some(user), Some(stage)) = (user, self.stages.get_mut(stage)) {
                    stage.users.push(user);
                }
            }
            _ => {}
        }
    }

    /// The variables a `RUN` refers to (anywhere in its text, heredocs included), with what its
    /// environment holds for each: BuildKit sets the stage's `ARG`s and `ENV`s for the command,
    /// and the shell expands them.
    fn run_variables(&mut self, index: usize, instruction: &Instruction) {
        let names = variable_names(self.source.slice(instruction.span));
        if names.is_empty() {
            return;
        }
        let unknown = Scope::new(Value::Unknown);
        let scope = self.current.as_ref().unwrap_or(&unknown);
        let variables = names
            .into_iter()
            .map(|name| {
                let variable = scope.variable(&name);
                (name, variable)
            })
            .collect();
        self.run_variables.insert(index, variables);
    }

    /// `FROM [--platform=…] <image> [AS <name>]`.
    fn from(&mut self, index: usize, instruction: &Instruction) {
        if let Some(scope) = self.current.take() {
            self.closed.push(scope);
        }
        let stage_index = self.stages.len();
        let empty;
        let text = match &instruction.args {
            Args::Shell(text) => text,
            Args::Exec(_) => {
                empty = LogicalText::new(self.escape, instruction.keyword_span.end);
                &empty
            }
        };
        let words = separated_words(&text.text);
        let span_of = |(start, end): (usize, usize)| text.original_span(Span::new(start, end));
        let word_text = |(start, end): (usize, usize)| text.text.get(start..end).unwrap_or("");
        let mut name = None;
        let mut name_span = None;
        match words.as_slice() {
            [] => self.problem(
                instruction.keyword_span,
                "`FROM` requires an image: `FROM <image> [AS <name>]`",
            ),
            [_] => {}
            [_, as_word, name_word] if word_text(*as_word).eq_ignore_ascii_case("as") => {
                let written = word_text(*name_word);
                let lowered = written.to_lowercase();
                if !is_valid_stage_name(&lowered) {
                    self.problem(
                        span_of(*name_word),
                        format!(
                            "invalid stage name `{written}`: it must start with a letter and \
                             contain only letters, digits, `-`, `_` and `.`"
                        ),
                    );
                }
                name = Some(lowered);
                name_span = Some(span_of(*name_word));
            }
            [_, extra @ ..] => {
                let first = extra.first().map_or(0, |word| word.0);
                let last = extra.last().map_or(first, |word| word.1);
                self.problem(
                    text.original_span(Span::new(first, last)),
                    format!(
                        "unexpected `{}` after the image: `FROM` takes `<image> [AS <name>]`",
                        text.text.get(first..last).unwrap_or("")
                    ),
                );
            }
        }
        let context = Origin::Stage(stage_id(stage_index, name.as_deref()));
        let base = match words.first() {
            Some(&image) => {
                let (start, end) = unquoted_range(image, word_text(image));
                self.base(word_text(image), span_of((start, end)), context)
            }
            None => StageBase::Unresolved,
        };
        self.current = Some(match base {
            StageBase::Stage(parent) => self
                .closed
                .get(parent)
                .cloned()
                .unwrap_or_else(|| Scope::new(Value::Unknown)),
            StageBase::Scratch => Scope::new(Value::Unset),
            StageBase::Image | StageBase::Unresolved => Scope::new(Value::Unknown),
        });
        if let Some(name) = &name {
            self.stage_names.insert(name.clone(), stage_index);
        }
        self.stages.push(Stage {
            index: stage_index,
            name,
            name_span,
            from_instruction: index,
            base,
            users: Vec::new(),
        });
    }

    /// Expand a `FROM` image against the global scope and decide what the stage is built on.
    fn base(&mut self, written: &str, span: Span, context: Origin) -> StageBase {
        let resolution = match resolve(written, &self.global, self.escape) {
            Ok(resolution) => resolution,
            Err(error) => {
                self.problem(span, format!("cannot expand `{written}`: {error}"));
                return StageBase::Unresolved;
            }
        };
        let mut resolution = resolution;
        let base = match &resolution.value {
            ImageValue::Resolved(value) if value.is_empty() => {
                self.problem(span, format!("base name `{written}` should not be blank"));
                return StageBase::Unresolved;
            }
            ImageValue::Resolved(value) => match self.named_base(value) {
                Some(base) => return base,
                None => StageBase::Image,
            },
            ImageValue::Unresolved(_) | ImageValue::PerPlatform(_) => {
                let Some(values) =
                    platform::values(written, &self.global, self.escape, &resolution.value)
                else {
                    self.images.push(self.image_use(span, resolution, context));
                    return StageBase::Unresolved;
                };
                // A value that names a stage (`binary-linux`) makes it a stage reference:
                // the builder is only asked for the platforms that have one.
                if let Some(base) = values.iter().find_map(|value| self.named_base(value)) {
                    return base;
                }
                resolution.value = ImageValue::PerPlatform(values);
                StageBase::Image
            }
        };
        self.images.push(self.image_use(span, resolution, context));
        base
    }

    /// The base a `FROM` value names when it is not an image: the latest earlier stage of
    /// that name (BuildKit binds names as stages open; it wins over `scratch`, which a stage
    /// may be named), or `scratch`.
    fn named_base(&self, value: &str) -> Option<StageBase> {
        if let Some(&parent) = self.stage_names.get(&value.to_lowercase()) {
            return Some(StageBase::Stage(parent));
        }
        value
            .eq_ignore_ascii_case("scratch")
            .then_some(StageBase::Scratch)
    }

    fn image_use(&self, span: Span, resolution: Resolution, context: Origin) -> ImageUse {
        ImageUse {
            location: Location::new(Arc::clone(self.source), span),
            value: resolution.value,
            via: resolution
                .via
                .into_iter()
                .map(|note| Related {
                    location: Location::new(Arc::clone(self.source), note.span),
                    label: note.label.to_string(),
                })
                .collect(),
            origin: Some(context),
        }
    }

    /// `COPY --from=<stage name | index | image>`.
    fn copy_from(&mut self, instruction: &Instruction, stage: usize) {
        let value = instruction
            .flags
            .iter()
            .find(|flag| flag.name == "from")
            .and_then(|flag| flag.unquoted_value());
        if let Some(value) = value {
            self.reference(value, RefKind::CopyFrom, stage);
        }
    }

    /// `RUN --mount=type=…,from=<stage name | image>,…` (each `--mount` flag).
    fn mount_from(&mut self, instruction: &Instruction, stage: usize) {
        for flag in instruction.flags.iter().filter(|flag| flag.name == "mount") {
            let Some(value) = flag.unquoted_value() else {
                continue;
            };
            let Some(fields) = csv_fields(&value.text) else {
                self.problem(
                    value.original_span(Span::new(0, value.text.len())),
                    "invalid `--mount` value: bad quoting in comma-separated fields",
                );
                continue;
            };
            for (start, end) in fields {
                let field = value.text.get(start..end).unwrap_or("");
                let Some((key, from)) = field.split_once('=') else {
                    continue;
                };
                if key.eq_ignore_ascii_case("from") {
                    let from_start = start + key.len() + 1;
                    let sub = value.slice(from_start, from_start + from.len());
                    self.reference(&sub, RefKind::MountFrom, stage);
                }
            }
        }
    }

    fn reference(&mut self, value: &LogicalText, kind: RefKind, stage: usize) {
        if value.text.is_empty() {
            return;
        }
        let span = value.original_span(Span::new(0, value.text.len()));
        // NOTE: BuildKit v0.33 rejects variables in `--from` ("variable expansion is not
        // supported for --from"); Podman/Buildah expand them. We expand, so the value a rule
        // sees is the one those tools would pull.
        let scope = self
            .current
            .get_or_insert_with(|| Scope::new(Value::Unknown));
        match resolve(&value.text, scope, self.escape) {
            Ok(resolution) => {
                let per_platform =
                    platform::values(&value.text, scope, self.escape, &resolution.value);
                self.references.push(Reference {
                    kind,
                    stage,
                    span,
                    resolution,
                    per_platform,
                });
            }
            Err(error) => self.problem(span, format!("cannot expand `{}`: {error}", value.text)),
        }
    }

    /// Stage name, stage index, or image: decided against every stage of the file.
    fn classify_references(&mut self) {
        for reference in std::mem::take(&mut self.references) {
            let stage_name = self
                .stages
                .get(reference.stage)
                .and_then(|stage| stage.name.clone());
            let where_ = stage_id(reference.stage, stage_name.as_deref());
            let context = match reference.kind {
                RefKind::CopyFrom => Origin::CopyFrom(where_),
                RefKind::MountFrom => Origin::MountFrom(where_),
            };
            if let Some(values) = reference.per_platform {
                // As for `FROM`: a stage for some platform makes it a stage reference.
                let names_stage = values.iter().any(|value| {
                    self.stage_names.contains_key(&value.to_lowercase())
                        || value.eq_ignore_ascii_case("scratch")
                });
                if !names_stage {
                    let mut resolution = reference.resolution;
                    resolution.value = ImageValue::PerPlatform(values);
                    self.images
                        .push(self.image_use(reference.span, resolution, context));
                }
                continue;
            }
            let ImageValue::Resolved(value) = &reference.resolution.value else {
                self.images
                    .push(self.image_use(reference.span, reference.resolution, context));
                continue;
            };
            let target = if let Ok(index) = value.parse::<i64>() {
                match usize::try_from(index)
                    .ok()
                    .filter(|i| *i < self.stages.len())
                {
                    Some(index) => index,
                    None => {
                        self.problem(reference.span, format!("invalid stage index `{value}`"));
                        continue;
                    }
                }
            } else {
                // `--from` binds the last stage of that name in the file.
                match self.stage_names.get(&value.to_lowercase()) {
                    Some(&index) => index,
                    // An unregistered `scratch` source is empty, not pulled.
                    None if value.eq_ignore_ascii_case("scratch") => continue,
                    None => {
                        self.images.push(self.image_use(
                            reference.span,
                            reference.resolution,
                            context,
                        ));
                        continue;
                    }
                }
            };
            if reference.kind == RefKind::CopyFrom && target >= reference.stage {
                self.problem(
                    reference.span,
                    format!(
                        "cannot copy from stage `{value}`: it needs to be defined before the \
                         current stage"
                    ),
                );
            }
        }
    }
}

/// A stage as messages name it: "stage `builder`" or "stage 2".
fn stage_id(index: usize, name: Option<&str>) -> StageId {
    StageId {
        index,
        name: name.map(str::to_owned),
    }
}

/// BuildKit's stage name rule `^[a-z][a-z0-9-_.]*$` (on the lowercased name).
fn is_valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// Words separated by `[\t\v\f\r ]+` (`parseStringsWhitespaceDelimited`; not quote-aware).
fn separated_words(text: &str) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start = None;
    for (index, ch) in text.char_indices() {
        if super::is_separator(ch) {
            if let Some(start) = start.take() {
                words.push((start, index));
            }
        } else if start.is_none() {
            start = Some(index);
        }
    }
    if let Some(start) = start {
        words.push((start, text.len()));
    }
    words
}

/// The range of a word without one pair of enclosing quotes (`"alpine:3"` → `alpine:3`).
fn unquoted_range((start, end): (usize, usize), text: &str) -> (usize, usize) {
    let quoted = ['"', '\'']
        .iter()
        .any(|quote| text.len() >= 2 && text.starts_with(*quote) && text.ends_with(*quote));
    if quoted {
        (start + 1, end - 1)
    } else {
        (start, end)
    }
}

/// Field ranges of a comma-separated line as Go's `encoding/csv` reads it: a field starting
/// with `"` is quoted (`""` inside is a quote) and must end at a `,` or the end; a `"` inside
/// an unquoted field is an error. Quoted fields' ranges exclude the quotes.
fn csv_fields(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut fields = Vec::new();
    let mut pos = 0;
    loop {
        let rest = text.get(pos..)?;
        if let Some(quoted) = rest.strip_prefix('"') {
            let content_start = pos + 1;
            let mut offset = 0;
            let content_end = loop {
                let found = quoted.get(offset..)?.find('"')? + offset;
                if quoted.get(found + 1..)?.starts_with('"') {
                    offset = found + 2;
                } else {
                    break content_start + found;
                }
            };
            fields.push((content_start, content_end));
            pos = content_end + 1;
            match text.get(pos..)?.chars().next() {
                None => return Some(fields),
                Some(',') => pos += 1,
                Some(_) => return None,
            }
        } else {
            let end = rest.find(',').map_or(text.len(), |comma| pos + comma);
            if text.get(pos..end)?.contains('"') {
                return None;
            }
            fields.push((pos, end));
            if end >= text.len() {
                return Some(fields);
            }
            pos = end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_follow_go() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            // plain
            (
                "type=bind,from=alpine,target=/x",
                Some(&["type=bind", "from=alpine", "target=/x"]),
            ),
            // quoted field with a comma
            ("\"from=a,b\",x", Some(&["from=a,b", "x"])),
            // doubled quote inside a quoted field (kept raw)
            ("\"a\"\"b\"", Some(&["a\"\"b"])),
            // empty fields
            ("a,,b", Some(&["a", "", "b"])),
            ("a,", Some(&["a", ""])),
            // bare quote: error
            ("a\"b", None),
            // text after a closing quote: error
            ("\"a\"b", None),
            // unterminated quote: error
            ("\"ab", None),
        ];
        for (input, expected) in cases {
            let got: Option<Vec<&str>> = csv_fields(input).map(|fields| {
                fields
                    .iter()
                    .map(|(s, e)| input.get(*s..*e).unwrap_or("?"))
                    .collect()
            });
            assert_eq!(got.as_deref(), *expected, "input {input:?}");
        }
    }

    #[test]
    fn stage_names() {
        let cases = [
            ("builder", true),
            ("build-env_1.x", true),
            ("1st", false),
            ("a b", false),
            ("", false),
            ("é", false),
        ];
        for (name, valid) in cases {
            assert_eq!(is_valid_stage_name(name), valid, "{name:?}");
        }
    }

    #[test]
    fn separated_words_ignore_quotes() {
        assert_eq!(
            separated_words(" a\t\"b c\"  AS x "),
            vec![(1, 2), (3, 5), (6, 8), (10, 12), (13, 14)]
        );
    }
}
