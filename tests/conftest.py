"""Shared helpers: write a small source folder, run the command line, read the output."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import build

ARTICLE = """\
---
title: Checking the demo speech
published: 2024-03-01
summary: We checked one claim.
---
The speaker said that [the river is ten miles long]{claim=river-length} at the rally.
"""

CHECK = """\
claim: The river is ten miles long
claimant: The speaker
verdict: false
summary: The river is four miles long.
sources:
  - title: River survey
    url: https://example.org/survey
checked_on: 2024-03-01
analysis: The survey measured the river from its source to the sea [1].
"""


def write_tree(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Create files under root; a None value deletes the file."""
    for name, content in files.items():
        path = root / name
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path):
    """A valid one-article site, with any files replaced, added or (None) removed."""

    def make(files: dict[str, str | bytes | None] | None = None) -> Path:
        src = tmp_path / "src"
        write_tree(src, {"content/demo.md": ARTICLE, "checks/river-length.yaml": CHECK})
        return write_tree(src, files or {})

    return make


@pytest.fixture
def run(capsys):
    """Run build.py's main() and return (exit status, stdout, stderr lines)."""

    def invoke(*args: str) -> tuple[int, str, list[str]]:
        status = build.main([str(a) for a in args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err.splitlines()

    return invoke


def require(available: bool, reason: str) -> None:
    """Skip with the reason locally; in CI (CI=true) a missing tool fails the run instead."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: tests that need it must not skip)", pytrace=False)
    pytest.skip(reason)
