"""The about page (IFCN: transparency of funding and organisation): who the desk is, who
owns and funds it, from site.yaml `about` (Markdown), with how to reach it and links to
its methodology and corrections. Its JSON-LD is an `AboutPage` about the desk's
`NewsMediaOrganization`, the page its `ownershipFundingInfo` names.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import paths, structured, urls
from ..graph import Feature
from ..markup import plain_html
from ..memo import Reads
from ..render import Page


class About(Feature):
    """about/index.html, linked from every page's footer."""

    indexed = ("about-page",)

    def pages(self, reads: Reads) -> list[tuple[str, str, str]]:
        return [(paths.ABOUT, "about-page", "")]

    def renderers(self) -> dict[str, Callable[[Reads, str], bytes]]:
        return {"about-page": self._page}

    def _page(self, reads: Reads, _: str) -> bytes:
        graph = self.graph
        config, assets = reads.get(graph.config), reads.get(graph.assets)
        links = urls.Links(paths.ABOUT, config.base_url)
        data = structured.dump(structured.about_page(config))
        page = Page(paths.ABOUT, f"About {config.publisher.name}", links, config.language)
        page.jsonld.append(data)
        return graph.renderer.page(
            reads, config, assets, page, "about.html", None, about=plain_html(config.about)
        )
