"""The corrections log (IFCN): every dated note of every check, newest first, each linking
to its check; the notice a corrected or updated claim page shows at its top; and the lint
that an article's `updated` date keeps up with the checks it shows.

A note is a *correction* when its first word is "Correction" or "Corrected" (in any case,
e.g. "Correction: the hearing was on 29 September, not 28"): the desk got something wrong
and fixed it. Any other note is an *update*: new evidence, a source added, a link mended.
The contract gives a note only a date and a text, so its first word is the one signal, and
it is what readers see first anyway. A claim page with notes says "Corrected" with the
date and text of its latest correction, or else "Updated" with its latest note.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import lints, paths, urls
from ..graph import Feature, Graph
from ..memo import Query, Reads
from ..model import Update
from ..render import Heading, Page

CORRECTION = re.compile(r"(?:correction|corrected)(?!\w)", re.IGNORECASE)


def kind(update: Update) -> str:
    """'correction' or 'update' (see the module's docstring)."""
    return "correction" if CORRECTION.match(update.note) else "update"


@dataclass(frozen=True)
class Log:
    """What the log shows of one check: its claim and its notes, oldest first."""

    claim: str
    updates: tuple[Update, ...]


@dataclass(frozen=True)
class Notice:
    """What a claim page says at its top about its notes."""

    kind: str
    date: dt.date
    note: str


def notice(updates: Sequence[Update]) -> Notice | None:
    """The latest correction, else the latest update; None for a check never changed."""
    if not updates:
        return None
    corrections = [u for u in updates if kind(u) == "correction"]
    latest = corrections[-1] if corrections else updates[-1]
    return Notice(kind(latest), latest.date, latest.note)


@dataclass(frozen=True)
class Entry:
    """One note in the corrections log, with the check it belongs to."""

    date: dt.date
    kind: str
    note: str
    claim: str
    path: str
    lang: str
    dir: str


def newest_first(entries: list[tuple[str, int, Entry]]) -> list[Entry]:
    """(claim id, position in its log, entry): newest first; on one day, by claim id, then
    the later note first."""
    ordered = sorted(entries, key=lambda e: (-e[2].date.toordinal(), e[0], -e[1]))
    return [entry for _, _, entry in ordered]


class Corrections(Feature):
    """corrections/index.html, and each claim page's notice (`extra.notice`)."""

    indexed = ("corrections-page",)

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        self.log = graph.queries.define("update-log", Log | None, self._log)
        self.dates = graph.queries.define("update-dates", type(None), self._lint_dates)

    def diagnostics(self) -> list[tuple[Query[Any], list[str]]]:
        return [(self.dates, list(self.graph.article_files))]

    def _log(self, reads: Reads, claim_id: str) -> Log | None:
        check = reads.get(self.graph.check, claim_id)
        return None if check is None else Log(check.claim, check.updates)

    def _lint_dates(self, reads: Reads, slug: str) -> None:
        """An article's `updated` is not older than the last note of a check it marks."""
        marks, _ = reads.facet(self.graph.body, slug, "marked")
        logs = {i: reads.get(self.log, i) for i in dict.fromkeys(m.claim_id for m in marks)}
        updates = {i: log.updates for i, log in logs.items() if log is not None and log.updates}
        if not updates:
            return
        found: Heading | None = reads.facet(self.graph.article, slug, "heading")
        file = self.graph.article_files[slug]
        lints.lint_article(
            file.path,
            lints.article_findings(found.updated if found else None, updates),
            lambda: self.graph._text(reads, file),
            reads.report,
        )

    def pages(self, reads: Reads) -> list[tuple[str, str, str]]:
        return [(paths.CORRECTIONS, "corrections-page", "")]

    def renderers(self) -> dict[str, Callable[[Reads, str], bytes]]:
        return {"corrections-page": self._page}

    def extras(self, reads: Reads, page: str, arg: str) -> dict[str, Any]:
        if page != "claim-page":
            return {}
        log: Log | None = reads.get(self.log, arg)
        return {"notice": notice(log.updates) if log else None}

    def _page(self, reads: Reads, _: str) -> bytes:
        graph = self.graph
        config, assets = reads.get(graph.config), reads.get(graph.assets)
        found: list[tuple[str, int, Entry]] = []
        for claim_id, placement in reads.get(graph.homes).placements.items():
            log: Log | None = reads.get(self.log, claim_id)
            if log is None or not log.updates:
                continue
            home: Heading = reads.facet(graph.article, placement.home, "heading")
            path = paths.claim(placement.home, claim_id)
            found += [
                (claim_id, n, Entry(u.date, kind(u), u.note, log.claim, path, home.lang, home.dir))
                for n, u in enumerate(log.updates)
            ]
        links = urls.Links(paths.CORRECTIONS, config.base_url)
        page = Page(paths.CORRECTIONS, "Corrections and updates", links, config.language)
        return graph.renderer.page(
            reads, config, assets, page, "corrections.html", None, entries=newest_first(found)
        )
