"""Hostile content: every text field of tests/fixtures/hostile carries script payloads.

Each payload would set `data-pwned` on the root element if it ran. Every page is loaded
in Chromium, every claim chip opened, and nothing may have run, nor may any live
`javascript:` URL, event-handler attribute or injected script, frame or SVG remain.
"""

from __future__ import annotations

import shutil

import pytest

from browser.conftest import HOSTILE_SOURCES
from factcheck.pipeline import build as build_site

# Everything on the page that could still run script, found after load.
LIVE_SCRIPT = """() => {
  const found = [];
  // The generator's own scripts: the chips' script, and the search page's with Pagefind's.
  const OWN_SCRIPTS = [/\\/assets\\/claims\\.[0-9a-f]+\\.js$/, /\\/search\\/search\\.js$/,
                       /\\/search\\/pagefind\\/[a-z-]+\\/0\\/pagefind-component-ui\\.js$/];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) found.push(`${el.tagName} ${attr.name}`);
      if (["href", "src", "action", "formaction", "data", "srcdoc", "xlink:href"]
          .includes(attr.name.toLowerCase())) {
        let scheme = "";
        try { scheme = new URL(attr.value, document.baseURI).protocol; } catch (e) {}
        if (attr.name === "srcdoc" || ["javascript:", "data:", "vbscript:"].includes(scheme))
          found.push(`${el.tagName} ${attr.name}=${attr.value.slice(0, 60)}`);
      }
    }
  }
  for (const el of document.querySelectorAll(
      "iframe, frame, object, embed, svg, math, form, base, meta[http-equiv], style"))
    found.push(`<${el.tagName.toLowerCase()}> element`);
  for (const script of document.scripts) {
    if (script.type === "text/pagefind-template") continue;  // a result's markup: inert
    if (script.type === "application/ld+json") {
      try { JSON.parse(script.textContent); } catch (e) { found.push("broken JSON-LD"); }
    } else if (!OWN_SCRIPTS.some((own) => own.test(script.src))) {
      found.push(`script ${script.src || script.textContent.slice(0, 60)}`);
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def hostile_pages(sites):
    folder = sites.root / "hostile"
    pages = sorted(p.relative_to(sites.root).as_posix() for p in folder.rglob("*.html"))
    core = ["hostile/404.html", "hostile/hostile-article/hostile-html/index.html"]
    assert set(core) <= set(pages) and len(pages) >= 6  # index, article, claims, ...
    return pages


def test_no_payload_runs_and_nothing_live_survives(sites, new_page, hostile_pages):
    page = new_page()
    dialogs, errors, hosts = [], [], set()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    for path in hostile_pages:
        page.goto(sites.page(path))
        for chip in page.locator("button.chip").all():
            chip.click()
        page.mouse.move(200, 200)
        page.wait_for_timeout(100)
        assert page.evaluate("document.documentElement.dataset.pwned") is None, path
        assert page.evaluate(LIVE_SCRIPT) == [], path
    assert dialogs == [] and errors == []
    assert hosts == {sites.url.split("/")[2]}, "a page loaded something from another host"


def test_payloads_and_template_syntax_stay_visible_as_text(sites, new_page):
    page = new_page()
    page.goto(sites.page("hostile/hostile-article/hostile-html/index.html"))
    heading = page.locator("h1").inner_text()
    assert "<img src=x onerror=" in heading and "{{ 7*7 }}" in heading
    assert "</script><script>" in page.locator(".checked-by").inner_text()
    assert "{{ 7*7 }}" in page.locator(".update-list").inner_text()
    page.goto(sites.page("hostile/hostile-article/index.html"))
    body = page.locator(".article-body").inner_text()
    assert "{{ 7*7 }}" in body and "{% for x in range(3) %}" in body and "49" not in body


def test_javascript_source_url_is_an_error_with_its_line(tmp_path, run):
    src = tmp_path / "hostile"
    shutil.copytree(HOSTILE_SOURCES, src)
    check = src / "checks" / "hostile-html.yaml"
    text = check.read_text("utf-8")
    check.write_text(
        text.replace("url: https://example.org/survey", "url: javascript:alert(document.domain)"),
        "utf-8",
    )
    line = 1 + text[: text.index("url: https://example.org/survey")].count("\n")
    status, _, errors = run("check", "--src", src)
    assert status == 1
    assert any(
        e.startswith(f"checks/hostile-html.yaml:{line}:") and "error" in e for e in errors
    ), errors


HOSTILE_URLS = HOSTILE_SOURCES.parent / "hostile-urls"


@pytest.fixture(scope="module")
def hostile_urls(sites, tmp_path_factory):
    """tests/fixtures/hostile-urls built beside the other sites, and its article's URL."""
    src = tmp_path_factory.mktemp("hostile-urls-src") / "src"
    shutil.copytree(HOSTILE_URLS, src)
    build_site(src, sites.root / "hostile-urls")
    return sites.page("hostile-urls/hostile-urls/index.html")


def test_raw_html_urls_that_name_another_host_load_nothing(sites, new_page, hostile_urls):
    """`/\\host`, `\\\\host`, ` //host`, `/&#x09;/host` and the rest: Chromium would load
    each from evil.invalid (or 127.0.0.2); none may leave the page's origin."""
    page = new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(hostile_urls)
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/chart.png") for url in requests)  # a local image does load
    assert [url for url in requests if not url.startswith(sites.url)] == []
    alts = page.evaluate(
        "[...document.querySelectorAll('.article-body img')].map(i => [i.alt, i.src])"
    )
    assert len(alts) == 31
    assert [alt for alt, src in alts if src] == ["local", "local too"]


def test_raw_html_cannot_fake_a_verdict_chip(new_page, hostile_urls):
    page = new_page()
    page.goto(hostile_urls)
    body = page.locator(".article-body")
    assert body.locator(".chip").count() == 1  # the real one, after the marked claim
    assert body.locator(".claim-note").count() == 1
    assert page.evaluate("document.querySelectorAll('#claim-river-length').length") == 1
    assert page.evaluate("document.querySelectorAll('#check-river-length').length") == 1
    assert "True" not in body.locator(".chip").inner_text()  # the verdict is False
    assert page.locator("#quote-1.pull-quote").inner_text() == "kept"
