//! `--new-since REF`: which lines of the scanned files changed since a git ref, read with
//! gitoxide from the object database. No `git` process runs, so nothing a hostile checkout's
//! `.git/config` names (hooks, textconv, external diff, fsmonitor, pager) can run; the
//! repository is opened isolated (its own config only, no environment, no global config)
//! and an owner other than the current user is not an error (the action's container runs as
//! root on a workspace another uid owns).
//!
//! The files compared are the texts pinwarden scanned, already read under the scan root's
//! rules, against their blobs at the merge base of REF and `HEAD` (like `git diff REF...`,
//! plus uncommitted changes). A file not at that commit is matched to a deleted file it was
//! renamed from (the same blob, else the most similar one, at least half its lines); without
//! one it is all new.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use similar::{Algorithm, DiffTag, TextDiff};

use crate::baseline::BaselineError;
use crate::model::source::SourceFile;

/// How one scanned file compares with its version at the reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileChange {
    /// Not in the repository at the reference (added, untracked, not a blob there): every
    /// line is new.
    All,
    /// 1-based lines added or edited since the reference.
    Lines(BTreeSet<usize>),
}

impl FileChange {
    /// Does the change touch any of the 1-based lines `start..=end`?
    pub fn touches(&self, start: usize, end: usize) -> bool {
        match self {
            Self::All => true,
            Self::Lines(lines) => lines.range(start..=end.max(start)).next().is_some(),
        }
    }
}

/// Longest a line diff of one file may take; past it the diff is coarser (more lines count as
/// changed, never fewer).
const DIFF_TIMEOUT: Duration = Duration::from_secs(2);

/// Largest blob read from the repository (as for scanned files).
const MAX_BLOB_BYTES: u64 = crate::read::MAX_FILE_BYTES;

/// Most deleted files compared with one added file when looking for its rename.
const MAX_RENAME_CANDIDATES: usize = 200;

/// Lowest share of equal lines for a rename (git's default `--find-renames` is 50%).
const MIN_RENAME_SIMILARITY: f32 = 0.5;

/// The repository and the commit compared with.
pub struct Repository {
    repo: gix::Repository,
    /// The work tree's top directory, canonical.
    top: PathBuf,
    /// The reference as given, for messages.
    reference: String,
    base: gix::ObjectId,
    /// Deleted files at the base that could be renames: (path, blob id). Listed once, when
    /// an added file first needs them.
    deleted: OnceCell<Vec<(String, gix::ObjectId)>>,
}

