//! The configuration of a scan: `.pinwarden.yml` (policy as code) merged with the command
//! line. The command line wins; every effective value remembers where it came from, which
//! `pinwarden config` prints.
//!
//! The config file is read from the scan root (the one directory named on the command line,
//! else the working directory), or from `--config FILE`; `--no-config` ignores it. It is read
//! like any scanned file: not through a symbolic link, a regular file, bounded in size.

pub mod file;
mod show;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::allow::{Allow, AllowEntry};
use crate::model::level::{Level, PinPolicy, Policies};
use crate::model::source::SourceFile;
use crate::parse::dockerfile::{BuildArg, BuildArgs};
use crate::rules::{CheckContext, RuleMeta, RuleSetting};

pub use show::render;

/// The names of the config file, looked for in this order (both at once is an error).
pub const FILE_NAMES: [&str; 2] = [".pinwarden.yml", ".pinwarden.yaml"];

/// Largest config file read.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Where a setting came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Default,
    File {
        path: String,
        line: usize,
        column: usize,
    },
    /// A command-line flag (the action passes its inputs as flags).
    CommandLine(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::File { path, line, column } => write!(f, "{path}:{line}:{column}"),
            Self::CommandLine(flag) => write!(f, "command line `{flag}`"),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Sourced<T> {
    pub const fn default(value: T) -> Self {
        Self {
            value,
            origin: Origin::Default,
        }
    }
}

/// A mistake in the config file: exit 2 with its place and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// What the place accepts, when the message does not say it.
    pub expected: Option<String>,
}

/// Why the configuration cannot be used (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot read the config file `{path}`: {reason}")]
    Read { path: String, reason: String },
    #[error("both `.pinwarden.yml` and `.pinwarden.yaml` are in `{dir}`: keep one")]
    Ambiguous { dir: String },
    #[error("invalid `--build-arg {arg}`: expected NAME=VALUE")]
    BuildArg { arg: String },
    #[error("invalid `--exclude {glob}`: {reason}")]
    Exclude { glob: String, reason: String },
}

/// What the command line says about settings (`scan` and `config` share it).
#[derive(Clone, Debug, Default)]
pub struct CommandLine {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub no_config: bool,
    pub policy: Option<PinPolicy>,
    pub exclude: Vec<String>,
    /// `NAME=VALUE` as given to `--build-arg`.
    pub build_args: Vec<String>,
}

/// The effective settings of a scan.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The config file used, as displayed.
    pub config_file: Option<String>,
    pub images: Sourced<PinPolicy>,
    pub actions: Sourced<PinPolicy>,
    pub packages: Sourced<PinPolicy>,
    /// Configured rules only; every other rule is at its default.
    pub rules: Vec<(&'static RuleMeta, Sourced<Option<Level>>)>,
    pub exclude: Vec<Sourced<String>>,
    pub allow: Allow,
    /// Where each allow entry came from, in the order of `allow` (images, actions, packages).
    pub allow_origins: Vec<Origin>,
    pub build_args: BTreeMap<String, Sourced<String>>,
    pub env: BTreeMap<String, Sourced<String>>,
    pub require_reason: Sourced<bool>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            config_file: None,
            images: Sourced::default(PinPolicy::default()),
            actions: Sourced::default(PinPolicy::default()),
            packages: Sourced::default(PinPolicy::default()),
            rules: Vec::new(),
            exclude: Vec::new(),
            allow: Allow::default(),
            allow_origins: Vec::new(),
            build_args: BTreeMap::new(),
            env: BTreeMap::new(),
            require_reason: Sourced::default(false),
        }
    }
}

impl Settings {
    pub fn policies(&self) -> Policies {
        Policies {
            images: self.images.value,
            actions: self.actions.value,
            packages: self.packages.value,
        }
    }

    /// What the rules read.
    pub fn check_context(&self) -> CheckContext {
        let mut cx = CheckContext {
            policies: self.policies(),
            allow: self.allow.clone(),
            require_reason: self.require_reason.value,
            ..CheckContext::default()
        };
        for (rule, setting) in &self.rules {
            let setting = match setting.value {
                None => RuleSetting {
                    off: true,
                    level: None,
                },
                Some(level) => RuleSetting {
                    off: false,
                    level: Some(level),
                },
            };
            cx.rules.insert(rule.id, setting);
        }
        cx
    }

    /// The `--exclude` globs and the config file's.
    pub fn exclude_globs(&self) -> Vec<String> {
        self.exclude.iter().map(|glob| glob.value.clone()).collect()
    }

    /// The values the Dockerfile `ARG`s take.
    pub fn build_args(&self) -> BuildArgs {
        self.build_args
            .iter()
            .map(|(name, value)| {
                let origin = match &value.origin {
                    Origin::CommandLine(_) => "`--build-arg`".to_owned(),
                    Origin::File { path, line, .. } => format!("`build-args` in `{path}:{line}`"),
                    Origin::Default => "default".to_owned(),
                };
                (
                    name.clone(),
                    BuildArg {
                        value: value.value.clone(),
                        origin,
                    },
                )
            })
            .collect()
    }

    /// The config file's `env:` values, for compose interpolation.
    pub fn env_values(&self) -> BTreeMap<String, String> {
        self.env
            .iter()
            .map(|(name, value)| (name.clone(), value.value.clone()))
            .collect()
    }
}

