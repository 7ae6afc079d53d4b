"""`serve`: build, serve on 127.0.0.1, rebuild when a source changes and reload open pages.

Like MkDocs' live reload, this module is handed a callable that builds into a folder and
knows nothing else about the site. The callable raises `BuildError` on source errors and
then leaves the folder untouched, so the last good build stays served; its error lines
show in an overlay on every page until a build succeeds. The output is a folder of its
own (the cache's preview, see `pipeline.preview_folder`; the editor's `site/` is never
touched), and one lock is held while a build writes and while a request reads, so a page
never mixes two builds.

The reload script and overlay are added to HTML responses only; nothing of this is
written into the built site. The script is an external file (no inline script, so a
strict Content-Security-Policy still works) that listens for server-sent events.

Drafts are private until published: the server answers only requests addressed to the
loopback names (any web page could otherwise read them through DNS rebinding), closes
connections that send no request, and neither a crashing build nor a failing file watch
stops it; each shows as one line on the terminal and in the overlay, never a traceback.
"""

from __future__ import annotations

import errno
import html
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

import watchfiles

from .errors import BuildError, Report, UsageError

HOST = "127.0.0.1"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""The only host names answered, with a port or without one."""
DEFAULT_PORT = 8000
PORT_TRIES = 50
SCRIPT_URL, STYLE_URL, EVENTS_URL = "/__livereload.js", "/__livereload.css", "/__livereload/events"
ASSETS = {SCRIPT_URL: "livereload.js", STYLE_URL: "livereload.css"}
KEEP_ALIVE_SECONDS = 15.0
IDLE_TIMEOUT_SECONDS = 30.0
"""A connection that sends no complete request for this long is closed: a slow or stalled
client must not hold one of the server's threads for ever. The event stream only writes,
so the timeout never ends it."""
WATCH_STEP_MS, WATCH_DEBOUNCE_MS = 50, 400
"""Rebuild once no change came for 50 ms, and at the latest 400 ms after the first."""
WATCH_RETRY_SECONDS, WATCH_RETRY_MAX_SECONDS = 1.0, 30.0
"""A failed file watch starts again after 1 s, then after twice as long each time it fails."""
WATCH_START_SECONDS = 10.0
"""How long to wait for a watch to be in place (milliseconds, unless the machine is busy)."""
MESSAGE_CHARS = 300
SOURCE_FOLDERS, SITE_FILE = ("content", "checks", "templates", "locales"), "site.yaml"

Changes = set[tuple[watchfiles.Change, str]]


@dataclass(frozen=True)
class Built:
    """A successful build: its warnings, and the public address its links start with."""

    report: Report
    base_url: str = ""
    """`base_url` of the build ('' for none): the 404 page's links start with it."""


Build = Callable[[Path], Built]
"""Builds the site into the folder; raises BuildError on source errors."""


class ServeError(UsageError):
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
            self.changed.wait_for(lambda: self.generation != generation or self.closing, timeout)
            return self.generation

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


