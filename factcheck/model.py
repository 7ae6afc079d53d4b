"""The validated sources: plain frozen dataclasses, made only by `validate`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """One step of the rating scale; the word and the number come from one entry."""

    key: str
    label: str
    """The word in the site's language (what text outside a page, such as search, shows)."""
    rating: int | None = None
    description: str = ""
    color: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    """(language tag, word) for every language the scale gives the verdict a word in."""
    descriptions: tuple[tuple[str, str], ...] = ()

    def label_for(self, tag: str) -> str:
        """The word in a page's language: its own, its language's (`pt` for `pt-BR`),
        else the site's."""
        return _in_language(self.labels, tag) or self.label

    def description_for(self, tag: str) -> str:
        return _in_language(self.descriptions, tag) or self.description

    def has_label_for(self, tag: str) -> bool:
        return bool(_in_language(self.labels, tag))


def _in_language(texts: tuple[tuple[str, str], ...], tag: str) -> str:
    """The text of a language tag, or of its language alone, '' when there is none."""
    wanted = tag.lower().replace("_", "-")
    found = dict((t.lower().replace("_", "-"), text) for t, text in texts)
    return found.get(wanted) or found.get(wanted.split("-")[0], "")


@dataclass(frozen=True)
class Publisher:
    name: str
    url: str = ""
    logo: str = ""


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str
    language: str
    publisher: Publisher
    methodology: str
    corrections: str
    verdicts: tuple[Verdict, ...]
    contact: str
    strict: bool
    about: str = ""
    search: bool = True
    share_images: bool = True
    min_sources: int = 1
    """The fewest independent sources (publishers) a check may cite (site.yaml)."""
    language_at: tuple[int, int] = (1, 1)
    """Where site.yaml gives `language` (line, column), for what is said about it."""

    @property
    def contact_href(self) -> str:
        """The contact as a link: a bare email address becomes a mailto: link."""
        if not self.contact or self.contact.startswith(("http://", "https://", "mailto:")):
            return self.contact
        return "mailto:" + self.contact

    @property
    def contact_email(self) -> str:
        """The email address to show, or '' when the contact is a web page."""
        if self.contact_href.startswith("mailto:"):
            return self.contact_href.removeprefix("mailto:").split("?")[0]
        return ""

    def verdict(self, key: str) -> Verdict:
        return next(v for v in self.verdicts if v.key == key)

    @property
    def best_rating(self) -> int | None:
        ratings = [v.rating for v in self.verdicts if v.rating is not None]
        return max(ratings) if ratings else None

    @property
    def worst_rating(self) -> int | None:
        ratings = [v.rating for v in self.verdicts if v.rating is not None]
        return min(ratings) if ratings else None


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    publisher: str = ""
    date: dt.date | None = None
    archived: str = ""
    stance: str = ""
    note: str = ""


@dataclass(frozen=True)
class Update:
    date: dt.date
    note: str


@dataclass(frozen=True)
class Response:
    """The right of reply: whom the desk asked for comment, when, and what they said."""

    party: str
    asked: dt.date
    note: str
    answered: dt.date | None = None


@dataclass(frozen=True)
class Check:
    """One checked claim, from `checks/<id>.yaml`."""

    id: str
    path: str
    claim: str
    claimant: str
    verdict: str
    summary: str
    sources: tuple[Source, ...]
    checked_on: dt.date
    claim_date: dt.date | None = None
    appearance: str = ""
    analysis: str = ""
    checked_by: str = ""
    updates: tuple[Update, ...] = ()
    claimant_type: str = "organization"
    responses: tuple[Response, ...] = ()
    topics: tuple[str, ...] = ()
    translation_of: str = ""
    translation_at: tuple[int, int] = (1, 1)
    """Where the file gives `translation_of` (line, column), for errors found across files."""

    @property
    def modified(self) -> dt.date:
        """The date of the last change: the newest update, else the verdict's date."""
        return max([self.checked_on, *(u.date for u in self.updates)])


@dataclass(frozen=True)
class CheckedArticle:
    """The article a fact-check is about (front matter `source`)."""

    publisher: str = ""
    url: str = ""
    published: dt.date | None = None
    author: str = ""


@dataclass(frozen=True)
class Article:
    """One fact-checked article, from `content/<slug>.md`; its body is Markdown text."""

    slug: str
    path: str
    title: str
    published: dt.date
    lang: str
    dir: str
    body: str
    body_line: int
    updated: dt.date | None = None
    summary: str = ""
    source: CheckedArticle | None = None
    authors: tuple[str, ...] = ()
    lead: str = ""
    topics: tuple[str, ...] = ()
    translation_of: str = ""
    translation_at: tuple[int, int] = (1, 1)
    """Where the front matter gives `translation_of` and `lang` (line, column): what other
    files make wrong about them is reported there."""
    lang_at: tuple[int, int] = (1, 1)
