//! Parsing `.pinwarden.yml` into typed values that remember where they were written. Every
//! mistake (an unknown key, a wrong type, a bad glob, an unknown rule) is an error at its
//! `file:line:col` saying what was expected, with a "did you mean" when a known word is close.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::allow::{ActionPattern, AllowEntry, ImagePattern, PackagePattern, PatternError};
use crate::model::level::{Level, PinPolicy};
use crate::model::location::Span;
use crate::model::source::SourceFile;
use crate::parse::yaml::{Node, Value, parse_yaml};
use crate::rules::{self, RuleMeta};

use super::{ConfigError, Origin, Sourced};

/// The top-level keys, in the order `pinwarden config` prints them.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "policy",
    "rules",
    "exclude",
    "allow",
    "build-args",
    "env",
    "require-reason",
];

/// The keys of a per-ecosystem `policy:` mapping and of `allow:`.
pub const ECOSYSTEM_KEYS: &[&str] = &["images", "actions", "packages"];

const POLICY_VALUES: &[&str] = &["tag", "version", "digest"];
const LEVEL_VALUES: &[&str] = &["error", "warning", "note"];

/// Per rule: `None` is `off`, else the level.
pub type RuleSettings = Vec<(&'static RuleMeta, Sourced<Option<Level>>)>;

/// A parsed config file. Absent keys are `None` or empty.
#[derive(Clone, Debug, Default)]
pub struct ConfigFile {
    pub images: Option<Sourced<PinPolicy>>,
    pub actions: Option<Sourced<PinPolicy>>,
    pub packages: Option<Sourced<PinPolicy>>,
    pub rules: RuleSettings,
    pub exclude: Vec<Sourced<String>>,
    pub allow_images: Vec<Sourced<AllowEntry<ImagePattern>>>,
    pub allow_actions: Vec<Sourced<AllowEntry<ActionPattern>>>,
    pub allow_packages: Vec<Sourced<AllowEntry<PackagePattern>>>,
    pub build_args: BTreeMap<String, Sourced<String>>,
    pub env: BTreeMap<String, Sourced<String>>,
    pub require_reason: Option<Sourced<bool>>,
}

/// Parse the text of a config file. `validate_glob` checks an `exclude` glob the way
/// `--exclude` does.
pub fn parse(
    source: &Arc<SourceFile>,
    validate_glob: &dyn Fn(&str) -> Result<(), String>,
) -> Result<ConfigFile, ConfigError> {
    let parser = Parser { source };
    let file = parse_yaml(source.text())
        .map_err(|error| parser.error(error.span, error.message.clone(), None))?;
    let mut config = ConfigFile::default();
    let root = match file.documents.as_slice() {
        [] => return Ok(config),
        [root] => root,
        [_, second, ..] => {
            return Err(parser.error(
                second.span,
                "more than one YAML document".to_owned(),
                Some("one mapping of settings"),
            ));
        }
    };
    if let Some(duplicate) = file.duplicate_keys.first() {
        return Err(parser.error(
            duplicate.key,
            "this key is given twice".to_owned(),
            Some("each key once"),
        ));
    }
    if root.is_null() {
        return Ok(config);
    }
    let entries = parser.mapping(root, "a mapping of settings (`policy:`, `rules:`, …)")?;
    for (key, value) in entries {
        let name = parser.key(key, TOP_LEVEL_KEYS)?;
        match name {
            "policy" => parser.policy(value, &mut config)?,
            "rules" => config.rules = parser.rules(value)?,
            "exclude" => {
                for item in parser.sequence(value, "a list of globs")? {
                    let glob = parser.string(item, "a glob")?;
                    validate_glob(&glob).map_err(|error| {
                        parser.error(item.span, format!("invalid glob: {error}"), None)
                    })?;
                    config.exclude.push(parser.sourced(item, glob));
                }
            }
            "allow" => parser.allow(value, &mut config)?,
            "build-args" => config.build_args = parser.values(value, "build-args")?,
            "env" => config.env = parser.values(value, "env")?,
            "require-reason" => {
                let flag = parser.boolean(value)?;
                config.require_reason = Some(parser.sourced(value, flag));
            }
            _ => {}
        }
    }
    Ok(config)
}

struct Parser<'a> {
    source: &'a Arc<SourceFile>,
}

