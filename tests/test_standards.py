"""Editorial standards as readers and tools see them: the about page, the corrections log,
correction notices, bylines, the right of reply, the desk's structured data, and
`check --standards`, the IFCN and EFCSN checklist."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ARTICLE, CHECK
from factcheck.features.corrections import kind
from factcheck.model import Update

BASE = "https://example.org/desk/"
SITE = f"""\
title: River Desk
base_url: {BASE}
publisher: {{name: River Desk, url: "https://river.example/"}}
contact: tips@river.example
about: |
  **River Desk** is owned by its staff and funded by its readers.
"""
BYLINED = ARTICLE.replace(
    "published: 2024-03-01\n",
    "published: 2024-03-01\nupdated: 2024-03-09\nauthors: [Ann Lee, Bo Chen, River Desk]\n",
).replace("at the rally.", "at the rally, and [the bridge is old]{claim=bridge-age}.")
CORRECTED = (
    CHECK.replace("claimant: The speaker", "claimant: The speaker\nclaimant_type: person")
    + """\
updates:
  - date: 2024-03-04
    note: Added the survey's second edition.
  - date: 2024-03-06
    note: "Correction: the survey is from 2023, not 2022."
  - date: 2024-03-09
    note: Fixed a broken link.
responses:
  - party: The speaker's office
    asked: 2024-02-27
    answered: 2024-02-28
    note: The office said the figure came from an old map.
  - party: River Board
    asked: 2024-02-27
    note: No answer came.
"""
)
UPDATED = (
    CHECK.replace("ten miles long", "old").replace(
        "claim: The river is old", "claim: The bridge is old"
    )
    + "updates:\n  - date: 2024-03-06\n    note: Added the bridge's plaque.\n"
)


@pytest.fixture
def site(make_site, run, tmp_path) -> Path:
    src = make_site(
        {
            "site.yaml": SITE,
            "content/demo.md": BYLINED,
            "checks/river-length.yaml": CORRECTED,
            "checks/bridge-age.yaml": UPDATED,
        }
    )
    status, _, err = run("build", "--src", src, "--out", tmp_path / "out")
    assert (status, err) == (0, [])
    return tmp_path / "out"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def json_ld(path: Path) -> list[dict]:
    return [json.loads(s.string) for s in soup(path).find_all("script", type="application/ld+json")]


def target(page: Path, out: Path, href: str) -> str:
    """A relative link's output path, from the page it is on."""
    folder = posixpath.dirname(page.relative_to(out).as_posix())
    return posixpath.normpath(posixpath.join(folder, href.partition("#")[0]))


def text(node) -> str:
    return " ".join(node.get_text().split())


# --- pages -----------------------------------------------------------------------------


def test_the_about_page_shows_the_about_text_and_how_to_reach_the_desk(site):
    page = soup(site / "about" / "index.html")
    assert text(page.h1) == "About River Desk"
    assert text(page.select_one(".prose strong")) == "River Desk"
    assert "owned by its staff and funded by its readers" in text(page.select_one(".prose"))
    assert page.find("a", href="mailto:tips@river.example").get_text() == "tips@river.example"
    links = {target(site / "about" / "index.html", site, a["href"]) for a in page.select("main a")}
    assert {"methodology/index.html", "corrections/index.html"} <= links


def test_every_page_links_to_the_about_page_and_the_log_from_its_footer(site):
    """Every page with the site's footer: all but the 404 page (its links are absolute)
    and the embeds (a card inside other sites' pages)."""
    pages = {
        p.relative_to(site).as_posix(): soup(p)
        for p in site.rglob("*.html")
        if p.name != "404.html" and p.parent.name != "embed"
    }
    assert {
        "index.html",
        "demo/index.html",
        "demo/river-length/index.html",
        "methodology/index.html",
        "about/index.html",
        "corrections/index.html",
    } <= set(pages)
    for path, page in pages.items():
        links = {target(site / path, site, a["href"]) for a in page.select("footer a")}
        assert {"about/index.html", "corrections/index.html"} <= links, path


def test_the_corrections_log_lists_every_note_newest_first_with_its_check(site):
    page = soup(site / "corrections" / "index.html")
    entries = [
        (
            text(e.select_one(".log-kind")),
            e.time["datetime"],
            target(site / "corrections" / "index.html", site, e.select_one(".log-claim a")["href"]),
            text(e.select_one(".log-note")),
        )
        for e in page.select(".log-entry")
    ]
    river, bridge = "demo/river-length/index.html", "demo/bridge-age/index.html"
    assert entries == [
        ("Update", "2024-03-09", river, "Fixed a broken link."),
        ("Update", "2024-03-06", bridge, "Added the bridge's plaque."),
        ("Correction", "2024-03-06", river, "Correction: the survey is from 2023, not 2022."),
        ("Update", "2024-03-04", river, "Added the survey's second edition."),
    ]
    assert all((site / path).is_file() for _, _, path, _ in entries)
    assert text(page.select(".log-claim a")[0]) == "The river is ten miles long"


