"""Every output path of the built site, and the article names they reserve.

The one owner of where things go: templates and code ask this module for a page's path
and `urls` turns paths into links, so no path is spelled twice. An article's folder is
its slug, so the site's own top-level folders cannot be article names (`RESERVED`).
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

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
TOUCH_ICON = "apple-touch-icon.png"
"""The favicon for phones' home screens, 180 x 180."""
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


def claimant(name_id: str, number: int = 1) -> str:
    """A claimant's checks; past the first page, claimants/<name>/page/2/index.html..."""
    return _listing("claimants", name_id, number)


def topic(topic_id: str, number: int = 1) -> str:
    return _listing("topics", topic_id, number)


def _listing(kind: str, name_id: str, number: int) -> str:
    return folder(kind, name_id) if number == 1 else folder(kind, name_id, INDEX_PAGES, str(number))


NAME_ID_MAX = 80
"""Characters of a name's id at most: a folder name every file system and URL takes."""
_APOSTROPHES = re.compile(r"['\u2019\u02bc]")
_NOT_ID = re.compile(r"[^a-z0-9]+")


def name_id(name: str) -> str:
    """A claimant's or topic's name as its folder: 'Lloyd Austin' -> 'lloyd-austin'.

    Any script is transliterated to ASCII (AnyAscii: 'Владимир Путин' -> 'vladimir-putin'),
    apostrophes are dropped ("O'Brien" -> 'obrien') and every other run of characters that
    is not a letter or digit becomes one hyphen. A long id is cut at a hyphen; a name of
    punctuation alone gives ''.
    """
    ascii_text = anyascii(unicodedata.normalize("NFKC", name)).lower()
    found = _NOT_ID.sub("-", _APOSTROPHES.sub("", ascii_text)).strip("-")
    if len(found) <= NAME_ID_MAX:
        return found
    cut = found[: NAME_ID_MAX + 1]
    return cut.rsplit("-", 1)[0] if "-" in cut else cut[:NAME_ID_MAX]


def asset(name: str) -> str:
    return f"{ASSETS}/{name}"


def search(name: str) -> str:
    """The search page's own files (its script and style), beside it."""
    return f"search/{name}"


def search_bundle(bundle: str, name: str) -> str:
    """A file of one part of the search index (a Pagefind bundle, `<language>/<n>`); name ''
    for its folder."""
    return f"search/pagefind/{bundle}/{name}"
