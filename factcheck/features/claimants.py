"""Claimant pages: every claimant, and per claimant their checks and a verdict tally.

A claimant's page lives at `claimants/<id>/`, the id made from the name by
`paths.name_id`. Names that differ only in spacing or Unicode form are one name (a page
shows them alike); two other names that make one id are an error at the second, in
order of file path, naming the first. Pages read what they show through small queries:
`check-entry` (what a list shows of one check, with facets for its names, its date and
its verdict), `claimant-list` (each claimant's checks, a facet per id) and
`claimant-card` (one claimant's checks in order, read by all their pages) and
`claimant-tally` (the verdicts their first page counts), so editing a check's verdict
renders again only the page listing it and its claimant's first page.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from .. import paths, urls
from ..errors import Report
from ..graph import Feature, Graph
from ..memo import Query, Reads
from ..model import SiteConfig, Verdict
from ..render import Heading, Page, index_count, tally

ENTRY_QUERY = "check-entry"


@dataclass(frozen=True)
class Entry:
    """What claimant and topic pages show of one check."""

    claim: str
    claimant: str
    claimant_type: str
    verdict: str
    checked_on: dt.date
    claim_date: dt.date | None
    topics: tuple[str, ...]
    translation_of: str


ENTRY_FACETS = {
    "names": tuple[str, tuple[str, ...]] | None,
    "date": dt.date | None,
    "rated": tuple[str, str] | None,
}
"""`names`: the claimant and topics (what the lists of names read); `date`: what a list
is ordered by; `rated`: the verdict and the check it translates (what a tally counts)."""


def _entry_facets(entry: Entry | None) -> dict[str, Any]:
    if entry is None:
        return {"names": None, "date": None, "rated": None}
    return {
        "names": (entry.claimant, entry.topics),
        "date": entry.checked_on,
        "rated": (entry.verdict, entry.translation_of),
    }


def check_entries(graph: Graph) -> Query[Entry | None]:
    """The `check-entry` query, shared by claimant and topic pages: defined by the first
    feature that asks for it."""
    found = graph.queries.by_name.get(ENTRY_QUERY)
    if found is not None:
        return cast(Query[Entry | None], found)

    def entry(reads: Reads, claim_id: str) -> Entry | None:
        check = reads.get(graph.check, claim_id)
        if check is None:
            return None
        return Entry(
            check.claim,
            check.claimant,
            check.claimant_type,
            check.verdict,
            check.checked_on,
            check.claim_date,
            check.topics,
            check.translation_of,
        )

    return graph.queries.define(
        ENTRY_QUERY, Entry | None, entry, facets=_entry_facets, facet_kind=ENTRY_FACETS
    )


# --- names and their ids -------------------------------------------------------------------


def spelled(name: str) -> str:
    """A name as readers see it: a page shows 'Lloyd  Austin' (two spaces) and a decomposed
    'José' just as 'Lloyd Austin' and 'José', so those are one name, never a clash."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def claimant_page(name: str, number: int = 1) -> str:
    return paths.claimant(paths.name_id(spelled(name)), number)


@dataclass(frozen=True)
class Use:
    """One place a source file gives a name: under which key, and for which check or article."""

    path: str
    key: str
    name: str
    owner: str


@dataclass(frozen=True)
class Named:
    """A name with its id, and every check or article that gives it (in order of path)."""

    name: str
    owners: tuple[str, ...]


def name_ids(
    uses: Iterable[Use], what: str, text_of: Callable[[str], str | None], report: Report
) -> dict[str, Named]:
    """Each id with its name, by id; a name with no id, or one whose id an earlier name
    (in order of file path) already has, is an error where the later name is written."""
    first: dict[str, Use] = {}
    owners: dict[str, dict[str, None]] = {}  # ordered sets
    for use in sorted(uses, key=lambda u: u.path):
        name, name_id = spelled(use.name), paths.name_id(spelled(use.name))
        earlier = first.setdefault(name_id, use) if name_id else None
        if earlier is None:
            _error(use, text_of, report, f"{what} '{name}' has no letter or digit", _NO_ID)
        elif spelled(earlier.name) != name:
            message = f"{what} '{name}' makes the same id '{name_id}' as '{spelled(earlier.name)}'"
            _error(use, text_of, report, f"{message} in {earlier.path}", _same(earlier.path))
        else:
            owners.setdefault(name_id, {})[use.owner] = None
    return {
        name_id: Named(spelled(first[name_id].name), tuple(found))
        for name_id, found in sorted(owners.items())
    }


_NO_ID = "its page's address is made of its letters and digits: write the name in letters"


def _same(path: str) -> str:
    return f"use the same spelling as in {path}"


