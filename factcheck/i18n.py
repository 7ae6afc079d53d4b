# ruff: noqa: RUF001
"""Languages: the message catalogues pages are translated with, plural forms, dates, numbers.

Every word the templates print is a gettext message. The generator ships a catalogue per
language in `factcheck/locales/<lang>.po`, made from `messages.pot` (which
`python -m factcheck.i18n` extracts from the templates); a site adds a language, or
overrides messages, with its own `locales/<lang>.po`. Catalogues are data: Babel parses
them and nothing in them is ever run. In particular a catalogue's Plural-Forms expression
is only checked, never evaluated: plural forms are CLDR's, through Babel, numbered in
CLDR's order of categories (zero, one, two, few, many, other) as Babel writes them.
Dates and numbers are Babel's for the page's locale; structured data keeps ISO dates.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import PoFileError, read_po, write_po
from babel.numbers import format_decimal
from babel.plural import to_gettext
from jinja2 import pass_context
from jinja2.ext import babel_extract
from jinja2.runtime import Context
from markupsafe import Markup

from .errors import Report, excerpt
from .sources import SHIPPED_LOCALES, normal_tag, report_unfit, shipped, shipped_path

TEMPLATE = "messages.pot"
SOURCE_FOLDER = "locales"
"""A site's own catalogues: `locales/<lang>.po` in its source folder."""
FALLBACK = "en"
"""The language of the messages themselves: pages in a language without a catalogue."""
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
WORLD_ENGLISH = "en_001"
"""Plain `en` formats dates as CLDR's international English does: '1 November 2021',
unambiguous in every English-speaking country (`en-US` still gets 'November 1, 2021')."""
EXTRACTED = (".html", ".xml", ".txt")
"""Templates whose messages are extracted (assets and the search page's script are not)."""
JINJA_OPTIONS = {
    "trimmed": "true",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "keep_trailing_newline": "true",
    "newstyle_gettext": "true",
}
"""How templates are read for extraction: exactly as the renderer's environment reads them."""
COMMENT_TAGS = ("Translators:",)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_PLURAL_HEADER = re.compile(r"nplurals\s*=\s*(\d+)")

