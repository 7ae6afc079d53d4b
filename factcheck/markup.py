"""Markup stage: Markdown bodies become safe HTML, with claim markers found and checked.

Claim markers `[text]{claim=id}` are parsed by a Python-Markdown inline processor, so
code spans, fenced code and `\\[` escapes keep them literal. A tree processor then walks
the result in document order: it numbers each claim's marks, rejects nested and stray
markers, and puts the verdict widget (rendered by a template, through a callback) after
the marked text. Everything is then cleaned by nh3: editors' raw HTML keeps only a safe
set of tags and attributes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor

from .cache import BuildCache, key
from .errors import Report, did_you_mean
from .model import Article, Check, Marker, Site, marker_anchor
from .sources import ID_PATTERN, suggest_id
from .workers import Progress, run_all

MARKER_PRIORITY = 172  # after `\` escapes and footnotes, before references and links
_MARKER_BRACES = re.compile(r"\{([^{}\n]*)\}")
_ESCAPED_BRACKET = f"{markdown.util.STX}{ord('[')}{markdown.util.ETX}"
_STRAY = re.compile(r"\]?\{\s*claim\s*[=:]")
_HEADING = re.compile(r"h[1-6]")
_IMAGE_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\salt\s*=", re.IGNORECASE)
EXTENSIONS = ("tables", "fenced_code", "footnotes", "sane_lists")
PATTERN_TRIGGERS = {  # what a text must contain for each inline pattern to match in it
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",), "claim": ("[",),
    "reference": ("[",), "link": ("[",), "short_reference": ("[",), "image_link": ("![",),
    "image_reference": ("![",), "short_image_ref": ("![",), "autolink": ("<",),
    "automail": ("<",), "html": ("<",), "entity": ("&",), "em_strong": ("*", "_"),
    "linebreak": ("  \n", "\t", "\r"),  # tabs become spaces, CRs newlines, before it runs
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "dir", "title", "hidden"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "q": {"cite"}, "blockquote": {"cite"}, "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
}


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Drop images from other hosts: a page must load nothing from elsewhere."""
    if tag == "img" and name == "src" and (urlsplit(value).scheme or value.startswith("//")):
        return None
    return value


