"""Share cards: the 1200 x 630 PNG a claim page offers to social networks, and the favicon.

Drawn with Pillow at build time. Arabic and Devanagari text must be shaped (letters joined,
conjuncts formed), which Pillow does only with its raqm layout engine; and no one font has
every script, so text is split into runs by the font that has its characters and by bidi
level, and raqm shapes each run in its direction. The bytes depend only on the card, the
font files and the versions of Pillow and its libraries: `cache_key` names all of them.

A card costs a few milliseconds, as a build draws thousands: what every card of a verdict
shares is drawn once a process (`_backdrop`), the card is a palette PNG (`Layers`), its
text is drawn without hints (`_without_hinting`) and lines are measured where they are
likely to end (`_longest`). Nastaliq stays slow: HarfBuzz takes milliseconds to shape
any text in it, and lines are shaped to be measured and again to be drawn.
"""

from __future__ import annotations

import bisect
import functools
import io
import itertools
import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, replace
from pathlib import Path
from typing import Literal, NoReturn, TypeVar

import fontTools  # type: ignore[import-untyped]
import PIL
from fontTools.ttLib import TTFont, newTable  # type: ignore[import-untyped]
from fontTools.ttLib.tables import ttProgram  # type: ignore[import-untyped]
from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageFont, ImageOps, features

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
PNG_COMPRESSION = 3  # fixed, never a library's default; 1-3 take alike (3 ms), 4 twice that
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

    def at(self, size: int, bold: bool = False, hinted: bool = False) -> ImageFont.FreeTypeFont:
        return _truetype(self.path(bold), size, hinted)

    def has(self, char: str) -> bool:
        return ord(char) in _coverage(self.path())


@functools.cache
def _truetype(path: str, size: int, hinted: bool = False) -> ImageFont.FreeTypeFont:
    source = path if hinted else io.BytesIO(_without_hinting(path))
    return ImageFont.truetype(source, size, layout_engine=ImageFont.Layout.RAQM)


INHIBIT_GRID_FITTING = bytes([0xB1, 1, 1, 0x8E])  # PUSHB[1] 1 1, INSTCTRL: selector 1 on


@functools.cache
def _without_hinting(path: str) -> bytes:
    """The font file's bytes, its glyph instructions switched off where it has them: its
    `prep` program is replaced by one that inhibits grid-fitting, which FreeType obeys.
    Hints snap outlines to whole pixels, which small text needs (the favicon's letter
    keeps them); at the card's sizes, 26 px and up, they change nothing one sees, and
    running Noto's is most of the time text takes to draw (three times the outlines').
    Widths are HarfBuzz's, unhinted anyway: lines break where they did."""
    with TTFont(path, lazy=True, recalcBBoxes=False, recalcTimestamp=False) as font:
        if "prep" not in font:  # no hints (Noto's Oriya and Thaana): FreeType's own
            return Path(path).read_bytes()
        prep = newTable("prep")
        prep.program = ttProgram.Program()
        prep.program.fromBytecode(INHIBIT_GRID_FITTING)
        font["prep"] = prep
        data = io.BytesIO()
        font.save(data)
        return data.getvalue()


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
        # where one run ends and the next begins: found once, for the many lines tried
        self.changes = [i for i in range(1, len(self.text)) if self._differs(i)]
        self._advance_per_em: float | None = None

    def line(self, start: int, end: int, size: int) -> Line:
        """Characters start:end as a line, without spaces at its ends."""
        while start < end and self.text[start] == " ":
            start += 1
        while end > start and self.text[end - 1] == " ":
            end -= 1
        inside = bisect.bisect_right(self.changes, start), bisect.bisect_left(self.changes, end)
        bounds = [start, *self.changes[inside[0] : inside[1]], end]
        spans = list(itertools.pairwise(bounds)) if start < end else []
        order = visual_order([self.levels[a] for a, _ in spans])
        return Line(tuple(self._run(*spans[i], size) for i in order), size, self.bold)

    def whole(self, size: int) -> Line:
        return self.line(0, len(self.text), size)

    def mean_advance(self, size: int) -> float:
        """A character's mean advance at `size`, to guess where lines end: from one measure
        of the whole text at the first size asked, as advances grow in step with size."""
        if self._advance_per_em is None:
            self._advance_per_em = self.whole(size).width / (size * max(len(self.text), 1))
        return self._advance_per_em * size

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


