"""schema.org structured data: ClaimReview for each check, Article for each article.

The rating's word and number come from one scale entry, so they can never disagree, and
`dump` escapes the JSON so nothing in a claim can close the `<script>` it sits in. The
desk is a NewsMediaOrganization whose policies are the site's own pages (the IFCN's
transparency items, as schema.org names them), the author of every review.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import paths, urls
from .model import Article, Check, SiteConfig

if TYPE_CHECKING:
    from .i18n import Version

CONTEXT = "https://schema.org"
CLAIMANT_TYPES = {"person": "Person", "organization": "Organization"}
"""A check's `claimant_type` as the schema.org type of the claim's author."""
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def dump(data: object) -> str:
    """JSON with sorted keys, safe to place inside `<script type="application/ld+json">`."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_SAFE)


CORRECTIONS_POLICY = "corrections"
"""The methodology page's corrections-policy section (`id` in methodology.html)."""


def organization(config: SiteConfig) -> dict[str, Any]:
    """The desk, with its policies: absolute URLs of our own pages, so only with base_url."""
    org: dict[str, Any] = {"@type": "NewsMediaOrganization", "name": config.publisher.name}
    if config.publisher.url:
        org["url"] = config.publisher.url
    if config.publisher.logo:
        org["logo"] = config.publisher.logo
    methodology = urls.absolute(config.base_url, paths.METHODOLOGY)
    if methodology:
        org["publishingPrinciples"] = methodology
        org["verificationFactCheckingPolicy"] = methodology
        org["correctionsPolicy"] = f"{methodology}#{CORRECTIONS_POLICY}"
        org["ownershipFundingInfo"] = urls.absolute(config.base_url, paths.ABOUT)
    if config.contact:
        org["contactPoint"] = contact_point(config)
    return org


def contact_point(config: SiteConfig) -> dict[str, Any]:
    """Where readers report errors and send claims: `contact`, an address or a page."""
    point: dict[str, Any] = {"@type": "ContactPoint", "contactType": "corrections"}
    if config.contact_email:
        point["email"] = config.contact_email
    else:
        point["url"] = config.contact_href
    return point


def person_or_desk(name: str, config: SiteConfig) -> dict[str, Any]:
    """An author of an article: a Person, unless the byline is the desk's own name."""
    if name == config.publisher.name:
        return organization(config)
    return {"@type": "Person", "name": name}


def about_page(config: SiteConfig) -> dict[str, Any]:
    """The about page: the desk itself, with its ownership, funding and policies."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "AboutPage",
        "inLanguage": config.language,
        "mainEntity": organization(config),
    }
    url = urls.absolute(config.base_url, paths.ABOUT)
    if url:
        data["url"] = url
    return data


def claim_review(check: Check, config: SiteConfig, url: str, lang: str) -> dict[str, Any]:
    """The ClaimReview of one check; `url` is the claim page's absolute URL or ''."""
    verdict = config.verdict(check.verdict)
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": verdict.label_for(lang),
        "ratingExplanation": check.summary,
    }
    if verdict.rating is not None:
        rating.update(
            ratingValue=verdict.rating,
            bestRating=config.best_rating,
            worstRating=config.worst_rating,
        )
    claim: dict[str, Any] = {
        "@type": "Claim",
        "author": {"@type": CLAIMANT_TYPES[check.claimant_type], "name": check.claimant},
    }
    if check.claim_date:
        claim["datePublished"] = check.claim_date.isoformat()
    if check.appearance:
        claim["appearance"] = {"@type": "CreativeWork", "url": check.appearance}
    review = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "claimReviewed": check.claim,
        "reviewRating": rating,
        "author": organization(config),
        "datePublished": check.checked_on.isoformat(),
        "itemReviewed": claim,
        "inLanguage": lang,
    }
    if check.updates:
        review["dateModified"] = check.modified.isoformat()
    if url:
        review["url"] = url
        review["@id"] = url
    return review


def translation_links(key: str, versions: Sequence[Version], base_url: str) -> dict[str, Any]:
    """How an Article names its language versions (the original is first): the original
    its `workTranslation`s, each translation its `translationOfWork`. Absolute URLs only."""
    urls_of = [urls.absolute(base_url, v.path) for v in versions]
    if not versions or not base_url:
        return {}
    if versions[0].key != key:
        return {"translationOfWork": {"@id": urls_of[0]}}
    return {"workTranslation": [{"@id": u} for u in urls_of[1:]]}


def article(item: Article, config: SiteConfig, url: str, review_urls: list[str]) -> dict[str, Any]:
    """The Article of a fact-check page, referring to its claims' reviews by URL."""
    data = {
        "@context": CONTEXT,
        "@type": "Article",
        "headline": item.title,
        "datePublished": item.published.isoformat(),
        "dateModified": (item.updated or item.published).isoformat(),
        "inLanguage": item.lang,
        "author": [person_or_desk(name, config) for name in item.authors] or organization(config),
        "publisher": organization(config),
        "hasPart": [{"@id": u} for u in review_urls],
    }
    if item.summary:
        data["description"] = item.summary
    if url:
        data["url"] = url
        data["mainEntityOfPage"] = url
    return data