def sanitise(html: str) -> str:
    """Keep only safe tags and attributes; no scripts, handlers or `javascript:` URLs."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     attribute_filter=_keep_attribute, link_rel=None,
                     url_schemes={"http", "https", "mailto"})


@dataclass(frozen=True)
class Found:
    """A marker as the tree processor met it, before its place in the file is known."""

    raw: str
    claim_id: str = ""
    n: int = 0
    problem: str = ""
    hint: str = ""


Widget = Callable[[str, int], str]
"""Renders the verdict widget for the n-th mark of a claim id; '' for an unknown claim."""

ClaimWidget = Callable[[Article, Check, str, int, int], str]
"""widget(article, check, home slug, n-th mark, claim's number in the article): its HTML."""


class ClaimMarkerProcessor(LinkInlineProcessor):
    """`[text]{claim=id}`: a span holding the text; malformed braces become a problem."""

    def handleMatch(self, m, data):
        text, index, closed = self.getText(data, m.end(0))
        if not closed or not data.startswith("{", index):
            return None, None, None
        braces = _MARKER_BRACES.match(data, index)
        if braces is None:
            line_end = data.find("\n", index)
            end = len(data) if line_end < 0 else line_end
            return self._problem(data[m.start(0):end], text,
                                 "claim marker is not closed with '}'",
                                 "write [text]{claim=ID} on one line"), m.start(0), end
        raw = data[m.start(0):braces.end()]
        problem, hint = _marker_problem(braces.group(1).strip())
        if problem:
            return self._problem(raw, text, problem, hint), m.start(0), braces.end()
        element = etree.Element("span", {"data-claim": braces.group(1).split("=", 1)[1],
                                         "data-raw": raw})
        element.text = text
        return element, m.start(0), braces.end()

    @staticmethod
    def _problem(raw: str, text: str, problem: str, hint: str) -> etree.Element:
        element = etree.Element("span", {"data-problem": problem, "data-hint": hint,
                                         "data-raw": raw})
        element.text = text
        return element


def _marker_problem(inside: str) -> tuple[str, str]:
    """What is wrong with the text between a marker's braces, if anything."""
    key, equals, value = inside.partition("=")
    if not equals:
        return (f"'{{{inside}}}' after bracketed text is not a claim marker",
                "write [text]{claim=ID}; to keep a literal '{' after ']', write '\\{'")
    if key != "claim":
        return (f"unknown marker attribute '{key.strip()}'",
                did_you_mean(key.strip(), ["claim"]) or "markers are written [text]{claim=ID}")
    if not ID_PATTERN.fullmatch(value):
        return (f"invalid claim id '{value}'",
                f"ids use lowercase letters, digits and single hyphens, "
                f"e.g. '{suggest_id(value)}'")
    return "", ""


class ClaimMarkerTreeprocessor(Treeprocessor):
    """Number marks in document order, add the widget, and find what cannot be a marker."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.widget: Widget = lambda claim_id, n: ""
        self.found: list[Found] = []

    def run(self, root):
        self.found = []
        self._walk(root, inside=None, in_code=False)

    def _walk(self, element, inside: str | None, in_code: bool) -> None:
        """Visit children in document order; `inside` names the marker around them."""
        in_code = in_code or element.tag in ("code", "pre")
        self._stray(element.text, in_code, inside)
        for child in list(element):
            raw = child.attrib.pop("data-raw", None)
            claim_id = child.attrib.pop("data-claim", None)
            if raw is None:
                self._walk(child, inside, in_code)
            elif claim_id is None:
                self.found.append(Found(raw, problem=child.attrib.pop("data-problem"),
                                        hint=child.attrib.pop("data-hint")))
                self._walk(child, inside, in_code)
            else:
                self._mark(child, claim_id, raw)
                self._walk(child, claim_id, in_code)
            self._stray(child.tail, in_code, inside)

    def _mark(self, span: etree.Element, claim_id: str, raw: str) -> None:
        n = 1 + sum(1 for f in self.found if f.claim_id == claim_id)
        self.found.append(Found(raw, claim_id, n))
        marked = etree.SubElement(span, "mark", {"class": "claim-text"})
        marked.text, span.text = span.text, None
        for child in list(span)[:-1]:
            span.remove(child)
            marked.append(child)
        marked.tail = self.md.htmlStash.store(self.widget(claim_id, n))
        span.attrib.update({"class": "claim", "id": marker_anchor(claim_id, n)})

    def _stray(self, text: str | None, in_code: bool, inside: str | None) -> None:
        """Marker braces left as text: nested in a marker, or not after bracketed text."""
        if in_code or not text:
            return
        match = _STRAY.search(text)
        if not match or _ESCAPED_BRACKET in text[:match.start()]:
            return
        end = text.find("}", match.end())
        raw = text[match.start(): end + 1 if end >= 0 else len(text)]
        if inside is not None:
            problem = Found(raw, problem="claim markers cannot be nested",
                            hint=f"it is inside the marker for '{inside}'")
        else:
            problem = Found(raw, problem="claim marker has no bracketed text before it",
                            hint="write [text]{claim=ID} within one paragraph, "
                                 "with nothing between ']' and '{'")
        self.found.append(problem)


class PossiblePatterns:
    """Gives Python-Markdown only the inline patterns that can match the text at hand.

    It tries every inline pattern on every run of text, and most texts need few of them
    (a plain paragraph, none): skipping those whose trigger is nowhere in the text saves a
    fifth of a typical conversion. Patterns not in PATTERN_TRIGGERS are always tried.
    """

    def __init__(self, md: markdown.Markdown) -> None:
        self.inline = md.treeprocessors["inline"]
        names = {id(md.inlinePatterns[name]): name for name in PATTERN_TRIGGERS
                 if name in md.inlinePatterns}
        self.every = [(names.get(id(pattern)), pattern) for pattern in md.inlinePatterns]
        self.registries: dict[tuple[bool, ...], markdown.util.Registry] = {}

    def choose(self, text: str) -> None:
        """Set the patterns for converting `text`."""
        possible = tuple(name is None or any(t in text for t in PATTERN_TRIGGERS[name])
                         for name, _ in self.every)
        registry = self.registries.get(possible)
        if registry is None:
            registry = self.registries[possible] = markdown.util.Registry()
            kept = [item for item, keep in zip(self.every, possible, strict=True) if keep]
            for rank, (name, pattern) in enumerate(kept):
                registry.register(pattern, name or f"pattern-{rank}", len(kept) - rank)
        self.inline.inlinePatterns = registry


class HeadingLevels(Treeprocessor):
    """Fit the text's headings under the page's own: the page title is the only h1.

    Each level moves down by `shift`, and none is above `top`.
    """

    def __init__(self, md: markdown.Markdown, top: int, shift: int) -> None:
        super().__init__(md)
        self.top, self.shift = top, shift

    def run(self, root):
        for element in root.iter():
            if _HEADING.fullmatch(element.tag):
                level = int(element.tag[1]) + self.shift
                element.tag = f"h{min(6, max(self.top, level))}"


class ClaimMarkers(markdown.Extension):
    def extendMarkdown(self, md):
        md.inlinePatterns.register(ClaimMarkerProcessor(r"\[", md), "claim", MARKER_PRIORITY)
        self.tree = ClaimMarkerTreeprocessor(md)
        md.treeprocessors.register(self.tree, "claim", 16)


class BodyConverter:
    """One Markdown instance for article bodies, reset between articles."""

    def __init__(self) -> None:
        self.markers = ClaimMarkers()
        self.md = markdown.Markdown(extensions=[*EXTENSIONS, self.markers],
                                    output_format="html")
        self.md.treeprocessors.register(HeadingLevels(self.md, top=2, shift=0), "levels", 5)
        self.patterns = PossiblePatterns(self.md)

    def convert(self, text: str, widget: Widget) -> tuple[str, list[Found]]:
        self.markers.tree.widget = widget
        self.md.reset()
        self.patterns.choose(text)
        html = self.md.convert(text)
        return sanitise(html), self.markers.tree.found


class PlainMarkdown:
    """Markdown for analysis, methodology and policy texts: raw HTML is shown as text."""

    def __init__(self) -> None:
        self.md = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")
        self.md.preprocessors.deregister("html_block")
        self.md.inlinePatterns.deregister("html")
        self.levels = HeadingLevels(self.md, top=2, shift=1)
        self.md.treeprocessors.register(self.levels, "levels", 5)
        self.patterns = PossiblePatterns(self.md)

    def __call__(self, text: str, top: int = 2) -> str:
        """HTML for `text`, whose `#` headings become level `top` (the section's own + 1)."""
        self.levels.top, self.levels.shift = top, top - 1
        self.md.reset()
        self.patterns.choose(text)
        return sanitise(self.md.convert(text))


def locate(body: str, first_line: int, found: list[Found]) -> list[tuple[int, int]]:
    """The 1-based line and column of each marker, searching the body in document order.

    A marker that wraps inside a quote or list lost the `> ` or indent of its later lines
    to the block parser, so those are allowed back between its lines.
    """
    places, cursor = [], 0
    for item in found:
        index = body.find(item.raw, cursor)
        if index >= 0:
            cursor = index + len(item.raw)
        else:
            pattern = re.compile(r"\n[ \t>]*".join(map(re.escape, item.raw.split("\n"))))
            match = pattern.search(body, cursor) or pattern.search(body)
            index = match.start() if match else 0
            cursor = match.end() if match else cursor
        line = body.count("\n", 0, index)
        col = index - (body.rfind("\n", 0, index) + 1)
        places.append((first_line + line, col + 1))
    return places


@dataclass(frozen=True)
class Body:
    """An article body's HTML and the markers met in it, with each one's line and column."""

    html: str
    found: list[Found]
    places: list[tuple[int, int]]
    images_without_alt: list[tuple[int, int]]
    """Where the editor's own <img> tags that lack alt text are (line, column)."""


def images_without_alt(body: str, first_line: int, html: str) -> list[tuple[int, int]]:
    """Raw <img> tags without alt: the page would be invalid and say nothing to a screen
    reader. Checked in the HTML made (an <img> in a code span is text there), then found
    in the source for its place."""
    missing = sum(1 for tag in _IMAGE_TAG.findall(html) if not _ALT.search(tag))
    places = []
    for match in _IMAGE_TAG.finditer(body):
        if len(places) < missing and not _ALT.search(match[0]):
            line = body.count("\n", 0, match.start())
            places.append((first_line + line, match.start() - body.rfind("\n", 0, match.start())))
    return places


class ArticleBodies:
    """Converts article bodies, with the verdict widget that links each claim to its home."""

    def __init__(self, site: Site, widget: ClaimWidget):
        self.site, self.widget = site, widget
        self.converter = BodyConverter()

    def convert(self, article: Article, homes: dict[str, str]) -> Body:
        """The body's HTML and markers; a claim without a home yet lives in this article."""
        numbers: dict[str, int] = {}  # each claim's number in this article, as printed

        def article_widget(claim_id: str, n: int) -> str:
            check = self.site.checks.get(claim_id)
            if check is None:
                return ""
            number = numbers.setdefault(claim_id, len(numbers) + 1)
            return self.widget(article, check, homes.get(claim_id, article.slug), n, number)

        html, found = self.converter.convert(article.body, article_widget)
        return Body(html, found, locate(article.body, article.body_line, found),
                    images_without_alt(article.body, article.body_line, html))

    def depends_on(self, found: list[Found], homes: dict[str, str]) -> tuple:
        """What a body's HTML depends on besides its own text: its claims and their homes."""
        ids = sorted({f.claim_id for f in found if f.claim_id})
        checks = self.site.checks
        return tuple((i, self.site.digest(checks[i]) if i in checks else "", homes.get(i, ""))
                     for i in ids)


def mark_up(site: Site, widget: ClaimWidget, report: Report, check_ids: frozenset[str],
            cache: BuildCache | None = None, scope: str = "",
            progress: Progress | None = None) -> Site:
    """Render every article body; report marker problems, missing checks and orphans.

    A claim's home is the first article, in home order, that marks it. Bodies are first
    converted in parallel as if each article were the home of the claims it marks, which
    is true but for claims marked in several articles; only bodies where that guess was
    wrong are converted again. A body is reused from `cache` while its text, its claims'
    checks and their homes are unchanged (`scope` fingerprints everything else).
    `check_ids` names every check file, valid or not, so that a marker naming a check
    with errors is not reported a second time as missing.
    """
    cache = cache or BuildCache()
    bodies = ArticleBodies(site, widget)
    keys = [key(scope, "body", a.path, site.digest(a)) for a in site.articles]
    cached = [cache.get(k) for k in keys]
    todo = [i for i, entry in enumerate(cached) if entry is None]
    converted = run_all(lambda i: bodies.convert(site.articles[i], {}), todo,
                        "articles marked up", progress)
    fresh = dict(zip(todo, converted, strict=True))
    found = [fresh[i].found if i in fresh else cached[i][1].found for i in range(len(keys))]
    homes: dict[str, str] = {}
    for article, marks in zip(site.articles, found, strict=True):
        for item in marks:
            if item.claim_id in site.checks:
                homes.setdefault(item.claim_id, article.slug)
    articles = []
    for i, article in enumerate(site.articles):
        depends = bodies.depends_on(found[i], homes)
        if cached[i] is not None and cached[i][0] == depends:
            body = cached[i][1]
        else:
            if i in fresh and all(home == article.slug for _, _, home in depends if home):
                body = fresh[i]
            else:
                body = bodies.convert(article, homes)
            cache.put(keys[i], (depends, body))
        markers = _markers(article, body, site, check_ids, report)
        for line, col in body.images_without_alt:
            report.warning(article.path, line, col, "image without alt text",
                           'describe it in alt="...", or write alt="" if it only decorates')
        articles.append(replace(article, body_html=body.html, markers=markers))
    if not report.has_errors_under("content/"):  # else which claims are marked is unknown
        _report_orphans(site, homes, report)
    return replace(site, articles=tuple(articles), homes=homes)


def _markers(article: Article, body: Body, site: Site, check_ids: frozenset[str],
             report: Report) -> tuple[Marker, ...]:
    markers = []
    for item, (line, col) in zip(body.found, body.places, strict=True):
        if item.problem:
            report.error(article.path, line, col, item.problem, item.hint)
        elif item.claim_id in site.checks:
            markers.append(Marker(item.claim_id, item.n, line, col))
        elif item.claim_id not in check_ids:
            hint = did_you_mean(item.claim_id, check_ids) or \
                f"create checks/{item.claim_id}.yaml (python build.py new {item.claim_id})"
            report.error(article.path, line, col, f"no check '{item.claim_id}'", hint)
    return tuple(markers)


def _report_orphans(site: Site, homes: dict[str, str], report: Report) -> None:
    for claim_id, check in sorted(site.checks.items()):
        if claim_id in homes:
            continue
        message = f"check '{claim_id}' is not marked in any article"
        hint = f"mark it in an article as [text]{{claim={claim_id}}}"
        if site.config.strict:
            report.error(check.path, 1, 1, message, hint + ", or set 'strict: false'")
        else:
            report.warning(check.path, 1, 1, message, hint)
