"""Share cards: the 1200 x 630 PNG a claim page offers to social networks, and the favicon.

Drawn with Pillow at build time. Arabic and Devanagari text must be shaped (letters joined,
conjuncts formed), which Pillow does only with its raqm layout engine; and no one font has
every script, so text is split into runs by the font that has its characters and by bidi
level, and raqm shapes each run in its direction. The bytes depend only on the card, the
font files and the versions of Pillow and its libraries: `cache_key` names all of them.
"""

from __future__ import annotations

import bisect
import functools
import io
import itertools
import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Literal, NoReturn, TypeVar

import fontTools  # type: ignore[import-untyped]
import PIL
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from PIL import Image, ImageColor, ImageDraw, ImageFont, ImageOps, features

from .sources import digest

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
CONTENT_WIDTH = WIDTH - 2 * MARGIN
GAP = 16
STRIPE = 12  # the verdict's colour across the top
HEADER_TOP, BADGE, PUBLISHER_SIZE = 44, 52, 30
CLAIM_SIZES = (60, 52, 44, 38)  # largest first: a short claim is read from a thumbnail
CLAIM_TOP, CLAIM_BOTTOM = 132, 440
CLAIMANT_SIZE = 30
CHIP_TOP, CHIP_HEIGHT, CHIP_PAD, CHIP_RADIUS, DISC = 508, 88, 16, 22, 56
LABEL_SIZES = (40, 34, 28)
SITE_TITLE_SIZE = 26
PAPER, INK, MUTED = "#ffffff", "#1f2328", "#57606a"  # 16:1 and 6.4:1 on paper
MIN_CONTRAST = 4.5  # WCAG AA for text
NEUTRAL = "#6e7781"  # a verdict without a colour of its own
ELLIPSIS = "\u2026"
QUESTION_MARKS = {"Arabic": "\u061f", "Urdu": "\u061f"}  # '؟', the mirrored '?'
SUPERSAMPLE = 4  # shapes are drawn this much larger and scaled down, for smooth edges
PNG_COMPRESSION = 3  # fixed, never a library's default; 6 and 9 save 7% for 50% more time
FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/dejavu"))
FONT_PACKAGE = "fonts-noto-core"

Symbol = Literal["check", "cross", "half", "question"]
Color = tuple[int, int, int]
T = TypeVar("T")


@dataclass(frozen=True)
class Card:
    """What one share card shows. Plain data, so a cache can key on it.

    `claimant` is a name (drawn after a dash); `verdict_label` is in the card's language;
    `color` is the verdict's, `#rrggbb` (empty: a neutral grey); `logo` holds the bytes of
    a local logo file, empty for the publisher's initial.
    """

    claim: str
    claimant: str
    verdict_label: str
    symbol: Symbol
    color: str
    publisher: str
    site_title: str = ""
    lang: str = "en"
    dir: str = "ltr"
    logo: bytes = b""


def symbol_for(rating: int | None, best: int | None, worst: int | None) -> Symbol:
    """The mark beside a verdict's label, so the verdict never rests on colour alone:
    a check for the top third of the scale, a cross for the bottom third, a half circle
    between, a question mark for a verdict without a rating."""
    if rating is None or best is None or worst is None:
        return "question"
    position = (rating - worst) / (best - worst) if best != worst else 0.5
    if position > 2 / 3:
        return "check"
    return "cross" if position < 1 / 3 else "half"


class ShareCardsUnavailable(Exception):
    """Share cards cannot be drawn on this machine; the message says what to install."""


class FontsMissing(ShareCardsUnavailable):
    """No font for a script a card needs."""


class RaqmMissing(ShareCardsUnavailable):
    """Pillow cannot shape text: its raqm layout engine (or FriBiDi) is missing."""


class LogoUnreadable(ValueError):
    """The logo file is not an image Pillow can read."""


# --- Fonts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Face:
    """A font family's two files, and its line height and visual middle above the
    baseline (both in em), so lines of each script are spaced and centred alike."""

    regular: str
    bold: str
    line_height: float
    middle: float


def _noto(script: str, line_height: float = 1.6, middle: float = 0.36) -> Face:
    return Face(f"NotoSans{script}-Regular.ttf", f"NotoSans{script}-Bold.ttf", line_height, middle)


