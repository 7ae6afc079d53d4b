"""Claimant and topic pages in Chromium: a claimant's tally agrees with the checks it
lists, and axe-core and the Nu HTML Checker find nothing on any of the four page types,
paged, in both colour schemes and with right-to-left names."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from bench.page_weight import serve
from browser.test_browser_valid_html import VNU_JAR
from conftest import require, write_tree
from factcheck.options import BuildOptions
from factcheck.pipeline import build

VERDICTS = ["false", "true", "false", "mostly-true", "unproven", "false", "half-true"]
CHECKS = {
    f"checks/c{n}.yaml": (
        f"claim: Claim number {n}\nclaimant: Shah Mahmood Qureshi\nclaimant_type: person\n"
        f"verdict: {verdict}\nsummary: Found.\nsources:\n  - title: Record\n"
        f"    url: https://example.org/{n}\nchecked_on: 2024-01-{n + 1:02}\n"
        f"topics: [Foreign policy, {'التجارة' if n % 3 == 0 else 'Trade'}]\n"
    )
    for n, verdict in enumerate(VERDICTS)
}
ARABIC_CHECK = (
    "claim: طول النهر عشرة أميال\nclaimant: وزارة الخارجية\nverdict: false\n"
    "summary: أربعة أميال.\nsources:\n  - title: مسح\n    url: https://example.org/ar\n"
    "checked_on: 2024-02-01\ntopics: [التجارة]\n"
)
ARTICLES = {
    "content/story.md": "---\ntitle: The story\npublished: 2024-02-02\ntopics: [Trade]\n---\n"
    + " ".join(f"Said [claim {n}]{{claim=c{n}}}." for n in range(len(VERDICTS)))
    + "\n",
    "content/qissa.md": "---\ntitle: القصة\npublished: 2024-02-03\nlang: ar\n---\n"
    "قال [طول النهر]{claim=ar}.\n",
}
PAGES = [
    "claimants/index.html",
    "claimants/shah-mahmood-qureshi/index.html",
    "claimants/shah-mahmood-qureshi/page/2/index.html",
    "claimants/wzrh-lkhrjyh/index.html",
    "topics/index.html",
    "topics/trade/index.html",
    "topics/trade/page/2/index.html",
    "topics/ltjrh/index.html",
]


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """A site whose claimant and topic pages run to a second page, served."""
    src = write_tree(
        tmp_path_factory.mktemp("claimants-src"),
        {**CHECKS, "checks/ar.yaml": ARABIC_CHECK, **ARTICLES},
    )
    out = tmp_path_factory.mktemp("claimants-out")
    build(src, out, BuildOptions(page_size=4))
    with serve(out) as url:
        yield out, url


def test_the_pages_exist(listed):
    out, _ = listed
    for path in PAGES:
        assert (out / path).is_file(), path


def test_a_claimant_tally_counts_the_checks_listed(listed, new_page):
    """Read as a reader sees it: the chips' numbers against the verdicts of every row."""
    _, url = listed
    page = new_page()
    shown: dict[str, int] = {}
    page.goto(url + PAGES[1])
    tally = {
        chip.inner_text().split(maxsplit=1)[1]: int(chip.inner_text().split()[0])
        for chip in page.locator(".scorecard .chip").all()
    }
    assert page.locator(".scorecard-caveat").is_visible()
    for path in PAGES[1:3]:
        page.goto(url + path)
        for chip in page.locator(".listed-check .chip").all():
            label = chip.inner_text().split(":", 1)[-1].strip()
            shown[label] = shown.get(label, 0) + 1
    assert tally == shown
    assert shown == {"True": 1, "Mostly true": 1, "Half true": 1, "False": 3, "Unproven": 1}
    assert list(tally) == ["True", "Mostly true", "Half true", "False", "Unproven"]
    # The second page has no tally of its own: its link leads to the first page's.
    page.goto(url + PAGES[2])
    assert page.locator(".scorecard").count() == 0
    page.locator(".scorecard-link a").click()
    page.wait_for_url("**/shah-mahmood-qureshi/index.html#scorecard-title")
    assert page.locator("#scorecard-title").is_visible()


SHEETS = "() => [...document.styleSheets].map(sheet => sheet.href.split('/').pop())"


def test_the_list_pages_load_their_own_style_sheet_and_no_other_page_does(listed, new_page):
    """lists.css holds what only these four page types use, so other pages stay lighter."""
    _, url = listed
    page = new_page()
    for path in PAGES:
        page.goto(url + path)
        assert any(name.startswith("lists.") for name in page.evaluate(SHEETS)), path
    page.goto(url + PAGES[1])
    radius = page.locator(".scorecard").evaluate("e => getComputedStyle(e).borderTopLeftRadius")
    assert radius == "8px"
    page.goto(url + PAGES[0])
    bullets = page.locator(".name-list").first.evaluate("e => getComputedStyle(e).listStyleType")
    assert bullets == "none"
    for path in ("index.html", "story/index.html", "story/c0/index.html", "search/index.html"):
        page.goto(url + path)
        assert not [name for name in page.evaluate(SHEETS) if name.startswith("lists.")], path


def test_names_and_links_work_at_phone_width(listed, new_page):
    _, url = listed
    page = new_page(width=320, touch=True)
    page.goto(url + "claimants/index.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("link", name="Shah Mahmood Qureshi").click()
    assert page.locator("h1").inner_text() == "Shah Mahmood Qureshi"
    page.get_by_role("link", name="Older claims").click()
    assert page.url.endswith("claimants/shah-mahmood-qureshi/page/2/index.html")
    page.locator(".listed-claim a").first.click()
    assert page.locator(".claim-by a").inner_text() == "Shah Mahmood Qureshi"
    page.get_by_role("link", name="Trade", exact=True).click()
    assert page.locator("h1").inner_text() == "Trade"


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violations(listed, new_page, axe, path, scheme):
    _, url = listed
    page = new_page(scheme=scheme)
    page.goto(url + path)
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_every_page_is_valid_html(listed):
    require(shutil.which("java") is not None, "Java is not installed (make system-deps)")
    out, _ = listed
    pages = sorted(
        str(p) for folder in ("claimants", "topics") for p in out.glob(f"{folder}/**/*.html")
    )
    assert {str(out / p) for p in PAGES} <= set(pages)
    checked = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *pages],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [f"{Path(m['url']).name}:{m.get('lastLine', 0)}: {m['message']}" for m in messages]
    assert not errors, "\n".join(errors)
