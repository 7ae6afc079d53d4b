"""Screenshots of the example article for a person to look at, in tests/output/screenshots/:
phone and desktop, light and dark, with the first claim's note open."""

from __future__ import annotations

import pytest

from browser.conftest import EXAMPLE_ARTICLE, SCREENSHOTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_article_screenshot(sites, new_page, width, scheme):
    page = new_page(width=width, scheme=scheme)
    page.goto(sites.page(EXAMPLE_ARTICLE))
    page.locator("button.chip").first.click()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"article-{width}px-{scheme}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=path, full_page=True)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 20_000
    assert int.from_bytes(data[16:20], "big") == width  # the PNG's own width in pixels
