//! The config file (`.pinwarden.yml`): each key changes the scan as documented, every mistake
//! is exit 2 at its `file:line:col` with what was expected, the command line wins, and
//! `pinwarden config` says where each value came from. Also the gate table of the README:
//! what fails the default gate at each policy.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{hits, pinwarden, scan, scan_json};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// (rule, line) of every finding of a scan of `dir` with `args` that no comment suppresses.
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, u64)> {
    let mut all = vec!["."];
    all.extend_from_slice(args);
    let report = scan_json(dir, &all);
    let suppressed: Vec<bool> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["suppressed"] == true)
        .collect();
    hits(&report)
        .into_iter()
        .zip(suppressed)
        .filter(|(_, suppressed)| !suppressed)
        .map(|(hit, _)| (hit.rule, hit.start.0))
        .collect()
}

fn rules_of(found: &[(String, u64)]) -> Vec<&str> {
    found.iter().map(|(rule, _)| rule.as_str()).collect()
}

const DOCKERFILE: &str = "\
FROM python:3.12
FROM node:lts
FROM registry.internal/team/app:1.0
USER 10001
RUN pip install flask && apt-get install -y curl ca-certificates
";

#[test]
fn policy_one_level_or_per_ecosystem_and_the_flag_overrides_all() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", DOCKERFILE);
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4.1.1\n",
    );
    // No config: version.
    let default = findings(dir.path(), &[]);
    assert_eq!(rules_of(&default), ["PW104", "PW304", "PW301", "PW301"]);
    // One level for all.
    write(dir.path(), ".pinwarden.yml", "policy: digest\n");
    let digest = findings(dir.path(), &[]);
    assert!(
        digest.iter().filter(|(rule, _)| rule == "PW105").count() == 2,
        "{digest:?}"
    );
    assert!(digest.iter().any(|(rule, _)| rule == "PW202"), "{digest:?}");
    // Per ecosystem: images at tag (no PW104), actions at digest (PW202 for a full tag).
    write(
        dir.path(),
        ".pinwarden.yml",
        "policy:\n  images: tag\n  actions: digest\n",
    );
    let mixed = findings(dir.path(), &[]);
    assert_eq!(rules_of(&mixed), ["PW202", "PW304", "PW301", "PW301"]);
    let json = scan_json(dir.path(), &["."]);
    assert_eq!(
        json["policy"],
        "images tag, actions digest, packages version"
    );
    assert_eq!(json["policies"]["actions"], "digest");
    // `--policy` overrides all three.
    let flag = findings(dir.path(), &["--policy", "tag"]);
    assert_eq!(rules_of(&flag), ["PW304", "PW301", "PW301"]);
    // `--no-config` ignores the file.
    assert_eq!(findings(dir.path(), &["--no-config"]), default);
}

#[test]
fn rules_off_or_at_a_level_by_id_or_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", DOCKERFILE);
    write(
        dir.path(),
        ".pinwarden.yml",
        "rules:\n  PW104: { level: note }\n  apt-package-unpinned: off\n",
    );
    let json = scan_json(dir.path(), &["."]);
    let levels: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap(),
                finding["level"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(levels, [("PW104", "note"), ("PW304", "error")]);
    // A note does not fail the default gate; the pip error does.
    let (code, _, _) = scan(dir.path(), &["."]);
    assert_eq!(code, 1);
    write(
        dir.path(),
        ".pinwarden.yml",
        "rules:\n  PW104: { level: note }\n  apt-package-unpinned: off\n  pip-package-unpinned: { level: warning }\n",
    );
    let (code, _, stderr) = scan(dir.path(), &["."]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn exclude_globs_merge_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "vendor/Dockerfile", "FROM a:latest\n");
    write(dir.path(), "old/Dockerfile", "FROM b:latest\n");
    write(dir.path(), "app/Dockerfile", "FROM c:latest\n");
    write(dir.path(), ".pinwarden.yml", "exclude: [vendor]\n");
    let paths = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["."];
        all.extend_from_slice(args);
        hits(&scan_json(dir.path(), &all))
            .into_iter()
            .filter(|hit| hit.rule == "PW101")
            .map(|hit| hit.path)
            .collect()
    };
    assert_eq!(paths(&[]), ["app/Dockerfile", "old/Dockerfile"]);
    assert_eq!(paths(&["--exclude", "old"]), ["app/Dockerfile"]);
}