NOTO_LATIN = Face("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", 1.3, 0.36)
NOTO_ARABIC = _noto("Arabic", 1.55, 0.26)
NOTO_NASKH = Face("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf", 1.55, 0.26)
NOTO_NASTALIQ = Face("NotoNastaliqUrdu-Regular.ttf", "NotoNastaliqUrdu-Bold.ttf", 2.0, 0.22)
DEJAVU = Face("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", 1.3, 0.36)
SPACED_SCRIPTS = (
    "Bengali",
    "Gurmukhi",
    "Gujarati",
    "Oriya",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
    "Sinhala",
    "Georgian",
    "Armenian",
    "Ethiopic",
    "Thaana",
)

SCRIPT_FACES: dict[str, tuple[Face, ...]] = {
    # Preferred first. Urdu readers expect Nastaliq; Naskh is the fallback they can read.
    "Latin": (NOTO_LATIN, DEJAVU),
    "Arabic": (NOTO_ARABIC, NOTO_NASKH, DEJAVU),
    "Urdu": (NOTO_NASTALIQ, NOTO_NASKH, NOTO_ARABIC),
    "Devanagari": (_noto("Devanagari", 1.5),),
    "Hebrew": (_noto("Hebrew", 1.3, 0.34), DEJAVU),
    **{script: (_noto(script),) for script in SPACED_SCRIPTS},
}
LANGUAGE_SCRIPTS = {
    **dict.fromkeys(("ar", "ckb", "fa", "prs", "ps", "sd", "ug"), "Arabic"),
    "ur": "Urdu",
    **dict.fromkeys(("hi", "mr", "ne", "sa", "mai", "bho", "kok", "doi"), "Devanagari"),
    **dict.fromkeys(("he", "yi"), "Hebrew"),
    **dict.fromkeys(("bn", "as"), "Bengali"),
    "pa": "Gurmukhi",
    "gu": "Gujarati",
    "or": "Oriya",
    "ta": "Tamil",
    "te": "Telugu",
    "kn": "Kannada",
    "ml": "Malayalam",
    "si": "Sinhala",
    "ka": "Georgian",
    "hy": "Armenian",
    "dv": "Thaana",
    **dict.fromkeys(("am", "ti"), "Ethiopic"),
}  # any other language is written in Latin, Greek or Cyrillic, which Noto Sans has
UNSUPPORTED = {  # lines that do not break at spaces, or no font the set-up installs
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "yue": "Cantonese",
    "th": "Thai",
    "lo": "Lao",
    "km": "Khmer",
    "my": "Burmese",
    "bo": "Tibetan",
    "dz": "Dzongkha",
}
FALLBACK_SCRIPTS = tuple(s for s in SCRIPT_FACES if s != "Urdu")  # words in other scripts


def script_of(lang: str) -> str:
    return LANGUAGE_SCRIPTS.get(lang.split("-")[0].lower(), "Latin")


@dataclass(frozen=True)
class Font:
    """A face found on disk: the paths of its two files."""

    face: Face
    regular: str
    bold: str

    def path(self, bold: bool = False) -> str:
        return self.bold if bold else self.regular

    def at(self, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        return _truetype(self.path(bold), size)

    def has(self, char: str) -> bool:
        return ord(char) in _coverage(self.path())


@functools.cache
def _truetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)


@functools.cache
def _coverage(path: str) -> frozenset[int]:
    """The characters a font file has."""
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@dataclass(frozen=True)
class Chain:
    """The fonts for one language: its script's first, then others for words in theirs."""

    lang: str
    fonts: tuple[Font, ...]

    @property
    def primary(self) -> Face:
        return self.fonts[0].face

    def fonts_for(self, text: str) -> list[Font]:
        """Each character's font. Letters take the first font that has them; spaces, digits,
        punctuation and marks stay with a neighbour's font where it has them, so a word and
        its punctuation are shaped together."""
        strong = [self.font_for(c) if _is_strong(c) else None for c in text]
        chosen: list[Font] = []
        following = _next_known(strong)
        for i, char in enumerate(text):
            upcoming = following[i]
            neighbours = [*chosen[-1:], *([upcoming] if upcoming else [])]
            font = strong[i] or next((f for f in neighbours if f.has(char)), None)
            chosen.append(font or self.font_for(char))
        return chosen

    def font_for(self, char: str) -> Font:
        """The first font that has `char`."""
        font = next((f for f in self.fonts if f.has(char)), None)
        if font is None:
            name = unicodedata.name(char, "an unnamed character")
            raise FontsMissing(
                f"share cards have no font for {char!r} (U+{ord(char):04X} {name}) in "
                f"'{self.lang}' text (install the font for its script, or set "
                "share_images: false in site.yaml)"
            )
        return font


