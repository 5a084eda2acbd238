//! Lockfile parsing: onboarded, partly onboarded and missing entries, and every way a lockfile
//! can be unusable (each one fails safe: no workflow is onboarded).
use super::*;

const C1: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const C2: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
const C3: &str = "9999888877776666555544443333222211110000";

fn lockfile(version: &str) -> String {
    format!(
        "# written by hand for the tests, in the shape `gh actions-lock` writes\n\
         version: '{version}'\n\
         workflows:\n\
         \x20   '.github/workflows/ci.yml':\n\
         \x20       - 'actions/checkout@v4.2.2'\n\
         \x20       - 'Actions/Setup-Node@v4'\n\
         \x20   '.github/workflows/release.yml': []\n\
         dependencies:\n\
         \x20   'actions/checkout@v4.2.2':\n\
         \x20       ref: 'v4.2.2'\n\
         \x20       commit: 'sha1-{C1}'\n\
         \x20       owner_id: 44036562\n\
         \x20       repo_id: 197814629\n\
         \x20   'actions/setup-node@v4':\n\
         \x20       ref: 'v4.4.0'\n\
         \x20       commit: 'sha1-{C2}'\n\
         \x20       owner_id: 44036562\n\
         \x20       repo_id: 42\n\
         \x20       uses:\n\
         \x20           - 'actions/cache@v4'\n\
         \x20   'actions/cache@v4':\n\
         \x20       ref: 'v4'\n\
         \x20       commit: 'sha1-{C3}'\n\
         \x20       owner_id: 44036562\n\
         \x20       repo_id: 43\n"
    )
}

fn at(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("<bad span>")
}

/// The problems of `text`, as (covered text, message), asserting the lock is unusable.
fn problems(text: &str) -> Vec<(String, String)> {
    let parsed = parse_actions_lock(text);
    assert!(
        parsed.lock.is_none(),
        "a lockfile with problems must not be used"
    );
    assert!(!parsed.problems.is_empty(), "expected problems in:\n{text}");
    assert!(matches!(
        parsed.status(".github/workflows/ci.yml", "actions/checkout@v4.2.2"),
        LockStatus::NotOnboarded
    ));
    parsed
        .problems
        .iter()
        .map(|problem| (at(text, problem.span).to_owned(), problem.message.clone()))
        .collect()
}

fn status_name(status: LockStatus<'_>) -> String {
    match status {
        LockStatus::NotOnboarded => "not-onboarded".to_owned(),
        LockStatus::Locked(entry) => format!("locked:{}", entry.commit.hex),
        LockStatus::Missing => "missing".to_owned(),
    }
}

#[test]
fn onboarded_workflow_keys_are_locked() {
    let text = lockfile("v0.0.2");
    let parsed = parse_actions_lock(&text);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let lock = parsed.lock.as_ref().unwrap();
    assert_eq!(lock.version, "v0.0.2");
    assert_eq!(at(&text, lock.version_span), "v0.0.2");
    let ci = ".github/workflows/ci.yml";
    let cases = [
        ("actions/checkout@v4.2.2", format!("locked:{C1}")),
        ("ACTIONS/Checkout@v4.2.2", format!("locked:{C1}")), // owner/repo are case-insensitive
        ("actions/setup-node@v4", format!("locked:{C2}")),   // listed as `Actions/Setup-Node@v4`
        ("actions/checkout@V4.2.2", "missing".to_owned()),   // refs are case-sensitive
        ("actions/checkout@v4", "missing".to_owned()),       // another ref of a locked repo
        ("actions/cache@v4", "missing".to_owned()), // an entry, but only setup-node's dependency
        ("octo/other@v1", "missing".to_owned()),
        ("not a key", "missing".to_owned()),
    ];
    for (key, expected) in cases {
        assert_eq!(status_name(parsed.status(ci, key)), expected, "{key}");
    }
    let entry = lock.entry("actions/setup-node@v4").unwrap();
    assert_eq!(entry.git_ref, "v4.4.0");
    assert_eq!(entry.commit.algorithm, CommitAlgorithm::Sha1);
    assert_eq!((entry.owner_id, entry.repo_id), (44036562, 42));
    assert_eq!(entry.uses.len(), 1);
    assert_eq!(entry.uses[0].key, "actions/cache@v4");
    assert_eq!(at(&text, entry.key.span), "actions/setup-node@v4");
    assert_eq!(at(&text, entry.commit.span), format!("sha1-{C2}"));
    assert_eq!(entry.hostname, None);
}

