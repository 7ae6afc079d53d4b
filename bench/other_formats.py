"""The benchmark corpus as Hugo, MkDocs and Pelican sources: the same articles, same words.

Hugo gets what we render: each article with its claims highlighted in place (a `claim`
shortcode) and listed with verdict, summary and sources read from `data/claims/`, which
holds our check files unchanged, plus one page per claim (bench/hugo/ has the layout).
`hugo-fast` is the same site laid out as a Hugo user would for speed (bench/hugo-fast/):
one data file per article holding its checks (`data/articles/<slug>.yaml`, the check
files' text keyed by check id), a shortcode reading the page's own data file, and a
content adapter making the claim pages from those files.
`hugo-full` is hugo-fast plus the pages we write and it does not (bench/hugo-full/): an
embed card per claim (a custom output format), the claimant pages (a taxonomy) and about
and corrections pages, from the same sources.
MkDocs and Pelican know nothing of claims: they get the articles as plain Markdown and
render no claim pages, so they do less work than we and Hugo do.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from corpus import Article, check_yaml, plain_text, write_files, yaml_string

BENCH = Path(__file__).resolve().parent
HUGO_LAYOUT = BENCH / "hugo"
HUGO_FAST_LAYOUT = BENCH / "hugo-fast"
HUGO_FULL_LAYOUT = BENCH / "hugo-full"
OUR_ASSETS = (
    BENCH.parent / "templates" / "assets" / "style.css",
    BENCH.parent / "templates" / "assets" / "claims.js",
)
"""Our stylesheet and script, which hugo-fast fingerprints as we do."""
OUR_FULL_ASSETS = (
    *OUR_ASSETS,
    BENCH.parent / "templates" / "assets" / "embed.css",
    BENCH.parent / "templates" / "assets" / "lists.css",
)
"""hugo-full's: those, the embed card's stylesheet and the claimant lists'."""


def write_hugo(corpus: tuple[Article, ...], folder: Path) -> None:
    shutil.copytree(HUGO_LAYOUT, folder, dirs_exist_ok=True)
    files = {}
    for article in corpus:
        files[f"content/{article.slug}.md"] = _hugo_article(article)
        for check in article.checks:
            files[f"data/claims/{check.id}.yaml"] = check_yaml(check)
    write_files(folder, files)


def _hugo_article(article: Article) -> str:
    claims = "".join(f"  - {check.id}\n" for check in article.checks)
    return (
        f"---\ntitle: {article.title}\ndate: {article.published}\n"
        f"summary: {article.summary}\nclaims:\n{claims}---\n\n{_shortcoded_body(article)}\n"
    )


def write_hugo_fast(corpus: tuple[Article, ...], folder: Path) -> None:
    _write_hugo_fast_like(corpus, folder, (HUGO_FAST_LAYOUT,), OUR_ASSETS)


def write_hugo_full(corpus: tuple[Article, ...], folder: Path) -> None:
    """hugo-fast's sources and layout, with hugo-full's files over it: bench/hugo-full/
    holds only what it adds or changes, the templates making the extra pages."""
    _write_hugo_fast_like(corpus, folder, (HUGO_FAST_LAYOUT, HUGO_FULL_LAYOUT), OUR_FULL_ASSETS)


def _write_hugo_fast_like(
    corpus: tuple[Article, ...], folder: Path, layouts: tuple[Path, ...], assets: tuple[Path, ...]
) -> None:
    for layout in layouts:  # later ones win
        shutil.copytree(layout, folder, dirs_exist_ok=True)
    for asset in assets:
        shutil.copy(asset, folder / "assets" / asset.name)
    files = {}
    for article in corpus:
        files[f"content/{article.slug}.md"] = _hugo_fast_article(article)
        files[f"data/articles/{article.slug}.yaml"] = "".join(
            hugo_fast_entry(check.id, check_yaml(check)) for check in article.checks
        )
    write_files(folder, files)


def hugo_fast_entry(check_id: str, check_text: str) -> str:
    """One check in an article's data file: the check file's text under its id."""
    return f"{check_id}:\n" + textwrap.indent(check_text, "  ")


def _hugo_fast_article(article: Article) -> str:
    return (
        f"---\ntitle: {yaml_string(article.title)}\ndate: {article.published}\n"
        f"summary: {yaml_string(article.summary)}\nsource:\n  publisher: Example News\n"
        f"  url: https://news.example.com/{article.slug}\n"
        f"  published: {article.checks[0].claim_date}\n---\n\n{_shortcoded_body(article)}\n"
    )


def _shortcoded_body(article: Article) -> str:
    return "\n\n".join(
        "".join(
            f'{{{{< claim "{claim}" >}}}}{text}{{{{< /claim >}}}}' if claim else text
            for text, claim in paragraph
        )
        for paragraph in article.paragraphs
    )


def write_mkdocs(corpus: tuple[Article, ...], folder: Path) -> None:
    files = {
        "mkdocs.yml": "site_name: Bench Fact Desk\nsite_url: https://bench.example.org/\n"
        "theme: mkdocs\n"
    }
    for article in corpus:
        files[f"docs/{article.slug}.md"] = f"# {article.title}\n\n{_plain_body(article)}"
    files["docs/index.md"] = "# Bench Fact Desk\n"
    write_files(folder, files)


PELICAN_CONF = """\
SITENAME = "Bench Fact Desk"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
"""


def write_pelican(corpus: tuple[Article, ...], folder: Path) -> None:
    files = {"pelicanconf.py": PELICAN_CONF}
    for article in corpus:
        files[f"content/{article.slug}.md"] = (
            f"Title: {article.title}\nDate: {article.published}\nSlug: {article.slug}\n"
            f"Summary: {article.summary}\n\n{_plain_body(article)}"
        )
    write_files(folder, files)


def _plain_body(article: Article) -> str:
    return "\n\n".join(plain_text(paragraph) for paragraph in article.paragraphs) + "\n"