/// The effective settings for `command_line`: the config file's values under the command
/// line's. `validate_glob` checks a glob the way `--exclude` does.
pub fn resolve(
    command_line: &CommandLine,
    validate_glob: &dyn Fn(&str) -> Result<(), String>,
) -> Result<Settings, SettingsError> {
    let mut settings = Settings::default();
    if !command_line.no_config
        && let Some(path) = config_path(command_line)?
    {
        let source = read_config(&path, command_line.config.is_some())?;
        let parsed = file::parse(&source, validate_glob)?;
        settings.config_file = Some(source.path().to_owned());
        apply_file(&mut settings, parsed);
    }
    if let Some(policy) = command_line.policy {
        for slot in [
            &mut settings.images,
            &mut settings.actions,
            &mut settings.packages,
        ] {
            *slot = Sourced {
                value: policy,
                origin: Origin::CommandLine("--policy"),
            };
        }
    }
    for glob in &command_line.exclude {
        validate_glob(glob).map_err(|reason| SettingsError::Exclude {
            glob: glob.clone(),
            reason,
        })?;
        settings.exclude.push(Sourced {
            value: glob.clone(),
            origin: Origin::CommandLine("--exclude"),
        });
    }
    for arg in &command_line.build_args {
        let Some((name, value)) = arg.split_once('=').filter(|(name, _)| !name.is_empty()) else {
            return Err(SettingsError::BuildArg { arg: arg.clone() });
        };
        settings.build_args.insert(
            name.to_owned(),
            Sourced {
                value: value.to_owned(),
                origin: Origin::CommandLine("--build-arg"),
            },
        );
    }
    Ok(settings)
}

fn apply_file(settings: &mut Settings, parsed: file::ConfigFile) {
    for (slot, value) in [
        (&mut settings.images, parsed.images),
        (&mut settings.actions, parsed.actions),
        (&mut settings.packages, parsed.packages),
    ] {
        if let Some(value) = value {
            *slot = value;
        }
    }
    settings.rules = parsed.rules;
    settings.exclude = parsed.exclude;
    let mut allow = Allow::default();
    let mut origins = Vec::new();
    for entry in parsed.allow_images {
        origins.push(entry.origin);
        allow.images.push(entry.value);
    }
    for entry in parsed.allow_actions {
        origins.push(entry.origin);
        allow.actions.push(entry.value);
    }
    for entry in parsed.allow_packages {
        origins.push(entry.origin);
        allow.packages.push(entry.value);
    }
    settings.allow = allow;
    settings.allow_origins = origins;
    settings.build_args = parsed.build_args;
    settings.env = parsed.env;
    if let Some(require_reason) = parsed.require_reason {
        settings.require_reason = require_reason;
    }
}

/// The directory whose config file applies: the one directory named, else the working
/// directory.
pub fn scan_root(paths: &[PathBuf]) -> PathBuf {
    match paths {
        [only] if only.is_dir() => only.clone(),
        _ => PathBuf::from("."),
    }
}

/// The config file to read, if any.
fn config_path(command_line: &CommandLine) -> Result<Option<PathBuf>, SettingsError> {
    if let Some(path) = &command_line.config {
        return Ok(Some(path.clone()));
    }
    let root = scan_root(&command_line.paths);
    let found: Vec<PathBuf> = FILE_NAMES
        .iter()
        .map(|name| root.join(name))
        .filter(|path| std::fs::symlink_metadata(path).is_ok())
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err(SettingsError::Ambiguous {
            dir: display(&root),
        }),
    }
}

fn display(path: &Path) -> String {
    crate::discover::display_path(path, std::env::current_dir().ok().as_deref())
}

/// Read the config file: a regular file of at most [`MAX_CONFIG_BYTES`], not through a
/// symbolic link unless named with `--config`.
fn read_config(path: &Path, explicit: bool) -> Result<Arc<SourceFile>, SettingsError> {
    let shown = display(path);
    let failed = |reason: String| SettingsError::Read {
        path: shown.clone(),
        reason,
    };
    let bytes = if explicit {
        crate::read::read_bounded_following(path, MAX_CONFIG_BYTES)
    } else {
        crate::read::read_bounded(path, MAX_CONFIG_BYTES)
    }
    .map_err(|error| failed(error.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| failed("not valid UTF-8".to_owned()))?;
    Ok(Arc::new(SourceFile::new(shown.clone(), text)))
}

/// The allow entries with their origins, for `pinwarden config`.
pub(crate) fn allow_entries(
    settings: &Settings,
) -> Vec<(&'static str, String, Option<String>, Origin)> {
    fn entries<P>(
        kind: &'static str,
        list: &[AllowEntry<P>],
    ) -> impl Iterator<Item = (&'static str, String, Option<String>)> {
        list.iter()
            .map(move |entry| (kind, entry.text.clone(), entry.reason.clone()))
    }
    entries("images", &settings.allow.images)
        .chain(entries("actions", &settings.allow.actions))
        .chain(entries("packages", &settings.allow.packages))
        .zip(
            settings
                .allow_origins
                .iter()
                .cloned()
                .chain(std::iter::repeat(Origin::Default)),
        )
        .map(|((kind, text, reason), origin)| (kind, text, reason, origin))
        .collect()
}
