//! Table tests for the reference grammar and the tag classifier.
use super::*;

/// Placeholders expanded in test inputs, so digests stay readable in the tables.
fn expand(input: &str) -> String {
    let hex = "0123456789abcdef".repeat(8);
    let lower = |len: usize| hex.get(..len).unwrap_or_default().to_owned();
    input
        .replace("{H32}", &lower(32))
        .replace("{H64}", &lower(64))
        .replace("{H96}", &lower(96))
        .replace("{H128}", &lower(128))
        .replace("{U64}", &lower(64).to_ascii_uppercase())
}

fn kind(error: &RefError) -> &'static str {
    match error {
        RefError::Empty => "empty",
        RefError::InvalidFormat(_) => "format",
        RefError::UppercaseRepository(_) => "uppercase",
        RefError::InvalidDigest(_) => "digest",
        RefError::NameTooLong => "too-long",
        RefError::HexIdentifier(_) => "hex-id",
    }
}

type Parts = (Option<String>, String, Option<String>, Option<String>);

fn parts(input: &str) -> Result<Parts, &'static str> {
    ImageRef::parse(&expand(input))
        .map(|image| {
            let digest = image.digest.as_ref().map(Digest::to_string);
            (image.registry, image.path, image.tag, digest)
        })
        .map_err(|error| kind(&error))
}

#[test]
fn parses_valid_references() {
    // (input, registry, path, tag, digest)
    type Case = (
        &'static str,
        Option<&'static str>,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    );
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("python", None, "python", None, None), // familiar official image
        ("python:3.12", None, "python", Some("3.12"), None), // tagged
        ("library/python", None, "library/python", None, None), // explicit library namespace
        ("docker.io/library/python:3", Some("docker.io"), "library/python", Some("3"), None), // fully qualified
        ("index.docker.io/python", Some("index.docker.io"), "python", None, None), // legacy hub host kept as written
        ("localhost/app", Some("localhost"), "app", None, None), // localhost is always a registry
        ("localhost:5000/app", Some("localhost:5000"), "app", None, None), // port, no tag
        ("localhost:5000/app:1.0", Some("localhost:5000"), "app", Some("1.0"), None), // port and tag
        ("host:5000/ns/app:1.2@sha256:{H64}", Some("host:5000"), "ns/app", Some("1.2"), Some("sha256:{H64}")), // everything
        ("ghcr.io/owner/app@sha256:{H64}", Some("ghcr.io"), "owner/app", None, Some("sha256:{H64}")), // digest only
        ("registry.example.com:443/a/b/c:tag", Some("registry.example.com:443"), "a/b/c", Some("tag"), None), // deep path
        ("[::1]:5000/app:1", Some("[::1]:5000"), "app", Some("1"), None), // IPv6 with port
        ("[::1]/app", Some("[::1]"), "app", None, None), // IPv6 without port
        ("[2001:db8::1]:443/ns/app", Some("[2001:db8::1]:443"), "ns/app", None, None), // longer IPv6
        ("127.0.0.1:5000/app", Some("127.0.0.1:5000"), "app", None, None), // IPv4
        ("app@sha512:{H128}", None, "app", None, Some("sha512:{H128}")), // sha512
        ("app@sha384:{H96}", None, "app", None, Some("sha384:{H96}")), // sha384
        ("app@md5:{H32}", None, "app", None, Some("md5:{H32}")), // unregistered algorithm, recognised
        ("app@sha256+b64u:{H64}", None, "app", None, Some("sha256+b64u:{H64}")), // compound algorithm
        ("app@SHA256:{U64}", None, "app", None, Some("SHA256:{U64}")), // unregistered spelling: only the grammar applies
        ("GHCR.IO/app", Some("GHCR.IO"), "app", None, None), // the domain may be uppercase
        ("Foo/bar", Some("Foo"), "bar", None, None), // uppercase first component is a domain (splitDockerDomain)
        ("app:latest@sha256:{H64}", None, "app", Some("latest"), Some("sha256:{H64}")), // tag and digest both kept
        ("quay.io/ns/app:v1@sha256:{H64}", Some("quay.io"), "ns/app", Some("v1"), Some("sha256:{H64}")), // quay
        ("a__b", None, "a__b", None, None), // double underscore separator
        ("a---b", None, "a---b", None, None), // dash runs are one separator
        ("a.b_c-d", None, "a.b_c-d", None, None), // each single separator
        ("0/1", None, "0/1", None, None), // digits-only components
        ("ns/app/sub/deep:1", None, "ns/app/sub/deep", Some("1"), None), // nested path on hub
        ("my-host.example.com/app", Some("my-host.example.com"), "app", None, None), // dashed host
        ("my-registry:5000/app", Some("my-registry:5000"), "app", None, None), // port makes it a domain
        ("a.b.c/d", Some("a.b.c"), "d", None, None), // dot makes it a domain
        ("localhost", None, "localhost", None, None), // bare localhost is an image name
        ("localhost:5000", None, "localhost", Some("5000"), None), // without `/`, `:5000` is a tag
        ("ghcr.io:5000", None, "ghcr.io", Some("5000"), None), // likewise: docker.io/library/ghcr.io:5000
        ("app:_tag", None, "app", Some("_tag"), None), // tag may start with `_`
        ("app:A", None, "app", Some("A"), None), // tags are case-sensitive and may be uppercase
        ("app:1.0.0_build-2", None, "app", Some("1.0.0_build-2"), None), // `.`, `_`, `-` inside a tag
        ("docker.io/python:3.12-slim", Some("docker.io"), "python", Some("3.12-slim"), None), // hub without library/
        ("app:1.0@md5:{H32}", None, "app", Some("1.0"), Some("md5:{H32}")), // tag with other algorithm
    ];
    for &(input, registry, path, tag, digest) in cases {
        let want = (
            registry.map(str::to_owned),
            path.to_owned(),
            tag.map(str::to_owned),
            digest.map(expand),
        );
        assert_eq!(parts(input), Ok(want), "{input}");
    }
}

