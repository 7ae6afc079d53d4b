"""axe-core finds no violations on any page type, in light and dark, left-to-right and
right-to-left; verdict chips and highlighted claims keep WCAG AA text contrast."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser.conftest import EXAMPLE_ARTICLE

PAGES = {
    "index": "example/index.html",
    "article": EXAMPLE_ARTICLE,
    "claim": "example/us-pakistan-airspace-talks/airspace-deal-close/index.html",
    "methodology": "example/methodology/index.html",
    "about": "example/about/index.html",
    "corrections": "example/corrections/index.html",
    "claim-updated": "example/us-pakistan-airspace-talks/no-formal-agreement/index.html",
    "404": "example/404.html",
    "rtl-index": "rtl/index.html",
    "rtl-index-page-2": "rtl/page/2/index.html",
    "rtl-article": "rtl/rtl-article/index.html",
    "rtl-claim": "rtl/rtl-article/river-length/index.html",
}
SCHEMES = ["light", "dark"]
AA_NORMAL_TEXT = 4.5

# Text and background of every chip and highlighted claim, as opaque sRGB bytes: a
# one-pixel canvas turns any CSS colour (color-mix() gives color(srgb ...)) into numbers.
COLOURS = """() => {
  const ctx = document.createElement("canvas").getContext("2d", {willReadFrequently: true});
  const rgba = c => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1);
                      return [...ctx.getImageData(0, 0, 1, 1).data]; };
  const button = document.querySelector("button.chip");
  if (button) button.click();  // an open chip has its own background
  return [...document.querySelectorAll(".chip, .claim-text")].map(e => {
    const style = getComputedStyle(e);
    return {html: e.outerHTML.slice(0, 90), color: rgba(style.color),
            background: rgba(style.backgroundColor)};
  });
}"""


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(sites, new_page, axe, name, scheme):
    page = new_page(scheme=scheme)
    page.goto(sites.page(PAGES[name]))
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def luminance(rgb: list[int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: list[int], two: list[int]) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", ["methodology", "article"])
def test_verdict_chips_and_highlights_meet_contrast(sites, new_page, name, scheme):
    """The methodology page shows every verdict of the scale; the article every state."""
    page = new_page(scheme=scheme)
    page.goto(sites.page(PAGES[name]))
    found = page.evaluate(COLOURS)
    assert len(found) >= 6
    low = [
        (f["html"], round(contrast(f["color"], f["background"]), 2))
        for f in found
        if f["background"][3] != 255 or contrast(f["color"], f["background"]) < AA_NORMAL_TEXT
    ]
    assert not low, f"below {AA_NORMAL_TEXT}:1 (or see-through background): {low}"
