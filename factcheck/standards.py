"""`check --standards`: which transparency items of the IFCN Code of Principles and the
EFCSN Code of Standards the site's pages show, and which are missing, as a checklist.

Every page of a kind shows the same thing, so the checklist is read from the settings:
the methodology and the corrections policy count when site.yaml gives the desk's own (the
generator's default texts stand in for a policy, they are not one); ownership and funding
when the about text, the desk's own, speaks of them (in English: another language's text
counts as it is); the contact when `contact` is set (every page's footer, the about page);
the complaint route when `contact` is set or the corrections policy gives an address.
Sources and the corrections log are on every site the generator builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import paths
from .model import SiteConfig
from .validate import DEFAULT_ABOUT, DEFAULT_CORRECTIONS, DEFAULT_METHODOLOGY

_OWNERSHIP = re.compile(r"\bown(?:s|ed|ers?|ership)\b", re.IGNORECASE)
_FUNDING = re.compile(
    r"\b(?:fund\w*|financ\w*|grants?|donat\w*|donors?|revenue\w*|advertis\w*|sponsor\w*)\b",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"https?://\S+|mailto:\S+|[^@\s:/]+@[^@\s:/]+\.\w+")


@dataclass(frozen=True)
class Item:
    """One item of the codes: where the site shows it, or ('' there) how to add it."""

    name: str
    codes: str
    shown: str
    fix: str = ""


def audit(config: SiteConfig) -> list[Item]:
    """Every item, in the order the codes list them."""
    about = config.about if config.about != DEFAULT_ABOUT else ""
    policy = config.corrections if config.corrections != DEFAULT_CORRECTIONS else ""
    about_page = f"the about page ({paths.ABOUT}, from site.yaml about)"
    return [
        Item(
            "methodology",
            "IFCN 4, EFCSN",
            f"the methodology page ({paths.METHODOLOGY})"
            if config.methodology != DEFAULT_METHODOLOGY
            else "",
            "say how you choose and check claims in site.yaml `methodology` "
            "(the generator's default text stands in for it)",
        ),
        Item("sources", "IFCN 2, EFCSN", "every claim page, its sources listed with links"),
        Item(
            "corrections policy",
            "IFCN 5, EFCSN",
            f"the methodology page ({paths.METHODOLOGY}#corrections), linked from every footer"
            if policy
            else "",
            "write your corrections policy in site.yaml `corrections` "
            "(the generator's default text stands in for it)",
        ),
        Item(
            "corrections log",
            "IFCN 5, EFCSN",
            f"{paths.CORRECTIONS}, and a dated notice on each corrected or updated claim page",
        ),
        Item(
            "ownership",
            "IFCN 3, EFCSN",
            about_page if _speaks_of(_OWNERSHIP, about, config.language) else "",
            "say who owns the desk in site.yaml `about`",
        ),
        Item(
            "funding",
            "IFCN 3, EFCSN",
            about_page if _speaks_of(_FUNDING, about, config.language) else "",
            "say who funds the desk, and how, in site.yaml `about`",
        ),
        Item(
            "contact",
            "IFCN 3, EFCSN",
            f"every page's footer and the about page ({config.contact})" if config.contact else "",
            "set `contact` in site.yaml: an email address or a page where readers reach you",
        ),
        Item(
            "complaint route",
            "IFCN 5, EFCSN",
            _complaint_route(config, policy),
            "set `contact` in site.yaml, or give an address in `corrections`: "
            "where readers report an error or complain about a check",
        ),
    ]


def _speaks_of(words: re.Pattern[str], about: str, language: str) -> bool:
    """Whether the desk's own about text mentions it; a text not in English counts as given."""
    if not about:
        return False
    return language.split("-")[0].lower() != "en" or words.search(about) is not None


def _complaint_route(config: SiteConfig, policy: str) -> str:
    if config.contact:
        return f"the corrections log, the about page and every footer ({config.contact})"
    found = _ADDRESS.search(policy)
    return f"the corrections policy ({found[0]})" if found else ""


def checklist(items: list[Item]) -> list[str]:
    """The lines `check --standards` prints: one per item, then the count."""
    lines = ["Editorial standards (IFCN Code of Principles, EFCSN Code of Standards):"]
    for item in items:
        mark, where = ("x", item.shown) if item.shown else (" ", f"missing: {item.fix}")
        lines.append(f"  [{mark}] {item.name} ({item.codes}): {where}")
    missing = [item.name for item in items if not item.shown]
    shown = len(items) - len(missing)
    if missing:
        lines.append(f"{shown} of {len(items)} shown; missing: {', '.join(missing)}")
    else:
        lines.append(f"{shown} of {len(items)} shown; nothing missing")
    return lines
