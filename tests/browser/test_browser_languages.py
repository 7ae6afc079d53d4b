"""The language fixtures in Chromium: a Spanish site, an Arabic site and a bilingual
English/Urdu site have no axe violation and no Nu checker error, and the Arabic article at
375 px keeps its chips and punctuation where an Arabic reader expects them (screenshots in
tests/output/screenshots/, for a person to look at)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from bench.page_weight import serve
from browser.conftest import SCREENSHOTS
from browser.test_browser_valid_html import VNU_JAR
from conftest import require
from factcheck.pipeline import build as build_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
SITES = ("spanish", "arabic", "bilingual")
PAGES = {
    "spanish-index": "spanish/index.html",
    "spanish-article": "spanish/agua-del-rio/index.html",
    "spanish-claim": "spanish/agua-del-rio/rio-contaminado/index.html",
    "spanish-methodology": "spanish/methodology/index.html",
    "arabic-index": "arabic/index.html",
    "arabic-article": "arabic/tasrihat-alwazir/index.html",
    "arabic-claim": "arabic/tasrihat-alwazir/austin-alkongres/index.html",
    "arabic-claimant": "arabic/claimants/lloyd-austin/index.html",
    "bilingual-index": "bilingual/index.html",
    "bilingual-urdu-article": "bilingual/flood-relief-ur/index.html",
    "bilingual-urdu-claim": "bilingual/flood-relief-ur/relief-week-ur/index.html",
    "bilingual-english-claim": "bilingual/flood-relief/relief-amount/index.html",
}
ARABIC_ARTICLE = PAGES["arabic-article"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def language_sites(tmp_path_factory):
    """The three fixtures, built from copies (a build keeps its cache in its sources)."""
    root = tmp_path_factory.mktemp("languages")
    for name in SITES:
        src = root / "src" / name
        shutil.copytree(FIXTURES / name, src)
        build_site(src, root / "out" / name)
    with serve(root / "out") as url:
        yield root / "out", url


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(language_sites, new_page, axe, name):
    _, url = language_sites
    page = new_page()
    page.goto(url + PAGES[name])
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_every_page_is_valid_html(language_sites):
    require(shutil.which("java") is not None, "Java is not installed (make system-deps)")
    out, _ = language_sites
    pages = sorted(str(p) for p in out.rglob("*.html"))
    assert len(pages) >= 30
    checked = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *pages],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [f"{m['url']}:{m.get('lastLine', 0)}: {m['message']}" for m in messages]
    assert not errors, "\n".join(errors)


BOXES = """() => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const boxes = e => [...e.getClientRects()].map(
    r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom}));
  const letter = (node, at) => {
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 1);
    return {text: node.data[at], box: box(range)};
  };
  const claims = [...document.querySelectorAll(".article-body .claim")].map(claim => {
    const after = claim.nextSibling;
    return {mark: boxes(claim.querySelector("mark")), chip: box(claim.querySelector(".chip")),
            line: box(claim.closest("p")),
            after: after && after.nodeType === Node.TEXT_NODE ? letter(after, 0) : null};
  });
  const note = document.querySelector(".glance-note");
  const end = note.lastChild;
  const name = document.querySelector(".check-claimant bdi");
  return {claims, width: document.documentElement.clientWidth,
          scroll: document.documentElement.scrollWidth,
          noteLink: boxes(note.querySelector("a")), noteEnd: letter(end, end.data.length - 1),
          tally: box(document.querySelector(".lead-check .chip, .tally .chip")),
          name: name ? box(name) : null, nameLine: name ? box(name.parentElement) : null};
}"""
SLACK = 0.5
"""Sub-pixel rounding between boxes that touch."""


def on_line(boxes: list[dict], line: dict) -> list[dict]:
    """The boxes that share a line of text with `line` (they overlap it vertically)."""
    return [b for b in boxes if b["top"] < line["bottom"] and line["top"] < b["bottom"]]


def assert_left_of(later: dict, earlier: list[dict], what: str) -> None:
    """In a right-to-left line what comes later in the text is to the left of all of
    what comes before it on that line."""
    beside = on_line(earlier, later)
    assert beside, f"{what}: not on the same line"
    assert later["right"] <= min(b["left"] for b in beside) + SLACK, (what, later, beside)


def test_arabic_article_on_a_phone_keeps_chips_and_punctuation_in_place(language_sites, new_page):
    """At 375 px: nothing overflows sideways; each chip follows its claim to the left (the
    end of a right-to-left line) or starts the next line at the right; the Arabic comma or
    full stop after a claim follows its chip to the left, as does the full stop of 'all 3
    claims checked.'; the lead verdict starts at the right, and an English name in an
    Arabic line stays in one piece inside it. Screenshots are written for a person too."""
    _, url = language_sites
    page = new_page(width=375)
    page.goto(url + ARABIC_ARTICLE)
    found = page.evaluate(BOXES)
    assert found["scroll"] <= found["width"]
    assert len(found["claims"]) == 3
    for number, claim in enumerate(found["claims"], start=1):
        chip, line = claim["chip"], claim["line"]
        assert 0 <= chip["left"] < chip["right"] <= found["width"]
        if on_line(claim["mark"], chip):
            assert_left_of(chip, claim["mark"], f"chip {number}")
        else:  # the chip wrapped: it starts the next line, at the right
            assert chip["top"] >= claim["mark"][-1]["bottom"] - SLACK
            assert chip["right"] >= line["right"] - 2
        assert claim["after"]["text"] in "،."
        assert_left_of(claim["after"]["box"], [chip], f"punctuation after chip {number}")
    assert found["noteEnd"]["text"] == "."
    assert_left_of(found["noteEnd"]["box"], found["noteLink"], "full stop of the glance note")
    assert found["tally"]["right"] > found["width"] / 2  # starts at the right margin
    text = page.locator(".article-body p").first.inner_text()
    assert "،" in text and "تقترب" in text
    line, name = found["nameLine"], found["name"]
    assert line["left"] <= name["left"] < name["right"] <= line["right"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, opened in (("", False), ("-note-open", True)):
        if opened:
            page.locator("button.chip").first.click()
        path = SCREENSHOTS / f"arabic-article-375px{label}.png"
        page.screenshot(path=path, full_page=not opened)
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and int.from_bytes(data[16:20], "big") == 375


def test_the_language_switcher_leads_to_the_other_version(language_sites, new_page):
    _, url = language_sites
    page = new_page()
    page.goto(url + PAGES["bilingual-urdu-article"])
    assert page.locator("html").get_attribute("lang") == "ur"
    page.locator("nav.languages a[hreflang='en']").click()
    page.wait_for_url("**/flood-relief/index.html")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("nav.languages [aria-current='page']").inner_text() == "English"
    # A row of language names, not a bulleted list.
    items = page.locator("nav.languages li")
    tops = {round(items.nth(n).bounding_box()["y"]) for n in range(items.count())}
    assert items.count() == 2 and len(tops) == 1, tops
    assert items.first.evaluate("e => getComputedStyle(e).listStyleType") == "none"