class LiveSite:
    """The served folder and the build that fills it, one build at a time.

    `sources` are the source folders: a crash is said to have happened at the innermost
    place in them (a template's line, say) where there is one.
    """

    def __init__(self, build: Build, folder: Path, sources: tuple[Path, ...] = ()) -> None:
        self.build, self.folder, self.sources = build, folder, sources
        self.lock = threading.Lock()
        self.status = Status()
        self.base_url = ""

    def rebuild(self, reason: str = "") -> None:
        """Build; whatever goes wrong is shown on the terminal and in the pages, not raised."""
        started = time.perf_counter()
        with self.lock:
            try:
                built = self.build(self.folder)
            except BuildError as failed:
                return self._failed(failed, reason)
            except Exception as crash:  # a bug or an unreadable file: the server goes on
                return self.problem(f"the build crashed{reason}: {describe(crash, self.sources)}")
            self.base_url = built.base_url
        _say(*map(str, built.report.sorted()), stream=sys.stderr)
        _say(f"built{reason} in {time.perf_counter() - started:.2f}s")
        self.status.finished([])

    def problem(self, line: str) -> None:
        """Show a problem that is not in the sources' diagnostics until the next build."""
        _say(f"{line}; the pages show it until a build succeeds", stream=sys.stderr)
        self.status.finished([line])

    def _failed(self, failed: BuildError, reason: str) -> None:
        errors = [str(d) for d in failed.report.sorted()]
        _say(
            *errors,
            f"build failed{reason}: {len(failed.report.errors)} error(s); "
            "the pages show them until they are fixed",
            stream=sys.stderr,
        )
        self.status.finished(errors)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], site: LiveSite, idle_timeout: float = IDLE_TIMEOUT_SECONDS
    ) -> None:
        super().__init__(address, partial(Handler, directory=str(site.folder)))
        self.site, self.idle_timeout = site, idle_timeout

    def handle_error(self, request: object, client_address: object) -> None:
        """One line instead of a traceback; a client that left or stalled is no news."""
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, (ConnectionError, TimeoutError)):
            _say(f"preview server: a request failed: {describe(error)}", stream=sys.stderr)


