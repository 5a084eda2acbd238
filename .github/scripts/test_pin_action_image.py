"""Tests of pin_action_image.py: golden files, line endings, refusals, the CLI, the real action.yml.

Run: python3 -B -m unittest discover -s .github/scripts -p 'test_*.py' (as .ci/test does; -B
writes no __pycache__ into the repository).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import pin_action_image as pin  # noqa: E402  (after the path set-up)

IMAGE = "ghcr.io/pinwarden/pinwarden"
DIGEST = "sha256:" + "0123456789abcdef" * 4
OTHER_DIGEST = "sha256:" + "f" * 64
VERSION = "v1.2.3"
INPUT = (HERE / "testdata" / "action.input.yml").read_bytes()
GOLDEN = (HERE / "testdata" / "action.pinned.yml").read_bytes()
PINNED_LINE = re.compile(
    rb"  image: docker://ghcr\.io/pinwarden/pinwarden@sha256:[0-9a-f]{64} # v\d+\.\d+\.\d+"
)


def changed_lines(before: bytes, after: bytes) -> list[tuple[int, bytes, bytes]]:
    """(index, before, after) for every line that differs; both must have as many lines."""
    old = pin._split_lines(before)
    new = pin._split_lines(after)
    assert len(old) == len(new), (len(old), len(new))
    return [(i, a, b) for i, (a, b) in enumerate(zip(old, new)) if a != b]


class Golden(unittest.TestCase):
    def test_input_becomes_the_golden_file(self) -> None:
        self.assertEqual(pin.rewrite(INPUT, IMAGE, DIGEST, VERSION), GOLDEN)

    def test_only_the_runs_image_line_changes(self) -> None:
        changes = changed_lines(INPUT, GOLDEN)
        self.assertEqual(len(changes), 1, changes)
        _, before, after = changes[0]
        self.assertTrue(before.startswith(b"  image: Dockerfile"), before)
        self.assertRegex(after.rstrip(b"\n"), PINNED_LINE)

    def test_repinning_a_pinned_file_changes_only_the_digest_and_version(self) -> None:
        repinned = pin.rewrite(GOLDEN, IMAGE, OTHER_DIGEST, "v1.3.0-rc.1")
        changes = changed_lines(GOLDEN, repinned)
        self.assertEqual(len(changes), 1, changes)
        self.assertIn(OTHER_DIGEST.encode() + b" # v1.3.0-rc.1\n", changes[0][2])
        # And pinning again to the same values is a no-op.
        self.assertEqual(pin.rewrite(GOLDEN, IMAGE, DIGEST, VERSION), GOLDEN)


class LineEndings(unittest.TestCase):
    def test_crlf_is_kept_on_every_line(self) -> None:
        crlf = INPUT.replace(b"\n", b"\r\n")
        self.assertEqual(
            pin.rewrite(crlf, IMAGE, DIGEST, VERSION), GOLDEN.replace(b"\n", b"\r\n")
        )

    def test_lone_cr_is_kept(self) -> None:
        cr = INPUT.replace(b"\n", b"\r")
        self.assertEqual(pin.rewrite(cr, IMAGE, DIGEST, VERSION), GOLDEN.replace(b"\n", b"\r"))

    def test_mixed_endings_are_each_kept(self) -> None:
        lines = pin._split_lines(INPUT)
        mixed = b"".join(
            line[:-1] + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines)
        )
        result = pin.rewrite(mixed, IMAGE, DIGEST, VERSION)
        changes = changed_lines(mixed, result)
        self.assertEqual(len(changes), 1)
        index, before, after = changes[0]
        self.assertEqual(after[-2:] == b"\r\n", before[-2:] == b"\r\n")

    def test_no_final_newline_when_image_is_the_last_line(self) -> None:
        source = b"name: x\ndescription: y\nruns:\n  using: docker\n  image: Dockerfile"
        self.assertEqual(
            pin.rewrite(source, IMAGE, DIGEST, VERSION),
            b"name: x\ndescription: y\nruns:\n  using: docker\n  image: docker://"
            + IMAGE.encode()
            + b"@"
            + DIGEST.encode()
            + b" # v1.2.3",
        )

    def test_utf8_bom_and_non_ascii_comments_are_kept(self) -> None:
        source = "\ufeff# é ü 中\nname: x\nruns:\n  using: docker\n  image: Dockerfile\n".encode()
        result = pin.rewrite(source, IMAGE, DIGEST, VERSION)
        self.assertTrue(result.startswith("\ufeff# é ü 中\n".encode()))
        self.assertEqual(len(changed_lines(source, result)), 1)


class Layouts(unittest.TestCase):
    def rewrite(self, source: str) -> str:
        return pin.rewrite(source.encode(), IMAGE, DIGEST, VERSION).decode()

    def test_four_space_indent_and_quoted_values(self) -> None:
        for value in ("Dockerfile", '"Dockerfile"', "'Dockerfile'", "docker://alpine:3.20"):
            with self.subTest(value=value):
                result = self.rewrite(f"runs:\n    using: 'docker'\n    image: {value}\n")
                self.assertEqual(
                    result,
                    f"runs:\n    using: 'docker'\n    image: docker://{IMAGE}@{DIGEST} # v1.2.3\n",
                )

    def test_image_before_using_and_runs_not_last(self) -> None:
        result = self.rewrite(
            "runs:  # the container\n  image: Dockerfile\n  using: docker\nbranding:\n  icon: lock\n"
        )
        self.assertEqual(
            result,
            f"runs:  # the container\n  image: docker://{IMAGE}@{DIGEST} # v1.2.3\n"
            "  using: docker\nbranding:\n  icon: lock\n",
        )

    def test_a_top_level_image_key_is_not_runs_image(self) -> None:
        result = self.rewrite("image: keep\nruns:\n  using: docker\n  image: Dockerfile\n")
        self.assertTrue(result.startswith("image: keep\n"))


class Refusals(unittest.TestCase):
    def assert_refused(self, source: str, message: str, **overrides: str) -> None:
        values = {"image": IMAGE, "digest": DIGEST, "version": VERSION, **overrides}
        with self.assertRaises(pin.Refused) as caught:
            pin.rewrite(source.encode(), values["image"], values["digest"], values["version"])
        self.assertIn(message, str(caught.exception))

    def test_digests_that_are_not_sha256_and_64_lowercase_hex(self) -> None:
        source = "runs:\n  using: docker\n  image: Dockerfile\n"
        for digest in (
            "0123456789abcdef" * 4,  # no algorithm
            "sha256:" + "0123456789abcdef" * 4 + "0",  # 65 hex
            "sha256:" + ("0123456789abcdef" * 4)[:63],  # 63 hex
            "sha256:" + "0123456789ABCDEF" * 4,  # upper case
            "sha512:" + "0" * 128,  # another algorithm
            "sha256:" + "g" * 64,  # not hex
            "sha256: " + "0" * 64,  # a space
            "sha256:" + "0" * 64 + "\n  image: evil",  # a smuggled line
            "sha256:" + "0" * 64 + " ",  # trailing space
            "",
        ):
            with self.subTest(digest=digest):
                self.assert_refused(source, "64 lowercase hex", digest=digest)

    def test_bad_versions_and_image_names(self) -> None:
        source = "runs:\n  using: docker\n  image: Dockerfile\n"
        for version in ("1.2.3", "v1.2", "v01.2.3", "v1.2.3+build", "v1.2.3\n", "latest"):
            with self.subTest(version=version):
                self.assert_refused(source, "is not a tag", version=version)
        for image in (
            "ghcr.io/Owner/pinwarden",  # upper case
            "ghcr.io/owner/pinwarden:v1",  # a tag
            "ghcr.io/owner/pinwarden@" + DIGEST,  # a digest
            "pinwarden",  # no registry
            "docker://ghcr.io/owner/pinwarden",  # a scheme
            "ghcr.io/owner/pin warden",
            "ghcr.io/owner/pinwarden\n",
        ):
            with self.subTest(image=image):
                self.assert_refused(source, "is not a lowercase registry", image=image)

    def test_layouts_it_cannot_rewrite_with_certainty(self) -> None:
        cases = [
            ("name: x\n", "no top-level `runs:`"),
            ("runs: {using: docker, image: Dockerfile}\n", "no top-level `runs:`"),
            ("runs:\nimage: Dockerfile\n", "no indented block"),
            ("runs:\n  using: docker\n", "found 0"),
            ("runs:\n  using: docker\n  image: a\n  image: b\n", "found 2"),
            ("runs:\n  using: node20\n  main: index.js\n", "not `docker`"),
            ("runs:\n  using: composite\n  steps: []\n", "not `docker`"),
            ("runs:\n  image: Dockerfile\n", "'missing'"),
            ("runs:\n  using: docker\n  image: >-\n    Dockerfile\n", "not a one-line"),
            ("runs:\n  using: docker\n  image: |\n    Dockerfile\n", "not a one-line"),
            ("runs:\n  using: docker\n  image: \"Docker\n    file\"\n", "not a one-line"),
            ("runs:\n  using: docker\n  image: Docker\n    file\n", "continues"),
            ("runs:\n  using: docker\n  image: &anchor Dockerfile\n", "not a one-line"),
            ("runs:\n  using: docker\n  image: !!str Dockerfile\n", "not a one-line"),
            ("runs:\n  using: docker\n  image:\n", "not a one-line"),
            ("runs:\n\tusing: docker\n\timage: Dockerfile\n", "tab in indentation"),
            ("runs:\n  using: docker\n  - image: Dockerfile\n", "expected a `key:`"),
            ("runs:\n  using: docker\n  image: Dockerfile\nruns:\n  using: docker\n", "more than one"),
        ]
        for source, message in cases:
            with self.subTest(source=source):
                self.assert_refused(source, message)


class CommandLine(unittest.TestCase):
    SCRIPT = HERE / "pin_action_image.py"

    def run_script(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(self.SCRIPT), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    def test_rewrites_in_place_prints_the_reference_and_keeps_the_mode(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory, "action.yml")
            path.write_bytes(INPUT)
            path.chmod(0o640)
            done = self.run_script(
                "--image", IMAGE, "--digest", DIGEST, "--version", VERSION, str(path)
            )
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stdout, f"docker://{IMAGE}@{DIGEST}\n")
            self.assertEqual(path.read_bytes(), GOLDEN)
            self.assertEqual(path.stat().st_mode & 0o777, 0o640)
            self.assertEqual(os.listdir(directory), ["action.yml"])  # no temporary left

    def test_a_refusal_exits_1_and_leaves_the_file_untouched(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory, "action.yml")
            path.write_bytes(INPUT)
            done = self.run_script(
                "--image", IMAGE, "--digest", "sha256:abc", "--version", VERSION, str(path)
            )
            self.assertEqual(done.returncode, 1)
            self.assertIn("64 lowercase hex", done.stderr)
            self.assertEqual(done.stdout, "")
            self.assertEqual(path.read_bytes(), INPUT)

    def test_usage_errors_exit_2(self) -> None:
        self.assertEqual(self.run_script("--digest", DIGEST, "action.yml").returncode, 2)
        missing = self.run_script(
            "--image", IMAGE, "--digest", DIGEST, "--version", VERSION, "/nonexistent/action.yml"
        )
        self.assertEqual(missing.returncode, 2)


class RepositoryActionYml(unittest.TestCase):
    """The real action.yml (whatever inputs it has by now) pins with one changed line."""

    def test_the_repository_action_yml_pins_cleanly(self) -> None:
        source = (ROOT / "action.yml").read_bytes()
        result = pin.rewrite(source, IMAGE, DIGEST, VERSION)
        changes = changed_lines(source, result)
        self.assertEqual(len(changes), 1, changes)
        _, before, after = changes[0]
        # On main the action builds its Dockerfile (development and the `uses: ./` self-scan).
        self.assertRegex(before, rb"^  image: ['\"]?Dockerfile['\"]?\s*(#.*)?\n$")
        self.assertRegex(after.rstrip(b"\n"), PINNED_LINE)


if __name__ == "__main__":
    unittest.main()