def _is_strong(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("L", "R", "AL")


def _next_known(fonts: Sequence[Font | None]) -> list[Font | None]:
    """For each position, the nearest font at or after it."""
    result: list[Font | None] = []
    upcoming: Font | None = None
    for font in reversed(fonts):
        upcoming = font or upcoming
        result.append(upcoming)
    return result[::-1]


class Fonts:
    """Where the font files are looked for; each language's chain is found once."""

    def __init__(self, dirs: Sequence[Path] = FONT_DIRS) -> None:
        self.dirs = tuple(dirs)
        self._chains: dict[str, Chain] = {}
        self._fingerprints: dict[str, str] = {}

    def chain(self, lang: str) -> Chain:
        """The fonts for `lang`; raises when raqm or the script's font is missing."""
        if lang not in self._chains:
            require_raqm()
            unsupported = UNSUPPORTED.get(lang.split("-")[0].lower())
            if unsupported:
                raise ShareCardsUnavailable(
                    f"share cards cannot lay out {unsupported} text ('{lang}') yet (set "
                    "share_images: false in site.yaml)"
                )
            script = script_of(lang)
            own = self._find(script) or self._missing(script, lang)
            latin = self._find("Latin") or self._missing("Latin", lang)
            others = (self._find(s) for s in FALLBACK_SCRIPTS)
            fonts = dict.fromkeys([own, latin, *(f for f in others if f)])
            self._chains[lang] = Chain(lang, tuple(fonts))
        return self._chains[lang]

    def fingerprint(self, lang: str) -> str:
        """The files a card in `lang` is drawn with, names and bytes (read once)."""
        if lang not in self._fingerprints:
            paths = {Path(f.path(bold)) for f in self.chain(lang).fonts for bold in (False, True)}
            self._fingerprints[lang] = files_digest(sorted(paths))
        return self._fingerprints[lang]

    def _find(self, script: str) -> Font | None:
        for face in SCRIPT_FACES[script]:
            for folder in self.dirs:
                regular, bold = folder / face.regular, folder / face.bold
                if regular.is_file() and bold.is_file():
                    return Font(face, str(regular), str(bold))
        return None

    def _missing(self, script: str, lang: str) -> NoReturn:
        wanted = ", ".join(f.regular for f in SCRIPT_FACES[script])
        folders = ", ".join(str(d) for d in self.dirs) or "no folder"
        raise FontsMissing(
            f"share cards need a font for {script} text ('{lang}'): none of {wanted} "
            f"is in {folders} (install the Debian package {FONT_PACKAGE} with "
            "`make system-deps`, or set share_images: false in site.yaml)"
        )


DEFAULT_FONTS = Fonts()


def require_raqm() -> None:
    if not features.check("raqm"):
        raise RaqmMissing(
            "share cards need Pillow's raqm layout engine to shape Arabic and Devanagari "
            "text, and it is not available (install the Debian package libfribidi0 with "
            "`make system-deps` and Pillow from requirements.txt, or set share_images: "
            "false in site.yaml)"
        )


def check_ready(langs: Iterable[str], fonts: Fonts = DEFAULT_FONTS) -> None:
    """Fail before a build draws anything: raqm, and a font for each language's script."""
    for lang in sorted(set(langs)):
        fonts.chain(lang)


# --- Bidi: UAX #9 for one paragraph of plain text --------------------------------------


def bidi_levels(text: str, rtl: bool) -> list[int]:
    """Each character's embedding level in a paragraph of direction `rtl`: rules W1-W7,
    N1-N2 and I1-I2 of the Unicode bidi algorithm. Explicit embeddings and isolates are
    read as neutral characters: plain-text claims do not carry them."""
    sor = "R" if rtl else "L"
    types = _weak_types([unicodedata.bidirectional(c) for c in text], sor)
    resolved = _neutral_types(types, sor)
    levels = {"L": 0, "R": 1, "EN": 2, "AN": 2} if not rtl else {"L": 2, "R": 1, "EN": 2, "AN": 2}
    return [levels[t] for t in resolved]


def _weak_types(types: list[str], sor: str) -> list[str]:
    previous, strong = sor, sor
    for i, kind in enumerate(types):
        if kind == "NSM":  # W1
            kind = types[i] = previous
        if kind in ("L", "R", "AL"):
            strong = kind
        elif kind == "EN" and strong == "AL":  # W2
            types[i] = "AN"
        previous = kind
    types = ["R" if t == "AL" else t for t in types]  # W3
    for i in range(1, len(types) - 1):  # W4
        before, kind, after = types[i - 1], types[i], types[i + 1]
        if before == after and (
            (kind == "ES" and before == "EN") or (kind == "CS" and before in ("EN", "AN"))
        ):
            types[i] = before
    _numbers_take_terminators(types)  # W5
    types = ["ON" if t in ("ES", "ET", "CS") else t for t in types]  # W6
    strong = sor
    for i, kind in enumerate(types):  # W7
        if kind in ("L", "R"):
            strong = kind
        elif kind == "EN" and strong == "L":
            types[i] = "L"
    return types


def _numbers_take_terminators(types: list[str]) -> None:
    """W5: a run of terminators ('$', '%') next to a European number becomes part of it."""
    for start, end in _runs(types, lambda t: t == "ET"):
        if (start > 0 and types[start - 1] == "EN") or (end < len(types) and types[end] == "EN"):
            types[start:end] = ["EN"] * (end - start)


def _neutral_types(types: list[str], sor: str) -> list[str]:
    """N1-N2: neutrals between two strong types of one direction take it (numbers count
    as right-to-left), the others the paragraph's direction."""

    def direction(kind: str) -> str:
        return "L" if kind == "L" else "R" if kind in ("R", "EN", "AN") else ""

    resolved = list(types)
    for start, end in _runs(types, lambda t: not direction(t)):
        before = direction(types[start - 1]) if start > 0 else sor
        after = direction(types[end]) if end < len(types) else sor
        resolved[start:end] = [before if before == after else sor] * (end - start)
    return resolved


def _runs(items: Sequence[T], wanted: Callable[[T], bool]) -> list[tuple[int, int]]:
    """The (start, end) of each maximal run of items that are `wanted`."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, item in enumerate(items):
        if wanted(item):
            start = i if start is None else start
        elif start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(items)))
    return spans


def visual_order(levels: Sequence[int]) -> list[int]:
    """Rule L2: the indices of `levels` left to right, having reversed, from the highest
    level down to 1, every run of items at that level or higher."""
    order = list(range(len(levels)))
    for level in range(max(levels, default=0), 0, -1):
        high = [levels[i] >= level for i in order]
        for start, end in _runs(high, bool):
            order[start:end] = order[start:end][::-1]
    return order


# --- Lines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Characters of one font at one bidi level: what raqm shapes in one go."""

    text: str
    font: Font
    rtl: bool
    width: float


@dataclass(frozen=True)
class Line:
    """One line of text, its runs in visual order (left to right), on one baseline."""

    runs: tuple[Run, ...]
    size: int
    bold: bool

    @property
    def width(self) -> float:
        return sum(run.width for run in self.runs)


class Paragraph:
    """A text ready to be broken into lines: each character's font and bidi level."""

    def __init__(self, text: str, chain: Chain, rtl: bool, bold: bool = False) -> None:
        self.text = " ".join(text.split())
        self.chain, self.rtl, self.bold = chain, rtl, bold
        self.levels = bidi_levels(self.text, rtl)
        self.fonts = chain.fonts_for(self.text)

    def line(self, start: int, end: int, size: int) -> Line:
        """Characters start:end as a line, without spaces at its ends."""
        while start < end and self.text[start] == " ":
            start += 1
        while end > start and self.text[end - 1] == " ":
            end -= 1
        bounds = [start, *(i for i in range(start + 1, end) if self._differs(i)), end]
        spans = list(itertools.pairwise(bounds)) if start < end else []
        order = visual_order([self.levels[a] for a, _ in spans])
        return Line(tuple(self._run(*spans[i], size) for i in order), size, self.bold)

    def whole(self, size: int) -> Line:
        return self.line(0, len(self.text), size)

    def _differs(self, i: int) -> bool:
        return self.levels[i] != self.levels[i - 1] or self.fonts[i] != self.fonts[i - 1]

    def _run(self, start: int, end: int, size: int) -> Run:
        text, font, rtl = self.text[start:end], self.fonts[start], self.levels[start] % 2 == 1
        return Run(
            text, font, rtl, _advance(font.path(self.bold), size, text, rtl, self.chain.lang)
        )


@functools.lru_cache(maxsize=4096)
def _advance(path: str, size: int, text: str, rtl: bool, lang: str) -> float:
    font = _truetype(path, size)
    return float(font.getlength(text, direction="rtl" if rtl else "ltr", language=lang))


def _fit(text: str, start: int, width_of: Callable[[int], float], limit: float) -> int:
    """Where the longest line from `start` that is at most `limit` wide ends: before a
    space if a word fits, else inside the first word (a long address), never before a
    combining mark; at least one character."""
    words = [i for i in range(start + 1, len(text)) if text[i] == " "] + [len(text)]
    end = _longest(words, width_of, limit)
    if end is None:
        chars = [
            i
            for i in range(start + 1, words[0] + 1)
            if i == words[0] or not unicodedata.category(text[i]).startswith("M")
        ]
        end = _longest(chars, width_of, limit) or chars[0]
    return end


def _longest(cuts: list[int], width_of: Callable[[int], float], limit: float) -> int | None:
    """The last cut whose line is at most `limit` wide; widths grow along the cuts."""
    fitting = bisect.bisect_right(cuts, limit, key=width_of)
    return cuts[fitting - 1] if fitting else None


def break_lines(paragraph: Paragraph, size: int, width: float, limit: int) -> list[tuple[int, int]]:
    """The (start, end) of each line, with as many words on each as fit. Stops after
    `limit + 1` lines: enough for the caller to see that the text does not fit in `limit`."""
    text, start = paragraph.text, 0
    spans: list[tuple[int, int]] = []
    while start < len(text) and len(spans) <= limit:
        end = _fit(text, start, functools.partial(_line_width, paragraph, start, size), width)
        spans.append((start, end))
        start = end + 1 if end < len(text) and text[end] == " " else end
    return spans


def _line_width(paragraph: Paragraph, start: int, size: int, end: int) -> float:
    return paragraph.line(start, end, size).width


def one_line(paragraph: Paragraph, size: int, width: float) -> Line:
    """The paragraph on one line, cut short with an ellipsis when it is wider than `width`."""
    whole = paragraph.whole(size)
    if whole.width <= width:
        return whole

    def shortened(end: int) -> Line:
        kept = paragraph.text[:end].rstrip() + ELLIPSIS
        return Paragraph(kept, paragraph.chain, paragraph.rtl, paragraph.bold).whole(size)

    return shortened(_fit(paragraph.text, 0, lambda end: shortened(end).width, width))


# --- Drawing ---------------------------------------------------------------------------


def luminance(color: Color) -> float:
    """WCAG relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in color)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_color_on(background: Color) -> Color:
    """White, else ink, where it reaches 4.5:1 on `background`; else white or black,
    whichever stands out more (one of them always reaches 4.58:1)."""
    white, ink, black = (255, 255, 255), rgb(INK), (0, 0, 0)
    for color in (white, ink):
        if contrast(color, background) >= MIN_CONTRAST:
            return color
    return max((white, black), key=lambda color: contrast(color, background))


def rgb(color: str) -> Color:
    red, green, blue = ImageColor.getrgb(color)[:3]
    return red, green, blue


@dataclass(frozen=True)
class Canvas:
    """The card being drawn, and where its start and end sides are."""

    image: Image.Image
    chain: Chain
    rtl: bool
    lang: str

    def paragraph(self, text: str, bold: bool = False) -> Paragraph:
        return Paragraph(text, self.chain, self.rtl, bold)

    def left(self, width: float, inset: float = 0, end: bool = False) -> float:
        """The left edge of a box `width` wide, `inset` from the start margin (or the end)."""
        on_left = self.rtl == end  # left-to-right cards start on the left
        return MARGIN + inset if on_left else WIDTH - MARGIN - inset - width

    def baseline(self, top: float, size: int) -> float:
        """The baseline of a line whose box starts at `top`."""
        face = self.chain.primary
        return top + (face.line_height / 2 + face.middle) * size

    def put(
        self, line: Line, baseline: float, fill: str | Color, inset: float = 0, end: bool = False
    ) -> None:
        x = self.left(line.width, inset, end)
        pen = ImageDraw.Draw(self.image)
        for run in line.runs:
            pen.text(
                (x, baseline),
                run.text,
                fill=fill,
                font=run.font.at(line.size, line.bold),
                anchor="ls",
                direction="rtl" if run.rtl else "ltr",
                language=self.lang,
            )
            x += run.width

    def paste(self, color: str | Color, mask: Image.Image, box: tuple[float, float]) -> None:
        """Fill `color` through `mask` with its top left corner at `box`."""
        self.image.paste(color, (round(box[0]), round(box[1])), mask)


def draw(card: Card, fonts: Fonts = DEFAULT_FONTS) -> bytes:
    """The card as a 1200 x 630 PNG: equal bytes for equal cards, fonts and libraries."""
    color = rgb(card.color or NEUTRAL)
    canvas = Canvas(
        Image.new("RGB", (WIDTH, HEIGHT), PAPER),
        fonts.chain(card.lang),
        card.dir == "rtl",
        card.lang,
    )
    ImageDraw.Draw(canvas.image).rectangle((0, 0, WIDTH, STRIPE - 1), fill=color)
    _header(canvas, card)
    _claimant(canvas, card.claimant, _claim(canvas, card.claim))
    chip_width = _verdict(canvas, card, color)
    _site_title(canvas, card, chip_width)
    return _png(canvas.image)


def _header(canvas: Canvas, card: Card) -> None:
    name = card.publisher or card.site_title
    badge = _badge(name, rgb(INK), BADGE, card.logo, canvas.chain)
    canvas.image.paste(badge, (round(canvas.left(BADGE)), HEADER_TOP), badge)
    line = one_line(canvas.paragraph(name, bold=True), PUBLISHER_SIZE, CONTENT_WIDTH - BADGE - GAP)
    middle = HEADER_TOP + BADGE / 2 + canvas.chain.primary.middle * PUBLISHER_SIZE
    canvas.put(line, middle, INK, inset=BADGE + GAP)


def _claim(canvas: Canvas, claim: str) -> float:
    """Draw the claim as large as it fits; returns the bottom of its last line."""
    lines = claim_lines(canvas.paragraph(claim), canvas.chain.primary)
    top = float(CLAIM_TOP)
    for line in lines:
        canvas.put(line, canvas.baseline(top, line.size), INK)
        top += canvas.chain.primary.line_height * line.size
    return top


def claim_lines(paragraph: Paragraph, face: Face) -> list[Line]:
    """The claim's lines at the largest size at which it fits the claim's box; at the
    smallest, a claim still too long ends its last line with an ellipsis."""
    for size in CLAIM_SIZES:
        limit = int((CLAIM_BOTTOM - CLAIM_TOP) // (face.line_height * size))
        spans = break_lines(paragraph, size, CONTENT_WIDTH, limit)
        if len(spans) <= limit:
            return [paragraph.line(start, end, size) for start, end in spans]
    rest = Paragraph(paragraph.text[spans[limit - 1][0] :], paragraph.chain, paragraph.rtl)
    kept = [paragraph.line(start, end, size) for start, end in spans[: limit - 1]]
    return [*kept, one_line(rest, size, CONTENT_WIDTH)]


def _claimant(canvas: Canvas, claimant: str, top: float) -> None:
    if claimant.strip():
        line = one_line(canvas.paragraph("\u2014 " + claimant), CLAIMANT_SIZE, CONTENT_WIDTH)
        canvas.put(line, canvas.baseline(top + 8, CLAIMANT_SIZE), MUTED)


def _verdict(canvas: Canvas, card: Card, color: Color) -> int:
    """The verdict chip: a mark and the label on the verdict's colour. Returns its width."""
    ink = text_color_on(color)
    room = CONTENT_WIDTH * (0.62 if _shows_site_title(card) else 1.0)
    label = verdict_label(
        canvas.paragraph(card.verdict_label, bold=True), room - DISC - GAP - 3 * CHIP_PAD
    )
    width = math.ceil(DISC + GAP + label.width + 3 * CHIP_PAD)
    chip = _smooth(
        width,
        CHIP_HEIGHT,
        lambda pen, k: pen.rounded_rectangle(
            (0, 0, width * k - 1, CHIP_HEIGHT * k - 1), CHIP_RADIUS * k, fill=255
        ),
    )
    canvas.paste(color, chip, (canvas.left(width), CHIP_TOP))
    disc_at = (canvas.left(DISC, inset=CHIP_PAD), CHIP_TOP + (CHIP_HEIGHT - DISC) / 2)
    canvas.paste(
        ink,
        _smooth(
            DISC, DISC, lambda pen, k: pen.ellipse((0, 0, DISC * k - 1, DISC * k - 1), fill=255)
        ),
        disc_at,
    )
    canvas.paste(color, symbol_mask(card.symbol, DISC, canvas.chain), disc_at)
    middle = CHIP_TOP + CHIP_HEIGHT / 2 + canvas.chain.primary.middle * label.size
    canvas.put(label, middle, ink, inset=CHIP_PAD + DISC + GAP)
    return width


def verdict_label(paragraph: Paragraph, width: float) -> Line:
    """The label at the largest size at which it fits on one line, else cut short."""
    for size in LABEL_SIZES:
        line = paragraph.whole(size)
        if line.width <= width:
            return line
    return one_line(paragraph, LABEL_SIZES[-1], width)


def _shows_site_title(card: Card) -> bool:
    return bool(card.site_title.strip()) and card.site_title != card.publisher


def _site_title(canvas: Canvas, card: Card, chip_width: int) -> None:
    if _shows_site_title(card):
        line = one_line(
            canvas.paragraph(card.site_title), SITE_TITLE_SIZE, CONTENT_WIDTH - chip_width - 2 * GAP
        )
        middle = CHIP_TOP + CHIP_HEIGHT / 2 + canvas.chain.primary.middle * SITE_TITLE_SIZE
        canvas.put(line, middle, MUTED, end=True)


def _smooth(
    width: int, height: int, paint: Callable[[ImageDraw.ImageDraw, int], None]
) -> Image.Image:
    """A mask painted `SUPERSAMPLE` times larger (paint gets the factor) and scaled down."""
    big = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    paint(ImageDraw.Draw(big), SUPERSAMPLE)
    return big.resize((width, height), Image.Resampling.BOX)


def symbol_mask(symbol: Symbol, size: int, chain: Chain) -> Image.Image:
    """The verdict's mark in a `size` square: check, cross, half circle or question mark."""

    def paint(pen: ImageDraw.ImageDraw, k: int) -> None:
        s = size * k
        stroke = round(s * 0.11)
        if symbol == "check":
            _stroke(pen, [(0.28 * s, 0.52 * s), (0.44 * s, 0.68 * s), (0.73 * s, 0.36 * s)], stroke)
        elif symbol == "cross":
            _stroke(pen, [(0.33 * s, 0.33 * s), (0.67 * s, 0.67 * s)], stroke)
            _stroke(pen, [(0.67 * s, 0.33 * s), (0.33 * s, 0.67 * s)], stroke)
        elif symbol == "half":
            ring = (0.25 * s, 0.25 * s, 0.75 * s, 0.75 * s)
            pen.ellipse(ring, outline=255, width=round(s * 0.07))
            pen.pieslice(ring, 90, 270, fill=255)  # the left half, filled
        else:
            mark = QUESTION_MARKS.get(script_of(chain.lang), "?")
            _centre_text(
                pen,
                mark,
                chain.font_for(mark).at(round(s * 0.8), bold=True),
                (s / 2, s / 2),
                chain.lang,
            )

    return _smooth(size, size, paint)


def _stroke(pen: ImageDraw.ImageDraw, points: list[tuple[float, float]], width: int) -> None:
    """A polyline with round ends and joins."""
    pen.line(points, fill=255, width=width, joint="curve")
    for x, y in (points[0], points[-1]):
        pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)


