"""The built site on a real web server, as readers get it.

nginx (Debian's) serves site/ under a sub-path and at the root, with the headers of the
site's own `_headers` file. Every page is crawled from the home page and every internal
link and fragment followed; an unknown address gets the 404 page, whose links must work
at any depth; Chromium loads every page under the Content-Security-Policy and must
report no violation. Locally a missing nginx or Chromium skips; in CI (CI=true) it fails.
"""

from __future__ import annotations

import hashlib
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

import build
from bench.page_weight import CHROMIUM, launch
from conftest import require

NGINX = Path("/usr/sbin/nginx")
SUB_PATH = "/news/checks/"
LONG_CACHE = "max-age=31536000"
# The sitemap and the feed are read with the same forgiving parser as the pages.
pytestmark = pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning")


# --- the site's _headers, as Netlify and Cloudflare Pages read it --------------------


def read_headers_file(path: Path) -> dict[str, dict[str, str]]:
    """Rules of a `_headers` file: URL path -> {header: value}."""
    rules: dict[str, dict[str, str]] = {}
    current = None
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            current = rules.setdefault(line.strip(), {})
            continue
        name, _, value = line.strip().partition(":")
        assert current is not None, f"header before any path: {line!r}"
        current[name.strip()] = value.strip()
    return rules


def is_pattern(path: str) -> bool:
    """A rule for many paths (`*` anything, `:name` one segment), not one file's; /* aside."""
    return path != "/*" and ("*" in path or ":" in path)


def nginx_locations(site: Path, prefix: str, rules: dict[str, dict[str, str]]) -> str:
    """nginx locations applying the rules as the hosts do: /* everywhere, more on exact
    paths, and on the paths a pattern matches both its headers and those of /* (a header
    given twice is sent twice, which browsers read as the hosts' joined value)."""
    everywhere = rules["/*"]

    def add(headers: dict[str, str]) -> str:
        return "".join(f'    add_header {n} "{v}" always;\n' for n, v in headers.items())

    exact = "".join(
        f"  location = {prefix}{path.lstrip('/')} {{\n    alias {site}{path};\n"
        f"{add(everywhere | headers)}  }}\n"
        for path, headers in rules.items()
        if path != "/*" and not is_pattern(path)
    )
    patterns = "".join(
        f'    location ~ "^{prefix}{pattern_regex(path)}" {{\n{add(everywhere)}{add(headers)}'
        "    }\n"
        for path, headers in rules.items()
        if is_pattern(path)
    )
    return (
        f"  location {prefix} {{\n    alias {site}/;\n    index index.html;\n"
        f"    error_page 404 {prefix}404.html;\n{add(everywhere)}{patterns}  }}\n{exact}"
    )


def pattern_regex(path: str) -> str:
    parts = re.split(r"(\*|:[a-z]+)", path.lstrip("/"))
    return "".join(
        ".*" if p == "*" else "[^/]+" if p.startswith(":") else re.escape(p) for p in parts
    )


