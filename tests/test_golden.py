"""Golden test: a full build of a small fixture equals the checked-in output, byte for byte.

The fixture, `tests/fixtures/golden/src/`, is small but has every kind of page: two
articles (one a Spanish translation of the other, both with a lead claim), four checks, a
claimant with several checks, topics, a check with updates (one a correction) and a
right of reply. It sets a `base_url`, so the sitemap, the feed, canonical links, the embed
code and the share cards are built, and it keeps both share cards (`share.png`) and search
(the Pagefind index) on: the expected output stays under 1 MB with them.

`tests/fixtures/golden/expected/` is the whole tree the build writes, except the build's
own bookkeeping (`factcheck.write.BOOKKEEPING`). Any change to the output, intended or
not, fails this test with the files that differ and a short diff of each text file.

After an intended change (a template, a stage of the build), regenerate the expected
output and review it like code:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
    git diff --stat tests/fixtures/golden/expected/

With UPDATE_GOLDEN=1 the test rewrites expected/ from a cold build instead of comparing,
then fails saying so, so that a run with it set never passes silently (in CI or anywhere).
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import os
import shutil
from pathlib import Path

import pytest

from factcheck.options import BuildOptions
from factcheck.pipeline import CACHE, build
from factcheck.write import BOOKKEEPING

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
SOURCES = GOLDEN / "src"
EXPECTED = GOLDEN / "expected"
SOURCE_DATE = dt.date(2024, 6, 15)
"""SOURCE_DATE_EPOCH's date for these builds: fixed, so no clock reaches the output."""
DIFF_LINES = 40
DIFFS_SHOWN = 5


def copy_sources(tmp_path: Path) -> Path:
    """The fixture's sources in tmp_path, so the build's cache never lands in the repository."""
    src = tmp_path / "src"
    shutil.copytree(SOURCES, src, ignore=shutil.ignore_patterns(CACHE))
    return src


def build_site(src: Path, out: Path) -> None:
    """Build as `python build.py build` does; the fixture must build without any warning."""
    result = build(src, out, BuildOptions(source_date=SOURCE_DATE))
    assert not result.report.items, "\n".join(str(d) for d in result.report.sorted())


def read_tree(root: Path) -> dict[str, bytes]:
    """Every published file under root by its relative path, the bookkeeping left out."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] not in BOOKKEEPING
    }


def text_diff(name: str, expected: bytes, actual: bytes) -> list[str]:
    """The first lines of a unified diff, or a note on the sizes for a binary file."""
    try:
        before, after = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return [f"{name}: binary, {len(expected)} bytes expected, {len(actual)} built"]
    lines = difflib.unified_diff(
        before.splitlines(),
        after.splitlines(),
        f"expected/{name}",
        f"built/{name}",
        lineterm="",
    )
    shown = list(itertools.islice(lines, DIFF_LINES))
    return [*shown, "..."] if next(lines, None) is not None else shown


def mismatch(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """What differs between two trees, for an assertion message; empty when they agree."""
    missing = sorted(expected.keys() - actual.keys())
    extra = sorted(actual.keys() - expected.keys())
    changed = sorted(n for n in expected.keys() & actual.keys() if expected[n] != actual[n])
    if not (missing or extra or changed):
        return ""
    report = [f"not built: {name}" for name in missing]
    report += [f"not expected: {name}" for name in extra]
    report += [f"differs: {name}" for name in changed]
    for name in changed[:DIFFS_SHOWN]:
        report += ["", *text_diff(name, expected[name], actual[name])]
    if len(changed) > DIFFS_SHOWN:
        report += ["", f"(diffs of {len(changed) - DIFFS_SHOWN} more files left out)"]
    report += ["", "after an intended change: UPDATE_GOLDEN=1 pytest tests/test_golden.py"]
    return "\n".join(report)


def write_expected(tree: dict[str, bytes]) -> None:
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for name, data in tree.items():
        path = EXPECTED / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_a_cold_build_writes_the_expected_site(tmp_path):
    out = tmp_path / "site"
    build_site(copy_sources(tmp_path), out)
    built = read_tree(out)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        write_expected(built)
        pytest.fail(
            f"UPDATE_GOLDEN=1: rewrote {EXPECTED} ({len(built)} files); review and commit it",
            pytrace=False,
        )
    problems = mismatch(read_tree(EXPECTED), built)
    assert not problems, f"the build differs from {EXPECTED}:\n{problems}"


def test_a_rebuild_after_an_edit_is_undone_writes_the_expected_site(tmp_path):
    src, out = copy_sources(tmp_path), tmp_path / "site"
    build_site(src, out)
    check = src / "checks" / "city-budget.yaml"
    original = check.read_bytes()
    check.write_bytes(original.replace(b"verdict: half-true", b"verdict: mostly-false"))
    build_site(src, out)
    assert read_tree(out) != read_tree(EXPECTED), "the edit should have changed the output"
    check.write_bytes(original)
    build_site(src, out)
    problems = mismatch(read_tree(EXPECTED), read_tree(out))
    assert not problems, f"the rebuild differs from {EXPECTED}:\n{problems}"
