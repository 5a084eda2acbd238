//! The scanned repository is hostile: a pull request controls every file and symlink in it.
//! Built at test time (symlinks are never committed), each case checks a promise of the
//! README's "Security model":
//!
//! - no byte outside the scan root is read because the repository said so: a canary outside
//!   it, reached through a symlinked Dockerfile, Containerfile, compose file, `.env`,
//!   workflow, action.yml, Kubernetes manifest, directory, scan-root child, `.git/config` and
//!   `/proc/self/environ`, appears in no output of any format, nor in `$GITHUB_OUTPUT`, the
//!   summary, the annotations or the body uploaded to the loopback fake GitHub;
//! - files pinwarden writes or reads back are never reached through a planted link, FIFO or
//!   device (the victim is unchanged, nothing hangs);
//! - a pull request from a fork skips the upload and the gate still decides;
//! - a token that cannot be an HTTP header is exit 2, not a panic, and is never printed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod fake_github;
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{ActionStep, TOKEN, mkfifo, run, scan_all_formats, symlink, tempdir, write};

/// Written only outside the scan root; lowercase so it can sit in an image name.
const CANARY: &str = "pwcanary7f3a9c";

/// A checkout full of links out of it, next to the directory they point into.
/// Returns the workspace.
fn hostile_checkout(root: &Path) -> PathBuf {
    let outside = root.join("outside");
    write(
        outside.join("Dockerfile"),
        &format!("FROM {CANARY}/base:latest\nRUN echo {CANARY}\n"),
    );
    write(
        outside.join("compose.yaml"),
        &format!("services:\n  app:\n    image: {CANARY}/app:latest\n"),
    );
    write(
        outside.join(".env"),
        &format!("TAG={CANARY}\nDB_PASSWORD={CANARY}-secret\n{CANARY} broken line\n"),
    );
    write(
        outside.join("workflow.yml"),
        &format!(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container: {CANARY}/ci:latest\n    steps:\n      - run: echo {CANARY}\n"
        ),
    );
    write(
        outside.join("action.yml"),
        &format!("name: x\nruns:\n  using: docker\n  image: docker://{CANARY}/act:latest\n"),
    );
    write(
        outside.join("pod.yaml"),
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n    - name: c\n      image: {CANARY}/pod:latest\n"
        ),
    );

    let ws = root.join("workspace");
    // The one real finding, so the gate fails and every output has content.
    write(ws.join("real/Dockerfile"), "FROM python:latest\n");
    symlink("../outside/Dockerfile", ws.join("Dockerfile"));
    symlink(outside.join("Dockerfile"), ws.join("Containerfile"));
    symlink("../outside/compose.yaml", ws.join("compose.yaml"));
    write(
        ws.join("app/compose.yaml"),
        "services:\n  web:\n    image: \"nginx:${TAG}\"\n",
    );
    symlink("../../outside/.env", ws.join("app/.env"));
    symlink(
        "../../../outside/workflow.yml",
        ws.join(".github/workflows/ci.yml"),
    );
    symlink("../outside/action.yml", ws.join("action.yml"));
    symlink("../../outside/pod.yaml", ws.join("k8s/pod.yaml"));
    // a symlinked directory, and a scan-root child pointing at an absolute path
    symlink("../outside", ws.join("linked"));
    symlink(&outside, ws.join("deploy"));
    // the process's own environment, and the checkout credential
    symlink("/proc/self/environ", ws.join("proc/Dockerfile"));
    write(
        ws.join(".git/config"),
        &format!("[http]\n\textraheader = AUTHORIZATION: basic {CANARY}\n"),
    );
    symlink(".git/config", ws.join("Dockerfile.git"));
    symlink("../.git/config", ws.join("k8s/git.yaml"));
    ws
}

fn assert_no_canary(place: &str, text: &str) {
    assert!(
        !text.to_ascii_lowercase().contains(CANARY),
        "the canary from outside the scan root reached {place}:\n{text}"
    );
}