def _fit(
    text: str, start: int, width_of: Callable[[int], float], limit: float, char_width: float
) -> int:
    """Where the longest line from `start` that is at most `limit` wide ends: before a
    space if a word fits, else inside the first word (a long address), never before a
    combining mark; at least one character. `char_width`, a character's mean advance,
    guesses where."""
    words = [i for i in range(start + 1, len(text)) if text[i] == " "] + [len(text)]
    end = _longest(words, width_of, limit, _guess(words, start, limit, char_width))
    if end is None:
        chars = [
            i
            for i in range(start + 1, words[0] + 1)
            if i == words[0] or not unicodedata.category(text[i]).startswith("M")
        ]
        guess = _guess(chars, start, limit, char_width)
        end = _longest(chars, width_of, limit, guess) or chars[0]
    return end


def _guess(cuts: list[int], start: int, limit: float, char_width: float) -> int:
    """The index of the last cut within `limit` if every character were as wide."""
    if char_width <= 0:  # nothing but zero-width characters so far
        return len(cuts) - 1
    return bisect.bisect_right(cuts, start + limit / char_width) - 1


def _longest(
    cuts: list[int], width_of: Callable[[int], float], limit: float, guess: int
) -> int | None:
    """The last cut whose line is at most `limit` wide; widths grow along the cuts. The
    cut at `guess` and the next are measured first, so a good guess takes two measures
    (shaping a line of Nastaliq takes milliseconds, however short); bisection does the rest."""
    low, high = 0, len(cuts)  # the cuts before `low` fit; from `high` on, none does
    for probe in (guess, guess + 1):
        if low <= probe < high:
            if width_of(cuts[probe]) <= limit:
                low = probe + 1
            else:
                high = probe
    fitting = bisect.bisect_right(cuts, limit, low, high, key=width_of)
    return cuts[fitting - 1] if fitting else None


def break_lines(paragraph: Paragraph, size: int, width: float, limit: int) -> list[tuple[int, int]]:
    """The (start, end) of each line, with as many words on each as fit. Past `limit`
    lines the rest of the text is one more, unmeasured: enough for the caller to see that
    the text does not fit in `limit`."""
    text, start = paragraph.text, 0
    spans: list[tuple[int, int]] = []
    while start < len(text) and len(spans) <= limit:
        if len(spans) == limit:  # too many lines, wherever this one ends
            spans.append((start, len(text)))
            break
        width_of = functools.partial(_line_width, paragraph, start, size)
        end = _fit(text, start, width_of, width, paragraph.mean_advance(size))
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

    char_width = paragraph.mean_advance(size)
    return shortened(_fit(paragraph.text, 0, lambda end: shortened(end).width, width, char_width))


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


Layer = Literal["ink", "muted", "verdict", "on_verdict"]
LAYERS: tuple[Layer, ...] = ("ink", "muted", "verdict", "on_verdict")  # their palette order
SHADES = 47  # of each ink on its ground, besides none: 48 steps of coverage, smooth edges


class Layers:
    """The card as one coverage mask (0-255) for each ink it is drawn in: the publisher,
    claim and badge in ink, the claimant and site title muted, the stripe and chip in the
    verdict's colour, the chip's disc and label on it. Every pixel is one ink's shade on
    its ground (paper, or the verdict's colour inside the chip), so 256 colours hold the
    card, edges smooth, and the PNG is a palette image: a third of RGB's bytes to compress
    and no row filters to choose, several times faster to write."""

    def __init__(self) -> None:
        self._masks: dict[Layer, Image.Image] = {}

    def mask(self, layer: Layer) -> Image.Image:
        if layer not in self._masks:
            self._masks[layer] = Image.new("L", (WIDTH, HEIGHT), 0)
        return self._masks[layer]

    def indices(self, under: Image.Image) -> Image.Image:
        """A new image of palette indices: `under`'s and each layer's shades. Where two
        meet, the ink later in the palette wins: the label and disc on the chip, the chip
        over a claimant's long descender (every pixel stays one of the palette's inks)."""
        total = under.copy()
        for layer, mask in self._masks.items():
            box = mask.getbbox()  # a claim covers a third of the card: only there
            if box:
                shades = mask.crop(box).point(SHADE_INDICES[layer])
                total.paste(ImageChops.lighter(total.crop(box), shades), box)
        return total


