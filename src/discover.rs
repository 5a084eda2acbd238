//! Finding the files to scan, in a way the change being judged cannot switch off, and a
//! classification of each file by name, from one sorted table.
//!
//! - **In a git work tree** every tracked file (read from the git index) is a candidate,
//!   whatever `.gitignore` says: git's own rule is that ignore files apply to untracked files
//!   only. Untracked files are candidates unless git ignores them (`.gitignore`,
//!   `.git/info/exclude`, the user's global excludes file).
//! - **Outside a git work tree** the directory is walked with `.gitignore` honoured (no `.git`
//!   needed), as before.
//! - `.ignore` and `.rgignore` files are never honoured (a pull request could add one with
//!   `*`); `--exclude GLOB` is the explicit way to leave paths out.
//! - `.git/` is never read as input. Symbolic links are never followed out of the scan root:
//!   a link whose target resolves outside it (or into `.git/`) becomes a notification naming
//!   the link, never its target. A symlinked file inside the root is judged once, under the
//!   path of the file it points to. Symlinked directories are not descended into (their
//!   target, inside the root, is walked on its own).
//!
//! NOTE: the index is read with `gix-index` (gitoxide), not the `git` binary: the container
//! action's image has no `git`, and reading the index runs nothing a repository's
//! `.git/config` could name (`core.fsmonitor`, hooks, pagers). Untracked files are listed by
//! the ripgrep walker with git's ignore rules.

mod exclude;
mod git;

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

pub use crate::model::kind::FileKind;
pub use exclude::Excludes;

use crate::model::level::Level;
use crate::report::Notification;

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
    /// Named on the command line (scanned whatever its name, symlinks followed).
    pub explicit: bool,
    /// The scan root it was found under, canonical (symlinks resolved); `None` for a file
    /// named on the command line. Reading checks that the opened file lies under it.
    pub root: Option<Arc<Path>>,
    /// `path` below `root` (normal components only), when discovery knows it: reading then
    /// opens it beneath the root's directory, which the kernel keeps it inside.
    pub relative: Option<PathBuf>,
}

/// What discovery found: the files to scan and what it deliberately left out.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted by display path, each path once.
    pub candidates: Vec<Candidate>,
    /// Symbolic links not followed, unreadable entries, an unreadable git index.
    pub notifications: Vec<Notification>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("cannot scan `{path}`: {source}")]
    Path {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid --exclude pattern `{pattern}`: {source}")]
    Exclude {
        pattern: String,
        #[source]
        source: globset::Error,
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

/// Find the files to scan under `roots` (files or directories), leaving out what `excludes`
/// matches; see the module documentation for the rules.
///
/// A file named on the command line is always scanned (its name's kind, else YAML or a
/// Dockerfile), and a symlink there is followed: the user chose it. Hidden entries are
/// included (`.github/` holds workflows).
pub fn discover(roots: &[PathBuf], excludes: &Excludes) -> Result<Discovery, DiscoverError> {
    let cwd = std::env::current_dir().ok();
    let found = Found::default();
    for root in roots {
        let metadata = std::fs::metadata(root).map_err(|source| DiscoverError::Path {
            path: root.display().to_string(),
            source,
        })?;
        let display = display_path(root, cwd.as_deref());
        if in_git_dir(Path::new(&display)) || in_git_dir(root) {
            found.note(display, Level::Warning, "inside `.git/`: never scanned");
            continue;
        }
        if !metadata.is_dir() {
            let class = classify(root).unwrap_or_else(|| explicit_class(root));
            found.push(Candidate {
                display,
                path: root.clone(),
                class,
                explicit: true,
                root: None,
                relative: None,
            });
            continue;
        }
        let real = std::fs::canonicalize(root).map_err(|source| DiscoverError::Path {
            path: root.display().to_string(),
            source,
        })?;
        let scan = RootScan {
            root,
            real: Arc::from(real.as_path()),
            cwd: cwd.as_deref(),
            excludes,
            found: &found,
            seen: Mutex::new(HashSet::default()),
            prefix: root_prefix(root, cwd.as_deref()),
        };
        match git::WorkTree::containing(&real) {
            Some(tree) => scan.git(&tree, 0),
            None => scan.walk(WalkMode::Plain),
        }
    }
    let mut discovery = found.into_inner();
    discovery.candidates.sort();
    // A file reached through two roots (`scan . Dockerfile`) or through a link and its
    // target is scanned once.
    discovery.candidates.dedup_by(|a, b| a.display == b.display);
    discovery.notifications.sort();
    discovery.notifications.dedup();
    Ok(discovery)
}

/// Does a path name something inside a `.git` directory (or `.git` itself)?
fn in_git_dir(path: &Path) -> bool {
    path.components()
        .any(|component| component.as_os_str() == ".git")
}

#[derive(Default)]
struct Found {
    inner: Mutex<Discovery>,
}

impl Found {
    fn push(&self, candidate: Candidate) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.candidates.push(candidate);
        }
    }

    fn note(&self, path: String, level: Level, message: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.notifications.push(Notification {
                path,
                level,
                message: message.to_owned(),
            });
        }
    }

    fn into_inner(self) -> Discovery {
        self.inner
            .into_inner()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// How the untracked (or, outside git, all) files of a root are walked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WalkMode {
    /// Outside a git work tree: `.gitignore` honoured without `.git`, as before.
    Plain,
    /// In a git work tree: git's ignore rules (they only hide untracked files; tracked
    /// ones come from the index).
    Git,
    /// The index could not be read: nothing is ignored, so nothing can be hidden.
    Everything,
}

