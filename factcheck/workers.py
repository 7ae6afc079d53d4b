"""Run independent jobs on every core.

Workers are forked after the site is loaded, so they share it without copying; only
the job indexes go to them and only the results come back.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
MIN_JOBS = 64  # below this, starting workers costs more than it saves
_job: Callable | None = None


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


Progress = Callable[[str, int, int], None]
"""progress(what, done, total): told as jobs finish, so a terminal can show counts."""


def run_all(job: Callable[[T], R], items: Sequence[T], what: str = "",
            progress: Progress | None = None) -> list[R]:
    """[job(item) for item in items], on every core when there are enough items.

    Items travel to the workers pickled, so they should be small (indexes, ids).
    """
    workers = min(cores(), len(items) // MIN_JOBS)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _counted(map(job, items), what, len(items), progress)
    global _job
    _job = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunk = max(1, len(items) // (workers * 8))
            return _counted(pool.imap(_run, items, chunk), what, len(items), progress)
    except Exception:
        # Run here instead, so a failure is raised with its full traceback (a template's
        # file and line) rather than the copy a worker sends back.
        return [job(item) for item in items]
    finally:
        _job = None


def _counted(results: Iterator[R], what: str, total: int, progress: Progress | None) -> list[R]:
    done: list[R] = []
    step = max(1, total // 100)
    for result in results:
        done.append(result)
        if progress and (len(done) % step == 0 or len(done) == total):
            progress(what, len(done), total)
    return done


def _run(item):
    return _job(item)
