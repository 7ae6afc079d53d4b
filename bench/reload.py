"""Serve, save to reload: seconds from saving a check file to the page's reload event.

Starts `build.py serve` on a free port of 127.0.0.1 and waits for its first build. Then,
for each edit: opens the server-sent events stream the reload script listens to
(`/__livereload/events?since=<generation>`, the build counter the page was served at),
flips one check's verdict (or flips it back), and times until `event: reload` arrives:
the whole rebuild plus the watcher's wait for further saves, as an editor sees it.
"""

from __future__ import annotations

import http.client
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

HOST = "127.0.0.1"
READY = re.compile(r"serving http://127\.0\.0\.1:(\d+)/")
GENERATION = re.compile(rb'data-livereload="(\d+)"')
FIRST_BUILD_SECONDS, RELOAD_SECONDS = 900.0, 300.0
SETTLE_SECONDS = 0.5
"""Quiet time before each save, so no earlier change is still pending in the watcher."""


class ReloadFailed(Exception):
    """The server did not start, a rebuild failed, or no reload event came in time."""


def measure_reloads(
    root: Path, sources: Path, check_file: Path, edits: int, edit: Callable[[str], str]
) -> list[float]:
    """Seconds to each reload; `edit` turns the check's text into the edited one."""
    original = check_file.read_text(encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "build.py", "serve", "--src", str(sources), "--port", str(_free_port())],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = _drain(server)
    try:
        port = _wait_ready(lines)
        generation = _served_generation(port)
        texts = [edit(original) if number % 2 == 0 else original for number in range(edits)]
        seconds = []
        for text in texts:
            time.sleep(SETTLE_SECONDS)
            elapsed, generation = _time_reload(port, generation, check_file, text)
            _raise_on_failed_build(lines)
            seconds.append(elapsed)
        return seconds
    finally:
        check_file.write_text(original, encoding="utf-8")
        _stop(server)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _drain(server: subprocess.Popen) -> queue.Queue:
    """The server's output lines, read in a thread so its pipe never fills."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in server.stdout], daemon=True
    ).start()
    return lines


def _wait_ready(lines: queue.Queue) -> int:
    deadline = time.monotonic() + FIRST_BUILD_SECONDS
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if ready := READY.search(line):
            time.sleep(1)  # the watcher thread starts right after the server says so
            return int(ready.group(1))
        if "build failed" in line or ": error:" in line:
            raise ReloadFailed(f"serve: {line.strip()}")
    raise ReloadFailed(f"serve did not start within {FIRST_BUILD_SECONDS:.0f}s")


def _served_generation(port: int) -> int:
    """The build counter of the page as served, which its reload script sends as `since`."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    connection.request("GET", "/")
    found = GENERATION.search(connection.getresponse().read())
    connection.close()
    if not found:
        raise ReloadFailed("the served home page has no reload script")
    return int(found.group(1))


def _time_reload(port: int, generation: int, check_file: Path, text: str) -> tuple[float, int]:
    """Save `text` into the check file; seconds until the reload event, and its generation."""
    connection = http.client.HTTPConnection(HOST, port, timeout=RELOAD_SECONDS)
    connection.request("GET", f"/__livereload/events?since={generation}")
    response = connection.getresponse()
    started = time.perf_counter()
    check_file.write_text(text, encoding="utf-8")
    try:
        while line := response.readline():
            if line.startswith(b"event: reload"):
                elapsed = time.perf_counter() - started
                return elapsed, int(response.readline().split(b":", 1)[1])
    finally:
        connection.close()
    raise ReloadFailed("the event stream closed without a reload event")


def _raise_on_failed_build(lines: queue.Queue) -> None:
    while not lines.empty():
        line = lines.get()
        if "build failed" in line:
            raise ReloadFailed(f"serve: {line.strip()}")


def _stop(server: subprocess.Popen) -> None:
    """Ctrl-C, as an editor stops it (it then removes its temporary folder)."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
