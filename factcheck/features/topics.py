"""Topic pages: every topic, and per topic its articles and checks, newest first.

Topics come from articles' and checks' `topics`; a topic's page lives at
`topics/<id>/`, its id made as a claimant's is (see `claimants`), with the same rule for
two names that make one id. Pages read `article-topics` (one article's topics) and
`topic-list` (each topic's articles and checks, a facet per id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import paths
from ..graph import Feature, Graph
from ..memo import Query, Reads
from ..render import Heading, index_count
from .claimants import (
    Listed,
    Row,
    Use,
    by_initial,
    check_entries,
    name_ids,
    newest_first,
    page_of,
    paging,
    render_page,
    rows_of,
    source_text,
    spelled,
    split_arg,
)


@dataclass(frozen=True)
class Topic:
    """A topic's name, and the articles and checks that give it (by slug and id)."""

    name: str
    articles: tuple[str, ...]
    checks: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One line of a topic page: an article (`article`) or a check (`row`)."""

    article: Heading | None = None
    row: Row | None = None


def topic_links(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, page) of each topic, for the claim and article pages."""
    return [(spelled(n), paths.topic(paths.name_id(spelled(n)))) for n in names]


class Topics(Feature):
    """topics/index.html, every topic A to Z; topics/<id>/, each one's articles and checks."""

    indexed = ("topics-page", "topic-page")

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        self.entry = check_entries(graph)
        self.article_topics = graph.queries.define(
            "article-topics", tuple[str, ...] | None, self._article_topics
        )
        self.listing = graph.queries.define(
            "topic-list",
            dict[str, Topic],
            self._listing,
            facets=lambda found: found,
            facet_kind=Topic,
        )
        self.order = graph.queries.define("topic-order", tuple[str, ...], self._order)

    def diagnostics(self) -> list[tuple[Query[Any], list[str]]]:
        return [(self.listing, [""])]

    def _article_topics(self, reads: Reads, slug: str) -> tuple[str, ...] | None:
        article = reads.get(self.graph.article, slug)
        return None if article is None else article.topics

    def _listing(self, reads: Reads, _: str) -> dict[str, Topic]:
        """Every topic of an article or of a check with a page, by id."""
        uses = []
        for slug in reads.get(self.graph.order):
            path = self.graph.article_files[slug].path
            for name in reads.get(self.article_topics, slug) or ():
                uses.append(Use(path, "topics", name, f"article:{slug}"))
        for claim_id in reads.get(self.graph.homes).placements:
            path = self.graph.check_files[claim_id].path
            names = reads.facet(self.entry, claim_id, "names")
            for name in names[1] if names is not None else ():
                uses.append(Use(path, "topics", name, f"check:{claim_id}"))
        named = name_ids(uses, "topic", source_text(self.graph, reads), reads.report)
        return {
            name_id: Topic(
                n.name,
                tuple(o.removeprefix("article:") for o in n.owners if o.startswith("article:")),
                tuple(o.removeprefix("check:") for o in n.owners if o.startswith("check:")),
            )
            for name_id, n in named.items()
        }

    def pages(self, reads: Reads) -> list[tuple[str, str, str]]:
        reads.fact("opt:page_size")
        size = self.graph.options.page_size
        found = [(paths.TOPICS, "topics-page", "")]
        for name_id, topic in reads.get(self.listing).items():
            count = index_count(len(topic.articles) + len(topic.checks), size)
            for n in range(1, count + 1):
                found.append((paths.topic(name_id, n), "topic-page", f"{name_id}/{n}"))
        return found

    def renderers(self) -> dict[str, Callable[[Reads, str], bytes]]:
        return {"topics-page": self._index_page, "topic-page": self._topic_page}

    def extras(self, reads: Reads, page: str, arg: str) -> dict[str, Any]:
        """Links to the topic pages of a claim page's check and of an article."""
        if page == "claim-page":
            check = reads.get(self.graph.check, arg)
            return {"topic_links": topic_links(check.topics) if check else []}
        if page == "article-page":
            article = reads.get(self.graph.article, arg)
            return {"topic_links": topic_links(article.topics) if article else []}
        return {}

    def _index_page(self, reads: Reads, arg: str) -> bytes:
        listed = [
            (
                name_id,
                Listed(topic.name, paths.topic(name_id), len(topic.checks), len(topic.articles)),
            )
            for name_id, topic in reads.get(self.listing).items()
        ]
        page = (paths.TOPICS, "Topics", "topics-page", arg)
        return render_page(self.graph, reads, page, "topics.html", groups=by_initial(listed))

    def _order(self, reads: Reads, name_id: str) -> tuple[str, ...]:
        """A topic's articles ('a:slug') and checks ('c:id'), newest first, read once for all
        its pages."""
        topic: Topic | None = reads.facet(self.listing, "", name_id)
        if topic is None:
            return ()
        dates: dict[str, dt.date] = {
            f"a:{slug}": reads.facet(self.graph.article, slug, "heading").published
            for slug in topic.articles
        }
        dates |= {f"c:{i}": reads.facet(self.entry, i, "date") for i in topic.checks}
        return tuple(newest_first(dates))

    def _topic_page(self, reads: Reads, arg: str) -> bytes:
        config = reads.get(self.graph.config)
        name_id, number = split_arg(arg)
        topic: Topic = reads.facet(self.listing, "", name_id)
        order = reads.get(self.order, name_id)
        reads.fact("opt:page_size")
        size = self.graph.options.page_size
        shown = page_of(order, number, size)
        rows = iter(rows_of(self.graph, reads, config, [k[2:] for k in shown if k[0] == "c"]))
        items = [
            Item(row=next(rows)) if k[0] == "c" else Item(article=self._heading(reads, k[2:]))
            for k in shown
        ]
        page = (paths.topic(name_id, number), topic.name, "topic-page", arg)
        return render_page(
            self.graph,
            reads,
            page,
            "topic.html",
            topic_name=topic.name,
            articles=len(topic.articles),
            checks=len(topic.checks),
            items=items,
            paging=paging(number, index_count(len(order), size), lambda n: paths.topic(name_id, n)),
        )

    def _heading(self, reads: Reads, slug: str) -> Heading:
        found: Heading = reads.facet(self.graph.article, slug, "heading")
        return found
