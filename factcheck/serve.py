"""`serve`: build, serve on 127.0.0.1, rebuild when a source changes and reload open pages.

Like MkDocs' live reload, this module is handed a callable that builds into a folder and
knows nothing else about the site. The callable raises `BuildError` on source errors and
then leaves the folder untouched, so the last good build stays served; its error lines
show in an overlay on every page until a build succeeds. The output is a temporary folder
(the editor's `site/` is never touched), and one lock is held while a build writes and
while a request reads, so a page never mixes two builds.

The reload script and overlay are added to HTML responses only; nothing of this is
written into the built site. The script is an external file (no inline script, so a
strict Content-Security-Policy still works) that listens for server-sent events.
"""

from __future__ import annotations

import errno
import html
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import watchfiles

from .errors import BuildError, Report

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
PORT_TRIES = 50
SCRIPT_URL, STYLE_URL, EVENTS_URL = "/__livereload.js", "/__livereload.css", "/__livereload/events"
ASSETS = {SCRIPT_URL: "livereload.js", STYLE_URL: "livereload.css"}
KEEP_ALIVE_SECONDS = 15.0
WATCH_STEP_MS, WATCH_DEBOUNCE_MS = 50, 400
"""Rebuild once no change came for 50 ms, and at the latest 400 ms after the first."""
SOURCE_FOLDERS, SITE_FILE = ("content", "checks", "templates"), "site.yaml"

Build = Callable[[Path], Report]
"""Builds the site into the folder; returns the report (warnings), raises BuildError."""


class ServeError(Exception):
    """The server cannot start (every port tried is busy, or the port is not valid)."""


class Status:
    """The last build's error lines, and a build counter that open pages wait on."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.generation = 0
        self.errors: list[str] = []
        self.closing = False

    def finished(self, errors: list[str]) -> None:
        with self.changed:
            self.generation += 1
            self.errors = errors
            self.changed.notify_all()

    def wait_past(self, generation: int, timeout: float) -> int:
        """The build counter once it is past `generation`, or as it is after `timeout`."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation != generation or self.closing,
                                  timeout)
            return self.generation

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


class LiveSite:
    """The served folder and the build that fills it, one build at a time."""

    def __init__(self, build: Build, folder: Path) -> None:
        self.build, self.folder = build, folder
        self.lock = threading.Lock()
        self.status = Status()

    def rebuild(self, reason: str = "") -> None:
        started = time.perf_counter()
        with self.lock:
            try:
                report = self.build(self.folder)
            except BuildError as failed:
                errors = [str(d) for d in failed.report.sorted()]
                _say(*errors, f"build failed{reason}: {len(failed.report.errors)} error(s); "
                     "the pages show them until they are fixed", stream=sys.stderr)
                self.status.finished(errors)
                return
        _say(*map(str, report.sorted()), stream=sys.stderr)
        _say(f"built{reason} in {time.perf_counter() - started:.2f}s")
        self.status.finished([])


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: LiveSite) -> None:
        super().__init__(address, partial(Handler, directory=str(site.folder)))
        self.site = site


