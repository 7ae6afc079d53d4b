"""Page weight: the example's article page with everything it loads, as Chromium saw it.

Builds the example into a temporary folder, serves it on 127.0.0.1, opens the article
in headless Chromium with the cache off, and adds up the bytes of every response from
Chromium's network log (DevTools `Network.loadingFinished`: headers and body as sent).
Run from the repository root:  .venv/bin/python -m bench.page_weight
The browser tests import the launch settings and the loopback server from here too.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXAMPLE_ARTICLE = "us-pakistan-airspace-talks/index.html"
# 50 KB until the example grew to 12 claims with a lead verdict, a byline, topics, a
# language switcher and share tags (December 2026): 56 KB measured, 60 KB allowed.
BUDGET_BYTES = 60 * 1024


def launch(playwright):
    """Debian's Chromium, headless; Playwright's own browser download is never used."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # silence the per-request log on stderr
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free loopback port; yields its base URL, ending in '/'."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Weight:
    """What one page load fetched: bytes per URL, and which of them came from elsewhere."""

    page_url: str
    sizes: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    @property
    def other_hosts(self) -> list[str]:
        host = urlsplit(self.page_url).netloc
        return [
            url
            for url in [*self.sizes, *self.failed]
            if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host
        ]


def measure(page, url: str) -> Weight:
    """Load `url` in `page` with the cache disabled and read Chromium's network log."""
    weight, urls = Weight(url), {}
    cdp = page.context.new_cdp_session(page)
    cdp.on(
        "Network.requestWillBeSent",
        lambda event: urls.setdefault(event["requestId"], event["request"]["url"]),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda event: weight.sizes.__setitem__(
            urls[event["requestId"]], int(event["encodedDataLength"])
        ),
    )
    cdp.on("Network.loadingFailed", lambda event: weight.failed.append(urls[event["requestId"]]))
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.goto(url, wait_until="networkidle")
    cdp.detach()
    return weight


def report(weight: Weight) -> str:
    base = weight.page_url.rsplit("/", 2)[0] + "/"
    lines = [f"{size:>8,} B  {url.removeprefix(base)}" for url, size in weight.sizes.items()]
    lines += [f"  failed    {url}" for url in weight.failed]
    verdict = "within" if weight.total <= BUDGET_BYTES else "OVER"
    lines.append(
        f"{weight.total:>8,} B  total, {len(weight.sizes)} request(s): {verdict} the "
        f"{BUDGET_BYTES:,} B budget; {len(weight.other_hosts)} request(s) to other hosts"
    )
    return "\n".join(lines)


def main() -> int:
    from playwright.sync_api import sync_playwright

    from factcheck.pipeline import build

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        build(REPO, out)
        with serve(out) as base, sync_playwright() as playwright:
            browser = launch(playwright)
            weight = measure(browser.new_page(), base + EXAMPLE_ARTICLE)
            browser.close()
    print(report(weight))
    return 0 if weight.total <= BUDGET_BYTES and not weight.other_hosts else 1


if __name__ == "__main__":
    sys.exit(main())