/// One directory root being discovered.
struct RootScan<'a> {
    /// As given on the command line (display paths stay relative to the working directory).
    root: &'a Path,
    /// Canonical: what every file found must lie under.
    real: Arc<Path>,
    cwd: Option<&'a Path>,
    excludes: &'a Excludes,
    found: &'a Found,
    /// Root-relative paths already considered (the index and the walk overlap).
    seen: Mutex<HashSet<PathBuf, foldhash::fast::FixedState>>,
    /// The root's display path when it lies under the working directory: a file's is then
    /// this and its root-relative path (see [`root_prefix`]).
    prefix: Option<String>,
}

/// What is on disk at a path, as far as discovery needs to know.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    File,
    Dir,
    Symlink,
    /// Not looked at yet (an index entry of a regular file: reading checks what it is).
    Unknown,
}

impl RootScan<'_> {
    /// Walk the root; `mode` decides which ignore files count.
    fn walk(&self, mode: WalkMode) {
        let honour = mode != WalkMode::Everything;
        WalkBuilder::new(self.root)
            .hidden(false)
            .follow_links(false)
            // `.ignore` / `.rgignore`: never (a pull request could add one).
            .ignore(false)
            .git_ignore(honour)
            .git_exclude(honour && mode == WalkMode::Git)
            .git_global(honour && mode == WalkMode::Git)
            .parents(honour)
            .require_git(mode == WalkMode::Git)
            .filter_entry(|entry| entry.file_name() != ".git")
            .build_parallel()
            .run(|| {
                Box::new(move |entry| {
                    // NOTE: unreadable directories are skipped by the walker; a file we cannot
                    // read is reported later, when it is opened.
                    if let Ok(entry) = entry
                        && let Some(file_type) = entry.file_type()
                        && !file_type.is_dir()
                        && let Ok(relative) = entry.path().strip_prefix(self.root)
                    {
                        let kind = if file_type.is_symlink() {
                            Entry::Symlink
                        } else {
                            Entry::File
                        };
                        self.consider(relative, kind, mode == WalkMode::Git);
                    }
                    WalkState::Continue
                })
            });
    }

    /// Tracked files from the index, then untracked ones by walking with git's ignore rules.
    fn git(&self, tree: &git::WorkTree, depth: usize) {
        let Some(prefix) = self
            .real
            .strip_prefix(&tree.top)
            .ok()
            .map(Path::to_path_buf)
        else {
            return self.walk(WalkMode::Everything);
        };
        match tree.tracked(&prefix) {
            Ok(tracked) => {
                self.walk(WalkMode::Git);
                for file in tracked {
                    if file.submodule {
                        self.submodule(&file.path, depth);
                    } else {
                        let kind = if file.symlink {
                            Entry::Symlink
                        } else {
                            Entry::Unknown
                        };
                        self.consider(&file.path, kind, true);
                    }
                }
            }
            Err(error) => {
                let message = format!(
                    "cannot read the git index ({error}): every file under this directory is \
                     scanned, ignore files are not honoured"
                );
                self.found
                    .note(self.display(Path::new("")), Level::Warning, &message);
                self.walk(WalkMode::Everything);
            }
        }
    }

    /// A submodule is a work tree of its own: its tracked and untracked files, by its index.
    fn submodule(&self, relative: &Path, depth: usize) {
        const MAX_SUBMODULE_DEPTH: usize = 8;
        let path = self.root.join(relative);
        if depth >= MAX_SUBMODULE_DEPTH || !is_real_dir(&path) {
            return;
        }
        let Ok(real) = std::fs::canonicalize(&path) else {
            return;
        };
        if !real.starts_with(&self.real) {
            return;
        }
        let Some(tree) = git::WorkTree::at(&real) else {
            return;
        };
        let nested = RootScan {
            root: &path,
            real: Arc::from(real.as_path()),
            cwd: self.cwd,
            excludes: self.excludes,
            found: self.found,
            seen: Mutex::new(HashSet::default()),
            prefix: root_prefix(&path, self.cwd),
        };
        nested.git(&tree, depth + 1);
    }

    fn display(&self, relative: &Path) -> String {
        match &self.prefix {
            Some(prefix) if safe_relative(relative) => join_display(prefix, relative),
            _ => display_path(&self.root.join(relative), self.cwd),
        }
    }

    /// Decide about one root-relative path: a candidate, a notification, or nothing.
    /// `dedupe`: the path may have been considered already.
    fn consider(&self, relative: &Path, kind: Entry, dedupe: bool) {
        // Most files are of no kind: decided by name before any bookkeeping. (A link is
        // looked at whatever its name: it may lead to a directory, or out of the root.)
        let by_relative = classify(relative);
        if kind != Entry::Symlink && by_relative.is_none() {
            return;
        }
        if !safe_relative(relative) || self.excludes.is_excluded(relative) {
            return;
        }
        // Only a git root lists a path twice (the index and the walk of untracked files).
        if dedupe
            && let Ok(mut seen) = self.seen.lock()
            && !seen.insert(relative.to_path_buf())
        {
            return;
        }
        let path = self.root.join(relative);
        let kind = match kind {
            Entry::Symlink => Entry::Symlink,
            Entry::Unknown => match std::fs::symlink_metadata(&path) {
                Ok(metadata) if metadata.file_type().is_symlink() => Entry::Symlink,
                Ok(metadata) if metadata.is_dir() => Entry::Dir,
                _ => Entry::File,
            },
            other => other,
        };
        match kind {
            Entry::Dir => {}
            Entry::Symlink => self.symlink(relative, &path),
            Entry::File | Entry::Unknown => {
                // The table's longest pattern spans three components: a deeper relative path
                // is classified as its whole path would be.
                let class = if relative.components().nth(2).is_some() {
                    by_relative
                } else {
                    classify(&path)
                };
                if let Some(class) = class {
                    self.found.push(Candidate {
                        display: self.display(relative),
                        path,
                        class,
                        explicit: false,
                        root: Some(self.real.clone()),
                        relative: Some(relative.to_path_buf()),
                    });
                }
            }
        }
    }

    /// A symbolic link under the root: followed only to a target inside the root (and not
    /// into `.git/`), and then judged under the target's path.
    fn symlink(&self, relative: &Path, path: &Path) {
        let by_name = classify(path);
        match resolve_link(path, &self.real) {
            Link::Dangling => {
                if by_name.is_some() {
                    self.found.note(
                        self.display(relative),
                        Level::Error,
                        "cannot read file: dangling symbolic link",
                    );
                }
            }
            Link::Outside { dir } => {
                if dir || by_name.is_some() {
                    let what = if dir { "a directory" } else { "a file" };
                    let message =
                        format!("symbolic link to {what} outside the scan root: not followed");
                    self.found
                        .note(self.display(relative), Level::Warning, &message);
                }
            }
            Link::GitDir { dir } => {
                if dir || by_name.is_some() {
                    self.found.note(
                        self.display(relative),
                        Level::Warning,
                        "symbolic link into `.git/`: not followed",
                    );
                }
            }
            // The target directory lies inside the root and is walked on its own.
            Link::Inside { dir: true, .. } => {}
            Link::Inside { target, dir: false } => {
                let Some(class) = classify(&target).or(by_name) else {
                    return;
                };
                if self.excludes.is_excluded(&target) {
                    return;
                }
                self.found.push(Candidate {
                    display: self.display(&target),
                    path: self.root.join(&target),
                    class,
                    explicit: false,
                    root: Some(self.real.clone()),
                    relative: Some(target),
                });
            }
        }
    }
}

