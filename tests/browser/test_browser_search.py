"""The search page in Chromium, on nginx under a sub-path with the site's own headers
(its Content-Security-Policy included): a word finds its checks in every language, the
verdict and language filters narrow them, and a result opens its page. Opened from disk
the page says that search needs a server. axe and the Nu HTML Checker find nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from test_hosting import NGINX, RECORD_VIOLATIONS, SUB_PATH, Server, free_port, start_nginx

import build
from browser.test_browser_valid_html import VNU_JAR
from conftest import require, write_tree
from factcheck.features import search

SEARCH_PAGE = "search/index.html"
QUERY = "pagefind-input input"
RESULTS = ".search-result"


def check(claim: str, claimant: str, verdict: str, summary: str) -> str:
    return (
        f"claim: {claim}\nclaimant: {claimant}\nverdict: {verdict}\nsummary: {summary}\n"
        "sources:\n  - title: Record\n    url: https://example.org/record\n"
        "checked_on: 2024-03-01\n"
    )


SOURCES = {
    "content/talks.md": (
        "---\ntitle: Checking the airspace talks\npublished: 2024-03-01\n"
        "topics: [Pakistan]\nsummary: We checked three claims about the talks.\n---\n"
        "Reports said [a deal was close]{claim=deal-close}, that [talks were held]"
        "{claim=talks-held} and that [flights would resume]{claim=flights-resume}.\n"
    ),
    "content/acuerdo.md": (
        "---\ntitle: Comprobamos el acuerdo\npublished: 2024-04-01\nlang: es\n---\n"
        "El ministro dijo que [el acuerdo estaba cerca]{claim=acuerdo-cerca}.\n"
    ),
    "checks/deal-close.yaml": check(
        "A deal with Islamabad was close",
        "CNN",
        "unproven",
        "Only unnamed sources said a deal with Islamabad was close.",
    ),
    "checks/talks-held.yaml": check(
        "Talks with Islamabad were held",
        "The New Arab",
        "true",
        "Both governments confirmed talks with Islamabad on the record.",
    ),
    "checks/flights-resume.yaml": check(
        "Flights to Kabul would resume",
        "The New Arab",
        "mostly-false",
        "No deal set when flights would resume; Islamabad said nothing of it.",
    ),
    "checks/acuerdo-cerca.yaml": check(
        "El acuerdo con Islamabad estaba cerca",
        "El ministro",
        "false",
        "Ningún gobierno confirmó un acuerdo con Islamabad.",
    ),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Server]:
    """The two-language site built for, and served by nginx at, a sub-path; its English
    pages in two bundles, so the page merges three."""
    require(NGINX.exists(), f"nginx is not installed at {NGINX} (make system-deps)")
    folder = tmp_path_factory.mktemp("search-nginx")
    src = write_tree(folder / "src", SOURCES)
    port = free_port()
    url = f"http://127.0.0.1:{port}{SUB_PATH}"
    site = folder / "site"
    size, search.SHARD_SIZE = search.SHARD_SIZE, 2  # English in two bundles, merged too
    try:
        assert build.main(["build", "--src", str(src), "--out", str(site), "--base-url", url]) == 0
    finally:
        search.SHARD_SIZE = size
    process = start_nginx(folder, site, port, SUB_PATH)
    try:
        yield Server(site, url)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def search_page(served, new_page):
    """The search page, recording any Content-Security-Policy violation."""
    page = new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(served.url + SEARCH_PAGE)
    page.wait_for_selector(QUERY)
    return page


def search_for(page, words: str) -> list[str]:
    """Type the words as a reader would; the results' text once they are shown for them."""
    page.locator(QUERY).fill("")
    page.wait_for_function("n => document.querySelectorAll(n).length === 0", arg=RESULTS)
    page.locator(QUERY).press_sequentially(words)
    page.wait_for_function(
        """([n, words]) => document.querySelector("pagefind-summary").textContent.includes(words)
             && document.querySelectorAll(n).length > 0
             && !document.querySelector("pagefind-results ul[aria-busy=true]")""",
        arg=[RESULTS, words],
    )
    page.wait_for_timeout(300)  # later answers replace earlier ones: let the last one land
    return page.locator(RESULTS).all_inner_texts()