def _shade_indices(layer: Layer) -> list[int]:
    """Coverage 0-255 to palette indices: none is paper (0), then the layer's shades."""
    first = LAYERS.index(layer) * SHADES
    shades = ((value * SHADES + 127) // 255 for value in range(256))
    return [first + shade if shade else 0 for shade in shades]


SHADE_INDICES = {layer: _shade_indices(layer) for layer in LAYERS}


def _palette(color: Color) -> list[int]:
    """Paper, then each ink's shades on its ground, for a card of the verdict `color`."""
    paper, on_color = rgb(PAPER), text_color_on(color)
    inks = {
        "ink": (rgb(INK), paper),
        "muted": (rgb(MUTED), paper),
        "verdict": (color, paper),
        "on_verdict": (on_color, color),
    }
    colors = [paper]
    for layer in LAYERS:
        ink, ground = inks[layer]
        colors += [_mix(ink, ground, shade / SHADES) for shade in range(1, SHADES + 1)]
    return [channel for mixed in colors for channel in mixed]


def _mix(ink: Color, ground: Color, coverage: float) -> Color:
    red, green, blue = (
        round(i * coverage + g * (1 - coverage)) for i, g in zip(ink, ground, strict=True)
    )
    return red, green, blue


@dataclass(frozen=True)
class Canvas:
    """The card being drawn, and where its start and end sides are."""

    layers: Layers
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
        self, line: Line, baseline: float, layer: Layer, inset: float = 0, end: bool = False
    ) -> None:
        x = self.left(line.width, inset, end)
        pen = ImageDraw.Draw(self.layers.mask(layer))
        for run in line.runs:
            pen.text(
                (x, baseline),
                run.text,
                fill=255,
                font=run.font.at(line.size, line.bold),
                anchor="ls",
                direction="rtl" if run.rtl else "ltr",
                language=self.lang,
            )
            x += run.width

    def paste(
        self, layer: Layer, mask: Image.Image, box: tuple[float, float], coverage: int = 255
    ) -> None:
        """Lay `layer`'s ink through `mask` with its top left corner at `box` (or, with
        coverage 0, take it away: the verdict's mark is cut out of the disc)."""
        self.layers.mask(layer).paste(coverage, (round(box[0]), round(box[1])), mask)


def draw(card: Card, fonts: Fonts = DEFAULT_FONTS) -> bytes:
    """The card as a 1200 x 630 PNG: equal bytes for equal cards, fonts and libraries."""
    chain = fonts.chain(card.lang)
    backdrop = _backdrop(replace(card, claim="", claimant=""), chain)
    canvas = Canvas(Layers(), chain, card.dir == "rtl", card.lang)
    _claimant(canvas, card.claimant, _claim(canvas, card.claim))
    image = _paletted(canvas.layers.indices(backdrop.indices), backdrop.palette)
    if card.logo:  # in its own colours, which the palette has no room for: RGB
        image = image.convert("RGB")
        logo = _fitted_logo(card.logo, BADGE)
        image.paste(logo, (round(canvas.left(BADGE)), HEADER_TOP), logo)
    return _png(image)


@dataclass(frozen=True)
class Backdrop:
    """All of a card but its claim and claimant, as palette indices, and the palette.
    Never drawn on: `Layers.indices` makes a new image."""

    indices: Image.Image
    palette: tuple[int, ...]


