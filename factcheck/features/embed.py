"""Embeds: every claim as a small card that other sites put in an <iframe>.

`<slug>/<id>/embed/index.html` shows the verdict, the claim, who made it and the
conclusion, with a link that opens the full check in the top window. It loads only its
own small style sheet and the verdict colours, runs no script and asks search engines
not to index it; `_headers` lets other sites frame these pages and no others. The claim
page offers the <iframe> code to copy, which needs the embed's absolute URL (base_url).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import paths, urls
from ..graph import Feature
from ..memo import Reads
from ..render import Page


@dataclass(frozen=True)
class Snippet:
    """What a claim page offers to embed: the card's output path and its public URL
    ('' without base_url, when there is no code to copy)."""

    path: str
    url: str


class Embed(Feature):
    """An embed page per claim, and the code to embed it on the claim's page."""

    def pages(self, reads: Reads) -> list[tuple[str, str, str]]:
        placements = reads.get(self.graph.homes).placements
        return [(paths.embed(p.home, i), "embed-page", i) for i, p in placements.items()]

    def renderers(self) -> dict[str, Callable[[Reads, str], bytes]]:
        return {"embed-page": self._embed_page}

    def extras(self, reads: Reads, page: str, arg: str) -> dict[str, Any]:
        if page != "claim-page":
            return {}
        placement = reads.facet(self.graph.homes, "", arg)
        path = paths.embed(placement.home, arg)
        base_url = reads.facet(self.graph.config, "", "base_url")
        return {"embed": Snippet(path, urls.absolute(base_url, path))}

    def _embed_page(self, reads: Reads, claim_id: str) -> bytes:
        graph = self.graph
        config, assets = reads.get(graph.config), reads.get(graph.assets)
        check = reads.get(graph.check, claim_id)
        placement = reads.facet(graph.homes, "", claim_id)
        assert check is not None and placement is not None
        home = reads.facet(graph.article, placement.home, "heading")
        path = paths.embed(placement.home, claim_id)
        page = Page(
            path, check.claim, urls.Links(path, config.base_url), home.lang, home.dir, check.summary
        )
        return graph.renderer.page(
            reads,
            config,
            assets,
            page,
            "embed.html",
            None,
            check=check,
            verdict=config.verdict(check.verdict),
            claim_path=paths.claim(placement.home, claim_id),
        )
