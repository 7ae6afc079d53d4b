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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import i18n, lints, paths
from .errors import Report
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
from .sources import (
    BUILTIN_TEMPLATES,
    CHECKS,
    CONTENT,
    SHIPPED_FACT,
    SITE_FILE,
    Scan,
    SourceFile,
    Unreadable,
    decode,
    fact_key,
    normal_tag,
    read_bytes,
    shipped,
    shipped_path,
)
from .validate import validate_article, validate_check, validate_config

PageList = tuple[tuple[str, str, str], ...]
"""(output path, query name, argument) of every file the site has."""
REVIEWS_CHUNK = 100
"""Claims per chunk of claims.json (see `Graph._reviews`)."""


class Feature:
    """A kind of page beyond the core ones (claimant pages, embeds, search...).

    Made while the graph is: `__init__` defines, through `graph.queries`, the queries its
    pages read (ranked after the core models, before the page list); `pages` lists its
    files; `renderers` names the queries that make them, each from a `Reads` and its
    argument to the file's bytes.
    """

    indexed: tuple[str, ...] = ()
    """The renderers whose pages the sitemap lists (not embeds, not files of the index)."""

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

    def diagnostics(self) -> list[tuple[Query[Any], list[str]]]:
        """This feature's queries whose diagnostics the build prints, with their arguments."""
        return []


