//! Finding the files to scan: a `.gitignore`-aware parallel walk and a classification of
//! each file by name, from one sorted table.

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use std::sync::OnceLock;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

pub use crate::model::kind::FileKind;

/// How a path's kind is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Classification {
    Kind(FileKind),
    /// A YAML file no name claims: scanned if its content looks like a Kubernetes manifest.
    SniffYaml,
}

/// One file to scan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The display path: relative to the working directory when under it, `/`-separated.
    pub display: String,
    pub path: PathBuf,
    pub class: Classification,
    /// Named on the command line (scanned whatever its name).
    pub explicit: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("cannot scan `{path}`: {source}")]
    Path {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// How files are classified: the first row whose glob matches the path (case-insensitively,
/// `*` not crossing `/`) decides. `None`: not scanned.
///
/// Dockerfiles: `Dockerfile`, `Containerfile`, `Dockerfile.*`, `Containerfile.*`, `*.Dockerfile`
/// (but not BuildKit's `<name>.dockerignore`). Compose: `compose.y(a)ml`, `docker-compose.y(a)ml`
/// and variants such as `compose.prod.yaml` or `docker-compose.override.yml`. Workflows:
/// `*.y(a)ml` directly in `.github/workflows/`, beside GitHub's lockfile `actions.lock`.
/// Actions: `action.y(a)ml`. Other YAML: sniffed for Kubernetes.
const CLASSES: &[(&str, Option<Classification>)] = &[
    ("*.dockerignore", None),
    (
        "{dockerfile,containerfile}",
        Some(Classification::Kind(FileKind::Dockerfile)),
    ),
    (
        "{dockerfile,containerfile}.*",
        Some(Classification::Kind(FileKind::Dockerfile)),
    ),
    (
        "*.dockerfile",
        Some(Classification::Kind(FileKind::Dockerfile)),
    ),
    (
        ".github/workflows/actions.lock",
        Some(Classification::Kind(FileKind::ActionsLock)),
    ),
    (
        "action.{yml,yaml}",
        Some(Classification::Kind(FileKind::Action)),
    ),
    (
        ".github/workflows/*.{yml,yaml}",
        Some(Classification::Kind(FileKind::Workflow)),
    ),
    (
        "{docker-compose,compose}.{yml,yaml}",
        Some(Classification::Kind(FileKind::Compose)),
    ),
    (
        "{docker-compose,compose}[-._]*.{yml,yaml}",
        Some(Classification::Kind(FileKind::Compose)),
    ),
    ("*.{yml,yaml}", Some(Classification::SniffYaml)),
];

/// [`CLASSES`], compiled once. Each glob matches the file name or a path ending in it.
fn class_globs() -> &'static GlobSet {
    static GLOBS: OnceLock<GlobSet> = OnceLock::new();
    GLOBS.get_or_init(|| {
        let mut builder = GlobSetBuilder::new();
        for (pattern, _) in CLASSES {
            // NOTE: the table is a constant; a pattern that does not compile is a bug caught by
            // the classification test, and is skipped rather than aborting a scan.
            if let Ok(glob) = GlobBuilder::new(&format!("{{{pattern},**/{pattern}}}"))
                .case_insensitive(true)
                .literal_separator(true)
                .build()
            {
                builder.add(glob);
            }
        }
        builder.build().unwrap_or_else(|_| GlobSet::empty())
    })
}

/// Classify a file by its name and location, or `None` when it is not scanned.
pub fn classify(path: &Path) -> Option<Classification> {
    let name = path.file_name()?.to_str()?;
    // Compose reads the `.env` beside it by this exact name.
    if name == ".env" {
        return Some(Classification::Kind(FileKind::Env));
    }
    let slashed = path.to_string_lossy().replace('\\', "/");
    let first = class_globs().matches(slashed.as_str()).into_iter().min()?;
    CLASSES.get(first).and_then(|(_, class)| *class)
}

/// Name endings of template files (`Dockerfile.template`, `Dockerfile.j2`): their text is
/// not the file the build reads, so they are reported as not scanned instead of failing to
/// parse (docker-library's jq templates, Jinja, ERB, Go templates).
const TEMPLATE_SUFFIXES: &[&str] = &[
    ".erb",
    ".hbs",
    ".j2",
    ".jinja",
    ".jinja2",
    ".mustache",
    ".template",
    ".tmpl",
    ".tpl",
];

/// Is `path` a Dockerfile template by its name?
pub fn is_template(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|name| {
            TEMPLATE_SUFFIXES
                .iter()
                .any(|suffix| name.ends_with(suffix))
        })
}

/// Walk `roots` (files or directories) and return the files to scan, sorted by display path.
///
/// Hidden entries are included (`.github/` holds workflows), `.gitignore` is honoured
/// without needing a `.git` directory, `.git/` itself is skipped. A file named on the
/// command line is always scanned: by its name's kind, else as YAML or a Dockerfile.
pub fn discover(roots: &[PathBuf]) -> Result<Vec<Candidate>, DiscoverError> {
    let cwd = std::env::current_dir().ok();
    let found = Mutex::new(Vec::new());
    for root in roots {
        let metadata = std::fs::metadata(root).map_err(|source| DiscoverError::Path {
            path: root.display().to_string(),
            source,
        })?;
        if !metadata.is_dir() {
            let class = classify(root).unwrap_or_else(|| explicit_class(root));
            push(&found, root, cwd.as_deref(), class, true);
            continue;
        }
        WalkBuilder::new(root)
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| entry.file_name() != ".git")
            .build_parallel()
            .run(|| {
                let found = &found;
                let cwd = cwd.as_deref();
                Box::new(move |entry| {
                    // NOTE: unreadable directories are skipped by the walker; a file we cannot
                    // read is reported later, when it is opened.
                    if let Ok(entry) = entry
                        && !entry.file_type().is_some_and(|t| t.is_dir())
                        && let Some(class) = classify(entry.path())
                    {
                        push(found, entry.path(), cwd, class, false);
                    }
                    WalkState::Continue
                })
            });
    }
    let mut files = found
        .into_inner()
        .unwrap_or_else(|poison| poison.into_inner());
    files.sort();
    // A file reached through two roots (`scan . Dockerfile`) is scanned once.
    files.dedup_by(|a, b| a.display == b.display);
    Ok(files)
}

