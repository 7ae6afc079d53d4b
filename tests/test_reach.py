"""Reach: the verdict first on an article, share cards and their tags, the favicon, embeds.

Built through the command line and the pipeline, and read as a reader's tools read the
output: the HTML's tags, the PNGs' sizes, the `_headers` rules as the hosts apply them.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from conftest import ARTICLE, CHECK, write_tree
from factcheck import pipeline, sharecard
from factcheck.options import BuildOptions

REPO = Path(__file__).resolve().parent.parent
OUTPUT = Path(__file__).resolve().parent / "output"
BASE = "https://example.org/fact/checks/"
SLUG = "us-pakistan-airspace-talks"
LEAD = "airspace-negotiations"
EMBED_RULE = "/:slug/:claim/embed/*"
ICON, TOUCH_ICON = "favicon.png", "apple-touch-icon.png"

ARABIC_ARTICLE = """\
---
title: التحقق من خطاب المتحدث
published: 2024-03-01
lang: ar
lead: river-length
summary: تحققنا من ادعاء واحد في الخطاب.
---
قال المتحدث إن [طول النهر عشرة أميال]{claim=river-length} خلال التجمع.
"""
ARABIC_CHECK = (
    CHECK.replace("claim: The river is ten miles long", "claim: طول النهر عشرة أميال")
    .replace("claimant: The speaker", "claimant: المتحدث باسم البلدية")
    .replace("summary: The river is four miles long.", "summary: طول النهر أربعة أميال.")
)
ARABIC_SITE = "title: مكتب التحقق\nlanguage: ar\npublisher:\n  name: مكتب التحقق\n"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def meta(page: BeautifulSoup, key: str) -> str | None:
    """The content of a <meta property=...> (Open Graph) or <meta name=...> (Twitter)."""
    found = page.find("meta", attrs={"property": key}) or page.find("meta", attrs={"name": key})
    return found["content"] if found else None


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example, built once with a base URL (cards drawn) and once without."""
    src = tmp_path_factory.mktemp("example-src")
    for name in ("content", "checks"):
        shutil.copytree(REPO / name, src / name)
    shutil.copy(REPO / "site.yaml", src / "site.yaml")
    out = tmp_path_factory.mktemp("example-out")
    pipeline.build(src, out / "based", BuildOptions(base_url=BASE))
    pipeline.build(src, out / "plain", BuildOptions())
    return out


def claim_pages(site: Path) -> list[Path]:
    return sorted(p for p in (site / SLUG).glob("*/index.html"))


# --- 1. the verdict above the fold -------------------------------------------------------


def test_the_lead_claim_comes_first_with_a_large_verdict(example):
    page = soup(example / "plain" / SLUG / "index.html")
    header = page.find("header", class_="article-header")
    lead = header.find("section", class_="lead-check")
    assert lead is not None, "the example's lead claim is not shown"
    assert "chip-large" in lead.find(class_="chip")["class"]
    check = (REPO / "checks" / f"{LEAD}.yaml").read_text()
    assert lead.find(class_="lead-claim").get_text() in check
    assert lead.find("a", href=f"{LEAD}/index.html")  # the full check
    assert page.find(id=f"claim-{LEAD}") and lead.find("a", href=f"#claim-{LEAD}")
    parts = [e["class"][0] for e in header.find_all(class_=["glance", "lede", "lead-check"])]
    assert parts == ["lead-check", "lede"]  # the tally follows the header
    assert page.find("section", class_="glance").find_previous("section") is lead


def test_without_a_lead_the_tally_comes_before_the_summary(make_site, tmp_path):
    src = make_site()
    pipeline.build(src, tmp_path / "out")
    header = soup(tmp_path / "out" / "demo" / "index.html").find(class_="article-header")
    parts = [e["class"][0] for e in header.find_all(class_=["glance", "lede", "lead-check"])]
    assert parts == ["glance", "lede"]


@pytest.mark.parametrize(
    ("lead", "hint"),
    [
        ("river-lenght", "did you mean 'river-length'?"),
        ("other-claim", "mark it in the text, [the words as published]{claim=other-claim}"),
    ],
)
def test_a_lead_the_article_does_not_mark_is_an_error_on_its_line(make_site, run, lead, hint):
    article = ARTICLE.replace("published: 2024-03-01\n", f"published: 2024-03-01\nlead: {lead}\n")
    src = make_site({"content/demo.md": article})
    status, _, err = run("check", "--src", src)
    assert status == 1
    assert err[0].startswith(f"content/demo.md:4:7: error: the lead '{lead}' is not a claim")
    assert hint in err[0]


