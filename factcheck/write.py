"""Write stage: bring the output folder up to date, knowing which of its files are ours.

Nothing in the output changes until the whole site has rendered without an error:
rendered files wait in a staging folder (`.factcheck-staging/`) and are renamed into
place only then, so a reader (or `serve`) sees the old or the new file, never half of
one. An output folder that does not exist yet is made whole beside it
(`.<name>.factcheck-new/`, laid out as the site) and renamed into place at once.
The manifest (`.factcheck-files.json`) lists every file this generator wrote, and
the build cache keeps each one's digest and stamp (size, mtime_ns, inode): a file is
reused only while it is still that file, so a torn, foreign or hand-edited one is
written again, and without the cache every file is compared by its bytes. Before the
first rename a journal (`.factcheck-commit.json`, made durable) names the paths the
commit will touch and the files it adds, so a build killed at any point leaves the next
build knowing what to distrust; it is removed once the manifest is right again (rewritten
only when the site gained or lost a file). The next build also clears any staging left
behind. Files the generator never wrote (a CNAME) are never removed. The manifest holds
names only, so equal sources still give byte-identical output folders.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from .errors import UsageError
from .sources import digest

MANIFEST = ".factcheck-files.json"
JOURNAL = ".factcheck-commit.json"
STAGING = ".factcheck-staging"
NEW_SUFFIX = ".factcheck-new"
FORMAT = "factcheck-commit-1"
BOOKKEEPING = frozenset({MANIFEST, JOURNAL, STAGING})
"""Names in the output that are the build's own, never published (see `deploy`)."""


class OutputError(UsageError):
    """The output folder cannot be used (it overlaps the sources, is not a folder, or
    cannot be written: read-only, full)."""


Method = TypeVar("Method", bound=Callable[..., Any])


def _output_errors(left: str) -> Callable[[Method], Method]:
    """A Staging method whose OS errors (a read-only or full disk, a file where a folder
    must be) become one OutputError line naming the folder, the reason and, as `left`,
    what the failure left of the output."""

    def wrap(method: Method) -> Method:
        @functools.wraps(method)
        def run(staging: Staging, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(staging, *args, **kwargs)
            except OSError as exc:
                raise OutputError(_cannot_write(staging.out, exc, left)) from None

        return cast(Method, run)

    return wrap


def _cannot_write(out: Path, exc: OSError, left: str) -> str:
    why = exc.strerror.lower() if exc.strerror else type(exc).__name__
    where = Path(exc.filename) if isinstance(exc.filename, str) else None
    at = ""
    if where is not None and where.is_relative_to(out) and STAGING not in where.parts:
        at = f" at {where.relative_to(out).as_posix()}"
    return f"cannot write the output folder {out}{at}: {why}; {left}"


UNTOUCHED = "nothing in it was changed"


class Recorded(NamedTuple):
    """A file as this generator wrote it: a tuple, equal to the store's row of it."""

    digest: str
    size: int
    mtime_ns: int
    inode: int


@dataclass(frozen=True)
class Staged:
    """A rendered file: its digest and stamp, and its staging name (None: already in place)."""

    digest: str
    size: int
    mtime_ns: int
    inode: int
    name: str | None


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


def check_output_folder(out: Path, src: Path, cache: Path, preview: Path) -> None:
    """Refuse an output folder that is, holds or lies inside the sources or the cache
    (but for the cache's `preview`, where `serve` builds)."""
    out, src, cache, preview = out.resolve(), src.resolve(), cache.resolve(), preview.resolve()
    if out == src or src.is_relative_to(out):
        raise OutputError(f"output folder {out} would hold the sources; choose another --out")
    for name in ("content", "checks", "templates"):
        if out.is_relative_to(src / name):
            raise OutputError(f"output folder {out} is inside the sources' {name}/")
    if out.is_relative_to(cache) and out != preview:
        raise OutputError(f"output folder {out} is inside the build cache {cache}")
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"output {out} cannot be a folder: {parent} is a file")
        if parent.exists():
            break