/// The work tree containing `start` (a file or directory): the nearest ancestor holding `.git`.
fn work_tree_top(start: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(start).ok()?;
    real.ancestors()
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// A gix error as one short line.
fn detail(error: &dyn std::fmt::Display) -> String {
    let text = error.to_string().replace(['\n', '\r'], " ");
    if text.chars().count() > 300 {
        format!("{}…", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

impl Repository {
    /// Open the work tree containing `start` and resolve `reference` to the commit compared
    /// with: the merge base of the reference and `HEAD`, or the reference itself when there
    /// is none (an unborn `HEAD`, a shallow clone missing the history).
    pub fn open(start: &Path, reference: &str) -> Result<Self, BaselineError> {
        let shown = start.display().to_string();
        let top = work_tree_top(start).ok_or_else(|| BaselineError::NotARepository {
            path: shown.clone(),
        })?;
        let repo = gix::open_opts(&top, gix::open::Options::isolated()).map_err(|error| {
            BaselineError::Repository {
                path: top.display().to_string(),
                detail: detail(&error),
            }
        })?;
        let unknown = |error: &dyn std::fmt::Display| BaselineError::UnknownRef {
            reference: reference.to_owned(),
            detail: detail(error),
        };
        let commit = repo
            .rev_parse_single(reference)
            .map_err(|error| unknown(&error))?
            .object()
            .map_err(|error| unknown(&error))?
            .peel_to_commit()
            .map_err(|error| unknown(&error))?
            .id;
        let base = repo
            .head_id()
            .ok()
            .and_then(|head| repo.merge_base(commit, head.detach()).ok().flatten())
            .map_or(commit, gix::Id::detach);
        Ok(Self {
            repo,
            top,
            reference: reference.to_owned(),
            base,
            deleted: OnceCell::new(),
        })
    }

    /// The commit compared with (the merge base), for messages.
    pub fn base(&self) -> String {
        self.base.to_string()
    }

    fn git_error(&self, error: &dyn std::fmt::Display) -> BaselineError {
        BaselineError::Git {
            reference: self.reference.clone(),
            detail: detail(error),
        }
    }

    fn base_tree(&self) -> Result<gix::Tree<'_>, BaselineError> {
        self.repo
            .find_object(self.base)
            .and_then(|object| object.peel_to_tree())
            .map_err(|error| self.git_error(&error))
    }

    /// How each of `sources` (by display path) changed since the base.
    pub fn changes<'a>(
        &self,
        sources: impl IntoIterator<Item = &'a SourceFile>,
    ) -> Result<BTreeMap<String, FileChange>, BaselineError> {
        let tree = self.base_tree()?;
        let cwd = std::env::current_dir().ok();
        let mut changes = BTreeMap::new();
        let mut renamed_from: BTreeSet<String> = BTreeSet::new();
        for source in sources {
            if changes.contains_key(source.path()) {
                continue;
            }
            let change = match self.repo_path(source.path(), cwd.as_deref()) {
                None => FileChange::All,
                Some(path) => {
                    let old = match self.blob_at(&tree, &path)? {
                        Some(old) => Some(old),
                        None => self.renamed_from(&tree, source.text(), &mut renamed_from)?,
                    };
                    old.map_or(FileChange::All, |old| {
                        FileChange::Lines(changed_lines(&old, source.text()))
                    })
                }
            };
            changes.insert(source.path().to_owned(), change);
        }
        Ok(changes)
    }

    /// A display path (relative to the working directory, or absolute) as a `/`-separated
    /// path relative to the work tree's top; `None` outside the work tree.
    fn repo_path(&self, display: &str, cwd: Option<&Path>) -> Option<String> {
        let path = Path::new(display);
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else {
            cwd?.join(path)
        };
        let absolute = lexical(&absolute);
        let relative = absolute
            .strip_prefix(&self.top)
            .map(Path::to_path_buf)
            .ok()
            .or_else(|| {
                // The working directory may be reached through a link: resolve the parent.
                let parent = std::fs::canonicalize(absolute.parent()?).ok()?;
                let joined = parent.join(absolute.file_name()?);
                joined.strip_prefix(&self.top).ok().map(Path::to_path_buf)
            })?;
        let parts: Option<Vec<&str>> = relative
            .components()
            .map(|component| match component {
                Component::Normal(part) => part.to_str(),
                _ => None,
            })
            .collect();
        let parts = parts?;
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    /// The text of the blob at `path` in `tree`, if it is a blob there (not a directory, a
    /// symbolic link or a submodule) and not over the size cap.
    fn blob_at(&self, tree: &gix::Tree<'_>, path: &str) -> Result<Option<String>, BaselineError> {
        let entry = tree
            .lookup_entry_by_path(path)
            .map_err(|error| self.git_error(&error))?;
        match entry {
            Some(entry) if entry.mode().is_blob() => self.blob_text(entry.object_id()),
            _ => Ok(None),
        }
    }

    fn blob_text(&self, id: gix::ObjectId) -> Result<Option<String>, BaselineError> {
        let header = self
            .repo
            .find_header(id)
            .map_err(|error| self.git_error(&error))?;
        if header.size() > MAX_BLOB_BYTES {
            return Ok(None);
        }
        let object = self
            .repo
            .find_object(id)
            .map_err(|error| self.git_error(&error))?;
        Ok(Some(String::from_utf8_lossy(&object.data).into_owned()))
    }

    /// The text of the deleted file `text` was renamed from, if any: the same blob, else
    /// the most similar one (at least [`MIN_RENAME_SIMILARITY`]). Each deleted file is the
    /// source of one rename only (`used`).
    fn renamed_from(
        &self,
        tree: &gix::Tree<'_>,
        text: &str,
        used: &mut BTreeSet<String>,
    ) -> Result<Option<String>, BaselineError> {
        let deleted = match self.deleted.get() {
            Some(deleted) => deleted,
            None => {
                let listed = self.list_deleted(tree)?;
                self.deleted.get_or_init(|| listed)
            }
        };
        let id = gix::objs::compute_hash(
            self.repo.object_hash(),
            gix::objs::Kind::Blob,
            text.as_bytes(),
        )
        .map_err(|error| self.git_error(&error))?;
        if let Some((path, _)) = deleted
            .iter()
            .find(|(path, blob)| *blob == id && !used.contains(path))
        {
            used.insert(path.clone());
            return Ok(Some(text.to_owned()));
        }
        let mut best: Option<(f32, &str, String)> = None;
        for (path, blob) in deleted
            .iter()
            .filter(|(path, _)| !used.contains(path))
            .take(MAX_RENAME_CANDIDATES)
        {
            let Some(old) = self.blob_text(*blob)? else {
                continue;
            };
            let ratio = TextDiff::configure()
                .algorithm(Algorithm::Myers)
                .timeout(DIFF_TIMEOUT)
                .diff_lines(old.as_str(), text)
                .ratio();
            if ratio >= MIN_RENAME_SIMILARITY && best.as_ref().is_none_or(|(max, ..)| ratio > *max)
            {
                best = Some((ratio, path, old));
            }
        }
        Ok(best.map(|(_, path, old)| {
            used.insert(path.to_owned());
            old
        }))
    }

    /// Blobs at the base, of a kind pinwarden scans, whose path is gone from the work tree
    /// (only checked with `lstat`: nothing is read).
    fn list_deleted(
        &self,
        tree: &gix::Tree<'_>,
    ) -> Result<Vec<(String, gix::ObjectId)>, BaselineError> {
        let files = tree
            .traverse()
            .breadthfirst
            .files()
            .map_err(|error| self.git_error(&error))?;
        Ok(files
            .into_iter()
            .filter(|entry| entry.mode.is_blob())
            .filter_map(|entry| {
                let path = String::from_utf8(entry.filepath.into()).ok()?;
                let scannable = crate::discover::classify(Path::new(&path)).is_some()
                    || Path::new(&path)
                        .extension()
                        .and_then(|ext| ext.to_str())
                        .is_some_and(|ext| {
                            matches!(ext.to_ascii_lowercase().as_str(), "yml" | "yaml" | "json")
                        });
                let gone = std::fs::symlink_metadata(self.top.join(&path)).is_err();
                (scannable && gone).then_some((path, entry.oid))
            })
            .collect())
    }

    /// Which of `paths` (`/`-separated, relative to the work tree's top) differ between the
    /// commit compared with (the merge base of the reference and `HEAD`) and `HEAD`: `git
    /// diff --name-only REF...HEAD`.
    pub fn changed_paths(&self, paths: &[String]) -> Result<Vec<String>, BaselineError> {
        let base_tree = self.base_tree()?;
        let head_tree = self
            .repo
            .head_commit()
            .and_then(|commit| commit.tree())
            .map_err(|error| self.git_error(&error))?;
        let mut changed = Vec::new();
        for path in paths {
            let at = |tree: &gix::Tree<'_>| {
                tree.lookup_entry_by_path(path)
                    .map(|entry| entry.map(|entry| (entry.mode(), entry.object_id())))
                    .map_err(|error| self.git_error(&error))
            };
            if at(&base_tree)? != at(&head_tree)? && !changed.contains(path) {
                changed.push(path.clone());
            }
        }
        Ok(changed)
    }
}

/// 1-based lines of `new` that a line diff from `old` inserts or replaces.
pub fn changed_lines(old: &str, new: &str) -> BTreeSet<usize> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new);
    let mut lines = BTreeSet::new();
    for op in diff.ops() {
        let (tag, _, new_range) = op.as_tag_tuple();
        if matches!(tag, DiffTag::Insert | DiffTag::Replace) {
            lines.extend(new_range.map(|index| index + 1));
        }
    }
    lines
}

