//! Table tests for the `uses:` grammar, the ref classifier, lock keys and version comments.
use super::*;

/// Placeholders expanded in test inputs, so commit ids stay readable in the tables.
fn expand(input: &str) -> String {
    let hex = "0123456789abcdef".repeat(4);
    let lower = |len: usize| hex.get(..len).unwrap_or_default().to_owned();
    input
        .replace("{S40}", &lower(40))
        .replace("{U40}", &lower(40).to_ascii_uppercase())
        .replace(
            "{M40}",
            &format!("{}{}", lower(20), lower(20).to_ascii_uppercase()),
        )
        .replace("{S64}", &lower(64))
        .replace("{S39}", &lower(39))
        .replace("{S41}", &format!("{}a", lower(40)))
        .replace("{S63}", &lower(63))
}

fn kind(kind: RefKind) -> String {
    match kind {
        RefKind::Commit {
            algorithm,
            lowercase,
        } => {
            let algorithm = match algorithm {
                CommitAlgorithm::Sha1 => "sha1",
                CommitAlgorithm::Sha256 => "sha256",
            };
            let case = if lowercase { "" } else { ":upper" };
            format!("commit:{algorithm}{case}")
        }
        RefKind::Version(version) => {
            let pre = if version.prerelease { "+pre" } else { "" };
            let build = if version.build { "+build" } else { "" };
            format!("version:{}{pre}{build}", version.precision)
        }
        RefKind::ShortHex => "short-hex".to_owned(),
        RefKind::BranchLike => "branch-like".to_owned(),
    }
}

fn reason(reason: InvalidReason) -> String {
    match reason {
        InvalidReason::Empty => "empty".to_owned(),
        InvalidReason::MissingRef => "missing-ref".to_owned(),
        InvalidReason::ExtraAt => "extra-at".to_owned(),
        InvalidReason::MissingRepository => "missing-repository".to_owned(),
        InvalidReason::EmptyRef => "empty-ref".to_owned(),
        InvalidReason::InvalidOwner => "owner".to_owned(),
        InvalidReason::InvalidRepository => "repository".to_owned(),
        InvalidReason::InvalidRef(error) => format!("ref:{error:?}"),
    }
}

fn repository(reference: &RepositoryRef<'_>) -> String {
    let path = reference
        .path
        .map_or(String::new(), |path| format!(" path={}", path.text));
    let git_ref = reference.git_ref;
    format!(
        "{}/{}{path} ref={}@{}..{} {}",
        reference.owner.text,
        reference.repo.text,
        git_ref.text,
        git_ref.span.start,
        git_ref.span.end,
        kind(reference.kind)
    )
}

/// A one-line summary of everything the parser found, spans of the interesting parts included.
fn show(value: &str) -> String {
    let part = |part: &Part<'_>| format!("{}@{}..{}", part.text, part.span.start, part.span.end);
    match parse_uses(value) {
        Uses::Local { path } => format!("local {}", part(&path)),
        Uses::SelfRepository { path } => format!("self {}", part(&path)),
        Uses::Docker { image } => format!("docker {}", part(&image)),
        Uses::Expression { span } => format!("expression {}..{}", span.start, span.end),
        Uses::Action(reference) => format!("action {}", repository(&reference)),
        Uses::ReusableWorkflow(reference) => format!("workflow {}", repository(&reference)),
        Uses::Invalid(error) => format!(
            "invalid {} {}..{}",
            reason(error.reason),
            error.span.start,
            error.span.end
        ),
    }
}

