"""`serve` end to end: a real server process on a free loopback port, edited sources."""

from __future__ import annotations

import html
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
import watchfiles

from conftest import CHECK, write_tree
from factcheck import serve
from factcheck.errors import Report
from factcheck.pipeline import CACHE, PREVIEW

REPO = Path(__file__).resolve().parent.parent
CLAIM_PAGE = "/demo/river-length/index.html"
WAIT = 60.0
"""How long a test waits for something that takes well under a second on an idle machine."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """A `build.py serve` subprocess; its output lines are collected as they come."""

    def __init__(
        self, src: Path, port: int, temporary: Path | None = None, args: tuple[str, ...] = ()
    ) -> None:
        environment = {**os.environ, "TMPDIR": str(temporary)} if temporary else None
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "build.py"),
                "serve",
                "--src",
                str(src),
                "--port",
                str(port),
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(
            target=self._collect, args=(self.process.stdout, self.lines), daemon=True
        ).start()
        self.stderr_reader = threading.Thread(
            target=self._collect, args=(self.process.stderr, self.errors, self.stderr), daemon=True
        )
        self.stderr_reader.start()
        serving = self.wait_for_line("serving http://")
        self.port = int(re.search(r":(\d+)/", serving)[1])

    @staticmethod
    def _collect(stream, lines: queue.Queue[str], kept: list[str] | None = None) -> None:
        for line in stream:
            lines.put(line)
            if kept is not None:
                kept.append(line)

    def wait_for_line(self, text: str, timeout: float = WAIT, stderr: bool = False) -> str:
        deadline, lines = time.monotonic() + timeout, self.errors if stderr else self.lines
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
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

    def all_stderr(self) -> str:
        """Everything the stopped server wrote to stderr."""
        assert self.process.poll() is not None
        self.stderr_reader.join(timeout=WAIT)
        return "".join(self.stderr)

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        return response.status, body

    def events(self, since: int) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        connection.request("GET", f"/__livereload/events?since={since}")
        response = connection.getresponse()
        assert response.getheader("Content-Type") == "text/event-stream"
        return response

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=WAIT)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.stop()  # as an editor does: the server removes its temporary folder
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_server():
    """Start `build.py serve` on a source folder; every server is stopped after the test."""
    servers: list[Served] = []

    def start(src: Path, *args: str) -> Served:
        servers.append(Served(src, free_port(), args=args))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def served(make_site, start_server):
    src = make_site()
    return src, start_server(src)


def generation(page: str) -> int:
    return int(re.search(r'data-livereload="(\d+)"', page)[1])


def edit_and_wait_for_reload(
    server: Served, src: Path, text: str, name: str = "checks/river-length.yaml"
) -> float:
    """Write the file (and its folder); seconds until the server sends the reload event."""

    def edit() -> None:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")

    return change_and_wait_for_reload(server, edit)


def change_and_wait_for_reload(server: Served, change) -> float:
    """Make the change; seconds until the server sends the reload event to an open page."""
    _, page = server.get(CLAIM_PAGE)
    events = server.events(generation(page))
    started = time.perf_counter()
    change()
    wait_for_reload(events)
    return time.perf_counter() - started


def wait_for_reload(events: http.client.HTTPResponse) -> None:
    while line := events.readline():
        if line.startswith(b"event: reload"):
            return
    raise AssertionError("the event stream ended without a reload")


def overlay_text(page: str) -> str:
    found = re.search(r'<div class="factcheck-build-errors".*?</div>', page, re.S)
    assert found, "no build-error overlay on the page"
    return html.unescape(found[0])


def test_edit_reloads_the_page_with_the_change(served):
    src, server = served
    status, page = server.get(CLAIM_PAGE)
    assert status == 200
    assert "The river is four miles long." in page
    assert '<script src="/__livereload.js"' in page
    latencies = []
    for n in range(3):
        latency = edit_and_wait_for_reload(
            server, src, CHECK.replace("four miles long", f"{n + 5} miles long")
        )
        latencies.append(latency)
        _, page = server.get(CLAIM_PAGE)
        assert f"The river is {n + 5} miles long." in page
    print(f"edit-to-reload latency: median {statistics.median(latencies):.3f}s of {latencies}")


def test_bad_edit_shows_an_escaped_overlay_until_fixed(served):
    src, server = served
    edit_and_wait_for_reload(server, src, CHECK.replace("verdict: false", "verdict: <b>nope"))
    status, page = server.get(CLAIM_PAGE)
    assert status == 200
    assert "The river is four miles long." in page  # the last good build is still served
    overlay = re.search(r'<div class="factcheck-build-errors".*?</div>', page, re.S)[0]
    assert (
        "checks/river-length.yaml:3:10: error: unknown verdict '&lt;b&gt;nope'"
        in overlay.replace("&#x27;", "'")
    )
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
        kicker = "<p class=\"kicker\">{{ _('Claim') }}</p>"
        assert kicker in claim
        edit_and_wait_for_reload(
            server, src, claim.replace(kicker, "<p>Our template</p>"), "templates/claim.html"
        )
        _, page = server.get(CLAIM_PAGE)
        assert "<p>Our template</p>" in page
        edit_and_wait_for_reload(
            server, src, claim.replace(kicker, "<p>Edited again</p>"), "templates/claim.html"
        )  # and edits in it later too
        assert "<p>Edited again</p>" in server.get(CLAIM_PAGE)[1]
    finally:
        assert server.stop() == 0


def test_writes_outside_the_sources_never_rebuild(make_site):
    src = make_site({"site/index.html": "an earlier build", ".git/HEAD": "ref"})
    server = Served(src, free_port())
    try:
        _, page = server.get(CLAIM_PAGE)
        write_tree(
            src,
            {
                "site/index.html": "a build while serving",
                "site/new/x.html": "x",
                ".site-cache/entry": "x",
                ".git/HEAD": "other",
                ".git/new/x": "x",
                "node_modules/x/index.js": "x",
                "notes.txt": "x",
                "checks/.river-length.yaml.swp": "x",
                "content/.#demo.md": "x",
            },
        )
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
    built = subprocess.run(
        [
            sys.executable,
            str(REPO / "build.py"),
            "build",
            "--src",
            str(src),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert files
    assert not any(b"livereload" in p.read_bytes() for p in files)
    assert not (src / "site").exists()  # serve builds into a folder of its own


def test_ctrl_c_stops_cleanly(served):
    _, server = served
    assert server.stop() == 0
    assert "Traceback" not in server.all_stderr()


def test_ctrl_c_pressed_again_while_stopping_still_stops_cleanly(served):
    """An editor presses Ctrl-C twice: the second comes while the server shuts down."""
    _, server = served
    server.process.send_signal(signal.SIGINT)
    # Not a wait for anything: it puts the second press inside the shutdown (which takes
    # up to the server's poll interval); wherever it lands, the server must stop cleanly.
    time.sleep(0.05)
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=WAIT) == 0
    assert "Traceback" not in server.all_stderr()
    assert server.wait_for_line("stopped")


def test_stopping_leaves_only_the_cache_with_its_preview(make_site, tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    src = make_site()
    server = Served(src, free_port(), temporary)
    assert server.get(CLAIM_PAGE)[0] == 200
    assert server.stop() == 0
    assert list(temporary.iterdir()) == []
    # Only the build cache stays, in the source folder, shared with `build`: the preview
    # is kept in it for the next serve, and git ignores all of it.
    assert sorted(p.name for p in src.iterdir() if p.name != CACHE) == ["checks", "content"]
    assert (src / CACHE / PREVIEW / CLAIM_PAGE.lstrip("/")).is_file()
    assert (src / CACHE / ".gitignore").read_text().splitlines()[-1] == "*"


def test_the_next_serve_starts_from_the_pages_the_last_one_left(make_site):
    """A second serve of the same sources renders only what changed meanwhile: the
    other pages are the very files the first one wrote, checked and kept."""
    src = make_site()
    first = Served(src, free_port())
    assert first.get(CLAIM_PAGE)[0] == 200
    assert first.stop() == 0
    untouched = src / CACHE / PREVIEW / "methodology" / "index.html"
    written = untouched.stat()
    check = src / "checks" / "river-length.yaml"
    check.write_text(check.read_text().replace("verdict: false", "verdict: true"))
    second = Served(src, free_port())
    try:
        status, body = second.get(CLAIM_PAGE)
        assert status == 200 and "chip chip-large verdict-true" in body
        assert second.get("/methodology/")[0] == 200
        now = untouched.stat()
        assert (now.st_ino, now.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    finally:
        second.close()


def test_a_second_serve_of_the_same_sources_builds_a_preview_of_its_own(make_site, tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    src = make_site()
    first = Served(src, free_port())
    try:
        second = Served(src, free_port(), temporary)
        try:
            assert any(temporary.iterdir())  # the cache's preview is the first one's
            assert second.get(CLAIM_PAGE)[0] == 200
            assert first.get(CLAIM_PAGE)[0] == 200
            assert second.stop() == 0
            assert list(temporary.iterdir()) == []
        finally:
            second.close()
    finally:
        first.close()


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


# --- hardening: hosts, long paths, slow clients, crashes, the 404 page --------------------


def raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are; the status and the whole response, which the server closes."""
    deadline, response = time.monotonic() + WAIT, b""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as connection:
        connection.sendall(request)
        while chunk := connection.recv(65536):
            response += chunk
            # An event stream would never end: a test fails, it does not hang.
            connection.settimeout(max(deadline - time.monotonic(), 0.001))
    return int(response.split(b" ", 2)[1]), response


