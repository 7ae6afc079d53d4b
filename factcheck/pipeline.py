"""The build as one recipe: read → validate → mark up → homes → render → write.

The stages are the queries of `graph`; the memo (`memo`) runs each only when something
it read has changed since the last complete build, and keeps what it read. This module
drives them rank by rank, on every core when there is enough to do, and hands the pages
to the write stage, which touches the output only once every page has rendered. Every
problem goes into one report: with an error, nothing is written and nothing is stored.

The facts the memo starts from are found here: each source file's digest (read again
only when its stamp changed, as git's index does), each template's, each option's. When
they are the very facts an output folder was last built from and its files are all in
place, nothing is built at all (`_unchanged`).
"""

from __future__ import annotations

import fcntl
import functools
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import codec
from .errors import BuildError, Diagnostic, Report, fail_on_warnings
from .memo import Memo, Query, Store, make_cache_folder
from .memo import Result as MemoResult
from .options import BuildOptions
from .sources import (
    Scan,
    Stamp,
    Unreadable,
    digest,
    read_bytes,
    scan,
    shipped_facts,
    template_files,
)
from .workers import Progress, run_all
from .write import Output, Staged, Staging, WriteStats, check_output_folder, clear_staging

if TYPE_CHECKING:  # the stages are imported when a build has work to do (see `_build`)
    from .graph import Graph

T = TypeVar("T")
CACHE = ".factcheck-cache"
"""The build cache's folder in the source folder (git-ignored and tagged as a cache)."""
PREVIEW = "preview"
"""`serve`'s output, in the cache folder: kept between runs (see `preview_folder`)."""
RACY_NS = 2_000_000_000
"""A stamp is trusted only for files last changed this long before the build began: a
file written in the same instant as it was read could otherwise keep a stale stamp."""


@dataclass(frozen=True)
class Result:
    report: Report
    articles: int
    claims: int
    stats: WriteStats | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    """Every output file's bytes, for `render_all` only."""
    written: dict[str, tuple[str, int, int, int]] | None = None
    """The digest and stamp of every file in the output folder, as this build left it."""
    as_built: AsBuilt | None = None
    """What the output now holds was built from, when the cache can vouch for it."""


@dataclass(frozen=True)
class AsBuilt:
    """An output folder as a build left it: the digest of all the facts it was built from,
    and what that build reported beyond the scan (the results' own diagnostics). While
    the facts are the same and every file is in place, building again changes nothing."""

    facts: str
    diagnostics: tuple[Diagnostic, ...]
    articles: int
    claims: int


@dataclass
class Warm:
    """What a process that builds again and again (serve) keeps from one build to the
    next: the store, open, while no other build has saved into it since; and the last
    successful build's results, each reused only while the store holds its digest."""

    results: dict[str, MemoResult] = field(default_factory=dict)
    store: Store | None = None

    def open_store(self, folder: Path) -> Store:
        code = code_digest()
        if self.store is not None and self.store.usable_again(folder, code):
            return self.store
        if self.store is not None:
            self.store.close()
        self.store = Store(folder, code)
        return self.store


def cache_folder(src: Path) -> Path:
    return src / CACHE


def build(
    src: Path,
    out: Path,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
    warm: Warm | None = None,
) -> Result:
    """Build the site into `out`, touching it only when the whole build succeeded."""
    options = options or BuildOptions()
    check_output_folder(out, src, cache_folder(src), cache_folder(src) / PREVIEW)
    with _locked(cache_folder(src), exclusive=True):
        store = (
            warm.open_store(cache_folder(src)) if warm else Store(cache_folder(src), code_digest())
        )
        folder = str(out.resolve())
        try:
            recorded = store.outputs(folder)
            output = Output(out, recorded)
            inputs = _inputs(src, store, options)
            result = _unchanged(inputs, output, options, store, folder) or _build(
                inputs, output, options, store, progress, warm
            )
            if result.written is not None:
                record = codec.dumps(result.as_built) if result.as_built else None
                store.save_outputs(folder, _changed(recorded, result.written), record)
            return result
        finally:
            if warm is None:
                store.close()


