//! Discovery the pull request cannot switch off. In a git work tree every tracked file is
//! scanned whatever `.gitignore` says (git's own rule: ignore files apply to untracked files
//! only); `.ignore` / `.rgignore` are never honoured; `--exclude` is the explicit way out.
//! Outside a git work tree `.gitignore` is honoured as before. The index is read directly, so
//! nothing a repository's `.git/config` names (`core.fsmonitor`, hooks) ever runs.
//!
//! The repositories are built with the `git` binary (installed by `.ci/test`), with an
//! environment that ignores the developer's own git configuration.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod fake_github;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{ActionStep, run, tempdir, write};

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A repository with a committed Dockerfile using `:latest`.
fn repo(root: &Path) -> PathBuf {
    let repo = root.join("repo");
    write(repo.join("Dockerfile"), "FROM python:latest\n");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "Dockerfile"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    repo
}

/// (exit code, paths with findings, notifications) of `scan --format json ARGS` in `dir`.
fn scan(dir: &Path, args: &[&str]) -> (i32, Vec<String>, Vec<String>) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let output = run(dir, &all, &[]);
    let report: Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|_| panic!("{}\n{}", output.stdout, output.stderr));
    // Each path once, whatever rules fire on it.
    let mut paths: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    paths.dedup();
    let notes = report["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{}: {}", n["path"], n["message"]))
        .collect();
    (output.code, paths, notes)
}

#[test]
fn ignore_files_added_by_the_change_cannot_hide_a_tracked_file() {
    let (_dir, root) = tempdir();
    let repo = repo(&root);
    write(repo.join(".ignore"), "*\n");
    write(repo.join(".rgignore"), "*\n");
    write(repo.join(".gitignore"), "Dockerfile\n");
    write(repo.join("sub/.gitignore"), "*\n");
    // committed too, as the pull request would
    git(
        &repo,
        &[
            "add",
            "-f",
            ".ignore",
            ".rgignore",
            ".gitignore",
            "sub/.gitignore",
        ],
    );
    git(&repo, &["commit", "-q", "-m", "silence it"]);
    let (code, paths, _) = scan(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(paths, ["Dockerfile"]);
    // still, in the action
    let fake = support::fake();
    let mut step = ActionStep::new(&root, &repo, &fake);
    step.set("INPUT_UPLOAD", "false");
    let run = step.run(&fake);
    assert_eq!(run.code, 1, "{}", run.dump());
}

#[test]
fn untracked_files_follow_gits_ignore_rules() {
    let (_dir, root) = tempdir();
    let repo = repo(&root);
    write(
        repo.join(".gitignore"),
        "build/\n*.generated.yaml\nvendor/\n",
    );
    // untracked and ignored: skipped
    write(repo.join("build/Dockerfile"), "FROM ignored:latest\n");
    write(
        repo.join("k8s/app.generated.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - {name: a, image: ignored}\n",
    );
    // untracked, not ignored: scanned
    write(repo.join("new/Dockerfile"), "FROM ubuntu:latest\n");
    // tracked inside an ignored directory (`git add -f`): scanned
    write(repo.join("vendor/Dockerfile"), "FROM alpine:latest\n");
    git(&repo, &["add", "-f", "vendor/Dockerfile"]);
    // ignored for git, but `.ignore` is not a git rule: the file is still untracked-ignored
    // only by .gitignore; `.ignore` adds nothing
    write(repo.join(".ignore"), "new/\n");
    let (code, paths, _) = scan(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(paths, ["Dockerfile", "new/Dockerfile", "vendor/Dockerfile"]);
}

#[test]
fn exclude_is_the_explicit_way_out() {
    let (_dir, root) = tempdir();
    let repo = repo(&root);
    write(repo.join("vendor/x/Dockerfile"), "FROM alpine:latest\n");
    git(&repo, &["add", "vendor"]);
    let (code, paths, _) = scan(&repo, &["--exclude", "vendor"]);
    assert_eq!((code, paths), (1, vec!["Dockerfile".to_owned()]));
    let (code, paths, _) = scan(&repo, &["--exclude", "vendor", "--exclude", "/Dockerfile"]);
    assert_eq!((code, paths), (0, Vec::<String>::new()));
    // the action's `exclude` input, one glob per line
    let fake = support::fake();
    let mut step = ActionStep::new(&root, &repo, &fake);
    step.set("INPUT_UPLOAD", "false")
        .set("INPUT_EXCLUDE", "vendor\n/Dockerfile\n");
    let run = step.run(&fake);
    assert_eq!(run.code, 0, "{}", run.dump());
    // a bad glob is a usage error naming it
    let output = support::run(&repo, &["scan", "--exclude", "a["], &[]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("`a[`"), "{}", output.stderr);
}

#[test]
fn outside_a_work_tree_gitignore_is_honoured_and_ignore_files_are_not() {
    let (_dir, root) = tempdir();
    let plain = root.join("plain");
    write(plain.join("Dockerfile"), "FROM python:latest\n");
    write(plain.join("other/Dockerfile"), "FROM ubuntu:latest\n");
    write(plain.join(".gitignore"), "/Dockerfile\n");
    write(plain.join(".ignore"), "other/\n");
    let (code, paths, _) = scan(&plain, &[]);
    assert_eq!((code, paths), (1, vec!["other/Dockerfile".to_owned()]));
}

#[test]
fn a_hostile_git_config_runs_nothing() {
    let (_dir, root) = tempdir();
    let repo = repo(&root);
    let marker = root.join("pwned");
    let script = root.join("hook.sh");
    write(&script, &format!("#!/bin/sh\ntouch {}\n", marker.display()));
    let status = Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success());
    let config = repo.join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "[core]\n\tfsmonitor = {0}\n\thooksPath = {1}\n\tpager = {0}\n\tworktree = /\n",
        script.display(),
        root.display()
    ));
    std::fs::write(&config, text).unwrap();
    let (code, paths, _) = scan(&repo, &[]);
    assert_eq!((code, paths), (1, vec!["Dockerfile".to_owned()]));
    assert!(!marker.exists(), "something in .git/config was run");
}

