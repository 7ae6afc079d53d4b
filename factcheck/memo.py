"""The memoising layer: every derived value kept with what it read, reused only while that holds.

Each value a build derives (a validated check, an article body, a rendered page) is the
result of a *query*: a named function of one argument, run with a `Reads` that records
everything it looks at, with the digest each had: source files, templates and options
(the *facts*, whose digests are known before anything runs) and other queries' results.
Nothing is keyed by hand: a result's key is its query and argument, and it is current
while everything it read still has the digest it recorded (Lektor's recorded artifact
dependencies; Shake's verifying traces).

A result may also offer *facets*, parts of it with digests of their own (a check's
verdict, one claim's placement among all homes), so a reader of a part is left alone
when only another part changed: early cut-off without a result for every part. A value
that is cheap to make again (a check's model, an article body) is not stored at all:
only its digest and facets are, and it is made again when a reader needs it whole.

A build starts from the facts that changed since the last complete build and follows a
reverse index, from what was read to who read it, one rank at a time: a query may read
only queries of lower rank, so when a rank is reached every change below it is known.
A reader is computed again only when something it read has a new digest, so an edit
costs what it touches; a result nothing changed under is trusted without being read.
Facts and queries that almost every page reads (templates, options, the settings) are
"broad": they are left out of the index, and their readers are found by a scan of every
result when one of them changes, which only happens when most pages change anyway.

The store is SQLite holding JSON (see `codec`), never pickles; one that cannot be used,
is damaged or was written by other code is started afresh with a warning. A build that
fails stores nothing, since it may have stopped before bringing every reader up to date.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from . import codec
from .errors import Diagnostic, Report
from .sources import Stamp, digest

T = TypeVar("T")
FORMAT = "factcheck-memo-3"
DATABASE = "build.sqlite"
FACT_KINDS = frozenset({"file", "tmpl", "opt", "list"})
"""Key prefixes of facts: `file:content/a.md`, `tmpl:base.html`, `opt:base_url`, `list:checks`."""
BROAD_FACTS = ("tmpl:", "opt:")
ABSENT = "-"
"""The digest of what does not exist: a deleted file, a facet a result no longer has."""
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This folder is the fact-check generator's build cache; it is safe to delete.\n"
    "# See https://bford.info/cachedir/\n"
)
GENERATION = "generation"
BUILT = "built:"
"""The meta key of an output folder's record of what it was built from."""
_CHUNK = 500  # keys per SQL statement, well under SQLite's limit on parameters
_BULK = 1000  # results of one query read one by one before all of them are read at once


def text_digest(text: str) -> str:
    return digest(text.encode("utf-8"))


def value_digest(value: object) -> str:
    return text_digest(codec.dumps(value))


@dataclass(frozen=True, eq=False)
class Query(Generic[T]):
    """A derived value: `compute(reads, arg)`, asking `reads` for everything it needs.

    `kind` is the value's type, for reading it back from the store. The value of a query
    that is not `stored` is made again when needed: a page's bytes (reusing the page
    means its output is in place), or a model cheaper to make than to store. Its digest
    is that of its bytes, or else of what it read. `facets(value)` gives the parts
    readers may ask for by name, each stored with its value, of type `facet_kind`.
    """

    name: str
    kind: Any
    compute: Callable[[Reads, str], T]
    rank: int
    stored: bool = True
    broad: bool = False
    facets: Callable[[T], Mapping[str, Any]] | None = None
    facet_kind: Any = None


class Queries:
    """The build's queries, each ranked after the ones defined before it."""

    def __init__(self) -> None:
        self.by_name: dict[str, Query[Any]] = {}

    def define(
        self,
        name: str,
        kind: Any,
        compute: Callable[[Reads, str], T],
        *,
        stored: bool = True,
        broad: bool = False,
        facets: Callable[[T], Mapping[str, Any]] | None = None,
        facet_kind: Any = None,
    ) -> Query[T]:
        if name in FACT_KINDS or not name.replace("-", "").isalpha() or name in self.by_name:
            raise ValueError(f"'{name}' cannot name a query")
        query: Query[T] = Query(
            name, kind, compute, len(self.by_name), stored, broad, facets, facet_kind
        )
        self.by_name[name] = query
        return query


class MemoError(Exception):
    """The memo was used against its rules: a programming error, never an editor's."""