SCALE_WORDS = {
    "es": (
        ("Verdadero", "La afirmación es exacta y no omite nada significativo."),
        (
            "Mayormente verdadero",
            "La afirmación es exacta, pero necesita aclaraciones o información adicional.",
        ),
        ("Verdad a medias", "La afirmación es exacta en parte, pero omite detalles importantes."),
        ("Mayormente falso", "La afirmación contiene algo de verdad, pero ignora hechos clave."),
        ("Falso", "La afirmación no es exacta."),
        (
            "Sin pruebas",
            "Las pruebas disponibles no permiten confirmar ni desmentir la afirmación.",
        ),
    ),
    "fr": (
        ("Vrai", "L’affirmation est exacte et rien d’important n’y manque."),
        (
            "Plutôt vrai",
            "L’affirmation est exacte, mais demande des précisions ou des informations "
            "complémentaires.",
        ),
        ("À moitié vrai", "L’affirmation est en partie exacte, mais omet des éléments importants."),
        (
            "Plutôt faux",
            "L’affirmation contient une part de vérité, mais ignore des faits essentiels.",
        ),
        ("Faux", "L’affirmation est inexacte."),
        (
            "Non prouvé",
            "Les éléments disponibles ne permettent ni de confirmer ni de réfuter l’affirmation.",
        ),
    ),
    "pt": (
        ("Verdadeiro", "A alegação é exata e não omite nada relevante."),
        (
            "Quase verdadeiro",
            "A alegação é exata, mas precisa de esclarecimento ou de informação adicional.",
        ),
        ("Meia verdade", "A alegação é parcialmente exata, mas omite detalhes importantes."),
        ("Quase falso", "A alegação tem um fundo de verdade, mas ignora informações essenciais."),
        ("Falso", "A alegação não é exata."),
        (
            "Não comprovado",
            "As provas disponíveis não permitem confirmar nem desmentir a alegação.",
        ),
    ),
    "de": (
        ("Richtig", "Die Behauptung stimmt, und es fehlt nichts Wesentliches."),
        (
            "Größtenteils richtig",
            "Die Behauptung stimmt, braucht aber eine Klarstellung oder zusätzliche Informationen.",
        ),
        ("Teilweise richtig", "Die Behauptung stimmt zum Teil, lässt aber wichtige Details aus."),
        (
            "Größtenteils falsch",
            "Die Behauptung hat einen wahren Kern, lässt aber entscheidende Fakten außer Acht.",
        ),
        ("Falsch", "Die Behauptung stimmt nicht."),
        (
            "Unbelegt",
            "Die verfügbaren Belege können die Behauptung weder bestätigen noch widerlegen.",
        ),
    ),
    "ar": (
        ("صحيح", "الادعاء دقيق ولا ينقصه شيء مهم."),
        ("صحيح في معظمه", "الادعاء دقيق، لكنه يحتاج إلى توضيح أو معلومات إضافية."),
        ("صحيح جزئيًا", "الادعاء دقيق في جزء منه، لكنه يُغفل تفاصيل مهمة."),
        ("خاطئ في معظمه", "في الادعاء جانب من الحقيقة، لكنه يتجاهل وقائع جوهرية."),
        ("خاطئ", "الادعاء غير دقيق."),
        ("غير مُثبت", "الأدلة المتاحة لا تؤكد الادعاء ولا تنفيه."),
    ),
    "ur": (
        ("درست", "دعویٰ درست ہے اور اس میں کوئی اہم بات چھوٹی نہیں۔"),
        ("زیادہ تر درست", "دعویٰ درست ہے، مگر اسے وضاحت یا اضافی معلومات کی ضرورت ہے۔"),
        ("جزوی طور پر درست", "دعویٰ کسی حد تک درست ہے، مگر اس میں اہم تفصیلات چھوڑ دی گئی ہیں۔"),
        ("زیادہ تر غلط", "دعوے میں سچائی کا کچھ عنصر ہے، مگر یہ اہم حقائق کو نظر انداز کرتا ہے۔"),
        ("غلط", "دعویٰ درست نہیں۔"),
        ("غیر ثابت شدہ", "دستیاب شواہد سے دعوے کی نہ تصدیق ہوتی ہے نہ تردید۔"),
    ),
    "hi": (
        ("सच", "दावा सटीक है और इसमें कोई अहम बात छूटी नहीं है।"),
        ("ज़्यादातर सच", "दावा सटीक है, लेकिन इसे स्पष्टीकरण या अतिरिक्त जानकारी की ज़रूरत है।"),
        ("आधा सच", "दावा आंशिक रूप से सटीक है, लेकिन इसमें अहम ब्योरे छोड़ दिए गए हैं।"),
        ("ज़्यादातर ग़लत", "दावे में सच का कुछ अंश है, लेकिन यह अहम तथ्यों को नज़रअंदाज़ करता है।"),
        ("ग़लत", "दावा सटीक नहीं है।"),
        ("अप्रमाणित", "उपलब्ध सबूत न तो दावे की पुष्टि करते हैं, न उसका खंडन।"),
    ),
}
"""The default scale's words in every other language the generator ships, in the scale's
order (true, mostly-true, half-true, mostly-false, false, unproven): (label, description).
Typographic apostrophes and the Urdu full stop (۔) are meant."""

MessageKey = tuple[str, str]
"""(context, msgid): the msgid of a plural message is its singular."""


# --- language tags and Babel's locales ------------------------------------------------------


def is_tag(text: str) -> bool:
    return _TAG.fullmatch(text) is not None


@functools.cache
def babel_locale(tag: str) -> Locale | None:
    """CLDR's locale for a language tag, or None when CLDR does not know it."""
    name = WORLD_ENGLISH if normal_tag(tag) == FALLBACK else normal_tag(tag).replace("-", "_")
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        primary = name.split("_")[0]
        if primary == name:
            return None
        return babel_locale(primary)