def _centre_text(
    pen: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont,
    centre: tuple[float, float],
    lang: str,
    fill: int | Color = 255,
) -> None:
    """Draw `text` with the middle of its ink at `centre`."""
    left, top, right, bottom = font.getbbox(text, anchor="ls", language=lang)
    pen.text(
        (centre[0] - (left + right) / 2, centre[1] - (top + bottom) / 2),
        text,
        fill=fill,
        font=font,
        anchor="ls",
        language=lang,
    )


# --- Favicon ---------------------------------------------------------------------------

FAVICON_SIZES = (32, 180)  # browsers' tabs; phones' home screens (apple-touch-icon)


def favicon(
    name: str,
    size: int = 32,
    color: str = INK,
    logo: bytes = b"",
    lang: str = "en",
    fonts: Fonts = DEFAULT_FONTS,
) -> bytes:
    """A square PNG icon: `logo` (the bytes of a local image file) fitted in, else the
    first letter of `name` on a rounded square of `color`. Raises LogoUnreadable."""
    return _png(_badge(name, rgb(color), size, logo, fonts.chain(lang)))


def _badge(name: str, color: Color, size: int, logo: bytes, chain: Chain) -> Image.Image:
    if logo:
        return _fitted_logo(logo, size)
    icon = Image.new("RGBA", (size, size), (*color, 255))
    icon.putalpha(
        _smooth(
            size,
            size,
            lambda pen, k: pen.rounded_rectangle(
                (0, 0, size * k - 1, size * k - 1), round(size * 0.22 * k), fill=255
            ),
        )
    )
    initial = _initial(name)
    if initial:
        font = chain.font_for(initial[0]).at(round(size * 0.58), bold=True)
        _centre_text(
            ImageDraw.Draw(icon),
            initial,
            font,
            (size / 2, size / 2),
            chain.lang,
            fill=text_color_on(color),
        )
    return icon


