//! `pinwarden --version` names the version and the commit the binary was built from, and the
//! build script's choice of that commit (git, else `PINWARDEN_COMMIT`, else the crate's
//! `.cargo_vcs_info.json`, else `unknown`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

// The build script itself, so its pure functions are tested with the rest (its `main` and the
// git helpers are not called here).
#[allow(dead_code, unreachable_pub)]
#[path = "../build.rs"]
mod build_script;

use std::process::Command;

use build_script::{choose_commit, normalize_commit, vcs_info_commit};
use common::{pinwarden, root};

const SHA1: &str = "5de56c1d0c6a2b1e3f4a5b6c7d8e9f0a1b2c3d4e";
const OTHER: &str = "0123456789abcdef0123456789abcdef01234567";
const SHA256: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The commit of the checkout the tests run in, when the crate is its top level (as in
/// development and CI); `None` in an unpacked crate.
fn checkout_head() -> Option<String> {
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .current_dir(root())
            .args(args)
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8(output.stdout).ok())
            .flatten()
            .map(|text| text.trim().to_owned())
    };
    let toplevel = git(&["rev-parse", "--show-toplevel"])?;
    (std::fs::canonicalize(toplevel).ok()? == std::fs::canonicalize(root()).ok()?)
        .then(|| git(&["rev-parse", "HEAD"]))
        .flatten()
}

#[test]
fn version_names_the_package_version_and_the_commit() {
    let output = pinwarden().arg("--version").output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let line = stdout.strip_suffix('\n').expect("one line");
    let rest = line
        .strip_prefix(&format!("pinwarden {} (commit ", env!("CARGO_PKG_VERSION")))
        .unwrap_or_else(|| panic!("unexpected --version output: {line:?}"));
    let commit = rest.strip_suffix(')').unwrap();
    match checkout_head() {
        // Built from this checkout: the commit is HEAD's, including after a new commit
        // (build.rs watches the ref, so the binary is rebuilt with the new id).
        Some(head) => assert_eq!(commit, head, "--version names a commit that is not HEAD"),
        None => assert!(
            commit == "unknown" || normalize_commit(commit).as_deref() == Some(commit),
            "not a commit id: {commit:?}"
        ),
    }
}

#[test]
fn subcommands_print_the_same_version() {
    let top = pinwarden().arg("--version").output().unwrap();
    let scan = pinwarden().args(["scan", "--version"]).output().unwrap();
    let top = String::from_utf8(top.stdout).unwrap();
    let scan = String::from_utf8(scan.stdout).unwrap();
    let (_, top_version) = top.split_once(' ').unwrap();
    let (_, scan_version) = scan.split_once(' ').unwrap();
    assert_eq!(top_version, scan_version);
}

/// (git's answer, `PINWARDEN_COMMIT`, `.cargo_vcs_info.json`, the commit recorded).
type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, &'a str);

#[test]
fn the_commit_comes_from_git_then_the_variable_then_the_vcs_file() {
    let vcs =
        format!("{{\n  \"git\": {{\n    \"sha1\": \"{OTHER}\"\n  }},\n  \"path_in_vcs\": \"\"\n}}");
    let cases: [Case; 9] = [
        (Some(SHA1), None, None, SHA1),
        (Some(SHA1), Some(OTHER), Some(&vcs), SHA1), // git wins: it is what is built
        (None, Some(SHA1), Some(&vcs), SHA1),        // no .git (docker build): the variable
        (None, None, Some(&vcs), OTHER),             // an unpacked crate: the vcs file
        (None, Some(""), Some(&vcs), OTHER),         // an empty variable is unset
        (None, Some("  \n"), None, "unknown"),
        (None, None, None, "unknown"),
        (None, Some(&SHA1.to_ascii_uppercase()), None, SHA1), // lower-cased
        (None, Some(SHA256), None, SHA256),                   // a SHA-256 repository
    ];
    for (git, from_env, vcs_info, expected) in cases {
        assert_eq!(
            choose_commit(git, from_env, vcs_info).unwrap(),
            expected,
            "git {git:?}, env {from_env:?}, vcs {vcs_info:?}"
        );
    }
}

#[test]
fn a_malformed_variable_fails_the_build() {
    for bad in [
        "abc123",
        "main",
        "v1.2.3",
        &format!("{SHA1}0"),
        &format!("{SHA1}\nx"),
    ] {
        let error = choose_commit(Some(SHA1), Some(bad), None).unwrap_err();
        assert!(error.contains("PINWARDEN_COMMIT"), "{error}");
    }
}

#[test]
fn git_output_that_is_not_a_commit_is_ignored() {
    assert_eq!(
        choose_commit(Some("fatal: not a git repository"), None, None).unwrap(),
        "unknown"
    );
    assert_eq!(choose_commit(Some(""), Some(SHA1), None).unwrap(), SHA1);
}

#[test]
fn the_vcs_file_is_read_whatever_its_spacing_and_refused_when_malformed() {
    let cases = [
        (
            format!("{{\"git\":{{\"sha1\":\"{SHA1}\",\"dirty\":true}},\"path_in_vcs\":\"\"}}"),
            Some(SHA1),
        ),
        (
            format!("{{ \"git\" : {{ \"sha1\" :\t\"{SHA1}\" }} }}"),
            Some(SHA1),
        ),
        ("{\"git\":{\"sha1\":\"abc\"}}".to_owned(), None), // too short
        ("{\"path_in_vcs\":\"\"}".to_owned(), None),       // no git section
        (format!("{{\"git\":{{\"sha1\":{SHA1}}}}}"), None), // not a string
        ("\"sha1\"".to_owned(), None),
    ];
    for (text, expected) in cases {
        assert_eq!(vcs_info_commit(&text).as_deref(), expected, "{text}");
    }
}
