"""Reach in Chromium: a verdict on a phone's first screen, share tags and cards as a
crawler finds them, and the embed card framed by a page of another origin.

The example is built with a base URL and served at the root of http://127.0.0.1:<port>
with the headers of its own `_headers` file, applied as Netlify and Cloudflare Pages
apply them (every matching rule; two values of one header joined). The page that frames
the embed is served from http://localhost:<other port>, another origin.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from test_reach import ARABIC_ARTICLE, ARABIC_CHECK, ARABIC_SITE, headers_for

from bench.page_weight import QuietHandler
from browser.conftest import EXAMPLE_ARTICLE, SCREENSHOTS
from browser.test_browser_valid_html import VNU_JAR
from conftest import require, write_tree
from factcheck import pipeline
from factcheck.options import BuildOptions

REPO = Path(__file__).resolve().parent.parent.parent
BASE = "https://example.org/checks/"
SLUG = "us-pakistan-airspace-talks"
LEAD = "airspace-negotiations"
PHONE = {"width": 375, "height": 812}
ARTICLE = f"{SLUG}/index.html"
CLAIM = f"{SLUG}/{LEAD}/index.html"
EMBED = f"{SLUG}/{LEAD}/embed/index.html"

META = """() => Object.fromEntries([...document.querySelectorAll(
  'meta[property^="og:"], meta[name^="twitter:"]')].map(m => [m.getAttribute("property") || m.name,
  m.content]))"""


@contextlib.contextmanager
def serve(folder: Path, host: str, headers: bool) -> Iterator[str]:
    """`folder` at http://<host>:<free port>/, with its `_headers` applied when asked."""

    class Handler(QuietHandler):
        def end_headers(self) -> None:
            if headers:
                for name, values in headers_for(folder, urlsplit(self.path).path).items():
                    self.send_header(name, ", ".join(values))
            super().end_headers()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[Path, str]]:
    """The example built with a base URL, served with its headers: (folder, URL)."""
    src = tmp_path_factory.mktemp("reach-src")
    for name in ("content", "checks"):
        shutil.copytree(REPO / name, src / name)
    shutil.copy(REPO / "site.yaml", src / "site.yaml")
    out = tmp_path_factory.mktemp("reach") / "site"
    pipeline.build(src, out, BuildOptions(base_url=BASE))
    with serve(out, "127.0.0.1", headers=True) as url:
        yield out, url


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> Iterator[str]:
    """An Arabic site (its claim the lead of its article) built with a base URL, served."""
    src = write_tree(
        tmp_path_factory.mktemp("arabic-src"),
        {
            "site.yaml": ARABIC_SITE,
            "content/demo.md": ARABIC_ARTICLE,
            "checks/river-length.yaml": ARABIC_CHECK,
        },
    )
    out = tmp_path_factory.mktemp("arabic") / "site"
    pipeline.build(src, out, BuildOptions(base_url=BASE))
    with serve(out, "127.0.0.1", headers=True) as url:
        yield url


@pytest.fixture(scope="module")
def framing(site, tmp_path_factory) -> Iterator[str]:
    """A page on another origin (localhost) framing the embed and, to be refused, the
    claim page itself; its URL."""
    _, url = site
    folder = tmp_path_factory.mktemp("other-origin")
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><title>Another site</title>'
        "<h1>A news story on another site</h1>"
        f'<iframe id="embed" src="{url}{SLUG}/{LEAD}/embed/" title="Fact check" width="560" '
        'height="360" style="border:0"></iframe>'
        f'<iframe id="page" src="{url}{CLAIM}" title="Claim page" width="560" height="200">'
        "</iframe></html>",
        "utf-8",
    )
    with serve(folder, "localhost", headers=False) as other:
        yield other


# --- the verdict above the fold --------------------------------------------------------------


def first_screen_verdict(page, selector: str) -> dict:
    page.set_viewport_size(PHONE)
    chip = page.locator(selector).first
    assert chip.is_visible()
    box = chip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    return box


def test_a_phones_first_screen_shows_the_lead_verdict(site, sites, new_page):
    _, url = site
    page = new_page(width=PHONE["width"], touch=True)
    for address in (url + ARTICLE, sites.page(EXAMPLE_ARTICLE)):
        page.goto(address)
        first_screen_verdict(page, ".lead-check .chip")
        assert page.locator(".lead-check .lead-claim").bounding_box()["y"] < PHONE["height"]
        edge = page.locator(".lead-check").evaluate(
            "e => getComputedStyle(e).borderInlineStartWidth"
        )
        assert edge == "6px"  # the verdict panel's edge, in the verdict's colour


def test_without_a_lead_the_first_screen_shows_the_tally(sites, new_page):
    page = new_page(width=PHONE["width"], touch=True)
    page.goto(sites.page("rtl/rtl-article/index.html"))  # an Arabic article without a lead
    assert page.locator(".lead-check").count() == 0
    first_screen_verdict(page, ".glance .chip")


# --- share cards -------------------------------------------------------------------------------


def test_share_tags_are_present_and_absolute(site, new_page):
    _, url = site
    page = new_page()
    for path, image in ((CLAIM, f"{SLUG}/{LEAD}/share.png"), (ARTICLE, f"{SLUG}/{LEAD}/share.png")):
        page.goto(url + path)
        tags = page.evaluate(META)
        for key in ("og:title", "og:description", "og:site_name", "og:locale", "og:type"):
            assert tags.get(key), f"{path}: no {key}"
        assert tags["og:url"] == page.locator("link[rel=canonical]").get_attribute("href")
        assert tags["og:url"].startswith(BASE) and tags["og:image"] == BASE + image
        assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
        assert tags["og:image:alt"] and tags["twitter:card"] == "summary_large_image"
    page.goto(url + "index.html")
    tags = page.evaluate(META)
    assert tags["og:url"] == BASE and "og:image" not in tags


