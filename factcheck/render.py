"""Render stage: the validated site becomes every output file, in memory.

Templates hold the presentation; this module prepares what they show (views with links
already made relative) and never writes a file. Template problems are reported like
source problems, with the template's path and line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

import jinja2

from . import structured, urls
from .cache import BuildCache, files_fingerprint, key
from .errors import BuildError, Report
from .markup import PlainMarkdown
from .model import Article, Check, Marker, Site, SiteConfig, Verdict
from .workers import Progress, run_all
from .write import has_size

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ASSETS = "assets"
INDEX_PAGE_SIZE = 30  # articles on each index page: what a phone scrolls through, as PolitiFact
FEED_ENTRIES = 50  # the newest articles in feed.xml: enough for any reader's polling interval
FINGERPRINTED = (".css", ".js")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def human_date(day: dt.date) -> str:
    """'23 October 2021': unambiguous in every English-speaking country."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Appearance:
    """Where an article marks a claim: the article and the claim's first mark in it."""

    article: Article
    marker: Marker
    path: str


@dataclass(frozen=True)
class ClaimView:
    """A check with what every page needs to show and link it."""

    check: Check
    verdict: Verdict
    path: str
    appearances: tuple[Appearance, ...]

    @property
    def home(self) -> Appearance:
        return self.appearances[0]


@dataclass(frozen=True)
class ArticleView:
    article: Article
    path: str
    claims: tuple[ClaimView, ...]
    tally: tuple[tuple[Verdict, int], ...]


@dataclass(frozen=True)
class Pagination:
    """Where an index page stands among all of them: page 1 is index.html, the newest."""

    number: int
    paths: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.paths)

    @property
    def newer(self) -> str:
        return self.paths[self.number - 2] if self.number > 1 else ""

    @property
    def older(self) -> str:
        return self.paths[self.number] if self.number < self.count else ""


