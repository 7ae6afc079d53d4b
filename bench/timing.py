"""One build as a whole process: wall time, CPU time and peak memory, from outside.

Each build runs under GNU time (`/usr/bin/time -v`), whose report gives the CPU time of
the whole process tree and the peak resident set size of its largest single process.
A build that forks workers is understated by the latter, so a sampler can also poll the
summed proportional set size (PSS) of every process of the build.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = Path("/usr/bin/time")


@dataclass
class Timing:
    """One build; `seconds` is None when it was stopped for taking longer than allowed."""

    seconds: float | None
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    tree_pss_mb: float | None = None


class BuildFailed(Exception):
    """A build exited with an error: the benchmark cannot go on with its output."""


def run_timed(
    argv: list[str], cwd: Path, sample_memory: bool = False, timeout: float | None = None
) -> Timing:
    """Run one build under GNU time; with `sample_memory`, also its process tree's peak PSS.

    The sampler costs a little CPU, so callers use it on builds they do not time closely.
    A build still running after `timeout` seconds is stopped (its process group only).
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(GNU_TIME), "-v", "-o", report.name, *argv],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        sampler = TreeMemorySampler(process.pid) if sample_memory else None
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return Timing(None, tree_pss_mb=sampler.stop() if sampler else None)
        seconds = time.perf_counter() - started
        tree_pss_mb = sampler.stop() if sampler else None
        if process.returncode != 0:
            raise BuildFailed(
                f"{' '.join(argv)} failed (exit {process.returncode}):\n{stdout}{stderr}"
            )
        fields = _time_report(report.read())
        return Timing(
            seconds,
            float(fields["User time (seconds)"]) + float(fields["System time (seconds)"]),
            int(fields["Maximum resident set size (kbytes)"]) / 1024,
            tree_pss_mb,
        )


def _time_report(text: str) -> dict[str, str]:
    fields = dict(line.strip().rsplit(": ", 1) for line in text.splitlines() if ": " in line)
    if "Maximum resident set size (kbytes)" not in fields:
        raise BuildFailed(f"no peak memory in GNU time's report:\n{text}")
    return fields


class TreeMemorySampler:
    """Polls the summed PSS of a process's descendants every 20 ms in a thread."""

    def __init__(self, root: int):
        self.root, self.peak_kb, self.running = root, 0, True
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return self.peak_kb / 1024

    def _poll(self) -> None:
        while self.running:
            self.peak_kb = max(self.peak_kb, sum(map(_pss_kb, _descendants(self.root))))
            time.sleep(0.02)


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        parent = pending.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += map(int, children)
        pending += map(int, children)
    return found


def _pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0