#[test]
fn rejects_invalid_references() {
    #[rustfmt::skip]
    let cases: &[(&str, &str)] = &[
        ("", "empty"), // nothing at all
        (" ", "format"), // whitespace only
        (" python", "format"), // callers trim, we do not
        ("python ", "format"), // trailing space in the name
        ("python:3.12\n", "format"), // newline in the tag
        ("app\t", "format"), // tab in the name
        ("app@sha256:123456", "digest"), // placeholder digest
        ("app@sha256:{U64}", "digest"), // sha256 must be lowercase
        ("app@sha256:{H32}", "digest"), // sha256 too short
        ("app@sha256:{H64}0", "digest"), // sha256 too long (65)
        ("app@sha512:{H64}", "digest"), // sha512 needs 128
        ("app@sha384:{H64}", "digest"), // sha384 needs 96
        ("app@md5:0123abcd", "digest"), // any algorithm needs 32+ hex
        ("app@sha256", "digest"), // no `:`
        ("app@", "digest"), // empty digest
        ("app@:{H64}", "digest"), // empty algorithm
        ("app@1sha:{H32}", "digest"), // algorithm starts with a digit
        ("app@sha--256:{H64}", "digest"), // doubled algorithm separator
        ("app@sha256:{H64}@sha256:{H64}", "digest"), // two digests
        ("app@sha256:{H32}zz{H32}", "digest"), // non-hex character
        ("Python:3", "uppercase"), // docker: repository name must be lowercase
        ("ns/App", "uppercase"), // uppercase later component
        ("ghcr.io/Owner/app", "uppercase"), // uppercase after a registry
        ("App@sha256:{H64}", "uppercase"), // uppercase with a digest
        ("app:", "format"), // empty tag
        (":tag", "format"), // no name
        ("@sha256:{H64}", "format"), // digest without a name
        ("app::1", "format"), // doubled `:`
        ("app:tag:tag", "format"), // two tags
        ("a//b", "format"), // empty component
        ("/app", "format"), // leading slash
        ("app/", "format"), // trailing slash
        ("ghcr.io/", "format"), // registry without a path
        ("a/-b", "format"), // component starts with a separator
        ("-app", "format"), // name starts with a dash
        ("app-", "format"), // name ends with a dash
        ("app.", "format"), // name ends with a dot
        ("_app", "format"), // name starts with underscore
        ("a___b", "format"), // three underscores
        ("a._b", "format"), // mixed separators
        ("a..b", "format"), // doubled dot
        ("app:.bad", "format"), // tag starts with `.`
        ("app:-bad", "format"), // tag starts with `-`
        ("app:1+build", "format"), // `+` is not a tag character
        ("docker://app", "format"), // callers strip the transport
        ("app:${TAG}", "format"), // callers expand variables first
        ("${REGISTRY}/app", "format"), // unexpanded registry variable
        ("python:${TAG:-3}", "format"), // default-value expansion
        ("pythön", "format"), // non-ASCII name
        ("ghcr.io/app:тег", "format"), // non-ASCII tag
        ("-host.com/app", "format"), // domain component starts with a dash
        ("host-.com/app", "format"), // domain component ends with a dash
        ("host..com/app", "format"), // empty domain component
        ("host:/app", "format"), // empty port
        ("host:port/app", "format"), // non-numeric port
        ("host:5000:1/app", "format"), // two ports
        ("[::1/app", "format"), // unclosed IPv6 bracket
        ("[zz]:5000/app", "format"), // not IPv6 characters
        ("[]/app", "format"), // empty IPv6 address
        ("[::1]x/app", "format"), // junk after the bracket
        ("::1/app", "format"), // IPv6 needs brackets
        ("ho_st.com/app", "format"), // underscore in a host
        ("{H64}", "hex-id"), // an image id is not a name
    ];
    for &(input, want) in cases {
        assert_eq!(parts(input).map(|_| ()), Err(want), "{input:?}");
    }
}

