"""Markup stage: Markdown bodies become safe HTML, with claim markers found and checked.

Claim markers `[text]{claim=id}` are parsed by a Python-Markdown inline processor, so
code spans, fenced code and `\\[` escapes keep them literal. A tree processor then walks
the result in document order: it numbers each claim's marks, rejects nested and stray
markers, and leaves a placeholder (`CHIP`) after each marked text, where the renderer puts
the verdict chip. So a body depends on its own text only, never on the checks or on other
articles. Everything is cleaned by nh3: editors' raw HTML keeps only a safe set of tags
and attributes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor

from .errors import Report, did_you_mean
from .sources import ID_PATTERN, suggest_id

CHIP = "\ue000"
"""A private-use character marking where a mark's verdict chip goes (removed from input)."""
MARKER_PRIORITY = 172  # after `\` escapes and footnotes, before references and links
_MARKER_BRACES = re.compile(r"\{([^{}\n]*)\}")
_ESCAPED_BRACKET = f"{markdown.util.STX}{ord('[')}{markdown.util.ETX}"
_STRAY = re.compile(r"\]?\{\s*claim\s*[=:]")
_HEADING = re.compile(r"h[1-6]")
_IMAGE_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\salt\s*=", re.IGNORECASE)
EXTENSIONS = ("tables", "fenced_code", "footnotes", "sane_lists")
PATTERN_TRIGGERS = {  # what a text must contain for each inline pattern to match in it
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[^",),
    "claim": ("[",),
    "reference": ("[",),
    "link": ("[",),
    "short_reference": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "linebreak": ("  \n", "\t", "\r"),  # tabs become spaces, CRs newlines, before it runs
}

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "dir", "title", "hidden"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
}


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Drop images from other hosts: a page must load nothing from elsewhere."""
    if tag == "img" and name == "src" and (urlsplit(value).scheme or value.startswith("//")):
        return None
    return value


def sanitise(html: str) -> str:
    """Keep only safe tags and attributes; no scripts, handlers or `javascript:` URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        link_rel=None,
        url_schemes={"http", "https", "mailto"},
    )


@dataclass(frozen=True)
class Found:
    """A marker as the tree processor met it, before its place in the file is known."""

    raw: str
    claim_id: str = ""
    n: int = 0
    problem: str = ""
    hint: str = ""