class Handler(SimpleHTTPRequestHandler):
    """Files of the last good build, the 404 page for unknown paths, and the reload events."""

    server: Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # for every read and write

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for build messages."""

    def _respond(self, with_body: bool) -> None:
        try:
            target = urlsplit(self.path)
        except ValueError:  # e.g. '//[x': an unclosed IPv6 bracket where a host would be
            return self.send_error(HTTPStatus.BAD_REQUEST, "Unreadable path")
        if not self._addressed_here(target.netloc):
            return self.send_error(
                HTTPStatus.BAD_REQUEST,
                "Unknown host",
                f"The preview answers only {', '.join(LOOPBACK_NAMES)}.",
            )
        if target.path == EVENTS_URL:
            return self._events()
        if target.path in ASSETS:
            data = (Path(__file__).parent / ASSETS[target.path]).read_bytes()
            return self._send(HTTPStatus.OK, self.guess_type(target.path), data, with_body)
        try:
            self._respond_with_file(target.path, with_body)
        except OSError as exc:
            if exc.errno != errno.ENAMETOOLONG:
                raise
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG, "Path too long")

    def _addressed_here(self, target_host: str) -> bool:
        """One `Host` (and the request's own host, if it names one), each a loopback name."""
        hosts = self.headers.get_all("Host") or []
        names = [*hosts, target_host] if target_host else hosts
        return len(hosts) == 1 and all(allowed_host(name) for name in names)

    def _respond_with_file(self, path: str, with_body: bool) -> None:
        file = Path(self.translate_path(self.path))
        if file.is_dir() and not path.endswith("/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        status, file, data = self._read(file / "index.html" if file.is_dir() else file)
        if file.suffix == ".html":
            data = inject(data, self.server.site.status)
        self._send(status, self.guess_type(file.name), data, with_body)

    def _read(self, file: Path) -> tuple[HTTPStatus, Path, bytes]:
        not_found = Path(self.directory) / "404.html"
        site = self.server.site
        with site.lock:
            status = HTTPStatus.OK if file.is_file() else HTTPStatus.NOT_FOUND
            file = file if status is HTTPStatus.OK else not_found
            if file.is_file():
                data = file.read_bytes()
                return status, file, local_links(data, site.base_url) if file == not_found else data
        return (
            HTTPStatus.NOT_FOUND,
            not_found,
            b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>",
        )

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
        except OSError:  # the page went away, or stopped reading for the idle timeout
            return None


def allowed_host(host: str) -> bool:
    """Whether a `Host` header names a loopback name, not one a web page could point here.

    Any port will do: a tunnel (`ssh -L 9000:localhost:8000`) changes it, not the name.
    """
    host = host.strip().lower()
    name, _, port = host.rpartition(":")
    return host in LOOPBACK_NAMES or (name in LOOPBACK_NAMES and port.isascii() and port.isdigit())


def local_links(page: bytes, base_url: str) -> bytes:
    """The 404 page with its links to the public site (it has no relative ones) made local.

    The preview serves the site at its root, so the links, stylesheets and scripts
    of `https://example.org/checks/...` are found at `/...` here.
    """
    for form in {base_url, html.escape(base_url, quote=False)} - {""}:
        page = page.replace(form.encode(), b"/")
    return page


def inject(page: bytes, status: Status) -> bytes:
    """The page with the reload script and, while the last build failed, the error overlay."""
    tags = (
        f'<link rel="stylesheet" href="{STYLE_URL}">'
        f'<script src="{SCRIPT_URL}" data-livereload="{status.generation}" defer></script>'
    )
    if status.errors:
        lines = html.escape("\n".join(status.errors))
        tags += (
            '<div class="factcheck-build-errors" role="alert"><strong>The last build '
            "failed.</strong> This page is from the last good build; fix these and "
            f"save:<pre>{lines}</pre></div>"
        )
    text = page.decode("utf-8", errors="replace")
    at = text.rfind("</body>")
    return (text[:at] + tags + text[at:] if at >= 0 else text + tags).encode()


def describe(error: BaseException, sources: tuple[Path, ...] = ()) -> str:
    """`ErrorType: message (where)` on one line: what a traceback says, in short."""
    message = " ".join(str(error).split())[:MESSAGE_CHARS]
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        for folder in sources:
            file = Path(frame.filename).resolve()
            if file.is_relative_to(folder):
                return f"{text} ({_shown(file, folder.parent)}:{frame.lineno})"
    return text


def source_paths(src: Path) -> tuple[list[Path], Path]:
    """The source folders (watched with everything under them while they exist), site.yaml."""
    src = src.resolve()
    return [src / name for name in SOURCE_FOLDERS], src / SITE_FILE


def bind(port: int, site: LiveSite, idle_timeout: float = IDLE_TIMEOUT_SECONDS) -> Server:
    """A server on the port, or on the next free one after it."""
    if not 0 <= port <= 65535:
        raise ServeError(f"port {port} is not valid (0-65535)")
    last = min(port + PORT_TRIES, 65536)
    for candidate in range(port, last):
        try:
            return Server((HOST, candidate), site, idle_timeout)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise ServeError(f"cannot serve on {HOST}:{candidate}: {exc}") from exc
    raise ServeError(f"ports {port} to {last - 1} are all busy; choose another with --port")


def serve(
    build: Build, out: Path, folders: list[Path], site_file: Path, port: int = DEFAULT_PORT
) -> int:
    """Build into `out` and serve it until Ctrl-C; 0 when stopped by it."""
    site = LiveSite(build, out, tuple(folders))
    server = bind(port, site)
    stop, watching = threading.Event(), threading.Event()
    try:
        _stop_on_signals()
        site.rebuild()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        threading.Thread(
            target=watch_root, args=(site, folders, site_file, stop, watching), daemon=True
        ).start()
        watching.wait(WATCH_START_SECONDS)  # from "serving" on, every save rebuilds
        busy = f" (port {port} was busy)" if server.server_port != port else ""
        _say(f"serving http://{HOST}:{server.server_port}/{busy}; press Ctrl-C to stop")
        while not stop.wait(0.25):  # a timed wait: Ctrl-C may reach another thread
            pass
    except KeyboardInterrupt:
        pass
    finally:
        _stop_on_signals(_stopping)
        stop.set()
        site.status.close()
        server.shutdown()
        server.server_close()
    _say("stopped")
    return 0


def watch_root(
    site: LiveSite,
    folders: list[Path],
    site_file: Path,
    stop: threading.Event,
    started: threading.Event | None = None,
) -> None:
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

    def changed(changes: Changes) -> None:
        nonlocal folder_watch
        if any(Path(path) in folders for _, path in changes):
            folder_watch.close()  # a watch on a removed folder would stay silent
            folder_watch = FolderWatch(site, folders, root)
            folder_watch.started.wait(WATCH_START_SECONDS)  # a file saved into it is seen...
        site.rebuild(_because(changes, root))  # ...or was there already for this build

    folder_watch.started.wait(WATCH_START_SECONDS)
    try:
        keep_watching(
            site,
            [root],
            stop,
            changed,
            started,
            recursive=False,
            watch_filter=lambda _change, path: Path(path) in watched,
        )
    finally:
        folder_watch.close()


class FolderWatch:
    """A thread rebuilding after changes under the source folders that exist as it starts."""

    def __init__(self, site: LiveSite, folders: list[Path], root: Path) -> None:
        self.stop, self.started = threading.Event(), threading.Event()
        existing = [folder for folder in folders if folder.is_dir()]
        self.thread = threading.Thread(
            target=keep_watching,
            daemon=True,
            args=(
                site,
                existing,
                self.stop,
                lambda changes: site.rebuild(_because(changes, root)),
                self.started,
            ),
            kwargs={
                "recursive": True,
                "watch_filter": watchfiles.DefaultFilter(),
                "until_gone": True,
            },
        )
        if existing:
            self.thread.start()
        else:
            self.started.set()

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()


def keep_watching(
    site: LiveSite,
    paths: list[Path],
    stop: threading.Event,
    changed: Callable[[Changes], None],
    started: threading.Event | None = None,
    until_gone: bool = False,
    **options: Any,
) -> None:
    """Call `changed` after each batch of changes until `stop`, whatever goes wrong.

    A failed watch is shown, then started again (sooner after a success), and the site
    rebuilt for what changed meanwhile. With `until_gone`, a watch whose folder was
    removed ends quietly: the root watch starts another when the folder comes back.
    `started` is set once the watch is in place (or has failed: nobody waits for it then).
    """
    asked, retry = StopAsked(stop, started or threading.Event()), WATCH_RETRY_SECONDS
    while not stop.is_set():
        try:
            for changes in watchfiles.watch(
                *paths,
                stop_event=asked,
                step=WATCH_STEP_MS,
                debounce=WATCH_DEBOUNCE_MS,
                raise_interrupt=False,
                **options,
            ):
                changed(changes)
                retry = WATCH_RETRY_SECONDS
            break
        except Exception as error:
            asked.started.set()
            if until_gone and not all(path.is_dir() for path in paths):
                break
            site.problem(
                f"watching the sources failed: {describe(error)}; watching again in {retry:g}s"
            )
        if stop.wait(retry):
            break
        retry = min(retry * 2, WATCH_RETRY_MAX_SECONDS)
        site.rebuild(" after watching again")
    asked.started.set()


class StopAsked:
    """A watch's stop event as watchfiles sees it: first asked once its watches are in place.

    `watchfiles.watch` sets up every watch, then waits for changes, asking `is_set` as it
    waits; so the first question says that from now on no change is missed.
    """

    def __init__(self, stop: threading.Event, started: threading.Event) -> None:
        self.stop, self.started = stop, started

    def is_set(self) -> bool:
        self.started.set()
        return self.stop.is_set()


def _stop_on_signals(handler: Callable[[int, FrameType | None], None] | None = None) -> None:
    """Ctrl-C and a plain `kill` stop cleanly, even when the shell started us ignoring them."""
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, handler or _interrupt)


def _interrupt(_number: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _stopping(_number: int, _frame: FrameType | None) -> None:
    """A second Ctrl-C while the server stops: it is stopping already."""


def _because(changes: Changes, root: Path) -> str:
    names = sorted({_shown(Path(path), root) for _, path in changes})
    return f" after a change to {', '.join(names)}"


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _say(*lines: str, stream: TextIO | None = None) -> None:
    for line in lines:
        print(line, file=stream or sys.stdout, flush=True)
