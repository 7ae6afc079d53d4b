"""End-to-end: build real sources with the command line and inspect the real output."""

from __future__ import annotations

import json
import os
import posixpath
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import ARTICLE, CHECK

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_SLUG = "us-pakistan-airspace-talks"
BASE = "https://example.org/fact/checks/"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def json_ld(page: BeautifulSoup) -> list[dict]:
    return [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example site, built once with a base URL and once without."""
    out = tmp_path_factory.mktemp("example")
    import build

    assert build.main(["build", "--out", str(out / "plain")]) == 0
    assert build.main(["build", "--out", str(out / "based"), "--base-url", BASE]) == 0
    return out


def test_every_file_the_contract_lists(example):
    files = tree(example / "based")
    checks = sorted(p.stem for p in (REPO / "checks").rglob("*.yaml"))
    expected = {
        "index.html",
        f"{EXAMPLE_SLUG}/index.html",
        "methodology/index.html",
        "claims.json",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
    }
    # The Spanish version's checks (`*-es`) are marked, so live, in the Spanish article.
    expected |= {
        f"{EXAMPLE_SLUG}{'-es' if c.endswith('-es') else ''}/{c}/index.html" for c in checks
    }
    assert expected <= files.keys()
    assert any(name.startswith("assets/style.") and name.endswith(".css") for name in files)
    assert len(checks) >= 8


def test_without_base_url_there_is_no_sitemap_or_feed(example):
    files = tree(example / "plain")
    assert "sitemap.xml" not in files and "feed.xml" not in files
    assert b"Sitemap:" not in files["robots.txt"]
    assert not soup(example / "plain" / "index.html").find("link", rel="canonical")


def test_article_highlights_each_claim_with_its_verdict_word(example):
    out = example / "plain"
    page = soup(out / EXAMPLE_SLUG / "index.html")
    claims = page.select("span.claim")
    source = (REPO / "content" / f"{EXAMPLE_SLUG}.md").read_text("utf-8")
    assert len(claims) == source.count("{claim=")
    labels = {"True", "Mostly true", "Half true", "Mostly false", "False", "Unproven"}
    for claim in claims:
        chip = claim.select_one("a.chip")
        assert chip.get_text(" ", strip=True).split()[-1] in {w.split()[-1] for w in labels}
        assert chip["href"].startswith("#check-")
        assert page.find(id=chip["href"][1:]), "the no-JavaScript target exists"
        note = claim.select_one(".claim-note")
        assert note.has_attr("hidden")
        link = note.find("a")["href"]
        assert (out / EXAMPLE_SLUG / link).resolve().is_file()


def test_claim_page_carries_exactly_one_claim_review(example):
    out = example / "based"
    check_id = "austin-hasc-testimony"
    page = soup(out / EXAMPLE_SLUG / check_id / "index.html")
    data = json_ld(page)
    reviews = [d for d in data if d["@type"] == "ClaimReview"]
    assert len(reviews) == 1
    review = reviews[0]
    assert review["url"] == f"{BASE}{EXAMPLE_SLUG}/{check_id}/"
    assert review["author"]["name"] == "Example Fact Desk" or review["author"]["@type"]
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["reviewRating"]["alternateName"] in page.get_text()
    assert review["claimReviewed"] in page.get_text()
    assert len(review["claimReviewed"]) <= 75
    claims = json.loads((out / "claims.json").read_text("utf-8"))
    assert review in claims, "claims.json holds the same ClaimReview"
    assert page.find("link", rel="canonical")["href"] == review["url"]


def test_rated_and_unrated_verdicts_in_structured_data(make_site, tmp_path, run):
    unproven = CHECK.replace("verdict: false", "verdict: unproven")
    src = make_site(
        {
            "checks/other.yaml": unproven,
            "content/demo.md": ARTICLE.replace("at the rally.", "at [the rally]{claim=other}."),
        }
    )
    assert run("build", "--src", src, "--out", tmp_path / "out")[0] == 0
    reviews = {
        r["claimReviewed"]: r for r in json.loads((tmp_path / "out" / "claims.json").read_text())
    }
    rated = json.loads((tmp_path / "out" / "claims.json").read_text())[1]["reviewRating"]
    assert rated == {
        "@type": "Rating",
        "alternateName": "False",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "ratingExplanation": "The river is four miles long.",
    }
    unrated = json.loads((tmp_path / "out" / "claims.json").read_text())[0]["reviewRating"]
    assert "ratingValue" not in unrated and unrated["alternateName"] == "Unproven"
    assert "url" not in next(iter(reviews.values())), "no url without base_url"


def test_claim_text_cannot_break_out_of_json_ld(make_site, tmp_path, run):
    hostile = '</script><script>document.title="pwned"</script>'
    src = make_site(
        {
            "checks/river-length.yaml": CHECK.replace(
                "claim: The river is ten miles long", f"claim: '{hostile}'"
            )
        }
    )
    assert run("build", "--src", src, "--out", tmp_path / "out")[0] == 0
    html = (tmp_path / "out" / "demo" / "river-length" / "index.html").read_text()
    assert "<script>document.title" not in html
    page = soup(tmp_path / "out" / "demo" / "river-length" / "index.html")
    assert [d["claimReviewed"] for d in json_ld(page) if d["@type"] == "ClaimReview"] == [hostile]


def test_article_json_ld_refers_to_reviews_by_url(example):
    page = soup(example / "based" / EXAMPLE_SLUG / "index.html")
    articles = [d for d in json_ld(page) if d["@type"] == "Article"]
    assert len(articles) == 1
    assert not [d for d in json_ld(page) if d["@type"] == "ClaimReview"]
    parts = {p["@id"] for p in articles[0]["hasPart"]}
    assert f"{BASE}{EXAMPLE_SLUG}/austin-hasc-testimony/" in parts


def internal_links(out: Path):
    """(page, link target) for every href and src in every HTML page."""
    for page in sorted(out.rglob("*.html")):
        for element in soup(page).find_all(href=True) + soup(page).find_all(src=True):
            yield page, element.get("href") or element.get("src")


def test_all_internal_links_are_relative_and_resolve(example):
    out = example / "plain"
    checked = 0
    for page, link in internal_links(out):
        parts = urlsplit(link)
        if parts.scheme in ("http", "https", "mailto"):
            continue
        assert not link.startswith("/"), f"{page}: root-relative link {link}"
        if not parts.path:  # a fragment on the same page
            assert soup(page).find(id=parts.fragment), f"{page}: missing #{parts.fragment}"
            continue
        target = Path(posixpath.normpath(posixpath.join(page.parent.as_posix(), parts.path)))
        assert target.is_file(), f"{page}: broken link {link}"
        if parts.fragment:
            assert soup(target).find(id=parts.fragment), f"{page}: missing {link}"
        checked += 1
    assert checked > 50


def test_nothing_is_loaded_from_another_host(example):
    own_host = urlsplit(BASE).netloc  # the 404 page links absolutely to its own site
    for page in (example / "based").rglob("*.html"):
        document = soup(page)
        for element in document.find_all(["script", "img", "iframe"], src=True):
            assert urlsplit(element["src"]).netloc in ("", own_host), f"{page}: {element}"
        for element in document.find_all("link", rel="stylesheet"):
            assert urlsplit(element["href"]).netloc in ("", own_host)


def test_canonical_sitemap_and_feed_are_absolute(example):
    out = example / "based"
    page = soup(out / EXAMPLE_SLUG / "index.html")
    assert page.find("link", rel="canonical")["href"] == f"{BASE}{EXAMPLE_SLUG}/"
    sitemap = (out / "sitemap.xml").read_text()
    assert f"<loc>{BASE}{EXAMPLE_SLUG}/</loc>" in sitemap
    assert "//" not in sitemap.replace("https://", "").replace("http://", "")
    feed = (out / "feed.xml").read_text()
    assert f'href="{BASE}{EXAMPLE_SLUG}/"' in feed
    assert f"Sitemap: {BASE}sitemap.xml" in (out / "robots.txt").read_text()


def test_the_sitemap_lists_every_page_worth_finding_and_no_embed(example):
    out = example / "based"
    listed = set(re.findall(r"<loc>(.*?)</loc>", (out / "sitemap.xml").read_text()))
    for page in ("about/", "corrections/", "claimants/", "topics/", "claimants/the-new-arab/"):
        assert BASE + page in listed, page
    topics = {p.parent.name for p in (out / "topics").glob("*/index.html")}
    assert topics and {f"{BASE}topics/{t}/" for t in topics} <= listed
    assert not [url for url in listed if "/embed/" in url or "/search/" in url]


def test_404_links_are_absolute_from_base_url(example):
    page = soup(example / "based" / "404.html")
    for element in page.find_all(href=True):
        href = element["href"]
        assert href.startswith(BASE) or href.startswith("#") or urlsplit(href).scheme, href


def test_index_lists_articles_newest_first_with_tallies(make_site, tmp_path, run):
    older = (
        ARTICLE.replace("2024-03-01", "2023-01-01")
        .replace("Checking the demo speech", "An older check")
        .replace("{claim=river-length}", "{claim=river-length}")
    )
    src = make_site({"content/older.md": older})
    assert run("build", "--src", src, "--out", tmp_path / "out")[0] == 0
    page = soup(tmp_path / "out" / "index.html")
    text = page.get_text(" ", strip=True)
    assert text.index("Checking the demo speech") < text.index("An older check")
    assert "1 False" in " ".join(text.split()) or "False 1" in " ".join(text.split())
    # The claim marked in both lives under the article published first.
    assert (tmp_path / "out" / "older" / "river-length" / "index.html").is_file()
    assert not (tmp_path / "out" / "demo" / "river-length").exists()
    note = soup(tmp_path / "out" / "demo" / "index.html").select_one(".claim-note a")
    assert note["href"] == "../older/river-length/index.html"


def many_articles(count: int) -> dict[str, str]:
    """`count` short articles, article-001 the oldest, one day apart."""
    return {
        f"content/article-{n:03}.md": f"---\ntitle: Article {n:03}\npublished: "
        f"{date(2020, 1, 1) + timedelta(days=n):%Y-%m-%d}\n---\nText {n}.\n"
        for n in range(1, count + 1)
    }


def test_index_is_paged_thirty_articles_at_a_time(make_site, tmp_path, run):
    src = make_site(many_articles(64))
    out = tmp_path / "out"
    assert run("build", "--src", src, "--out", out, "--base-url", BASE)[0] == 0
    pages = [
        soup(out / "index.html"),
        soup(out / "page" / "2" / "index.html"),
        soup(out / "page" / "3" / "index.html"),
    ]
    assert not (out / "page" / "4").exists()
    titles = [[h.get_text(strip=True) for h in page.select(".card-title")] for page in pages]
    assert [len(t) for t in titles] == [30, 30, 5]
    assert titles[0][:2] == ["Checking the demo speech", "Article 064"]  # newest first
    assert titles[2] == ["Article 005", "Article 004", "Article 003", "Article 002", "Article 001"]
    links = [
        {a.get_text(" ", strip=True): a["href"] for a in page.select(".pagination a")}
        for page in pages
    ]
    assert links == [
        {"Older fact checks": "page/2/index.html"},
        {"Newer fact checks": "../../index.html", "Older fact checks": "../3/index.html"},
        {"Newer fact checks": "../2/index.html"},
    ]
    assert pages[1].title.get_text() == "Fact checks, page 2 of 3 | Fact checks"
    feed = (out / "feed.xml").read_text()
    assert feed.count("<entry") == 50
    assert feed.index("Article 064") < feed.index("Article 063")
    assert "Article 014" not in feed


def test_methodology_page_shows_the_scale(example):
    text = soup(example / "plain" / "methodology" / "index.html").get_text(" ", strip=True)
    for label in ("True", "Mostly true", "Half true", "Mostly false", "False", "Unproven"):
        assert label in text


def test_rtl_article_is_laid_out_right_to_left(make_site, tmp_path, run):
    src = make_site({"content/demo.md": ARTICLE.replace("summary:", "lang: ar\nsummary:")})
    assert run("build", "--src", src, "--out", tmp_path / "out")[0] == 0
    html = soup(tmp_path / "out" / "demo" / "index.html").find("html")
    assert (html["lang"], html["dir"]) == ("ar", "rtl")


def test_same_sources_build_byte_identical(make_site, tmp_path, run):
    src = make_site()
    assert run("build", "--src", src, "--out", tmp_path / "a")[0] == 0
    os.utime(src / "checks" / "river-length.yaml", (0, 0))
    assert run("build", "--src", src, "--out", tmp_path / "b")[0] == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_example_builds_byte_identical(example, tmp_path, run):
    assert run("build", "--out", tmp_path / "again", "--base-url", BASE)[0] == 0
    assert tree(tmp_path / "again") == tree(example / "based")


def test_failed_build_leaves_previous_output_untouched(make_site, tmp_path, run):
    src = make_site()
    out = tmp_path / "out"
    assert run("build", "--src", src, "--out", out)[0] == 0
    before = {name: (data, (out / name).stat().st_mtime_ns) for name, data in tree(out).items()}
    (src / "checks" / "river-length.yaml").write_text(CHECK.replace("false", "flase"))
    (src / "content" / "new.md").write_text(ARTICLE.replace("Checking", "New"))
    status, _, err = run("build", "--src", src, "--out", out)
    assert status == 1 and err[-1] == f"1 error in {src}; nothing was written"
    after = {name: (data, (out / name).stat().st_mtime_ns) for name, data in tree(out).items()}
    assert after == before


def test_rebuild_shows_edits_and_removes_what_is_gone(make_site, tmp_path, run):
    src = make_site()
    out = tmp_path / "out"
    assert run("build", "--src", src, "--out", out)[0] == 0
    (src / "checks" / "river-length.yaml").write_text(CHECK.replace("false", "true"))
    assert run("build", "--src", src, "--out", out)[0] == 0
    assert (
        "True" in soup(out / "demo" / "river-length" / "index.html").select_one(".chip").get_text()
    )
    (src / "content" / "demo.md").rename(src / "content" / "renamed.md")
    assert run("build", "--src", src, "--out", out)[0] == 0
    assert not (out / "demo").exists()
    assert (out / "renamed" / "river-length" / "index.html").is_file()


def test_raw_image_without_alt_text_is_a_warning_with_its_place(make_site, tmp_path, run):
    src = make_site(
        {
            "content/demo.md": ARTICLE + '\n<img src="chart.png">\n\n'
            '<img src="map.png" alt="Map of the river"> ![](rule.png)\n'
        }
    )
    status, _, errors = run("build", "--src", src, "--out", tmp_path / "out")
    assert status == 0
    assert errors == [
        "content/demo.md:8:1: warning: image without alt text "
        '(describe it in alt="...", or write alt="" if it only decorates)'
    ]
    assert run("build", "--src", src, "--out", tmp_path / "out")[2] == errors  # reused body
    assert run("build", "--strict", "--src", src, "--out", tmp_path / "strict")[0] == 1


def test_files_editors_leave_beside_the_sources_are_ignored(make_site, tmp_path, run):
    src = make_site(
        {
            "content/demo.md~": "old",
            "content/#demo.md#": "autosave",
            "checks/.river-length.yaml.swp": b"\x00",
            "checks/README.md": "notes",
            "checks/river-length.yaml~": "claim: old",
            "content/.DS_Store": b"\x00",
        }
    )
    status, _, errors = run("build", "--src", src, "--out", tmp_path / "out")
    assert (status, errors) == (0, [])
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == [
        "about",
        "assets",
        "claimants",
        "corrections",
        "demo",
        "methodology",
        "search",
        "topics",
    ]


def test_files_the_build_did_not_write_are_kept(make_site, tmp_path, run):
    src = make_site()
    out = tmp_path / "out"
    out.mkdir()
    (out / "CNAME").write_text("checks.example.org")
    assert run("build", "--src", src, "--out", out)[0] == 0
    assert (out / "CNAME").read_text() == "checks.example.org"


def test_source_templates_override_the_built_in_ones(make_site, tmp_path, run):
    src = make_site(
        {
            "templates/404.html": "{% extends 'base.html' %}"
            "{% block main %}<p>Lost at sea</p>{% endblock %}"
        }
    )
    status, _, err = run("build", "--src", src, "--out", tmp_path / "out")
    assert status == 0, err
    assert "Lost at sea" in (tmp_path / "out" / "404.html").read_text()


def test_template_errors_name_the_file_and_line(make_site, tmp_path, run):
    src = make_site({"templates/404.html": "<p>\n{{ no_such_thing.attr }}</p>\n"})
    status, _, err = run("build", "--src", src, "--out", tmp_path / "out")
    assert status == 1
    assert err[0] == "templates/404.html:2:1: error: template error: 'no_such_thing' is undefined"
    src = make_site({"templates/404.html": "<p>{% if %}</p>\n"})
    status, _, err = run("build", "--src", src, "--out", tmp_path / "out")
    assert status == 1 and err[0].startswith("templates/404.html:1:1: error: template error:")


@pytest.mark.parametrize(
    "contact, href, text",
    [
        ("desk@example.org", "mailto:desk@example.org", "desk@example.org"),
        (
            "mailto:desk@example.org?subject=Tip",
            "mailto:desk@example.org?subject=Tip",
            "desk@example.org",
        ),
        ("https://example.org/tips", "https://example.org/tips", "Contact us"),
    ],
)
def test_contact_is_linked_on_every_page(make_site, tmp_path, run, contact, href, text):
    src = make_site({"site.yaml": f'contact: "{contact}"\n'})
    assert run("build", "--src", src, "--out", tmp_path / "out")[0] == 0
    for page in ("index.html", "demo/index.html", "methodology/index.html"):
        links = soup(tmp_path / "out" / page).find_all("a", href=href)
        assert links and text.lower() in links[0].get_text().lower(), page