def test_a_lead_marked_only_by_another_article_is_an_error(make_site, run):
    other = "---\ntitle: Other\npublished: 2024-04-01\nlead: river-length\n---\nNo marks here.\n"
    src = make_site({"content/other.md": other})
    status, _, err = run("check", "--src", src)
    assert status == 1 and err[0].startswith("content/other.md:4:7: error: the lead")


# --- 2. share cards, their tags, the favicon ---------------------------------------------


def test_every_page_has_open_graph_and_twitter_tags_with_absolute_urls(example):
    site = example / "based"
    pages = [p for p in site.rglob("*.html") if "embed" not in p.parts and p.name != "404.html"]
    assert len(pages) >= 15
    for path in pages:
        page = soup(path)
        canonical = page.find("link", rel="canonical")["href"]
        assert meta(page, "og:url") == canonical and canonical.startswith(BASE), path
        for key in ("og:title", "og:type", "og:site_name", "og:locale"):
            assert meta(page, key), f"{path}: no {key}"
        assert meta(page, "og:site_name") == "Example Fact Desk"
        assert meta(page, "twitter:card") == "summary_large_image"


def test_the_shared_description_is_cut_at_a_word_to_200_characters(example):
    """X reads at most 200 characters of a description, and a card shows about that much;
    the page's own description, for search engines, stays whole."""
    article = soup(example / "based" / SLUG / "index.html")
    whole, shared = meta(article, "description"), meta(article, "og:description")
    assert len(whole) > 200 and len(shared) <= 200 and shared.endswith("…")
    assert whole.startswith(shared.removesuffix("…")) and whole[len(shared) - 1] == " "
    claims = [soup(path) for path in claim_pages(example / "based")]
    short = [c for c in claims if len(meta(c, "description")) <= 200]
    assert short and all(meta(c, "og:description") == meta(c, "description") for c in short)


def test_a_claim_page_names_its_card_with_size_and_alt(example):
    site = example / "based"
    for path in claim_pages(site):
        page = soup(path)
        image = meta(page, "og:image")
        assert image == urljoin(meta(page, "og:url"), "share.png"), path
        assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")
        claim = page.find("h1").get_text()
        assert claim in meta(page, "og:image:alt") and claim in meta(page, "twitter:image:alt")
        assert meta(page, "og:type") == "article"
        local = site / urlsplit(image).path.removeprefix(urlsplit(BASE).path)
        assert png_size(local.read_bytes()) == (1200, 630)


def test_an_article_shares_its_lead_claims_card(example):
    page = soup(example / "based" / SLUG / "index.html")
    assert meta(page, "og:image") == f"{BASE}{SLUG}/{LEAD}/share.png"
    assert meta(page, "og:type") == "article"
    assert meta(soup(example / "based" / "index.html"), "og:type") == "website"


def test_without_a_base_url_what_needs_an_absolute_url_is_left_out(example):
    site = example / "plain"
    assert not list(site.rglob("share.png"))
    for path in [site / "index.html", site / SLUG / "index.html", *claim_pages(site)]:
        page = soup(path)
        assert meta(page, "og:url") is None and meta(page, "og:image") is None
        assert meta(page, "og:title") and meta(page, "twitter:card")


def test_share_images_false_draws_no_cards(make_site, tmp_path):
    src = make_site({"site.yaml": "share_images: false\n"})
    pipeline.build(src, tmp_path / "out", BuildOptions(base_url=BASE))
    assert not list((tmp_path / "out").rglob("share.png"))
    page = soup(tmp_path / "out" / "demo" / "river-length" / "index.html")
    assert meta(page, "og:url") and meta(page, "og:image") is None


def test_the_favicon_is_written_and_linked_from_every_page(example):
    for site in (example / "plain", example / "based"):
        assert png_size((site / "favicon.png").read_bytes()) == (32, 32)
        assert png_size((site / "apple-touch-icon.png").read_bytes()) == (180, 180)
        for path in site.rglob("*.html"):
            if "embed" in path.parts:
                continue
            page = soup(path)
            for rel, name in (
                ("icon", "favicon.png"),
                ("apple-touch-icon", "apple-touch-icon.png"),
            ):
                href = page.find("link", rel=rel)["href"]
                if href.startswith("https:"):  # the 404 page's links are absolute
                    assert href == BASE + name
                else:
                    assert (path.parent / href).resolve() == (site / name).resolve(), path