@dataclass
class Result:
    """A query's result as this build knows it.

    A result trusted from the store has only its digest until its value or facets are
    asked for; a result computed in this build has `reads`, which the store must take.
    """

    digest: str
    value: Any = None
    loaded: bool = False
    reads: tuple[str, ...] | None = None
    """What a result computed in this build read, by key (their digests are in its own)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    text: str | None = None
    facets: dict[str, tuple[str, Any]] | None = None
    """Each facet's digest and value, by name (computed now, or loaded from the store)."""
    facets_text: str | None = None
    """The facets as the store keeps them, made with their digests where the result was
    computed (a worker, mostly): the save only writes them."""


class Reads:
    """What one computation looks at; each look is recorded with the digest it saw."""

    def __init__(self, memo: Memo, query: Query[Any]) -> None:
        self.memo, self.query = memo, query
        self.seen: dict[str, str] = {}
        self.report = Report()

    def fact(self, key: str) -> str:
        """A fact's digest (ABSENT when it does not exist)."""
        value = self.memo.facts.get(key, ABSENT)
        self.seen[key] = value
        return value

    def file(self, key: str, read: Callable[[], bytes]) -> bytes:
        """A file's bytes, recorded by the digest of exactly the bytes read."""
        data = read()
        self.seen[key] = digest(data)
        return data

    def get(self, query: Query[T], arg: str = "") -> T:
        self._check(query)
        value = self.memo.get(query, arg)
        self.seen[f"{query.name}:{arg}"] = self.memo.digest(query, arg)
        return value

    def facet(self, query: Query[Any], arg: str, name: str) -> Any:
        """One facet of a result (None when the result has no such facet)."""
        self._check(query)
        value, facet_digest = self.memo.facet(query, arg, name)
        self.seen[f"{query.name}:{arg}#{name}"] = facet_digest
        return value

    def _check(self, query: Query[Any]) -> None:
        if query.rank >= self.query.rank:
            raise MemoError(f"{self.query.name} cannot read {query.name}: rank it first")