class Output:
    """The output folder as the last build left it: its manifest, and the stamps the
    cache recorded of the files written there."""

    def __init__(self, out: Path, recorded: Mapping[str, tuple[str, int, int, int]]) -> None:
        self.out = out
        self.files, self.pending, self.clean = _read_manifest(out)
        self.recorded = recorded

    def is_current(self, path: str, file_digest: str) -> bool:
        """Whether the file at `path` is still the one we wrote with this digest."""
        entry = self.recorded.get(path)
        if entry is None or entry[0] != file_digest:
            return False
        if path not in self.files or path in self.pending:
            return False
        try:
            status = os.stat(f"{self.out}/{path}", follow_symlinks=False)
        except OSError:
            return False
        return stat.S_ISREG(status.st_mode) and entry == (
            file_digest,
            status.st_size,
            status.st_mtime_ns,
            status.st_ino,
        )

    def all_in_place(self) -> bool:
        """Whether the output is exactly the files recorded, each as we wrote it, with no
        commit left half-done."""
        if not self.clean or self.pending or self.files != self.recorded.keys():
            return False
        return all(self.is_current(path, entry[0]) for path, entry in self.recorded.items())


class Staging:
    """Where this build's rendered files wait until the build has succeeded."""

    @_output_errors(UNTOUCHED)
    def __init__(self, out: Path) -> None:
        self.out = out
        self.made_out = not out.exists()
        """No output yet: the site is made whole in `new_folder` and renamed into place."""
        clear_staging(out)
        self.folder = new_folder(out) if self.made_out else out / STAGING
        self.folder.mkdir(parents=True)
        self._made: set[str] = set()

    @_output_errors(UNTOUCHED)
    def put(self, path: str, data: bytes) -> Staged:
        """Stage one file; one whose bytes are in place already is only stamped."""
        file_digest = digest(data)
        target = f"{self.out}/{path}"
        if not self.made_out and _holds(target, data):
            status = os.stat(target)
            return Staged(file_digest, status.st_size, status.st_mtime_ns, status.st_ino, None)
        name = path if self.made_out else digest(path.encode("utf-8"))
        folder = f"{self.folder}/{name}".rpartition("/")[0]
        if folder not in self._made:  # a new site's folders, made by the workers
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        with open(f"{self.folder}/{name}", "wb") as stream:
            os.fchmod(stream.fileno(), 0o644)
            stream.write(data)
            stream.flush()
            status = os.fstat(stream.fileno())
        return Staged(file_digest, status.st_size, status.st_mtime_ns, status.st_ino, name)

    def discard(self) -> None:
        """The build failed: leave the output as it was."""
        clear_staging(self.out)

    @_output_errors("it may be partly updated, and the next build completes it")
    def commit(
        self, output: Output, current: Mapping[str, str], staged: Mapping[str, Staged]
    ) -> tuple[WriteStats, dict[str, tuple[str, int, int, int]]]:
        """Put the staged files in place and remove ours that the site no longer has.

        `current` maps every file of the site to its digest; those not staged are in
        place already (checked with `Output.is_current`). Returns what was done and the
        stamp of every file now in place, for the cache to keep.
        """
        _check_writable(self.out, [p for p, item in staged.items() if item.name is not None])
        recorded: dict[str, tuple[str, int, int, int]] = {
            path: output.recorded[path] for path in current if path not in staged
        }
        recorded.update(
            {path: Recorded(s.digest, s.size, s.mtime_ns, s.inode) for path, s in staged.items()}
        )
        names = set(current)
        if self.made_out and self._renamed_whole(names):
            return WriteStats(len(staged), len(current) - len(staged), 0), recorded
        stale = sorted(output.files - names, reverse=True)
        touched = set(staged) | set(stale)
        if touched or output.pending:
            _write_journal(self.out, sorted(touched | output.pending), sorted(names - output.files))
        folders: set[str] = set()
        written = 0
        for path, item in staged.items():
            if item.name is not None:
                folder = f"{self.out}/{path}".rpartition("/")[0]
                if folder not in folders:
                    os.makedirs(folder, exist_ok=True)
                    folders.add(folder)
                os.replace(self.folder / item.name, f"{self.out}/{path}")
                written += 1
        for path in stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.out}/{path}")
            _remove_empty_parents(self.out / path, self.out)
        if output.files != names or not output.clean:
            _write_manifest(self.out, names)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.out / JOURNAL)
        clear_staging(self.out)
        return WriteStats(written, len(current) - written, len(stale)), recorded

    def _renamed_whole(self, files: set[str]) -> bool:
        """A new site made whole: put in place by one rename (False when a folder has
        appeared at the output's place since, and the files must be moved one by one)."""
        _write_listing(self.folder / MANIFEST, sorted(files))
        try:
            os.rename(self.folder, self.out)
        except OSError:
            if not self.out.is_dir():
                raise
            self.out.joinpath(STAGING).mkdir(exist_ok=True)  # for the manifest's rewrite
            return False
        return True