def nginx_config(folder: Path, site: Path, port: int, prefix: str) -> str:
    temp = "".join(
        f"  {kind}_temp_path {folder}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    locations = nginx_locations(site, prefix, read_headers_file(site / "_headers"))
    return (
        f"master_process off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 64; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log off;\n{temp}  server {{\n  listen 127.0.0.1:{port};\n"
        f"{locations}  }}\n}}\n"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """nginx serving one built site; `url` is where its home page is."""

    site: Path
    url: str


def start_nginx(folder: Path, site: Path, port: int, prefix: str) -> subprocess.Popen:
    config = folder / "nginx.conf"
    config.write_text(nginx_config(folder, site, port, prefix))
    process = subprocess.Popen(
        [
            str(NGINX),
            "-p",
            str(folder),
            "-e",
            str(folder / "error.log"),
            "-c",
            str(config),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx stopped: {process.stderr.read().decode()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    process.kill()
    pytest.fail("nginx did not start listening within 10 s")


@pytest.fixture(scope="module", params=[SUB_PATH, "/"], ids=["sub-path", "root"])
def server(request, tmp_path_factory) -> Iterator[Server]:
    yield from serve_example(tmp_path_factory, request.param)


@pytest.fixture(scope="module")
def sub_path_server(tmp_path_factory) -> Iterator[Server]:
    yield from serve_example(tmp_path_factory, SUB_PATH)


def serve_example(tmp_path_factory, prefix: str) -> Iterator[Server]:
    """The example site built for, and served at, http://127.0.0.1:PORT<prefix>."""
    require(NGINX.exists(), f"nginx is not installed at {NGINX} (make system-deps)")
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    url = f"http://127.0.0.1:{port}{prefix}"
    assert build.main(["build", "--out", str(folder / "site"), "--base-url", url]) == 0
    process = start_nginx(folder, folder / "site", port, prefix)
    try:
        yield Server(folder / "site", url)
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- fetching and crawling ---------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str]


def fetch_http(url: str) -> Response:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return Response(reply.status, reply.read(), lowercase(reply.headers))
    except urllib.error.HTTPError as reply:
        return Response(reply.code, reply.read(), lowercase(reply.headers))


def lowercase(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def fetch_file(url: str) -> Response:
    """What a browser opening the site from disk gets: the file, or nothing (a folder too)."""
    path = Path(urlsplit(url).path)
    return Response(200, path.read_bytes(), {}) if path.is_file() else Response(404, b"", {})


def links_in(body: bytes) -> tuple[list[str], set[str]]:
    """Every address an HTML or XML document points to, and the fragment targets it has."""
    soup = BeautifulSoup(body, "html.parser")
    found = [tag[attr] for attr in ("href", "src") for tag in soup.find_all(attrs={attr: True})]
    found += [loc.get_text(strip=True) for loc in soup.find_all("loc")]
    targets = {tag["id"] for tag in soup.find_all(id=True)}
    targets |= {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return found, targets


@dataclass
class Crawl:
    """Every page reachable from the start addresses, and every broken link on the way."""

    base: str
    fetch: Callable[[str], Response]
    pages: dict[str, Response] = field(default_factory=dict)
    targets: dict[str, set[str]] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)

    def run(self, *start: str) -> Crawl:
        fragments: list[tuple[str, str, str]] = []
        queue = list(start)
        while queue:
            url = queue.pop()
            if url in self.pages:
                continue
            self.pages[url] = response = self.fetch(url)
            if response.status != 200:
                self.broken.append(f"{url}: status {response.status}")
                continue
            # Scripts and style sheets are not pages: the HTML in a script (Pagefind's
            # components) is a template whose links are made in the browser.
            if not urlsplit(url).path.endswith((".js", ".css")):
                queue += self.follow(url, response, fragments)
        for page, url, fragment in fragments:
            if fragment not in self.targets.get(url, set()):
                self.broken.append(f"{page}: no #{fragment} in {url}")
        return self

    def follow(self, url: str, response: Response, fragments: list) -> list[str]:
        """The internal addresses on a page; those leaving the site are reported."""
        found, self.targets[url] = links_in(response.body)
        internal = []
        for link in found:
            target, fragment = urldefrag(urljoin(url, link))
            if urlsplit(target)[:2] != urlsplit(self.base)[:2]:
                continue  # another site (or mailto:, whose empty host is a file: URL's too)
            if not target.startswith(self.base) or "//" in urlsplit(target).path:
                self.broken.append(f"{url}: {link} leaves the site ({target})")
                continue
            internal.append(target)
            if fragment:
                fragments.append((url, target, fragment))
        return internal


def html_pages(crawl: Crawl) -> list[str]:
    return sorted(
        u
        for u, r in crawl.pages.items()
        if r.status == 200 and r.body.lstrip().startswith(b"<!doctype html>")
    )


# --- the tests ---------------------------------------------------------------------


def test_every_link_and_fragment_works_on_the_server(server):
    crawl = Crawl(server.url, fetch_http).run(
        server.url, server.url + "sitemap.xml", server.url + "feed.xml"
    )
    assert crawl.broken == []
    pages = html_pages(crawl)
    built = sorted(p for p in server.site.rglob("*.html") if p.name != "404.html")
    assert len(pages) >= len(built) > 3
    home = BeautifulSoup(crawl.pages[server.url].body, "html.parser")
    assert home.find("link", rel="canonical")["href"] == server.url


def test_unknown_address_gets_the_404_page_with_working_links(server):
    for missing in ("no-such-page", "deep/er/no/such/page/", "assets/old.css"):
        response = fetch_http(server.url + missing)
        assert response.status == 404, missing
        assert b"Page not found" in response.body
        here, fragments = server.url + missing, []
        crawl = Crawl(server.url, fetch_http)
        internal = set(crawl.follow(here, response, fragments)) - {here}
        assert crawl.broken == []
        assert len(internal) >= 4  # home, methodology, style sheets, script
        assert [u for u in internal if fetch_http(u).status != 200] == []
        assert {f for _, url, f in fragments if url == here} <= crawl.targets[here]


def test_headers_from_the_headers_file(server):
    rules = read_headers_file(server.site / "_headers")
    everywhere = rules.pop("/*")
    assert set(everywhere) == {
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    }
    embeds = rules.pop("/:slug/:claim/embed/*")  # the one pattern: see test_reach.py
    assert not [path for path in rules if is_pattern(path)]
    embed = server.url + "us-pakistan-airspace-talks/airspace-negotiations/embed/"
    with urllib.request.urlopen(embed, timeout=10) as reply:
        policies = reply.headers.get_all("Content-Security-Policy")
    assert policies == [everywhere["Content-Security-Policy"], embeds["Content-Security-Policy"]]
    page = fetch_http(server.url)
    assert page.headers["content-security-policy"] == everywhere["Content-Security-Policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert LONG_CACHE not in page.headers.get("cache-control", "")
    referenced = {link for link in links_in(page.body)[0] if link.startswith("assets/")}
    assert {f"/{link}" for link in referenced} <= set(rules)  # every asset, fingerprinted
    for path, headers in rules.items():
        data = (server.site / path.lstrip("/")).read_bytes()
        assert hashlib.sha256(data).hexdigest()[:10] in path  # the name changes with it
        assert not set(headers) & set(everywhere)  # a host would join two values
        assert LONG_CACHE in fetch_http(server.url + path.lstrip("/")).headers["cache-control"]


def test_site_works_opened_from_disk(tmp_path):
    assert build.main(["build", "--out", str(tmp_path / "site")]) == 0
    home = (tmp_path / "site" / "index.html").as_uri()
    crawl = Crawl((tmp_path / "site").as_uri() + "/", fetch_file).run(home)
    assert crawl.broken == []
    assert len(html_pages(crawl)) > 3


# --- Chromium under the Content-Security-Policy ------------------------------------

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def browser_page():
    """One Chromium tab that records CSP violations (events and console reports)."""
    require(CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM} (make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        page.console_reports = []
        page.on("console", lambda message: page.console_reports.append(message.text))
        yield page
        browser.close()


def violations(page, url: str) -> list[str]:
    """The CSP violations reported while loading `url`."""
    page.console_reports.clear()
    page.goto(url, wait_until="load")
    page.wait_for_timeout(50)  # violation events are dispatched after the fact
    console = [m for m in page.console_reports if "Content Security Policy" in m]
    return page.evaluate("window.cspViolations") + console


def test_pages_satisfy_the_content_security_policy(sub_path_server, browser_page):
    server, page = sub_path_server, browser_page
    pages = html_pages(Crawl(server.url, fetch_http).run(server.url))
    enhanced = 0
    for url in [*pages, server.url + "no/such/page/"]:
        assert violations(page, url) == [], url
        assert page.evaluate("document.styleSheets.length") >= 2, url
        enhanced += page.locator("button.chip[aria-controls]").count()
    assert enhanced > 0  # claims.js ran: its chips are buttons


def test_the_probe_sees_a_violation(sub_path_server, browser_page):
    """The check above can fail: an inline style and script on the same server are caught."""
    server, page = sub_path_server, browser_page
    (server.site / "probe.html").write_text(
        '<!doctype html><p style="color: red">x</p><script>document.title = "ran"</script>'
    )
    found = violations(page, server.url + "probe.html")
    assert page.title() != "ran"
    assert any(v.startswith("style-src") for v in found)
    assert any(v.startswith("script-src") for v in found)