def _initial(name: str) -> str:
    """The first letter of a name with its marks, a capital where the script has them."""
    text = name.strip()
    end = 1
    while end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end += 1
    first = text[:end]
    return first.upper() if len(first.upper()) == len(first) else first


def _fitted_logo(data: bytes, size: int) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as source:
            logo = ImageOps.contain(source.convert("RGBA"), (size, size), Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise LogoUnreadable(
            f"the logo is not an image Pillow can read ({error}; give a PNG, JPEG, GIF or "
            "WebP file)"
        ) from error
    icon = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    icon.alpha_composite(logo, ((size - logo.width) // 2, (size - logo.height) // 2))
    return icon


# --- Bytes and cache keys --------------------------------------------------------------

ENGINE = ("freetype2", "raqm", "harfbuzz", "fribidi", "zlib_ng")


def _png(image: Image.Image) -> bytes:
    """PNG without metadata (no time, no text chunks) at a fixed compression level."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PNG_COMPRESSION)
    return buffer.getvalue()


@functools.cache
def engine_fingerprint() -> str:
    """This code and the versions of what it draws and compresses with."""
    versions = [f"{name} {features.version(name)}" for name in ENGINE]
    return text_digest(
        f"Pillow {PIL.__version__}",
        f"fontTools {fontTools.version}",
        *versions,
        files_digest([Path(__file__)]),
    )


def cache_key(card: Card, fonts: Fonts = DEFAULT_FONTS) -> str:
    """Everything a card's bytes depend on: its content, the engine and the font files.
    Equal keys, equal bytes; a rebuild draws only cards whose key is new."""
    content = [digest(v) if isinstance(v, bytes) else str(v) for v in astuple(card)]
    return text_digest(*content, engine_fingerprint(), fonts.fingerprint(card.lang))


def text_digest(*parts: str) -> str:
    return digest("\0".join(parts).encode("utf-8"))


def files_digest(paths: Iterable[Path]) -> str:
    """One hash over files' names and bytes (not their folder: fonts may live anywhere)."""
    return text_digest(*(f"{path.name}\0{digest(path.read_bytes())}" for path in paths))