#[rustfmt::skip]
const CASES: &[(&str, &str)] = &[
    // version tags and their precision
    ("actions/checkout@v4", "action actions/checkout ref=v4@17..19 version:major-only"),
    ("actions/checkout@v4.1", "action actions/checkout ref=v4.1@17..21 version:major.minor"),
    ("actions/checkout@v4.1.1", "action actions/checkout ref=v4.1.1@17..23 version:full"),
    ("actions/setup-node@1.2.3", "action actions/setup-node ref=1.2.3@19..24 version:full"), // no `v`
    ("a/b@v4.1.1-beta.1", "action a/b ref=v4.1.1-beta.1@4..17 version:full+pre"),
    ("a/b@v1.2.3+meta", "action a/b ref=v1.2.3+meta@4..15 version:full+build"),
    ("a/b@v1.2.3-rc.1+build.5", "action a/b ref=v1.2.3-rc.1+build.5@4..23 version:full+pre+build"),
    ("a/b@v2-node20", "action a/b ref=v2-node20@4..13 version:major-only+pre"), // suffix keeps precision
    ("a/b@v4.1-alpha", "action a/b ref=v4.1-alpha@4..14 version:major.minor+pre"),
    ("a/b@V4", "action a/b ref=V4@4..6 version:major-only"), // a distinct tag, still a version
    ("a/b@1.2.3.4", "action a/b ref=1.2.3.4@4..11 version:full"), // four components
    ("a/b@v04", "action a/b ref=v04@4..7 version:major-only"), // leading zero
    ("a/b@20240101", "action a/b ref=20240101@4..12 version:major-only"), // all digits: a version
    ("a/b@1234567", "action a/b ref=1234567@4..11 version:major-only"), // all digits, 7 long
    ("a/b@refs/tags/v4.1.1", "action a/b ref=refs/tags/v4.1.1@4..20 version:full"),
    // full commit ids
    ("a/b@{S40}", "action a/b ref=0123456789abcdef0123456789abcdef01234567@4..44 commit:sha1"),
    ("a/b@{U40}", "action a/b ref=0123456789ABCDEF0123456789ABCDEF01234567@4..44 commit:sha1:upper"),
    ("a/b@{M40}", "action a/b ref=0123456789abcdef01230123456789ABCDEF0123@4..44 commit:sha1:upper"),
    ("a/b@{S64}", "action a/b ref=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef@4..68 commit:sha256"),
    ("github/codeql-action/init@{S40}", "action github/codeql-action path=init ref=0123456789abcdef0123456789abcdef01234567@26..66 commit:sha1"),
    // not a full commit id
    ("a/b@{S39}", "action a/b ref=0123456789abcdef0123456789abcdef0123456@4..43 short-hex"),
    ("a/b@{S41}", "action a/b ref=0123456789abcdef0123456789abcdef01234567a@4..45 branch-like"), // too long to abbreviate
    ("a/b@{S63}", "action a/b ref=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde@4..67 branch-like"),
    ("a/b@deadbee", "action a/b ref=deadbee@4..11 short-hex"),
    ("a/b@DEADBEE", "action a/b ref=DEADBEE@4..11 short-hex"),
    ("a/b@deadbe", "action a/b ref=deadbe@4..10 branch-like"), // 6: too short to look like a commit
    ("a/b@5f2e1a9", "action a/b ref=5f2e1a9@4..11 short-hex"),
    // branch-like names
    ("a/b@main", "action a/b ref=main@4..8 branch-like"),
    ("a/b@master", "action a/b ref=master@4..10 branch-like"),
    ("a/b@release/x", "action a/b ref=release/x@4..13 branch-like"),
    ("a/b@latest", "action a/b ref=latest@4..10 branch-like"),
    ("a/b@stable", "action a/b ref=stable@4..10 branch-like"),
    ("a/b@nightly", "action a/b ref=nightly@4..11 branch-like"),
    ("a/b@refs/heads/main", "action a/b ref=refs/heads/main@4..19 branch-like"),
    ("a/b@refs/heads/v4.1.1", "action a/b ref=refs/heads/v4.1.1@4..21 branch-like"), // a branch, whatever its name
    ("a/b@refs/tags/latest", "action a/b ref=refs/tags/latest@4..20 branch-like"),
    ("a/b@v4.x", "action a/b ref=v4.x@4..8 branch-like"), // conventionally a branch
    ("a/b@v", "action a/b ref=v@4..5 branch-like"),
    ("a/b@4.1.1_x", "action a/b ref=4.1.1_x@4..11 branch-like"),
    ("a/b@1.2.3-", "action a/b ref=1.2.3-@4..10 branch-like"), // empty pre-release
    ("a/b@1.2.3+", "action a/b ref=1.2.3+@4..10 branch-like"), // empty build metadata
    ("a/b@ü", "action a/b ref=ü@4..6 branch-like"), // non-ASCII is a valid ref name
    // paths, reusable workflows, odd separators
    ("actions/cache/save@v4", "action actions/cache path=save ref=v4@19..21 version:major-only"),
    ("a/b/c/d@x", "action a/b path=c/d ref=x@8..9 branch-like"),
    ("octo/wf/.github/workflows/ci.yml@v1", "workflow octo/wf path=.github/workflows/ci.yml ref=v1@33..35 version:major-only"),
    ("octo/wf/.github/workflows/ci.yaml@{S40}", "workflow octo/wf path=.github/workflows/ci.yaml ref=0123456789abcdef0123456789abcdef01234567@34..74 commit:sha1"),
    ("octo/wf/.github/workflows/sub/ci.yml@v1", "action octo/wf path=.github/workflows/sub/ci.yml ref=v1@37..39 version:major-only"), // nested: not callable
    ("octo/wf/.github/workflows/.yml@v1", "action octo/wf path=.github/workflows/.yml ref=v1@31..33 version:major-only"),
    ("octo/wf/.github/actions/x@v1", "action octo/wf path=.github/actions/x ref=v1@26..28 version:major-only"),
    ("Actions/Checkout@V4", "action Actions/Checkout ref=V4@17..19 version:major-only"),
    ("a//b@v1", "action a/b ref=v1@5..7 version:major-only"), // the runner drops empty segments
    ("/a/b@v1", "action a/b ref=v1@5..7 version:major-only"),
    ("a\\b@v1", "action a/b ref=v1@4..6 version:major-only"), // `\` separates too
    ("a/b-c.d_e/p@v1", "action a/b-c.d_e path=p ref=v1@12..14 version:major-only"),
    // exempt and image forms
    ("./.github/actions/x", "local ./.github/actions/x@0..19"),
    ("./", "local ./@0..2"),
    (".\\win\\path", "local .\\win\\path@0..10"),
    ("./x@v1", "local ./x@v1@0..6"), // a local path is never remote
    ("$/x", "self x@2..3"),
    ("$/.github/workflows/reuse.yml", "self .github/workflows/reuse.yml@2..29"),
    ("$/./actions/foo", "self ./actions/foo@2..15"),
    ("docker://alpine", "docker alpine@9..15"),
    ("docker://alpine:3.20@sha256:abc", "docker alpine:3.20@sha256:abc@9..31"),
    ("docker://", "docker @9..9"), // empty image: the image rules report it
    ("Docker://alpine", "invalid missing-ref 0..15"), // the scheme is case-sensitive
    // expressions: GitHub rejects them anywhere in `uses:`
    ("a/b@${{ x }}", "expression 4..12"),
    ("${{ matrix.action }}", "expression 0..20"),
    ("docker://alpine:${{ inputs.tag }}", "expression 16..33"),
    ("./${{ inputs.path }}", "expression 2..20"),
    ("a/b@${{ unterminated", "expression 4..20"),
    ("${{ a }}/b@${{ c }}", "expression 0..8"), // the first one
    // invalid
    ("", "invalid empty 0..0"),
    ("actions/checkout", "invalid missing-ref 0..16"),
    ("a/b@", "invalid empty-ref 0..4"),
    ("@v1", "invalid missing-repository 0..0"),
    ("a@v1", "invalid missing-repository 0..1"),
    ("a/@v1", "invalid missing-repository 0..2"),
    ("a/b@v1@v2", "invalid extra-at 6..7"),
    ("actions/checkout@v4 ", "invalid ref:Whitespace 17..20"), // quoted, trailing space kept
    (" actions/checkout@v4", "invalid owner 0..8"),
    ("own er/b@v1", "invalid owner 0..6"),
    ("a/b c@v1", "invalid repository 2..5"),
    ("../b@v1", "invalid owner 0..2"),
    ("a/..@v1", "invalid repository 2..4"),
    ("a/b@main~1", "invalid ref:ForbiddenCharacter('~') 4..10"),
    ("a/b@x:y", "invalid ref:ForbiddenCharacter(':') 4..7"),
    ("a/b@a..b", "invalid ref:DoubleDot 4..8"),
    ("a/b@x.lock", "invalid ref:LockSuffix 4..10"),
    ("a/b@/x", "invalid ref:EmptyComponent 4..6"),
    ("a/b@x//y", "invalid ref:EmptyComponent 4..8"),
    ("a/b@feature/.hidden", "invalid ref:DotComponent 4..19"),
    ("a/b@v4.", "invalid ref:TrailingDot 4..7"),
    ("a/b@ma\tin", "invalid ref:ControlCharacter 4..9"),
];