def test_the_share_card_is_a_1200_by_630_png(site, new_page):
    _, url = site
    page = new_page()
    response = page.goto(url + f"{SLUG}/{LEAD}/share.png")
    assert response.headers["content-type"] == "image/png"
    size = page.evaluate(
        "() => [document.images[0].naturalWidth, document.images[0].naturalHeight]"
    )
    assert size == [1200, 630]


def test_an_arabic_claims_card_as_a_network_fetches_it(arabic, new_page):
    """The Arabic claim page's `og:image`, loaded in Chromium as the PNG it is: 1200 x 630,
    its claim set from the right margin. The picture Chromium shows is written to
    tests/output/screenshots/share-card-ar.png for a person to look at."""
    page = new_page()
    for path in ("demo/river-length/index.html", "demo/index.html"):  # the claim; its article
        page.goto(arabic + path)
        tags = page.evaluate(META)
        assert (
            tags["og:locale"] == "ar" and tags["og:image"] == BASE + "demo/river-length/share.png"
        )
        assert "طول النهر عشرة أميال" in tags["og:image:alt"]
    response = page.goto(arabic + tags["og:image"].removeprefix(BASE))
    assert response.headers["content-type"] == "image/png"
    image = page.locator("img")
    size = image.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert size == [1200, 630]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shown = image.screenshot(path=SCREENSHOTS / "share-card-ar.png")
    with Image.open(io.BytesIO(shown)) as picture:
        assert picture.size == (1200, 630)
        halves = picture.crop((0, 150, 600, 420)), picture.crop((600, 150, 1200, 420))
        ink = [sum(half.convert("L").histogram()[:128]) for half in halves]
    assert ink[1] > 1000 and ink[1] > 5 * ink[0], "the claim should start at the right margin"


def test_every_page_links_a_favicon_that_loads(site, new_page):
    _, url = site
    page = new_page()
    for path in (ARTICLE, CLAIM, "index.html", "methodology/index.html"):
        page.goto(url + path)
        for rel, size in (("icon", 32), ("apple-touch-icon", 180)):
            href = page.evaluate(f"() => document.querySelector('link[rel=\"{rel}\"]').href")
            loaded = page.evaluate(
                "href => new Promise(done => { const i = new Image();"
                " i.onload = () => done([i.naturalWidth, i.naturalHeight]);"
                " i.onerror = () => done(null); i.src = href; })",
                href,
            )
            assert loaded == [size, size], f"{path}: {rel} {href}"


# --- embeds ----------------------------------------------------------------------------------


def test_the_embed_renders_in_a_frame_on_another_origin(site, framing, new_page):
    _, url = site
    page = new_page()
    console, requests = [], []
    page.on("console", lambda message: console.append(message.text))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(framing + "index.html")
    assert urlsplit(page.url).netloc != urlsplit(url).netloc  # two origins
    frame = page.frame_locator("#embed")
    claim = frame.locator("h1")
    claim.wait_for()
    assert claim.inner_text() == claim_text(site)
    assert frame.locator(".chip").inner_text().strip().endswith("True")
    outer, inner = page.locator("#embed").bounding_box(), claim.bounding_box()
    assert outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
    assert outer["y"] <= inner["y"] and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    radius = frame.locator(".chip").evaluate("e => getComputedStyle(e).borderTopLeftRadius")
    assert radius != "0px", "the embed's own style sheet did not load"
    ours = [r for r in requests if urlsplit(r).netloc == urlsplit(url).netloc]
    assert ours and not [r for r in ours if r.endswith(".js")]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#embed").screenshot(path=SCREENSHOTS / "embed-in-another-site.png")
    # The claim page itself refuses to be framed by another site.
    assert not [f for f in page.frames if f.url == url + CLAIM and f.locator("h1").count()]
    assert any("X-Frame-Options" in text for text in console), console
    # The card's link opens the full check in the top window.
    frame.locator("a", has_text="Read the full fact check").click()
    page.wait_for_url(url + CLAIM)
    assert page.locator("h1").inner_text() == claim_text(site)


def claim_text(site: tuple[Path, str]) -> str:
    html = (site[0] / CLAIM).read_text("utf-8")
    return html.split('<h1 id="claim-title" class="claim-statement">')[1].split("</h1>")[0]


AXE_PAGES = {"embed": EMBED, "article": ARTICLE, "claim": CLAIM}


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_violations_on_the_pages_with_reach(site, new_page, axe, name, scheme):
    _, url = site
    page = new_page(scheme=scheme)
    page.goto(url + AXE_PAGES[name])
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_axe_finds_no_violations_on_a_right_to_left_embed(sites, new_page, axe):
    page = new_page(width=PHONE["width"])
    page.goto(sites.page("rtl/rtl-article/river-length/embed/index.html"))
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_nu_checker_finds_no_errors(site, sites):
    require(shutil.which("java") is not None, "Java is not installed (make system-deps)")
    out, _ = site
    pages = [out / p for p in AXE_PAGES.values()]
    pages.append(sites.root / "rtl/rtl-article/river-length/embed/index.html")
    checked = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [f"{m['url']}:{m.get('lastLine', 0)}: {m['message']}" for m in messages]
    assert not errors, "\n".join(errors)