/// Remove `.` and resolve `..` lexically.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_are_the_new_and_edited_ones() {
        // (old, new, changed lines of new)
        let cases: &[(&str, &str, &[usize])] = &[
            ("a\nb\n", "a\nb\n", &[]),
            // two lines inserted above: only they are new
            ("a\nb\n", "x\ny\na\nb\n", &[1, 2]),
            // an edited line
            ("a\nb\nc\n", "a\nB\nc\n", &[2]),
            // a deleted line changes no line of the new text
            ("a\nb\nc\n", "a\nc\n", &[]),
            // CRLF kept as is: an unchanged CRLF line is unchanged
            ("a\r\nb\r\n", "a\r\nb\r\nc\r\n", &[3]),
            // a last line without a newline that gains one counts as edited, like git
            ("a\nb", "a\nb\n", &[2]),
        ];
        for (old, new, expected) in cases {
            let lines: Vec<usize> = changed_lines(old, new).into_iter().collect();
            assert_eq!(&lines, expected, "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn touches_is_inclusive() {
        let change = FileChange::Lines([3].into_iter().collect());
        assert!(change.touches(3, 3));
        assert!(change.touches(1, 3));
        assert!(!change.touches(4, 9));
        assert!(!change.touches(1, 2));
        assert!(FileChange::All.touches(7, 7));
    }
}
