"""Write stage: bring the output folder up to date with the rendered files.

It runs only after the whole site has rendered without errors, so a failed build never
touches the output. Each changed file is written to a temporary file and renamed over
the old one, so a reader (or `serve`) never sees a half-written page; unchanged files
are left alone, and files the previous build wrote that no longer exist are removed.
A manifest of what the build wrote means files it did not write are never deleted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".factcheck-files.json"


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


class OutputError(Exception):
    """The output folder cannot be used (it overlaps the sources, or is not a folder)."""


def check_output_folder(out: Path, src: Path) -> None:
    """Refuse an output folder that is, or holds, or lies inside the editors' sources."""
    out, src = out.resolve(), src.resolve()
    if out == src or src.is_relative_to(out):
        raise OutputError(f"output folder {out} would hold the sources; choose another --out")
    for name in ("content", "checks", "templates"):
        if out.is_relative_to(src / name):
            raise OutputError(f"output folder {out} is inside the sources' {name}/")
    if out.exists() and not out.is_dir():
        raise OutputError(f"output {out} exists and is not a folder")


def write_output(out: Path, files: dict[str, bytes], keep: Iterable[str] = ()) -> WriteStats:
    """Write new and changed files atomically, then remove what the last build left.

    `keep` names files of the last build that are still current and were not rendered.
    """
    out.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(out)
    current = files.keys() | set(keep)
    folders: set[str] = set()
    written = sum(_update(f"{out}/{name}", data, folders) for name, data in files.items())
    unchanged = len(files) - written
    stale = sorted(previous - current, reverse=True)
    for name in stale:
        (out / name).unlink(missing_ok=True)
        _remove_empty_parents(out / name, out)
    if current != previous or not (out / MANIFEST).is_file():
        _replace(out / MANIFEST, (json.dumps(sorted(current), indent=0) + "\n").encode())
    return WriteStats(written, unchanged + len(current) - len(files), len(stale))


def has_size(out: Path, name: str, size: int) -> bool:
    """Whether the output holds this file at this size: what a cached build relies on."""
    try:
        return os.stat(f"{out}/{name}").st_size == size
    except OSError:
        return False


def _update(target: str, data: bytes, folders: set[str]) -> bool:
    """Replace a file whose bytes differ; True when it was written.

    `folders` remembers the folders known to exist, which saves a system call per file.
    """
    try:
        with open(target, "rb") as stream:
            if stream.read() == data:
                return False
    except OSError:
        pass
    folder = target.rpartition("/")[0]
    if folder not in folders:
        os.makedirs(folder, exist_ok=True)
        folders.add(folder)
    _replace(target, data)
    return True


def _replace(target: str | Path, data: bytes) -> None:
    """Write beside the target and rename over it, so a reader sees the old or the new file.

    The temporary name carries the process id, so two builds into one folder cannot mix
    their halves; it is fixed rather than random because random names cost twice the time.
    """
    folder, _, name = str(target).rpartition("/")
    temporary = f"{folder}/.{name}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as stream:
            os.fchmod(stream.fileno(), 0o644)
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_manifest(out: Path) -> set[str]:
    try:
        names = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str) and "/../" not in f"/{n}/"
            and not n.startswith("/")}


def _remove_empty_parents(path: Path, root: Path) -> None:
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root):
            return
        try:
            parent.rmdir()
        except OSError:
            return
