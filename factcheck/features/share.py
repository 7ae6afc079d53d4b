"""Share cards and the favicon: what a page shows when it is shared, and in a browser tab.

With a base_url and `share_images: true`, every claim page gets `share.png` (1200 x 630),
drawn at build time by `sharecard`. Its page query reads one `share-card` result, the
card's text, verdict and language, so a rebuild draws again exactly the cards whose
content changed: an edit to a check's sources or analysis, or to the site's about text,
draws nothing. `share-cards` decides whether cards are drawn and, before anything is,
checks that this machine can draw every one the site needs (an error on site.yaml when
it cannot). Pages learn of their card through `extra['share_image']`, for their Open
Graph tags; an article's card is its lead claim's. The favicon is always written.
`sharecard` (Pillow, fontTools) is imported where a card or favicon is made, so a build
that makes none (a no-op, say) never loads it.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import paths, urls
from ..errors import BuildError, Report
from ..graph import Feature, Graph
from ..memo import Query, Reads
from ..sources import SITE_FILE
from .lead import lead_claims

if TYPE_CHECKING:
    from .. import sharecard

FAVICON_SIZES = {paths.FAVICON: 32, paths.TOUCH_ICON: 180}
SETTINGS = ("share_images", "base_url")
"""The site.yaml keys an error about share cards points at, first found first."""


@dataclass(frozen=True)
class CardText:
    """A share card's content as the cache keeps it: `sharecard.Card` without a logo."""

    claim: str
    claimant: str
    verdict_label: str
    symbol: str
    color: str
    publisher: str
    site_title: str
    lang: str
    dir: str

    def card(self) -> sharecard.Card:
        from .. import sharecard

        return sharecard.Card(**dataclasses.asdict(self))


@dataclass(frozen=True)
class ShareImage:
    """What a page's Open Graph tags say of its share card."""

    url: str
    claim: str
    verdict: str
    width: int
    height: int


class Share(Feature):
    """share.png for every claim page, and the favicons; `share_image` for the tags."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        self.lead = lead_claims(graph)
        self.cards = graph.queries.define("share-cards", bool, self._cards)
        self.card: Query[CardText | None] = graph.queries.define(
            "share-card", CardText | None, self._card
        )

    def diagnostics(self) -> list[tuple[Query[Any], list[str]]]:
        return [(self.cards, [""])]

    def _cards(self, reads: Reads, _: str) -> bool:
        """Whether this build draws share cards: it has a base_url and share_images, and
        this machine can draw every card's language (else an error on site.yaml)."""
        config = reads.get(self.graph.config)
        if not (config.base_url and config.share_images):
            return False
        from .. import sharecard

        placements = reads.get(self.graph.homes).placements.values()
        langs = {reads.facet(self.graph.article, p.home, "heading").lang for p in placements}
        try:
            sharecard.check_ready(langs)
        except sharecard.ShareCardsUnavailable as exc:
            line, col = self._setting_position(reads)
            reads.report.error(SITE_FILE, line, col, str(exc))
            return False
        return True

    def _setting_position(self, reads: Reads) -> tuple[int, int]:
        """Where site.yaml sets share_images, else base_url; 1, 1 when it sets neither."""
        site = self.graph.scan.site
        text = self.graph._text(reads, site) if site is not None else None
        lines = (text or "").splitlines()
        for key in SETTINGS:
            for number, line in enumerate(lines, start=1):
                if re.match(rf"{key}\s*:", line):
                    return number, 1
        return 1, 1

    def _card(self, reads: Reads, claim_id: str) -> CardText | None:
        from .. import sharecard

        check = reads.get(self.graph.check, claim_id)
        placement = reads.facet(self.graph.homes, "", claim_id)
        if check is None or placement is None:
            return None
        config = reads.get(self.graph.config)
        home = reads.facet(self.graph.article, placement.home, "heading")
        verdict = config.verdict(check.verdict)
        symbol = sharecard.symbol_for(verdict.rating, config.best_rating, config.worst_rating)
        return CardText(
            check.claim,
            check.claimant,
            verdict.label_for(home.lang),
            symbol,
            verdict.color,
            config.publisher.name,
            config.title,
            home.lang,
            home.dir,
        )

    def pages(self, reads: Reads) -> list[tuple[str, str, str]]:
        found = [(path, "favicon", path) for path in FAVICON_SIZES]
        if reads.get(self.cards):
            placements = reads.get(self.graph.homes).placements
            found += [
                (paths.share_image(p.home, claim_id), "share-image", claim_id)
                for claim_id, p in placements.items()
            ]
        return found

    def renderers(self) -> dict[str, Callable[[Reads, str], bytes]]:
        return {"share-image": self._share_image, "favicon": self._favicon}

    def _share_image(self, reads: Reads, claim_id: str) -> bytes:
        from .. import sharecard

        text = reads.get(self.card, claim_id)
        assert text is not None
        try:
            return sharecard.draw(text.card())
        except sharecard.ShareCardsUnavailable as exc:  # fonts removed since they were checked
            report = Report()
            report.error(SITE_FILE, 1, 1, str(exc))
            raise BuildError(report) from None

    def _favicon(self, reads: Reads, path: str) -> bytes:
        """The publisher's initial on a dark rounded square; the square alone where this
        machine has no font to draw the initial with."""
        from .. import sharecard

        config = reads.get(self.graph.config)
        size = FAVICON_SIZES[path]
        try:
            return sharecard.favicon(config.publisher.name, size, lang=config.language)
        except sharecard.ShareCardsUnavailable:
            return plain_square(size)

    def extras(self, reads: Reads, page: str, arg: str) -> dict[str, Any]:
        """Claim and article pages are articles to Open Graph, with their card (an article's
        is its lead claim's); every other page is a website, without one."""
        if page == "claim-page":
            return {"og_type": "article", "share_image": self._image(reads, arg)}
        if page == "article-page":
            lead = reads.get(self.lead, arg)
            return {"og_type": "article", "share_image": self._image(reads, lead) if lead else None}
        return {}

    def _image(self, reads: Reads, claim_id: str) -> ShareImage | None:
        """A claim's share card, as its page's Open Graph tags name it."""
        if not reads.get(self.cards):
            return None
        text = reads.get(self.card, claim_id)
        placement = reads.facet(self.graph.homes, "", claim_id)
        if text is None or placement is None:
            return None
        from .. import sharecard

        base_url = reads.facet(self.graph.config, "", "base_url")
        url = urls.absolute(base_url, paths.share_image(placement.home, claim_id))
        return ShareImage(url, text.claim, text.verdict_label, sharecard.WIDTH, sharecard.HEIGHT)


def plain_square(size: int) -> bytes:
    """A favicon without a letter: a square of the badge's colour, as a PNG."""
    from PIL import Image

    from .. import sharecard

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), sharecard.INK).save(buffer, format="PNG")
    return buffer.getvalue()