#[test]
fn nothing_outside_the_root_reaches_any_output() {
    let (_dir, root) = tempdir();
    let ws = hostile_checkout(&root);
    for (format, output) in scan_all_formats(&ws, &[]) {
        assert_eq!(output.code, 1, "{format}: {}", output.stderr);
        assert_no_canary(&format!("`--format {format}` stdout"), &output.stdout);
        assert_no_canary(&format!("`--format {format}` stderr"), &output.stderr);
    }
    // The process's environment holds the canary too: /proc/self/environ must not be read.
    let output = run(
        &ws,
        &["scan", "--format", "json", "--env-from-process"],
        &[("LEAK", CANARY)],
    );
    assert_no_canary("json with the canary in the environment", &output.stdout);

    // Each link is named in a notification; its target never is.
    let report: Value =
        serde_json::from_str(&run(&ws, &["scan", "--format", "json"], &[]).stdout).unwrap();
    let notes: Vec<(String, String)> = report["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["path"].as_str().unwrap().to_owned(),
                n["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (link, fragment) in [
        ("Dockerfile", "outside the scan root"),
        ("Containerfile", "outside the scan root"),
        ("compose.yaml", "outside the scan root"),
        ("app/.env", "outside the scan root"),
        (".github/workflows/ci.yml", "outside the scan root"),
        ("action.yml", "outside the scan root"),
        ("k8s/pod.yaml", "outside the scan root"),
        ("linked", "directory outside the scan root"),
        ("deploy", "directory outside the scan root"),
        ("proc/Dockerfile", "outside the scan root"),
        ("Dockerfile.git", "into `.git/`"),
        ("k8s/git.yaml", "into `.git/`"),
    ] {
        assert!(
            notes
                .iter()
                .any(|(path, message)| path == link && message.contains(fragment)),
            "{link}: {notes:#?}"
        );
    }
    // Image rules only (the hardening rules judge the same files too).
    let rules: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .filter(|(_, rule)| rule.starts_with("PW1"))
        .collect();
    // The real Dockerfile's PW101, and the compose file whose `.env` was not read: PW103.
    assert_eq!(
        rules,
        [("app/compose.yaml", "PW103"), ("real/Dockerfile", "PW101")]
    );
}

#[test]
fn nothing_outside_the_root_reaches_the_action_or_the_upload() {
    let (_dir, root) = tempdir();
    let ws = hostile_checkout(&root);
    let fake = support::fake();
    let step = ActionStep::new(&root, &ws, &fake);
    let run = step.run(&fake);
    assert_eq!(run.code, 1, "{}", run.dump());
    for (place, text) in run.places() {
        assert_no_canary(place, text);
        assert!(!text.contains(TOKEN), "token in {place}");
    }
    assert_eq!(fake.uploads().len(), 1, "{}", run.dump());
    assert!(
        run.stdout.contains("::error file=real/Dockerfile"),
        "{}",
        run.dump()
    );
}

#[test]
fn a_symlinked_file_inside_the_root_is_judged_once_under_its_target() {
    let (_dir, root) = tempdir();
    write(root.join("docker/base.Dockerfile"), "FROM python:latest\n");
    symlink("docker/base.Dockerfile", root.join("Dockerfile"));
    // a link to a file no name rule claims: judged by the link's name, under the target's path
    write(root.join("templates/base.txt"), "FROM ubuntu:latest\n");
    symlink("templates/base.txt", root.join("Containerfile"));
    // a symlinked directory inside the root is not walked twice
    symlink("docker", root.join("again"));
    let report: Value = serde_json::from_str(
        &run(
            &root,
            &["scan", "--format", "json", "--fail-on", "never"],
            &[],
        )
        .stdout,
    )
    .unwrap();
    // Each file once, whatever rules fire on it (PW401 and an image rule on each).
    let mut paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.dedup();
    assert_eq!(paths, ["docker/base.Dockerfile", "templates/base.txt"]);
}

#[test]
fn explicit_paths_are_the_users_choice_but_links_inside_them_are_not() {
    let (_dir, root) = tempdir();
    let ws = hostile_checkout(&root);
    // Naming the link itself is the user's choice: it is read.
    let output = run(&ws, &["scan", "--format", "json", "Dockerfile"], &[]);
    assert!(output.stdout.contains(CANARY), "{}", output.stdout);
    // A directory named explicitly: links inside it are still not followed out.
    let output = run(&root, &["scan", "--format", "json", "workspace"], &[]);
    assert_no_canary("an explicit directory's scan", &output.stdout);
    // A compose file named explicitly: the `.env` link beside it is not followed out.
    let output = run(
        &ws.join("app"),
        &["scan", "--format", "json", "compose.yaml"],
        &[],
    );
    assert_no_canary("an explicit compose file's .env", &output.stdout);
    assert!(
        output.stdout.contains("outside the scan root"),
        "{}",
        output.stdout
    );
    // ...while a real `.env` beside it is read.
    write(
        ws.join("plain/compose.yaml"),
        "services:\n  a:\n    image: \"nginx:${TAG}\"\n",
    );
    write(ws.join("plain/.env"), "TAG=latest\n");
    let output = run(
        &ws.join("plain"),
        &["scan", "--format", "json", "compose.yaml"],
        &[],
    );
    assert!(output.stdout.contains("PW101"), "{}", output.stdout);
}

#[test]
fn a_path_input_leading_outside_the_workspace_is_refused() {
    let (_dir, root) = tempdir();
    let ws = hostile_checkout(&root);
    let fake = support::fake();
    let mut step = ActionStep::new(&root, &ws, &fake);
    step.set("INPUT_PATH", "deploy");
    let run = step.run(&fake);
    assert_eq!(run.code, 2, "{}", run.dump());
    assert!(
        run.stderr.contains("resolves outside the workspace"),
        "{}",
        run.dump()
    );
    for (place, text) in run.places() {
        assert_no_canary(place, text);
    }
    assert!(fake.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Files pinwarden writes or reads back

const VICTIM: &str = "precious: must stay unchanged\n";

/// A victim file outside the workspace, and a FIFO.
fn victims(root: &Path) -> (PathBuf, PathBuf) {
    let victim = root.join("victim.txt");
    write(&victim, VICTIM);
    let fifo = root.join("victim.fifo");
    mkfifo(&fifo);
    (victim, fifo)
}

fn assert_victim(victim: &Path) {
    assert_eq!(std::fs::read_to_string(victim).unwrap(), VICTIM);
}

#[test]
fn output_is_never_written_through_a_planted_link() {
    let (_dir, root) = tempdir();
    let (victim, fifo) = victims(&root);
    let ws = root.join("ws");
    write(ws.join("Dockerfile"), "FROM python:latest\n");
    for target in [victim.clone(), fifo.clone(), PathBuf::from("/dev/zero")] {
        let report = ws.join("report.sarif");
        let _ = std::fs::remove_file(&report);
        symlink(&target, &report);
        let started = Instant::now();
        let output = run(
            &ws,
            &["scan", "--format", "sarif", "--output", "report.sarif"],
            &[],
        );
        assert!(started.elapsed() < Duration::from_secs(60));
        assert_eq!(output.code, 1, "{target:?}: {}", output.stderr);
        let metadata = std::fs::symlink_metadata(&report).unwrap();
        assert!(
            metadata.is_file(),
            "{target:?}: the link was replaced by the report"
        );
        assert_victim(&victim);
    }
    // A planted FIFO at the path itself is replaced, never opened.
    let report = ws.join("fifo.sarif");
    mkfifo(&report);
    let output = run(&ws, &["scan", "--output", "fifo.sarif"], &[]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(std::fs::symlink_metadata(&report).unwrap().is_file());
    // A linked directory inside the checkout is refused.
    let elsewhere = root.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    symlink(&elsewhere, ws.join("out"));
    let output = run(&ws, &["scan", "--output", "out/report.txt"], &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("symbolic link"), "{}", output.stderr);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[test]
fn files_read_back_must_be_regular_and_bounded() {
    let (_dir, root) = tempdir();
    let (victim, fifo) = victims(&root);
    let ws = root.join("ws");
    write(ws.join("Dockerfile"), "FROM python:3.12.4\n");
    let json = root.join("outside.sarif");
    write(
        &json,
        &format!(
            r#"{{"version": "2.1.0", "runs": [{{"tool": {{"driver": {{"name": "{CANARY}"}}}}}}]}}"#
        ),
    );
    symlink(&json, ws.join("linked.sarif"));
    for (path, fragment) in [
        (fifo.display().to_string(), "not a regular file"),
        ("/dev/zero".to_owned(), "not a regular file"),
        ("linked.sarif".to_owned(), "symbolic link"),
    ] {
        let started = Instant::now();
        let output = run(&ws, &["scan", "--include-sarif", &path], &[]);
        assert!(started.elapsed() < Duration::from_secs(60), "{path}");
        assert_eq!(output.code, 2, "{path}: {}", output.stderr);
        assert!(
            output.stderr.contains(fragment),
            "{path}: {}",
            output.stderr
        );
        assert_no_canary("--include-sarif through a link", &output.stdout);
        assert_no_canary("--include-sarif through a link", &output.stderr);
    }
    assert_victim(&victim);
}

#[test]
fn the_action_never_writes_through_planted_links() {
    let (_dir, root) = tempdir();
    let (victim, fifo) = victims(&root);
    let ws = root.join("workspace");
    write(ws.join("Dockerfile"), "FROM python:latest\n");
    for target in [victim.clone(), fifo.clone(), PathBuf::from("/dev/zero")] {
        let fake = support::fake();
        let sarif = ws.join("pinwarden.sarif");
        let _ = std::fs::remove_file(&sarif);
        symlink(&target, &sarif);
        let step = ActionStep::new(&root, &ws, &fake);
        let run = step.run(&fake);
        assert_eq!(run.code, 1, "{target:?}\n{}", run.dump());
        assert!(
            run.sarif.is_some(),
            "{target:?}: a regular SARIF file was written"
        );
        assert_eq!(fake.uploads().len(), 1, "{}", run.dump());
        assert_victim(&victim);
    }
    // The runner's summary file planted as a link, a FIFO or a device: exit 2, no hang,
    // the victim unchanged, the upload still made.
    let summary_link = root.join("summary-link");
    symlink(&victim, &summary_link);
    for summary in [summary_link, fifo.clone(), PathBuf::from("/dev/zero")] {
        let fake = support::fake();
        let mut step = ActionStep::new(&root, &ws, &fake);
        step.set("GITHUB_STEP_SUMMARY", &summary.display().to_string());
        let started = Instant::now();
        let run = step.run(&fake);
        assert!(started.elapsed() < Duration::from_secs(60));
        assert_eq!(run.code, 2, "{summary:?}\n{}", run.dump());
        assert!(run.stderr.contains("job summary"), "{}", run.dump());
        assert_eq!(fake.uploads().len(), 1, "{}", run.dump());
        assert_victim(&victim);
    }
}

// ---------------------------------------------------------------------------------------------
// Forks and tokens

fn fork_payload(root: &Path) -> PathBuf {
    let path = root.join("event.json");
    write(
        &path,
        r#"{"number": 7, "pull_request": {"number": 7,
            "head": {"sha": "2222222222222222222222222222222222222222",
                     "repo": {"full_name": "mallory/repo", "fork": true}},
            "base": {"repo": {"full_name": "octo/repo"}}}}"#,
    );
    path
}

#[test]
fn a_fork_pull_request_skips_the_upload_and_the_gate_decides() {
    let (_dir, root) = tempdir();
    let ws = root.join("workspace");
    write(ws.join("Dockerfile"), "FROM python:latest\n");
    let payload = fork_payload(&root);
    let fake = support::fake();
    let mut step = ActionStep::new(&root, &ws, &fake);
    step.set("GITHUB_EVENT_NAME", "pull_request")
        .set("GITHUB_REF", "refs/pull/7/merge")
        .set("GITHUB_EVENT_PATH", &payload.display().to_string());
    let run = step.run(&fake);
    assert_eq!(
        run.code,
        1,
        "the gate decides by the findings\n{}",
        run.dump()
    );
    assert!(fake.requests().is_empty(), "no upload call from a fork");
    let notices: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with("::notice title=pinwarden upload::"))
        .collect();
    assert_eq!(notices.len(), 1, "{}", run.dump());
    assert!(notices[0].contains("fork"), "{}", notices[0]);
    assert!(
        run.summary.contains("**Upload skipped.**"),
        "{}",
        run.dump()
    );
    assert!(
        run.stdout.contains("::error file=Dockerfile"),
        "{}",
        run.dump()
    );
    assert!(run.outputs.contains("errors=1"), "{}", run.dump());

    // `upload: always` tries anyway.
    let fake = support::fake();
    let mut step = ActionStep::new(&root, &ws, &fake);
    step.set("GITHUB_EVENT_NAME", "pull_request")
        .set("GITHUB_REF", "refs/pull/7/merge")
        .set("GITHUB_EVENT_PATH", &payload.display().to_string())
        .set("INPUT_UPLOAD", "always");
    let run = step.run(&fake);
    assert_eq!(run.code, 1, "{}", run.dump());
    assert_eq!(fake.posts(), 1, "{}", run.dump());
}

#[test]
fn a_token_that_cannot_be_a_header_is_exit_2_and_never_printed() {
    let (_dir, root) = tempdir();
    let ws = root.join("workspace");
    write(ws.join("Dockerfile"), "FROM python:3.12.4\n");
    // (A trailing newline, as `echo` leaves it, is trimmed: that token is fine.)
    for bad in [
        "ghs_Q7CANARYPART\nX-Injected: 1",
        "ghs_Q7CANARY\rPART",
        "ghs_Q7CANARY PART",
    ] {
        let fake = support::fake();
        let mut step = ActionStep::new(&root, &ws, &fake);
        step.set("GITHUB_TOKEN", bad).set("INPUT_TOKEN", bad);
        let run = step.run(&fake);
        assert_eq!(run.code, 2, "{bad:?}\n{}", run.dump());
        assert!(
            run.stderr.contains("cannot be sent in an HTTP header"),
            "{}",
            run.dump()
        );
        for (place, text) in run.places() {
            assert!(!text.contains("Q7CANARY"), "{place}");
        }
        assert!(fake.requests().is_empty());
    }
    // `pinwarden upload` says the same.
    let sarif = ws.join("x.sarif");
    write(
        &sarif,
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": []}]}"#,
    );
    let output = run(
        &ws,
        &["upload", "--sarif", "x.sarif"],
        &[
            ("GITHUB_TOKEN", "ghs_Q7CANARYPART\nX: y"),
            ("GITHUB_REPOSITORY", "octo/repo"),
            ("GITHUB_SHA", support::SHA),
            ("GITHUB_REF", "refs/heads/main"),
        ],
    );
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(!output.stderr.contains("Q7CANARYPART"), "{}", output.stderr);
}

#[test]
fn secrets_from_env_files_are_masked_in_every_output() {
    let (_dir, root) = tempdir();
    write(
        root.join("compose.yaml"),
        "services:\n  db:\n    image: \"postgres:${DB_PASSWORD}\"\n  app:\n    image: \"app:${API_TOKEN}\"\n",
    );
    write(
        root.join(".env"),
        "DB_PASSWORD=hunter7qlatest\nexport API_TOKEN=\"tok-3141592\"\nhunter7q was here without a key\nSECRET_KEY \"unterminated=hunter7qb\n",
    );
    write(
        root.join("Dockerfile"),
        "ARG GITHUB_TOKEN=ghp_dockerfile_secret\nFROM node:${GITHUB_TOKEN}\n",
    );
    for (format, output) in scan_all_formats(&root, &[]) {
        for secret in ["hunter7q", "tok-3141592", "ghp_dockerfile_secret"] {
            assert!(
                !output.stdout.contains(secret) && !output.stderr.contains(secret),
                "{secret} in --format {format}:\n{}",
                output.stdout
            );
        }
        assert!(
            output.code == 1 || output.code == 0,
            "{format}: {}",
            output.stderr
        );
    }
    let text = run(&root, &["scan", "--fail-on", "never"], &[]).stdout;
    assert!(text.contains("********"), "{text}");
    // the broken `.env` lines are reported by line (and key) only
    assert!(text.contains(".env:3:1: PW001"), "{text}");
}
