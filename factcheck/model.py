"""The validated sources: plain frozen dataclasses, made only by `validate`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """One step of the rating scale; the word and the number come from one entry."""

    key: str
    label: str
    rating: int | None = None
    description: str = ""
    color: str = ""


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