def check(src: Path, options: BuildOptions | None = None) -> Result:
    """Validate and render everything without writing anything (the cache is only read)."""
    options = options or BuildOptions()
    folder = cache_folder(src)
    with _locked(folder, exclusive=False):
        store = Store(folder if folder.is_dir() else None, code_digest(), read_only=True)
        try:
            return _build(_inputs(src, store, options), None, options, store, None)
        finally:
            store.close()


def render_all(src: Path, options: BuildOptions | None = None) -> Result:
    """Every output file in memory, from nothing: what a cold build would write."""
    options = options or BuildOptions()
    store = Store(None, "")
    return _build(_inputs(src, store, options), None, options, store, None, keep=True)


@dataclass(frozen=True)
class Inputs:
    """What the scan found, and each fact's digest now (see `_facts`)."""

    found: Scan
    templates: dict[str, Path]
    known: dict[str, tuple[Stamp, str]]
    facts: dict[str, str]
    stamps: dict[str, tuple[Stamp, str]]
    preread: dict[str, bytes]

    @functools.cached_property
    def digest(self) -> str:
        """One digest of every fact: equal only when every input is as it was."""
        lines = (f"{k}\0{d}" for k, d in sorted(self.facts.items()))
        return digest("\n".join(lines).encode("utf-8"))


def _inputs(src: Path, store: Store, options: BuildOptions) -> Inputs:
    started = time.time_ns()
    found = scan(src)
    templates = template_files(found.templates)
    known = store.stamps()
    return Inputs(found, templates, known, *_facts(found, known, templates, options, started))


def _unchanged(
    inputs: Inputs, output: Output, options: BuildOptions, store: Store, folder: str
) -> Result | None:
    """A build that would change nothing, found without building: the output was last
    built from these very facts and every file of it is still in place. None when
    anything differs (or cannot be vouched for): then the whole build decides."""
    text = store.as_built(folder)
    if (
        text is None
        or store.problems
        or any(d.severity == "error" for d in inputs.found.diagnostics)
    ):
        return None
    try:
        as_built = codec.loads(AsBuilt, text)
    except codec.CodecError:
        return None
    if as_built.facts != inputs.digest or not output.all_in_place():
        return None
    report = Report()
    report.items.extend((*inputs.found.diagnostics, *as_built.diagnostics))
    if options.strict:
        fail_on_warnings(report)
    clear_staging(output.out)  # what a killed build may have left
    store.save_stamps(_changed(inputs.known, inputs.stamps))
    stats = WriteStats(0, len(output.recorded), 0)
    return Result(report, as_built.articles, as_built.claims, stats)


def _build(
    inputs: Inputs,
    output: Output | None,
    options: BuildOptions,
    store: Store,
    progress: Progress | None,
    warm: Warm | None = None,
    keep: bool = False,
) -> Result:
    from .graph import Graph  # with every stage and its libraries: 0.15 s a process

    found, facts = inputs.found, inputs.facts
    report = Report()
    report.items.extend(found.diagnostics)
    graph = Graph(found, options, inputs.templates, inputs.preread, _template_digests(facts))
    memo = Memo(graph.queries, facts, store, warm.results if warm else None)
    _sources(graph, memo, options, progress)
    reported: list[Diagnostic] = []
    for query, args in graph.diagnostics_of():
        for arg in args:
            reported.extend(memo.diagnostics(query, arg))
    report.items.extend(reported)
    report.items.extend(
        Diagnostic(f"{CACHE}/", 1, 1, f"the build cache was ignored: {why}", severity="warning")
        for why in store.problems
    )
    if report.errors:
        raise BuildError(report)
    pages = memo.get(graph.pages)
    render, in_place = _due_pages(graph, memo, pages, output, everything=keep)
    if options.strict:
        fail_on_warnings(report)
    staging = Staging(output.out) if output is not None else None
    try:
        staged, files = _render(graph, memo, render, staging, options, progress, keep)
        stats, written = None, None
        if staging is not None and output is not None:
            current = in_place | {path: item.digest for path, item in staged.items()}
            stats, written = staging.commit(output, current, staged)
    except BaseException:
        if staging is not None:
            staging.discard()
        raise
    if not store.read_only:
        memo.save()
        store.save_stamps(_changed(inputs.known, inputs.stamps))
    if warm is not None:
        warm.results = memo.results
    counts = Counter(name for _, name, _ in pages)
    articles, claims = counts["article-page"], counts["claim-page"]
    as_built = None if store.problems else AsBuilt(inputs.digest, tuple(reported), articles, claims)
    return Result(report, articles, claims, stats, files, written, as_built)


