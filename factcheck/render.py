"""Render stage: views of the validated site become output files.

Templates hold the presentation; this module prepares what they show (views with links
already made relative) and returns bytes: it never reads the sources, the cache or the
output. Every template a page uses is told to a `Recorder`, so the memo knows which
pages an edited template changes. A template that fails while rendering is reported
with its own path and line, never as a traceback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from . import i18n, paths, structured, urls
from .errors import BuildError, Report
from .homes import Appearance
from .markup import Body, Mark
from .model import Article, Check, CheckedArticle, SiteConfig, Verdict
from .sources import BUILTIN_TEMPLATES, digest, template_folders
from .validate import DEFAULT_ABOUT, DEFAULT_CORRECTIONS, DEFAULT_METHODOLOGY

FINGERPRINTED = (".css", ".js")


class Recorder(Protocol):
    """Told the fact key of each template a page loads (`tmpl:<name>`)."""

    def fact(self, key: str) -> str: ...


# --- views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """What pages show of an article they list or link to."""

    slug: str
    title: str
    published: dt.date
    lang: str
    dir: str
    updated: dt.date | None = None
    summary: str = ""
    source: CheckedArticle | None = None
    authors: tuple[str, ...] = ()
    translation_of: str = ""

    @property
    def path(self) -> str:
        return paths.article(self.slug)

    @property
    def modified(self) -> dt.date:
        return self.updated or self.published


def heading(article: Article) -> Heading:
    return Heading(
        article.slug,
        article.title,
        article.published,
        article.lang,
        article.dir,
        article.updated,
        article.summary,
        article.source,
        article.authors,
        article.translation_of,
    )


@dataclass(frozen=True)
class Tallied:
    """An article in a list: its heading, how many claims it checks, and their verdicts."""

    article: Heading
    claims: int
    tally: tuple[tuple[Verdict, int], ...]

    @property
    def path(self) -> str:
        return self.article.path


@dataclass(frozen=True)
class Place:
    """Where an article marks a claim, as a link target."""

    article: Heading
    anchor: str

    @property
    def path(self) -> str:
        return self.article.path


@dataclass(frozen=True)
class ClaimView:
    """A check with what pages need to show and link it."""

    check: Check
    verdict: Verdict
    path: str
    appearances: tuple[Place, ...]

    @property
    def home(self) -> Place:
        return self.appearances[0]


@dataclass(frozen=True)
class Pagination:
    """Where an index page stands among all of them: page 1 is index.html, the newest."""

    number: int
    count: int

    @property
    def newer(self) -> str:
        return paths.index_page(self.number - 1) if self.number > 1 else ""

    @property
    def older(self) -> str:
        return paths.index_page(self.number + 1) if self.number < self.count else ""


def index_count(articles: int, page_size: int) -> int:
    """How many index pages the articles need (at least one, the home page)."""
    return max(1, -(-articles // page_size))


def tally(config: SiteConfig, verdicts: Sequence[str]) -> tuple[tuple[Verdict, int], ...]:
    """Each verdict of the scale with how many of these claims have it, best first."""
    return tuple((v, verdicts.count(v.key)) for v in config.verdicts if v.key in verdicts)


def claim_view(config: SiteConfig, check: Check, places: Sequence[Place]) -> ClaimView:
    return ClaimView(
        check,
        config.verdict(check.verdict),
        paths.claim(places[0].article.slug, check.id),
        tuple(places),
    )


def places(appearances: Sequence[Appearance], headings: Mapping[str, Heading]) -> list[Place]:
    return [Place(headings[a.slug], a.anchor) for a in appearances]


@dataclass(frozen=True)
class Version:
    """One language version of a page (`translation_of` joins them), as the language
    switcher (`link`) and `<link rel="alternate" hreflang>` (`href`) name it."""

    lang: str
    dir: str
    name: str
    """The language in its own words: 'Español', 'اردو'."""
    path: str
    link: str
    """Relative to the page that shows it."""
    href: str
    """Absolute with a base URL, else `link`."""


def versions(
    found: Sequence[i18n.Version], links: urls.Links, base_url: str
) -> tuple[Version, ...]:
    """The versions of a page as its templates show them."""
    return tuple(
        Version(
            v.lang,
            v.dir,
            i18n.language_name(v.lang),
            v.path,
            links(v.path),
            urls.absolute(base_url, v.path) or links(v.path),
        )
        for v in found
    )


@dataclass
class Page:
    """What the base template needs about the page being rendered."""

    path: str
    title: str
    links: urls.Links
    lang: str
    dir: str = "ltr"
    description: str = ""
    jsonld: list[str] = field(default_factory=list)
    versions: tuple[Version, ...] = ()
    """Every language version of this page, itself included (none without translations)."""


# --- templates ---------------------------------------------------------------------------

MAX_REPEATED = 1_000_000
"""The longest text or list a template may make by repeating one (`'-' * 80` is fine)."""
MAX_EXPONENT = 64


class _RecordingEnvironment(jinja2.Environment):
    """Tells the page being rendered about every template it loads: extends and includes
    too, since Jinja loads those through here while rendering."""

    recorder: Recorder | None = None
    speaking: i18n.Translator = i18n.ENGLISH
    """The language of the page being rendered (English outside pages)."""

    def _load_template(self, name: Any, globals: Any) -> jinja2.Template:
        if self.recorder is not None and isinstance(name, str):
            self.recorder.fact(f"tmpl:{name}")
        return super()._load_template(name, globals)


class _SandboxedRecordingEnvironment(SandboxedEnvironment, _RecordingEnvironment):
    """For a site with templates of its own: they come with its pull requests, so they may
    not reach Python's internals (`cycler.__init__.__globals__`) or make a value too big
    to hold (`'x' * 10**10`). The built-in templates alone render unsandboxed (a fifth
    faster), with the same output."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"an exponent above {MAX_EXPONENT} is not allowed")
        if operator == "*":
            sized, count = (left, right) if isinstance(right, int) else (right, left)
            repeats = isinstance(sized, (str, list, tuple)) and isinstance(count, int)
            if repeats and len(sized) * count > MAX_REPEATED:
                raise SecurityError(f"a value longer than {MAX_REPEATED} is not allowed")
        return super().call_binop(context, operator, left, right)


