"""Run independent jobs on every core, and fail loudly when a worker does.

Workers are forked once the data they need is loaded, so they share it without copying;
only the jobs' arguments go to them and only their results come back. An exception in a
job is raised in the build as it was raised there; a worker that dies (killed, out of
memory) stops the build with an error that says so, never a silent retry or a hang.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from .errors import FactcheckError

T = TypeVar("T")
R = TypeVar("R")
MIN_JOBS = 64  # below this, starting workers costs more than it saves
_job: Callable[[Any], Any] | None = None

Progress = Callable[[str, int, int], None]
"""progress(what, done, total): told as jobs finish, so a terminal can show counts."""


class WorkerDied(FactcheckError):
    """A worker process ended without finishing its jobs."""


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_all(
    job: Callable[[T], R],
    items: Sequence[T],
    jobs: int = 0,
    what: str = "",
    progress: Progress | None = None,
) -> list[R]:
    """[job(item) for item in items], on `jobs` processes (0: every core) when worth it.

    Items travel to the workers pickled, so they should be small (names, indexes).
    """
    workers = min(jobs or cores(), len(items) // MIN_JOBS)
    if workers < 2:
        return _counted(map(job, items), what, len(items), progress)
    import multiprocessing  # here: a build with little to do never starts a process
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if "fork" not in multiprocessing.get_all_start_methods():
        return _counted(map(job, items), what, len(items), progress)
    global _job
    _job = job
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunk = max(1, len(items) // (workers * 8))
            return _counted(pool.map(_run, items, chunksize=chunk), what, len(items), progress)
    except BrokenProcessPool:
        raise WorkerDied(
            f"a worker process died while {what or 'building'} (killed, or out "
            "of memory?); nothing was written"
        ) from None
    finally:
        _job = None


def _counted(results: Iterable[R], what: str, total: int, progress: Progress | None) -> list[R]:
    done: list[R] = []
    step = max(1, total // 100)
    for result in results:
        done.append(result)
        if progress and (len(done) % step == 0 or len(done) == total):
            progress(what, len(done), total)
    return done


def _run(item: Any) -> Any:
    assert _job is not None
    return _job(item)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