def request_for(path: str, *headers: str, method: str = "GET") -> bytes:
    return "\r\n".join([f"{method} {path} HTTP/1.1", *headers, "", ""]).encode()


def test_only_loopback_host_names_are_answered(served):
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 gets 400."""
    _, server = served
    port = server.port
    for host in (
        "127.0.0.1",
        f"127.0.0.1:{port}",
        "localhost",
        f"localhost:{port}",
        f"LocalHost:{port}",
        "[::1]",
        f"[::1]:{port}",
        "localhost:9000",
    ):
        status, response = raw_request(port, request_for(CLAIM_PAGE, f"Host: {host}"))
        assert status == 200, host
        assert b"The river is four miles long." in response
    refused = [
        request_for(path, f"Host: {host}", method=method)
        for host in (
            "evil.example",
            f"evil.example:{port}",
            f"127.0.0.1.nip.io:{port}",
            f"localhost.evil.example:{port}",
            "localhost:",
            "::1",
            f"localhost:{port}@evil.example",
            f"localhost:{port} evil.example",
        )
        for path in (
            CLAIM_PAGE,
            "/__livereload/events?since=0",
            "/__livereload.js",
            "/no/such/page.html",
            "/",
        )
        for method in ("GET", "HEAD")
    ]
    refused += [
        request_for(CLAIM_PAGE),  # no Host at all
        request_for(CLAIM_PAGE, "Host: localhost", "Host: evil.example"),
        request_for(f"http://evil.example{CLAIM_PAGE}", "Host: localhost"),
    ]
    for request in refused:
        status, response = raw_request(port, request)
        assert status == 400, request
        assert b"river" not in response and b"EventSource" not in response
    assert server.get(CLAIM_PAGE)[0] == 200  # http.client sends Host: 127.0.0.1:port
    assert server.stop() == 0
    assert "Traceback" not in server.all_stderr()


def test_a_path_too_long_for_the_file_system_gets_414_not_a_traceback(served):
    _, server = served
    for path in (
        "/" + "a" * 8192,
        f"/demo/{'b' * 8192}/index.html",
        "/a" * 3000,
        f"/{'c' * 8192}/",
    ):
        for method in ("GET", "HEAD"):
            status, _ = raw_request(
                server.port, request_for(path, "Host: localhost", method=method)
            )
            assert status == 414, (path[:20], method)
    assert server.get(CLAIM_PAGE)[0] == 200  # the server goes on
    assert server.stop() == 0
    assert "Traceback" not in server.all_stderr()


def one_page_build(out: Path) -> serve.Built:
    write_tree(out, {"index.html": "<!doctype html><title>Home</title><body>Home</body>"})
    return serve.Built(Report())


@pytest.fixture
def live_server(tmp_path):
    """An in-process preview server, for what needs its knobs turned: (site, server)."""
    started: list[serve.Server] = []

    def start(site: serve.LiveSite, **options: float) -> serve.Server:
        started.append(serve.bind(0, site, **options))
        threading.Thread(target=started[-1].serve_forever, daemon=True).start()
        return started[-1]

    yield start
    for server in started:
        server.site.status.close()
        server.shutdown()
        server.server_close()


def test_idle_connections_time_out_but_the_event_stream_stays_open(tmp_path, live_server, capfd):
    site = serve.LiveSite(one_page_build, tmp_path / "site")
    site.rebuild()
    server = live_server(site, idle_timeout=0.5)
    assert serve.IDLE_TIMEOUT_SECONDS == 30  # what `build.py serve` uses
    events = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=WAIT)
    events.request("GET", f"/__livereload/events?since={site.status.generation}")
    stream = events.getresponse()
    assert stream.getheader("Content-Type") == "text/event-stream"
    for request in (b"", b"GET / HTTP/1.1\r\nHost: localhost\r\n"):  # the blank line never comes
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=WAIT) as slow:
            slow.sendall(request)
            assert slow.recv(100) == b""  # closed by the server, unanswered, after the timeout
    site.rebuild()  # the stream, older than the closed connections, still gets the reload
    wait_for_reload(stream)
    events.close()
    status, _ = raw_request(server.server_port, request_for("/", "Host: localhost"))
    assert status == 200
    assert "Traceback" not in capfd.readouterr().err


def test_a_crashing_build_is_one_line_and_in_the_overlay(tmp_path, capsys):
    outcomes: list[Exception | None] = [None, ValueError("a bug\nover two lines"), None]

    def build(out: Path) -> serve.Built:
        error = outcomes.pop(0)
        if error:
            raise error
        return one_page_build(out)

    site = serve.LiveSite(build, tmp_path / "site")
    site.rebuild()
    site.rebuild(" after a change to checks/x.yaml")
    line = "the build crashed after a change to checks/x.yaml: ValueError: a bug over two lines"
    assert site.status.errors == [line]
    page = serve.inject((tmp_path / "site" / "index.html").read_bytes(), site.status).decode()
    assert "The last build failed." in page and line in overlay_text(page)
    assert capsys.readouterr().err == f"{line}; the pages show it until a build succeeds\n"
    site.rebuild()
    assert site.status.errors == []
    assert "factcheck-build-errors" not in serve.inject(b"<body></body>", site.status).decode()


def test_a_build_that_raises_does_not_stop_the_watcher(make_site, live_server, tmp_path):
    """Any exception from the build callable, through the real watcher, server and reload."""
    src = make_site()
    folders, site_file = serve.source_paths(src)
    check = folders[1] / "river-length.yaml"

    def build(out: Path) -> serve.Built:
        text = check.read_text(encoding="utf-8")
        if "crash" in text:
            raise KeyError("a bug")  # anything but a BuildError
        write_tree(out, {"index.html": f"<!doctype html><body><p>{html.escape(text)}</p></body>"})
        return serve.Built(Report())

    site = serve.LiveSite(build, tmp_path / "site", tuple(folders))
    site.rebuild()
    server = live_server(site)
    stop, watching = threading.Event(), threading.Event()
    watcher = threading.Thread(
        target=serve.watch_root, daemon=True, args=(site, folders, site_file, stop, watching)
    )
    watcher.start()
    assert watching.wait(WAIT)
    crash = "the build crashed after a change to checks/river-length.yaml: KeyError: 'a bug'"
    try:
        for text in ("crash", "fixed", "edited again"):
            events = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=WAIT)
            events.request("GET", f"/__livereload/events?since={site.status.generation}")
            stream = events.getresponse()
            check.write_text(text, encoding="utf-8")
            wait_for_reload(stream)
            events.close()
            _, page = raw_request(server.server_port, request_for("/", "Host: localhost"))
            if text == "crash":
                assert crash in overlay_text(page.decode())
            else:
                assert f"<p>{text}</p>".encode() in page and b"build-errors" not in page
    finally:
        stop.set()
        watcher.join(WAIT)


def test_a_template_that_raises_is_shown_and_the_next_edit_still_rebuilds(make_site, start_server):
    claim = (REPO / "templates" / "claim.html").read_text(encoding="utf-8")
    kicker = "<p class=\"kicker\">{{ _('Claim') }}</p>"
    line = claim.splitlines().index(kicker) + 1
    src = make_site({"templates/claim.html": claim})
    server = start_server(src)
    edit_and_wait_for_reload(
        server, src, claim.replace(kicker, "<p>{{ 1 // 0 }}</p>"), "templates/claim.html"
    )
    status, page = server.get(CLAIM_PAGE)
    assert status == 200
    assert "The river is four miles long." in page  # the last good build is still served
    shown = overlay_text(page)
    assert "ZeroDivisionError: integer division or modulo by zero" in shown
    assert f"templates/claim.html:{line}" in shown
    server.wait_for_line("ZeroDivisionError", stderr=True)
    edit_and_wait_for_reload(
        server, src, claim.replace(kicker, "<p>Fixed</p>"), "templates/claim.html"
    )
    _, page = server.get(CLAIM_PAGE)
    assert "<p>Fixed</p>" in page and "factcheck-build-errors" not in page
    edit_and_wait_for_reload(server, src, CHECK.replace("four miles", "six miles"))
    assert "The river is six miles long." in server.get(CLAIM_PAGE)[1]
    assert server.stop() == 0
    assert "Traceback" not in server.all_stderr()


def test_a_dangling_symlink_in_the_sources_does_not_stop_the_watcher(served):
    src, server = served
    link = src / "content" / "gone.md"
    change_and_wait_for_reload(server, lambda: link.symlink_to(src / "nowhere.md"))
    status, page = server.get(CLAIM_PAGE)
    assert status == 200 and "The river is four miles long." in page
    assert "content/gone.md" in overlay_text(page)
    change_and_wait_for_reload(server, link.unlink)
    assert "factcheck-build-errors" not in server.get(CLAIM_PAGE)[1]
    edit_and_wait_for_reload(server, src, CHECK.replace("four miles", "seven miles"))
    assert "The river is seven miles long." in server.get(CLAIM_PAGE)[1]
    assert server.stop() == 0
    assert "Traceback" not in server.all_stderr()


def test_a_failing_file_watch_is_shown_and_started_again(tmp_path, monkeypatch, capsys):
    """An error inside watchfiles (here the first watch's) neither ends the watching..."""
    change = {(watchfiles.Change.modified, str(tmp_path / "checks" / "x.yaml"))}
    watches: list[tuple[str, ...]] = []

    def watch(*paths: str, **_options: object):
        watches.append(paths)
        if len(watches) == 1:
            raise RuntimeError("OS file watch limit reached")
        yield change  # the second watch sees one change, then stops

    monkeypatch.setattr(serve.watchfiles, "watch", watch)
    monkeypatch.setattr(serve, "WATCH_RETRY_SECONDS", 0.0)
    shown: list[list[str]] = []

    def build(out: Path) -> serve.Built:
        shown.append(site.status.errors)
        return one_page_build(out)

    site = serve.LiveSite(build, tmp_path / "site")
    seen: list[serve.Changes] = []
    serve.keep_watching(site, [tmp_path], threading.Event(), seen.append)
    assert len(watches) == 2 and seen == [change]
    problem = (
        "watching the sources failed: RuntimeError: OS file watch limit reached; "
        "watching again in 0s"
    )
    assert shown == [[problem]]  # ...nor goes unseen: the pages showed it until the rebuild
    assert site.status.errors == []  # that rebuild covers what changed while not watching
    err = capsys.readouterr().err
    assert err == f"{problem}; the pages show it until a build succeeds\n"


def test_a_watch_on_a_removed_folder_ends_quietly(tmp_path, monkeypatch, capsys):
    def watch(*_paths: str, **_options: object):
        raise FileNotFoundError("gone")
        yield  # a generator, as watchfiles.watch is

    monkeypatch.setattr(serve.watchfiles, "watch", watch)
    site = serve.LiveSite(one_page_build, tmp_path / "site")
    serve.keep_watching(site, [tmp_path / "checks"], threading.Event(), print, until_gone=True)
    assert site.status.generation == 0  # the root watch starts another when it comes back
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("given_by", ["--base-url", "site.yaml"])
def test_the_404_page_under_a_base_url_links_to_the_preview(make_site, start_server, given_by):
    base = "https://example.org/x/"
    if given_by == "site.yaml":
        server = start_server(make_site({"site.yaml": f"base_url: {base}\n"}))
    else:
        server = start_server(make_site(), "--base-url", base)
    _, claim_page = server.get(CLAIM_PAGE)
    assert f'<link rel="canonical" href="{base}demo/river-length/">' in claim_page
    for path in ("/no/such/page.html", "/404.html", "/demo/no-such-claim/"):
        status, page = server.get(path)
        assert "Page not found" in page
        assert "example.org" not in page  # no asset, link or address of the public site
        assert 'href="/index.html"' in page
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
        assert stylesheets and all(server.get(href)[0] == 200 for href in stylesheets)
    assert status == 404
