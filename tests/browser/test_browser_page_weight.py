"""The example article with everything it loads stays within the page-weight budget and
asks no other host for anything, as Chromium's network log shows (bench/page_weight.py)."""

from __future__ import annotations

from bench.page_weight import BUDGET_BYTES, measure, report
from browser.conftest import EXAMPLE_ARTICLE


def test_article_page_weight_is_within_budget(sites, new_page):
    weight = measure(new_page(), sites.page(EXAMPLE_ARTICLE))
    print(report(weight))
    assert any(url.endswith(".css") for url in weight.sizes)
    assert any(url.endswith(".js") for url in weight.sizes)
    assert weight.other_hosts == []
    assert weight.total <= BUDGET_BYTES, report(weight)