def known_locale(tag: str) -> Locale:
    """CLDR's locale for a tag, English's when CLDR does not know it."""
    found = babel_locale(tag) or babel_locale(FALLBACK)
    assert found is not None
    return found


def language_name(tag: str, in_tag: str | None = None) -> str:
    """A language by name, in its own language by default ('español', 'اردو')."""
    locale = babel_locale(tag)
    shown = babel_locale(in_tag or tag)
    if locale is None or shown is None:
        return tag
    name = locale.get_display_name(shown) or tag
    if normal_tag(tag) == FALLBACK:  # 'English (world)' is the locale, not the language
        name = locale.get_language_name(shown) or name
    return name[:1].upper() + name[1:]


def english_name(tag: str) -> str:
    """A language's English name, as diagnostics name it: 'Urdu', 'Portuguese (Brazil)'."""
    return language_name(tag, FALLBACK)


def plural_categories(tag: str) -> tuple[str, ...]:
    """CLDR's plural categories of a language, in catalogue order (English's if unknown)."""
    tags = known_locale(tag).plural_form.tags
    return tuple(c for c in PLURAL_CATEGORIES if c in tags or c == "other")


def plural_guide(tag: str) -> list[str]:
    """Which msgstr is which category, with numbers that take it, a line each ('[0] one
    (1)', '[1] other (0, 2, 3, ...)'), for translators."""
    locale = known_locale(tag)
    found: dict[str, list[str]] = {}
    for n in [*range(0, 201), 1000, 1000000]:
        found.setdefault(locale.plural_form(n), []).append(f"{n:,}")
    lines = []
    for i, category in enumerate(plural_categories(tag)):
        numbers = found.get(category, [])
        lines.append(f"[{i}] {category} ({', '.join(numbers[:3] + ['...'][: len(numbers) > 3])})")
    return lines


def plural_header(tag: str) -> str:
    """The Plural-Forms header for a language, as gettext tools read it: CLDR's rule for
    whole numbers (the exponent of a compact number, `e`, is 0 for them)."""
    return re.sub(r"\be\b", "0", to_gettext(known_locale(tag).plural_form))


def negotiate(tag: str, available: Iterable[str]) -> str:
    """The catalogue for a page in language `tag`: its own, else its language's
    (`pt-BR` uses `pt`); '' when there is none."""
    names = {normal_tag(n).lower(): n for n in available}
    parts = normal_tag(tag).split("-")
    for end in range(len(parts), 0, -1):
        found = names.get("-".join(parts[:end]).lower())
        if found is not None:
            return found
    return ""


def report_language(
    tag: str,
    has_catalogue: bool,
    unlabelled: Iterable[Any],
    place: tuple[str, int, int],
    report: Report,
) -> None:
    """Warn about what pages in a language cannot say in it: their template text (no
    catalogue) and verdicts without a label in it. `place` is where the language is set."""
    path, line, col = place
    name = english_name(tag)
    if not has_catalogue:
        known = babel_locale(tag) is not None
        report.warning(
            path,
            line,
            col,
            f"no catalogue for language '{tag}' ({name}): its pages are in English",
            f"add one with python build.py translate {tag}"
            if known
            else f"'{tag}' is not a language CLDR knows: check the tag",
        )
    for verdict in unlabelled:
        report.warning(
            path,
            line,
            col,
            f"verdict '{verdict.key}' has no label in '{tag}' ({name}): its pages show "
            f"'{verdict.label}'",
            f"give one in site.yaml, e.g. label: {{{FALLBACK}: ..., {tag}: ...}}",
        )


# --- the catalogue a page is translated with ------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """One language's messages: the site's own over the generator's, translated ones only."""

    language: str
    forms: int
    """Plural forms, one per CLDR category of the language."""
    messages: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(context, msgid, translation): one string, or one per plural form."""


def parse(path: str, text: str, report: Report) -> Catalog | None:
    """A PO file's catalogue; None, with an error at its line, when it is not one."""
    if report_unfit(path, text, report):  # a control character would reach every page
        return None
    try:
        return read_po(io.StringIO(text), abort_invalid=True)
    except PoFileError as exc:
        report.error(path, max(exc.lineno, 1), 1, f"not a valid catalogue: {exc}", _PO_HINT)
    except (UnknownLocaleError, ValueError) as exc:
        report.error(path, _header_line(text, "Language"), 1, f"invalid header: {exc}", _PO_HINT)
    return None