#[test]
fn parses_and_classifies_uses_values() {
    assert!(CASES.len() >= 60, "{} cases", CASES.len());
    let wrong: Vec<String> = CASES
        .iter()
        .filter_map(|(input, expected)| {
            let got = show(&expand(input));
            (got != *expected).then(|| format!("`{input}`\n   got: {got}\n  want: {expected}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_part_is_the_text_under_its_span() {
    for (input, _) in CASES {
        let value = expand(input);
        let check = |part: &Part<'_>| {
            assert_eq!(value.get(part.range()), Some(part.text), "`{input}`");
        };
        match parse_uses(&value) {
            Uses::Local { path } | Uses::SelfRepository { path } => check(&path),
            Uses::Docker { image } => check(&image),
            Uses::Action(reference) | Uses::ReusableWorkflow(reference) => {
                check(&reference.owner);
                check(&reference.repo);
                check(&reference.git_ref);
                if let Some(path) = reference.path {
                    check(&path);
                }
                // The ref is always the tail of the value.
                assert_eq!(reference.git_ref.span.end, value.len(), "`{input}`");
            }
            Uses::Expression { span } => {
                assert!(
                    value
                        .get(span.start..span.end)
                        .is_some_and(|t| t.starts_with("${{"))
                );
            }
            Uses::Invalid(error) => {
                assert!(
                    value.get(error.span.start..error.span.end).is_some(),
                    "`{input}`"
                );
            }
        }
    }
}

#[test]
fn never_panics_on_any_prefix_or_suffix() {
    for (input, _) in CASES {
        let value = format!("{}ü\u{0}@", expand(input));
        for (index, _) in value.char_indices() {
            let (head, tail) = value.split_at(index);
            let _ = show(head);
            let _ = show(tail);
        }
    }
}

#[test]
fn lock_keys_lowercase_the_repository_and_drop_the_path() {
    let cases = [
        ("actions/checkout@v4", "actions/checkout@v4"),
        ("Actions/Checkout@V4", "actions/checkout@V4"), // the ref keeps its case
        ("actions/cache/save@v4", "actions/cache@v4"),
        (
            "github/codeql-action/init@{S40}",
            "github/codeql-action@{S40}",
        ),
        ("octo/wf/.github/workflows/ci.yml@main", "octo/wf@main"),
        ("a//b@v1", "a/b@v1"),
    ];
    for (input, expected) in cases {
        let value = expand(input);
        let uses = parse_uses(&value);
        let key = uses.repository().map(RepositoryRef::lock_key);
        assert_eq!(key, Some(expand(expected)), "`{input}`");
    }
    assert_eq!(parse_uses("./x").repository(), None);
    assert_eq!(parse_uses("docker://alpine").repository(), None);
}

#[test]
fn finds_version_comments() {
    let cases: &[(&str, Option<&str>)] = &[
        ("  # v4.1.1", Some("v4.1.1")),
        (" #v4", Some("v4")),
        (" # tag=v1.2.3", Some("v1.2.3")), // Renovate's older form
        (" # pin@v2", Some("v2")),         // pin-github-action
        (" # v4.1.1 (latest release)", Some("v4.1.1")),
        ("# 1.2.3", Some("1.2.3")),
        ("\t# v4.1.1-beta.1", Some("v4.1.1-beta.1")),
        ("", None),
        ("  #", None),
        (" # pinned", None), // not a version
        (" # main", None),
        (" # see v4.1.1", None), // only the first word counts
        (" v4.1.1", None),       // not a comment
    ];
    for (rest, expected) in cases {
        assert_eq!(version_comment(rest), *expected, "`{rest}`");
    }
    assert_eq!(version_comment_span("  # v4.1.1"), Some(Span::new(4, 10)));
    assert_eq!(version_comment_span(" # tag=v1"), Some(Span::new(7, 9)));
}

#[test]
fn only_full_commit_ids_are_commits() {
    assert!(classify_ref(&expand("{S40}")).is_commit());
    assert!(classify_ref(&expand("{S64}")).is_commit());
    assert!(!classify_ref(&expand("{S39}")).is_commit());
    assert!(!classify_ref("v4.1.1").is_commit());
    // A tag named like a commit is still a tag.
    assert!(!classify_ref(&expand("refs/tags/{S40}")).is_commit());
}

#[test]
fn precision_is_ordered() {
    assert!(Precision::Major < Precision::MajorMinor);
    assert!(Precision::MajorMinor < Precision::Full);
}

#[test]
fn messages_name_the_problem() {
    let Uses::Invalid(error) = parse_uses("actions/checkout@v4 ") else {
        panic!("trailing space must be invalid");
    };
    assert_eq!(
        error.reason.to_string(),
        "ref is not a valid git ref name: it contains whitespace"
    );
    let Uses::Invalid(error) = parse_uses("actions/checkout") else {
        panic!("no ref must be invalid");
    };
    assert!(error.reason.to_string().contains("missing `@ref`"));
}
