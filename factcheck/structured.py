"""schema.org structured data: ClaimReview for each check, Article for each article.

The rating's word and number come from one scale entry, so they can never disagree, and
`dump` escapes the JSON so nothing in a claim can close the `<script>` it sits in.
"""

from __future__ import annotations

import json
from typing import Any

from .model import Article, Check, SiteConfig

CONTEXT = "https://schema.org"
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def dump(data: object) -> str:
    """JSON with sorted keys, safe to place inside `<script type="application/ld+json">`."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_SAFE)


def organization(config: SiteConfig) -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": config.publisher.name}
    if config.publisher.url:
        org["url"] = config.publisher.url
    if config.publisher.logo:
        org["logo"] = config.publisher.logo
    return org


def claim_review(check: Check, config: SiteConfig, url: str, lang: str) -> dict[str, Any]:
    """The ClaimReview of one check; `url` is the claim page's absolute URL or ''."""
    verdict = config.verdict(check.verdict)
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": verdict.label,
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
        "author": {"@type": "Organization", "name": check.claimant},
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


def article(item: Article, config: SiteConfig, url: str, review_urls: list[str]) -> dict[str, Any]:
    """The Article of a fact-check page, referring to its claims' reviews by URL."""
    data = {
        "@context": CONTEXT,
        "@type": "Article",
        "headline": item.title,
        "datePublished": item.published.isoformat(),
        "dateModified": (item.updated or item.published).isoformat(),
        "inLanguage": item.lang,
        "author": organization(config),
        "publisher": organization(config),
        "hasPart": [{"@id": u} for u in review_urls],
    }
    if item.summary:
        data["description"] = item.summary
    if url:
        data["url"] = url
        data["mainEntityOfPage"] = url
    return data