def _check_writable(out: Path, paths: list[str]) -> None:
    """Refuse to start a commit that a read-only folder would stop half-way."""
    for folder in sorted({f"{out}/{p}".rpartition("/")[0] for p in paths}):
        existing = Path(folder)
        while not existing.exists() and existing != out:
            existing = existing.parent
        if existing.is_dir() and not os.access(existing, os.W_OK | os.X_OK):
            raise OutputError(
                _cannot_write(
                    out, PermissionError(13, "permission denied", str(existing)), UNTOUCHED
                )
            )


def new_folder(out: Path) -> Path:
    """Where a site whose output folder does not exist yet is made: beside that folder."""
    out = out.absolute()
    return out.with_name(f".{out.name}{NEW_SUFFIX}")


def clear_staging(out: Path) -> None:
    """Remove what a build left in staging, whether it failed or was killed."""
    shutil.rmtree(out / STAGING, ignore_errors=True)
    shutil.rmtree(new_folder(out), ignore_errors=True)


def _holds(target: str, data: bytes) -> bool:
    try:
        if os.stat(target).st_size != len(data):
            return False
        with open(target, "rb") as stream:
            return stream.read() == data
    except OSError:
        return False


def _read_manifest(out: Path) -> tuple[set[str], set[str], bool]:
    """The files we wrote, the paths an interrupted commit may have left torn, and whether
    the manifest is as a finished build writes it (else it is written again).

    A manifest that cannot be read names nothing: files then are only overwritten. A
    journal that cannot be read leaves every file in doubt.
    """
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        data = None
    files = _safe_names(data) if isinstance(data, list) else set()
    clean = isinstance(data, list) and data == sorted(files)
    try:
        journal = json.loads((out / JOURNAL).read_text("utf-8"))
    except FileNotFoundError:
        return files, set(), clean
    except (OSError, ValueError):
        return files, set(files), False
    if not isinstance(journal, dict) or journal.get("format") != FORMAT:
        return files, set(files), False
    added = journal.get("added")
    pending = journal.get("pending")
    return (
        files | _safe_names(added if isinstance(added, list) else []),
        _safe_names(pending) if isinstance(pending, list) else set(files),
        False,
    )


_UNSAFE_PARTS = (
    *("\n/", "/\n", "//", "\n\n", "\\"),  # a path from the root, an empty part, a backslash
    *("\n../", "/../", "/..\n", "\n..\n"),  # a step up
    *(f"\n{name}{end}" for name in sorted(BOOKKEEPING) for end in "/\n"),
)
"""What `_safe` refuses, as it shows in names each on its own line."""


def _safe_names(names: list[object]) -> set[str]:
    """The names `_safe` allows: all of them when their lines hold nothing it refuses (a
    manifest of 200,000 names is read on every build), else one by one."""
    if all(isinstance(n, str) and "\n" not in n for n in names):
        text = "\n" + "\n".join(cast(list[str], names)) + "\n"
        if not any(part in text for part in _UNSAFE_PARTS):
            return set(cast(list[str], names))
    return {n for n in names if isinstance(n, str) and _safe(n)}


def _safe(path: object) -> bool:
    """A path the manifest may name: inside the output, and not our own bookkeeping."""
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path:
        return False
    parts = path.split("/")
    return ".." not in parts and "" not in parts and parts[0] not in BOOKKEEPING


def _write_manifest(out: Path, files: set[str]) -> None:
    """The list of our files."""
    temporary = out / STAGING / MANIFEST  # staging exists while a commit runs
    _write_listing(temporary, sorted(files))
    os.replace(temporary, out / MANIFEST)


def _write_journal(out: Path, pending: list[str], added: list[str]) -> None:
    """What a commit is about to touch and add, on the disk before the first rename."""
    temporary = out / STAGING / JOURNAL
    _write_listing(temporary, {"format": FORMAT, "pending": pending, "added": added}, True)
    os.replace(temporary, out / JOURNAL)


def _write_listing(path: Path, data: object, durable: bool = False) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        # One name a line, and by json's C encoder (an indent would make it Python's).
        stream.write(json.dumps(data, separators=(",\n", ":")))
        stream.write("\n")
        if durable:  # the record of intent must reach the disk before the first rename
            stream.flush()
            os.fsync(stream.fileno())


def _remove_empty_parents(path: Path, root: Path) -> None:
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root):
            return
        try:
            parent.rmdir()
        except OSError:
            return
