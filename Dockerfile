# Development image of the pinwarden container action: on main, action.yml says
# `runs.image: Dockerfile`, so `uses: ./` (the self-scan) builds pinwarden from source here. A
# release pins action.yml to the prebuilt image instead (Dockerfile.release, built by
# release.yml from the released static binaries). It must pass pinwarden's own strictest scan
# (`pinwarden scan --policy digest`): every base image is pinned by the digest of its multi-arch
# index, with the tag it was taken from written beside it or in a comment.

# Builder: the official Rust image. Keep its version in lock-step with rust-toolchain.toml
# (.ci/validate-action checks this); rust-toolchain.toml itself is kept out of the build context
# by .dockerignore so that rustup uses this image's toolchain instead of downloading components.
FROM rust:1.95.0-slim-bookworm@sha256:d7482085ff5b415f84dba5647ae71606650bdef00db7aeb69f4b3d170c3e4082 AS builder

# musl-tools provides the C compiler for the static musl target (crates that build C, such as
# ring, call it); its version is the one Debian bookworm ships.
RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools=1.2.3-1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .

# The commit `pinwarden --version` names (see build.rs). .git is not in the build context, so
# pass it as `--build-arg PINWARDEN_COMMIT="$(git rev-parse HEAD)"`; unset, it is `unknown`.
ARG PINWARDEN_COMMIT

# A fully static binary, so the runtime image needs no libc. The target follows the build
# machine's architecture (x86_64 on GitHub's x64 runners, aarch64 on arm64 runners).
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
RUN set -eux; \
    target="$(uname -m)-unknown-linux-musl"; \
    rustup target add "$target"; \
    cargo build --release --locked --target "$target"; \
    cp "target/$target/release/pinwarden" /pinwarden

# Runtime: distroless static (gcr.io/distroless/static-debian12:latest, the root variant). It has
# CA certificates, which the SARIF upload needs for TLS, and nothing else: no shell, no package
# manager.
# pinwarden:ignore PW401 -- GitHub runs container actions as the default (root) user; see docs.github.com "Dockerfile support for GitHub Actions"
FROM gcr.io/distroless/static-debian12@sha256:d75cdd72874d4790092fcb1b058493ecf6bb5bf2b2b897045b00ff01d91843f2

LABEL org.opencontainers.image.title="pinwarden" \
      org.opencontainers.image.description="CI gate for container supply-chain pinning, reported as SARIF" \
      org.opencontainers.image.source="https://github.com/pinwarden/pinwarden" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"

COPY --from=builder /pinwarden /pinwarden

# NOTE: no USER and no WORKDIR. GitHub runs container actions as root and sets the working
# directory to the mounted workspace itself (docs: "Dockerfile support for GitHub Actions").
ENTRYPOINT ["/pinwarden"]