#[test]
fn allow_lists_images_actions_and_packages_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM scratch AS empty\nFROM registry.internal/team/app:latest\nFROM mcr.microsoft.com/dotnet/sdk:8.0\nFROM mcr.microsoft.com/dotnet/sdk:9.0\nUSER 1\nRUN apt-get install -y ca-certificates curl && pip install internal-lib flask\n",
    );
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: my-org/tool@main\n      - uses: actions/checkout@v4\n      - uses: other/tool@main\n",
    );
    let before = findings(dir.path(), &["--policy", "digest"]);
    write(
        dir.path(),
        ".pinwarden.yml",
        "\
allow:
  images:
    - pattern: registry.internal/*
      reason: built and signed in-house
    - mcr.microsoft.com/dotnet/*:8.0
  actions:
    - my-org/*
    - actions/*@v*
  packages:
    - apt:ca-certificates
    - { pattern: 'pip:internal-*', reason: our index }
",
    );
    let after = findings(dir.path(), &["--policy", "digest"]);
    // The multiset difference: what the allow-lists took away.
    let mut lost = before.clone();
    for hit in &after {
        let index = lost.iter().position(|known| known == hit).unwrap();
        lost.remove(index);
    }
    lost.sort();
    let expected: Vec<(String, u64)> = [
        ("PW101", 2), // registry.internal/*
        ("PW105", 3), // mcr.microsoft.com/dotnet/*:8.0
        ("PW201", 6), // my-org/*
        ("PW202", 7), // actions/*@v*
        ("PW301", 6), // apt:ca-certificates
        ("PW304", 6), // pip:internal-*
    ]
    .into_iter()
    .map(|(rule, line)| (rule.to_owned(), line))
    .collect();
    assert_eq!(lost, expected, "before {before:?}\nafter {after:?}");
    // What no pattern allows stays: dotnet 9.0, curl, flask, other/tool.
    for kept in [("PW105", 4), ("PW301", 6), ("PW304", 6), ("PW201", 8)] {
        assert!(
            after.contains(&(kept.0.to_owned(), kept.1)),
            "{kept:?} in {after:?}"
        );
    }
}

#[test]
fn build_args_and_env_give_values_and_the_flag_wins() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "ARG TAG=3.12.4\nFROM python:${TAG}\nUSER 1\n",
    );
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  db:\n    image: postgres:${PG}\n    user: \"1\"\n    security_opt: [no-new-privileges:true]\n",
    );
    write(dir.path(), ".env", "PG=16.2\n");
    assert_eq!(findings(dir.path(), &[]), []);
    write(
        dir.path(),
        ".pinwarden.yml",
        "build-args:\n  TAG: latest\nenv:\n  PG: latest\n",
    );
    let found = findings(dir.path(), &[]);
    assert_eq!(
        found,
        [("PW101".to_owned(), 2), ("PW101".to_owned(), 3)],
        "{found:?}"
    );
    let json = scan_json(dir.path(), &["."]);
    let dockerfile = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["path"] == "Dockerfile")
        .unwrap();
    assert!(
        dockerfile["related"][0]["label"]
            .as_str()
            .unwrap()
            .contains("`TAG` is set to `latest` by `build-args` in `.pinwarden.yml:2`"),
        "{dockerfile}"
    );
    // `--build-arg` over the config file.
    let flag = findings(dir.path(), &["--build-arg", "TAG=3.12.4"]);
    assert_eq!(flag, [("PW101".to_owned(), 3)]);
}

#[test]
fn config_file_is_found_in_the_scanned_directory_or_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "repo/Dockerfile", "FROM python:3\nUSER 1\n");
    write(dir.path(), "repo/.pinwarden.yaml", "rules:\n  PW104: off\n");
    write(dir.path(), "other.yml", "policy: tag\n");
    // In the one directory named.
    let (code, stdout, stderr) = scan(dir.path(), &["repo"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Named with --config (the directory's file is not read then).
    let (code, stdout, _) = scan(dir.path(), &["repo", "--config", "other.yml"]);
    assert_eq!(code, 0, "{stdout}");
    let (code, _, _) = scan(dir.path(), &["repo", "--no-config"]);
    assert_eq!(code, 1);
    // Both names at once: which one would be meant is unclear.
    write(dir.path(), "repo/.pinwarden.yml", "policy: tag\n");
    let (code, _, stderr) = scan(dir.path(), &["repo"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("both `.pinwarden.yml` and `.pinwarden.yaml`"),
        "{stderr}"
    );
}

#[test]
fn a_linked_config_file_is_refused_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secret", "policy: tag\nTOKEN-CANARY\n");
    write(dir.path(), "repo/Dockerfile", "FROM python:3\n");
    std::os::unix::fs::symlink(
        dir.path().join("secret"),
        dir.path().join("repo/.pinwarden.yml"),
    )
    .unwrap();
    let (code, stdout, stderr) = scan(dir.path(), &["repo"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(!stdout.contains("CANARY") && !stderr.contains("CANARY"));
}

/// Every mistake: exit 2, `file:line:col`, what was expected, and a suggestion when close.
#[test]
fn every_config_error_names_its_place_and_what_was_expected() {
    let cases: &[(&str, &str)] = &[
        (
            "polcy: tag\n",
            ".pinwarden.yml:1:1: unknown key `polcy` (did you mean `policy`?)",
        ),
        (
            "policy: strict\n",
            ".pinwarden.yml:1:9: `strict` is not allowed here",
        ),
        (
            "policy: [tag]\n",
            ".pinwarden.yml:1:9: expected one of `tag`, `version`, `digest`, found a list",
        ),
        (
            "policy:\n  image: tag\n",
            ".pinwarden.yml:2:3: unknown key `image` (did you mean `images`?)",
        ),
        (
            "rules:\n  PW999: off\n",
            ".pinwarden.yml:2:3: unknown rule `PW999`",
        ),
        (
            "rules:\n  image-latest-tg: off\n",
            ".pinwarden.yml:2:3: unknown rule `image-latest-tg` (did you mean `image-latest-tag`?)",
        ),
        (
            "rules:\n  PW101: disabled\n",
            ".pinwarden.yml:2:10: expected `off` or `{ level: error|warning|note }`, found `disabled`",
        ),
        (
            "rules:\n  PW101: { level: fatal }\n",
            ".pinwarden.yml:2:19: `fatal` is not allowed here",
        ),
        (
            "rules:\n  PW101: { lvl: note }\n",
            ".pinwarden.yml:2:12: unknown key `lvl` (did you mean `level`?)",
        ),
        (
            "rules:\n  PW101: off\n  image-latest-tag: off\n",
            ".pinwarden.yml:3:3: rule PW101 is configured twice",
        ),
        (
            "exclude: vendor\n",
            ".pinwarden.yml:1:10: expected a list of globs, found a scalar",
        ),
        ("exclude: ['a[']\n", ".pinwarden.yml:1:12: invalid glob"),
        (
            "allow:\n  image: [x]\n",
            ".pinwarden.yml:2:3: unknown key `image` (did you mean `images`?)",
        ),
        (
            "allow:\n  images: ['a[']\n",
            ".pinwarden.yml:2:13: invalid image pattern `a[`",
        ),
        (
            "allow:\n  actions: ['@v1']\n",
            ".pinwarden.yml:2:14: invalid action pattern `@v1`: an empty action name",
        ),
        (
            "allow:\n  packages: ['brew:x']\n",
            ".pinwarden.yml:2:15: invalid package pattern `brew:x`: unknown package manager `brew`",
        ),
        (
            "allow:\n  images:\n    - { reason: x }\n",
            ".pinwarden.yml:3:7: an allow entry without `pattern:`",
        ),
        (
            "allow:\n  images:\n    - { pattern: x, why: y }\n",
            ".pinwarden.yml:3:21: unknown key `why`",
        ),
        (
            "build-args: [A=1]\n",
            ".pinwarden.yml:1:13: expected a mapping of build-args names to values, found a list",
        ),
        (
            "env:\n  A: [1]\n",
            ".pinwarden.yml:2:6: expected a value for `A`, found a list",
        ),
        (
            "require-reason: yes\n",
            ".pinwarden.yml:1:17: expected `true` or `false`, found a scalar",
        ),
        (
            "policy: tag\npolicy: digest\n",
            ".pinwarden.yml:2:1: this key is given twice",
        ),
        (
            "policy: [\n",
            ".pinwarden.yml:1:9: invalid YAML: unclosed bracket",
        ),
        (
            "- policy\n",
            ".pinwarden.yml:1:1: expected a mapping of settings",
        ),
        (
            "policy: tag\n---\npolicy: digest\n",
            ".pinwarden.yml:3:1: more than one YAML document",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM python:3.12.4\n");
    for (text, expected) in cases {
        write(dir.path(), ".pinwarden.yml", text);
        let (code, stdout, stderr) = scan(dir.path(), &["."]);
        assert_eq!(code, 2, "{text:?}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{text:?}: {stdout}");
        assert!(
            stderr.contains(&format!("error: {expected}")),
            "{text:?}:\nexpected: {expected}\nstderr: {stderr}"
        );
        assert!(stderr.contains("README \"Configuration\""), "{stderr}");
    }
}

#[test]
fn an_env_value_is_never_echoed_in_an_error_nor_by_config() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".pinwarden.yml",
        "env:\n  DB_PASSWORD: hunter2-CANARY\n  PG: '16'\n",
    );
    let output = pinwarden()
        .current_dir(dir.path())
        .arg("config")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains("CANARY"), "{stdout}");
    assert!(
        stdout.contains("\"DB_PASSWORD\": \"********\"  # .pinwarden.yml:2:16"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"PG\": \"16\"  # .pinwarden.yml:3:8"),
        "{stdout}"
    );
}

#[test]
fn config_prints_every_value_with_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".pinwarden.yml",
        "policy:\n  images: digest\nrules:\n  image-floating-tag: { level: warning }\nexclude: [vendor]\nallow:\n  actions:\n    - { pattern: my-org/*, reason: ours }\nrequire-reason: true\n",
    );
    let output = pinwarden()
        .current_dir(dir.path())
        .args([
            "config",
            "--policy",
            "tag",
            "--exclude",
            "old",
            "--build-arg",
            "A=1",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout,
        "\
# effective configuration (config file `.pinwarden.yml`)
policy:
  images: tag  # command line `--policy`
  actions: tag  # command line `--policy`
  packages: tag  # command line `--policy`
rules:
  PW104: { level: warning }  # image-floating-tag, .pinwarden.yml:4:3
exclude:
  - \"vendor\"  # .pinwarden.yml:5:11
  - \"old\"  # command line `--exclude`
allow:
  actions:
    - { pattern: \"my-org/*\", reason: \"ours\" }  # .pinwarden.yml:8:7
build-args:
  \"A\": \"1\"  # command line `--build-arg`
env: {}
require-reason: true  # .pinwarden.yml:9:17
"
    );
    // What it prints is itself a valid config file with the same values.
    write(dir.path(), "printed.yml", &stdout);
    let again = pinwarden()
        .current_dir(dir.path())
        .args(["config", "--config", "printed.yml"])
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let again = String::from_utf8(again.stdout).unwrap();
    assert!(
        again.contains("  images: tag  # printed.yml:3:11"),
        "{again}"
    );
    // Without a file, everything is a default.
    let empty = tempfile::tempdir().unwrap();
    let output = pinwarden()
        .current_dir(empty.path())
        .arg("config")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with(
            "# effective configuration (no config file)\npolicy:\n  images: version  # default\n"
        ),
        "{stdout}"
    );
}

/// README "What fails the default gate": at each policy, the violations of that policy fail
/// the default gate (exit 1), whatever the ecosystem; what the policy does not ask for does
/// not.
#[test]
fn the_gate_follows_the_policy() {
    // (file, text, the lowest policy whose default gate it fails, or None)
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("Dockerfile", "FROM python:latest\nUSER 1\n", Some("tag")),
        ("Dockerfile", "FROM python:3\nUSER 1\n", Some("version")),
        ("Dockerfile", "FROM python:3.12.4\nUSER 1\n", Some("digest")),
        (
            "Dockerfile",
            "FROM python:3.12.4@sha256:4aea012537edfad80f98d870a36e6b90b4c09b27be7f4b4759d72db863baeebb\nUSER 1\n",
            None,
        ),
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: a/b@main\n",
            Some("tag"),
        ),
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: a/b@v1\n",
            Some("version"),
        ),
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: a/b@v1.2.3\n",
            Some("digest"),
        ),
        (
            "Dockerfile",
            "FROM python:3.12.4@sha256:4aea012537edfad80f98d870a36e6b90b4c09b27be7f4b4759d72db863baeebb\nUSER 1\nRUN pip install flask\n",
            Some("tag"),
        ),
        (
            "Dockerfile",
            "FROM python:3.12.4@sha256:4aea012537edfad80f98d870a36e6b90b4c09b27be7f4b4759d72db863baeebb\nUSER 1\nRUN pip install flask==3.0.0\n",
            Some("digest"),
        ),
        // Hardening advice and what cannot be decided never fail the default gate.
        (
            "Dockerfile",
            "FROM python:3.12.4@sha256:4aea012537edfad80f98d870a36e6b90b4c09b27be7f4b4759d72db863baeebb\n",
            None,
        ),
        ("Dockerfile", "FROM python:${TAG}\nUSER 1\n", None),
    ];
    let policies = ["tag", "version", "digest"];
    for (name, text, fails_from) in cases {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), name, text);
        for (index, policy) in policies.iter().enumerate() {
            let expected = match fails_from {
                Some(from) => i32::from(policies.iter().position(|p| p == from).unwrap() <= index),
                None => 0,
            };
            let (code, stdout, _) = scan(dir.path(), &[".", "--policy", policy]);
            assert_eq!(code, expected, "{name} at {policy}:\n{text}\n{stdout}");
            // The same through the config file.
            write(dir.path(), ".pinwarden.yml", &format!("policy: {policy}\n"));
            let (code, _, _) = scan(dir.path(), &["."]);
            assert_eq!(
                code, expected,
                "{name} with `policy: {policy}` in the config file"
            );
            std::fs::remove_file(dir.path().join(".pinwarden.yml")).unwrap();
        }
    }
}

/// The published schema knows exactly the keys and rules the parser knows, and accepts the
/// README's example while rejecting what the parser rejects.
#[test]
fn the_schema_matches_the_parser() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("docs/pinwarden.schema.json")).unwrap(),
    )
    .unwrap();
    let mut keys: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut known = pinwarden::config::file::TOP_LEVEL_KEYS.to_vec();
    known.sort_unstable();
    assert_eq!(keys, known);
    let rules: Vec<&str> = schema["definitions"]["rule"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_str().unwrap())
        .collect();
    let registry: Vec<&str> = pinwarden::rules::metas()
        .flat_map(|meta| [meta.id, meta.name])
        .collect();
    assert_eq!(rules, registry);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let example = readme
        .split("```yaml\n# .pinwarden.yml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README has a ```yaml block starting with `# .pinwarden.yml`");
    let as_json = |yaml: &str| -> serde_json::Value {
        let output = std::process::Command::new("python3")
            .args([
                "-c",
                // YAML 1.2 core booleans, as pinwarden's parser reads them: PyYAML's 1.1
                // resolver would turn `off` into false.
                "import json, re, sys, yaml\n\
                 class Loader(yaml.SafeLoader): pass\n\
                 Loader.yaml_implicit_resolvers = {k: [(t, r) for t, r in v if t != 'tag:yaml.org,2002:bool'] for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}\n\
                 Loader.add_implicit_resolver('tag:yaml.org,2002:bool', re.compile(r'^(?:true|True|TRUE|false|False|FALSE)$'), list('tTfF'))\n\
                 print(json.dumps(yaml.load(sys.stdin.read(), Loader=Loader)))",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(yaml.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        assert!(
            output.status.success(),
            "python3 with PyYAML (installed by .ci/test)"
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let example_json = as_json(example);
    let errors: Vec<String> = validator
        .iter_errors(&example_json)
        .map(|error| error.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The example is accepted by pinwarden too.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".pinwarden.yml", example);
    let output = pinwarden()
        .current_dir(dir.path())
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for bad in [
        "polcy: tag\n",
        "policy: strict\n",
        "rules:\n  PW999: off\n",
        "rules:\n  PW101: disabled\n",
        "allow:\n  images:\n    - { reason: x }\n",
        "require-reason: 1\n",
    ] {
        assert!(!validator.is_valid(&as_json(bad)), "schema accepts {bad:?}");
    }
}

/// `require-reason: true`: a suppression without `-- reason` still suppresses, and is a
/// PW002 finding of its own.
#[test]
fn require_reason_makes_a_bare_suppression_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "# pinwarden:ignore PW101\nFROM python:latest\n# pinwarden:ignore PW401 -- the action runs as root\nUSER root\n",
    );
    assert_eq!(findings(dir.path(), &[]), []);
    write(dir.path(), ".pinwarden.yml", "require-reason: true\n");
    assert_eq!(findings(dir.path(), &[]), [("PW002".to_owned(), 1)]);
    let json = scan_json(dir.path(), &["."]);
    let pw002 = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == "PW002")
        .unwrap();
    let message = pw002["message"].as_str().unwrap();
    assert!(message.contains("reason"), "{message}");
    // Still suppressed: PW101 is not back.
    assert_eq!(json["summary"]["suppressed"], 2);
}
