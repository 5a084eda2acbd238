//! Parser-level tables for stages, variable scopes and image occurrences.

use super::tests::{line_column, parse_text, problem_messages};
use super::*;
use crate::model::image::ImageValue;

fn resolved(text: &str) -> ImageValue {
    ImageValue::Resolved(text.to_owned())
}

fn unresolved(names: &[&str]) -> ImageValue {
    ImageValue::unresolved_variables(names.iter().copied())
}

/// The architectures of the build platforms, in order.
const ARCHES: &[&str] = &[
    "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le", "loong64",
];

fn per_platform(prefix: &str, values: &[&str]) -> ImageValue {
    ImageValue::PerPlatform(values.iter().map(|v| format!("{prefix}{v}")).collect())
}

/// (written, value, context) of an image occurrence.
type ImageRow = (String, ImageValue, String);

/// (input, images, stage names, problems)
type FromCase<'a> = (&'a str, Vec<ImageRow>, Vec<Option<&'a str>>, Vec<&'a str>);

fn images(parsed: &ParsedDockerfile) -> Vec<ImageRow> {
    parsed
        .images
        .iter()
        .map(|image| {
            (
                image.written().to_owned(),
                image.value.without_shape(),
                image
                    .origin
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn image(written: &str, value: ImageValue, context: &str) -> ImageRow {
    (written.to_owned(), value, context.to_owned())
}

#[test]
fn from_variants() {
    let cases: Vec<FromCase<'_>> = vec![
        // platform flag, AS name
        (
            "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n",
            vec![image(
                "golang:1.22",
                resolved("golang:1.22"),
                "stage `build`",
            )],
            vec![Some("build")],
            vec![],
        ),
        // lowercase `from`, lowercase `as`, uppercase name is lowercased
        (
            "from alpine:3 as NAME\n",
            vec![image("alpine:3", resolved("alpine:3"), "stage `name`")],
            vec![Some("name")],
            vec![],
        ),
        // unnamed stages are numbered
        (
            "FROM a\nFROM b\n",
            vec![
                image("a", resolved("a"), "stage 0"),
                image("b", resolved("b"), "stage 1"),
            ],
            vec![None, None],
            vec![],
        ),
        // quotes are excluded from the location and removed from the value
        (
            "FROM \"alpine:3\"\n",
            vec![image("alpine:3", resolved("alpine:3"), "stage 0")],
            vec![None],
            vec![],
        ),
        // missing image
        (
            "FROM\n",
            vec![],
            vec![None],
            vec!["`FROM` requires an image: `FROM <image> [AS <name>]`"],
        ),
        (
            "FROM --platform=linux/amd64\n",
            vec![],
            vec![None],
            vec!["`FROM` requires an image: `FROM <image> [AS <name>]`"],
        ),
        // extra garbage
        (
            "FROM a b\n",
            vec![image("a", resolved("a"), "stage 0")],
            vec![None],
            vec!["unexpected `b` after the image: `FROM` takes `<image> [AS <name>]`"],
        ),
        (
            "FROM a AS b c\n",
            vec![image("a", resolved("a"), "stage 0")],
            vec![None],
            vec!["unexpected `AS b c` after the image: `FROM` takes `<image> [AS <name>]`"],
        ),
        // invalid stage name
        (
            "FROM a AS 1st\n",
            vec![image("a", resolved("a"), "stage `1st`")],
            vec![Some("1st")],
            vec![
                "invalid stage name `1st`: it must start with a letter and contain only letters, digits, `-`, `_` and `.`",
            ],
        ),
        // scratch, any case, is not an image
        (
            "FROM scratch\nFROM SCRATCH\n",
            vec![],
            vec![None, None],
            vec![],
        ),
        // digest and registry port are kept verbatim
        (
            "FROM host:5000/img:1.2@sha256:abc\n",
            vec![image(
                "host:5000/img:1.2@sha256:abc",
                resolved("host:5000/img:1.2@sha256:abc"),
                "stage 0",
            )],
            vec![None],
            vec![],
        ),
    ];
    for (input, expected_images, names, problems) in cases {
        let (_, parsed) = parse_text(input);
        assert_eq!(images(&parsed), expected_images, "input {input:?}");
        let got_names: Vec<Option<&str>> = parsed
            .dockerfile
            .stages
            .iter()
            .map(|s| s.name.as_deref())
            .collect();
        assert_eq!(got_names, names, "input {input:?}");
        assert_eq!(problem_messages(&parsed), problems, "input {input:?}");
    }
}

#[test]
fn stage_bases() {
    // (input, bases, number of image occurrences)
    let cases: Vec<(&str, Vec<StageBase>, usize)> = vec![
        // an earlier stage, any case
        (
            "FROM golang AS Builder\nFROM BUILDER\n",
            vec![StageBase::Image, StageBase::Stage(0)],
            1,
        ),
        // only earlier stages: a later name is an image
        (
            "FROM later\nFROM alpine AS later\n",
            vec![StageBase::Image, StageBase::Image],
            2,
        ),
        // a stage cannot be its own base
        ("FROM x AS x\n", vec![StageBase::Image], 1),
        // the latest earlier stage of a duplicated name
        (
            "FROM a AS s\nFROM b AS s\nFROM s\n",
            vec![StageBase::Image, StageBase::Image, StageBase::Stage(1)],
            2,
        ),
        // resolved through a global ARG
        (
            "ARG BASE=builder\nFROM golang AS builder\nFROM ${BASE}\n",
            vec![StageBase::Image, StageBase::Stage(0)],
            1,
        ),
        // scratch through a variable
        ("ARG B=scratch\nFROM $B\n", vec![StageBase::Scratch], 0),
        // a stage named `scratch` wins over scratch
        (
            "FROM alpine AS scratch\nFROM scratch\n",
            vec![StageBase::Image, StageBase::Stage(0)],
            1,
        ),
        // unresolved base
        ("ARG B\nFROM $B\n", vec![StageBase::Unresolved], 1),
        // a platform argument that names a stage on some platform: that stage
        (
            "FROM a AS binary-linux\nFROM b AS binary-darwin\nFROM binary-$TARGETOS\n",
            vec![StageBase::Image, StageBase::Image, StageBase::Stage(0)],
            2,
        ),
        (
            "FROM a AS bin-arm64\nFROM bin-${TARGETARCH}\n",
            vec![StageBase::Image, StageBase::Stage(0)],
            1,
        ),
        // one that names no stage: an image on every platform
        ("FROM tool-$BUILDARCH\n", vec![StageBase::Image], 1),
        // a blank expansion is a problem, not an image
        ("ARG B=\nFROM $B\n", vec![StageBase::Unresolved], 0),
    ];
    for (input, bases, image_count) in cases {
        let (_, parsed) = parse_text(input);
        let got: Vec<&StageBase> = parsed.dockerfile.stages.iter().map(|s| &s.base).collect();
        let expected: Vec<&StageBase> = bases.iter().collect();
        assert_eq!(got, expected, "input {input:?}");
        assert_eq!(parsed.images.len(), image_count, "input {input:?}");
    }
}

#[test]
fn instruction_stages() {
    let (_, parsed) = parse_text("ARG A\nFROM a AS one\nRUN x\nFROM b\nCOPY --from=one /a /b\n");
    let stages: Vec<Option<usize>> = parsed
        .dockerfile
        .instructions
        .iter()
        .map(|i| i.stage)
        .collect();
    assert_eq!(stages, [None, Some(0), Some(0), Some(1), Some(1)]);
    let from: Vec<usize> = parsed
        .dockerfile
        .stages
        .iter()
        .map(|s| s.from_instruction)
        .collect();
    assert_eq!(from, [1, 3]);
}

#[test]
fn expansion_in_from() {
    // (input, value of the first image)
    let cases: Vec<(&str, ImageValue)> = vec![
        // default
        (
            "ARG TAG=3.12\nFROM python:${TAG}\n",
            resolved("python:3.12"),
        ),
        ("ARG TAG=3.12\nFROM python:$TAG\n", resolved("python:3.12")),
        // declared without a default
        ("ARG TAG\nFROM python:$TAG\n", unresolved(&["TAG"])),
        ("ARG TAG\nFROM python:${TAG}\n", unresolved(&["TAG"])),
        // undeclared
        ("FROM python:$TAG\n", unresolved(&["TAG"])),
        // `-` and `:-` defaults apply to a variable without a value
        (
            "ARG TAG\nFROM python:${TAG:-3.11}\n",
            resolved("python:3.11"),
        ),
        (
            "ARG TAG\nFROM python:${TAG-3.11}\n",
            resolved("python:3.11"),
        ),
        ("FROM python:${TAG:-3.11}\n", resolved("python:3.11")),
        // a default wins over the fallback
        (
            "ARG TAG=3.12\nFROM python:${TAG:-3.11}\n",
            resolved("python:3.12"),
        ),
        // `+` on a variable without a value depends on --build-arg
        ("ARG TAG\nFROM python:${TAG:+x}\n", unresolved(&["TAG"])),
        ("ARG TAG=1\nFROM python${TAG:+:x}\n", resolved("python:x")),
        // empty values: `:-` treats empty as unset, `-` does not
        (
            "ARG TAG=\"\"\nFROM python${TAG:-:3}\n",
            resolved("python:3"),
        ),
        ("ARG TAG=\nFROM python:3${TAG-x}\n", resolved("python:3")),
        // `?` forms
        ("ARG V=1\nFROM i:${V:?required}\n", resolved("i:1")),
        ("FROM i:${V:?required}\n", unresolved(&["V"])),
        // quoted defaults, several per line, defaults using earlier ARGs
        ("ARG A=\"x y\"\nFROM i:${A/?y/1}\n", resolved("i:x1")),
        ("ARG A=1 B=2\nFROM i:$A-$B\n", resolved("i:1-2")),
        ("ARG A=1 B=${A}.0\nFROM i:$B\n", resolved("i:1.0")),
        // pattern modifiers
        ("ARG V=a-b-c\nFROM i:${V%-*}\n", resolved("i:a-b")),
        ("ARG V=a-b-c\nFROM i:${V##*-}\n", resolved("i:c")),
        // nested defaults
        ("FROM i:${A:-${B:-x}}\n", resolved("i:x")),
        ("ARG B=2\nFROM i:${A:-${B:-x}}\n", resolved("i:2")),
        // platform arguments take one value per build platform, even with a default
        (
            "FROM --platform=$TARGETPLATFORM alpine:$TARGETARCH\n",
            per_platform("alpine:", ARCHES),
        ),
        (
            "ARG TARGETARCH=amd64\nFROM i:$TARGETARCH\n",
            per_platform("i:", ARCHES),
        ),
        (
            "FROM i:${BUILDOS:-linux}\n",
            per_platform("i:", &["linux", "windows", "darwin", "freebsd"]),
        ),
        // the other automatic arguments have no small set of values
        (
            "FROM i:$TARGETOSVERSION\n",
            ImageValue::Unresolved(crate::model::image::Unresolved {
                unknowns: vec![crate::model::image::Unknown::new(
                    "TARGETOSVERSION",
                    crate::model::image::UnknownKind::Builder,
                )],
                shape: None,
            }),
        ),
        // a default that depends on an unresolved variable is unresolved
        ("ARG A\nARG B=$A\nFROM i:$B\n", unresolved(&["B"])),
        // single quotes and escapes suppress expansion
        ("ARG T=1\nFROM 'i:$T'\n", resolved("i:$T")),
        ("ARG T=1\nFROM i:\\$T\n", resolved("i:$T")),
        // the escape directive's character escapes
        ("# escape=`\nARG T=1\nFROM i:`$T\n", resolved("i:$T")),
        // an ARG after the first FROM is not global
        ("FROM a\nARG T=1\nFROM b:$T\n", resolved("a")),
        // re-declaring a global ARG without a value keeps its default
        ("ARG T=1\nARG T\nFROM i:$T\n", resolved("i:1")),
        // nesting deeper than the bound is unresolved, not a crash
        (
            "FROM i:${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-${A:-x}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}\n",
            unresolved(&[]),
        ),
    ];
    for (input, expected) in cases {
        let (_, parsed) = parse_text(input);
        let got = parsed.images.first().map(|i| i.value.without_shape());
        assert_eq!(got, Some(expected), "input {input:?}");
    }
    // 10k-deep nesting neither overflows the stack nor takes long.
    let input = format!("FROM i:{}x{}\n", "${A:-".repeat(10_000), "}".repeat(10_000));
    let (_, parsed) = parse_text(&input);
    assert_eq!(
        parsed.images.first().map(|i| i.value.without_shape()),
        Some(unresolved(&[]))
    );
}

#[test]
fn expansion_errors_are_problems() {
    // (input, problems, number of images)
    let cases: &[(&str, &[&str], usize)] = &[
        (
            "FROM i:${\n",
            &["cannot expand `i:${`: syntax error: missing '}'"],
            0,
        ),
        (
            "FROM i:${}\n",
            &["cannot expand `i:${}`: syntax error: bad substitution"],
            0,
        ),
        (
            "ARG A=${B\nFROM i\n",
            &["cannot expand `${B`: unsupported modifier () in substitution"],
            1,
        ),
        // FROM words split on whitespace, even inside `${}`
        (
            "ARG A=\"x y\"\nFROM i:${A// /-}\n",
            &[
                "cannot expand `i:${A//`: syntax error: missing '/' in ${}",
                "unexpected `/-}` after the image: `FROM` takes `<image> [AS <name>]`",
            ],
            0,
        ),
    ];
    for (input, problems, count) in cases {
        let (_, parsed) = parse_text(input);
        assert_eq!(problem_messages(&parsed), *problems, "input {input:?}");
        assert_eq!(parsed.images.len(), *count, "input {input:?}");
    }
}

#[test]
fn via_points_at_the_arg_tokens() {
    let (source, parsed) = parse_text(
        "ARG REG=ghcr.io\nARG TAG=1.2 OTHER\nARG IMG=${REG}/app\nFROM $IMG:$TAG AS app\n",
    );
    let image = parsed.images.first().expect("image");
    assert_eq!(image.value, resolved("ghcr.io/app:1.2"));
    assert_eq!(image.written(), "$IMG:$TAG");
    let via: Vec<(&str, &str, (usize, usize))> = image
        .via
        .iter()
        .map(|r| {
            (
                r.location.text(),
                r.label.as_str(),
                line_column(&source, r.location.span),
            )
        })
        .collect();
    assert_eq!(
        via,
        [
            (
                "IMG=${REG}/app",
                "`IMG` defaults to `ghcr.io/app` here",
                (3, 5)
            ),
            ("REG=ghcr.io", "`REG` defaults to `ghcr.io` here", (1, 5)),
            ("TAG=1.2", "`TAG` defaults to `1.2` here", (2, 5)),
        ]
    );
    assert_eq!(
        image.origin.as_ref().map(ToString::to_string).as_deref(),
        Some("stage `app`")
    );

    // An ARG without a default is pointed at too.
    let (_, parsed) = parse_text("ARG TAG\nFROM python:$TAG\n");
    let image = parsed.images.first().expect("image");
    let labels: Vec<(&str, &str)> = image
        .via
        .iter()
        .map(|r| (r.location.text(), r.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        [("TAG", "`TAG` is declared here without a default")]
    );
}

#[test]
fn copy_and_mount_references() {
    let input = "\
FROM golang:1.22 AS builder
FROM alpine:3.19
COPY --from=builder /a /b
COPY --from=BUILDER /a /b
COPY --from=nginx:latest /etc/nginx /etc/nginx
COPY --from=0 /a /b
RUN --mount=type=bind,from=alpine:3.19,target=/x true
RUN --mount=type=cache,target=/root/.cache --mount=from=builder,target=/y true
COPY --from=\"busybox:1\" /a /b
";
    let (source, parsed) = parse_text(input);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(
        images(&parsed),
        [
            image("golang:1.22", resolved("golang:1.22"), "stage `builder`"),
            image("alpine:3.19", resolved("alpine:3.19"), "stage 1"),
            image(
                "nginx:latest",
                resolved("nginx:latest"),
                "`COPY --from` in stage 1"
            ),
            image(
                "alpine:3.19",
                resolved("alpine:3.19"),
                "`RUN --mount` in stage 1"
            ),
            image(
                "busybox:1",
                resolved("busybox:1"),
                "`COPY --from` in stage 1"
            ),
        ]
    );
    let mount = parsed.images.get(3).expect("mount image");
    assert_eq!(line_column(&source, mount.location.span), (7, 28));
}

#[test]
fn references_use_stage_scope() {
    // (input, values of the `--from` images, problems)
    let cases: Vec<(&str, Vec<ImageValue>, Vec<&str>)> = vec![
        // a platform argument imported into the stage that names a stage: no image
        (
            "FROM a AS bin-linux\nFROM b\nARG TARGETOS\nCOPY --from=bin-$TARGETOS /a /b\n",
            vec![],
            vec![],
        ),
        // one that names no stage: an image per platform
        (
            "FROM b\nARG TARGETOS\nCOPY --from=tool:$TARGETOS /a /b\n",
            vec![per_platform(
                "tool:",
                &["linux", "windows", "darwin", "freebsd"],
            )],
            vec![],
        ),
        // ENV in the stage
        (
            "FROM a\nENV IMG=busybox:1\nCOPY --from=$IMG /a /b\n",
            vec![resolved("busybox:1")],
            vec![],
        ),
        // a stage ARG without a value imports the global default
        (
            "ARG IMG=nginx:1\nFROM a\nARG IMG\nCOPY --from=$IMG /x /y\n",
            vec![resolved("nginx:1")],
            vec![],
        ),
        // a global ARG is not visible in a stage without `ARG IMG`
        (
            "ARG IMG=nginx:1\nFROM a\nCOPY --from=$IMG /x /y\n",
            vec![unresolved(&["IMG"])],
            vec![],
        ),
        // on scratch nothing is inherited, so `:-` applies
        (
            "FROM scratch\nCOPY --from=${IMG:-nginx:2} /x /y\n",
            vec![resolved("nginx:2")],
            vec![],
        ),
        // ENV wins over a later ARG of the same name
        (
            "FROM a\nENV X=e:1\nARG X=a:1\nCOPY --from=$X /a /b\n",
            vec![resolved("e:1")],
            vec![],
        ),
        // one ENV instruction sees the values from before it
        (
            "FROM a\nENV A=1\nENV A=2 B=i:$A\nCOPY --from=$B /a /b\n",
            vec![resolved("i:1")],
            vec![],
        ),
        // legacy `ENV key value`
        (
            "FROM a\nENV IMG nginx:3\nCOPY --from=$IMG /a /b\n",
            vec![resolved("nginx:3")],
            vec![],
        ),
        // a stage built on an earlier stage inherits its variables
        (
            "FROM a AS base\nENV IMG=nginx:4\nFROM base\nCOPY --from=$IMG /a /b\n",
            vec![resolved("nginx:4")],
            vec![],
        ),
        // a stage ARG resolves to a stage name: a stage, not an image
        (
            "FROM a AS src\nFROM b\nARG S=src\nCOPY --from=$S /a /b\n",
            vec![],
            vec![],
        ),
        // mount from a variable
        (
            "FROM a\nARG M=alpine:3\nRUN --mount=from=$M,target=/m true\n",
            vec![resolved("alpine:3")],
            vec![],
        ),
        // an index out of range
        (
            "FROM a\nCOPY --from=5 /a /b\n",
            vec![],
            vec!["invalid stage index `5`"],
        ),
        // a stage defined later
        (
            "FROM a\nCOPY --from=later /a /b\nFROM b AS later\n",
            vec![],
            vec!["cannot copy from stage `later`: it needs to be defined before the current stage"],
        ),
        // the current stage by index
        (
            "FROM a\nCOPY --from=0 /a /b\n",
            vec![],
            vec!["cannot copy from stage `0`: it needs to be defined before the current stage"],
        ),
        // an empty `--from=` is no reference
        ("FROM a\nCOPY --from= /a /b\n", vec![], vec![]),
        // `--from=scratch` is the empty filesystem, not an image
        ("FROM a\nCOPY --from=scratch /a /b\n", vec![], vec![]),
        // a bare quote in a mount is a CSV error
        (
            "FROM a\nRUN --mount=from=a\\\"b,target=/x true\n",
            vec![],
            vec!["invalid `--mount` value: bad quoting in comma-separated fields"],
        ),
    ];
    for (input, values, problems) in cases {
        let (_, parsed) = parse_text(input);
        let got: Vec<ImageValue> = parsed
            .images
            .iter()
            .filter(|i| {
                i.origin
                    .as_ref()
                    .is_some_and(|o| o.to_string().starts_with('`'))
            })
            .map(|i| i.value.without_shape())
            .collect();
        assert_eq!(got, values, "input {input:?}");
        assert_eq!(problem_messages(&parsed), problems, "input {input:?}");
    }
}

#[test]
fn reference_spans_inside_flags() {
    let (source, parsed) = parse_text(
        "FROM a\nRUN --mount=type=cache,\\\nfrom=img:1,target=/x true\nCOPY --from=\"q:1\" /a /b\n",
    );
    let written: Vec<(&str, (usize, usize))> = parsed
        .images
        .iter()
        .skip(1)
        .map(|i| (i.written(), line_column(&source, i.location.span)))
        .collect();
    assert_eq!(written, [("img:1", (3, 6)), ("q:1", (4, 14))]);
}
