"""The lead: the claim an article turns on (front matter `lead: <claim id>`), shown first.

The article page shows its lead claim with a large verdict before the summary, so the
first screen of a phone shows a verdict (without a lead, the verdict tally comes first).
A lead must name a claim the article marks: anything else is an error on the front
matter's `lead:` line, reported by the `lead` query.
"""

from __future__ import annotations

import re
from typing import Any, cast

from ..errors import did_you_mean
from ..graph import Feature, Graph
from ..memo import Query, Reads

LEAD_QUERY = "lead"
_LEAD_LINE = re.compile(r"lead\s*:\s*")


def lead_claims(graph: Graph) -> Query[str]:
    """The `lead` query (an article's lead claim id, '' for none), shared with the share
    cards: defined by the first feature that asks for it."""
    found = graph.queries.by_name.get(LEAD_QUERY)
    if found is not None:
        return cast(Query[str], found)

    def lead(reads: Reads, slug: str) -> str:
        article = reads.get(graph.article, slug)
        if article is None or not article.lead:
            return ""
        marks, complete = reads.facet(graph.body, slug, "marked")
        marked = list(dict.fromkeys(m.claim_id for m in marks))
        if article.lead in marked:
            return article.lead
        if not complete:  # a marker had a problem: the lead's mark may be the one
            return ""
        text = graph._text(reads, graph.article_files[slug])
        line, col = lead_position(text or "", article.body_line)
        reads.report.error(
            article.path,
            line,
            col,
            f"the lead '{article.lead}' is not a claim this article marks",
            did_you_mean(article.lead, marked)
            or f"mark it in the text, [the words as published]{{claim={article.lead}}}, "
            "or name one of the claims the article marks",
        )
        return ""

    return graph.queries.define(LEAD_QUERY, str, lead)


def lead_position(text: str, body_line: int) -> tuple[int, int]:
    """Line and column of the value of `lead:` in the front matter (1, 1 when not found)."""
    for number, line in enumerate(text.splitlines()[: max(body_line - 1, 0)], start=1):
        found = _LEAD_LINE.match(line)
        if found:
            return number, found.end() + 1
    return 1, 1


class Lead(Feature):
    """Tells the article page its lead claim; reports a lead the article does not mark."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        self.lead = lead_claims(graph)

    def diagnostics(self) -> list[tuple[Query[Any], list[str]]]:
        return [(self.lead, list(self.graph.article_files))]

    def extras(self, reads: Reads, page: str, arg: str) -> dict[str, Any]:
        if page != "article-page":
            return {}
        return {"lead": reads.get(self.lead, arg)}