def test_an_arabic_claims_card_is_drawn_right_to_left(tmp_path):
    """The card of an Arabic claim, built as a site builds it; the picture is written to
    tests/output/ for a person to look at."""
    src = write_tree(
        tmp_path / "src",
        {
            "site.yaml": ARABIC_SITE,
            "content/demo.md": ARABIC_ARTICLE,
            "checks/river-length.yaml": ARABIC_CHECK,
        },
    )
    pipeline.build(src, tmp_path / "out", BuildOptions(base_url=BASE))
    data = (tmp_path / "out" / "demo" / "river-length" / "share.png").read_bytes()
    assert png_size(data) == (1200, 630)
    with Image.open(io.BytesIO(data)) as image:
        left, right = image.crop((0, 150, 600, 420)), image.crop((600, 150, 1200, 420))
        ink = [sum(part.convert("L").histogram()[:128]) for part in (left, right)]
    assert ink[1] > 1000 and ink[1] > 5 * ink[0], "the claim should start at the right margin"
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "share-card-ar-built.png").write_bytes(data)
    page = soup(tmp_path / "out" / "demo" / "river-length" / "index.html")
    assert meta(page, "og:locale") == "ar" and page.html["dir"] == "rtl"


def draws(monkeypatch) -> list[str]:
    """Record the claim of every card drawn from now on."""
    drawn: list[str] = []
    draw = sharecard.draw

    def counted(card: sharecard.Card, *args, **kwargs) -> bytes:
        drawn.append(card.claim)
        return draw(card, *args, **kwargs)

    monkeypatch.setattr(sharecard, "draw", counted)
    return drawn


def test_a_rebuild_draws_only_the_cards_whose_content_changed(make_site, tmp_path, monkeypatch):
    second = CHECK.replace("ten miles", "twelve miles")
    article = ARTICLE + "\nAnd [the other one]{claim=second}.\n"
    src = make_site({"content/demo.md": article, "checks/second.yaml": second})
    out, options = tmp_path / "out", BuildOptions(base_url=BASE, jobs=1)
    drawn = draws(monkeypatch)
    pipeline.build(src, out, options)
    assert len(drawn) == 2
    edits = [
        ("checks/second.yaml", "four miles long.", "four miles long, surveyors say.", 0),
        ("checks/second.yaml", "River survey", "The river survey", 0),
        ("site.yaml", None, "about: Who we are.\n", 0),
        ("checks/second.yaml", "twelve miles", "eleven miles", 1),
        ("checks/river-length.yaml", "verdict: false", "verdict: mostly-false", 1),
        ("site.yaml", None, "about: Who we are.\ntitle: Desk\n", 2),
    ]
    for name, old, new, expected in edits:
        path = src / name
        text = path.read_text() if path.exists() else ""
        path.write_text(new if old is None else text.replace(old, new))
        drawn.clear()
        pipeline.build(src, out, options)
        assert len(drawn) == expected, f"{name}: {new!r} drew {drawn}"
    drawn.clear()
    pipeline.build(src, out, BuildOptions(base_url="https://other.example/", jobs=1))
    assert drawn == [], "a new base URL changes no card"


def test_a_machine_that_cannot_draw_the_cards_says_so_on_site_yaml(make_site, run, tmp_path):
    """Chinese text cannot be laid out yet: the build stops before drawing anything."""
    article = ARTICLE.replace("published: 2024-03-01\n", "published: 2024-03-01\nlang: zh\n")
    site = "title: Desk\nbase_url: https://example.org/\nshare_images: true\n"
    src = make_site({"content/demo.md": article, "site.yaml": site})
    status, _, err = run("build", "--src", src, "--out", tmp_path / "out")
    errors = [line for line in err if ": error: " in line]
    assert status == 1 and len(errors) == 1
    assert errors[0].startswith("site.yaml:3:1: error: share cards cannot lay out Chinese")
    assert "share_images: false" in errors[0]
    assert not (tmp_path / "out").exists()
    write_tree(src, {"site.yaml": site.replace("true", "false")})
    status, _, err = run("build", "--src", src, "--out", tmp_path / "out")
    assert status == 0, err


# --- 3. embeds -----------------------------------------------------------------------------


