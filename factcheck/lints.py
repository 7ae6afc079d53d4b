"""Editorial lints: what a valid check or article can still get wrong by a desk's standards.

The validator says whether a file follows the format; these say whether the work in it
follows fact-checkers' conventions (IFCN's code, AFP's two independent sources, Google's
advice to keep the verdict out of `claimReviewed`). Every finding is a warning (an error
under `--strict`), except fewer independent sources than site.yaml's `min_sources`, which
is an error. The models carry no positions, so a lint that finds something composes the
file's YAML again to name the line and column of the value at fault: a clean file, the
usual case, is parsed only once.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import yaml

from .errors import Report
from .model import Check, SiteConfig, Source, Update, Verdict
from .sources import parse_yaml, split_front_matter

Step = str | int
"""A key of a mapping or an index of a list, on the way from a file's top to a value."""


@dataclass(frozen=True)
class Standards:
    """What of the settings the lints read: a facet of the config, so a check is linted
    again only when these change."""

    min_sources: int = 1
    verdicts: tuple[Verdict, ...] = ()


def standards(config: SiteConfig) -> Standards:
    return Standards(config.min_sources, config.verdicts)


@dataclass(frozen=True)
class Finding:
    """One problem, at the value the steps lead to (at its key when `key`)."""

    at: tuple[Step, ...]
    message: str
    hint: str = ""
    error: bool = False
    key: bool = False


# --- checks --------------------------------------------------------------------------


def lint_check(check: Check, text: str, settings: Standards, report: Report) -> None:
    """Report what the check's file gets wrong, each at its place in `text`."""
    findings = check_findings(check, settings)
    if findings:
        _report(check.path, parse_yaml(check.path, text, Report()).node, findings, report)


def check_findings(check: Check, settings: Standards) -> list[Finding]:
    verdict = next((v for v in settings.verdicts if v.key == check.verdict), None)
    return [
        *_too_few_sources(check.sources, settings.min_sources),
        *_late_sources(check),
        *_late_claim(check),
        *_unexplained(check, verdict),
        *_verdict_in_claim(check, verdict),
    ]


def _too_few_sources(sources: Sequence[Source], min_sources: int) -> list[Finding]:
    """Sources from one publisher are one source: the independent ones are what count."""
    independent = len({publisher(s) for s in sources})
    if independent < min_sources:
        return [
            Finding(
                ("sources",),
                f"needs at least {min_sources} independent sources (site.yaml min_sources), "
                f"found {independent}",
                "sources from the same publisher count as one",
                error=True,
                key=True,
            )
        ]
    if len(sources) > 1 and independent == 1 and sources[0].publisher:
        return [
            Finding(
                ("sources",),
                f"every source is from one publisher, '{sources[0].publisher}'",
                "cite at least one independent source",
                key=True,
            )
        ]
    return []


def publisher(source: Source) -> str:
    """Who stands behind a source, in any case; one without a `publisher` stands alone."""
    return source.publisher.casefold() or f"<{source.url}>"


def _late_sources(check: Check) -> list[Finding]:
    """A source newer than the verdict must be in the log: the verdict was reached without it."""
    return [
        Finding(
            ("sources", n, "date"),
            f"source {n + 1} is dated {s.date}, after checked_on {check.checked_on}, "
            "and no update records it",
            f"add an entry to 'updates', dated {s.date} or later, saying what it changed",
        )
        for n, s in enumerate(check.sources)
        if s.date is not None
        and s.date > check.checked_on
        and not any(u.date >= s.date for u in check.updates)
    ]


def _late_claim(check: Check) -> list[Finding]:
    if check.claim_date is None or check.claim_date <= check.checked_on:
        return []
    return [
        Finding(
            ("claim_date",),
            f"claim_date {check.claim_date} is after checked_on {check.checked_on}",
            "a claim is checked after it is made: correct one of the dates",
        )
    ]


def _unexplained(check: Check, verdict: Verdict | None) -> list[Finding]:
    """A rated verdict is published as a number: readers need the reasoning behind it."""
    if verdict is None or verdict.rating is None or check.analysis:
        return []
    return [
        Finding(
            ("verdict",),
            f"verdict '{check.verdict}' has a rating, but the check has no analysis",
            "add 'analysis': the reasoning that leads from the sources to the verdict",
        )
    ]


def _verdict_in_claim(check: Check, verdict: Verdict | None) -> list[Finding]:
    """Fact-check tools show the claim beside the verdict: the claim must not give it away."""
    if verdict is None:
        return []
    found = _words(verdict.label).search(check.claim) or _words(verdict.key).search(check.claim)
    if found is None:
        return []
    return [
        Finding(
            ("claim",),
            f"claim names its verdict, '{found[0]}'",
            "keep the verdict out of the claim: say what was claimed, in neutral words",
        )
    ]


@functools.cache
def _words(label: str) -> re.Pattern[str]:
    """The label as whole words, in any case, spaced or hyphenated ('mostly-false')."""
    words = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", label.strip()))
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


# --- articles ------------------------------------------------------------------------


def article_findings(
    updated: dt.date | None, updates: Mapping[str, Sequence[Update]]
) -> list[Finding]:
    """An article showing a check was changed when the check was: `updated` says so."""
    latest = max(((u[-1].date, claim_id) for claim_id, u in updates.items() if u), default=None)
    if updated is None or latest is None or updated >= latest[0]:
        return []
    day, claim_id = latest
    return [
        Finding(
            ("updated",),
            f"updated {updated} is before the last update of check '{claim_id}' ({day})",
            f"set updated to {day} or later: the article shows that check",
        )
    ]


def lint_article(
    path: str, findings: Sequence[Finding], text: Callable[[], str | None], report: Report
) -> None:
    """Report an article's findings at their places in its front matter (`text` reads it)."""
    if not findings:
        return
    source = text()
    node = split_front_matter(path, source, Report()).front.node if source is not None else None
    _report(path, node, findings, report)


# --- places ---------------------------------------------------------------------------


def _report(path: str, root: yaml.Node | None, findings: Sequence[Finding], report: Report) -> None:
    for finding in findings:
        node = _find(root, finding.at, finding.key)
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
        say = report.error if finding.error else report.warning
        say(path, line, col, finding.message, finding.hint)


def _find(node: yaml.Node | None, steps: Sequence[Step], key: bool) -> yaml.Node | None:
    """The node the steps lead to (the last key's own node when `key`), or None."""
    for n, step in enumerate(steps):
        if isinstance(step, int) and isinstance(node, yaml.SequenceNode):
            node = node.value[step] if step < len(node.value) else None
        elif isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == step), None)
            node = None if pair is None else pair[0 if key and n == len(steps) - 1 else 1]
        else:
            return None
    return node