def _sources(graph: Graph, memo: Memo, options: BuildOptions, progress: Progress | None) -> None:
    """Validate, mark up and place everything whose inputs changed."""
    checks, articles = list(graph.check_files), list(graph.article_files)
    # A feature query that reports diagnostics is computed for every argument it reports on.
    reported = {query.name: list(args) for query, args in graph.diagnostics_of()}
    stages: list[tuple[Query[Any], list[str] | Callable[[], list[str]] | None, str]] = [
        (graph.config, [""], ""),
        (graph.check, checks, "checks read"),
        (graph.article, articles, "articles read"),
        (graph.body, articles, "articles marked up"),
        (graph.order, [""], ""),
        (graph.homes, [""], ""),
        (graph.review, None, "claims reviewed"),
        (graph.claim_order, [""], ""),
        (graph.reviews, lambda: graph.review_chunks(memo.get(graph.claim_order)), ""),
        (graph.assets, [""], ""),
        *((query, reported.get(query.name), "") for query in graph.feature_queries),
        (graph.pages, [""], ""),
    ]
    for query, live, what in stages:
        args = live() if callable(live) else live
        _compute(memo, query, memo.due(query, args), options.jobs, what, progress)


def _due_pages(
    graph: Graph,
    memo: Memo,
    pages: Sequence[tuple[str, str, str]],
    output: Output | None,
    everything: bool,
) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """The pages to render: those whose inputs changed, and those not in place on disk
    (every page when `everything`); and the digest of each page in place."""
    live: dict[str, list[str]] = {name: [] for name in graph.page_queries}
    for _, name, arg in pages:
        live[name].append(arg)
    due: set[tuple[str, str]] = set()
    for name, query in graph.page_queries.items():
        due.update((name, arg) for arg in memo.due(query, live[name]))
        memo.store.stored_digests(f"{name}:")  # one read for the digests of all of them
    render, in_place = [], {}
    for path, name, arg in pages:
        if everything or (name, arg) in due:
            render.append((path, name, arg))
        elif output is not None:
            page_digest = memo.digest(graph.page_queries[name], arg)
            if output.is_current(path, page_digest):
                in_place[path] = page_digest
            else:
                render.append((path, name, arg))
    return render, in_place


def _render(
    graph: Graph,
    memo: Memo,
    pages: list[tuple[str, str, str]],
    staging: Staging | None,
    options: BuildOptions,
    progress: Progress | None,
    keep: bool,
) -> tuple[dict[str, Staged], dict[str, bytes]]:
    """Render the pages, each staged (or kept) as it is made; only digests come back."""
    memo.take_fresh()

    def job(page: tuple[str, str, str]) -> tuple[dict[str, Any], Staged | None, bytes | None]:
        path, name, arg = page
        result = memo.compute(graph.page_queries[name], arg)
        data: bytes = result.value
        result.value, result.loaded = None, False  # the bytes go to staging, not back
        fresh = memo.take_fresh()
        return fresh, staging.put(path, data) if staging else None, data if keep else None

    staged, files = {}, {}
    for (path, _, _), (fresh, item, data) in zip(
        pages, run_all(job, pages, options.jobs, "pages rendered", progress), strict=True
    ):
        memo.adopt(fresh)
        if item is not None:
            staged[path] = item
        if data is not None:
            files[path] = data
    return staged, dict(sorted(files.items()))


def _compute(
    memo: Memo, query: Query[Any], args: list[str], jobs: int, what: str, progress: Progress | None
) -> None:
    """Compute the query for these arguments, in workers when there are many."""
    if not args:
        return
    memo.take_fresh()

    def job(arg: str) -> dict[str, Any]:
        memo.compute(query, arg)
        return memo.take_fresh()

    for fresh in run_all(job, args, jobs, what, progress):
        memo.adopt(fresh)


# --- the facts ------------------------------------------------------------------------------