@functools.lru_cache(maxsize=32)
def _backdrop(card: Card, chain: Chain) -> Backdrop:
    """What the cards of one publisher, verdict and language share, drawn once a process
    (a site has a few verdicts in a few languages): the stripe, header and chip."""
    color = rgb(card.color or NEUTRAL)
    canvas = Canvas(Layers(), chain, card.dir == "rtl", card.lang)
    ImageDraw.Draw(canvas.layers.mask("verdict")).rectangle((0, 0, WIDTH, STRIPE - 1), fill=255)
    _header(canvas, card)
    _site_title(canvas, card, _verdict(canvas, card))
    indices = canvas.layers.indices(Image.new("L", (WIDTH, HEIGHT), 0))
    return Backdrop(indices, tuple(_palette(color)))


def _header(canvas: Canvas, card: Card) -> None:
    name = card.publisher or card.site_title
    if not card.logo:
        canvas.paste(
            "ink", _badge_mask(name, BADGE, canvas.chain), (canvas.left(BADGE), HEADER_TOP)
        )
    line = one_line(canvas.paragraph(name, bold=True), PUBLISHER_SIZE, CONTENT_WIDTH - BADGE - GAP)
    middle = HEADER_TOP + BADGE / 2 + canvas.chain.primary.middle * PUBLISHER_SIZE
    canvas.put(line, middle, "ink", inset=BADGE + GAP)


def _claim(canvas: Canvas, claim: str) -> float:
    """Draw the claim as large as it fits; returns the bottom of its last line."""
    lines = claim_lines(canvas.paragraph(claim), canvas.chain.primary)
    top = float(CLAIM_TOP)
    for line in lines:
        canvas.put(line, canvas.baseline(top, line.size), "ink")
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
        canvas.put(line, canvas.baseline(top + 8, CLAIMANT_SIZE), "muted")


def _verdict(canvas: Canvas, card: Card) -> int:
    """The verdict chip: a mark and the label on the verdict's colour. Returns its width."""
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
    canvas.paste("verdict", chip, (canvas.left(width), CHIP_TOP))
    disc_at = (canvas.left(DISC, inset=CHIP_PAD), CHIP_TOP + (CHIP_HEIGHT - DISC) / 2)
    canvas.paste(
        "on_verdict",
        _smooth(
            DISC, DISC, lambda pen, k: pen.ellipse((0, 0, DISC * k - 1, DISC * k - 1), fill=255)
        ),
        disc_at,
    )
    canvas.paste("on_verdict", symbol_mask(card.symbol, DISC, canvas.chain), disc_at, coverage=0)
    middle = CHIP_TOP + CHIP_HEIGHT / 2 + canvas.chain.primary.middle * label.size
    canvas.put(label, middle, "on_verdict", inset=CHIP_PAD + DISC + GAP)
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
        canvas.put(line, middle, "muted", end=True)


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
    icon.putalpha(_rounded_square(size))
    _draw_initial(ImageDraw.Draw(icon), name, size, chain, text_color_on(color))
    return icon


def _badge_mask(name: str, size: int, chain: Chain) -> Image.Image:
    """The card's badge as coverage of ink: the favicon's rounded square, with its initial
    cut out to paper (the white that stands out on ink)."""
    mask = _rounded_square(size)
    _draw_initial(ImageDraw.Draw(mask), name, size, chain, 0)
    return mask


def _rounded_square(size: int) -> Image.Image:
    return _smooth(
        size,
        size,
        lambda pen, k: pen.rounded_rectangle(
            (0, 0, size * k - 1, size * k - 1), round(size * 0.22 * k), fill=255
        ),
    )


def _draw_initial(
    pen: ImageDraw.ImageDraw, name: str, size: int, chain: Chain, fill: int | Color
) -> None:
    initial = _initial(name)
    if initial:
        font = chain.font_for(initial[0]).at(round(size * 0.58), bold=True, hinted=True)
        _centre_text(pen, initial, font, (size / 2, size / 2), chain.lang, fill=fill)


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


def _paletted(indices: Image.Image, colors: Sequence[int]) -> Image.Image:
    """`indices` (an image of its own) as a palette image; entries no pixel uses are paper."""
    indices.putpalette([*colors, *rgb(PAPER) * (256 - len(colors) // 3)])
    return indices


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
