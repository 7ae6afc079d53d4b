"""The build as one recipe: read sources → validate into a model → render → write.

Every stage reports into one `Report`; nothing is written unless the whole site read,
validated and rendered without an error. A build into a folder keeps a cache beside it,
so the next build redoes only the work whose inputs changed.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from pathlib import Path

from .cache import BuildCache, cache_folder, code_fingerprint, key
from .errors import BuildError, Report, fail_on_warnings
from .markup import mark_up
from .render import Renderer, templates_fingerprint
from .sources import read_sources
from .validate import validate
from .workers import Progress
from .write import WriteStats, check_output_folder, has_size, write_output

RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class Result:
    report: Report
    files: dict[str, bytes]
    reused: dict[str, int]
    articles: int
    claims: int
    stats: WriteStats | None = None


def render_site(src: Path, report: Report, base_url: str | None = None,
                cache: BuildCache | None = None, out: Path | None = None,
                progress: Progress | None = None) -> Result:
    """Read, validate and render everything in memory; raise BuildError on any error.

    With a cache, pages still current in `out` are not rendered again (see `Result.reused`).
    """
    cache = cache or BuildCache()
    started = time.time_ns()
    stamps = key("stamps", str(src.resolve()))
    collecting = gc.isenabled()
    gc.disable()  # a build makes many objects and frees few: collecting only costs time
    try:
        known = cache.get(stamps) or {}
        sources = read_sources(src, report, known)
        # What every file's model depends on besides itself: the code and site.yaml (the
        # verdicts, the default language); every page also on the templates and base URL.
        model_scope = key(code_fingerprint(), sources.site_digest)
        scope = key(model_scope, templates_fingerprint(sources.templates), base_url or "")
        inputs = key(scope, "build", *(f"{f.path}\0{f.digest}"
                                       for f in (*sources.checks, *sources.articles)))
        previous = _previous_result(cache, inputs, out, report)
        if previous is not None:
            return previous
        site = validate(sources, report, base_url, cache, model_scope, progress)
        renderer = Renderer(site.config, sources.templates, src,
                            cache.folder / "templates" if cache.folder else None)
        with renderer.reporting(report):
            site = mark_up(site, renderer.widget, report,
                           frozenset(c.name for c in sources.checks), cache, scope, progress)
            if report.errors:
                raise BuildError(report)
            rendered = renderer.render(site, cache, scope, out, progress)
    finally:
        if collecting:  # a command line that builds once and exits leaves it off throughout
            gc.enable()
    # Stamps are trusted only for files last changed well before this build began: a file
    # written in the same instant as it was read could otherwise keep a stale stamp.
    trusted = {f.path: (f.stamp, f.digest) for f in (*sources.checks, *sources.articles)
               if f.stamp and f.stamp[2] < started - RACY_NS}
    if trusted != known:
        cache.put(stamps, trusted)
    written = {path: len(data) for path, data in rendered.files.items()}
    cache.put(inputs, (list(report.items), rendered.reused | written, len(site.articles),
                       len(site.homes)))
    return Result(report, rendered.files, rendered.reused, len(site.articles), len(site.homes))


def _previous_result(cache: BuildCache, inputs: str, out: Path | None,
                     report: Report) -> Result | None:
    """The last build's result, when no input has changed and its files are all in place."""
    last = cache.get(inputs) if out is not None and not report.errors else None
    if last is None:
        return None
    diagnostics, sizes, articles, claims = last
    if not all(has_size(out, path, size) for path, size in sizes.items()):
        return None
    cache.keep_all()
    report.items.extend(diagnostics)
    return Result(report, {}, sizes, articles, claims)


def check(src: Path, base_url: str | None = None) -> Result:
    """Validate the sources completely (templates included) without writing anything."""
    return render_site(src, Report(), base_url)


def build(src: Path, out: Path, base_url: str | None = None, strict: bool = False,
          progress: Progress | None = None, memory: dict | None = None) -> Result:
    """Build the site into `out`, touching it only when the whole build succeeded.

    `strict` fails the build on any warning, before anything is written. A process that
    builds again and again passes the same `memory` each time (see `BuildCache`).
    """
    check_output_folder(out, src)
    cache = BuildCache(cache_folder(out), memory)
    result = render_site(src, Report(), base_url, cache, out, progress)
    if strict:
        fail_on_warnings(result.report)
    stats = write_output(out, result.files, keep=result.reused.keys())
    cache.save()
    return Result(result.report, result.files, result.reused, result.articles, result.claims,
                  stats)
