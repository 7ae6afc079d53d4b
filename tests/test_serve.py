"""`serve` end to end: a real server process on a free loopback port, edited sources."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import CHECK, write_tree

REPO = Path(__file__).resolve().parent.parent
CLAIM_PAGE = "/demo/river-length/index.html"
RELOAD_WITHIN = 2.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """A `build.py serve` subprocess; its output lines are collected as they come."""

    def __init__(self, src: Path, port: int, temporary: Path | None = None) -> None:
        environment = {**os.environ, "TMPDIR": str(temporary)} if temporary else None
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--src", str(src),
             "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._collect, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr),
                         daemon=True).start()
        serving = self.wait_for_line("serving http://")
        self.port = int(re.search(r":(\d+)/", serving)[1])

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for_line(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r}; stderr: {''.join(self.stderr)}")

    def lines_within(self, seconds: float) -> list[str]:
        """The output lines that come within the next `seconds`."""
        deadline, lines = time.monotonic() + seconds, []
        while (left := deadline - time.monotonic()) > 0:
            try:
                lines.append(self.lines.get(timeout=left))
            except queue.Empty:
                break
        return lines

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        return response.status, body

    def events(self, since: int) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", f"/__livereload/events?since={since}")
        response = connection.getresponse()
        assert response.getheader("Content-Type") == "text/event-stream"
        return response

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=10)


@pytest.fixture
def served(make_site):
    src = make_site()
    server = Served(src, free_port())
    yield src, server
    if server.process.poll() is None:
        try:
            server.stop()  # as an editor does: the server removes its temporary folder
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def generation(page: str) -> int:
    return int(re.search(r'data-livereload="(\d+)"', page)[1])


def edit_and_wait_for_reload(server: Served, src: Path, text: str,
                             name: str = "checks/river-length.yaml") -> float:
    """Write the file (and its folder); seconds until the server sends the reload event."""
    _, page = server.get(CLAIM_PAGE)
    events = server.events(generation(page))
    started = time.perf_counter()
    (src / name).parent.mkdir(parents=True, exist_ok=True)
    (src / name).write_text(text, encoding="utf-8")
    while line := events.readline():
        if line.startswith(b"event: reload"):
            return time.perf_counter() - started
    raise AssertionError("the event stream ended without a reload")


def test_edit_reloads_the_page_with_the_change_within_two_seconds(served):
    src, server = served
    status, page = server.get(CLAIM_PAGE)
    assert status == 200
    assert "The river is four miles long." in page
    assert '<script src="/__livereload.js"' in page
    latencies = []
    for n in range(3):
        latency = edit_and_wait_for_reload(
            server, src, CHECK.replace("four miles long", f"{n + 5} miles long"))
        latencies.append(latency)
        _, page = server.get(CLAIM_PAGE)
        assert f"The river is {n + 5} miles long." in page
    assert max(latencies) < RELOAD_WITHIN, latencies
    print(f"edit-to-reload latency: median {statistics.median(latencies):.3f}s of {latencies}")


def test_bad_edit_shows_an_escaped_overlay_until_fixed(served):
    src, server = served
    edit_and_wait_for_reload(server, src, CHECK.replace("verdict: false", "verdict: <b>nope"))
    status, page = server.get(CLAIM_PAGE)
    assert status == 200
    assert "The river is four miles long." in page  # the last good build is still served
    overlay = re.search(r'<div class="factcheck-build-errors".*?</div>', page, re.S)[0]
    assert ("checks/river-length.yaml:3:10: error: unknown verdict '&lt;b&gt;nope'"
            in overlay.replace("&#x27;", "'"))
    assert "<b>nope" not in page
    edit_and_wait_for_reload(server, src, CHECK)
    _, page = server.get(CLAIM_PAGE)
    assert "factcheck-build-errors" not in page


def test_a_source_folder_created_while_serving_is_watched(make_site):
    src = make_site()
    assert not (src / "templates").exists()
    server = Served(src, free_port())
    try:
        claim = (REPO / "templates" / "claim.html").read_text(encoding="utf-8")
        kicker = '<p class="kicker">Claim</p>'
        assert kicker in claim
        edit_and_wait_for_reload(server, src, claim.replace(kicker, "<p>Our template</p>"),
                                 "templates/claim.html")
        _, page = server.get(CLAIM_PAGE)
        assert "<p>Our template</p>" in page
        edit_and_wait_for_reload(server, src, claim.replace(kicker, "<p>Edited again</p>"),
                                 "templates/claim.html")  # and edits in it later too
        assert "<p>Edited again</p>" in server.get(CLAIM_PAGE)[1]
    finally:
        assert server.stop() == 0


def test_writes_outside_the_sources_never_rebuild(make_site):
    src = make_site({"site/index.html": "an earlier build", ".git/HEAD": "ref"})
    server = Served(src, free_port())
    try:
        _, page = server.get(CLAIM_PAGE)
        write_tree(src, {"site/index.html": "a build while serving", "site/new/x.html": "x",
                         ".site-cache/entry": "x", ".git/HEAD": "other", ".git/new/x": "x",
                         "node_modules/x/index.js": "x", "notes.txt": "x",
                         "checks/.river-length.yaml.swp": "x", "content/.#demo.md": "x"})
        assert not [line for line in server.lines_within(1.5) if "built" in line]
        assert server.get(CLAIM_PAGE)[1] == page
        edit_and_wait_for_reload(server, src, CHECK.replace("four miles", "five miles"))
        assert "The river is five miles long." in server.get(CLAIM_PAGE)[1]  # still watching
    finally:
        assert server.stop() == 0


def test_unknown_paths_get_the_404_page(served):
    _, server = served
    status, page = server.get("/no/such/page.html")
    assert status == 404
    assert "Page not found" in page
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(b"GET http://[unreadable HTTP/1.1\r\nHost: x\r\n\r\n")  # no client sends it
        assert raw.recv(100).startswith(b"HTTP/1.0 400 ")
    status, script = server.get("/__livereload.js")
    assert status == 200
    assert "EventSource" in script


def test_reload_script_is_never_written_into_the_built_site(served, tmp_path):
    src, _ = served
    built = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--src", str(src),
                            "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert files
    assert not any(b"livereload" in p.read_bytes() for p in files)
    assert not (src / "site").exists()  # serve builds into a folder of its own


def test_ctrl_c_stops_cleanly(served):
    _, server = served
    assert server.stop() == 0
    time.sleep(0.2)
    assert "Traceback" not in "".join(server.stderr)


def test_stopping_leaves_no_build_or_cache_behind(make_site, tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    src = make_site()
    server = Served(src, free_port(), temporary)
    assert server.get(CLAIM_PAGE)[0] == 200
    assert any(temporary.iterdir())  # the build and its cache live in the temporary folder
    assert server.stop() == 0
    assert list(temporary.iterdir()) == []
    assert sorted(p.name for p in src.iterdir()) == ["checks", "content"]


def test_a_busy_port_moves_on_to_the_next_free_one(make_site):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = Served(make_site(), port)
        try:
            assert server.port != port
            assert server.get("/index.html")[0] == 200
        finally:
            assert server.stop() == 0
