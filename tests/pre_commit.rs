//! The pre-commit hook (`.pre-commit-hooks.yaml`): read as pre-commit reads it, and run the
//! way pre-commit runs it: the `entry` split into words, the binary found on `PATH`, and the
//! staged files that match `files` appended as arguments (`pass_filenames`), in the
//! repository's top directory.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use common::root;
use pinwarden::parse::yaml::{Node, parse_yaml};
use regex::Regex;

/// The `pinwarden` hook of the repository's `.pre-commit-hooks.yaml`.
struct Hook {
    entry: String,
    language: String,
    files: Regex,
    pass_filenames: bool,
}

fn hook() -> Hook {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let yaml = parse_yaml(&text).unwrap();
    let hooks = yaml.documents[0].as_sequence().unwrap();
    let hook: &Node = hooks
        .iter()
        .find(|hook| hook.get("id").and_then(Node::as_str) == Some("pinwarden"))
        .expect("a hook with id `pinwarden`");
    let field = |key: &str| hook.get(key).and_then(Node::as_str).map(str::to_owned);
    Hook {
        entry: field("entry").unwrap(),
        language: field("language").unwrap(),
        // pre-commit matches `files` with Python's `re.search`; this pattern uses nothing
        // where the two dialects differ.
        files: Regex::new(&field("files").unwrap()).unwrap(),
        // pre-commit's default is true.
        pass_filenames: field("pass_filenames").is_none_or(|value| value == "true"),
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", dir.join(".no-global-gitconfig"))
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_hook_is_declared_as_pre_commit_expects() {
    let hook = hook();
    assert_eq!(hook.entry, "pinwarden scan");
    // pre-commit builds a `language: rust` hook with `cargo install --path .` at the root.
    assert_eq!(hook.language, "rust");
    assert!(root().join("Cargo.toml").is_file());
    assert!(hook.pass_filenames);
    // (path, does the hook get it)
    let cases = [
        ("Dockerfile", true),
        ("docker/Dockerfile", true),
        ("Dockerfile.prod", true),
        ("app.Dockerfile", true),
        ("Containerfile", true),
        ("build/Containerfile.arm64", true),
        ("compose.yaml", true),
        ("docker-compose.override.yml", true),
        (".github/workflows/ci.yml", true),
        ("action.yml", true),
        ("deploy/k8s/deployment.yaml", true),
        ("README.md", false),
        ("src/main.rs", false),
        ("docs/Dockerfile.md.txt/notes", false),
        ("NotADockerfile", false),
    ];
    for (path, expected) in cases {
        assert_eq!(hook.files.is_match(path), expected, "{path}");
    }
}

/// Stage `files` in a fresh repository and run the hook on the staged files it matches, as
/// `pre-commit run` does; returns (exit code, output, the files passed).
fn run_hook(files: &[(&str, &str)]) -> (i32, String, Vec<String>) {
    let hook = hook();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    for (path, text) in files {
        let path = repo.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(repo, &["add", "-A"]);
    let staged = git(repo, &["diff", "--cached", "--name-only", "-z"]);
    let matched: Vec<String> = staged
        .split('\0')
        .filter(|path| !path.is_empty() && hook.files.is_match(path))
        .map(str::to_owned)
        .collect();
    let mut words = hook.entry.split_whitespace();
    let program = words.next().unwrap();
    // pre-commit puts the installed hook's `bin/` first on PATH.
    let binary = Path::new(env!("CARGO_BIN_EXE_pinwarden"));
    let path = std::env::join_paths(
        std::iter::once(binary.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let output = Command::new(program)
        .current_dir(repo)
        .env_clear()
        .env("PATH", path)
        .args(words)
        .args(&matched)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text, matched)
}

#[test]
fn the_hook_fails_a_commit_that_adds_an_unpinned_image() {
    let (code, output, passed) = run_hook(&[
        ("Dockerfile", "FROM nginx:latest\nUSER app\n"),
        (
            "deploy/web.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: redis\n",
        ),
        ("README.md", "FROM nginx:latest\n"),
    ]);
    assert_eq!(passed, ["Dockerfile", "deploy/web.yaml"]);
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("Dockerfile:1:6: PW101"), "{output}");
    assert!(output.contains("deploy/web.yaml:8:14: PW102"), "{output}");
    assert!(!output.contains("README.md"), "{output}");
}

#[test]
fn the_hook_passes_a_pinned_commit() {
    let (code, output, passed) = run_hook(&[
        ("Dockerfile", "FROM nginx:1.27.3\nUSER app\n"),
        ("notes.txt", "FROM nginx:latest\n"),
    ]);
    assert_eq!(passed, ["Dockerfile"]);
    assert_eq!(code, 0, "{output}");
}