_PO_HINT = "a catalogue is a gettext PO file: python build.py translate LANG writes one"


def _header_line(text: str, name: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip('"').startswith(f"{name}:"):
            return number
    return 1


def key_of(message: Message) -> MessageKey:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return (message.context or "", str(msgid))


def _strings(message: Message) -> tuple[str, ...]:
    found = message.string
    return tuple(found) if isinstance(found, tuple | list) else (str(found or ""),)


def _translated(message: Message) -> bool:
    return not message.fuzzy and all(_strings(message))


def messages_of(catalog: Catalog | None, forms: int) -> dict[MessageKey, tuple[str, ...]]:
    """A catalogue's usable translations: not fuzzy, complete, with CLDR's number of forms."""
    found: dict[MessageKey, tuple[str, ...]] = {}
    for message in catalog or ():
        if message.id and _translated(message):
            strings = _strings(message)
            if not message.pluralizable or len(strings) == forms:
                found[key_of(message)] = strings
    return found


def catalogue(
    language: str,
    generator: Catalog | None,
    site: Catalog | None,
) -> Catalogue:
    """The messages pages in `language` use: the site's translations over the generator's."""
    forms = len(plural_categories(language))
    merged = messages_of(generator, forms)
    merged.update(messages_of(site, forms))
    return Catalogue(
        language,
        forms,
        tuple((context, msgid, strings) for (context, msgid), strings in sorted(merged.items())),
    )


def check_site_catalogue(
    path: str,
    text: str,
    site: Catalog,
    language: str,
    expected: Mapping[MessageKey, Message],
    translated: Catalogue,
    report: Report,
) -> None:
    """What a translator must still do, at each entry's line: untranslated, fuzzy and
    stale entries, placeholders that are not the English text's, the wrong plural forms."""
    categories = plural_categories(language)
    if site.num_plurals != len(categories):
        report.warning(
            path,
            _header_line(text, "Plural-Forms"),
            1,
            f"Plural-Forms gives {site.num_plurals} forms, but {english_name(language)} has "
            f"{len(categories)} in CLDR ({', '.join(categories)})",
            f"write {plural_header(language)}; plural entries are not used until then",
        )
    done = {(c, m) for c, m, _ in translated.messages}
    seen: set[MessageKey] = set()
    for message in site:
        if not message.id:
            continue
        key = key_of(message)
        seen.add(key)
        _check_entry(path, message, key in expected, key in done, language, report)
    for key in expected:
        if key not in seen and key not in done:
            report.warning(
                path,
                1,
                1,
                f"missing: {excerpt(key[1])} is not in the catalogue",
                f"run python build.py translate {language} to add it",
            )


def _check_entry(
    path: str, message: Message, used: bool, done: bool, language: str, report: Report
) -> None:
    line = message.lineno or 1
    text = excerpt(key_of(message)[1])
    if not used:
        report.warning(
            path,
            line,
            1,
            f"stale entry: {text} is no longer a message of the templates",
            f"run python build.py translate {language} to update the catalogue, or remove it",
        )
        return
    if message.fuzzy and all(_strings(message)):
        report.warning(
            path,
            line,
            1,
            f"fuzzy: {text} needs review (its English text changed)",
            "check the translation and remove the '#, fuzzy' line; until then it is not used",
        )
    elif not done:
        report.warning(
            path,
            line,
            1,
            f"untranslated: {text}",
            f"pages in {english_name(language)} show the English text until it is translated",
        )
    for string in _strings(message):
        problem = placeholder_problem(key_of(message)[1], message.id, string)
        if string and problem:
            report.error(path, line, 1, f"{text}: {problem}", "keep every %(name)s as it is")


def placeholder_problem(msgid: str, ids: Any, translation: str) -> str:
    """Why a translation cannot be filled in as its English text is ('' when it can):
    it names a placeholder the English text has not, or has a lone '%'."""
    names = {
        n for part in ([ids] if isinstance(ids, str) else ids) for n in _PLACEHOLDER.findall(part)
    }
    try:
        translation % {name: "" for name in names}
    except KeyError as exc:
        return f"the placeholder %({exc.args[0]})s is not in the English text"
    except (ValueError, TypeError):
        return "a '%' that is not a placeholder (write '%%' for a percent sign)"
    return ""


# --- extracting the messages from the templates ---------------------------------------------


def extract_messages(templates: Mapping[str, bytes], silent: bool = True) -> Catalog:
    """Every message these templates print (name → bytes), with where each is used."""
    found = Catalog(fuzzy=False)
    options = {**JINJA_OPTIONS, "silent": "true" if silent else "false"}
    for name, data in sorted(templates.items()):
        if not name.endswith(EXTRACTED) or name.startswith(("assets/", "search/")):
            continue
        for line, msgid, comments, context in extract(
            babel_extract,  # type: ignore[arg-type]
            io.BytesIO(data),
            DEFAULT_KEYWORDS,
            COMMENT_TAGS,
            options,
            strip_comment_tags=True,
        ):
            found.add(
                msgid, None, [(f"templates/{name}", line)], auto_comments=comments, context=context
            )
    return found


def expected_messages(templates: Mapping[str, bytes]) -> dict[MessageKey, Message]:
    return {key_of(m): m for m in extract_messages(templates) if m.id}


def po_text(catalog: Catalog, locations: bool = True) -> str:
    """A catalogue as a PO file: locations without line numbers, so a template's lines
    can move without the catalogue changing."""
    out = io.BytesIO()
    write_po(out, catalog, width=0, include_lineno=False, no_location=not locations)
    return out.getvalue().decode("utf-8")


def starter(
    language: str,
    template: Catalog,
    existing: Catalog | None,
    shipped_catalog: Catalog | None,
    today: dt.date,
) -> tuple[Catalog, str]:
    """A site's catalogue for `language`, made (or brought up to date) from the template:
    every message, translated ones kept, changed ones marked fuzzy, removed ones dropped.
    Also says, in a line, what is left to do."""
    stamp = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
    catalog = existing or Catalog(
        locale=None,
        header_comment=_header_comment(language, shipped_catalog is not None),
        project="fact-check site",
        creation_date=stamp,
        fuzzy=False,
    )
    catalog.mime_headers = [
        *(h for h in catalog.mime_headers if h[0] not in ("Language", "Plural-Forms")),
        ("Language", language),
        ("Plural-Forms", plural_header(language)),
    ]
    catalog.revision_date = stamp
    catalog.update(template, update_creation_date=False)
    catalog.obsolete.clear()
    forms = len(plural_categories(language))
    hints = messages_of(shipped_catalog, forms)
    for message in catalog:
        if message.id:
            _prepare(message, forms, hints.get(key_of(message)), language)
    return catalog, still_to_do(catalog)


def still_to_do(catalog: Catalog) -> str:
    left = sum(1 for m in catalog if m.id and not _translated(m))
    fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
    return f"{left} to translate, {fuzzy} of them marked fuzzy to review"


def _prepare(
    message: Message, forms: int, shipped_text: tuple[str, ...] | None, language: str
) -> None:
    """Give a plural entry one string per CLDR form, named in a comment, and show the
    generator's own translation beside an entry the site has not translated."""
    if message.pluralizable:
        strings = list(_strings(message))[:forms]
        message.string = tuple(strings + [""] * (forms - len(strings)))
        for note in ["plural forms, one msgstr each:", *plural_guide(language)]:
            if note not in message.auto_comments:
                message.auto_comments.append(note)
    if shipped_text and not all(_strings(message)):
        note = "the generator's: " + " | ".join(shipped_text)
        if note not in message.auto_comments:
            message.auto_comments.append(note)


def _header_comment(language: str, ships: bool) -> str:
    name = english_name(language)
    lines = [
        f"# {name} messages of this site's pages.",
        "# Translate each msgstr; keep %(name)s placeholders as they are.",
        "# A plural entry has one msgstr per CLDR category, named in its comment.",
    ]
    if ships:
        lines.append(
            f"# The generator ships {name}: an entry left empty keeps its translation, "
            "so fill in only those you want to change."
        )
    lines.append("# python build.py translate LANG brings this file up to date with the templates.")
    return "\n".join([*lines, "#"])


# --- what a page speaks ---------------------------------------------------------------------


class Translator:
    """A page's language: its messages, its plural rule, its dates and numbers.

    Made once per catalogue and page language in a process (`translator`), from the
    catalogue the page read through the memo.
    """

    def __init__(self, tag: str, catalogue: Catalogue | None) -> None:
        self.tag = tag
        """The page's language, as its `lang` attribute says."""
        self.language = catalogue.language if catalogue is not None else FALLBACK
        self.locale = known_locale(tag if catalogue is not None else FALLBACK)
        self.messages = {(c, m): s for c, m, s in catalogue.messages} if catalogue else {}
        # The page's own plural rule (pt-PT's, say) when it has the catalogue's forms.
        same = catalogue is None or len(plural_categories(tag)) == catalogue.forms
        rule_tag = tag if same or catalogue is None else catalogue.language
        self.categories = plural_categories(rule_tag)
        self._rule = known_locale(rule_tag).plural_form
        # Babel takes ~0.1 ms a date; a site shows the same few hundred dates everywhere.
        self._dates: dict[dt.date, str] = {}
        self._numbers: dict[int, str] = {}

    def gettext(self, message: str, context: str = "") -> str:
        found = self.messages.get((context, message))
        return found[0] if found else message

    def ngettext(self, singular: str, plural: str, count: int, context: str = "") -> str:
        found = self.messages.get((context, singular))
        if found is None:
            return singular if count == 1 else plural
        category = self._rule(abs(count))
        index = self.categories.index(category) if category in self.categories else -1
        return found[index]

    def number(self, value: int) -> str:
        found = self._numbers.get(value)
        if found is None:
            found = self._numbers[value] = format_decimal(value, locale=self.locale)
        return found

    def date(self, day: dt.date) -> str:
        found = self._dates.get(day)
        if found is None:
            found = self._dates[day] = format_date(day, "long", locale=self.locale)
        return found

    def names(self, names: Iterable[str], css: str = "") -> Markup:
        """Names as the language lists them ('A, B and C', 'A، B وC'), each isolated in a
        <bdi> so a name in another script keeps its punctuation in place."""
        shown = [
            Markup('<bdi class="{}">{}</bdi>').format(css, n)
            if css
            else Markup("<bdi>{}</bdi>").format(n)
            for n in names
        ]
        return Markup(format_list(shown, locale=self.locale)) if shown else Markup("")


@functools.lru_cache(maxsize=64)
def translator(tag: str, catalogue: Catalogue | None) -> Translator:
    """One Translator per page language and catalogue in a process: catalogues are
    compiled once, however many pages use them."""
    return Translator(tag, catalogue)


ENGLISH = Translator(FALLBACK, None)
"""The messages as written: what text outside a page (a feed, a style sheet) is made with."""


def jinja_callables(current: Callable[[], Translator]) -> dict[str, Any]:
    """gettext, ngettext, pgettext and npgettext for Jinja's i18n extension (newstyle):
    each translates with the page being rendered, escapes what it fills in, and writes
    numbers as the page's language does."""

    def fill(context: Context, text: str, variables: dict[str, Any]) -> str:
        if not variables and "%" not in text:  # most messages: nothing to fill in
            return Markup(text) if context.eval_ctx.autoescape else text
        speaker = current()
        shown = {
            name: speaker.number(value)
            if isinstance(value, int) and not isinstance(value, bool)
            else value
            for name, value in variables.items()
        }
        if context.eval_ctx.autoescape:
            return Markup(text) % shown
        return text % shown

    # Positional-only: a template's variables may be called anything, `count` included.
    @pass_context
    def gettext(context: Context, message: str, /, **variables: Any) -> str:
        return fill(context, current().gettext(message), variables)

    @pass_context
    def ngettext(
        context: Context, singular: str, plural: str, count: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", count)
        return fill(context, current().ngettext(singular, plural, count), variables)

    @pass_context
    def pgettext(context: Context, message_context: str, message: str, /, **variables: Any) -> str:
        return fill(context, current().gettext(message, message_context), variables)

    @pass_context
    def npgettext(
        context: Context,
        message_context: str,
        singular: str,
        plural: str,
        count: int,
        /,
        **variables: Any,
    ) -> str:
        variables.setdefault("num", count)
        return fill(
            context, current().ngettext(singular, plural, count, message_context), variables
        )

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


# --- versions: pages joined by translation_of ---------------------------------------------


@dataclass(frozen=True)
class Version:
    """One language version of an article or a check, as `translation_of` joins them."""

    key: str
    """The article's slug or the check's id."""
    lang: str
    dir: str
    path: str


@dataclass(frozen=True)
class Problem:
    """What is wrong with one file's `translation_of`."""

    key: str
    message: str
    hint: str = ""
    severity: str = "error"


def join_versions(
    pieces: Mapping[str, tuple[str, str]], known: Iterable[str], what: str
) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """Sets of versions: each key of a set (of two or more) with every key of its set, the
    original first, then in the order `pieces` (key → (lang, translation_of)) gives.

    A `translation_of` may name another translation: the set is all of them. Naming
    nothing known, going round in a circle, or two versions in one language are problems.
    """
    problems: list[Problem] = []
    members: dict[str, list[str]] = {}
    names = set(known) | set(pieces)
    for key, (_, target) in pieces.items():
        if not target:
            members.setdefault(key, []).insert(0, key)
            continue
        if target not in names:
            problems.append(_missing(key, target, what, pieces))
            continue
        root = _original(key, pieces)
        if isinstance(root, list):
            problems.append(_circle(key, root))
        elif root in pieces:
            members.setdefault(root, []).append(key)
    groups: dict[str, tuple[str, ...]] = {}
    for found in members.values():
        if len(found) > 1:
            problems += _same_language(found, pieces, what)
            groups.update((key, tuple(found)) for key in found)
    return groups, problems


def _original(key: str, pieces: Mapping[str, tuple[str, str]]) -> str | list[str]:
    """The version a chain of `translation_of` ends at, or the circle it goes round."""
    path = [key]
    while True:
        target = pieces[path[-1]][1] if path[-1] in pieces else ""
        if not target or target not in pieces:
            return path[-1]
        if target in path:
            return [*path[path.index(target) :], target]
        path.append(target)


def _missing(key: str, target: str, what: str, pieces: Mapping[str, Any]) -> Problem:
    from .errors import did_you_mean

    hint = did_you_mean(target, [k for k in pieces if k != key])
    return Problem(key, f"translation_of: no {what} '{target}'", hint)


def _circle(key: str, circle: list[str]) -> Problem:
    return Problem(
        key,
        "translation_of goes round in a circle: " + " → ".join(circle),
        "the original version has no translation_of; each translation names it",
    )


def _same_language(
    keys: list[str], pieces: Mapping[str, tuple[str, str]], what: str
) -> list[Problem]:
    first: dict[str, str] = {}
    problems = []
    for key in keys:
        lang = normal_tag(pieces[key][0])
        if lang in first:
            problems.append(
                Problem(
                    key,
                    f"'{key}' and '{first[lang]}' are two versions of one {what} in one "
                    f"language ('{lang}')",
                    "versions joined by translation_of must differ in lang",
                )
            )
        else:
            first[lang] = key
    return problems


def shown_version(keys: Sequence[str], langs: Mapping[str, str], site_language: str) -> str:
    """The version a list shows of a set: the one in the site's language, else the original."""
    for tag in (site_language, site_language.split("-")[0]):
        for key in keys:
            if normal_tag(langs[key]).lower() == normal_tag(tag).lower():
                return key
    return keys[0]


# --- a site's own catalogue: python build.py translate LANG ---------------------------------


def write_site_catalogue(src: Path, tag: str, today: dt.date) -> tuple[str, str]:
    """Write (or bring up to date) the site's `locales/<lang>.po` from its templates'
    messages; its path, and what is left to translate. UsageError when it cannot."""
    from .errors import UsageError
    from .sources import TEMPLATES, read_text, template_files

    if not is_tag(tag) or babel_locale(tag) is None:
        raise UsageError(
            f"'{tag}' is not a language tag CLDR knows (use one such as ur, sw or pt-BR)"
        )
    name = normal_tag(tag)
    folder = src / SOURCE_FOLDER
    found = [p for p in sorted(folder.glob("*.po")) if normal_tag(p.stem) == name]
    path = found[0] if found else folder / f"{name}.po"
    rel = path.relative_to(src).as_posix()
    existing = None
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UsageError(f"{rel} is not a plain file; replace it with the catalogue itself")
    if path.exists():
        report = Report()
        text = read_text(src, rel, report)
        existing = parse(rel, text, report) if text is not None else None
        if existing is None:
            raise UsageError(str(report.items[0]) if report.items else f"cannot read {rel}")
    own = src / TEMPLATES
    templates = template_files(own if own.is_dir() and not own.is_symlink() else None)
    messages = extract_messages({n: p.read_bytes() for n, p in templates.items()})
    ships = name in shipped()
    generator = read_po(io.StringIO(shipped_path(name).read_text("utf-8"))) if ships else None
    catalog, left = starter(name, messages, existing, generator, today)
    if ships:
        left = (
            f"the generator's {english_name(name)} translates every message: fill in only "
            "those you want to change"
        )
    folder.mkdir(exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(po_text(catalog), encoding="utf-8")
    temporary.replace(path)
    return rel, left


# --- the generator's own catalogues: python -m factcheck.i18n -------------------------------


def builtin_templates() -> dict[str, bytes]:
    from .sources import BUILTIN_TEMPLATES

    return {
        p.relative_to(BUILTIN_TEMPLATES).as_posix(): p.read_bytes()
        for p in sorted(BUILTIN_TEMPLATES.rglob("*"))
        if p.is_file()
    }


def template_catalogue() -> Catalog:
    """messages.pot: every message of the built-in templates."""
    catalog = extract_messages(builtin_templates(), silent=False)
    catalog.project, catalog.version = "factcheck", "1"
    catalog.header_comment = (
        "# Every message the generator's templates print, for translators.\n"
        "# Made by python -m factcheck.i18n: do not edit by hand.\n#"
    )
    catalog.creation_date = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    return catalog


def update_shipped() -> list[str]:
    """Write messages.pot from the templates and bring every shipped catalogue up to
    date with it; one line per file about what is left to translate."""
    template = template_catalogue()
    (SHIPPED_LOCALES / TEMPLATE).write_text(po_text(template), encoding="utf-8")
    said = [f"{TEMPLATE}: {sum(1 for m in template if m.id)} messages"]
    for name in shipped():
        path = shipped_path(name)
        existing = read_po(io.StringIO(path.read_text(encoding="utf-8")), abort_invalid=True)
        catalog, _ = starter(name, template, existing, None, dt.date(2026, 12, 1))
        if name == FALLBACK:  # the messages are English: the catalogue says so, to override
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id
                    message.flags.discard("fuzzy")
        catalog.project, catalog.version = "factcheck", "1"
        catalog.header_comment = (
            f"# The generator's {english_name(name)} messages: every text its templates print.\n"
            "# python -m factcheck.i18n adds new messages from messages.pot (and marks changed\n"
            "# ones fuzzy); translate them here. A site overrides any of them in its own\n"
            f"# locales/{name}.po.\n#"
        )
        path.write_text(po_text(catalog), encoding="utf-8")
        said.append(f"{path.name}: {still_to_do(catalog)}")
    return said


if __name__ == "__main__":
    print("\n".join(update_shipped()))
    sys.exit(0)