def test_every_claim_has_a_small_self_contained_embed(example):
    site = example / "based"
    for claim in claim_pages(site):
        path = claim.parent / "embed" / "index.html"
        page = soup(path)
        assert not page.find("script"), path
        sheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
        names = sorted(re.sub(r"\.[0-9a-f]{10}\.css$", ".css", s.split("/")[-1]) for s in sheets)
        assert names == ["embed.css", "verdicts.css"]
        assert all((path.parent / s).resolve().is_file() for s in sheets)
        assert meta(page, "robots") == "noindex"
        assert page.find(class_="chip") and page.find("h1").get_text() == soup(claim).h1.get_text()
        link = page.find("a", href="../index.html")
        assert link["target"] == "_top"
        assert path.stat().st_size < 4096


def test_the_claim_page_offers_the_iframe_code_with_the_absolute_url(example):
    claim = example / "based" / SLUG / LEAD / "index.html"
    code = soup(claim).find("textarea", id="embed-code")
    assert code.has_attr("readonly") and soup(claim).find("label", attrs={"for": "embed-code"})
    iframe = BeautifulSoup(code.get_text(), "html.parser").find("iframe")
    assert iframe["src"] == f"{BASE}{SLUG}/{LEAD}/embed/"
    assert iframe["title"] == "Fact check: " + soup(claim).h1.get_text()


def test_the_iframe_code_keeps_quotes_in_a_claim_intact(make_site, tmp_path):
    check = CHECK.replace(
        "claim: The river is ten miles long", "claim: 'The \"long\" river & <co>'"
    )
    pipeline.build(
        make_site({"checks/river-length.yaml": check}),
        tmp_path / "out",
        BuildOptions(base_url=BASE),
    )
    page = soup(tmp_path / "out" / "demo" / "river-length" / "index.html")
    iframe = BeautifulSoup(page.find("textarea").get_text(), "html.parser").find("iframe")
    assert iframe["title"] == 'Fact check: The "long" river & <co>'


def test_without_a_base_url_the_claim_page_explains_embeds_need_one(example):
    page = soup(example / "plain" / SLUG / LEAD / "index.html")
    section = page.find("section", class_="embed-share")
    assert section.find("textarea") is None
    assert "base_url" in section.get_text()
    assert section.find("a", href="embed/index.html")


def rules(site: Path) -> dict[str, dict[str, str]]:
    """The _headers file: path pattern -> {header: value}."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in (site / "_headers").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            current = found.setdefault(line.strip(), {})
        else:
            name, _, value = line.strip().partition(":")
            current[name] = value.strip()
    return found


def matches(pattern: str, path: str) -> bool:
    """Cloudflare Pages' and Netlify's matching: `*` anything, `:name` one path segment."""
    regex = "".join(
        ".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
        for part in re.split(r"(\*|:[a-z]+)", pattern)
    )
    return re.fullmatch(regex, path) is not None


def headers_for(site: Path, path: str) -> dict[str, list[str]]:
    """Every value each header gets on `path`: the hosts apply every matching rule."""
    found: dict[str, list[str]] = {}
    for pattern, headers in rules(site).items():
        if matches(pattern, path):
            for name, value in headers.items():
                found.setdefault(name, []).append(value)
    return found


def framable(headers: dict[str, list[str]]) -> bool:
    """As browsers decide: any policy's frame-ancestors rules; else X-Frame-Options."""
    policies = [p for value in headers.get("Content-Security-Policy", []) for p in value.split(",")]
    ancestors = [d for p in policies for d in p.split(";") if d.split()[:1] == ["frame-ancestors"]]
    if ancestors:
        return all(d.split()[1:] == ["*"] for d in ancestors)
    return not headers.get("X-Frame-Options")


def test_headers_let_only_embeds_be_framed_by_other_sites(example):
    site = example / "based"
    assert EMBED_RULE in rules(site)
    embed = f"/{SLUG}/{LEAD}/embed/"
    for path in (embed, embed + "index.html"):
        headers = headers_for(site, path)
        assert framable(headers), path
        assert headers["X-Robots-Tag"] == ["noindex"]
    others = [
        "/",
        "/index.html",
        f"/{SLUG}/",
        f"/{SLUG}/{LEAD}/",
        f"/{SLUG}/{LEAD}/index.html",
        f"/{SLUG}/{LEAD}/share.png",
        "/methodology/",
        "/404.html",
        "/embed/index.html",
        f"/{SLUG}/embed/",
    ]
    for path in others:
        headers = headers_for(site, path)
        assert not framable(headers), path
        assert "X-Robots-Tag" not in headers and headers["X-Frame-Options"] == ["DENY"]