def index_paths(articles: int) -> tuple[str, ...]:
    """index.html, then page/2/index.html and on: as many as the articles need."""
    pages = max(1, -(-articles // INDEX_PAGE_SIZE))
    return ("index.html", *(urls.index_path("page", str(n)) for n in range(2, pages + 1)))


@dataclass
class Rendered:
    """Output files rendered by this build, and those kept from the last (path: size).

    `reviews` holds each claim page's ClaimReview JSON by path, rendered or remembered,
    so claims.json is put together without building them again.
    """

    files: dict[str, bytes]
    reused: dict[str, int]
    reviews: dict[str, str] = field(default_factory=dict)

    def reuse(self, cache: BuildCache, out: Path | None, path: str, page_key: str) -> bool:
        entry = cache.get(f"page:{path}")
        if out is None or entry is None or entry[0] != page_key:
            return False
        current = has_size(out, path, entry[1])
        if current:
            self.reused[path] = entry[1]
            if entry[2]:
                self.reviews[path] = entry[2]
        return current

    def group(self, cache: BuildCache, out: Path | None, group_key: str,
              render: Callable[[], dict[str, bytes]]) -> None:
        """Files rendered together: all reused while their key holds, else all rendered."""
        kept = cache.get(key(group_key, "group"))
        if kept and all([self.reuse(cache, out, path, group_key) for path in kept]):
            return
        files = render()
        for path, data in files.items():
            self.add(cache, path, group_key, data)
        cache.put(key(group_key, "group"), sorted(files))

    def add(self, cache: BuildCache, path: str, page_key: str, data: bytes,
            review: str = "") -> None:
        self.files[path] = data
        self.reused.pop(path, None)
        if review:
            self.reviews[path] = review
        cache.put(f"page:{path}", (page_key, len(data), review))


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


class Renderer:
    """Renders pages from the built-in templates, overridden by the source's own."""

    def __init__(self, config: SiteConfig, source_templates: Path | None, root: Path,
                 compiled: Path | None = None) -> None:
        """`compiled` keeps the templates compiled to Python between builds."""
        self.config, self.root = config, root
        self.folders = folders = template_folders(source_templates)
        if compiled is not None:
            compiled.mkdir(parents=True, exist_ok=True)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in folders]),
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
            autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            auto_reload=False,  # each build makes its own environment: nothing changes during one
        )
        self.env.filters["date"] = human_date
        self.markdown = PlainMarkdown()

    # --- templates ---------------------------------------------------------------

    def template(self, name: str, **context) -> str:
        return self.env.get_template(name).render(site=self.config, **context)

    def page(self, page: Page, name: str, **context) -> bytes:
        def asset(asset_name: str) -> str:
            if asset_name not in self.assets:
                raise jinja2.TemplateRuntimeError(f"no asset '{asset_name}' in templates/assets/")
            return page.links(self.assets[asset_name])

        return self.template(name, page=page, url=page.links, asset=asset,
                             **context).encode("utf-8")

    def widget(self, article: Article, check: Check, home: str, n: int, number: int) -> str:
        """The chip and note after the n-th mark of the article's `number`-th claim."""
        links = urls.Links(urls.index_path(article.slug), self.config.base_url)
        return self.template("marker.html", check=check, n=n, number=number,
                             verdict=self.config.verdict(check.verdict),
                             claim_url=links(urls.index_path(home, check.id)))

    # --- the site ----------------------------------------------------------------

    @contextlib.contextmanager
    def reporting(self, report: Report):
        """Turn a template problem into a reported error and a BuildError."""
        try:
            yield
        except jinja2.TemplateError as exc:
            self._report_template_error(exc, report)
            raise BuildError(report) from None

    def render(self, site: Site, cache: BuildCache | None = None, scope: str = "",
               out: Path | None = None, progress: Progress | None = None) -> Rendered:
        """Every output file by its path; pages still current in `out` are reused.

        A page is current when the key of everything it shows (`scope` fingerprints what
        all pages share) equals the last build's and its file is still there.
        """
        cache = cache or BuildCache()
        self.assets, files = self._assets()
        claims = self._claim_views(site)
        views = [self._article_view(a, claims) for a in site.articles]
        views.sort(key=lambda v: (v.article.published, v.article.slug), reverse=True)
        article_keys = [self._article_key(v, site, scope) for v in views]
        claim_keys = [self._claim_key(c, site, scope) for c in claims.values()]
        pages = [(v.path, k, partial(self._article, v))
                 for v, k in zip(views, article_keys, strict=True)]
        pages += [(c.path, k, partial(self._claim, c))
                  for c, k in zip(claims.values(), claim_keys, strict=True)]
        pages += self._listings(site, views, claims, article_keys, scope)
        rendered = Rendered({}, {})
        todo = [page for page in pages if not rendered.reuse(cache, out, page[0], page[1])]
        # Workers get indexes, not pages: they already hold the site, forked from here.
        done = run_all(lambda index: todo[index][2](), range(len(todo)), "pages rendered",
                       progress)
        for (path, page_key, _), (data, review) in zip(todo, done, strict=True):
            rendered.add(cache, path, page_key, data, review)
        rendered.group(cache, out, scope, lambda: files | self._fixed())
        reviews = [rendered.reviews[c.path] for c in claims.values()]
        rendered.group(cache, out, key(scope, "claims", *claim_keys),
                       lambda: {"claims.json": _claims_json(reviews)})
        rendered.files = dict(sorted(rendered.files.items()))
        return rendered

    def _listings(self, site: Site, views: list[ArticleView], claims: dict[str, ClaimView],
                  article_keys: list[str], scope: str) -> list[tuple[str, str, Callable]]:
        """The index pages, sitemap and feed, each keyed by exactly what it lists: an edit
        seldom changes more than one index page, and the sitemap and feed only now and then."""
        paths = index_paths(len(views))
        listings = []
        for number, path in enumerate(paths, start=1):
            shown = slice((number - 1) * INDEX_PAGE_SIZE, number * INDEX_PAGE_SIZE)
            listings.append((path, key(scope, path, *paths, *article_keys[shown]),
                             partial(self._index, views[shown], Pagination(number, paths))))
        if self.config.base_url:
            sitemap = self._sitemap(views, claims)
            listings.append(("sitemap.xml", key(scope, "sitemap", repr(sitemap)),
                             partial(self._sitemap_xml, sitemap)))
            newest = views[:FEED_ENTRIES]
            listed = [(v.path, site.digest(v.article), [(d.key, n) for d, n in v.tally])
                      for v in newest]
            listings.append(("feed.xml", key(scope, "feed", repr(listed)),
                             partial(self._feed, newest)))
        return listings

    def _fixed(self) -> dict[str, bytes]:
        """The files that show no article or claim: they change with templates and settings."""
        return {
            urls.index_path("methodology"): self._methodology(),
            "404.html": self._not_found(),
            "robots.txt": self.template("robots.txt").encode("utf-8"),
            "_headers": self.template("_headers", fingerprinted=sorted(
                p for p in self.assets.values() if PurePosixPath(p).suffix in FINGERPRINTED
            )).encode("utf-8"),
        }

    @staticmethod
    def _article_key(view: ArticleView, site: Site, scope: str) -> str:
        """The article's text and, for each claim, its check and its home article."""
        claims = [(c.check.id, site.digest(c.check), c.home.article.slug,
                   site.digest(c.home.article)) for c in view.claims]
        return key(scope, view.path, site.digest(view.article), repr(claims))

    @staticmethod
    def _claim_key(claim: ClaimView, site: Site, scope: str) -> str:
        """The check and every article that marks it."""
        marking = [(a.path, site.digest(a.article)) for a in claim.appearances]
        return key(scope, claim.path, site.digest(claim.check), repr(marking))

    def _assets(self) -> tuple[dict[str, str], dict[str, bytes]]:
        """Static assets, the source's overriding the built-in; CSS and JS get a content hash."""
        found: dict[str, bytes] = {}
        for folder in reversed(self.folders):
            base = folder / ASSETS
            if base.is_dir():
                for path in sorted(p for p in base.rglob("*") if p.is_file()):
                    found[path.relative_to(base).as_posix()] = path.read_bytes()
        found["verdicts.css"] = self.template("verdicts.css").encode("utf-8")
        names, files = {}, {}
        for name, data in sorted(found.items()):
            out = name
            if PurePosixPath(name).suffix in FINGERPRINTED:
                stem, suffix = os.path.splitext(name)
                out = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{suffix}"
            names[name] = f"{ASSETS}/{out}"
            files[names[name]] = data
        return names, files

    def _claim_views(self, site: Site) -> dict[str, ClaimView]:
        appearances: dict[str, list[Appearance]] = {}
        for article in site.articles:  # home order: the first appearance is the home
            for marker in article.markers:
                if marker.n == 1:
                    appearances.setdefault(marker.claim_id, []).append(
                        Appearance(article, marker, urls.index_path(article.slug)))
        return {
            claim_id: ClaimView(check, self.config.verdict(check.verdict),
                                urls.index_path(site.homes[claim_id], claim_id),
                                tuple(appearances[claim_id]))
            for claim_id, check in sorted(site.checks.items()) if claim_id in site.homes
        }

    def _article_view(self, article: Article, claims: dict[str, ClaimView]) -> ArticleView:
        mine = tuple(claims[i] for i in article.claim_ids)
        counts = Counter(c.verdict.key for c in mine)
        tally = tuple((v, counts[v.key]) for v in self.config.verdicts if counts[v.key])
        return ArticleView(article, urls.index_path(article.slug), mine, tally)

    def _index(self, views: list[ArticleView], pagination: Pagination) -> tuple[bytes, str]:
        path = pagination.paths[pagination.number - 1]
        title = self.config.title if pagination.number == 1 else \
            f"Fact checks, page {pagination.number} of {pagination.count}"
        page = Page(path, title, urls.Links(path, self.config.base_url), self.config.language)
        return self.page(page, "index.html", articles=views, pagination=pagination), ""

    def _article(self, view: ArticleView) -> tuple[bytes, str]:
        item = view.article
        links = urls.Links(view.path, self.config.base_url)
        review_urls = [urls.absolute(self.config.base_url, c.path) or links(c.path)
                       for c in view.claims]
        data = structured.article(item, self.config, links.canonical(), review_urls)
        page = Page(view.path, item.title, links, item.lang, item.dir, item.summary,
                    [structured.dump(data)])
        return self.page(page, "article.html", view=view, article=item, claims=view.claims), ""

    def _claim(self, claim: ClaimView) -> tuple[bytes, str]:
        """The claim page, and its ClaimReview JSON (claims.json holds the same)."""
        links = urls.Links(claim.path, self.config.base_url)
        home = claim.home.article
        review = structured.dump(structured.claim_review(claim.check, self.config,
                                                         links.canonical(), home.lang))
        page = Page(claim.path, claim.check.claim, links, home.lang, home.dir,
                    claim.check.summary, [review])
        return self.page(page, "claim.html", claim=claim, check=claim.check,
                         verdict=claim.verdict,
                         analysis=self.markdown(claim.check.analysis, top=3)), review

    def _methodology(self) -> bytes:
        path = urls.index_path("methodology")
        page = Page(path, "Methodology", urls.Links(path, self.config.base_url),
                    self.config.language)
        return self.page(page, "methodology.html",
                         methodology=self.markdown(self.config.methodology),
                         corrections=self.markdown(self.config.corrections, top=3))

    def _not_found(self) -> bytes:
        page = Page("404.html", "Page not found",
                    urls.Links("404.html", self.config.base_url, absolute_links=True),
                    self.config.language)
        return self.page(page, "404.html")

    def _sitemap(self, views: list[ArticleView], claims: dict[str, ClaimView]):
        """(absolute URL, last modified) for every page worth indexing."""
        base = self.config.base_url
        newest = max([v.article.updated or v.article.published for v in views], default=None)
        pages = [(urls.absolute(base, "index.html"), newest)]
        pages += [(urls.absolute(base, v.path), v.article.updated or v.article.published)
                  for v in views]
        pages += [(urls.absolute(base, c.path), c.check.modified) for c in claims.values()]
        pages.append((urls.absolute(base, urls.index_path("methodology")), None))
        return sorted(pages, key=lambda p: p[0])

    def _sitemap_xml(self, pages: list) -> tuple[bytes, str]:
        return self.template("sitemap.xml", pages=pages).encode("utf-8"), ""

    def _feed(self, views: list[ArticleView]) -> tuple[bytes, str]:
        dates = [v.article.updated or v.article.published for v in views]
        updated = max(dates) if dates else source_date()
        entries = [(v, urls.absolute(self.config.base_url, v.path)) for v in views]
        return self.template("feed.xml", entries=entries, updated=updated,
                             feed_url=urls.absolute(self.config.base_url, "feed.xml"),
                             home_url=self.config.base_url).encode("utf-8"), ""

    def _report_template_error(self, exc: jinja2.TemplateError, report: Report) -> None:
        """Name the template file and line, never a traceback."""
        name, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        if name is None:
            frames = [f for f in traceback.extract_tb(exc.__traceback__)
                      if any(Path(f.filename).is_relative_to(p) for p in self.folders)]
            if frames:
                name, line = frames[-1].filename, frames[-1].lineno
        path = self._template_path(name) if name else "templates"
        report.error(path, line or 1, 1, f"template error: {exc.message or exc}")

    def _template_path(self, filename: str) -> str:
        path = Path(filename).resolve()
        if path.is_relative_to(self.root.resolve()):
            return path.relative_to(self.root.resolve()).as_posix()
        return path.relative_to(BUILTIN_TEMPLATES.parent).as_posix()


def _claims_json(reviews: list[str]) -> bytes:
    """The claim pages' own ClaimReview JSON, listed as json.dumps would write the list."""
    return ("[" + ", ".join(reviews) + "]\n").encode("utf-8")


def template_folders(source_templates: Path | None) -> list[Path]:
    """Where templates are looked up: the source folder's own first, then the built-in."""
    found = [p.resolve() for p in (source_templates, BUILTIN_TEMPLATES) if p is not None]
    return list(dict.fromkeys(found))


def templates_fingerprint(source_templates: Path | None) -> str:
    """One hash of every template and asset a build can use."""
    folders = template_folders(source_templates)
    return files_fingerprint(sorted({p for f in folders for p in f.rglob("*") if p.is_file()}))


def source_date() -> dt.date:
    """The date to use when the content gives none: SOURCE_DATE_EPOCH, else 1970-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "0")
    seconds = int(epoch) if epoch.isdigit() else 0
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()