#[test]
fn enforces_length_limits() {
    let name = |len: usize| "a".repeat(len);
    // `library/` (8) counts on Docker Hub: 247 + 8 = 255 is the limit.
    assert!(ImageRef::parse(&name(247)).is_ok());
    assert_eq!(ImageRef::parse(&name(248)), Err(RefError::NameTooLong));
    // With a namespace nothing is added: `ns/` + 252 = 255.
    assert!(ImageRef::parse(&format!("ns/{}", name(252))).is_ok());
    assert_eq!(
        ImageRef::parse(&format!("ns/{}", name(253))),
        Err(RefError::NameTooLong)
    );
    // The registry does not count, only the path (reference.go).
    assert!(ImageRef::parse(&format!("ghcr.io/{}", name(255))).is_ok());
    assert_eq!(
        ImageRef::parse(&format!("ghcr.io/{}", name(256))),
        Err(RefError::NameTooLong)
    );
    // A tag may be 128 characters, not 129.
    let tagged = |len: usize| ImageRef::parse(&format!("app:{}", name(len)));
    assert_eq!(
        tagged(128).map(|image| image.tag.map(|tag| tag.len())),
        Ok(Some(128))
    );
    assert!(matches!(tagged(129), Err(RefError::InvalidFormat(_))));
    // Huge inputs are rejected, not panicked on.
    assert_eq!(ImageRef::parse(&name(10_000)), Err(RefError::NameTooLong));
}

#[test]
fn normalizes_and_familiarizes_names() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str)] = &[
        ("python", "docker.io/library/python", "python"), // official image
        ("python:3.12", "docker.io/library/python", "python"), // the tag is not part of the name
        ("library/python", "docker.io/library/python", "python"), // explicit library
        ("docker.io/python", "docker.io/library/python", "python"), // hub host, single component
        ("docker.io/library/python:3", "docker.io/library/python", "python"), // fully qualified
        ("index.docker.io/python", "docker.io/library/python", "python"), // legacy host
        ("index.docker.io/ns/app", "docker.io/ns/app", "ns/app"), // legacy host, user repo
        ("ns/app", "docker.io/ns/app", "ns/app"), // user repo on hub
        ("docker.io/library/ns/app", "docker.io/library/ns/app", "library/ns/app"), // nested library kept
        ("ghcr.io/ns/app", "ghcr.io/ns/app", "ghcr.io/ns/app"), // other registry kept
        ("quay.io/python", "quay.io/python", "quay.io/python"), // no library/ off the hub
        ("localhost:5000/app", "localhost:5000/app", "localhost:5000/app"), // local registry
        ("localhost/app", "localhost/app", "localhost/app"), // localhost without port
        ("GHCR.IO/app", "GHCR.IO/app", "GHCR.IO/app"), // host case is preserved
        ("app@sha256:{H64}", "docker.io/library/app", "app"), // the digest is not part of the name
    ];
    for &(input, normalized, familiar) in cases {
        let image = ImageRef::parse(&expand(input));
        assert_eq!(
            image.as_ref().map(ImageRef::normalized_name),
            Ok(normalized.to_owned()),
            "{input}"
        );
        assert_eq!(
            image.as_ref().map(ImageRef::familiar_name),
            Ok(familiar.to_owned()),
            "{input}"
        );
    }
}

