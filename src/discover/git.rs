//! The git work tree around a scan root and the files its index tracks, read with
//! `gix-index` (no `git` process, nothing a repository's config could make run).
//!
//! NOTE: the work tree is the directory holding `.git` (a directory, or a file
//! `gitdir: <path>` for linked work trees and submodules); `core.worktree` and `GIT_DIR` are
//! not consulted, so a checkout's own config cannot point discovery elsewhere.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A git work tree: its top directory and its index file.
#[derive(Debug)]
pub(super) struct WorkTree {
    pub(super) top: PathBuf,
    index: PathBuf,
}

/// One tracked path under the scan root.
#[derive(Debug)]
pub(super) struct Tracked {
    /// Relative to the scan root.
    pub(super) path: PathBuf,
    pub(super) symlink: bool,
    /// A gitlink: a submodule's directory.
    pub(super) submodule: bool,
}

/// How many bytes one index may make us allocate (a corrupt file must not exhaust memory).
const MAX_INDEX_ALLOCATION: usize = 1 << 30;

impl WorkTree {
    /// The work tree `real` (a canonical directory) lies in, if any.
    pub(super) fn containing(real: &Path) -> Option<Self> {
        real.ancestors().find_map(Self::at)
    }

    /// The work tree whose top is exactly `dir`, if `dir` holds a `.git`.
    pub(super) fn at(dir: &Path) -> Option<Self> {
        let dot_git = dir.join(".git");
        let metadata = std::fs::symlink_metadata(&dot_git).ok()?;
        let git_dir = if metadata.is_dir() {
            dot_git
        } else if metadata.is_file() {
            // `gitdir: <path>`, relative to the work tree when not absolute.
            let text = crate::read::read_bounded(&dot_git, 4096).ok()?;
            let text = String::from_utf8(text).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            dir.join(target)
        } else {
            return None;
        };
        Some(Self {
            top: dir.to_path_buf(),
            index: git_dir.join("index"),
        })
    }

    /// The tracked paths under `prefix` (the scan root relative to the top), relative to
    /// the scan root. A repository without an index yet tracks nothing.
    pub(super) fn tracked(&self, prefix: &Path) -> Result<Vec<Tracked>, String> {
        let options = gix_index::decode::Options {
            alloc_limit_bytes: Some(MAX_INDEX_ALLOCATION),
            ..Default::default()
        };
        let file =
            gix_index::File::at_or_default(&self.index, gix_hash::Kind::Sha1, false, options)
                .map_err(|error| error.to_string())?;
        let prefix = prefix.as_os_str().as_bytes();
        let mut tracked = Vec::new();
        let mut previous: Option<&[u8]> = None;
        for entry in file.entries() {
            let path: &[u8] = entry.path(&file);
            // Conflicted paths have one entry per stage, next to each other.
            if previous == Some(path) || entry.mode.is_sparse() {
                continue;
            }
            previous = Some(path);
            let relative = if prefix.is_empty() {
                path
            } else {
                match path
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.strip_prefix(b"/"))
                {
                    Some(rest) => rest,
                    None => continue,
                }
            };
            tracked.push(Tracked {
                path: PathBuf::from(OsStr::from_bytes(relative)),
                symlink: entry.mode == gix_index::entry::Mode::SYMLINK,
                submodule: entry.mode.is_submodule(),
            });
        }
        Ok(tracked)
    }
}