/// The kind of a file named on the command line that no name rule claims.
fn explicit_class(path: &Path) -> Classification {
    let yaml = path
        .extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| matches!(ext.to_ascii_lowercase().as_str(), "yml" | "yaml" | "json"));
    if yaml {
        Classification::SniffYaml
    } else {
        Classification::Kind(FileKind::Dockerfile)
    }
}

fn push(
    found: &Mutex<Vec<Candidate>>,
    path: &Path,
    cwd: Option<&Path>,
    class: Classification,
    explicit: bool,
) {
    let candidate = Candidate {
        display: display_path(path, cwd),
        path: path.to_path_buf(),
        class,
        explicit,
    };
    if let Ok(mut files) = found.lock() {
        files.push(candidate);
    }
}

/// `path` relative to `cwd` when it lies under it, with `/` separators and no `./`.
pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.map_or_else(|| path.to_path_buf(), |cwd| cwd.join(path))
    };
    let normalized = normalize(&absolute);
    let relative = cwd
        .and_then(|cwd| normalized.strip_prefix(normalize(cwd)).ok())
        .map_or_else(|| normalize(path), Path::to_path_buf);
    let parts: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            Component::CurDir => None,
            Component::RootDir => Some(String::new()),
            other => Some(other.as_os_str().to_string_lossy().into_owned()),
        })
        .collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// Remove `.` and resolve `..` lexically (no file system access, no symlink resolution).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Classification::{Kind, SniffYaml};
    use FileKind::*;

    #[test]
    fn classification_table() {
        // (path, expected)
        let cases: &[(&str, Option<Classification>)] = &[
            ("Dockerfile", Some(Kind(Dockerfile))),
            ("dockerfile", Some(Kind(Dockerfile))),
            ("Containerfile", Some(Kind(Dockerfile))),
            ("Dockerfile.dev", Some(Kind(Dockerfile))),
            ("Containerfile.alpine", Some(Kind(Dockerfile))),
            ("api.Dockerfile", Some(Kind(Dockerfile))),
            ("api.dockerfile", Some(Kind(Dockerfile))),
            ("Dockerfile.dockerignore", None), // BuildKit's per-Dockerfile ignore file
            ("DockerfileX", None),
            ("compose.yaml", Some(Kind(Compose))),
            ("compose.yml", Some(Kind(Compose))),
            ("docker-compose.yml", Some(Kind(Compose))),
            ("docker-compose.override.yml", Some(Kind(Compose))),
            ("compose.prod.yaml", Some(Kind(Compose))),
            ("docker-compose-dev.yaml", Some(Kind(Compose))),
            ("composer.yml", Some(SniffYaml)), // not compose
            ("Compose.YAML", Some(Kind(Compose))),
            ("compose_test.yml", Some(Kind(Compose))),
            ("docker-composefoo.yml", Some(SniffYaml)),
            ("ACTION.yml", Some(Kind(Action))),
            ("dir/Dockerfile.dockerignore", None),
            (".github/workflows/actions.yml", Some(Kind(Workflow))),
            (".env", Some(Kind(Env))),
            (".env.local", None),
            (".github/workflows/ci.yml", Some(Kind(Workflow))),
            ("x/.github/workflows/release.yaml", Some(Kind(Workflow))),
            (".github/workflows/sub/ci.yml", Some(SniffYaml)), // not directly in workflows/
            (".github/workflows/actions.lock", Some(Kind(ActionsLock))),
            ("actions.lock", None),
            ("action.yml", Some(Kind(Action))),
            ("sub/action.yaml", Some(Kind(Action))),
            ("k8s/deploy.yaml", Some(SniffYaml)),
            ("README.md", None),
            ("main.rs", None),
        ];
        for (path, expected) in cases {
            assert_eq!(classify(Path::new(path)), *expected, "{path}");
        }
    }

    #[test]
    fn templates_by_name() {
        // (path, is a template)
        let cases = [
            ("Dockerfile.template", true),
            ("build/Dockerfile.j2", true),
            ("Dockerfile.tmpl", true),
            ("Dockerfile", false),
            ("Dockerfile.alpine", false),
            ("templates/Dockerfile", false),
        ];
        for (path, expected) in cases {
            assert_eq!(is_template(Path::new(path)), expected, "{path}");
        }
    }

    #[test]
    fn display_paths_are_relative_and_slashed() {
        let cwd = Path::new("/repo");
        // (path, expected)
        let cases = [
            ("/repo/a/Dockerfile", "a/Dockerfile"),
            ("./a/./Dockerfile", "a/Dockerfile"),
            ("a/../b/Dockerfile", "b/Dockerfile"),
            ("/elsewhere/Dockerfile", "/elsewhere/Dockerfile"),
            ("/repo", "."),
        ];
        for (path, expected) in cases {
            assert_eq!(display_path(Path::new(path), Some(cwd)), expected, "{path}");
        }
    }
}