impl Parser<'_> {
    fn origin(&self, span: Span) -> Origin {
        let position = self.source.position(span.start);
        Origin::File {
            path: self.source.path().to_owned(),
            line: position.line,
            column: position.column,
        }
    }

    fn sourced<T>(&self, node: &Node, value: T) -> Sourced<T> {
        Sourced {
            value,
            origin: self.origin(node.use_span()),
        }
    }

    fn error(&self, span: Span, message: String, expected: Option<&str>) -> ConfigError {
        let position = self.source.position(span.start);
        ConfigError {
            path: self.source.path().to_owned(),
            line: position.line,
            column: position.column,
            message,
            expected: expected.map(str::to_owned),
        }
    }

    fn what(node: &Node) -> &'static str {
        match &node.value {
            Value::Null => "nothing",
            Value::Scalar(_) => "a scalar",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
        }
    }

    fn mapping<'n>(
        &self,
        node: &'n Node,
        expected: &str,
    ) -> Result<&'n [(Node, Node)], ConfigError> {
        node.as_mapping().ok_or_else(|| {
            self.error(
                node.use_span(),
                format!("expected {expected}, found {}", Self::what(node)),
                None,
            )
        })
    }

    fn sequence<'n>(&self, node: &'n Node, expected: &str) -> Result<&'n [Node], ConfigError> {
        node.as_sequence().ok_or_else(|| {
            self.error(
                node.use_span(),
                format!("expected {expected}, found {}", Self::what(node)),
                None,
            )
        })
    }

    fn string(&self, node: &Node, expected: &str) -> Result<String, ConfigError> {
        match node.as_string() {
            Some(text) => Ok(text.to_owned()),
            None => Err(self.error(
                node.use_span(),
                format!("expected {expected}, found {}", Self::what(node)),
                None,
            )),
        }
    }

    /// A key that must be one of `known`.
    fn key<'k>(&self, key: &Node, known: &[&'k str]) -> Result<&'k str, ConfigError> {
        let text = key.as_str().unwrap_or("");
        known
            .iter()
            .copied()
            .find(|name| *name == text)
            .ok_or_else(|| {
                let mut message = format!("unknown key `{}`", short(text));
                if let Some(close) = did_you_mean(text, known.iter().copied()) {
                    message.push_str(&format!(" (did you mean `{close}`?)"));
                }
                let expected = format!("one of {}", quoted_list(known));
                self.error(key.span, message, Some(&expected))
            })
    }

    /// A scalar that must be one of `known`.
    fn choice<'k>(&self, node: &Node, known: &[&'k str]) -> Result<&'k str, ConfigError> {
        let expected = format!("one of {}", quoted_list(known));
        let Some(text) = node.as_string() else {
            return Err(self.error(
                node.use_span(),
                format!("expected {expected}, found {}", Self::what(node)),
                None,
            ));
        };
        known
            .iter()
            .copied()
            .find(|name| name.eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                let mut message = format!("`{}` is not allowed here", short(text));
                if let Some(close) = did_you_mean(text, known.iter().copied()) {
                    message.push_str(&format!(" (did you mean `{close}`?)"));
                }
                self.error(node.use_span(), message, Some(&expected))
            })
    }

    fn boolean(&self, node: &Node) -> Result<bool, ConfigError> {
        match node.as_string() {
            Some("true" | "True" | "TRUE") => Ok(true),
            Some("false" | "False" | "FALSE") => Ok(false),
            _ => Err(self.error(
                node.use_span(),
                format!("expected `true` or `false`, found {}", Self::what(node)),
                None,
            )),
        }
    }

    fn pin_policy(&self, node: &Node) -> Result<PinPolicy, ConfigError> {
        Ok(match self.choice(node, POLICY_VALUES)? {
            "tag" => PinPolicy::Tag,
            "digest" => PinPolicy::Digest,
            _ => PinPolicy::Version,
        })
    }

    fn policy(&self, node: &Node, config: &mut ConfigFile) -> Result<(), ConfigError> {
        if node.as_mapping().is_none() {
            let policy = self.pin_policy(node)?;
            for slot in [
                &mut config.images,
                &mut config.actions,
                &mut config.packages,
            ] {
                *slot = Some(self.sourced(node, policy));
            }
            return Ok(());
        }
        for (key, value) in self.mapping(node, "a policy or a mapping of ecosystems")? {
            let policy = Some(self.sourced(value, self.pin_policy(value)?));
            match self.key(key, ECOSYSTEM_KEYS)? {
                "images" => config.images = policy,
                "actions" => config.actions = policy,
                _ => config.packages = policy,
            }
        }
        Ok(())
    }

    fn rules(&self, node: &Node) -> Result<RuleSettings, ConfigError> {
        let mut settings: RuleSettings = Vec::new();
        for (key, value) in self.mapping(node, "a mapping of rule ids or names")? {
            let name = key.as_str().unwrap_or("");
            let Some(rule) = rules::find(name) else {
                let known = rules::metas().flat_map(|meta| [meta.id, meta.name]);
                let mut message = format!("unknown rule `{}`", short(name));
                if let Some(close) = did_you_mean(name, known) {
                    message.push_str(&format!(" (did you mean `{close}`?)"));
                }
                return Err(self.error(
                    key.span,
                    message,
                    Some("a rule id or name from `pinwarden rules`"),
                ));
            };
            if settings.iter().any(|(known, _)| known.id == rule.id) {
                return Err(self.error(
                    key.span,
                    format!("rule {} is configured twice (by id and by name)", rule.id),
                    Some("each rule once"),
                ));
            }
            let level = if value.as_mapping().is_some() {
                let mut level = None;
                for (setting, level_node) in self.mapping(value, "`off` or `{ level: … }`")? {
                    self.key(setting, &["level"])?;
                    level = Some(match self.choice(level_node, LEVEL_VALUES)? {
                        "error" => Level::Error,
                        "warning" => Level::Warning,
                        _ => Level::Note,
                    });
                }
                if level.is_none() {
                    return Err(self.error(
                        value.use_span(),
                        "an empty rule setting".to_owned(),
                        Some("`off` or `{ level: error|warning|note }`"),
                    ));
                }
                level
            } else {
                match value.as_string() {
                    Some("off") => None,
                    _ => {
                        return Err(self.error(
                            value.use_span(),
                            format!(
                                "expected `off` or `{{ level: error|warning|note }}`, found {}",
                                match value.as_string() {
                                    Some(text) => format!("`{}`", short(text)),
                                    None => Self::what(value).to_owned(),
                                }
                            ),
                            None,
                        ));
                    }
                }
            };
            settings.push((rule, self.sourced(key, level)));
        }
        Ok(settings)
    }

    fn allow(&self, node: &Node, config: &mut ConfigFile) -> Result<(), ConfigError> {
        for (key, list) in self.mapping(node, "a mapping of `images`, `actions`, `packages`")? {
            let ecosystem = self.key(key, ECOSYSTEM_KEYS)?;
            for item in self.sequence(list, "a list of patterns")? {
                let (pattern_node, reason) = self.allow_item(item)?;
                let text = self.string(pattern_node, "a pattern")?;
                let bad = |error: PatternError| {
                    self.error(
                        pattern_node.use_span(),
                        format!(
                            "invalid {} pattern `{}`: {error}",
                            ecosystem.trim_end_matches('s'),
                            short(&text)
                        ),
                        None,
                    )
                };
                match ecosystem {
                    "images" => {
                        let pattern = ImagePattern::parse(&text).map_err(bad)?;
                        config.allow_images.push(self.sourced(
                            item,
                            AllowEntry {
                                pattern,
                                text,
                                reason,
                            },
                        ));
                    }
                    "actions" => {
                        let pattern = ActionPattern::parse(&text).map_err(bad)?;
                        config.allow_actions.push(self.sourced(
                            item,
                            AllowEntry {
                                pattern,
                                text,
                                reason,
                            },
                        ));
                    }
                    _ => {
                        let pattern = PackagePattern::parse(&text).map_err(bad)?;
                        config.allow_packages.push(self.sourced(
                            item,
                            AllowEntry {
                                pattern,
                                text,
                                reason,
                            },
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// `pattern` or `{ pattern: …, reason: … }`.
    fn allow_item<'n>(&self, item: &'n Node) -> Result<(&'n Node, Option<String>), ConfigError> {
        if item.as_mapping().is_none() {
            return Ok((item, None));
        }
        let mut pattern = None;
        let mut reason = None;
        for (key, value) in self.mapping(item, "a pattern")? {
            match self.key(key, &["pattern", "reason"])? {
                "pattern" => pattern = Some(value),
                _ => reason = Some(self.string(value, "a reason")?),
            }
        }
        let pattern = pattern.ok_or_else(|| {
            self.error(
                item.use_span(),
                "an allow entry without `pattern:`".to_owned(),
                Some("`{ pattern: …, reason: … }` or a pattern"),
            )
        })?;
        Ok((pattern, reason))
    }

    /// `build-args:` and `env:`: a mapping of names to scalar values.
    fn values(
        &self,
        node: &Node,
        what: &str,
    ) -> Result<BTreeMap<String, Sourced<String>>, ConfigError> {
        let mut values = BTreeMap::new();
        for (key, value) in self.mapping(node, &format!("a mapping of {what} names to values"))? {
            let name = self.string(key, "a name")?;
            if name.is_empty() || name.contains(['=', '\0']) {
                return Err(self.error(
                    key.span,
                    format!("`{}` is not a variable name", short(&name)),
                    None,
                ));
            }
            // NOTE: the value is never echoed in an error: `env:` may hold a secret.
            let text = match &value.value {
                Value::Scalar(scalar) => scalar.text.to_string(),
                Value::Null => String::new(),
                _ => {
                    return Err(self.error(
                        value.use_span(),
                        format!("expected a value for `{name}`, found {}", Self::what(value)),
                        None,
                    ));
                }
            };
            values.insert(name, self.sourced(value, text));
        }
        Ok(values)
    }
}

/// At most 60 characters of a word from the file, for a message.
fn short(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

fn quoted_list(words: &[&str]) -> String {
    words
        .iter()
        .map(|word| format!("`{word}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest known word, when it is close enough to be a typo: at most two edits away
/// (for words longer than three letters) or very similar by Jaro-Winkler.
pub fn did_you_mean<'k>(text: &str, known: impl Iterator<Item = &'k str>) -> Option<&'k str> {
    let lower = text.to_ascii_lowercase();
    known
        .map(|word| {
            let candidate = word.to_ascii_lowercase();
            let edits = strsim::damerau_levenshtein(&lower, &candidate);
            let similarity = strsim::jaro_winkler(&lower, &candidate);
            (edits, similarity, word)
        })
        .filter(|(edits, similarity, word)| {
            (*edits <= 2 && word.len() > 3 && *edits < word.len()) || *similarity > 0.85
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, word)| word)
}