#[test]
fn partly_onboarded_repositories_judge_other_workflows_as_usual() {
    let text = lockfile("v0.0.2");
    let parsed = parse_actions_lock(&text);
    let lock = parsed.lock.as_ref().unwrap();
    let onboarded: Vec<&str> = lock.workflows().map(|(path, _)| path).collect();
    assert_eq!(
        onboarded,
        [".github/workflows/ci.yml", ".github/workflows/release.yml"]
    );
    // Not listed: not onboarded, whatever the key.
    for workflow in [
        ".github/workflows/nightly.yml",
        ".github/workflows/CI.yml", // paths are case-sensitive
        "./.github/workflows/ci.yml",
        "ci.yml",
    ] {
        assert!(!lock.is_onboarded(workflow));
        let status = parsed.status(workflow, "actions/checkout@v4.2.2");
        assert_eq!(status_name(status), "not-onboarded", "{workflow}");
    }
    // Onboarded with an empty list: every `uses:` is missing.
    let release = ".github/workflows/release.yml";
    assert_eq!(
        status_name(parsed.status(release, "actions/checkout@v4.2.2")),
        "missing"
    );
}

#[test]
fn no_lockfile_means_nothing_is_onboarded() {
    let absent = ParsedLock::default();
    let status = absent.status(".github/workflows/ci.yml", "actions/checkout@v4");
    assert_eq!(status_name(status), "not-onboarded");
}

#[test]
fn version_0_0_3_adds_a_hostname() {
    let text = lockfile("v0.0.3").replace(
        "repo_id: 43\n",
        "repo_id: 43\n        hostname: 'github.com'\n",
    );
    let parsed = parse_actions_lock(&text);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let entry = parsed
        .lock
        .unwrap()
        .entry("actions/cache@v4")
        .cloned()
        .unwrap();
    assert_eq!(entry.hostname.as_deref(), Some("github.com"));
    // v0.0.2 has no such field.
    let old = text.replace("v0.0.3", "v0.0.2");
    assert_eq!(
        problems(&old),
        [(
            "hostname".to_owned(),
            "unknown key `hostname` in dependency `actions/cache@v4`".to_owned()
        )]
    );
}

#[test]
fn an_unknown_version_fails_safe() {
    for version in ["v0.0.1", "v0.0.9", "v1", ""] {
        let text = lockfile(version);
        let found = problems(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, version);
        assert!(
            found[0].1.contains("unsupported lockfile version")
                && found[0].1.contains("not onboarded"),
            "{}",
            found[0].1
        );
    }
    let found = problems("workflows: {}\n");
    assert_eq!(found[0].1, "lockfile has no `version`");
    let found = problems("version: [v0.0.2]\n");
    assert_eq!(
        found,
        [(
            "[v0.0.2]".to_owned(),
            "`version` must be a string".to_owned()
        )]
    );
}

