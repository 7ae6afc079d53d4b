"""Homes: where each claim's page lives, a pure function of every article's marks.

A claim marked in several articles has one page, under the article that marks it first
in home order (earliest published, then slug); the others link to it. Here too the
marks meet the checks: a mark naming no check, and a check no article marks, are
reported, each at its own place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import Report, did_you_mean
from .markup import Mark


@dataclass(frozen=True)
class Appearance:
    """An article marking a claim, and the anchor of the claim's first mark in it."""

    slug: str
    anchor: str


@dataclass(frozen=True)
class Placement:
    """A claim's home article and every article that marks it, home first."""

    home: str
    appearances: tuple[Appearance, ...]


@dataclass(frozen=True)
class Homes:
    placements: dict[str, Placement]


@dataclass(frozen=True)
class Marked:
    """What homes need of one article: its marks, in home order."""

    slug: str
    path: str
    marks: tuple[Mark, ...]
    complete: bool
    """False when the article or its markers have errors: some marks may be missing."""


def find_homes(articles: Sequence[Marked], checks: frozenset[str]) -> Homes:
    """Each valid check's placement, from articles listed in home order."""
    found: dict[str, list[Appearance]] = {}
    for article in articles:
        for mark in article.marks:
            if mark.n == 1 and mark.claim_id in checks:
                found.setdefault(mark.claim_id, []).append(Appearance(article.slug, mark.anchor))
    return Homes(
        {
            claim_id: Placement(appearances[0].slug, tuple(appearances))
            for claim_id, appearances in sorted(found.items())
        }
    )


def cross_reference(
    articles: Sequence[Marked],
    check_files: dict[str, str],
    valid: frozenset[str],
    strict: bool,
    report: Report,
    checks_known: bool = True,
) -> None:
    """Report marks naming no check, and valid checks that no article marks.

    `check_files` maps every check id with a file, valid or not, to its path, so that a
    mark naming a check with errors is not reported a second time as missing; without
    `checks_known` (checks/ could not be read in full) neither is reported.
    """
    if not checks_known:
        return
    missing = False
    for article in articles:
        for mark in article.marks:
            if mark.claim_id not in check_files:
                hint = (
                    did_you_mean(mark.claim_id, check_files)
                    or f"create checks/{mark.claim_id}.yaml (python build.py new {mark.claim_id})"
                )
                report.error(article.path, mark.line, mark.col, f"no check '{mark.claim_id}'", hint)
                missing = True
    if missing or not all(a.complete for a in articles):
        return  # which claims were meant to be marked is not known
    marked = {mark.claim_id for article in articles for mark in article.marks}
    for claim_id, path in sorted(check_files.items()):
        if claim_id in marked or claim_id not in valid:
            continue
        message = f"check '{claim_id}' is not marked in any article"
        hint = f"mark it in an article as [text]{{claim={claim_id}}}"
        if strict:
            report.error(path, 1, 1, message, hint + ", or set 'strict: false'")
        else:
            report.warning(path, 1, 1, message, hint)