#[test]
fn reports_digest_pinning() {
    // (input, is_digest_pinned, is_canonical_sha256)
    let cases: &[(&str, bool, bool)] = &[
        ("python:3", false, false),         // tag only
        ("app@sha256:{H64}", true, true),   // canonical
        ("app:1@sha256:{H64}", true, true), // tag and digest
        ("app@sha512:{H128}", true, false), // pinned, not sha256
        ("app@md5:{H32}", true, false),     // recognised algorithm
        ("app@SHA256:{U64}", true, false),  // not the canonical spelling
    ];
    for &(input, pinned, canonical) in cases {
        let image = ImageRef::parse(&expand(input));
        assert_eq!(
            image.as_ref().map(ImageRef::is_digest_pinned),
            Ok(pinned),
            "{input}"
        );
        let sha256 = image.map(|image| {
            image
                .digest
                .is_some_and(|digest| digest.is_canonical_sha256())
        });
        assert_eq!(sha256, Ok(canonical), "{input}");
    }
    // A hand-built reference with a placeholder digest is not pinned.
    let placeholder = ImageRef {
        registry: None,
        path: "app".to_owned(),
        tag: None,
        digest: Some(Digest {
            algorithm: "sha256".to_owned(),
            encoded: "123456".to_owned(),
        }),
    };
    assert!(!placeholder.is_digest_pinned());
}

#[test]
fn displays_as_written() {
    for input in [
        "python",
        "python:3.12",
        "localhost:5000/app:1.0",
        "host:5000/ns/app:1.2@sha256:{H64}",
        "[::1]:5000/app@md5:{H32}",
    ] {
        let text = expand(input);
        assert_eq!(
            ImageRef::parse(&text).map(|image| image.to_string()),
            Ok(text.clone())
        );
    }
}

#[test]
fn error_messages_are_lowercase_and_quote_the_value() {
    let message = |input: &str| ImageRef::parse(input).map_err(|error| error.to_string());
    assert_eq!(
        message("Python:3"),
        Err("repository name must be lowercase: `Python`".to_owned())
    );
    assert_eq!(message(""), Err("image reference is empty".to_owned()));
    assert_eq!(
        message("app:${TAG}")
            .map_err(|text| text.starts_with("invalid reference format: tag `${TAG}`")),
        Err(true)
    );
    assert_eq!(
        message("app@sha256:123456")
            .map_err(|text| text.starts_with("invalid digest `sha256:123456`")),
        Err(true)
    );
    assert_eq!(
        RefError::NameTooLong.to_string(),
        "repository name must not be more than 255 characters"
    );
}

