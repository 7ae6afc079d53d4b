"""The build as one recipe: read sources → validate into a model → render → write.

Every stage reports into one `Report`; nothing is written unless the whole site read,
validated and rendered without an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, Report
from .markup import mark_up
from .render import Renderer
from .sources import read_sources
from .validate import validate
from .write import WriteStats, check_output_folder, write_output


@dataclass(frozen=True)
class Result:
    report: Report
    files: dict[str, bytes]
    articles: int
    claims: int
    stats: WriteStats | None = None


def render_site(src: Path, report: Report, base_url: str | None = None) -> Result:
    """Read, validate and render everything in memory; raise BuildError on any error."""
    sources = read_sources(src, report)
    site = validate(sources, report, base_url)
    renderer = Renderer(site.config, sources.templates, src)
    with renderer.reporting(report):
        site = mark_up(site, renderer.widget, report, frozenset(c.id for c in sources.checks))
        if report.errors:
            raise BuildError(report)
        files = renderer.render(site)
    return Result(report, files, len(site.articles), len(site.homes))


def check(src: Path, base_url: str | None = None) -> Result:
    """Validate the sources completely (templates included) without writing anything."""
    return render_site(src, Report(), base_url)


def build(src: Path, out: Path, base_url: str | None = None) -> Result:
    """Build the site into `out`, touching it only when the whole build succeeded."""
    check_output_folder(out, src)
    result = render_site(src, Report(), base_url)
    stats = write_output(out, result.files)
    return Result(result.report, result.files, result.articles, result.claims, stats)