#[test]
fn malformed_commits_are_problems() {
    let cases = [
        (format!("sha1-{}", &C1[..39]), true),      // one short
        (format!("sha1-{C1}0"), true),              // one long
        (format!("sha256-{C1}"), true),             // wrong length for sha256
        (format!("md5-{C1}"), true),                // unknown algorithm
        (C1.to_owned(), true),                      // no algorithm
        (format!("sha1-{}", "g".repeat(40)), true), // not hex
        (format!("sha1-{}", C1.to_ascii_uppercase()), false), // uppercase hex is the same commit
        (format!("sha256-{C1}{}", &C2[..24]), false), // 64 hex
    ];
    for (commit, bad) in cases {
        let text = lockfile("v0.0.2").replace(&format!("sha1-{C1}"), &commit);
        if bad {
            let found = problems(&text);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].0, commit);
            assert!(
                found[0].1.contains("must be `sha1-<40 hex>`"),
                "{}",
                found[0].1
            );
        } else {
            let parsed = parse_actions_lock(&text);
            assert!(
                parsed.problems.is_empty(),
                "{commit}: {:?}",
                parsed.problems
            );
            let entry = parsed
                .lock
                .unwrap()
                .entry("actions/checkout@v4.2.2")
                .cloned()
                .unwrap();
            assert_eq!(entry.commit.hex, entry.commit.hex.to_ascii_lowercase());
        }
    }
}

#[test]
fn wrong_types_and_missing_fields_are_problems() {
    let base = lockfile("v0.0.2");
    let cases: Vec<(String, (&str, &str))> = vec![
        (
            base.replace("repo_id: 42", "repo_id: '42'"),
            (
                "42",
                "`repo_id` of dependency `actions/setup-node@v4` must be a positive integer",
            ),
        ),
        (
            base.replace("repo_id: 42", "repo_id: 0"),
            (
                "0",
                "`repo_id` of dependency `actions/setup-node@v4` must be a positive integer",
            ),
        ),
        (
            base.replace(
                "owner_id: 44036562\n        repo_id: 42",
                "owner_id: -5\n        repo_id: 42",
            ),
            (
                "-5",
                "`owner_id` of dependency `actions/setup-node@v4` must be a positive integer",
            ),
        ),
        (
            base.replace("        ref: 'v4.4.0'\n", ""),
            (
                "actions/setup-node@v4",
                "dependency `actions/setup-node@v4` has no `ref`",
            ),
        ),
        (
            base.replace("ref: 'v4.4.0'", "ref: ''"),
            ("", "`ref` of dependency `actions/setup-node@v4` is empty"),
        ),
        (
            base.replace("ref: 'v4.4.0'", "ref: {a: b}"),
            (
                "{a: b}",
                "`ref` of dependency `actions/setup-node@v4` must be a string",
            ),
        ),
        (
            base.replace("            - 'actions/cache@v4'\n", "            a: b\n"),
            (
                "a: b",
                "`uses` of dependency `actions/setup-node@v4` must be a list of `owner/repo@ref` keys",
            ),
        ),
        (
            base.replace(
                "'.github/workflows/release.yml': []",
                "'.github/workflows/release.yml': 'x'",
            ),
            (
                "x",
                "the list of `.github/workflows/release.yml` must be a list of `owner/repo@ref` keys",
            ),
        ),
        (
            base.replace("- 'Actions/Setup-Node@v4'", "- 'actions-setup-node@v4'"),
            (
                "actions-setup-node@v4",
                "`actions-setup-node@v4` is not an `owner/repo@ref` lock key",
            ),
        ),
        (
            base.replace("'actions/cache@v4':\n", "'actions/cache/save@v4':\n"),
            (
                "actions/cache/save@v4",
                "`actions/cache/save@v4` is not an `owner/repo@ref` lock key",
            ),
        ),
        (
            base.replace("'.github/workflows/release.yml'", "'../../etc/passwd'"),
            (
                "../../etc/passwd",
                "workflow path `../../etc/passwd` leaves the repository (`..`)",
            ),
        ),
        (
            base.replace("'.github/workflows/release.yml'", "'/etc/passwd'"),
            ("/etc/passwd", "workflow path `/etc/passwd` is absolute"),
        ),
        (
            format!("{base}extra: true\n"),
            ("extra", "unknown key `extra` in the lockfile"),
        ),
        (
            base.replace("dependencies:\n", "dependencies: []\nx:\n"),
            ("[]", "`dependencies` must be a mapping"),
        ),
    ];
    for (text, (covered, message)) in cases {
        let found = problems(&text);
        assert_eq!(
            found.first(),
            Some(&(covered.to_owned(), message.to_owned())),
            "{text}"
        );
    }
}

