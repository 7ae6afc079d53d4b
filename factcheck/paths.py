"""Every output path of the built site, and the article names they reserve.

The one owner of where things go: templates and code ask this module for a page's path
and `urls` turns paths into links, so no path is spelled twice. An article's folder is
its slug, so the site's own top-level folders cannot be article names (`RESERVED`).
"""

from __future__ import annotations

INDEX = "index.html"
ASSETS = "assets"
HOME = INDEX
METHODOLOGY = f"methodology/{INDEX}"
ABOUT = f"about/{INDEX}"
CORRECTIONS = f"corrections/{INDEX}"
SEARCH = f"search/{INDEX}"
CLAIMANTS = f"claimants/{INDEX}"
TOPICS = f"topics/{INDEX}"
NOT_FOUND = "404.html"
ROBOTS = "robots.txt"
HEADERS = "_headers"
CLAIMS_JSON = "claims.json"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
FAVICON = "favicon.png"
INDEX_PAGES = "page"
"""Older articles are listed on page/2/index.html, page/3/index.html, ..."""

RESERVED = frozenset(
    path.partition("/")[0]
    for path in (
        f"{ASSETS}/",
        METHODOLOGY,
        ABOUT,
        CORRECTIONS,
        SEARCH,
        CLAIMANTS,
        TOPICS,
        f"{INDEX_PAGES}/",
    )
)
"""Names an article cannot have: the site's own folders."""


def folder(*parts: str) -> str:
    """The page of a folder: ('a', 'b') -> 'a/b/index.html'."""
    return "/".join([*parts, INDEX])


def index_page(number: int) -> str:
    """Index page 1 is the home page; the older ones are numbered from 2."""
    return HOME if number == 1 else folder(INDEX_PAGES, str(number))


def article(slug: str) -> str:
    return folder(slug)


def claim(home: str, claim_id: str) -> str:
    """A claim's page lives in the folder of the article it is first marked in."""
    return folder(home, claim_id)


def embed(home: str, claim_id: str) -> str:
    return folder(home, claim_id, "embed")


def share_image(home: str, claim_id: str) -> str:
    return f"{home}/{claim_id}/share.png"


def claimant(name_id: str) -> str:
    return folder("claimants", name_id)


def topic(topic_id: str) -> str:
    return folder("topics", topic_id)


def asset(name: str) -> str:
    return f"{ASSETS}/{name}"
