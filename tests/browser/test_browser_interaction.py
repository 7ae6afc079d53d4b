"""The example article in Chromium, as phone and desktop readers use it.

Every claim chip is reached with Tab, opened with Enter, Space or a tap/click, closed
with Escape, and its note shows the verdict, the summary and a link that opens the
claim's page. Without JavaScript every chip still leads to its verdict.
"""

from __future__ import annotations

import re

import pytest

from browser.conftest import EXAMPLE_ARTICLE

WIDTHS = [375, 1280]
WIDTH_IDS = [f"{w}px" for w in WIDTHS]
CHIP_BUTTONS = ".claim > button.chip"

# One round trip: a chip's state, its note as shown, and what the article's list of
# checks says the note must show.
CHIP_STATE = """b => {
  const text = e => e.innerText.replace(/\\s+/g, " ").trim();
  const note = document.getElementById(b.getAttribute("aria-controls"));
  const id = b.getAttribute("aria-controls").replace(/^note-(.+)-\\d+$/, "$1");
  const entry = document.getElementById("check-" + id);
  const box = note.getBoundingClientRect();
  return {
    expanded: b.getAttribute("aria-expanded"), focused: b === document.activeElement,
    shown: !note.hidden && box.height > 0 && getComputedStyle(note).visibility === "visible",
    note: note.hidden ? "" : text(note), left: box.left, right: box.right,
    link: note.querySelector("a.note-link").href,
    label: text(entry.querySelector(".check-verdict .chip")).replace(/^Verdict: /, ""),
    summary: text(entry.querySelector(".check-summary")),
    claim: text(entry.querySelector(".check-claim")),
  };
}"""
FOCUSED = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), controls: el.getAttribute("aria-controls"),
          outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth)};
}"""


def assert_open(state: dict, width: int) -> None:
    assert state["expanded"] == "true" and state["shown"]
    assert state["note"].startswith(state["label"] + "."), "the note leads with the verdict"
    assert state["summary"] in state["note"]
    assert state["left"] >= 0 and state["right"] <= width, "the note runs off the screen"


def assert_closed(state: dict) -> None:
    assert state["expanded"] == "false" and not state["shown"]


@pytest.fixture(scope="module", params=WIDTHS, ids=WIDTH_IDS)
def article(request, sites, new_page):
    """The example article at a phone (touch input) or desktop width, kept for the module."""
    width = request.param
    page = new_page(width=width, touch=width < 600)
    page.goto(sites.page(EXAMPLE_ARTICLE))
    page.wait_for_selector(CHIP_BUTTONS)
    return page, width


def test_every_claim_has_a_chip_button_and_the_page_fits(article):
    page, width = article
    assert page.locator(".claim > a.chip").count() == 0
    states = page.locator(CHIP_BUTTONS).evaluate_all(f"bs => bs.map({CHIP_STATE})")
    assert len({s["claim"] for s in states}) == 12, "the example checks twelve claims"
    assert all(s["expanded"] == "false" and not s["shown"] for s in states)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_every_chip_is_reached_with_tab_in_order_and_focus_is_visible(article):
    page, _ = article
    page.reload()
    chips = page.locator(CHIP_BUTTONS).evaluate_all(
        "bs => bs.map(b => b.getAttribute('aria-controls'))"
    )
    reached, invisible = [], []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "body":
            break
        if focused["outline"] == "none" or focused["outlineWidth"] < 2:
            invisible.append(focused)
        if focused["controls"]:
            reached.append(focused["controls"])
    assert reached == chips
    assert not invisible, f"focused without a visible outline: {invisible[:3]}"


def test_enter_and_space_open_and_escape_closes_every_claim(article):
    page, width = article
    chips = page.locator(CHIP_BUTTONS)
    for i in range(chips.count()):
        chip = chips.nth(i)
        for key in ("Enter", "Space"):
            chip.focus()
            page.keyboard.press(key)
            assert_open(chip.evaluate(CHIP_STATE), width)
            page.keyboard.press("Escape")
            state = chip.evaluate(CHIP_STATE)
            assert_closed(state)
            assert state["focused"], "Escape leaves focus on the chip"


def test_escape_inside_an_open_note_closes_it_and_returns_focus(article):
    page, _ = article
    chip = page.locator(CHIP_BUTTONS).first
    chip.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "note-link"
    page.keyboard.press("Escape")
    state = chip.evaluate(CHIP_STATE)
    assert_closed(state)
    assert state["focused"]


def test_a_tap_or_click_opens_and_closes_every_claim(article):
    page, width = article
    chips = page.locator(CHIP_BUTTONS)
    for i in range(chips.count()):
        chip = chips.nth(i)
        activate = chip.tap if width < 600 else chip.click
        activate()
        assert_open(chip.evaluate(CHIP_STATE), width)
        activate()
        assert_closed(chip.evaluate(CHIP_STATE))


def test_every_note_links_to_its_claim_page(sites, new_page):
    page = new_page()
    page.goto(sites.page(EXAMPLE_ARTICLE))
    states = page.locator(CHIP_BUTTONS).evaluate_all(f"bs => bs.map({CHIP_STATE})")
    for state in states:
        response = page.request.get(state["link"])
        assert response.ok, state["link"]
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", response.text(), re.S).group(1)
        assert " ".join(heading.split()) == state["claim"]
    chip = page.locator(CHIP_BUTTONS).first
    chip.click()
    page.locator(f"#{chip.get_attribute('aria-controls')} a.note-link").click()
    page.wait_for_url(states[0]["link"])
    assert page.locator(".verdict-panel .chip").inner_text().strip() == states[0]["label"]


NO_SCRIPT_STATE = """a => {
  const text = e => e.innerText.replace(/\\s+/g, " ").trim();
  const entry = document.querySelector(a.getAttribute("href"));
  return {chip: text(a).replace(/^Verdict: /, ""), href: a.getAttribute("href"),
          url: location.hash, target: entry.matches(":target"),
          visible: entry.getBoundingClientRect().height > 0,
          verdict: text(entry.querySelector(".check-verdict .chip")).replace(/^Verdict: /, ""),
          summary: text(entry.querySelector(".check-summary")),
          links: [...entry.querySelectorAll("a")].map(l => text(l))};
}"""


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTH_IDS)
def test_without_javascript_every_chip_leads_to_its_verdict(sites, new_page, width):
    page = new_page(width=width, javascript=False)
    page.goto(sites.page(EXAMPLE_ARTICLE))
    chips = page.locator(".claim > a.chip")
    assert chips.count() >= 11 and page.locator("button.chip").count() == 0
    for i in range(chips.count()):
        chip = chips.nth(i)
        chip.click()
        state = chip.evaluate(NO_SCRIPT_STATE)
        assert re.fullmatch(r"#check-[a-z0-9-]+", state["href"])
        assert state["url"] == state["href"] and state["target"] and state["visible"]
        assert state["verdict"] == state["chip"] and state["summary"]
        assert any(link.startswith("Read the full check") for link in state["links"])
