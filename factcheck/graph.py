"""The build graph: every query the build answers, what each reads, and which stage computes it.

read (`sources`) → validate → mark up → homes → render: each query below runs one stage
function on what it asks `reads` for, so the memo records exactly what every result
read. Queries are ranked in the order they are defined here (a query reads only those
above it); the pipeline computes them rank by rank and writes what the page queries
return. A page type beyond the core ones is a `Feature` (a module of `features/`, listed
in `FEATURES`): it defines the queries its pages need, lists its pages and renders them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import paths
from .homes import Homes, Marked, Placement, cross_reference, find_homes
from .markup import Body, Mark, mark_up, plain_html
from .memo import Queries, Query, Reads
from .model import Article, Check, SiteConfig
from .options import BuildOptions
from .render import (
    ClaimView,
    Heading,
    Renderer,
    Tallied,
    heading,
    index_count,
    tally,
)
from .sources import SITE_FILE, Scan, SourceFile, Unreadable, decode, read_bytes
from .validate import validate_article, validate_check, validate_config

PageList = tuple[tuple[str, str, str], ...]
"""(output path, query name, argument) of every file the site has."""


class Feature:
    """A kind of page beyond the core ones (claimant pages, embeds, search...).

    Made while the graph is: `__init__` defines, through `graph.queries`, the queries its
    pages read (ranked after the core models, before the page list); `pages` lists its
    files; `renderers` names the queries that make them, each from a `Reads` and its
    argument to the file's bytes.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def pages(self, reads: Reads) -> list[tuple[str, str, str]]:
        """(output path, renderer name, argument) of each of this feature's files."""
        return []

    def renderers(self) -> dict[str, Callable[[Reads, str], bytes]]:
        return {}

    def extras(self, reads: Reads, page: str, arg: str) -> dict[str, Any]:
        """What this feature adds to a core page (`page` is its renderer's name, e.g.
        'claim-page', and `arg` its argument); templates find it in `extra`."""
        return {}