def _error(
    use: Use, text_of: Callable[[str], str | None], report: Report, message: str, hint: str
) -> None:
    text = text_of(use.path)
    line, col = position(text, use.key, use.name) if text is not None else (1, 1)
    report.error(use.path, line, col, message, hint)


def position(text: str, key: str, name: str) -> tuple[int, int]:
    """Line and column of `name` as written under `key:` in a source file; of the key
    itself when the name is not found there (a quoted or folded value, say)."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if re.match(rf"{key}\s*:", line)), None)
    if start is None:
        return 1, 1
    end = next(
        (n for n in range(start + 1, len(lines)) if re.match(r"[^\s#-]|---|\.\.\.", lines[n])),
        len(lines),
    )
    for probe in dict.fromkeys((name, name.split()[0] if name.split() else name)):
        for n in range(start, end):
            col = lines[n].find(probe, len(key) + 1 if n == start else 0)
            if col >= 0:
                return n + 1, col + 1
    return start + 1, 1


# --- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A check in a list: what it says, its verdict, its page, and its article's language."""

    entry: Entry
    verdict: Verdict
    path: str
    lang: str
    dir: str
    claimant_path: str


@dataclass(frozen=True)
class Paging:
    """Where a page of a long list stands; `newer` and `older` are paths ('' at either end)."""

    number: int
    count: int
    newer: str
    older: str


def paging(number: int, count: int, path: Callable[[int], str]) -> Paging:
    return Paging(
        number,
        count,
        path(number - 1) if number > 1 else "",
        path(number + 1) if number < count else "",
    )


@dataclass(frozen=True)
class Scorecard:
    """A claimant's checks newest first, and their type (of the newest check)."""

    newest: tuple[str, ...]
    claimant_type: str


@dataclass(frozen=True)
class Listed:
    """A name in an A to Z list: its page, and how many checks (and articles) it has."""

    name: str
    path: str
    checks: int
    articles: int = 0


def by_initial(listed: Iterable[tuple[str, Listed]]) -> list[tuple[str, list[Listed]]]:
    """(id, name) pairs grouped under the first letter of the id ('0-9' for digits)."""
    groups: dict[str, list[Listed]] = {}
    for name_id, item in sorted(listed, key=lambda pair: pair[0]):
        initial = name_id[0] if name_id[0].isalpha() else "0-9"
        groups.setdefault(initial, []).append(item)
    return sorted(groups.items(), key=lambda group: (group[0] == "0-9", group[0]))


def newest_first(dates: dict[str, dt.date]) -> list[str]:
    """Ids by their date, newest first; ids of one day in order."""
    return sorted(dates, key=lambda i: (-dates[i].toordinal(), i))


def page_of(items: Sequence[str], number: int, size: int) -> Sequence[str]:
    return items[(number - 1) * size : number * size]


def split_arg(arg: str) -> tuple[str, int]:
    """A listing page's argument, 'lloyd-austin/2', as its id and page number."""
    name_id, _, number = arg.rpartition("/")
    return name_id, int(number)


# --- the feature -----------------------------------------------------------------------------