def _facts(
    found: Scan,
    known: Mapping[str, tuple[Stamp, str]],
    templates: dict[str, Path],
    options: BuildOptions,
    started: int,
) -> tuple[dict[str, str], dict[str, tuple[Stamp, str]], dict[str, bytes]]:
    """Every fact's digest now; the stamps worth keeping; the bytes read to find them."""
    facts: dict[str, str] = {}
    stamps: dict[str, tuple[Stamp, str]] = {}
    preread: dict[str, bytes] = {}
    files = [*found.articles, *found.checks, *found.locales, *([found.site] if found.site else [])]
    for file in files:
        remembered = known.get(file.path)
        if remembered is not None and remembered[0] == file.stamp:
            file_digest = remembered[1]
        else:
            try:
                data = preread[file.path] = read_bytes(file)
            except Unreadable as exc:
                facts[f"file:{file.path}"] = f"unreadable: {exc}"
                continue
            file_digest = digest(data)
        facts[f"file:{file.path}"] = file_digest
        if file.stamp[1] < started - RACY_NS and file.stamp[2] < started - RACY_NS:
            stamps[file.path] = (file.stamp, file_digest)
    for name, path in templates.items():
        facts[f"tmpl:{name}"] = digest(path.read_bytes())
    facts["list:content"] = _listing(f.path for f in found.articles)
    facts["list:checks"] = _listing(f.path for f in found.checks)
    facts["list:assets"] = _listing(n for n in templates if n.startswith("assets/"))
    facts["list:locales"] = _listing(f.path for f in found.locales)
    facts.update(shipped_facts())
    facts.update(options.facts())
    return facts, stamps, preread


def _template_digests(facts: Mapping[str, str]) -> dict[str, str]:
    return {k.removeprefix("tmpl:"): d for k, d in facts.items() if k.startswith("tmpl:")}


def _listing(names: Iterator[str] | Any) -> str:
    return digest("\n".join(sorted(names)).encode("utf-8"))


def code_digest() -> str:
    """The generator's code and the libraries installed beside it: new ones start afresh."""
    package = Path(__file__).resolve().parent
    parts = [  # features/ too: a page type's code is the generator's
        f"{p.relative_to(package).as_posix()}\0{digest(p.read_bytes())}"
        for p in sorted(package.rglob("*.py"))
    ]
    for folder in sys.path:
        if folder.endswith("site-packages") and Path(folder).is_dir():
            parts += sorted(n for n in _names(folder) if n.endswith(".dist-info"))
    return digest("\n".join(parts).encode("utf-8"))


def _names(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _changed(before: Mapping[str, T], after: Mapping[str, T]) -> dict[str, T | None]:
    """What to store of a mapping that was `before` and is `after`: None deletes a key."""
    changed: dict[str, T | None] = {k: v for k, v in after.items() if before.get(k) != v}
    changed.update((k, None) for k in before.keys() - after.keys())
    return changed


@contextmanager
def preview_folder(src: Path) -> Iterator[Path]:
    """Where `serve` builds: the cache folder's preview/, kept between runs, so that the
    next `serve` starts from the pages this one left, rebuilding only what changed (every
    file is checked as any build checks its output). One `serve` at a time has it (a lock
    held while it runs); another, or one that cannot write the cache folder, builds into
    a temporary folder, removed when it stops; so does one whose preview/ is a link or a
    file (a cache folder that came with the sources, say), never building through it."""
    folder, handle, held = cache_folder(src), None, False
    preview = folder / PREVIEW
    try:
        make_cache_folder(folder)
        handle = open(folder / f"{PREVIEW}.lock", "a+")  # noqa: SIM115
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held = not preview.is_symlink() and (preview.is_dir() or not os.path.lexists(preview))
    except OSError:  # a read-only source folder, or another serve has it
        pass
    try:
        if held:
            yield preview
        else:
            with tempfile.TemporaryDirectory(prefix="factcheck-serve-") as temporary:
                yield Path(temporary) / "site"
    finally:
        if handle is not None:
            handle.close()


@contextmanager
def _locked(folder: Path, exclusive: bool) -> Iterator[None]:
    """One build at a time per cache: a build waits for another to finish with it."""
    handle = None
    try:
        if exclusive:
            make_cache_folder(folder)
        if folder.is_dir():
            handle = open(folder / "lock", "a+")  # noqa: SIM115
    except OSError:
        pass  # a read-only source folder: build without the cache's lock
    try:
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        if handle is not None:
            handle.close()