class Memo:
    """One build's results: those computed now and, trusted while current, the last build's.

    The driver (the pipeline) calls `due` for every query in rank order and computes the
    arguments it returns (here or in workers, whose results it `adopt`s); `get`, `digest`
    and `facet` answer for any query whose rank has been reached.
    """

    def __init__(
        self,
        queries: Queries,
        facts: Mapping[str, str],
        store: Store,
        kept: Mapping[str, Result] | None = None,
    ) -> None:
        """`kept` are results an earlier build in this process made or read (see `_trusted`)."""
        store.load()
        self.queries, self.facts, self.store = queries, dict(facts), store
        self.kept = kept or {}
        self.results: dict[str, Result] = {}
        self.fresh: dict[str, Result] = {}
        """Results computed in this build, here or by a worker."""
        self.dropped: set[str] = set()
        """Results of the last build that may be stale and were not computed again."""
        self.rank = -1
        """The rank being computed: results of higher ranks cannot be asked for yet."""
        self._new: list[str] = []
        """Keys computed by this process, in order; those from `_taken` on not yet sent."""
        self._taken = 0
        self._due: set[str] = set()
        self._walked: set[str] = set()
        self._pending: dict[int, set[str]] = {}
        self._broad: dict[str, bool] = {}
        self.changed = {
            key
            for key in self.facts.keys() | store.facts.keys()
            if self.facts.get(key, ABSENT) != store.facts.get(key, ABSENT)
        }
        self._enqueue(self.changed)

    # --- asking for results ---------------------------------------------------------

    def get(self, query: Query[T], arg: str = "") -> T:
        return self._loaded(query, arg).value  # type: ignore[no-any-return]

    def digest(self, query: Query[Any], arg: str = "") -> str:
        return self._result(query, arg).digest

    def facet(self, query: Query[Any], arg: str, name: str) -> tuple[Any, str]:
        """A facet's value and digest; (None, ABSENT) when the result has no such facet."""
        if query.facets is None:
            raise MemoError(f"{query.name} has no facets")
        result = self._result(query, arg)
        if result.reads is None:  # trusted: its facets are read one by one from the store
            found = result.facets = result.facets or {}
            if name not in found:
                try:
                    found[name] = self.store.facet(f"{query.name}:{arg}", name, query.facet_kind)
                except codec.CodecError as exc:
                    self._damaged(f"{query.name}:{arg}", exc)
                    result = self._recompute_late(query, arg, result.digest)
        assert result.facets is not None
        facet_digest, value = result.facets.get(name, (ABSENT, None))
        return value, facet_digest

    def diagnostics(self, query: Query[Any], arg: str = "") -> tuple[Diagnostic, ...]:
        """A result's diagnostics; ask only once its rank has been computed."""
        key = f"{query.name}:{arg}"
        if query.rank > self.rank:
            raise MemoError(f"{key} asked for before its rank was reached")
        result = self.fresh.get(key)
        return result.diagnostics if result is not None else self.store.diagnostics.get(key, ())

    def compute(self, query: Query[T], arg: str = "") -> Result:
        """Run the query now, whatever the store holds, and keep what it read."""
        key = f"{query.name}:{arg}"
        reads = Reads(self, query)
        value = query.compute(reads, arg)
        text = _stored_text(query.kind, value) if query.stored else None
        if text is not None:
            result_digest = text_digest(text)
        elif isinstance(value, bytes):
            result_digest = digest(value)
        else:  # made again from the same reads, it is the same value
            result_digest = text_digest("\n".join(f"{k}\0{d}" for k, d in reads.seen.items()))
        facets, facets_text = (None, None) if query.facets is None else _facets(query.facets(value))
        result = Result(
            result_digest,
            value,
            True,
            tuple(reads.seen),
            tuple(reads.report.items),
            text,
            facets,
            facets_text,
        )
        self.results[key] = self.fresh[key] = result
        self._due.discard(key)
        self._new.append(key)
        return result

    def take_fresh(self) -> dict[str, Result]:
        """Results computed here since the last call: what a worker sends back."""
        new = {k: self.fresh[k] for k in self._new[self._taken :]}
        self._taken = len(self._new)
        return new

    def adopt(self, results: Mapping[str, Result]) -> None:
        """Take the results a worker computed."""
        for key, result in results.items():
            if result.reads is not None:  # keys read by many results are kept once
                result.reads = tuple(map(sys.intern, result.reads))
            if key not in self.fresh:
                self.results[key] = self.fresh[key] = result
                self._due.discard(key)

    def _result(self, query: Query[Any], arg: str) -> Result:
        key = f"{query.name}:{arg}"
        result = self.results.get(key)
        if result is not None:
            return result
        if query.rank > self.rank:
            raise MemoError(f"{key} asked for before its rank was reached")
        stored = self.store.digest(key)
        if stored is None or key in self.dropped or key in self._due:
            return self.compute(query, arg)
        result = self.results[key] = self._trusted(key, stored)
        return result

    def _trusted(self, key: str, stored: str) -> Result:
        """A result the store vouches for, with the value and facets an earlier build in
        this process had for the same digest: a digest names what its result read, so
        the same digest is the same value (and serve need not decode it again)."""
        kept = self.kept.get(key)
        if kept is None or kept.digest != stored:
            return Result(stored)
        return Result(stored, kept.value, kept.loaded, facets=kept.facets)

    def _loaded(self, query: Query[Any], arg: str) -> Result:
        result = self._result(query, arg)
        if result.loaded:
            return result
        key = f"{query.name}:{arg}"
        if not query.stored:
            return self._recompute_late(query, arg, result.digest)
        try:
            result.value, result.loaded = self.store.value(key, query.kind), True
        except codec.CodecError as exc:
            self._damaged(key, exc)
            return self._recompute_late(query, arg, result.digest)
        return result

    def _damaged(self, key: str, exc: Exception) -> None:
        self.store.problems.append(f"entry {key} is damaged ({exc}); computed again")

    def _recompute_late(self, query: Query[Any], arg: str, old: str) -> Result:
        """A trusted result computed again because its value is not at hand."""
        result = self.compute(query, arg)
        if result.digest != old:  # its readers may have been trusted already: forget them
            key = f"{query.name}:{arg}"
            self.dropped.update(
                self.store.readers([key, *(f"{key}#{f}" for f in result.facets or ())])
            )
        return result

    # --- the walk over what changed ----------------------------------------------------

    def due(self, query: Query[Any], live: Iterable[str] | None = None) -> list[str]:
        """The arguments of `query` to compute now; call for every query in rank order.

        They are those whose last result read something that has changed since, and,
        when `live` lists every argument the site has now, those never computed. A stale
        result outside `live` is dropped, which changes it for its readers in turn.
        """
        if query.rank < self.rank:
            raise MemoError(f"{query.name} is due after a higher rank")
        self._walk()
        self.rank = query.rank
        prefix = f"{query.name}:"
        stale = self._pending.pop(query.rank, set()) - self.fresh.keys()
        if live is None:
            todo = stale
        else:
            wanted = {prefix + arg for arg in live}
            known = self.store.keys_of(query.name)
            gone = (stale | known) - wanted
            self.dropped |= gone
            self._enqueue(gone)
            todo = (stale & wanted) | (wanted - known - self.fresh.keys())
        self._due |= todo
        return sorted(k.removeprefix(prefix) for k in todo)

    def _walk(self) -> None:
        """Bring the readers of every part that changed into the walk."""
        changed: list[str] = []
        for key, result in self.fresh.items():
            if key in self._walked:
                continue
            self._walked.add(key)
            old = self.store.digest(key)
            if result.digest != old:
                changed.append(key)
            if result.facets is not None:
                before = self.store.facet_digests(key) if old is not None else {}
                now = {name: d for name, (d, _) in result.facets.items()}
                changed.extend(
                    f"{key}#{name}"
                    for name in now.keys() | before.keys()
                    if now.get(name, ABSENT) != before.get(name, ABSENT)
                )
        self._enqueue(changed)

    def _enqueue(self, keys: Iterable[str]) -> None:
        for reader in self.store.readers(keys, self._is_broad):
            query = self.queries.by_name.get(reader.partition(":")[0])
            if query is None:
                continue
            if query.rank > self.rank:
                self._pending.setdefault(query.rank, set()).add(reader)
            elif reader not in self.fresh:  # its rank has passed: never trust it again
                self.dropped.add(reader)

    def _is_broad(self, key: str) -> bool:
        name = key.partition(":")[0]
        found = self._broad.get(name)
        if found is None:
            query = self.queries.by_name.get(name)
            found = self._broad[name] = key.startswith(BROAD_FACTS) or (
                query is not None and query.broad
            )
        return found

    # --- keeping the results ------------------------------------------------------------

    def save(self) -> None:
        """Store this build's results and facts: call only when the build is complete."""
        self._walk()
        left = set().union(*self._pending.values()) - self.fresh.keys()
        self.store.save(self.facts, self.changed, self.fresh, self.dropped | left, self._is_broad)