class Claimants(Feature):
    """claimants/index.html, every claimant A to Z; claimants/<id>/, each one's checks."""

    indexed = ("claimants-page", "claimant-page")

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        self.entry = check_entries(graph)
        self.listing = graph.queries.define(
            "claimant-list",
            dict[str, Named],
            self._listing,
            facets=lambda found: found,
            facet_kind=Named,
        )
        self.card = graph.queries.define("claimant-card", Scorecard, self._card)
        self.tally = graph.queries.define("claimant-tally", tuple[str, ...], self._tally)

    def diagnostics(self) -> list[tuple[Query[Any], list[str]]]:
        return [(self.listing, [""])]

    def _listing(self, reads: Reads, _: str) -> dict[str, Named]:
        """Every claimant of a check with a page, by id, with those checks."""
        files = self.graph.check_files
        uses = []
        for claim_id in reads.get(self.graph.homes).placements:
            names = reads.facet(self.entry, claim_id, "names")
            if names is not None:
                uses.append(Use(files[claim_id].path, "claimant", names[0], claim_id))
        return name_ids(uses, "claimant", source_text(self.graph, reads), reads.report)

    def _card(self, reads: Reads, name_id: str) -> Scorecard:
        """What every page of one claimant shows of all their checks, read once for all."""
        newest = newest_first(
            {i: reads.facet(self.entry, i, "date") for i in self._owners(reads, name_id)}
        )
        kind = entry_of(self.graph, reads, newest[0]).claimant_type if newest else ""
        return Scorecard(tuple(newest), kind)

    def _tally(self, reads: Reads, name_id: str) -> tuple[str, ...]:
        """The verdicts the claimant's first page counts: only that page shows the tally, so
        a verdict changed is one page listing it and the first page, not all of them."""
        owners = self._owners(reads, name_id)
        rated = {i: reads.facet(self.entry, i, "rated") for i in owners}
        # A translation is the same claim checked again: counted once, with its original.
        return tuple(verdict for verdict, original in rated.values() if original not in rated)

    def _owners(self, reads: Reads, name_id: str) -> tuple[str, ...]:
        named: Named | None = reads.facet(self.listing, "", name_id)
        return named.owners if named else ()

    def pages(self, reads: Reads) -> list[tuple[str, str, str]]:
        reads.fact("opt:page_size")
        size = self.graph.options.page_size
        found = [(paths.CLAIMANTS, "claimants-page", "")]
        for name_id, named in reads.get(self.listing).items():
            for n in range(1, index_count(len(named.owners), size) + 1):
                found.append((paths.claimant(name_id, n), "claimant-page", f"{name_id}/{n}"))
        return found

    def renderers(self) -> dict[str, Callable[[Reads, str], bytes]]:
        return {"claimants-page": self._index_page, "claimant-page": self._claimant_page}

    def extras(self, reads: Reads, page: str, arg: str) -> dict[str, Any]:
        """The claimant's page, for the claim page's and the article page's 'Claimed by'."""
        if page == "claim-page":
            check = reads.get(self.graph.check, arg)
            return {"claimant_page": claimant_page(check.claimant) if check else ""}
        if page == "article-page":
            body = reads.get(self.graph.body, arg)
            checks = [reads.get(self.graph.check, i) for i in body.claim_ids] if body else []
            return {"claimant_pages": {c.id: claimant_page(c.claimant) for c in checks if c}}
        return {}

    def _index_page(self, reads: Reads, arg: str) -> bytes:
        listed = [
            (name_id, Listed(named.name, paths.claimant(name_id), len(named.owners)))
            for name_id, named in reads.get(self.listing).items()
        ]
        page = (paths.CLAIMANTS, "Claimants", "claimants-page", arg)
        return render_page(self.graph, reads, page, "claimants.html", groups=by_initial(listed))

    def _claimant_page(self, reads: Reads, arg: str) -> bytes:
        config = reads.get(self.graph.config)
        name_id, number = split_arg(arg)
        named: Named = reads.facet(self.listing, "", name_id)
        card = reads.get(self.card, name_id)
        counted = reads.get(self.tally, name_id) if number == 1 else None
        reads.fact("opt:page_size")
        size = self.graph.options.page_size
        page = (paths.claimant(name_id, number), named.name, "claimant-page", arg)
        return render_page(
            self.graph,
            reads,
            page,
            "claimant.html",
            claimant_name=named.name,
            claimant_type=card.claimant_type,
            checks=len(card.newest),
            tally=tally(config, counted) if counted is not None else None,
            counted=len(counted) if counted is not None else 0,
            first_page=paths.claimant(name_id),
            rows=rows_of(self.graph, reads, config, page_of(card.newest, number, size)),
            paging=paging(
                number, index_count(len(card.newest), size), lambda n: paths.claimant(name_id, n)
            ),
        )


def render_page(
    graph: Graph, reads: Reads, page: tuple[str, str, str, str], template: str, **context: Any
) -> bytes:
    """A listing page in the site's language; `page` is its path, title, renderer and
    argument (for what other features add to it)."""
    path, title, renderer, arg = page
    config, assets = reads.get(graph.config), reads.get(graph.assets)
    view = Page(path, title, urls.Links(path, config.base_url), config.language)
    extra = graph.extras(reads, renderer, arg)
    return graph.renderer.page(reads, config, assets, view, template, extra, **context)


def entry_of(graph: Graph, reads: Reads, claim_id: str) -> Entry:
    """The entry of a check with a page (so a valid one)."""
    found = reads.get(check_entries(graph), claim_id)
    assert found is not None
    return found


def rows_of(graph: Graph, reads: Reads, config: SiteConfig, claim_ids: Iterable[str]) -> list[Row]:
    """The checks as a list shows them, each linking to its page in its article's folder."""
    rows = []
    for claim_id in claim_ids:
        entry = entry_of(graph, reads, claim_id)
        home: str = reads.facet(graph.homes, "", claim_id).home
        heading: Heading = reads.facet(graph.article, home, "heading")
        rows.append(
            Row(
                entry,
                config.verdict(entry.verdict),
                paths.claim(home, claim_id),
                heading.lang,
                heading.dir,
                claimant_page(entry.claimant),
            )
        )
    return rows


def source_text(graph: Graph, reads: Reads) -> Callable[[str], str | None]:
    """A source file's text by its path, read through `reads` (to find where a name is)."""
    files = {f.path: f for f in (*graph.scan.checks, *graph.scan.articles)}
    return lambda path: graph._text(reads, files[path])
