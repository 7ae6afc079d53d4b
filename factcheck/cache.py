"""Incremental builds: what each input produced last time, keyed by content hashes.

Every key includes a fingerprint of everything a build shares (the build code and the
libraries it uses, the templates, `site.yaml` and the base URL), so any change there
misses every entry and the build is as cold as a first one. Entries not used by a build
are dropped when it saves, so the cache holds one build's worth. It lives in a dot-folder
beside the output and is safe to delete.
"""

from __future__ import annotations

import contextlib
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
import markdown
import nh3
import yaml

from .sources import digest

CACHE_FILE = "build.sqlite"
LIBRARIES = (jinja2, markdown, nh3, yaml)  # MarkupSafe comes pinned with Jinja2
PROTOCOL = pickle.HIGHEST_PROTOCOL


def key(*parts: str) -> str:
    return digest("\0".join(parts).encode("utf-8"))


def files_fingerprint(paths: Iterable[Path]) -> str:
    """One hash over several files' names and bytes."""
    return key(*(f"{p.as_posix()}\0{digest(p.read_bytes())}" for p in paths))


def code_fingerprint() -> str:
    """The build code and library versions: a new version must not reuse old output."""
    package = Path(__file__).resolve().parent
    versions = [f"{library.__name__}=={library.__version__}" for library in LIBRARIES]
    return key(files_fingerprint(sorted(package.glob("*.py"))), *versions)


def cache_folder(out: Path) -> Path:
    """`site/` keeps its cache in `.site-cache/` beside it."""
    return out.parent / f".{out.name}-cache"


class BuildCache:
    """Results by key: the last build's from an SQLite file, and this build's.

    All entries are read at once but stay pickled until asked for; a save writes only
    the entries that changed and deletes the unused ones, in one transaction, so a small
    edit to a large site costs little. A process that builds again and again (`serve`)
    passes the same `memory` dict to each build's cache: a save leaves every entry there
    unpickled, and the next build takes them from it instead of the file.
    """

    def __init__(self, folder: Path | None = None, memory: dict[str, Any] | None = None) -> None:
        self.folder, self.memory = folder, memory
        self.db = self._open() if folder else None
        self.values: dict[str, Any] = dict(memory or {})  # a copy: a failed build keeps none
        self.stored: dict[str, bytes] = {}
        if self.db is not None and not self.values:
            with contextlib.suppress(sqlite3.Error):  # values stay pickled until asked for
                self.stored = dict(self.db.execute("SELECT key, value FROM entries"))
        self.used: set[str] = set()
        self.changed: dict[str, Any] = {}
        self.pickled: dict[str, bytes] = {}

    def get(self, entry: str, default: Any = None) -> Any:
        self.used.add(entry)
        if entry in self.values:
            return self.values[entry]
        data = self.stored.get(entry)
        if data is None:
            return default
        try:
            value = self.values[entry] = pickle.loads(data)
        except Exception:  # a damaged entry is a missing one
            return default
        return value

    def put(self, entry: str, value: Any) -> None:
        self.used.add(entry)
        self.changed[entry] = value

    def put_pickled(self, entry: str, data: bytes) -> Any:
        """Store a value pickled already (by a worker, to send it here); return it unpickled."""
        self.used.add(entry)
        self.pickled[entry] = data
        value = self.values[entry] = pickle.loads(data)
        return value

    def keep_all(self) -> None:
        """Keep every stored entry: this build reused the last one whole."""
        self.used.update(self.stored.keys() | self.values.keys())

    def save(self) -> None:
        """Store this build's new entries and forget those it did not use."""
        if self.db is None:
            return
        try:
            with self.db:  # deleting first lets the new entries reuse the freed pages
                unused = [(k,) for k in self.stored.keys() | self.values.keys()
                          if k not in self.used]
                self.db.executemany("DELETE FROM entries WHERE key = ?", unused)
                self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", [
                    *((k, pickle.dumps(v, PROTOCOL)) for k, v in self.changed.items()),
                    *self.pickled.items()])
            free, pages = (self.db.execute(f"PRAGMA {name}").fetchone()[0]
                           for name in ("freelist_count", "page_count"))
            if free > pages // 2:  # after a full rebuild: give the space back
                self.db.execute("VACUUM")
        except sqlite3.Error:
            self._forget()  # the file did not take the entries: do not keep them in memory
        else:
            self._remember()
        self.db.close()
        self.db = None

    def _remember(self) -> None:
        """Leave in `memory` every entry the file now holds, unpickled."""
        if self.memory is None:
            return
        for entry in self.used & (self.stored.keys() - self.values.keys()):
            self.get(entry)
        self.memory.clear()
        self.memory.update((k, v) for k, v in self.values.items() if k in self.used)
        self.memory.update(self.changed)

    def _forget(self) -> None:
        if self.memory is not None:
            self.memory.clear()

    def _open(self) -> sqlite3.Connection | None:
        """The cache database; a missing, old or damaged one starts empty."""
        path = self.folder / CACHE_FILE
        for attempt in range(2):
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path)
                db.execute("PRAGMA synchronous = OFF")
                db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB)")
                return db
            except (sqlite3.Error, OSError):
                if attempt == 0:
                    with contextlib.suppress(OSError):
                        path.unlink()
        return None