def choose(page, filter_name: str, value: str) -> list[str]:
    """Pick one value of a filter, as a reader does, and return the results after it."""
    before = page.locator(RESULTS).count()
    dropdown = page.locator(f"pagefind-filter-dropdown[filter={filter_name}]")
    dropdown.locator("button.pf-dropdown-trigger").click()
    dropdown.get_by_role("option", name=value).click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "([n, before]) => document.querySelectorAll(n).length !== before", arg=[RESULTS, before]
    )
    page.wait_for_timeout(300)
    return page.locator(RESULTS).all_inner_texts()


def test_a_word_finds_its_checks_and_a_verdict_filter_narrows_them(search_page, served):
    page = search_page
    found = search_for(page, "Kabul")
    assert len(found) == 1 and "Flights to Kabul would resume" in found[0]
    every = search_for(page, "Islamabad")
    assert len(every) == 4, every  # both languages' checks, merged into one list
    narrowed = choose(page, "verdict", "True, 1 result")
    assert len(narrowed) == 1
    assert "Talks with Islamabad were held" in narrowed[0]
    assert "Verdict:\nTrue" in narrowed[0] or "Verdict: True" in narrowed[0]
    link = page.locator(f"{RESULTS} a.pf-result-link").first
    assert link.get_attribute("href") == f"{SUB_PATH}talks/talks-held/index.html"
    link.click()
    page.wait_for_load_state()
    assert page.url == served.url + "talks/talks-held/index.html"
    assert "Talks with Islamabad were held" in page.title()
    assert page.evaluate("window.cspViolations") == []


def test_the_language_filter_narrows_to_one_language(search_page):
    page = search_page
    assert len(search_for(page, "Islamabad")) == 4
    spanish = choose(page, "language", "Español, 1 result")
    assert len(spanish) == 1 and "El acuerdo con Islamabad estaba cerca" in spanish[0]
    assert page.evaluate("window.cspViolations") == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_with_results_and_filters_shown(served, new_page, scheme):
    page = new_page(scheme=scheme)
    page.goto(served.url + SEARCH_PAGE)
    page.wait_for_selector(QUERY)
    search_for(page, "Islamabad")
    page.locator("pagefind-filter-dropdown[filter=verdict] button.pf-dropdown-trigger").click()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_opened_from_disk_the_page_says_search_needs_a_server(tmp_path, new_page):
    src = write_tree(tmp_path / "src", SOURCES)
    assert build.main(["build", "--src", str(src), "--out", str(tmp_path / "site")]) == 0
    page = new_page()
    page.goto((tmp_path / "site" / SEARCH_PAGE).as_uri())
    page.wait_for_load_state()
    offline = page.locator("#search-offline")
    offline.wait_for(state="visible")
    assert "needs the site to be served" in offline.inner_text()
    assert page.locator(QUERY).count() == 0
    assert page.locator("#search").is_hidden()


def test_the_page_loads_its_languages_first_bundle_and_merges_the_others(served):
    page = (served.site / SEARCH_PAGE).read_text()
    assert 'data-languages="en en es"' in page
    assert 'data-bundles="pagefind/en/0/ pagefind/en/1/ pagefind/es/0/"' in page


def test_the_search_page_is_valid_html(served):
    require(shutil.which("java") is not None, "Java is not installed (make system-deps)")
    page = served.site / SEARCH_PAGE
    checked = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--errors-only",
            str(served.site / SEARCH_PAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    assert messages == [], messages
    assert page.read_text().count("<pagefind-filter-dropdown") == 4  # every filter offered