#[test]
fn classifies_tags() {
    use FloatingReason::{Channel, MajorOnly};
    use TagClass::{Floating, Latest, Specific};
    #[rustfmt::skip]
    let cases: &[(&str, TagClass)] = &[
        ("latest", Latest), // the default tag
        ("Latest", Floating(Channel)), // tags are case-sensitive: just a word
        ("LATEST", Floating(Channel)), // likewise
        ("latest-alpine", Floating(Channel)), // a variant of latest is still a word
        ("lts", Floating(Channel)), // release channel
        ("stable", Floating(Channel)), // release channel
        ("edge", Floating(Channel)), // rolling channel
        ("mainline", Floating(Channel)), // nginx channel
        ("nightly", Floating(Channel)), // rebuilt every night
        ("nonroot", Floating(Channel)), // distroless variant
        ("alpine", Floating(Channel)), // variant only
        ("slim", Floating(Channel)), // variant only
        ("bookworm", Floating(Channel)), // distro codename
        ("bookworm-slim", Floating(Channel)), // codename plus variant
        ("lts-alpine", Floating(Channel)), // channel plus variant
        ("stable-alpine3.18", Floating(Channel)), // `alpine3.18` starts with letters
        ("stable-alpine3.18-perl", Floating(Channel)), // likewise, with a flavour
        ("ltsc2022", Floating(Channel)), // Windows channel, not hex
        ("windowsservercore-1809", Floating(Channel)), // 4 digits are not a build number
        ("", Floating(Channel)), // no tokens at all
        ("3", Floating(MajorOnly)), // major only
        ("1", Floating(MajorOnly)), // major only
        ("16", Floating(MajorOnly)), // major only
        ("v4", Floating(MajorOnly)), // `v` prefix
        ("v2", Floating(MajorOnly)), // `v` prefix
        ("18-alpine", Floating(MajorOnly)), // major plus variant
        ("3-slim", Floating(MajorOnly)), // major plus variant
        ("17-jdk", Floating(MajorOnly)), // major plus flavour
        ("18-alpine3.18", Floating(MajorOnly)), // the distro version does not pin the image
        ("3.11.7-slim", Specific), // full version
        ("1.25.3-alpine3.18", Specific), // full version plus distro
        ("22.04", Specific), // two components
        ("20240101", Specific), // date
        ("jammy-20240111", Specific), // codename plus date
        ("bookworm-20240110-slim", Specific), // date in the middle
        ("release-1.2.3", Specific), // version after a leading word
        ("jdk-17.0.9", Specific), // likewise
        ("3.11-slim", Specific), // major.minor
        ("1.22-bookworm", Specific), // major.minor plus codename
        ("8.0", Specific), // major.minor
        ("16.2", Specific), // major.minor
        ("0.1", Specific), // zero major
        ("2024.01.01", Specific), // dotted date
        ("2024-01-01", Specific), // dashed date
        ("v2.1", Specific), // `v` prefix
        ("v1.2.3", Specific), // `v` prefix
        ("1.2.3rc1", Specific), // pre-release suffix
        ("1.0.0-beta.1", Specific), // semver pre-release
        ("7.2.4-debian-12-r9", Specific), // bitnami revision
        ("17.0.9_9-jdk", Specific), // Temurin build
        ("8u342-jdk", Specific), // Java update
        ("sha-abc1234", Specific), // commit-tagged build
        ("git-3f2a1b9", Specific), // commit-tagged build
        ("3-20240101", Specific), // a build number pins even a major tag
        ("dev-deadbeef", Floating(Channel)), // hex without a digit is a word
        ("abc123", Floating(Channel)), // 6 hex chars are too short for a commit
    ];
    for &(tag, want) in cases {
        assert_eq!(classify_tag(tag), want, "{tag:?}");
    }
}

#[test]
fn describes_floating_reasons() {
    assert_eq!(FloatingReason::Channel.describe(), "a channel tag");
    assert_eq!(
        FloatingReason::MajorOnly.describe(),
        "a major-only version tag"
    );
    assert_eq!(
        classify_tag("lts"),
        TagClass::Floating(FloatingReason::Channel)
    );
}