def test_an_empty_corrections_log_says_so(make_site, run, tmp_path):
    run("build", "--src", make_site(), "--out", tmp_path / "out")
    page = soup(tmp_path / "out" / "corrections" / "index.html")
    assert page.select(".log-entry") == []
    assert text(page.select_one(".empty-state")) == "There have been no corrections or updates yet."


def test_a_claim_page_shows_its_latest_correction_else_its_latest_update(site, make_site, run):
    corrected = soup(site / "demo" / "river-length" / "index.html").select_one(".notice")
    assert text(corrected).startswith(
        "Corrected 6 March 2024: Correction: the survey is from 2023, not 2022."
    )
    assert corrected.time["datetime"] == "2024-03-06"
    assert corrected.a["href"] == "#updates-title"
    updated = soup(site / "demo" / "bridge-age" / "index.html").select_one(".notice")
    assert text(updated).startswith("Updated 6 March 2024: Added the bridge's plaque.")


def test_a_claim_page_without_updates_has_no_notice(make_site, run, tmp_path):
    run("build", "--src", make_site(), "--out", tmp_path / "out")
    assert soup(tmp_path / "out" / "demo" / "river-length" / "index.html").select(".notice") == []


@pytest.mark.parametrize(
    "note, expected",
    [
        ("Correction: the date was wrong.", "correction"),
        ("CORRECTED the figure.", "correction"),
        ("correction", "correction"),
        ("Correctly attributed the quote.", "update"),
        ("Added a source. Correction to follow.", "update"),
    ],
)
def test_a_note_is_a_correction_when_its_first_word_says_so(note, expected):
    assert kind(Update(dt.date(2024, 1, 1), note)) == expected


def test_the_article_shows_its_byline(site):
    byline = soup(site / "demo" / "index.html").select_one(".byline")
    assert text(byline) == "By Ann Lee, Bo Chen and River Desk"
    assert [b.get_text() for b in byline.select("bdi")] == ["Ann Lee", "Bo Chen", "River Desk"]


def test_the_claim_page_shows_whom_the_desk_asked_for_comment(site):
    page = soup(site / "demo" / "river-length" / "index.html")
    replies = [
        (text(li.select_one(".response-meta")), text(li.select_one(".response-note")))
        for li in page.select(".response-list li")
    ]
    assert replies == [
        (
            "The speaker's office: asked 27 February 2024; answered 28 February 2024",
            "The office said the figure came from an old map.",
        ),
        ("River Board: asked 27 February 2024; no answer", "No answer came."),
    ]
    assert soup(site / "demo" / "bridge-age" / "index.html").select(".responses") == []


# --- structured data -------------------------------------------------------------------

DESK = {
    "@type": "NewsMediaOrganization",
    "name": "River Desk",
    "url": "https://river.example/",
    "publishingPrinciples": f"{BASE}methodology/",
    "verificationFactCheckingPolicy": f"{BASE}methodology/",
    "correctionsPolicy": f"{BASE}methodology/#corrections",
    "ownershipFundingInfo": f"{BASE}about/",
    "contactPoint": {
        "@type": "ContactPoint",
        "contactType": "corrections",
        "email": "tips@river.example",
    },
}


def test_the_claim_review_is_by_the_desk_about_a_claim_by_its_claimant(site):
    (review,) = json_ld(site / "demo" / "river-length" / "index.html")
    assert review["@type"] == "ClaimReview"
    assert review["author"] == DESK
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "The speaker"}
    assert review["dateModified"] == "2024-03-09"
    (bridge,) = json_ld(site / "demo" / "bridge-age" / "index.html")
    assert bridge["itemReviewed"]["author"] == {"@type": "Organization", "name": "The speaker"}
    listed = json.loads((site / "claims.json").read_text())
    assert {r["url"]: r["author"] for r in listed} == {
        f"{BASE}demo/bridge-age/": DESK,
        f"{BASE}demo/river-length/": DESK,
    }


def test_the_article_is_by_its_authors_and_published_by_the_desk(site):
    (data,) = json_ld(site / "demo" / "index.html")
    assert data["@type"] == "Article"
    assert data["author"] == [
        {"@type": "Person", "name": "Ann Lee"},
        {"@type": "Person", "name": "Bo Chen"},
        DESK,  # the byline names the desk itself
    ]
    assert data["publisher"] == DESK


