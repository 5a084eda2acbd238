#!/usr/bin/env python3
"""Pin action.yml to a released image: rewrite `runs.image` to `docker://IMAGE@sha256:DIGEST`.

The release workflow runs this after it has pushed the multi-arch image, so that the release
commit's action.yml runs the published image by the digest of its index instead of building
`Dockerfile` on every job:

    pin_action_image.py --image ghcr.io/OWNER/pinwarden --digest sha256:<64 hex> \\
        --version v1.2.3 action.yml

The rewrite is byte-preserving: only the `image:` line directly under the top-level `runs:`
mapping changes (its indentation and line ending are kept, its value and any trailing comment
are replaced by `docker://IMAGE@sha256:DIGEST # vX.Y.Z`). Comments, blank lines, quoting, key
order, CRLF or CR line endings and a missing final newline are all kept, since the file is
never parsed into a tree and re-serialised. Anything it cannot rewrite with certainty (no
`runs:` block, `using:` not `docker`, no or several `image:` keys, a block or flow value, tab
indentation) is refused, and the file is left untouched.

Exit status: 0 on success (the new reference is printed), 1 when the input is refused, 2 for a
usage error. Python 3.9+ standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile

# The digest of an OCI image index or manifest: sha256 and exactly 64 lowercase hex digits
# (OCI image spec, "Digests": the sha256 encoded part is [a-f0-9]{64}).
DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}")
# The released version as tagged: v + SemVer 2.0 core, an optional pre-release, no build
# metadata (a `+` has no place in a tag that Cargo's version also has to match).
VERSION_RE = re.compile(
    r"v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)
# A registry host (with an optional port) and a lowercase repository path, no tag or digest
# (OCI distribution spec, "Pulling manifests": the name grammar).
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_RE = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::[0-9]+)?"
    rf"(?:/{_COMPONENT})+"
)

# Lines, keeping their break: YAML's line breaks are LF, CRLF and a lone CR (YAML 1.2 §5.4).
_LINE_RE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
# `runs:` at column 0, optionally followed by spaces and a comment, nothing else.
_RUNS_RE = re.compile(rb"runs:[ ]*(?:#.*)?$")
# A key at some indentation, e.g. `  image: Dockerfile  # comment`.
_KEY_RE = re.compile(rb"(?P<indent>[ ]*)(?P<key>[A-Za-z_][A-Za-z0-9_-]*):(?P<rest>.*)$")
# A plain or quoted one-line scalar, optionally followed by a comment.
_SCALAR_RE = re.compile(
    rb"[ ]+(?P<value>\"[^\"\\]*\"|'[^']*'|[^\s#'\"\[\]{}|>&*!%@`][^#]*?)[ ]*(?:[ ]#.*)?$"
)


class Refused(Exception):
    """The input cannot be rewritten with certainty; the message says why."""


def _split_lines(data: bytes) -> list[bytes]:
    lines = _LINE_RE.findall(data)
    if b"".join(lines) != data:  # the regex covers every byte; this guards the invariant
        raise Refused("internal error: the file did not split into lines losslessly")
    return lines


def _body(line: bytes) -> bytes:
    """The line without its line break."""
    return line.rstrip(b"\r\n")


def _is_blank_or_comment(body: bytes) -> bool:
    stripped = body.lstrip(b" ")
    return stripped == b"" or stripped.startswith(b"#")


def validate(image: str, digest: str, version: str) -> None:
    """Refuse a malformed image name, digest or version (nothing may smuggle in a newline)."""
    if not DIGEST_RE.fullmatch(digest):
        raise Refused(
            f"digest {digest!r} is not `sha256:` followed by 64 lowercase hex digits"
        )
    if not VERSION_RE.fullmatch(version):
        raise Refused(f"version {version!r} is not a tag such as v1.2.3 or v1.2.3-rc.1")
    if not IMAGE_RE.fullmatch(image):
        raise Refused(
            f"image {image!r} is not a lowercase registry/repository name without a tag "
            "or digest, such as ghcr.io/owner/pinwarden"
        )


def reference(image: str, digest: str) -> str:
    """The `runs.image` value for a released image."""
    return f"docker://{image}@{digest}"


def rewrite(data: bytes, image: str, digest: str, version: str) -> bytes:
    """Return `data` with `runs.image` set to the pinned reference; refuse what is unclear."""
    validate(image, digest, version)
    lines = _split_lines(data)

    runs_at = [i for i, line in enumerate(lines) if _RUNS_RE.fullmatch(_body(line))]
    if not runs_at:
        raise Refused("no top-level `runs:` block mapping (a flow mapping is not supported)")
    if len(runs_at) > 1:
        raise Refused("more than one top-level `runs:` key")
    start = runs_at[0] + 1

    # The block: every line after `runs:` up to the next line at column 0 that is content.
    end = start
    while end < len(lines):
        body = _body(lines[end])
        if body[:1] not in (b" ", b"\t", b"") and not body.startswith(b"#"):
            break
        end += 1

    child_indent = None
    image_at = []
    using = None
    for i in range(start, end):
        body = _body(lines[i])
        if b"\t" in body[: len(body) - len(body.lstrip(b" \t"))]:
            raise Refused(f"line {i + 1}: tab in indentation")
        if _is_blank_or_comment(body):
            continue
        indent = len(body) - len(body.lstrip(b" "))
        if child_indent is None:
            child_indent = indent
        if indent != child_indent:
            continue  # deeper: a nested value (env, args, a block scalar's text)
        match = _KEY_RE.fullmatch(body)
        if match is None:
            raise Refused(f"line {i + 1}: expected a `key:` under `runs:`")
        if match["key"] == b"image":
            image_at.append(i)
        elif match["key"] == b"using":
            scalar = _SCALAR_RE.fullmatch(match["rest"])
            using = scalar["value"].strip(b"\"'") if scalar else match["rest"].strip()

    if child_indent is None or child_indent == 0:
        raise Refused("`runs:` has no indented block mapping under it")
    if using != b"docker":
        shown = using.decode("utf-8", "replace") if using is not None else "missing"
        raise Refused(f"`runs.using` is {shown!r}, not `docker`: not a container action")
    if len(image_at) != 1:
        raise Refused(f"expected one `runs.image` key, found {len(image_at)}")

    index = image_at[0]
    line = lines[index]
    body = _body(line)
    ending = line[len(body) :]
    match = _KEY_RE.fullmatch(body)
    if match is None or _SCALAR_RE.fullmatch(match["rest"]) is None:
        raise Refused(
            f"line {index + 1}: `runs.image` is not a one-line plain or quoted scalar"
        )
    # The next content line must not continue the value (a multi-line plain scalar).
    for following in lines[index + 1 : end]:
        following_body = _body(following)
        if _is_blank_or_comment(following_body):
            continue
        if len(following_body) - len(following_body.lstrip(b" ")) > child_indent:
            raise Refused(f"line {index + 1}: `runs.image` continues on the next line")
        break

    new_body = (
        match["indent"]
        + b"image: "
        + reference(image, digest).encode("ascii")
        + b" # "
        + version.encode("ascii")
    )
    lines[index] = new_body + ending
    return b"".join(lines)


def _write_atomically(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else 0o644
    fd, temporary = tempfile.mkstemp(prefix=".pin_action_image.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="pin_action_image.py",
        description="Rewrite action.yml's runs.image to a released image pinned by digest.",
    )
    parser.add_argument("--image", required=True, help="e.g. ghcr.io/owner/pinwarden")
    parser.add_argument("--digest", required=True, help="sha256:<64 lowercase hex>")
    parser.add_argument("--version", required=True, help="the release tag, e.g. v1.2.3")
    parser.add_argument(
        "--output", help="write here instead of rewriting FILE in place"
    )
    parser.add_argument("file", metavar="FILE", help="the action.yml to rewrite")
    args = parser.parse_args(argv)

    try:
        with open(args.file, "rb") as source:
            data = source.read()
        result = rewrite(data, args.image, args.digest, args.version)
    except Refused as refused:
        print(f"pin_action_image: error: {args.file}: {refused}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"pin_action_image: error: {error}", file=sys.stderr)
        return 2
    _write_atomically(args.output or args.file, result)
    print(reference(args.image, args.digest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