/// Tags published on real registries (Docker Hub official images, GHCR, Quay, MCR,
/// registry.k8s.io, nvcr.io, Google Artifact Registry), each with its repository's last path
/// component: a specific tag names one build, a floating one moves.
#[test]
fn classifies_real_registry_tags() {
    use FloatingReason::{Channel, MajorOnly};
    use TagClass::{Floating, Specific};
    #[rustfmt::skip]
    let cases: &[(&str, &str, TagClass)] = &[
        // Java: update and build numbers, wherever they stand
        ("openjdk8", "jdk8u292-b10", Specific),
        ("openjdk8", "jdk8u202-b08-alpine-slim", Specific),
        ("eclipse-temurin", "8u432-b06-jdk-jammy", Specific),
        ("eclipse-temurin", "21.0.5_11-jdk", Specific),
        ("eclipse-temurin", "17.0.13_11-jre-alpine", Specific),
        ("scala-sbt", "temurin-21.0.5_11-jdk", Specific),
        ("openjdk", "11.0.16-jre-slim", Specific),
        ("eclipse-temurin", "21-jdk-alpine", Floating(MajorOnly)),
        ("openjdk", "17-jdk-slim", Floating(MajorOnly)),
        ("amazoncorretto", "21-al2023-headless", Floating(MajorOnly)),
        ("gradle", "8.10.2-jdk21", Specific),
        ("gradle", "jdk21", Floating(Channel)),
        ("maven", "3.9.9-eclipse-temurin-21", Specific),
        ("maven", "3-eclipse-temurin-17", Floating(MajorOnly)),
        ("jenkins", "2.479.1-lts-jdk17", Specific),
        ("jenkins", "lts-jdk17", Floating(Channel)),
        // a product version after letters
        ("tpu", "jax0.7.2-rev1", Specific),
        ("golang", "1.22.5-bookworm", Specific),
        ("golang", "1.21.13-alpine3.20", Specific),
        ("golang", "1-alpine", Floating(MajorOnly)),
        // base-system versions name the base, not the image
        ("node", "20.11.1-alpine3.19", Specific),
        ("node", "18.20.4-bookworm-slim", Specific),
        ("node", "18-alpine3.18", Floating(MajorOnly)),
        ("node", "22-alpine", Floating(MajorOnly)),
        ("node", "lts-alpine", Floating(Channel)),
        ("node", "iron-alpine3.20", Floating(Channel)),
        ("node", "current-slim", Floating(Channel)),
        ("python", "3.12.7-slim-bookworm", Specific),
        ("python", "3.11.9-alpine3.20", Specific),
        ("python", "alpine3.20", Floating(Channel)),
        ("python", "3-slim", Floating(MajorOnly)),
        ("nginx", "1.27.2-alpine", Specific),
        ("nginx", "1.25.3-alpine3.18-perl", Specific),
        ("nginx", "stable-alpine3.18", Floating(Channel)),
        ("nginx", "mainline", Floating(Channel)),
        ("redis", "7.2.4-alpine3.19", Specific),
        ("redis", "7-alpine", Floating(MajorOnly)),
        ("postgres", "16.4-bookworm", Specific),
        ("postgres", "15.8-alpine3.20", Specific),
        ("mysql", "8.4.2-oraclelinux8", Specific),
        ("mysql", "8.0.39-debian", Specific),
        ("mariadb", "11.4.3-noble", Specific),
        ("httpd", "2.4.62-alpine3.20", Specific),
        ("php", "8.3.12-fpm-alpine3.20", Specific),
        ("php", "8-apache", Floating(MajorOnly)),
        ("php", "apache", Floating(Channel)),
        ("ruby", "3.3.5-alpine3.20", Specific),
        ("rust", "1.81.0-slim-bookworm", Specific),
        ("rust", "1-slim", Floating(MajorOnly)),
        ("rust", "slim", Floating(Channel)),
        ("busybox", "1.36.1-musl", Specific),
        ("alpine", "3.20.3", Specific),
        ("alpine", "3", Floating(MajorOnly)),
        ("alpine", "edge", Floating(Channel)),
        // the base system's own repository: its version is the image's
        ("centos", "centos7.9.2009", Specific),
        ("ubuntu", "22.04", Specific),
        ("ubuntu", "jammy-20240111", Specific),
        ("ubuntu", "noble", Floating(Channel)),
        ("debian", "bookworm-20240926-slim", Specific),
        ("debian", "12.7-slim", Specific),
        ("debian", "12", Floating(MajorOnly)),
        ("postgresql", "16.4.0-debian-12-r9", Specific),
        ("grafana", "11.2.2-ubuntu", Specific),
        ("cuda", "12.6.1-base-ubuntu24.04", Specific),
        ("pytorch", "2.4.1-cuda12.4-cudnn9-runtime", Specific),
        ("pytorch", "24.09-py3", Specific),
        ("tensorflow", "2.17.0-gpu", Specific),
        ("tensorflow", "latest-gpu", Floating(Channel)),
        ("docker", "27.3.1-dind", Specific),
        ("docker", "24-dind", Floating(MajorOnly)),
        ("docker", "dind", Floating(Channel)),
        ("rabbitmq", "3.13.7-management-alpine", Specific),
        ("rabbitmq", "3-management", Floating(MajorOnly)),
        ("prometheus", "v2.54.1", Specific),
        ("traefik", "v3.1.6", Specific),
        ("traefik", "v3", Floating(MajorOnly)),
        ("controller", "v1.11.3", Specific),
        ("pause", "3.10", Specific),
        ("node", "v1.31.0", Specific), // kindest/node
        ("keycloak", "nightly", Floating(Channel)),
        ("actions-runner", "2.320.0", Specific),
        ("aspnet", "8.0.8-bookworm-slim", Specific),
        ("aspnet", "8.0-alpine", Specific),
        ("servercore", "ltsc2022", Floating(Channel)),
        ("servercore", "10.0.20348.2700", Specific),
        ("runtime", "4.8.1-windowsservercore-ltsc2022", Specific),
        ("static-debian12", "nonroot", Floating(Channel)),
        ("static-debian12", "debug-nonroot", Floating(Channel)),
        ("terraform", "1.9.7", Specific),
        ("terraform", "light", Floating(Channel)),
        // a number after `+` is a build
        ("openjdk", "jdk-21+35", Specific),
    ];
    assert!(cases.len() >= 60);
    for &(name, tag, want) in cases {
        assert_eq!(classify_image_tag(name, tag), want, "{name}:{tag}");
    }
}
