//! Build script: records the commit pinwarden is built from, for `pinwarden --version`.
//!
//! The commit is the first of:
//! 1. `git rev-parse HEAD`, when the package directory is itself the top of a git work tree (a
//!    checkout of this repository; not a crate unpacked inside some other repository, such as a
//!    home directory kept in git, whose commit would be a lie);
//! 2. the `PINWARDEN_COMMIT` environment variable, which the release workflow and image builds
//!    set where there is no `.git` (the Docker build context leaves it out);
//! 3. `.cargo_vcs_info.json`, which `cargo package` writes into the crate, so that
//!    `cargo install pinwarden` from crates.io knows the commit the crate was published from;
//! 4. `unknown`.
//!
//! It is passed to the crate as `PINWARDEN_BUILD_COMMIT`. The script reruns only when what it
//! read can have changed (the checked-out ref, the variable, the vcs file), so builds stay
//! incremental: a rerun rebuilds the crate, so it must not rerun for nothing.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable that names the commit where git cannot (`docker build`, a source tarball).
const COMMIT_ENV: &str = "PINWARDEN_COMMIT";

fn main() -> Result<(), String> {
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?,
    );
    let mut watch = vec![manifest_dir.join("build.rs")];

    let git = git_head(&manifest_dir);
    if let Some((_, watched)) = &git {
        watch.extend(watched.iter().cloned());
    }
    let from_env = std::env::var(COMMIT_ENV).ok();
    let vcs_info_path = manifest_dir.join(".cargo_vcs_info.json");
    let vcs_info = fs::read_to_string(&vcs_info_path).ok();
    if vcs_info.is_some() {
        watch.push(vcs_info_path);
    }

    let commit = choose_commit(
        git.as_ref().map(|(head, _)| head.as_str()),
        from_env.as_deref(),
        vcs_info.as_deref(),
    )?;

    let mut out = std::io::stdout().lock();
    let mut emit = |line: String| writeln!(out, "{line}").map_err(|error| error.to_string());
    for path in watch {
        emit(format!("cargo::rerun-if-changed={}", path.display()))?;
    }
    emit(format!("cargo::rerun-if-env-changed={COMMIT_ENV}"))?;
    emit(format!("cargo::rustc-env=PINWARDEN_BUILD_COMMIT={commit}"))
}

/// The commit to record, from git's answer, the variable and the vcs file, in that order. A
/// set but malformed variable is an error (a release must not ship a wrong commit silently).
pub(crate) fn choose_commit(
    git: Option<&str>,
    from_env: Option<&str>,
    vcs_info: Option<&str>,
) -> Result<String, String> {
    let from_env = match from_env.map(str::trim).filter(|value| !value.is_empty()) {
        Some(value) => Some(normalize_commit(value).ok_or_else(|| {
            format!("{COMMIT_ENV}={value:?} is not a 40- or 64-digit hex commit id")
        })?),
        None => None,
    };
    Ok(git
        .and_then(normalize_commit)
        .or(from_env)
        .or_else(|| vcs_info.and_then(vcs_info_commit))
        .unwrap_or_else(|| "unknown".to_owned()))
}

/// A full commit id (SHA-1, or SHA-256 for repositories in that object format), lower-cased.
pub(crate) fn normalize_commit(value: &str) -> Option<String> {
    let value = value.trim();
    (matches!(value.len(), 40 | 64) && value.bytes().all(|byte| byte.is_ascii_hexdigit()))
        .then(|| value.to_ascii_lowercase())
}

/// `git.sha1` from `.cargo_vcs_info.json` (`{"git": {"sha1": "…"}, "path_in_vcs": ""}`). The file
/// is cargo's, with a fixed shape, so a search for the key is enough and needs no JSON parser.
pub(crate) fn vcs_info_commit(text: &str) -> Option<String> {
    let (_, after_key) = text.split_once("\"sha1\"")?;
    let after_colon = after_key.trim_start().strip_prefix(':')?;
    let quoted = after_colon.trim_start().strip_prefix('"')?;
    let (value, _) = quoted.split_once('"')?;
    normalize_commit(value)
}

/// `HEAD`'s commit when `dir` is the top of a git work tree, with the files whose change means
/// `HEAD` may now name another commit. `None` when git is missing or `dir` is not a top level.
fn git_head(dir: &Path) -> Option<(String, Vec<PathBuf>)> {
    let toplevel = git(dir, &["rev-parse", "--show-toplevel"])?;
    if fs::canonicalize(&toplevel).ok()? != fs::canonicalize(dir).ok()? {
        return None;
    }
    let head = git(dir, &["rev-parse", "--verify", "HEAD^{commit}"])?;
    let git_dir = PathBuf::from(git(dir, &["rev-parse", "--absolute-git-dir"])?);
    let common_dir = git(dir, &["rev-parse", "--git-common-dir"])
        .map(|path| absolute_from(dir, &path))
        .unwrap_or_else(|| git_dir.clone());

    // HEAD names a branch (`ref: refs/heads/main`) or, detached, a commit. A commit on the
    // branch rewrites the branch's loose ref file; with the ref packed, it is written anew
    // under refs/heads/, so watch the nearest directory that exists. Worktrees keep HEAD in
    // their own git dir and the refs in the common one.
    let mut watch = vec![git_dir.join("HEAD")];
    let head_file = fs::read_to_string(git_dir.join("HEAD")).unwrap_or_default();
    if let Some(reference) = head_file.trim().strip_prefix("ref:") {
        let mut path = common_dir.clone();
        path.extend(reference.trim().split('/'));
        while !path.exists() && path.pop() && path.starts_with(&common_dir) {}
        if path.starts_with(&common_dir) && path != common_dir {
            watch.push(path);
        }
    }
    for extra in ["packed-refs", "reftable"] {
        let path = common_dir.join(extra);
        if path.exists() {
            watch.push(path);
        }
    }
    Some((head, watch))
}

fn absolute_from(dir: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    }
}

/// Run git in `dir`; its trimmed stdout on success.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