class ClaimMarkerProcessor(LinkInlineProcessor):
    """`[text]{claim=id}`: a span holding the text; malformed braces become a problem."""

    def handleMatch(  # type: ignore[override]  # the inline-processor form, with data
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        text, index, closed = self.getText(data, m.end(0))
        if not closed or not data.startswith("{", index):
            return None, None, None
        braces = _MARKER_BRACES.match(data, index)
        if braces is None:
            line_end = data.find("\n", index)
            end = len(data) if line_end < 0 else line_end
            return (
                self._problem(
                    data[m.start(0) : end],
                    text,
                    "claim marker is not closed with '}'",
                    "write [text]{claim=ID} on one line",
                ),
                m.start(0),
                end,
            )
        raw = data[m.start(0) : braces.end()]
        problem, hint = _marker_problem(braces.group(1).strip())
        if problem:
            return self._problem(raw, text, problem, hint), m.start(0), braces.end()
        element = etree.Element(
            "span", {"data-claim": braces.group(1).split("=", 1)[1], "data-raw": raw}
        )
        element.text = text
        return element, m.start(0), braces.end()

    @staticmethod
    def _problem(raw: str, text: str, problem: str, hint: str) -> etree.Element:
        element = etree.Element(
            "span", {"data-problem": problem, "data-hint": hint, "data-raw": raw}
        )
        element.text = text
        return element


def _marker_problem(inside: str) -> tuple[str, str]:
    """What is wrong with the text between a marker's braces, if anything."""
    key, equals, value = inside.partition("=")
    if not equals:
        return (
            f"'{{{inside}}}' after bracketed text is not a claim marker",
            "write [text]{claim=ID}; to keep a literal '{' after ']', write '\\{'",
        )
    if key != "claim":
        return (
            f"unknown marker attribute '{key.strip()}'",
            did_you_mean(key.strip(), ["claim"]) or "markers are written [text]{claim=ID}",
        )
    if not ID_PATTERN.fullmatch(value):
        return (
            f"invalid claim id '{value}'",
            f"ids use lowercase letters, digits and single hyphens, e.g. '{suggest_id(value)}'",
        )
    return "", ""


class ClaimMarkerTreeprocessor(Treeprocessor):
    """Number marks in document order, add the widget, and find what cannot be a marker."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.found: list[Found] = []

    def run(self, root: etree.Element) -> None:
        self.found = []
        self._walk(root, inside=None, in_code=False)

    def _walk(self, element: etree.Element, inside: str | None, in_code: bool) -> None:
        """Visit children in document order; `inside` names the marker around them."""
        in_code = in_code or element.tag in ("code", "pre")
        self._stray(element.text, in_code, inside)
        for child in list(element):
            raw = child.attrib.pop("data-raw", None)
            claim_id = child.attrib.pop("data-claim", None)
            if raw is None:
                self._walk(child, inside, in_code)
            elif claim_id is None:
                self.found.append(
                    Found(
                        raw,
                        problem=child.attrib.pop("data-problem"),
                        hint=child.attrib.pop("data-hint"),
                    )
                )
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
        marked.tail = CHIP  # where the renderer puts the verdict chip and note
        span.attrib.update({"class": "claim", "id": marker_anchor(claim_id, n)})

    def _stray(self, text: str | None, in_code: bool, inside: str | None) -> None:
        """Marker braces left as text: nested in a marker, or not after bracketed text."""
        if in_code or not text:
            return
        match = _STRAY.search(text)
        if not match or _ESCAPED_BRACKET in text[: match.start()]:
            return
        end = text.find("}", match.end())
        raw = text[match.start() : end + 1 if end >= 0 else len(text)]
        if inside is not None:
            problem = Found(
                raw,
                problem="claim markers cannot be nested",
                hint=f"it is inside the marker for '{inside}'",
            )
        else:
            problem = Found(
                raw,
                problem="claim marker has no bracketed text before it",
                hint="write [text]{claim=ID} within one paragraph, "
                "with nothing between ']' and '{'",
            )
        self.found.append(problem)


class PossiblePatterns:
    """Gives Python-Markdown only the inline patterns that can match the text at hand.

    It tries every inline pattern on every run of text, and most texts need few of them
    (a plain paragraph, none): skipping those whose trigger is nowhere in the text saves a
    fifth of a typical conversion. Patterns not in PATTERN_TRIGGERS are always tried.
    """

    def __init__(self, md: markdown.Markdown) -> None:
        self.inline = md.treeprocessors["inline"]
        names = {
            id(md.inlinePatterns[name]): name
            for name in PATTERN_TRIGGERS
            if name in md.inlinePatterns
        }
        self.every = [(names.get(id(pattern)), pattern) for pattern in md.inlinePatterns]
        self.registries: dict[tuple[bool, ...], markdown.util.Registry[Any]] = {}

    def choose(self, text: str) -> None:
        """Set the patterns for converting `text`."""
        possible = tuple(
            name is None or any(t in text for t in PATTERN_TRIGGERS[name]) for name, _ in self.every
        )
        registry = self.registries.get(possible)
        if registry is None:
            registry = self.registries[possible] = markdown.util.Registry[Any]()
            kept = [item for item, keep in zip(self.every, possible, strict=True) if keep]
            for rank, (name, pattern) in enumerate(kept):
                registry.register(pattern, name or f"pattern-{rank}", len(kept) - rank)
        self.inline.inlinePatterns = registry  # type: ignore[attr-defined]


class HeadingLevels(Treeprocessor):
    """Fit the text's headings under the page's own: the page title is the only h1.

    Each level moves down by `shift`, and none is above `top`.
    """

    def __init__(self, md: markdown.Markdown, top: int, shift: int) -> None:
        super().__init__(md)
        self.top, self.shift = top, shift

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if _HEADING.fullmatch(element.tag):
                level = int(element.tag[1]) + self.shift
                element.tag = f"h{min(6, max(self.top, level))}"


class ClaimMarkers(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.inlinePatterns.register(ClaimMarkerProcessor(r"\[", md), "claim", MARKER_PRIORITY)
        self.tree = ClaimMarkerTreeprocessor(md)
        md.treeprocessors.register(self.tree, "claim", 16)


class BodyConverter:
    """One Markdown instance for article bodies, reset between articles."""

    def __init__(self) -> None:
        self.markers = ClaimMarkers()
        self.md = markdown.Markdown(extensions=[*EXTENSIONS, self.markers], output_format="html")
        self.md.treeprocessors.register(HeadingLevels(self.md, top=2, shift=0), "levels", 5)
        self.patterns = PossiblePatterns(self.md)

    def convert(self, text: str) -> tuple[str, list[Found]]:
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


def images_without_alt(body: str, first_line: int, html: str) -> list[tuple[int, int]]:
    """Raw <img> tags without alt: the page would be invalid and say nothing to a screen
    reader. Checked in the HTML made (an <img> in a code span is text there), then found
    in the source for its place."""
    missing = sum(1 for tag in _IMAGE_TAG.findall(html) if not _ALT.search(tag))
    places: list[tuple[int, int]] = []
    for match in _IMAGE_TAG.finditer(body):
        if len(places) < missing and not _ALT.search(match[0]):
            line = body.count("\n", 0, match.start())
            places.append((first_line + line, match.start() - body.rfind("\n", 0, match.start())))
    return places


@dataclass(frozen=True)
class Mark:
    """A claim marked in an article body; `n` counts the marks of one claim in the article."""

    claim_id: str
    n: int
    line: int
    col: int

    @property
    def anchor(self) -> str:
        return marker_anchor(self.claim_id, self.n)


def marker_anchor(claim_id: str, n: int) -> str:
    """A mark's element id; the first mark of a claim, its home in the text, has no number."""
    return f"claim-{claim_id}" if n == 1 else f"claim-{claim_id}-{n}"


@dataclass(frozen=True)
class Body:
    """An article body as safe HTML with a `CHIP` after each mark, and the marks in order."""

    html: str
    marks: tuple[Mark, ...]
    complete: bool = True
    """False when some marker had a problem: a mark may be missing."""

    @property
    def claim_ids(self) -> tuple[str, ...]:
        """Each marked claim once, in the order of its first mark."""
        return tuple(dict.fromkeys(m.claim_id for m in self.marks))

    def segments(self) -> list[tuple[str, Mark | None]]:
        """The HTML cut at each chip's place: (html, the mark whose chip follows it)."""
        parts = self.html.split(CHIP)
        marks: list[Mark | None] = [*self.marks, None]
        return list(zip(parts, marks[: len(parts)], strict=True))


_CONVERTER: BodyConverter | None = None
_PLAIN: PlainMarkdown | None = None


def plain_html(text: str, top: int = 2) -> str:
    """Analysis, methodology and policy Markdown as safe HTML (see PlainMarkdown)."""
    global _PLAIN
    if _PLAIN is None:
        _PLAIN = PlainMarkdown()
    return _PLAIN(text, top)


def mark_up(path: str, body: str, first_line: int, report: Report) -> Body:
    """An article body (from `first_line` of the file at `path`) as safe HTML, with its
    marks; marker problems and images without alt text are reported."""
    global _CONVERTER
    if _CONVERTER is None:  # one Markdown instance per process, reset for each body
        _CONVERTER = BodyConverter()
    text = body.replace(CHIP, "\ufffd")  # the placeholder is ours alone
    html, found = _CONVERTER.convert(text)
    marks, complete = [], True
    for item, (line, col) in zip(found, locate(text, first_line, found), strict=True):
        if item.problem:
            report.error(path, line, col, item.problem, item.hint)
            complete = False
        else:
            marks.append(Mark(item.claim_id, item.n, line, col))
    for line, col in images_without_alt(text, first_line, html):
        report.warning(
            path,
            line,
            col,
            "image without alt text",
            'describe it in alt="...", or write alt="" if it only decorates',
        )
    return Body(html, tuple(marks), complete)