class Store:
    """The last complete build's facts and results, in SQLite, read lazily.

    A store that cannot be opened, is damaged or was written by other code is replaced
    by an empty one (with a warning in `problems`), never trusted or executed. A forked
    worker opens its own read-only connection.
    """

    def __init__(self, folder: Path | None, code: str, read_only: bool = False) -> None:
        self.folder, self.code, self.read_only = folder, code, read_only
        self.problems: list[str] = []
        self.facts: dict[str, str] = {}
        self.keys: set[str] = set()
        self.diagnostics: dict[str, tuple[Diagnostic, ...]] = {}
        self._rows: dict[str, tuple[str, str | None, str | None] | None] = {}
        self._asked: dict[str, int] = {}
        self._bulk: set[str] = set()
        self._facets: dict[str, dict[str, tuple[str, Any]]] = {}
        self._by_name: dict[str, set[str]] | None = None
        self._stamps: dict[str, tuple[Stamp, str]] | None = None
        self._digests_read: set[str] = set()
        self._loaded = True
        self._outputs: dict[str, dict[str, tuple[str, int, int, int]]] = {}
        self.generation: str | None = None
        """The token the file's last save wrote: while it holds, what this store read and
        wrote is what the file holds, and a process building again may keep using it."""
        self._pid = os.getpid()
        self._db: sqlite3.Connection | None = None
        if folder is not None:
            self._open(folder)

    # --- reading --------------------------------------------------------------------------

    def keys_of(self, name: str) -> set[str]:
        """The stored results of one query."""
        if self._by_name is None:
            self._by_name = {}
            for key in self.keys:
                self._by_name.setdefault(key.partition(":")[0], set()).add(key)
        return self._by_name.get(name, set())

    def digest(self, key: str) -> str | None:
        row = self._row(key)
        return row[0] if row is not None else None

    def value(self, key: str, kind: Any) -> Any:
        """A stored value; CodecError when it is not there or not the one stored."""
        row = self._row(key)
        if row is None or row[1] is None:
            raise codec.CodecError("no value stored")
        if text_digest(row[1]) != row[0]:
            raise codec.CodecError("the value is not the one its digest was made of")
        return row[1] if kind is str else codec.loads(kind, row[1])

    def facet(self, key: str, name: str, kind: Any) -> tuple[str, Any]:
        """One facet's digest and value ((ABSENT, None) when the result has no such facet);
        CodecError when it is damaged."""
        data = self._facet_data(key)
        if name not in data:
            return ABSENT, None
        facet_digest, raw = data[name]
        value = codec.from_data(kind.get(name) if isinstance(kind, Mapping) else kind, raw)
        if value_digest(value) != facet_digest:
            raise codec.CodecError(f"facet {name} is not the one its digest was made of")
        return facet_digest, value

    def facet_digests(self, key: str) -> dict[str, str]:
        return {name: d for name, (d, _) in self._facet_data(key).items()}

    def _facet_data(self, key: str) -> dict[str, tuple[str, Any]]:
        if key not in self._facets:
            row = self._row(key)
            found: dict[str, tuple[str, Any]] = {}
            try:
                data = json.loads(row[2]) if row is not None and row[2] is not None else {}
                for name, pair in data.items():
                    if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str):
                        found[name] = (pair[0], pair[1])
            except (ValueError, AttributeError):
                found = {}
            self._facets[key] = found
        return self._facets[key]

    def _row(self, key: str) -> tuple[str, str | None, str | None] | None:
        """(digest, value, facets) of a stored result, read alone or, once a build has
        asked for many results of one query, with all of that query's in one read."""
        if key in self._rows:
            return self._rows[key]
        if key not in self.keys:
            return None
        name = key.partition(":")[0]
        asked = self._asked[name] = self._asked.get(name, 0) + 1
        if asked == _BULK and name not in self._bulk:
            self._bulk.add(name)
            for found, *rest in self._all(
                "SELECT key, digest, value, facets FROM entries WHERE key >= ? AND key < ?",
                [f"{name}:", f"{name};"],
            ):
                self._rows.setdefault(found, _checked_row(rest))
        else:
            rows = self._all("SELECT digest, value, facets FROM entries WHERE key = ?", [key])
            self._rows[key] = _checked_row(rows[0]) if rows else None
        return self._rows.get(key)

    def readers(
        self, keys: Iterable[str], is_broad: Callable[[str], bool] = lambda k: False
    ) -> set[str]:
        """The results that read any of these keys."""
        narrow: list[str] = []
        broad: list[str] = []
        for key in keys:
            (broad if is_broad(key) else narrow).append(key)
        found: set[str] = set()
        for start in range(0, len(narrow), _CHUNK):
            chunk = narrow[start : start + _CHUNK]
            found.update(
                r
                for (r,) in self._all(
                    f"SELECT reader FROM readers WHERE dep IN ({','.join('?' * len(chunk))})", chunk
                )
            )
        if broad:  # left out of the index: look for them in what every result read
            for key, reads in self._all("SELECT key, reads FROM entries", []):
                if any(f'"{b}"' in reads for b in broad):
                    found.add(key)
        return found & self.keys

    def stored_digests(self, prefix: str) -> None:
        """Read the digests of every stored result whose key starts with `prefix` at once
        (for results whose values are not stored, such as pages); once is enough for a
        store used again, since its saves keep what it read up to date."""
        if prefix in self._digests_read:
            return
        self._digests_read.add(prefix)
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        for key, found in self._all(
            "SELECT key, digest FROM entries WHERE key >= ? AND key < ?", [prefix, end]
        ):
            if isinstance(found, str):
                self._rows.setdefault(key, (found, None, None))

    def stamps(self) -> dict[str, tuple[Stamp, str]]:
        """Source files' stamps (size, mtime, ctime, inode) and digests, as last recorded."""
        if self._stamps is None:
            rows = self._all("SELECT path, size, mtime, ctime, inode, digest FROM stamps", [])
            self._stamps = {
                p: ((s, m, c, i), d)
                for p, s, m, c, i, d in rows
                if isinstance(d, str) and all(isinstance(n, int) for n in (s, m, c, i))
            }
        return dict(self._stamps)

    # --- writing --------------------------------------------------------------------------

    def save(
        self,
        facts: Mapping[str, str],
        changed: set[str],
        fresh: Mapping[str, Result],
        dead: set[str],
        is_broad: Callable[[str], bool],
    ) -> None:
        db = self._connection()
        if db is None or self.read_only:
            return
        dead = (dead & self.keys) - fresh.keys()
        large = len(dead) > len(self.keys) // 2 > 0
        rows = [
            (
                k,
                r.digest,
                json.dumps(list(r.reads or ()), separators=(",", ":")),
                r.text,
                r.facets_text,
            )
            for k, r in fresh.items()
        ]
        try:
            with db:
                self._forget(db, [*dead, *(k for k in fresh if k in self.keys)])
                db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?)", rows)
                db.executemany(
                    "INSERT OR IGNORE INTO readers VALUES (?, ?)",
                    (
                        (dep, k)
                        for k, r in fresh.items()
                        for dep in (r.reads or ())
                        if not is_broad(dep)
                    ),
                )
                db.executemany(
                    "INSERT INTO diagnostics VALUES (?, ?)",
                    ((k, codec.dumps(r.diagnostics)) for k, r in fresh.items() if r.diagnostics),
                )
                db.executemany(
                    "DELETE FROM facts WHERE key = ?", ((k,) for k in changed if k not in facts)
                )
                db.executemany(
                    "INSERT OR REPLACE INTO facts VALUES (?, ?)",
                    ((k, facts[k]) for k in changed if k in facts),
                )
                self._new_generation(db)
        except sqlite3.Error as exc:
            self._fail(f"cannot write it ({exc})")
            return
        self._saved(facts, changed, fresh, dead, rows)
        if large:  # after a large change, give the space back
            with contextlib.suppress(sqlite3.Error):
                db.execute("VACUUM")

    def _saved(
        self,
        facts: Mapping[str, str],
        changed: set[str],
        fresh: Mapping[str, Result],
        dead: set[str],
        rows: list[tuple[str, str, str, str | None, str | None]],
    ) -> None:
        """What this store knows, brought to what `save` wrote: a process that builds
        again (serve) keeps using it instead of reading the file again."""
        for key in changed:
            if key in facts:
                self.facts[key] = facts[key]
            else:
                self.facts.pop(key, None)
        by_name = self._by_name
        for key in dead:
            self.keys.discard(key)
            if by_name is not None:
                by_name.get(key.partition(":")[0], set()).discard(key)
        for key in (*dead, *fresh):
            self.diagnostics.pop(key, None)
            self._rows.pop(key, None)
            self._facets.pop(key, None)
        for key, row_digest, _, value, facets in rows:
            self.keys.add(key)
            if by_name is not None:
                by_name.setdefault(key.partition(":")[0], set()).add(key)
            self._rows[key] = (row_digest, value, facets)
            if fresh[key].diagnostics:
                self.diagnostics[key] = fresh[key].diagnostics

    def _forget(self, db: sqlite3.Connection, keys: list[str]) -> None:
        """Delete results and their index rows, found from the reads they recorded."""
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT key, reads FROM entries WHERE key IN ({marks})", chunk
            ).fetchall()
            db.executemany(
                "DELETE FROM readers WHERE dep = ? AND reader = ?",
                [(dep, key) for key, reads in rows for dep in _read_keys(reads)],
            )
            db.execute(f"DELETE FROM entries WHERE key IN ({marks})", chunk)
            db.execute(f"DELETE FROM diagnostics WHERE key IN ({marks})", chunk)

    def save_stamps(self, changed: Mapping[str, tuple[Stamp, str] | None]) -> None:
        """Record the stamps that changed (None: the file is gone or not to be trusted)."""
        db = self._connection()
        if db is None or self.read_only or not changed:
            return
        try:
            with db:
                db.executemany(
                    "DELETE FROM stamps WHERE path = ?",
                    ((p,) for p, entry in changed.items() if entry is None),
                )
                db.executemany(
                    "INSERT OR REPLACE INTO stamps VALUES (?, ?, ?, ?, ?, ?)",
                    ((p, *entry[0], entry[1]) for p, entry in changed.items() if entry is not None),
                )
                self._new_generation(db)
        except sqlite3.Error as exc:
            self._fail(f"cannot write it ({exc})")
            return
        if self._stamps is not None:
            _apply(self._stamps, changed)

    def outputs(self, folder: str) -> dict[str, tuple[str, int, int, int]]:
        """The digest and stamp (size, mtime, inode) of each file written into `folder`."""
        if folder not in self._outputs:
            rows = self._all(
                "SELECT path, digest, size, mtime, inode FROM outputs WHERE folder = ?", [folder]
            )
            self._outputs[folder] = {
                p: (d, s, m, i)
                for p, d, s, m, i in rows
                if isinstance(d, str) and all(isinstance(n, int) for n in (s, m, i))
            }
        return dict(self._outputs[folder])

    def as_built(self, folder: str) -> str | None:
        """What `save_outputs` last recorded `folder` was built from (see pipeline)."""
        row = self._one("SELECT value FROM meta WHERE key = ?", f"{BUILT}{folder}")
        return row[0] if row is not None and isinstance(row[0], str) else None

    def save_outputs(
        self,
        folder: str,
        changed: Mapping[str, tuple[str, int, int, int] | None],
        as_built: str | None,
    ) -> None:
        """Record what changed of `folder`'s files (None: gone) and what they were built
        from, at once; when a folder is new, forget those that are gone (only then:
        finding them reads every row)."""
        db = self._connection()
        if db is None or self.read_only:
            return
        try:
            with db:
                if as_built is None:
                    db.execute("DELETE FROM meta WHERE key = ?", [f"{BUILT}{folder}"])
                else:
                    db.execute(
                        "INSERT OR REPLACE INTO meta VALUES (?, ?)", [f"{BUILT}{folder}", as_built]
                    )
                if not db.execute("SELECT 1 FROM outputs WHERE folder = ?", [folder]).fetchone():
                    gone = [
                        (f,)
                        for (f,) in db.execute("SELECT DISTINCT folder FROM outputs")
                        if not os.path.isdir(f)
                    ]
                    db.executemany("DELETE FROM outputs WHERE folder = ?", gone)
                    db.executemany(
                        "DELETE FROM meta WHERE key = ?", [(BUILT + f,) for (f,) in gone]
                    )
                db.executemany(
                    "DELETE FROM outputs WHERE folder = ? AND path = ?",
                    ((folder, p) for p, entry in changed.items() if entry is None),
                )
                db.executemany(
                    "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)",
                    ((folder, p, *entry) for p, entry in changed.items() if entry is not None),
                )
                self._new_generation(db)
        except sqlite3.Error as exc:
            self._fail(f"cannot write it ({exc})")
            return
        known = self._outputs.get(folder)  # only a folder read whole is kept
        self._outputs = {} if known is None else {folder: _apply(known, changed)}

    # --- the file ----------------------------------------------------------------------------

    def _open(self, folder: Path) -> None:
        path = folder / DATABASE
        if self.read_only and not path.is_file():
            return
        for attempt in (1, 2):
            try:
                self._connect(folder, path)
                return
            except (sqlite3.Error, OSError) as exc:
                self._fail(
                    f"cannot use it ({exc}); starting afresh"
                    if attempt == 1 and not self.read_only
                    else f"cannot use it ({exc})"
                )
                if self.read_only:
                    return
                _remove_database(folder)

    def _connect(self, folder: Path, path: Path) -> None:
        if self.read_only:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
        else:
            make_cache_folder(folder)
            db = sqlite3.connect(path, timeout=60)
            db.execute("PRAGMA journal_mode = DELETE")  # builds take turns (a lock): no WAL
        db.execute("PRAGMA synchronous = NORMAL")
        self._db = db
        if self._usable(db):
            self._loaded = False  # read by `load`, when a build has something to compute
        elif self.read_only:  # someone else's to start afresh: use none of it
            self.close()
        else:
            self._reset(db)

    def _usable(self, db: sqlite3.Connection) -> bool:
        try:
            rows = dict(db.execute("SELECT key, value FROM meta"))
        except sqlite3.Error:
            if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                self.problems.append("it was not written by this generator; starting afresh")
            return False
        if rows.get("format") != FORMAT:
            self.problems.append("it was written by another version; starting afresh")
            return False
        self.generation = rows.get(GENERATION)
        return rows.get("code") == self.code  # the generator changed: start afresh, quietly

    def _reset(self, db: sqlite3.Connection) -> None:
        with db:
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).fetchall():
                db.execute(f'DROP TABLE IF EXISTS "{name}"')
            db.executescript("""
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
                CREATE TABLE facts (key TEXT PRIMARY KEY, digest TEXT NOT NULL);
                CREATE TABLE entries (key TEXT PRIMARY KEY, digest TEXT NOT NULL,
                                      reads TEXT NOT NULL, value TEXT, facets TEXT);
                CREATE TABLE readers (dep TEXT, reader TEXT, PRIMARY KEY (dep, reader))
                    WITHOUT ROWID;
                CREATE TABLE diagnostics (key TEXT PRIMARY KEY, items TEXT NOT NULL);
                CREATE TABLE stamps (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER,
                                     ctime INTEGER, inode INTEGER, digest TEXT);
                CREATE TABLE outputs (folder TEXT, path TEXT, digest TEXT, size INTEGER,
                                      mtime INTEGER, inode INTEGER,
                                      PRIMARY KEY (folder, path)) WITHOUT ROWID;
            """)
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("code", self.code)]
            )
        db.execute("VACUUM")

    def load(self) -> None:
        """Read the facts, the results' keys and their diagnostics, once: what a memo
        starts from (a build that finds nothing to do never needs them)."""
        if self._loaded or self._db is None:
            return
        self._loaded = True
        try:
            self._read_all(self._db)
        except sqlite3.Error as exc:  # damaged beyond its first page: as `_open` does
            self.facts, self.keys, self.diagnostics = {}, set(), {}
            self.close()
            if self.read_only or self.folder is None:
                self.problems.append(f"cannot use it ({exc})")
                return
            self.problems.append(f"cannot use it ({exc}); starting afresh")
            _remove_database(self.folder)
            self._open(self.folder)

    def _read_all(self, db: sqlite3.Connection) -> None:
        self.facts = {
            k: d
            for k, d in db.execute("SELECT key, digest FROM facts")
            if isinstance(k, str) and isinstance(d, str)
        }
        self.keys = {k for (k,) in db.execute("SELECT key FROM entries") if isinstance(k, str)}
        for key, items in db.execute("SELECT key, items FROM diagnostics"):
            try:
                self.diagnostics[key] = codec.loads(tuple[Diagnostic, ...], items)
            except (codec.CodecError, TypeError) as exc:
                self.problems.append(f"entry {key} is damaged ({exc}); computed again")
                self.keys.discard(key)

    def _new_generation(self, db: sqlite3.Connection) -> None:
        self.generation = secrets.token_hex(16)
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [GENERATION, self.generation])

    def usable_again(self, folder: Path, code: str) -> bool:
        """Whether this open store may serve another build of this process: same folder
        and code, nothing gone wrong, and no other build has saved since (its token)."""
        if self._db is None or self.problems or self.read_only or self._pid != os.getpid():
            return False
        if self.folder != folder or self.code != code or self.generation is None:
            return False
        row = self._one("SELECT value FROM meta WHERE key = ?", GENERATION)
        return row is not None and row[0] == self.generation

    def _one(self, sql: str, key: str) -> tuple[Any, ...] | None:
        rows = self._all(sql, [key])
        return rows[0] if rows else None

    def _all(self, sql: str, args: list[str]) -> list[Any]:
        db = self._connection()
        if db is None:
            return []
        try:
            return db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            self._fail(f"cannot read it ({exc})")
            return []

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is not None and self._pid != os.getpid():
            assert self.folder is not None
            self._pid, self.read_only = os.getpid(), True
            self._db = sqlite3.connect(
                f"file:{self.folder / DATABASE}?mode=ro", uri=True, timeout=60
            )
        return self._db

    def _fail(self, why: str) -> None:
        """Stop using the store: this build is a cold one, and stores nothing."""
        self.problems.append(why)
        self.facts, self.keys, self.diagnostics = {}, set(), {}
        self._rows, self._facets, self._by_name = {}, {}, None
        self._stamps, self._outputs, self.generation = None, {}, None
        self._digests_read = set()
        self.close()

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None


