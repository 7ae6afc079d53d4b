"""Browser fixtures: the sites built once, served on loopback, one headless Chromium.

Debian's Chromium is driven by Playwright (no browser download). Without it the tests
skip locally with the reason, and fail in CI (CI=true), where they must never skip.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

import build
from bench.page_weight import CHROMIUM, launch, serve
from conftest import CHECK, require, write_tree
from factcheck.pipeline import build as build_site

TESTS = Path(__file__).resolve().parent.parent
HOSTILE_SOURCES = TESTS / "fixtures" / "hostile"
SCREENSHOTS = TESTS / "output" / "screenshots"
EXAMPLE_ARTICLE = "example/us-pakistan-airspace-talks/index.html"

RTL_ARTICLE = """\
---
title: التحقق من خطاب المتحدث
published: 2024-03-01
lang: ar
summary: تحققنا من ادعاء واحد في الخطاب.
---
قال المتحدث إن [طول النهر عشرة أميال]{claim=river-length} خلال التجمع.
"""
RTL_CHECK = CHECK.replace("claim: The river is ten miles long", "claim: طول النهر عشرة أميال")
EARLIER_RTL_ARTICLES = {  # enough for a second index page, with its navigation
    f"content/rtl-{n:02}.md": f"---\ntitle: مقال سابق {n}\npublished: 2023-01-{n:02}\n"
    "lang: ar\n---\nنص المقال.\n"
    for n in range(1, 31)
}


@dataclass(frozen=True)
class Sites:
    """The built sites under one served folder, and the URL it is served from."""

    root: Path
    url: str

    def page(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="package")
def sites(tmp_path_factory) -> Sites:
    """The example, a right-to-left site (two index pages) and the hostile fixture, served."""
    root = tmp_path_factory.mktemp("served")
    assert build.main(["build", "--out", str(root / "example")]) == 0
    rtl = write_tree(
        tmp_path_factory.mktemp("rtl-src"),
        {
            "content/rtl-article.md": RTL_ARTICLE,
            "checks/river-length.yaml": RTL_CHECK,
            **EARLIER_RTL_ARTICLES,
        },
    )
    build_site(rtl, root / "rtl")
    hostile = tmp_path_factory.mktemp("hostile-src") / "src"
    shutil.copytree(HOSTILE_SOURCES, hostile)
    build_site(hostile, root / "hostile")
    with serve(root) as url:
        yield Sites(root, url)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for this folder's tests, closed when they are done: Playwright's sync
    API allows one instance at a time, and other test modules start their own."""
    require(CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM} (make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def new_page(browser):
    """Open a page in a fresh context: width in CSS pixels, colour scheme, script, touch.

    Contexts last until this folder's tests end, so a module can keep a page and reuse it.
    """
    contexts = []

    def open_page(
        width: int = 1280, scheme: str = "light", javascript: bool = True, touch: bool = False
    ):
        context = browser.new_context(
            viewport={"width": width, "height": 800},
            color_scheme=scheme,
            java_script_enabled=javascript,
            has_touch=touch,
            is_mobile=touch,
            reduced_motion="reduce",
        )
        context.set_default_timeout(5000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