#[test]
fn subdirectories_worktrees_and_submodules_use_their_index() {
    let (_dir, root) = tempdir();
    let repo = repo(&root);
    write(repo.join("sub/Dockerfile"), "FROM ubuntu:latest\n");
    write(repo.join("sub/.gitignore"), "Dockerfile\n");
    git(&repo, &["add", "-f", "sub"]);
    git(&repo, &["commit", "-q", "-m", "sub"]);
    // a subdirectory of the work tree, named from the top
    let (code, paths, _) = scan(&repo, &["sub"]);
    assert_eq!((code, paths), (1, vec!["sub/Dockerfile".to_owned()]));

    // a linked work tree: `.git` is a file pointing into the main repository
    git(&repo, &["worktree", "add", "-q", "../linked"]);
    let linked = root.join("linked");
    write(linked.join(".gitignore"), "*\n");
    let (code, paths, _) = scan(&linked, &[]);
    assert_eq!(code, 1);
    assert_eq!(paths, ["Dockerfile", "sub/Dockerfile"]);

    // a submodule: its own index
    let library = root.join("library");
    write(library.join("Dockerfile"), "FROM node:latest\n");
    write(library.join(".gitignore"), "Dockerfile\n");
    git(&library, &["init", "-q"]);
    git(&library, &["add", "-f", "Dockerfile", ".gitignore"]);
    git(&library, &["commit", "-q", "-m", "lib"]);
    git(&repo, &["submodule", "add", "-q", "../library", "lib"]);
    let (code, paths, _) = scan(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(paths, ["Dockerfile", "lib/Dockerfile", "sub/Dockerfile"]);
}

#[test]
fn an_unreadable_index_hides_nothing() {
    let (_dir, root) = tempdir();
    let repo = repo(&root);
    write(repo.join(".gitignore"), "Dockerfile\n");
    std::fs::write(repo.join(".git/index"), b"DIRC\x00\x00\x00\x02garbage").unwrap();
    let (code, paths, notes) = scan(&repo, &[]);
    assert_eq!((code, paths), (1, vec!["Dockerfile".to_owned()]));
    assert!(
        notes
            .iter()
            .any(|note| note.contains("cannot read the git index")),
        "{notes:#?}"
    );
}