class _CheckedLoader(jinja2.FileSystemLoader):
    """Finds templates as FileSystemLoader does, and keeps each compiled one only while its
    file has the digest the build being run recorded (`digests`): a process that builds
    again (`serve`) compiles only the templates that changed."""

    def __init__(self, folders: Sequence[Path]) -> None:
        super().__init__([str(p) for p in folders])
        self.digests: Mapping[str, str] = {}

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        parts = split_template_path(template)  # refuses '..' as FileSystemLoader does
        found = [p for p in (Path(f, *parts) for f in self.searchpath) if p.is_file()]
        if not found:  # FileSystemLoader's own error, naming the folders searched
            return super().get_source(environment, template)
        data = found[0].read_bytes()  # the bytes compiled are the bytes checked
        loaded = digest(data)
        return data.decode("utf-8"), str(found[0]), lambda: self.digests.get(template) == loaded


KEPT_ENVIRONMENTS = 4
_ENVIRONMENTS: dict[tuple[tuple[Path, ...], bool], _RecordingEnvironment] = {}
"""One environment per template folders and sandboxing in a process, with what it compiled."""


class Renderer:
    """Renders pages from the built-in templates, overridden by the source's own.

    Each template is compiled once per process and used again while its file is unchanged
    (see `_CheckedLoader`); nothing compiled is ever read back from disk.
    """

    def __init__(
        self,
        source_templates: Path | None,
        root: Path,
        translator: Callable[[Any, str], i18n.Translator],
        digests: Mapping[str, str],
        sandboxed: bool = False,
    ) -> None:
        """`translator(recorder, lang)` gives a page's language, read through the recorder;
        `digests` are the templates' (by name) as this build recorded them; `sandboxed` for
        a site with templates of its own."""
        self.root = root
        self.folders = template_folders(source_templates)
        self.translator = translator
        self.env = _environment(tuple(self.folders), sandboxed)
        assert isinstance(self.env.loader, _CheckedLoader)
        self.env.loader.digests = digests

    def text(self, recorder: Recorder, name: str, **context: Any) -> str:
        """A template rendered; a failure becomes a BuildError naming the template's line."""
        self.env.recorder = recorder
        try:
            return self.env.get_template(name).render(**context)
        except BuildError:
            raise
        except Exception as exc:  # a template can fail in any way: say where, not how
            report = Report()
            self._report_template_error(exc, report)
            raise BuildError(report) from None
        finally:
            self.env.recorder = None

    def page(
        self,
        recorder: Recorder,
        config: SiteConfig,
        assets: Mapping[str, str],
        page: Page,
        name: str,
        extra: Mapping[str, Any] | None = None,
        **context: Any,
    ) -> bytes:
        """An HTML page; `extra` is what features add to it (see `graph.Feature.extras`)."""

        def asset(asset_name: str) -> str:
            if asset_name not in assets:
                raise jinja2.TemplateRuntimeError(f"no asset '{asset_name}' in templates/assets/")
            return page.links(assets[asset_name])

        self.env.speaking = self.translator(recorder, page.lang)
        try:
            return self.text(
                recorder,
                name,
                site=config,
                page=page,
                url=page.links,
                asset=asset,
                extra=extra or {},
                **context,
            ).encode("utf-8")
        finally:
            self.env.speaking = i18n.ENGLISH

    def _report_template_error(self, exc: Exception, report: Report) -> None:
        """Name the template file and line, never a traceback."""
        name, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        if name is None:
            frames = [
                f
                for f in traceback.extract_tb(exc.__traceback__)
                if any(Path(f.filename).is_relative_to(p) for p in self.folders)
            ]
            if frames:
                name, line = frames[-1].filename, frames[-1].lineno
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if not isinstance(exc, jinja2.TemplateError):
            message = f"{type(exc).__name__}: {message}"
        path = self._template_path(name) if name else "templates"
        report.error(path, line or 1, 1, f"template error: {message}")

    def _template_path(self, filename: str) -> str:
        path = Path(filename).resolve()
        if path.is_relative_to(self.root.resolve()):
            return path.relative_to(self.root.resolve()).as_posix()
        if path.is_relative_to(BUILTIN_TEMPLATES.parent):
            return path.relative_to(BUILTIN_TEMPLATES.parent).as_posix()
        return filename