class Graph:
    """The queries of one build, over what its scan found and how it was asked to run."""

    def __init__(
        self,
        scan: Scan,
        options: BuildOptions,
        templates: Mapping[str, Path],
        preread: Mapping[str, bytes],
    ) -> None:
        """`preread` holds the bytes of files read while finding their digests."""
        self.scan, self.options, self.templates = scan, options, templates
        self.preread = preread
        self.check_files = {f.name: f for f in scan.checks}
        self.article_files = {f.name: f for f in scan.articles}
        self._renderer: Renderer | None = None
        q = self.queries = Queries()
        self.config = q.define(
            "config",
            SiteConfig,
            self._config,
            broad=True,
            facets=_config_facets,
            facet_kind=CONFIG_FACETS,
        )
        # Models are quicker to make again than to store: only their facets are kept.
        self.check = q.define(
            "check",
            Check | None,
            self._check,
            stored=False,
            facets=_check_facets,
            facet_kind=CHECK_FACETS,
        )
        self.article = q.define(
            "article",
            Article | None,
            self._article,
            stored=False,
            facets=_article_facets,
            facet_kind=ARTICLE_FACETS,
        )
        self.body = q.define(
            "body",
            Body | None,
            self._body,
            stored=False,
            facets=_body_facets,
            facet_kind=BODY_FACETS,
        )
        self.order = q.define("order", tuple[str, ...], self._order)
        self.homes = q.define(
            "homes", Homes, self._homes, facets=lambda h: h.placements, facet_kind=Placement
        )
        self.review = q.define("review", str, self._review)
        self.assets = q.define("assets", dict[str, str], self._assets, broad=True)
        from .features import FEATURES

        self.features = [feature(self) for feature in FEATURES]
        self.pages = q.define("pages", PageList, self._pages)
        renderers: list[tuple[str, Callable[[Reads, str], bytes]]] = [
            ("asset", self._asset_file),
            ("fixed", self._fixed_page),
            ("index", self._index_page),
            ("article-page", self._article_page),
            ("claim-page", self._claim_page),
            ("claims", self._claims_json),
            ("sitemap", self._sitemap),
            ("feed", self._feed),
        ]
        for feature in self.features:
            renderers += feature.renderers().items()
        self.page_queries: dict[str, Query[bytes]] = {
            name: q.define(name, bytes, compute, stored=False) for name, compute in renderers
        }

    @property
    def renderer(self) -> Renderer:
        """Made when the first page renders: a build with nothing to render never loads it."""
        if self._renderer is None:
            self._renderer = Renderer(self.scan.templates, self.scan.root)
        return self._renderer

    # --- validate ------------------------------------------------------------------------

    def _config(self, reads: Reads, _: str) -> SiteConfig:
        site = self.scan.site
        text = self._text(reads, site) if site is not None else None
        if site is None:
            reads.fact(f"file:{SITE_FILE}")
        reads.fact("opt:base_url")
        return validate_config(text, reads.report, self.options.base_url)

    def _check(self, reads: Reads, claim_id: str) -> Check | None:
        file = self.check_files.get(claim_id)
        if file is None:
            return None
        text = self._text(reads, file)
        scale = reads.facet(self.config, "", "scale")
        if text is None:
            return None
        return validate_check(file.path, claim_id, text, scale, reads.report)

    def _article(self, reads: Reads, slug: str) -> Article | None:
        file = self.article_files.get(slug)
        if file is None:
            return None
        text = self._text(reads, file)
        language = reads.facet(self.config, "", "language")
        if text is None:
            return None
        return validate_article(file.path, slug, text, language, reads.report)

    def _text(self, reads: Reads, file: SourceFile) -> str | None:
        """A source file's text, recorded by the digest of exactly the bytes used."""
        preread = self.preread.get(file.path)
        try:
            data = reads.file(
                f"file:{file.path}",
                (lambda: preread) if preread is not None else (lambda: read_bytes(file)),
            )
        except Unreadable as exc:
            reads.fact(f"file:{file.path}")
            reads.report.error(file.path, 1, 1, f"cannot read the file: {exc}")
            return None
        return decode(file.path, data, reads.report)

    # --- mark up and homes ---------------------------------------------------------------

    def _body(self, reads: Reads, slug: str) -> Body | None:
        text = reads.facet(self.article, slug, "text")
        if text is None:
            return None
        path, body, first_line = text
        return mark_up(path, body, first_line, reads.report)

    def _order(self, reads: Reads, _: str) -> tuple[str, ...]:
        """Valid articles in home order: published first, then by slug."""
        reads.fact("list:content")
        dated = []
        for slug in self.article_files:
            found: Heading | None = reads.facet(self.article, slug, "heading")
            if found is not None:
                dated.append((found.published, slug))
        return tuple(slug for _, slug in sorted(dated))

    def _homes(self, reads: Reads, _: str) -> Homes:
        order = reads.get(self.order)
        reads.fact("list:content")
        reads.fact("list:checks")
        marked = [self._marked(reads, slug) for slug in order]
        valid = frozenset(
            claim_id
            for claim_id in sorted({m.claim_id for a in marked for m in a.marks})
            if reads.facet(self.check, claim_id, "valid")
        )
        homes = find_homes(marked, valid)
        complete = len(order) == len(self.article_files)
        every = marked if complete else [*marked, Marked("", "", (), False)]
        valid_files = (
            frozenset(i for i in self.check_files if reads.facet(self.check, i, "valid"))
            if complete
            else valid
        )
        cross_reference(
            every,
            {i: f.path for i, f in self.check_files.items()},
            valid_files,
            reads.facet(self.config, "", "strict"),
            reads.report,
        )
        return homes

    def _marked(self, reads: Reads, slug: str) -> Marked:
        marks, complete = reads.facet(self.body, slug, "marked")
        return Marked(slug, self.article_files[slug].path, marks, complete)

    def _placement(self, reads: Reads, claim_id: str) -> Placement | None:
        found: Placement | None = reads.facet(self.homes, "", claim_id)
        return found

    def _review(self, reads: Reads, claim_id: str) -> str:
        """The claim's ClaimReview JSON, shared by its page and claims.json."""
        from .render import review_json

        check = reads.get(self.check, claim_id)
        placement = self._placement(reads, claim_id)
        if check is None or placement is None:
            return ""
        home = reads.facet(self.article, placement.home, "heading")
        return review_json(reads.get(self.config), check, home)

    # --- what the site has ---------------------------------------------------------------

    def _assets(self, reads: Reads, _: str) -> dict[str, str]:
        """Every asset's output path; CSS and JS named by their content's digest."""
        from .render import fingerprinted

        reads.fact("list:assets")
        found = {}
        for name in sorted(
            n.removeprefix("assets/") for n in self.templates if n.startswith("assets/")
        ):
            found[name] = fingerprinted(name, self._asset_file(reads, name))
        found["verdicts.css"] = fingerprinted("verdicts.css", self._verdicts_css(reads))
        return found

    def _verdicts_css(self, reads: Reads) -> bytes:
        from .render import verdicts_css

        return verdicts_css(self.renderer, reads, reads.get(self.config))

    def _pages(self, reads: Reads, _: str) -> PageList:
        order = reads.get(self.order)
        homes = reads.get(self.homes)
        assets = reads.get(self.assets)
        reads.fact("opt:page_size")
        count = index_count(len(order), self.options.page_size)
        pages = [(paths.index_page(n), "index", str(n)) for n in range(1, count + 1)]
        pages += [(paths.article(slug), "article-page", slug) for slug in order]
        pages += [
            (paths.claim(p.home, claim_id), "claim-page", claim_id)
            for claim_id, p in homes.placements.items()
        ]
        pages += [
            (paths.METHODOLOGY, "fixed", "methodology"),
            (paths.NOT_FOUND, "fixed", "404"),
            (paths.ROBOTS, "fixed", "robots"),
            (paths.HEADERS, "fixed", "headers"),
            (paths.CLAIMS_JSON, "claims", ""),
        ]
        pages += [(path, "asset", name) for name, path in assets.items()]
        if reads.facet(self.config, "", "base_url"):
            pages += [(paths.SITEMAP, "sitemap", ""), (paths.FEED, "feed", "")]
        for feature in self.features:
            pages += feature.pages(reads)
        return tuple(sorted(pages))

    # --- render --------------------------------------------------------------------------

    def _asset_file(self, reads: Reads, name: str) -> bytes:
        if name == "verdicts.css":
            return self._verdicts_css(reads)
        path = self.templates[f"assets/{name}"]
        return reads.file(f"tmpl:assets/{name}", path.read_bytes)

    def _fixed_page(self, reads: Reads, name: str) -> bytes:
        from . import render

        config, assets = reads.get(self.config), reads.get(self.assets)
        if name == "methodology":
            return render.methodology_page(
                self.renderer,
                reads,
                config,
                assets,
                plain_html(config.methodology),
                plain_html(config.corrections, top=3),
                self.extras(reads, "fixed", name),
            )
        if name == "404":
            return render.not_found_page(
                self.renderer, reads, config, assets, self.extras(reads, "fixed", name)
            )
        if name == "robots":
            return render.robots(self.renderer, reads, config)
        return render.headers(self.renderer, reads, config, assets)

    def _tallied(self, reads: Reads, config: SiteConfig, slug: str) -> Tallied:
        marks, _ = reads.facet(self.body, slug, "marked")
        claim_ids = list(dict.fromkeys(m.claim_id for m in marks))
        verdicts = [reads.facet(self.check, i, "verdict") for i in claim_ids]
        return Tallied(
            reads.facet(self.article, slug, "heading"), len(claim_ids), tally(config, verdicts)
        )

    def _index_page(self, reads: Reads, number: str) -> bytes:
        from . import render

        config, assets = reads.get(self.config), reads.get(self.assets)
        newest = reads.get(self.order)[::-1]
        reads.fact("opt:page_size")
        size, n = self.options.page_size, int(number)
        listed = [self._tallied(reads, config, slug) for slug in newest[(n - 1) * size : n * size]]
        pagination = render.Pagination(n, index_count(len(newest), size))
        return render.index_page(
            self.renderer,
            reads,
            config,
            assets,
            listed,
            pagination,
            self.extras(reads, "index", number),
        )

    def _claim_view(
        self, reads: Reads, config: SiteConfig, claim_id: str, headings: dict[str, Heading]
    ) -> ClaimView:
        from . import render

        check = reads.get(self.check, claim_id)
        placement = self._placement(reads, claim_id)
        assert check is not None and placement is not None
        for a in placement.appearances:
            if a.slug not in headings:
                headings[a.slug] = reads.facet(self.article, a.slug, "heading")
        return render.claim_view(config, check, render.places(placement.appearances, headings))

    def _article_page(self, reads: Reads, slug: str) -> bytes:
        from . import render

        config, assets = reads.get(self.config), reads.get(self.assets)
        article, body = reads.get(self.article, slug), reads.get(self.body, slug)
        assert article is not None and body is not None
        headings = {slug: heading(article)}
        claims = [
            self._claim_view_here(reads, config, claim_id, slug, headings)
            for claim_id in body.claim_ids
        ]
        return render.article_page(
            self.renderer,
            reads,
            config,
            assets,
            article,
            body,
            claims,
            self.extras(reads, "article-page", slug),
        )

    def _claim_view_here(
        self,
        reads: Reads,
        config: SiteConfig,
        claim_id: str,
        slug: str,
        headings: dict[str, Heading],
    ) -> ClaimView:
        """A claim as an article shows it: only its home (to link to) matters here."""
        from . import render

        check = reads.get(self.check, claim_id)
        placement = self._placement(reads, claim_id)
        assert check is not None and placement is not None
        home = placement.appearances[0]
        if home.slug not in headings:
            headings[home.slug] = reads.facet(self.article, home.slug, "heading")
        here = [a for a in placement.appearances if a.slug == slug]
        return render.claim_view(config, check, render.places([home, *here], headings))

    def _claim_page(self, reads: Reads, claim_id: str) -> bytes:
        from . import render

        config, assets = reads.get(self.config), reads.get(self.assets)
        claim = self._claim_view(reads, config, claim_id, {})
        review = reads.get(self.review, claim_id)
        return render.claim_page(
            self.renderer,
            reads,
            config,
            assets,
            claim,
            review,
            plain_html(claim.check.analysis, top=3),
            self.extras(reads, "claim-page", claim_id),
        )

    def _claims_json(self, reads: Reads, _: str) -> bytes:
        from . import render

        homes = reads.get(self.homes)
        return render.claims_json([reads.get(self.review, i) for i in homes.placements])

    def _sitemap(self, reads: Reads, _: str) -> bytes:
        from . import render

        config = reads.get(self.config)
        headings = [reads.facet(self.article, slug, "heading") for slug in reads.get(self.order)]
        pages: list[tuple[str, dt.date | None]] = list(render.sitemap_dates(headings))
        for claim_id, placement in reads.get(self.homes).placements.items():
            pages.append(
                (
                    paths.claim(placement.home, claim_id),
                    reads.facet(self.check, claim_id, "modified"),
                )
            )
        return render.sitemap(self.renderer, reads, config, pages)

    def _feed(self, reads: Reads, _: str) -> bytes:
        from . import render

        config = reads.get(self.config)
        reads.fact("opt:feed_size")
        reads.fact("opt:source_date")
        newest = reads.get(self.order)[::-1][: self.options.feed_size]
        entries = [self._tallied(reads, config, slug) for slug in newest]
        return render.feed(self.renderer, reads, config, entries, self.options.source_date)

    def extras(self, reads: Reads, page: str, arg: str) -> dict[str, Any]:
        """What the features add to one core page."""
        found: dict[str, Any] = {}
        for feature in self.features:
            found.update(feature.extras(reads, page, arg))
        return found

    # --- for the pipeline ----------------------------------------------------------------

    def diagnostics_of(self) -> Sequence[tuple[Query[Any], Sequence[str]]]:
        """The queries whose results carry diagnostics, with every argument the site has."""
        return (
            (self.config, [""]),
            (self.check, list(self.check_files)),
            (self.article, list(self.article_files)),
            (self.body, list(self.article_files)),
            (self.homes, [""]),
        )


CONFIG_FACETS = {"scale": tuple[str, ...], "language": str, "strict": bool, "base_url": str}
CHECK_FACETS = {"valid": bool, "verdict": str, "modified": dt.date | None}
ARTICLE_FACETS = {"heading": Heading | None, "text": tuple[str, str, int] | None}
BODY_FACETS = {"marked": tuple[tuple[Mark, ...], bool]}


def _config_facets(config: SiteConfig) -> dict[str, Any]:
    return {
        "scale": tuple(v.key for v in config.verdicts),
        "language": config.language,
        "strict": config.strict,
        "base_url": config.base_url,
    }


def _check_facets(check: Check | None) -> dict[str, Any]:
    return {
        "valid": check is not None,
        "verdict": check.verdict if check else "",
        "modified": check.modified if check else None,
    }


def _article_facets(article: Article | None) -> dict[str, Any]:
    if article is None:
        return {"heading": None, "text": None}
    return {"heading": heading(article), "text": (article.path, article.body, article.body_line)}


def _body_facets(body: Body | None) -> dict[str, Any]:
    """What homes and lists need of a body: its marks, and whether any may be missing."""
    return {"marked": ((), False) if body is None else (body.marks, body.complete)}