def test_an_article_without_authors_is_by_the_desk(make_site, run, tmp_path):
    src = make_site({"site.yaml": SITE})
    run("build", "--src", src, "--out", tmp_path / "out")
    (data,) = json_ld(tmp_path / "out" / "demo" / "index.html")
    assert data["author"] == DESK
    assert soup(tmp_path / "out" / "demo" / "index.html").select(".byline") == []


def test_the_about_page_describes_the_desk(site):
    (data,) = json_ld(site / "about" / "index.html")
    assert data == {
        "@context": "https://schema.org",
        "@type": "AboutPage",
        "inLanguage": "en",
        "url": f"{BASE}about/",
        "mainEntity": DESK,
    }


def test_without_a_base_url_the_desk_names_no_pages_and_a_contact_page_is_a_url(
    make_site, run, tmp_path
):
    settings = SITE.replace(f"base_url: {BASE}\n", "").replace(
        "tips@river.example", "https://river.example/tips"
    )
    run("build", "--src", make_site({"site.yaml": settings}), "--out", tmp_path / "out")
    (review,) = json_ld(tmp_path / "out" / "demo" / "river-length" / "index.html")
    assert review["author"] == {
        "@type": "NewsMediaOrganization",
        "name": "River Desk",
        "url": "https://river.example/",
        "contactPoint": {
            "@type": "ContactPoint",
            "contactType": "corrections",
            "url": "https://river.example/tips",
        },
    }


# --- check --standards -------------------------------------------------------------------

MISSING = [
    "  [ ] methodology (IFCN 4, EFCSN): missing: say how you choose and check claims in "
    "site.yaml `methodology` (the generator's default text stands in for it)",
    "  [x] sources (IFCN 2, EFCSN): every claim page, its sources listed with links",
    "  [ ] corrections policy (IFCN 5, EFCSN): missing: write your corrections policy in "
    "site.yaml `corrections` (the generator's default text stands in for it)",
    "  [x] corrections log (IFCN 5, EFCSN): corrections/index.html, and a dated notice on "
    "each corrected or updated claim page",
    "  [ ] ownership (IFCN 3, EFCSN): missing: say who owns the desk in site.yaml `about`",
    "  [ ] funding (IFCN 3, EFCSN): missing: say who funds the desk, and how, in site.yaml `about`",
    "  [ ] contact (IFCN 3, EFCSN): missing: set `contact` in site.yaml: an email address or "
    "a page where readers reach you",
    "  [ ] complaint route (IFCN 5, EFCSN): missing: set `contact` in site.yaml, or give an "
    "address in `corrections`: where readers report an error or complain about a check",
    "2 of 8 shown; missing: methodology, corrections policy, ownership, funding, contact, "
    "complaint route",
]


def test_standards_of_the_example_show_everything(run):
    status, printed, err = run("check", "--standards")
    checklist = printed.splitlines()[1:]
    assert (status, err) == (0, [])
    assert len(checklist) == 10
    assert all(line.startswith("  [x] ") for line in checklist[1:-1])
    assert checklist[-1] == "8 of 8 shown; nothing missing"


def test_standards_of_a_bare_site_list_what_is_missing(run, tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "checks").mkdir()
    status, printed, _ = run("check", "--standards", "--src", tmp_path)
    assert status == 1
    assert printed.splitlines()[1:] == [
        "Editorial standards (IFCN Code of Principles, EFCSN Code of Standards):",
        *MISSING,
    ]


def test_standards_read_the_desks_own_words(run, make_site):
    settings = """\
methodology: We check claims against primary sources.
corrections: Report errors to errors@river.example; we answer within a week.
about: River Desk is a cooperative of its staff.
"""
    status, printed, _ = run("check", "--standards", "--src", make_site({"site.yaml": settings}))
    lines = printed.splitlines()
    assert status == 1
    assert (
        "  [x] methodology (IFCN 4, EFCSN): the methodology page (methodology/index.html)" in lines
    )
    assert (
        "  [x] complaint route (IFCN 5, EFCSN): the corrections policy (errors@river.example)"
        in lines
    )
    assert lines[-1] == "5 of 8 shown; missing: ownership, funding, contact"


def test_an_about_text_in_another_language_counts_as_given(run, make_site):
    settings = "language: es\nabout: Somos una cooperativa financiada por sus lectores.\n"
    printed = run("check", "--standards", "--src", make_site({"site.yaml": settings}))[1]
    assert "  [x] ownership (IFCN 3, EFCSN): the about page" in printed
    assert "  [x] funding (IFCN 3, EFCSN): the about page" in printed
