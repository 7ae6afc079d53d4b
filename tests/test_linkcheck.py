"""`check --links` against a local HTTP server on loopback: never the internet."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from conftest import CHECK
from factcheck import linkcheck
from factcheck.errors import Report

PATH = "checks/river-length.yaml"


class Handler(BaseHTTPRequestHandler):
    routes: ClassVar = {"/ok": 200, "/moved": 301, "/gone": 404, "/broken": 500, "/slow": 200}
    requests: Counter

    def do_GET(self):
        self.requests[self.path] += 1
        if self.path == "/slow":
            time.sleep(2)
        self.send_response(self.routes.get(self.path, 404))
        if self.path == "/moved":
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.requests = Counter()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", Handler.requests
    httpd.shutdown()
    httpd.server_close()


def site_with_links(make_site, base: str, slow: bool = False):
    sources = f"""\
sources:
  - title: River survey
    url: {base}/gone
    archived: {base}/ok
  - title: Moved map
    url: {base}/moved
  - title: Broken atlas
    url: {base}/broken
"""
    if slow:
        sources += f"  - title: Slow gazette\n    url: {base}/slow\n"
    old_sources = "sources:\n  - title: River survey\n    url: https://example.org/survey\n"
    check = CHECK.replace(old_sources, sources).replace(
        "verdict: false", f"appearance: {base}/ok\nverdict: false"
    )
    return make_site({PATH: check})


def test_dead_and_moved_links_are_warnings_with_their_place(make_site, run, server):
    base, requests = server
    src = site_with_links(make_site, base)
    status, out, err = run("check", "--links", "--src", src)
    assert status == 0
    assert err == [
        f"{PATH}:8:10: warning: dead link (HTTP 404 Not Found): {base}/gone "
        f"(the archived copy answers: link to {base}/ok)",
        f"{PATH}:11:10: warning: link redirects (301) to {base}/ok: {base}/moved "
        "(update the link to where it now leads)",
        f"{PATH}:13:10: warning: dead link (HTTP 500 Internal Server Error): {base}/broken "
        "(add an 'archived' copy, e.g. from web.archive.org)",
    ]
    assert "checked 4 link(s), 0 of them answered from today's cache" in out
    assert requests == {"/ok": 1, "/gone": 1, "/moved": 1, "/broken": 2}  # 500: one retry


def test_strict_makes_link_problems_errors(make_site, run, server):
    src = site_with_links(make_site, server[0])
    status, _, err = run("check", "--links", "--strict", "--src", src)
    assert status == 1
    assert sum(": error: " in line for line in err) == 3
    assert not any(": warning: " in line for line in err)


def test_answers_are_cached_for_a_day(make_site, server, monkeypatch):
    base, requests = server
    src = site_with_links(make_site, base)
    monkeypatch.setattr(linkcheck, "RETRY_DELAY", 0)
    clock = [1_000_000.0]
    first, second = Report(), Report()
    assert linkcheck.check_links(src, first, now=lambda: clock[0]) == (4, 0)
    assert linkcheck.check_links(src, second, now=lambda: clock[0] + 3600) == (4, 3)
    assert second.items == first.items
    assert requests == {"/ok": 1, "/gone": 1, "/moved": 1, "/broken": 4}  # 5xx is asked again
    linkcheck.check_links(src, Report(), now=lambda: clock[0] + linkcheck.CACHE_SECONDS + 1)
    assert requests["/ok"] == 2
    assert (src / ".factcheck-cache" / "links.json").is_file()
    # Made by the link check alone, the cache folder is still one git ignores.
    assert (src / ".factcheck-cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (src / ".factcheck-cache" / "CACHEDIR.TAG").is_file()


def test_a_server_that_does_not_answer_times_out_and_is_retried(make_site, server, monkeypatch):
    base, requests = server
    src = site_with_links(make_site, base, slow=True)
    monkeypatch.setattr(linkcheck, "RETRY_DELAY", 0)
    report, started = Report(), time.monotonic()
    linkcheck.check_links(src, report, timeout=0.3)
    assert time.monotonic() - started < 2
    assert requests["/slow"] == 2
    slow = [d for d in report.items if d.message.endswith("/slow")]
    assert [(d.line, d.col, d.message) for d in slow] == [
        (15, 10, f"dead link (no answer within 0.3s): {base}/slow")
    ]


def test_the_timeout_is_set_on_the_command_line(make_site, server, run, monkeypatch):
    base, requests = server
    src = site_with_links(make_site, base, slow=True)
    monkeypatch.setattr(linkcheck, "RETRY_DELAY", 0)
    status, _, errors = run("check", "--links", "--timeout", "0.3", "--src", src)
    assert status == 0
    slow = (
        f"checks/river-length.yaml:15:10: warning: dead link (no answer within 0.3s): "
        f"{base}/slow (add an 'archived' copy, e.g. from web.archive.org)"
    )
    assert slow in errors
    assert requests["/slow"] == 2
    for wrong in ("0", "abc", "301"):
        with pytest.raises(SystemExit) as stopped:
            run("check", "--links", "--timeout", wrong, "--src", src)
        assert stopped.value.code == 2


def test_a_refused_connection_is_reported(make_site, monkeypatch):
    monkeypatch.setattr(linkcheck, "RETRY_DELAY", 0)
    src = site_with_links(make_site, "http://127.0.0.1:9")  # the discard port: nothing listens
    report = Report()
    linkcheck.check_links(src, report, timeout=1)
    assert report.items
    assert all("cannot connect" in d.message for d in report.items)
