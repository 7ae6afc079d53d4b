"""Incremental builds: what each input produced last time, keyed by content hashes.

Every key includes a fingerprint of everything a build shares (the build code and the
libraries it uses, the templates, `site.yaml` and the base URL), so any change there
misses every entry and the build is as cold as a first one. Entries not used by a build
are dropped when it saves, so the cache holds one build's worth. It lives in a dot-folder
beside the output and is safe to delete.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from .sources import digest

CACHE_FILE = "build.pickle"
LIBRARIES = ("Jinja2", "Markdown", "MarkupSafe", "nh3", "PyYAML")
_MISSING = object()


def key(*parts: str) -> str:
    return digest("\0".join(parts).encode("utf-8"))


def files_fingerprint(paths: Iterable[Path]) -> str:
    """One hash over several files' names and bytes."""
    return key(*(f"{p.as_posix()}\0{digest(p.read_bytes())}" for p in paths))


def code_fingerprint() -> str:
    """The build code and library versions: a new version must not reuse old output."""
    package = Path(__file__).resolve().parent
    versions = [f"{name}=={metadata.version(name)}" for name in LIBRARIES]
    return key(files_fingerprint(sorted(package.glob("*.py"))), *versions)


def cache_folder(out: Path) -> Path:
    """`site/` keeps its cache in `.site-cache/` beside it."""
    return out.parent / f".{out.name}-cache"


class BuildCache:
    """Results by key, from the last build's file (if any) and this build's work."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.old: dict[str, Any] = self._load() if folder else {}
        self.new: dict[str, Any] = {}
        self.changed = False

    def get(self, entry: str, default: Any = None) -> Any:
        value = self.old.get(entry, _MISSING)
        if value is _MISSING:
            return default
        self.new[entry] = value
        return value

    def put(self, entry: str, value: Any) -> None:
        self.new[entry] = value
        self.changed = self.changed or self.old.get(entry, _MISSING) != value

    def save(self) -> None:
        """Write this build's entries, atomically; a cache that cannot be written is skipped."""
        if not self.folder or not (self.changed or self.new.keys() != self.old.keys()):
            return
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(self.new, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.folder / CACHE_FILE)

    def _load(self) -> dict[str, Any]:
        try:
            with open(self.folder / CACHE_FILE, "rb") as stream:
                data = pickle.load(stream)
        except Exception:  # a missing, old or damaged cache is just an empty one
            return {}
        return data if isinstance(data, dict) else {}