/// Where a symbolic link leads, relative to a canonical root.
enum Link {
    Dangling,
    Outside {
        dir: bool,
    },
    GitDir {
        dir: bool,
    },
    /// Inside the root: the target relative to it.
    Inside {
        target: PathBuf,
        dir: bool,
    },
}

fn resolve_link(path: &Path, real_root: &Path) -> Link {
    let Ok(target) = std::fs::canonicalize(path) else {
        return Link::Dangling;
    };
    let dir = std::fs::metadata(&target).is_ok_and(|metadata| metadata.is_dir());
    match target.strip_prefix(real_root) {
        Ok(relative) if in_git_dir(relative) => Link::GitDir { dir },
        Ok(relative) => Link::Inside {
            target: relative.to_path_buf(),
            dir,
        },
        Err(_) => Link::Outside { dir },
    }
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.is_dir())
}

/// A relative path with only normal components (an index entry cannot climb out).
fn safe_relative(path: &Path) -> bool {
    path.components()
        .all(|component| matches!(component, Component::Normal(name) if name != ".git"))
}

/// A file read beside another (the `.env` of a compose file, the `actions.lock` of workflows:
/// `name` in the same directory), resolved like any file
/// under the compose file's root: `None` when there is none; a notification when it is a
/// link out of the root. Compose reads it whether or not it is git-ignored, so do we.
pub fn sibling(
    candidate: &Candidate,
    name: &str,
    kind: FileKind,
) -> Option<Result<Candidate, Notification>> {
    let dir = candidate.path.parent()?;
    let path = dir.join(name);
    let metadata = std::fs::symlink_metadata(&path).ok()?;
    let cwd = std::env::current_dir().ok();
    let display = display_path(&path, cwd.as_deref());
    let class = Classification::Kind(kind);
    // Beside a file named on the command line, the scan root is that file's directory: the
    // user named the compose file, not what a link beside it points to.
    let (root, relative) = match candidate.root.clone() {
        Some(root) => {
            let relative = candidate
                .relative
                .as_deref()
                .and_then(Path::parent)
                .map(|parent| parent.join(name));
            (root, relative)
        }
        None => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            let root = Arc::from(std::fs::canonicalize(dir).ok()?.as_path());
            (root, Some(PathBuf::from(name)))
        }
    };
    if !metadata.file_type().is_symlink() {
        return Some(Ok(Candidate {
            display,
            path,
            class,
            explicit: false,
            root: Some(root),
            relative,
        }));
    }
    let refused = |message: &str| Notification {
        path: display.clone(),
        level: Level::Warning,
        message: message.to_owned(),
    };
    match resolve_link(&path, &root) {
        Link::Inside { target, dir: false } => {
            // Keep the link's own directory prefix as the display base: the root as the
            // compose file's path spells it.
            let base = strip_suffix_components(dir, &root, candidate);
            let path = base.join(&target);
            Some(Ok(Candidate {
                display: display_path(&path, cwd.as_deref()),
                path,
                class,
                explicit: false,
                root: Some(root),
                relative: Some(target),
            }))
        }
        Link::Inside { dir: true, .. } => None,
        Link::Dangling => Some(Err(Notification {
            level: Level::Error,
            ..refused("cannot read file: dangling symbolic link")
        })),
        Link::GitDir { .. } => Some(Err(refused("symbolic link into `.git/`: not followed"))),
        Link::Outside { .. } => Some(Err(refused(
            "symbolic link to a file outside the scan root: not followed",
        ))),
    }
}