class Graph:
    """The queries of one build, over what its scan found and how it was asked to run."""

    def __init__(
        self,
        scan: Scan,
        options: BuildOptions,
        templates: Mapping[str, Path],
        preread: Mapping[str, bytes],
        template_digests: Mapping[str, str],
    ) -> None:
        """`preread` holds the bytes of files read while finding their digests, and
        `template_digests` the templates' (by name)."""
        self.scan, self.options, self.templates = scan, options, templates
        self.template_digests = template_digests
        self.preread = preread
        self.check_files = {f.name: f for f in scan.checks}
        self.locale_files = {normal_tag(f.name): f for f in scan.locales}
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
        self.claim_order = q.define("claim-order", tuple[str, ...], self._claim_order)
        self.reviews = q.define("reviews", str, self._reviews)
        self.assets = q.define("assets", dict[str, str], self._assets, broad=True)
        # Languages: ranked before the features, so that they may read them too.
        self.catalogue = q.define("catalogue", i18n.Catalogue, self._catalogue)
        self.catalogue_check = q.define("catalogue-check", type(None), self._catalogue_check)
        self.locale = q.define("locale", tuple[str, ...], self._locale)
        self.languages = q.define("languages", tuple[str, ...], self._languages)
        self.versions = q.define(
            "versions",
            Versions,
            self._versions,
            facets=_versions_facets,
            facet_kind=tuple[i18n.Version, ...],
        )
        from .features import FEATURES

        self.features = [feature(self) for feature in FEATURES]
        # The features' own queries, ranked between assets and the page list: the pipeline
        # asks for the stale ones in rank order, as for the core queries.
        self.feature_queries = list(q.by_name.values())[self.assets.rank + 1 :]
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
            builtin = BUILTIN_TEMPLATES.resolve()
            own = any(builtin not in path.resolve().parents for path in self.templates.values())
            self._renderer = Renderer(
                self.scan.templates,
                self.scan.root,
                self._translator,
                self.template_digests,
                sandboxed=own,
            )
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
        check = validate_check(file.path, claim_id, text, scale, reads.report)
        if check is not None:
            lints.lint_check(check, text, reads.facet(self.config, "", "standards"), reads.report)
        return check

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
        article = reads.get(self.article, slug)
        if article is None:
            return None
        return mark_up(article.path, article.body, article.body_line, reads.report)

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
        # A folder the scan could not read in full: which claims are marked, or which
        # checks exist, is not known (the scan's error fails the build, so nothing of
        # this is stored).
        unread = {d.path.split("/")[0] for d in self.scan.diagnostics if d.severity == "error"}
        complete = len(order) == len(self.article_files) and CONTENT not in unread
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
            checks_known=CHECKS not in unread,
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
        count = index_count(len(self._listed(reads)), self.options.page_size)
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
        newest = self._listed(reads)[::-1]
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
            self._translations_of(reads, "a", [t.article.slug for t in listed]),
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
            reads.facet(self.versions, "", f"a:{slug}") or (),
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
            reads.facet(self.versions, "", f"c:{claim_id}") or (),
        )

    def _claims_json(self, reads: Reads, _: str) -> bytes:
        from . import render

        chunks = self.review_chunks(reads.get(self.claim_order))
        return render.claims_json([reads.get(self.reviews, n) for n in chunks])

    @staticmethod
    def review_chunks(claims: tuple[str, ...]) -> list[str]:
        """The arguments of `reviews` for these claims: '0', '1', ..."""
        return [str(n) for n in range(-(-len(claims) // REVIEWS_CHUNK))]

    def _claim_order(self, reads: Reads, _: str) -> tuple[str, ...]:
        """Every claim with a page, in the order claims.json lists them."""
        return tuple(reads.get(self.homes).placements)

    def _reviews(self, reads: Reads, chunk: str) -> str:
        """REVIEWS_CHUNK claims' ClaimReviews as claims.json lists them: an edited check
        makes one chunk again and claims.json joins the chunks, not 10,000 reviews."""
        start = int(chunk) * REVIEWS_CHUNK
        ids = reads.get(self.claim_order)[start : start + REVIEWS_CHUNK]
        return ", ".join(reads.get(self.review, claim_id) for claim_id in ids)

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
        indexed = {name for feature in self.features for name in feature.indexed}
        pages += [(path, None) for path, name, _ in reads.get(self.pages) if name in indexed]
        return render.sitemap(self.renderer, reads, config, pages)

    def _feed(self, reads: Reads, _: str) -> bytes:
        from . import render

        config = reads.get(self.config)
        reads.fact("opt:feed_size")
        reads.fact("opt:source_date")
        newest = reads.get(self.order)[::-1][: self.options.feed_size]
        entries = [self._tallied(reads, config, slug) for slug in newest]
        return render.feed(self.renderer, reads, config, entries, self.options.source_date)

    # --- languages -----------------------------------------------------------------------

    def _catalogue(self, reads: Reads, name: str) -> i18n.Catalogue:
        """The messages of one language: the site's catalogue over the generator's."""
        generator = None
        if name in shipped():
            data = reads.file(fact_key(name), shipped_path(name).read_bytes)
            generator = i18n.parse(fact_key(name), data.decode("utf-8"), Report())
        else:
            reads.fact(fact_key(name))
        file = self.locale_files.get(name)
        own = None
        if file is None:
            reads.fact("list:locales")  # a catalogue added later joins this one
        else:  # its problems are catalogue-check's to report
            text = self._text(reads, file)
            own = i18n.parse(file.path, text, Report()) if text is not None else None
        return i18n.catalogue(name, generator, own)

    def _catalogue_check(self, reads: Reads, name: str) -> None:
        """What a site's own catalogue still lacks, or gets wrong, at each entry's line."""
        file = self.locale_files[name]
        text = self._text(reads, file)
        own = i18n.parse(file.path, text, reads.report) if text is not None else None
        if own is None or text is None:
            return
        templates = {
            t: reads.file(f"tmpl:{t}", path.read_bytes)
            for t, path in self.templates.items()
            if t.endswith(i18n.EXTRACTED)
        }
        expected = i18n.expected_messages(templates)
        merged = reads.get(self.catalogue, name)
        i18n.check_site_catalogue(file.path, text, own, name, expected, merged, reads.report)

    def _locale(self, reads: Reads, tag: str) -> tuple[str, ...]:
        """The catalogue a page in language `tag` is translated with (none: English)."""
        reads.fact("list:locales")
        reads.fact(SHIPPED_FACT)
        found = i18n.negotiate(tag, [*shipped(), *self.locale_files])
        return (found,) if found else ()

    def _translator(self, reads: Reads, tag: str) -> i18n.Translator:
        names = reads.get(self.locale, tag)
        return i18n.translator(tag, reads.get(self.catalogue, names[0]) if names else None)

    def _languages(self, reads: Reads, _: str) -> tuple[str, ...]:
        """Every language a page is in; for each, what pages in it cannot show in it."""
        config = reads.get(self.config)
        first = {config.language: ""}
        for slug in reads.get(self.order):
            first.setdefault(reads.facet(self.article, slug, "heading").lang, slug)
        for tag, slug in first.items():
            unlabelled = [v for v in config.verdicts if not v.has_label_for(tag)]
            has_catalogue = bool(reads.get(self.locale, tag))
            if has_catalogue and not unlabelled:
                continue
            article = reads.get(self.article, slug) if slug else None
            place = (
                (article.path, *article.lang_at)
                if article is not None
                else (SITE_FILE, *config.language_at)
            )
            i18n.report_language(tag, has_catalogue, unlabelled, place, reads.report)
        return tuple(sorted(first))

    def _versions(self, reads: Reads, _: str) -> Versions:
        """Articles and checks joined by translation_of, and what is wrong with the joins."""
        order = reads.get(self.order)
        headings = {slug: reads.facet(self.article, slug, "heading") for slug in order}
        articles, problems = i18n.join_versions(
            {slug: (h.lang, h.translation_of) for slug, h in headings.items()},
            self.article_files,
            "article",
        )
        homes = {c: p.home for c, p in reads.get(self.homes).placements.items()}
        pieces = {
            claim_id: (headings[home].lang, reads.facet(self.check, claim_id, "translation"))
            for claim_id, home in homes.items()
        }
        checks, check_problems = i18n.join_versions(pieces, self.check_files, "check")
        for problem in problems:
            self._report_version(reads, problem, self.article)
        for problem in [*check_problems, *self._changed_verdicts(reads, checks, pieces)]:
            self._report_version(reads, problem, self.check)
        language = reads.facet(self.config, "", "language")
        return Versions(
            {
                slug: tuple(
                    i18n.Version(k, headings[k].lang, headings[k].dir, paths.article(k))
                    for k in group
                )
                for slug, group in articles.items()
            },
            {
                claim_id: tuple(
                    i18n.Version(k, pieces[k][0], headings[homes[k]].dir, paths.claim(homes[k], k))
                    for k in group
                )
                for claim_id, group in checks.items()
            },
            self._hidden(articles, headings, language),
        )

    def _hidden(
        self,
        groups: Mapping[str, tuple[str, ...]],
        headings: Mapping[str, Heading],
        language: str,
    ) -> tuple[i18n.Version, ...]:
        """The versions lists leave out: all but the one in the site's language (or the
        original) of each set."""
        hidden: set[str] = set()
        for group in groups.values():
            shown = i18n.shown_version(group, {k: headings[k].lang for k in group}, language)
            hidden.update(k for k in group if k != shown)
        return tuple(
            i18n.Version(k, headings[k].lang, headings[k].dir, paths.article(k))
            for k in sorted(hidden)
        )

    def _changed_verdicts(
        self,
        reads: Reads,
        groups: Mapping[str, tuple[str, ...]],
        pieces: Mapping[str, tuple[str, str]],
    ) -> list[i18n.Problem]:
        """A check translation whose verdict is not its original's: maybe deliberate."""
        found = []
        for claim_id, group in groups.items():
            target = pieces[claim_id][1]
            if not target or target not in group:
                continue
            mine, theirs = (reads.facet(self.check, c, "verdict") for c in (claim_id, target))
            if mine != theirs:
                found.append(
                    i18n.Problem(
                        claim_id,
                        f"verdict '{mine}' differs from '{theirs}', the verdict of '{target}', "
                        "which this check translates",
                        "a translation keeps its original's verdict; if the change is "
                        "deliberate, say why in the check's updates",
                        "warning",
                    )
                )
        return found

    def _report_version(self, reads: Reads, problem: i18n.Problem, query: Query[Any]) -> None:
        """Report at the file's translation_of, where the problem is written."""
        model = reads.get(query, problem.key)
        if model is None:
            return
        line, col = model.translation_at
        say = reads.report.error if problem.severity == "error" else reads.report.warning
        say(model.path, line, col, problem.message, problem.hint)

    def _listed(self, reads: Reads) -> tuple[str, ...]:
        """The articles lists show, in home order: one version of each set of translations."""
        hidden = {v.key for v in reads.facet(self.versions, "", "hidden")}
        return tuple(slug for slug in reads.get(self.order) if slug not in hidden)

    def _translations_of(
        self, reads: Reads, kind: str, keys: Sequence[str]
    ) -> dict[str, tuple[i18n.Version, ...]]:
        """The versions of each of these articles ('a') or checks ('c') that has them."""
        found = {key: reads.facet(self.versions, "", f"{kind}:{key}") for key in keys}
        return {key: versions for key, versions in found.items() if versions}

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
            (self.catalogue_check, list(self.locale_files)),
            (self.languages, [""]),
            (self.versions, [""]),
            *(found for feature in self.features for found in feature.diagnostics()),
        )


@dataclass(frozen=True)
class Versions:
    """The language versions of articles and checks, each version with all of its set
    (the original first); and the articles lists leave out, shown through another version."""

    articles: dict[str, tuple[i18n.Version, ...]]
    checks: dict[str, tuple[i18n.Version, ...]]
    hidden: tuple[i18n.Version, ...]


def _versions_facets(versions: Versions) -> dict[str, Any]:
    """A facet per article and check with versions: a page reads only its own."""
    return {
        "hidden": versions.hidden,
        **{f"a:{slug}": found for slug, found in versions.articles.items()},
        **{f"c:{claim_id}": found for claim_id, found in versions.checks.items()},
    }


CONFIG_FACETS = {
    "scale": tuple[str, ...],
    "language": str,
    "strict": bool,
    "base_url": str,
    "standards": lints.Standards,
}
CHECK_FACETS = {"valid": bool, "verdict": str, "modified": dt.date | None, "translation": str}
ARTICLE_FACETS = {"heading": Heading | None}
BODY_FACETS = {"marked": tuple[tuple[Mark, ...], bool]}


def _config_facets(config: SiteConfig) -> dict[str, Any]:
    return {
        "scale": tuple(v.key for v in config.verdicts),
        "language": config.language,
        "strict": config.strict,
        "base_url": config.base_url,
        "standards": lints.standards(config),
    }


def _check_facets(check: Check | None) -> dict[str, Any]:
    return {
        "valid": check is not None,
        "verdict": check.verdict if check else "",
        "modified": check.modified if check else None,
        "translation": check.translation_of if check else "",
    }


def _article_facets(article: Article | None) -> dict[str, Any]:
    if article is None:
        return {"heading": None}
    return {"heading": heading(article)}


def _body_facets(body: Body | None) -> dict[str, Any]:
    """What homes and lists need of a body: its marks, and whether any may be missing."""
    return {"marked": ((), False) if body is None else (body.marks, body.complete)}