def _apply(mapping: dict[str, T], changed: Mapping[str, T | None]) -> dict[str, T]:
    """`mapping` with the changes a save wrote (None: deleted)."""
    for key, entry in changed.items():
        if entry is None:
            mapping.pop(key, None)
        else:
            mapping[key] = entry
    return mapping


def _facets(parts: Mapping[str, Any]) -> tuple[dict[str, tuple[str, Any]], str]:
    """Each facet's digest and value, and all of them as the store keeps them (a JSON
    object of [digest, value] by name), each value encoded once for both."""
    facets: dict[str, tuple[str, Any]] = {}
    stored: list[str] = []
    for name, part in parts.items():
        encoded = codec.dumps(part)
        facets[name] = (text_digest(encoded), part)
        stored.append(f'{json.dumps(name, ensure_ascii=False)}:["{facets[name][0]}",{encoded}]')
    return facets, "{" + ",".join(stored) + "}"


def _stored_text(kind: Any, value: Any) -> str:
    """A value as the store keeps it: text as it is (claims.json joins thousands), the
    rest as JSON."""
    if kind is str:
        if not isinstance(value, str):
            raise MemoError(f"a str query returned a {type(value).__name__}")
        return value
    return codec.dumps(value)


def _checked_row(row: Any) -> tuple[str, str | None, str | None] | None:
    """A row of (digest, value, facets) if its columns hold what they should, else None."""
    digest_text, value, facets = row
    if not isinstance(digest_text, str) or not all(
        x is None or isinstance(x, str) for x in (value, facets)
    ):
        return None
    return digest_text, value, facets


def _read_keys(text: object) -> list[str]:
    try:
        data = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return []
    return [k for k in data if isinstance(k, str)] if isinstance(data, list) else []


def _remove_database(folder: Path) -> None:
    for name in (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm"):
        with contextlib.suppress(OSError):
            (folder / name).unlink()


def make_cache_folder(folder: Path) -> None:
    """The cache folder, marked as one: backup tools skip it and git ignores it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("CACHEDIR.TAG", CACHEDIR_TAG),
        (".gitignore", "# The build cache: never commit it.\n*\n"),
    ):
        path = folder / name
        if not path.is_file():
            path.write_text(text, encoding="utf-8")