/// The scan root as `candidate.path` spells it: `dir` minus as many trailing components as
/// `dir` lies below the canonical `root`.
fn strip_suffix_components(dir: &Path, root: &Path, candidate: &Candidate) -> PathBuf {
    let depth = std::fs::canonicalize(dir)
        .ok()
        .and_then(|real| {
            real.strip_prefix(root)
                .ok()
                .map(|rest| rest.components().count())
        })
        .unwrap_or(0);
    let mut base = dir.to_path_buf();
    for _ in 0..depth {
        if !base.pop() {
            return root.to_path_buf();
        }
    }
    if base.as_os_str().is_empty() && candidate.path.is_relative() {
        PathBuf::from(".")
    } else {
        base
    }
}

/// The candidate for a file read from standard input under `name`
/// (`--stdin-filename`): classified like a file named on the command line, never read from
/// disk, and with no directory (no `.env` or lockfile beside it is read).
pub fn stdin_candidate(name: &str) -> Candidate {
    let path = PathBuf::from(name);
    Candidate {
        display: display_path(&path, None),
        class: classify(&path).unwrap_or_else(|| explicit_class(&path)),
        path,
        explicit: true,
        root: None,
        relative: None,
    }
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

/// The display path of `root` when `display_path(root.join(relative), cwd)` is that and
/// `relative` for every path of normal components (the root lies under `cwd`), so each
/// file found costs a string join, not two normalizations.
fn root_prefix(root: &Path, cwd: Option<&Path>) -> Option<String> {
    let cwd = cwd?;
    let absolute = if root.is_absolute() {
        root.to_path_buf()
    } else {
        cwd.join(root)
    };
    normalize(&absolute)
        .starts_with(normalize(cwd))
        .then(|| display_path(root, Some(cwd)))
}

/// `prefix/relative` with `/` between components; `relative` holds normal components only.
fn join_display(prefix: &str, relative: &Path) -> String {
    let mut out = if prefix == "." {
        String::new()
    } else {
        prefix.to_owned()
    };
    for component in relative.components() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&component.as_os_str().to_string_lossy());
    }
    if out.is_empty() { ".".to_owned() } else { out }
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
    fn a_path_three_deep_is_classified_as_its_full_path() {
        // `consider` classifies a root-relative path of three or more components without
        // the root: no pattern may look further up than that.
        for (pattern, _) in CLASSES {
            assert!(pattern.matches('/').count() <= 2, "{pattern}");
        }
        for (relative, under) in [
            ("a/b/compose.yml", ".github/workflows"),
            (".github/workflows/x.yml", "repo"),
            ("workflows/x/deploy.yaml", ".github"),
        ] {
            let full = Path::new(under).join(relative);
            assert_eq!(classify(Path::new(relative)), classify(&full), "{relative}");
        }
        // Shallower, the root can decide: `workflows/x.yml` under `.github` is a workflow.
        let shallow = Path::new("workflows/x.yml");
        assert_eq!(classify(shallow), Some(Classification::SniffYaml));
        assert_eq!(
            classify(&Path::new(".github").join(shallow)),
            Some(Classification::Kind(FileKind::Workflow))
        );
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
    fn a_root_s_display_prefix_gives_the_same_paths() {
        let cases = [
            ("/repo", "/repo"),
            ("/repo", "/"),
            ("/repo/a", "/repo"),
            ("a/./b", "/repo"),
            ("./a/../b", "/repo"),
            ("/repo/../repo/x", "/repo"),
            (".", "/repo"),
            ("..", "/repo/sub"),
            ("/elsewhere", "/repo"),
        ];
        for (root, cwd) in cases {
            let (root, cwd) = (Path::new(root), Path::new(cwd));
            for relative in ["", "Dockerfile", "x/y/compose.yaml", "a b/ü.yml"] {
                let expected = display_path(&root.join(relative), Some(cwd));
                let relative = Path::new(relative);
                if let Some(prefix) = root_prefix(root, Some(cwd)) {
                    assert_eq!(
                        join_display(&prefix, relative),
                        expected,
                        "{root:?} {cwd:?}"
                    );
                }
            }
        }
        assert!(root_prefix(Path::new(".."), Some(Path::new("/repo/sub"))).is_none());
        assert!(root_prefix(Path::new("/elsewhere"), Some(Path::new("/repo"))).is_none());
        assert!(root_prefix(Path::new("a"), Some(Path::new("/repo"))).is_some());
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
