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

import html as html_text
import re
import secrets
import sys
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import markdown
import nh3
from markdown import htmlparser
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor

from .errors import Report, did_you_mean, excerpt
from .sources import (
    CURLY_QUOTES,
    ID_PATTERN,
    UNFIT,
    describe_character,
    first_unfit,
    suggest_id,
)

CHIP = "\ue000"
"""A private-use character marking where a mark's verdict chip goes (removed from input)."""
_OURS = secrets.token_hex(8)
"""A secret of this process that our own chip places, class names and ids carry through
the cleaner, which takes it off: an article's raw HTML cannot know it, so it cannot fake a
verdict chip or its place (an editor's `&#xe000;` is a CHIP once nh3 decodes it)."""
_CHIP_HERE = f"{CHIP}{_OURS}{CHIP}"
_RESERVED_CLASS = re.compile(r"(?:chip|claim|claim-note|claim-text|verdict-.*)$", re.IGNORECASE)
_RESERVED_ID = re.compile(r"(?:claim|check|note)-", re.IGNORECASE)
"""Class names and ids of the verdict chip and its note: the site's own, never an editor's."""
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_TRIMMED = "".join(map(chr, range(0x21)))
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
MAX_NESTING = 32
"""How deep lists, quotes, brackets and emphasis may nest: far beyond any article, and
far below what the converter's recursion (and its time on nested brackets) can bear."""
DEPTH_BUDGET = 900
"""Stack frames a conversion may use above its caller, whatever the caller's depth, so
the same text converts (or is too deep) the same way in any process."""
MARKER_PRIORITY = 172  # after `\` escapes and footnotes, before references and links
_MARKER_BRACES = re.compile(r"\{([^{}\n]*)\}")
_ESCAPED_BRACKET = f"{markdown.util.STX}{ord('[')}{markdown.util.ETX}"
_STRAY = re.compile(r"\]?\{\s*claim\s*[=:]")
_BRACKETED_MARKER = re.compile(r"\]\[\s*claim\s*[=:]\s*([^\s\]]*)\s*\]")
_LINK_MARKER = re.compile(r"\{?\s*claim\s*[=:]\s*([^\s}]*)")
_LITERAL_HTML = re.compile(r"<!--.*?-->|<(pre|code)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
"""Where raw HTML holds literal text: comments, and code."""
_TAG_START = re.compile(r"</?[A-Za-z]")
_TAG_OPEN = re.compile(r"<[A-Za-z]")
_PARSER = htmlparser.htmlparser  # type: ignore[attr-defined]  # Markdown's copy of html.parser
_START_TAG: re.Pattern[str] = _PARSER.locatestarttagend_tolerant
"""How far the converter's HTML parser reads a start tag (up to its '>')."""
_FENCE = re.compile(r"\s*(```|~~~)")
_BLOCK_PREFIX = re.compile(r"[ \t>]*")
_DEEP_PREFIX = re.compile(f"^[ \t>]{{{MAX_NESTING + 1}}}", re.MULTILINE)
"""The shortest prefix that can make more than MAX_NESTING levels ('>' or a tab each)."""
_BRACKET = re.compile(r"(?<!\\)[\[\]]")
_LINK_PAREN = re.compile(r"(?<!\\)(?:\]\(|[()])")
MAX_HEADINGS = 100
"""How many headings and rules one paragraph (lines without a blank one between) may hold:
the converter reads the rest of the paragraph again after each, so thousands take minutes."""
_HEADING_LINES = re.compile(r"^[ \t>]*(?:#{1,6}(?:[ \t]|$)|([-*_=])(?:[ \t]*\1)*[ \t]*$)", re.M)
"""A line that is a heading, a rule or a heading's underline, in a list or quote too."""
_EMPHASIS = re.compile(r"(?<!\\)(?:\*+|_+)")
_BLOCK = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")
"""A paragraph: lines that are not blank, one after another."""
_OPENING_QUOTES = "\"'" + "".join(CURLY_QUOTES)
_CLOSING_QUOTES = "\"'" + "".join(CURLY_QUOTES.values())
_ANY_IMAGE = re.compile(r"<img\b|!\[", re.IGNORECASE)
_LONGEST_TAG = 2000
_HEADING = re.compile(r"h[1-6]")
_IMAGE_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\salt\s*=", re.IGNORECASE)
EXTENSIONS = ("tables", "fenced_code", "footnotes", "sane_lists")
PATTERN_TRIGGERS = {  # what a text must contain for each inline pattern to match in it
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[^",),
    "claim": ("[",),
    "claim_in_image": ("![",),
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


def is_local(url: str) -> bool:
    """Whether a browser loads `url` from the page's own site.

    Decided on the URL as browsers parse it (the WHATWG URL standard), not on its text:
    leading and trailing controls and spaces are dropped, tabs and newlines removed
    anywhere and `\\` read as `/`, so `/\\host/x.png`, ` //host` and `/&#x09;/host` all
    name another host.
    """
    parsed = _URL_IGNORED.sub("", url.strip(_URL_TRIMMED)).replace("\\", "/")
    return not parsed.startswith("//") and not _SCHEME.match(parsed)


def _attribute_filter(removed: list[str]) -> Callable[[str, str, str], str | None]:
    """The cleaner's filter: images from other hosts go (their URLs into `removed`), and
    the chip's class names and ids stay ours."""

    def keep(tag: str, name: str, value: str) -> str | None:
        if name == "class":
            kept = [_own(c) or c for c in value.split() if _own(c) or not _RESERVED_CLASS.match(c)]
            return " ".join(kept) or None
        if name == "id":
            return _own(value) or (None if _RESERVED_ID.match(value) else value)
        if tag == "img" and name == "src" and not is_local(value):
            removed.append(value)
            return None
        return value

    return keep


def _own(value: str) -> str:
    """A class name or id of ours without its secret; '' for anyone else's."""
    return value.removeprefix(_OURS) if value.startswith(_OURS) else ""


def sanitise(html: str, removed: list[str] | None = None) -> str:
    """Keep only safe tags and attributes; no scripts, handlers or `javascript:` URLs, no
    images from other hosts (their URLs go into `removed`), no fake verdict chips."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter([] if removed is None else removed),
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
    within: int = -1
    """For a marker nested in another: the index of that one among those found."""


def _problem_span(raw: str, text: str, problem: str, hint: str) -> etree.Element:
    element = etree.Element("span", {"data-problem": problem, "data-hint": hint, "data-raw": raw})
    element.text = text
    return element


class ClaimMarkerProcessor(LinkInlineProcessor):
    """`[text]{claim=id}`: a span holding the text; malformed braces become a problem."""

    def handleMatch(  # type: ignore[override]  # the inline-processor form, with data
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        if _in_raw_tag(data, m.start(0)):
            return None, None, None  # left to the raw HTML, where it is reported
        text, index, closed = self.getText(data, m.end(0))
        if not closed or not data.startswith("{", index):
            return None, None, None
        braces = _MARKER_BRACES.match(data, index)
        if braces is None:
            line_end = data.find("\n", index)
            end = len(data) if line_end < 0 else line_end
            return (
                _problem_span(
                    data[m.start(0) : end],
                    text,
                    "claim marker is not closed with '}'",
                    "write [text]{claim=ID} on one line",
                ),
                m.start(0),
                end,
            )
        raw = data[m.start(0) : braces.end()]
        problem, hint = _marker_problem(braces.group(1))
        if problem:
            return _problem_span(raw, text, problem, hint), m.start(0), braces.end()
        element = etree.Element(
            "span", {"data-claim": braces.group(1).split("=", 1)[1], "data-raw": raw}
        )
        element.text = text
        return element, m.start(0), braces.end()


class MarkerInImage(LinkInlineProcessor):
    """`![a [marked]{claim=id} chart](x.png)`: the marker would vanish into the image's
    description, so the claim would silently go unmarked; it is reported instead."""

    def handleMatch(  # type: ignore[override]  # the inline-processor form, with data
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        text, index, closed = self.getText(data, m.end(0))
        found = _STRAY.search(text) if closed else None
        if found is None:
            return None, None, None
        return (
            _problem_span(
                _to_brace(text, found),
                text,
                "a claim marker inside an image's description is not read",
                "mark the claim in the text beside the image",
            ),
            m.start(0),
            index,
        )


def _in_raw_tag(data: str, index: int) -> bool:
    """Whether `index` is inside an HTML tag written in the text (`<img alt="...">`)."""
    opened = data.rfind("<", max(0, index - _LONGEST_TAG), index)
    if opened < 0 or ">" in data[opened:index] or not _TAG_START.match(data, opened):
        return False
    closed = data.find(">", index, index + _LONGEST_TAG)
    return closed >= 0 and "<" not in data[index:closed]


def _marker_problem(inside: str) -> tuple[str, str]:
    """What is wrong with the text between a marker's braces, if anything, and what to
    write instead."""
    key, equals, value = inside.partition("=")
    if not equals:
        key, colon, value = inside.partition(":")
        if colon and key.strip() == "claim":
            return "a claim marker is written with '=', not ':'", f"write {{claim={value.strip()}}}"
        return (
            f"{excerpt('{' + inside + '}')} after bracketed text is not a claim marker",
            "write [text]{claim=ID}; to keep a literal '{' after ']', write '\\{'",
        )
    claim_id = value.strip()
    if key.strip() != "claim":
        return (
            f"unknown marker attribute {excerpt(key.strip())}",
            did_you_mean(key.strip().lstrip("#."), ["claim"])
            or "markers are written [text]{claim=ID}",
        )
    if _without_quotes(claim_id) != claim_id and ID_PATTERN.fullmatch(_without_quotes(claim_id)):
        return (
            "a claim id is written without quotes",
            f"write {{claim={_without_quotes(claim_id)}}}",
        )
    if not claim_id:
        return "the marker names no claim", "write {claim=ID} with the id of a file in checks/"
    if re.search(r"[\s,;]", claim_id):
        return "a marker names one claim", "mark each claim with its own [text]{claim=ID}"
    if not ID_PATTERN.fullmatch(claim_id):
        return (
            f"invalid claim id {excerpt(claim_id)}",
            f"ids use lowercase letters, digits and single hyphens, e.g. '{suggest_id(claim_id)}'",
        )
    if inside != f"claim={claim_id}":
        return "a claim marker has no spaces inside its braces", f"write {{claim={claim_id}}}"
    return "", ""


def _without_quotes(text: str) -> str:
    """The text inside straight or curly quotes around all of it, else the text."""
    if len(text) >= 2 and text[0] in _OPENING_QUOTES and text[-1] in _CLOSING_QUOTES:
        return text[1:-1].strip()
    return text


class ClaimMarkerTreeprocessor(Treeprocessor):
    """Number marks in document order, add the widget, and find what cannot be a marker."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.found: list[Found] = []

    def run(self, root: etree.Element) -> None:
        self.found = []
        self._walk(root, inside=None, in_code=False)

    def _walk(self, element: etree.Element, inside: tuple[str, int] | None, in_code: bool) -> None:
        """Visit children in document order; `inside` is the marker around them (its claim
        and its index in `found`)."""
        in_code = in_code or element.tag in ("code", "pre")
        self._stray(element.text, in_code, inside)
        for child in list(element):
            raw = child.attrib.pop("data-raw", None)
            claim_id = child.attrib.pop("data-claim", None)
            if raw is None:
                self._dead_marker(child)
                self._walk(child, inside, in_code)
            elif claim_id is None:
                problem, hint = child.attrib.pop("data-problem"), child.attrib.pop("data-hint")
                self.found.append(Found(raw, problem=problem, hint=hint))
                self._walk(child, inside, in_code)
            elif inside is not None:  # parsed as a marker inside emphasis or a link
                self.found.append(self._nested(raw, inside))
                self._walk(child, inside, in_code)
            else:
                self._mark(child, claim_id, raw)
                self._walk(child, (claim_id, len(self.found) - 1), in_code)
            self._stray(child.tail, in_code, inside)

    @staticmethod
    def _nested(raw: str, inside: tuple[str, int]) -> Found:
        return Found(
            raw,
            problem="claim markers cannot be nested",
            hint=f"it is inside the marker for '{inside[0]}'",
            within=inside[1],
        )

    def _mark(self, span: etree.Element, claim_id: str, raw: str) -> None:
        n = 1 + sum(1 for f in self.found if f.claim_id == claim_id)
        self.found.append(Found(raw, claim_id, n))
        marked = etree.SubElement(span, "mark", {"class": f"{_OURS}claim-text"})
        marked.text, span.text = span.text, None
        for child in list(span)[:-1]:
            span.remove(child)
            marked.append(child)
        marked.tail = _CHIP_HERE  # where the renderer puts the verdict chip and note
        span.attrib.update({"class": f"{_OURS}claim", "id": _OURS + marker_anchor(claim_id, n)})

    def _dead_marker(self, element: etree.Element) -> None:
        """`[text](claim=id)`: a link to nowhere where a marker was meant."""
        href = element.get("href", "") if element.tag == "a" else ""
        found = _LINK_MARKER.match(href)
        if found:
            self.found.append(
                Found(
                    f"({href})",
                    problem="this link looks like a claim marker, and would lead nowhere",
                    hint=f"write [text]{{claim={found[1]}}}, with braces",
                )
            )

    def _stray(self, text: str | None, in_code: bool, inside: tuple[str, int] | None) -> None:
        """Marker braces left as text: nested in a marker, not after bracketed text, or
        in raw HTML (which the text holds as placeholders)."""
        if in_code or not text:
            return
        for stashed in markdown.util.HTML_PLACEHOLDER_RE.finditer(text):
            self._in_raw_html(self.md.htmlStash.rawHtmlBlocks[int(stashed[1])])
        self._bracketed(text)
        match = _STRAY.search(text)
        if not match or _ESCAPED_BRACKET in text[: match.start()]:
            return
        raw = _to_brace(text, match)
        if inside is not None:
            self.found.append(self._nested(raw, inside))
            return
        self.found.append(
            Found(
                raw,
                problem="claim marker has no bracketed text before it",
                hint="write [text]{claim=ID} within one paragraph, "
                "with nothing between ']' and '{'",
            )
        )

    def _bracketed(self, text: str) -> None:
        """`[text][claim=id]`: a marker with brackets for braces, left on the page as text."""
        match = _BRACKETED_MARKER.search(text)
        if match:
            start = text.rfind("[", text.rfind("\n", 0, match.start()) + 1, match.start())
            self.found.append(
                Found(
                    text[max(start, 0) : match.end()],
                    problem="this looks like a claim marker, written with '[...]' for '{...}'",
                    hint=f"write [text]{{claim={match[1]}}}, with braces",
                )
            )

    def _in_raw_html(self, html: object) -> None:
        """A marker in raw HTML is never read: report it (not in its code or comments)."""
        if not isinstance(html, str):
            return
        match = _STRAY.search(_LITERAL_HTML.sub(lambda part: " " * len(part[0]), html))
        if match:
            self.found.append(
                Found(
                    _to_brace(html, match),
                    problem="a claim marker inside raw HTML is not read",
                    hint="write the marker in Markdown text, outside the HTML",
                )
            )


def _to_brace(text: str, match: re.Match[str]) -> str:
    """The marker-like text from its '[' on the same line (else the match) to its closing
    brace (or the text's end), so that it is reported where it starts."""
    start = match.start()
    if text.startswith("]", start):
        opened = text.rfind("[", text.rfind("\n", 0, start) + 1, start)
        start = opened if opened >= 0 else start
    end = text.find("}", match.end())
    return text[start : end + 1 if end >= 0 else len(text)]


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
        md.inlinePatterns.register(MarkerInImage(r"!\[", md), "claim_in_image", MARKER_PRIORITY + 1)
        self.tree = ClaimMarkerTreeprocessor(md)
        md.treeprocessors.register(self.tree, "claim", 16)


class BodyConverter:
    """One Markdown instance for article bodies, reset between articles."""

    def __init__(self) -> None:
        self.markers = ClaimMarkers()
        self.md = markdown.Markdown(extensions=[*EXTENSIONS, self.markers], output_format="html")
        self.md.treeprocessors.register(HeadingLevels(self.md, top=2, shift=0), "levels", 5)
        self.patterns = PossiblePatterns(self.md)

        self.removed: list[str] = []
        """The images from other hosts the last conversion removed, by URL."""

    def convert(self, text: str) -> tuple[str, list[Found]]:
        """The body's safe HTML, a CHIP at each mark's end, and the markers found in it;
        a RecursionError when the text nests deeper than the converter can go."""
        self.md.reset()
        self.patterns.choose(text)
        self.removed = []
        html = sanitise(_within_depth(self.md.convert, text), self.removed)
        # Only the chip places we made are chips: an editor's decoded &#xe000; is not.
        return CHIP.join(p.replace(CHIP, "\ufffd") for p in html.split(_CHIP_HERE)), (
            self.markers.tree.found
        )


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
        return sanitise(_within_depth(self.md.convert, text))


def _within_depth(convert: Callable[[str], str], text: str) -> str:
    """`convert(text)` with DEPTH_BUDGET frames to recurse in above this one, whatever the
    caller's depth: deep nesting fails (RecursionError) the same way in every process."""
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1  # type: ignore[assignment]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + DEPTH_BUDGET)
    try:
        return convert(text)
    finally:
        sys.setrecursionlimit(limit)


def too_complex(text: str) -> tuple[int, str, str] | None:
    """The first line (0-based) where lists and quotes, brackets, links or emphasis nest
    more than MAX_NESTING deep, or a paragraph holds more than MAX_HEADINGS headings and
    rules, with what is wrong and how to fix it; code blocks are not read."""
    if (
        text.count("[") <= MAX_NESTING
        and text.count("*") + text.count("_") <= 2 * MAX_NESTING
        and not _DEEP_PREFIX.search(text)
        and sum(1 for _ in _HEADING_LINES.finditer(text)) <= MAX_HEADINGS
    ):
        return None  # the usual text: it cannot nest that deep, nor hold that many headings
    brackets = links = emphasis = headings = paragraph = 0
    fence = ""
    for number, line in enumerate(text.split("\n")):
        if fence or _FENCE.match(line):
            fence = "" if fence and line.strip().startswith(fence) else fence or line.strip()[:3]
            continue
        if not line.strip():
            brackets = links = emphasis = headings = 0  # a blank line ends the paragraph
            paragraph = number + 1
            continue
        prefix = _BLOCK_PREFIX.match(line)[0]  # type: ignore[index]  # matches anywhere
        if prefix.count(">") + len(prefix.replace(">", "").expandtabs(4)) // 4 > MAX_NESTING:
            return number, _deep("lists and quotes nest"), "indent at most 32 levels, 4 spaces each"
        brackets, deepest = _open_brackets(line, brackets)
        if deepest > MAX_NESTING:
            return number, _deep("'[' brackets nest"), "close each '[' with ']', or write '\\['"
        links, deepest = _open_links(line, links)
        if deepest > MAX_NESTING:
            return number, _deep("links opened with '](' nest"), "close each link's '(' with ')'"
        emphasis, deepest = _open_emphasis(line, emphasis)
        if deepest > 2 * MAX_NESTING:  # '**' opens one level with two
            what = "emphasis ('*' and '_') nests"
            return number, _deep(what), "close each '*' or '_', or write '\\*'"
        headings += bool(_HEADING_LINES.match(line))
        if headings > MAX_HEADINGS:
            return (
                paragraph,
                f"this paragraph holds more than {MAX_HEADINGS} headings and rules",
                "put a blank line before and after each heading and rule",
            )
    return None


def _deep(what: str) -> str:
    return f"{what} more than {MAX_NESTING} deep"


def _unclosed_tags(text: str) -> tuple[int, str, str] | None:
    """The line of the first raw HTML tag left without its '>' when so many are that the
    HTML parser, which reads on from each to the next '>', would take minutes."""
    budget = 4 * len(text) + 100_000  # characters the parser may read: closed tags, once
    resume, first = 0, -1
    for opened in _TAG_OPEN.finditer(text):
        start = opened.start()
        if start < resume:
            continue  # inside a tag read whole
        end = _START_TAG.match(text, start).end()  # type: ignore[union-attr]  # it matches
        if text.startswith((">", "/>"), end):
            resume = end
        elif first < 0:
            first = start
        budget -= end - start
        if budget < 0:
            at = first if first >= 0 else start
            return (
                text.count("\n", 0, at),
                "HTML tags are left open here and after it, each without its closing '>'",
                "end each tag with '>', or write &lt; for a '<' that is text",
            )
    return None


def _open_brackets(line: str, open_before: int) -> tuple[int, int]:
    """Brackets open after the line, and the most open at once."""
    depth = deepest = open_before
    for found in _BRACKET.finditer(line):
        depth = depth + 1 if found[0] == "[" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return depth, deepest


def _open_links(line: str, open_before: int) -> tuple[int, int]:
    """Link addresses left open after the line (each '](' opens one, and within one '('
    and ')' nest), and the most open at once: the converter reads on to the end of the
    paragraph for each."""
    depth = deepest = open_before
    for found in _LINK_PAREN.finditer(line):
        if found[0] == "](":
            depth += 1
        elif depth:
            depth += 1 if found[0] == "(" else -1
        deepest = max(deepest, depth)
    return depth, deepest


def _open_emphasis(line: str, open_before: int) -> tuple[int, int]:
    """Emphasis delimiters open after the line, and the most open at once: a run before
    a word opens, one after a word closes (inside a word, as in snake_case, neither)."""
    depth = deepest = open_before
    for run in _EMPHASIS.finditer(line):
        before = line[run.start() - 1] if run.start() else " "
        after = line[run.end()] if run.end() < len(line) else " "
        opens, closes = not after.isspace() and not before.isalnum(), not before.isspace()
        if opens and not closes:
            depth += len(run[0])
        elif closes and not opens and not after.isalnum():
            depth = max(0, depth - len(run[0]))
        deepest = max(deepest, depth)
    return depth, deepest


def locate(body: str, first_line: int, found: list[Found]) -> list[tuple[int, int]]:
    """The 1-based line and column of each marker, searching the body in document order.

    A marker that wraps inside a quote or list lost the `> ` or indent of its later lines
    to the block parser, so those are allowed back between its lines.
    """
    places: list[tuple[int, int]] = []
    starts: list[int] = []
    cursor = 0
    for item in found:
        # A nested marker lies inside the one around it, which was found before it.
        start = starts[item.within] if item.within >= 0 else cursor
        index = body.find(item.raw, start)
        if index >= 0:
            end = index + len(item.raw)
        else:
            pattern = re.compile(r"\n[ \t>]*".join(map(_spaced, item.raw.split("\n"))))
            match = pattern.search(body, start) or pattern.search(body)
            index, end = (match.start(), match.end()) if match else (0, start)
        cursor = max(cursor, end)
        starts.append(index)
        line = body.count("\n", 0, index)
        col = index - (body.rfind("\n", 0, index) + 1)
        places.append((first_line + line, col + 1))
    return places


def _spaced(text: str) -> str:
    """A pattern for text as written, where the converter made its tabs spaces."""
    return r"[ \t]+".join(map(re.escape, re.split(r" +", text)))


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
    """Analysis, methodology and policy Markdown as safe HTML (see PlainMarkdown); a text
    nested too deeply to convert is shown as it was written (the validator reports it)."""
    global _PLAIN
    if _PLAIN is None:
        _PLAIN = PlainMarkdown()
    try:
        return _PLAIN(text, top)
    except RecursionError:
        return f"<p>{html_text.escape(text)}</p>"


def mark_up(path: str, body: str, first_line: int, report: Report) -> Body:
    """An article body (from `first_line` of the file at `path`) as safe HTML, with its
    marks; marker problems, images without alt text and removed images are reported."""
    global _CONVERTER
    if _CONVERTER is None:  # one Markdown instance per process, reset for each body
        _CONVERTER = BodyConverter()
    text = _fit_text(path, body.replace(CHIP, "\ufffd"), first_line, report)
    problem = too_complex(text)
    if problem is None:
        problem = _unclosed_tags(text)
    if problem is not None:
        line, message, hint = problem
        report.error(path, first_line + line, 1, message, hint)
        return Body("", (), complete=False)
    try:
        html, found = _CONVERTER.convert(text)
    except RecursionError:
        line = _first_too_deep(_CONVERTER, text)
        report.error(path, first_line + line, 1, "the text here nests too deeply to convert")
        return Body("", (), complete=False)
    marks, complete = [], True
    for item, (line, col) in zip(found, locate(text, first_line, found), strict=True):
        if item.problem:
            report.error(path, line, col, item.problem, item.hint)
            complete = False
        else:
            marks.append(Mark(item.claim_id, item.n, line, col))
    _report_images(path, text, first_line, html, _CONVERTER.removed, report)
    return Body(html, tuple(marks), complete)


def _fit_text(path: str, text: str, first_line: int, report: Report) -> str:
    """The text with characters no page can carry replaced; the first is reported."""
    index = first_unfit(text)
    if index is None:
        return text
    line, col = text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1)
    more = len(UNFIT.findall(text)) - 1
    report.error(
        path,
        first_line + line,
        col + 1,
        f"{describe_character(text[index])} in the text" + (f" (and {more} more)" if more else ""),
        "remove it: pages and feeds cannot carry control characters",
    )
    return UNFIT.sub("\ufffd", text)


def _first_too_deep(converter: BodyConverter, text: str) -> int:
    """The first line (0-based) of the first paragraph too deep to convert on its own."""
    for block in _BLOCK.finditer(text):
        try:
            converter.convert(block[0])
        except RecursionError:
            return text.count("\n", 0, block.start())
    return 0


def _report_images(
    path: str, text: str, first_line: int, html: str, removed: list[str], report: Report
) -> None:
    for line, col in images_without_alt(text, first_line, html):
        report.warning(
            path,
            line,
            col,
            "image without alt text",
            'describe it in alt="...", or write alt="" if it only decorates',
        )
    cursor = 0
    for url in removed:
        index = text.find(url, cursor)
        if index < 0:  # written with entities: the next image there is, then
            found = _ANY_IMAGE.search(text, cursor)
            index = found.start() if found else cursor
        cursor = index + 1
        line, col = text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1)
        report.warning(
            path,
            first_line + line,
            col + 1,
            f"image from another host removed: {excerpt(url)}",
            "pages load nothing from other hosts: put the image in templates/assets/ "
            'and write src="../assets/NAME"',
        )