class Handler(SimpleHTTPRequestHandler):
    """Files of the last good build, the 404 page for unknown paths, and the reload events."""

    server: Server

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def log_message(self, format: str, *args) -> None:
        """Quiet: the terminal is for build messages."""

    def _respond(self, with_body: bool) -> None:
        try:
            path = urlsplit(self.path).path
        except ValueError:  # e.g. '//[x': an unclosed IPv6 bracket where a host would be
            return self.send_error(HTTPStatus.BAD_REQUEST, "Unreadable path")
        if path == EVENTS_URL:
            return self._events()
        if path in ASSETS:
            data = (Path(__file__).parent / ASSETS[path]).read_bytes()
            return self._send(HTTPStatus.OK, self.guess_type(path), data, with_body)
        file = Path(self.translate_path(self.path))
        if file.is_dir() and not path.endswith("/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        status, file, data = self._read(file / "index.html" if file.is_dir() else file)
        if file.suffix == ".html":
            data = inject(data, self.server.site.status)
        return self._send(status, self.guess_type(file.name), data, with_body)

    def _read(self, file: Path) -> tuple[HTTPStatus, Path, bytes]:
        not_found = Path(self.directory) / "404.html"
        with self.server.site.lock:
            if file.is_file():
                return HTTPStatus.OK, file, file.read_bytes()
            if not_found.is_file():
                return HTTPStatus.NOT_FOUND, not_found, not_found.read_bytes()
        return HTTPStatus.NOT_FOUND, not_found, b"<!doctype html><title>Not found</title>" \
            b"<body><h1>Not found</h1></body>"

    def _send(self, status: HTTPStatus, kind: str, data: bytes, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _events(self) -> None:
        """Server-sent events: `reload` once a build after the page's own has finished."""
        status = self.server.site.status
        since = parse_qs(urlsplit(self.path).query).get("since", [""])[0]
        generation = int(since) if since.isdigit() else status.generation
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            while not status.closing:
                current = status.wait_past(generation, KEEP_ALIVE_SECONDS)
                if current != generation:
                    self.wfile.write(f"event: reload\ndata: {current}\n\n".encode())
                    return self.wfile.flush()
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return None


def inject(page: bytes, status: Status) -> bytes:
    """The page with the reload script and, while the last build failed, the error overlay."""
    tags = (f'<link rel="stylesheet" href="{STYLE_URL}">'
            f'<script src="{SCRIPT_URL}" data-livereload="{status.generation}" defer></script>')
    if status.errors:
        lines = html.escape("\n".join(status.errors))
        tags += ('<div class="factcheck-build-errors" role="alert"><strong>The last build '
                 'failed.</strong> This page is from the last good build; fix these and '
                 f'save:<pre>{lines}</pre></div>')
    text = page.decode("utf-8", errors="replace")
    at = text.rfind("</body>")
    return (text[:at] + tags + text[at:] if at >= 0 else text + tags).encode()


def source_paths(src: Path) -> tuple[list[Path], Path]:
    """The source folders (watched with everything under them while they exist), site.yaml."""
    src = src.resolve()
    return [src / name for name in SOURCE_FOLDERS], src / SITE_FILE


def bind(port: int, site: LiveSite) -> Server:
    """A server on the port, or on the next free one after it."""
    if not 0 <= port <= 65535:
        raise ServeError(f"port {port} is not valid (0-65535)")
    last = min(port + PORT_TRIES, 65536)
    for candidate in range(port, last):
        try:
            return Server((HOST, candidate), site)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise ServeError(f"cannot serve on {HOST}:{candidate}: {exc}") from exc
    raise ServeError(f"ports {port} to {last - 1} are all busy; choose another with --port")


def serve(build: Build, folders: list[Path], site_file: Path, port: int = DEFAULT_PORT) -> int:
    """Serve until Ctrl-C; 0 when stopped by it."""
    with tempfile.TemporaryDirectory(prefix="factcheck-serve-") as temporary:
        # The build's cache goes beside its output: both inside the folder removed on exit.
        site = LiveSite(build, Path(temporary) / "site")
        server = bind(port, site)
        stop = threading.Event()
        try:
            _stop_on_signals()
            site.rebuild()
            threading.Thread(target=server.serve_forever, daemon=True).start()
            threading.Thread(target=_watch_root, args=(site, folders, site_file, stop),
                             daemon=True).start()
            busy = f" (port {port} was busy)" if server.server_port != port else ""
            _say(f"serving http://{HOST}:{server.server_port}/{busy}; press Ctrl-C to stop")
            while not stop.wait(0.25):  # a timed wait: Ctrl-C may reach another thread
                pass
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            site.status.close()
            server.shutdown()
            server.server_close()
    _say("stopped")
    return 0


def _watch_root(site: LiveSite, folders: list[Path], site_file: Path,
                stop: threading.Event) -> None:
    """Rebuild after site.yaml changes; restart the folder watch when a source folder comes or goes.

    The source root itself is watched only non-recursively: a recursive watch (inotify on
    Linux) would add a watch for every folder under it, `.git`, `.venv`, `node_modules` and
    an earlier build's `site/` included (0.24 s and 1,400 watches for this repository, many
    times that beside `node_modules`), and would wake on every file a `build` writes. Only
    the source folders are watched recursively, so nothing else under the root ever
    triggers a rebuild.
    """
    root, watched = site_file.parent, {site_file, *folders}
    folder_watch = FolderWatch(site, folders, root)
    try:
        for changes in watchfiles.watch(
                root, watch_filter=lambda _change, path: Path(path) in watched,
                recursive=False, stop_event=stop, step=WATCH_STEP_MS,
                debounce=WATCH_DEBOUNCE_MS, raise_interrupt=False):
            if any(Path(path) in folders for _, path in changes):
                folder_watch.close()  # a watch on a removed folder would stay silent
                folder_watch = FolderWatch(site, folders, root)
            site.rebuild(_because(changes, root))  # the new folder may hold files already
    finally:
        folder_watch.close()


class FolderWatch:
    """A thread rebuilding after changes under the source folders that exist as it starts."""

    def __init__(self, site: LiveSite, folders: list[Path], root: Path) -> None:
        self.stop = threading.Event()
        existing = [folder for folder in folders if folder.is_dir()]
        self.thread = threading.Thread(target=self._watch, args=(site, existing, root),
                                       daemon=True)
        if existing:
            self.thread.start()

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()

    def _watch(self, site: LiveSite, folders: list[Path], root: Path) -> None:
        try:
            for changes in watchfiles.watch(
                    *folders, watch_filter=watchfiles.DefaultFilter(), recursive=True,
                    stop_event=self.stop, step=WATCH_STEP_MS, debounce=WATCH_DEBOUNCE_MS,
                    raise_interrupt=False):
                site.rebuild(_because(changes, root))
        except FileNotFoundError:
            return  # removed as the watch started: the root watch sees it and starts another


def _stop_on_signals() -> None:
    """Ctrl-C and a plain `kill` stop cleanly, even when the shell started us ignoring them."""
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, _interrupt)


def _interrupt(_number: int, _frame) -> None:
    raise KeyboardInterrupt


def _because(changes: set[tuple[watchfiles.Change, str]], root: Path) -> str:
    names = sorted({_shown(Path(path), root) for _, path in changes})
    return f" after a change to {', '.join(names)}"


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _say(*lines: str, stream=None) -> None:
    for line in lines:
        print(line, file=stream or sys.stdout, flush=True)