def _environment(folders: tuple[Path, ...], sandboxed: bool) -> _RecordingEnvironment:
    """The process's environment for these folders, made the first time it is asked for."""
    found = _ENVIRONMENTS.get((folders, sandboxed))
    if found is not None:
        return found
    if len(_ENVIRONMENTS) >= KEPT_ENVIRONMENTS:  # a process building many sites
        del _ENVIRONMENTS[next(iter(_ENVIRONMENTS))]
    environment = _SandboxedRecordingEnvironment if sandboxed else _RecordingEnvironment
    env = _ENVIRONMENTS[folders, sandboxed] = environment(
        loader=_CheckedLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,  # asks the loader's up-to-date check, never the file's mtime
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    # Bound to the environment, not to one build's renderer: a macro module compiled
    # once keeps the filters it was made with.
    env.globals.update(i18n.jinja_callables(lambda: env.speaking))
    # The generator's own texts for what site.yaml leaves out: templates show them in
    # the page's language instead (their English is the messages').
    env.globals["defaults"] = {
        "methodology": DEFAULT_METHODOLOGY,
        "corrections": DEFAULT_CORRECTIONS,
        "about": DEFAULT_ABOUT,
    }
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.filters.update(
        date=lambda day: env.speaking.date(day),
        number=lambda value: env.speaking.number(value),
        label=lambda verdict, lang=None: _verdict_text(verdict, "label", lang or env.speaking.tag),
        description=lambda verdict, lang=None: _verdict_text(
            verdict, "description", lang or env.speaking.tag
        ),
        names=lambda names, css="": env.speaking.names(names, css),
    )
    return env


def _verdict_text(verdict: Any, what: str, lang: str) -> str:
    """A verdict's label or description in a language; a stand-in for one (search
    results' placeholders are mappings) as it is."""
    if isinstance(verdict, Verdict):
        return verdict.label_for(lang) if what == "label" else verdict.description_for(lang)
    return str(verdict[what] if isinstance(verdict, Mapping) else getattr(verdict, what))


def fingerprinted(name: str, data: bytes) -> str:
    """An asset's output path: CSS and JS carry a hash of their content in the name."""
    stem, suffix = os.path.splitext(name)
    if suffix in FINGERPRINTED:
        return paths.asset(f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{suffix}")
    return paths.asset(name)


# --- pages -------------------------------------------------------------------------------


def article_page(
    renderer: Renderer,
    recorder: Recorder,
    config: SiteConfig,
    assets: Mapping[str, str],
    article: Article,
    body: Body,
    claims: Sequence[ClaimView],
    extra: Mapping[str, Any] | None = None,
    translations: Sequence[i18n.Version] = (),
) -> bytes:
    """The article with each mark's chip in place, and its claims listed; `translations`
    are its language versions (itself among them), the original first."""
    path = paths.article(article.slug)
    links = urls.Links(path, config.base_url)
    review_urls = [urls.absolute(config.base_url, c.path) or links(c.path) for c in claims]
    data = structured.article(article, config, links.canonical(), review_urls)
    data.update(structured.translation_links(article.slug, translations, config.base_url))
    page = Page(
        path,
        article.title,
        links,
        article.lang,
        article.dir,
        article.summary,
        [structured.dump(data)],
        versions(translations, links, config.base_url),
    )
    by_id = {c.check.id: c for c in claims}
    numbers = {claim_id: n for n, claim_id in enumerate(body.claim_ids, start=1)}
    segments = [(html, _chip(mark, by_id, numbers)) for html, mark in body.segments()]
    counts = tally(config, [c.check.verdict for c in claims])
    view = Tallied(heading(article), len(claims), counts)
    return renderer.page(
        recorder,
        config,
        assets,
        page,
        "article.html",
        extra,
        view=view,
        article=article,
        segments=segments,
        claims=claims,
    )


def _chip(
    mark: Mark | None, claims: Mapping[str, ClaimView], numbers: Mapping[str, int]
) -> dict[str, Any] | None:
    """What marker.html shows after a mark: its claim, which mark it is, its number."""
    if mark is None or mark.claim_id not in claims:
        return None
    return {"claim": claims[mark.claim_id], "n": mark.n, "number": numbers[mark.claim_id]}


def claim_page(
    renderer: Renderer,
    recorder: Recorder,
    config: SiteConfig,
    assets: Mapping[str, str],
    claim: ClaimView,
    review: str,
    analysis: str,
    extra: Mapping[str, Any] | None = None,
    translations: Sequence[i18n.Version] = (),
) -> bytes:
    links = urls.Links(claim.path, config.base_url)
    home = claim.home.article
    page = Page(
        claim.path,
        claim.check.claim,
        links,
        home.lang,
        home.dir,
        claim.check.summary,
        [review],
        versions(translations, links, config.base_url),
    )
    return renderer.page(
        recorder,
        config,
        assets,
        page,
        "claim.html",
        extra,
        claim=claim,
        check=claim.check,
        verdict=claim.verdict,
        analysis=analysis,
    )


def review_json(config: SiteConfig, check: Check, home: Heading) -> str:
    """The claim's ClaimReview, as its page and claims.json both carry it."""
    path = paths.claim(home.slug, check.id)
    url = urls.absolute(config.base_url, path)
    return structured.dump(structured.claim_review(check, config, url, home.lang))


def index_page(
    renderer: Renderer,
    recorder: Recorder,
    config: SiteConfig,
    assets: Mapping[str, str],
    articles: Sequence[Tallied],
    pagination: Pagination,
    extra: Mapping[str, Any] | None = None,
    translations: Mapping[str, Sequence[i18n.Version]] | None = None,
) -> bytes:
    """`translations`: the language versions of each listed article that has them."""
    path = paths.index_page(pagination.number)
    title = (
        config.title
        if pagination.number == 1
        else f"Fact checks, page {pagination.number} of {pagination.count}"
    )
    links = urls.Links(path, config.base_url)
    page = Page(path, title, links, config.language)
    return renderer.page(
        recorder,
        config,
        assets,
        page,
        "index.html",
        extra,
        articles=articles,
        pagination=pagination,
        versions={
            slug: versions(found, links, config.base_url)
            for slug, found in (translations or {}).items()
        },
    )


def methodology_page(
    renderer: Renderer,
    recorder: Recorder,
    config: SiteConfig,
    assets: Mapping[str, str],
    methodology: str,
    corrections: str,
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    page = Page(
        paths.METHODOLOGY,
        "Methodology",
        urls.Links(paths.METHODOLOGY, config.base_url),
        config.language,
    )
    return renderer.page(
        recorder,
        config,
        assets,
        page,
        "methodology.html",
        extra,
        methodology=methodology,
        corrections=corrections,
    )


def not_found_page(
    renderer: Renderer,
    recorder: Recorder,
    config: SiteConfig,
    assets: Mapping[str, str],
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    """Served at any depth, so its links are absolute from the base URL when there is one."""
    page = Page(
        paths.NOT_FOUND,
        "Page not found",
        urls.Links(paths.NOT_FOUND, config.base_url, absolute_links=True),
        config.language,
    )
    return renderer.page(recorder, config, assets, page, "404.html", extra)


def robots(renderer: Renderer, recorder: Recorder, config: SiteConfig) -> bytes:
    return renderer.text(recorder, paths.ROBOTS, site=config).encode("utf-8")


def headers(
    renderer: Renderer, recorder: Recorder, config: SiteConfig, assets: Mapping[str, str]
) -> bytes:
    """_headers: a year's cache for the fingerprinted assets, whose names change with them."""
    long_lived = sorted(p for p in assets.values() if os.path.splitext(p)[1] in FINGERPRINTED)
    return renderer.text(recorder, paths.HEADERS, site=config, fingerprinted=long_lived).encode(
        "utf-8"
    )


def verdicts_css(renderer: Renderer, recorder: Recorder, config: SiteConfig) -> bytes:
    return renderer.text(recorder, "verdicts.css", site=config).encode("utf-8")


def claims_json(reviews: Sequence[str]) -> bytes:
    """Every claim page's own ClaimReview JSON, as json.dumps would write the list."""
    return ("[" + ", ".join(reviews) + "]\n").encode("utf-8")


def sitemap(
    renderer: Renderer,
    recorder: Recorder,
    config: SiteConfig,
    pages: Sequence[tuple[str, dt.date | None]],
) -> bytes:
    """(output path, last modified) of every page worth indexing, as absolute URLs."""
    listed = sorted((urls.absolute(config.base_url, path), day) for path, day in pages)
    return renderer.text(recorder, paths.SITEMAP, site=config, pages=listed).encode("utf-8")


def feed(
    renderer: Renderer,
    recorder: Recorder,
    config: SiteConfig,
    articles: Sequence[Tallied],
    source_date: dt.date,
) -> bytes:
    """The newest articles; the feed's own date is the newest of theirs, else SOURCE_DATE."""
    updated = max((a.article.modified for a in articles), default=source_date)
    entries = [(a, urls.absolute(config.base_url, a.path)) for a in articles]
    return renderer.text(
        recorder,
        paths.FEED,
        site=config,
        entries=entries,
        updated=updated,
        feed_url=urls.absolute(config.base_url, paths.FEED),
        home_url=config.base_url,
    ).encode("utf-8")


def sitemap_dates(articles: Sequence[Heading]) -> Iterator[tuple[str, dt.date | None]]:
    """The home page (changed when its newest article was) and every article page."""
    newest = max((a.modified for a in articles), default=None)
    yield paths.HOME, newest
    for a in articles:
        yield a.path, a.modified
    yield paths.METHODOLOGY, None