#[test]
fn duplicates_are_problems() {
    // A YAML duplicate key: GitHub's decoder rejects it.
    let text = format!(
        "{}    'actions/cache@v4':\n        ref: 'v5'\n",
        lockfile("v0.0.2")
    );
    let found = problems(&text);
    assert_eq!(found[0].0, "actions/cache@v4");
    assert!(found[0].1.starts_with("duplicate key"), "{}", found[0].1);
    // The same key in another case: ambiguous.
    let text = format!(
        "{}    'Actions/Cache@v4':\n        ref: 'v4'\n        commit: 'sha1-{C3}'\n        owner_id: 1\n        repo_id: 2\n",
        lockfile("v0.0.2")
    );
    let found = problems(&text);
    assert_eq!(found[0].0, "Actions/Cache@v4");
    assert!(found[0].1.contains("listed twice"), "{}", found[0].1);
}

#[test]
fn unparsable_lockfiles_fail_safe() {
    let cases = [
        ("version: 'v0.0.2\n", "invalid YAML"),
        ("", "lockfile is empty"),
        ("# only a comment\n", "lockfile is empty"),
        ("- a\n- b\n", "lockfile must be a mapping"),
        (
            "version: 'v0.0.2'\n---\nversion: 'v0.0.2'\n",
            "more than one YAML document",
        ),
    ];
    for (text, message) in cases {
        let found = problems(text);
        assert!(found[0].1.contains(message), "{text:?}: {found:?}");
    }
}

#[test]
fn hostile_lockfiles_are_bounded() {
    // Over GitHub's 1 MiB limit, even if valid.
    let mut huge = lockfile("v0.0.2");
    huge.push_str(&format!("# {}\n", "x".repeat(MAX_LOCKFILE_BYTES)));
    let found = problems(&huge);
    assert!(found[0].1.contains("larger than"), "{found:?}");
    // Deep nesting and alias bombs are refused by the YAML layer, quickly.
    let deep = format!("version: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    assert!(problems(&deep)[0].1.contains("deep") || problems(&deep)[0].1.contains("recursion"));
    let mut bomb = String::from("version: 'v0.0.2'\nx0: &a0 [lol]\n");
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("x{i}: &a{i} [{refs}]\n"));
    }
    let started = std::time::Instant::now();
    let found = problems(&bomb);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(found[0].1.contains("billion laughs"), "{found:?}");
}

#[test]
fn aliases_are_read_like_any_yaml() {
    let text = format!(
        "version: 'v0.0.2'\n\
         workflows:\n\
         \x20 '.github/workflows/a.yml': &common ['actions/checkout@v4.2.2']\n\
         \x20 '.github/workflows/b.yml': *common\n\
         dependencies:\n\
         \x20 'actions/checkout@v4.2.2': {{ref: 'v4.2.2', commit: 'sha1-{C1}', owner_id: 1, repo_id: 2}}\n"
    );
    let parsed = parse_actions_lock(&text);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    for workflow in [".github/workflows/a.yml", ".github/workflows/b.yml"] {
        let status = parsed.status(workflow, "actions/checkout@v4.2.2");
        assert_eq!(status_name(status), format!("locked:{C1}"));
    }
}

#[test]
fn null_sections_are_empty() {
    // `workflows:` with nothing under it decodes to an empty map, as in GitHub's parser.
    let parsed = parse_actions_lock("version: v0.0.2\nworkflows:\ndependencies:\n");
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let lock = parsed.lock.unwrap();
    assert_eq!(lock.workflows().count(), 0);
    assert!(!lock.is_onboarded(".github/workflows/ci.yml"));
}
