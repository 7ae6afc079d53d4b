"""Validate stage: YAML nodes become the model, and every problem is reported with its place.

This module is the only one that knows the shape of `site.yaml`, front matter and check
files. Each shape is declared once as data (`Record`s of `Field`s), and the same
declarations convert nodes into dataclasses and describe the shape in JSON Schema for
editors' tools.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from . import paths
from .errors import Report, did_you_mean, excerpt
from .i18n import SCALE_WORDS
from .markup import too_complex
from .model import (
    Article,
    Check,
    CheckedArticle,
    Publisher,
    Response,
    SiteConfig,
    Source,
    Update,
    Verdict,
)
from .sources import (
    CURLY_QUOTES,
    ID_PATTERN,
    SITE_FILE,
    describe_character,
    first_unfit,
    parse_yaml,
    read_text,
    split_front_matter,
)

CLAIM_LENGTH_GUIDANCE = 75
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"}
)
DEFAULT_METHODOLOGY = (
    "We check factual claims against primary sources: official records, transcripts, "
    "data and the original reporting. Every verdict names its sources, so readers can "
    "retrace the work, and is rated on the scale below."
)
DEFAULT_CORRECTIONS = (
    "When we get something wrong we correct it openly: the check is updated, and a dated "
    "note in its corrections log says what changed and why."
)
DEFAULT_ABOUT = (
    "This site publishes fact checks: each one takes a published article, marks the "
    "claims we checked in its own words, and gives every claim a verdict, the reasoning "
    "and the sources."
)
_ENGLISH_SCALE = (
    Verdict(
        "true", "True", 5, "The claim is accurate and nothing significant is missing.", "#1a7f37"
    ),
    Verdict(
        "mostly-true",
        "Mostly true",
        4,
        "The claim is accurate but needs clarification or additional information.",
        "#4c8a16",
    ),
    Verdict(
        "half-true",
        "Half true",
        3,
        "The claim is partially accurate but leaves out important details.",
        "#9a6700",
    ),
    Verdict(
        "mostly-false",
        "Mostly false",
        2,
        "The claim contains an element of truth but ignores critical facts.",
        "#bc4c00",
    ),
    Verdict("false", "False", 1, "The claim is not accurate.", "#cf222e"),
    Verdict(
        "unproven",
        "Unproven",
        None,
        "The available evidence can neither confirm nor refute the claim.",
        "#6e7781",
    ),
)
DEFAULT_SCALE = tuple(
    replace(
        verdict,
        labels=(
            ("en", verdict.label),
            *((tag, words[n][0]) for tag, words in SCALE_WORDS.items()),
        ),
        descriptions=(
            ("en", verdict.description),
            *((tag, words[n][1]) for tag, words in SCALE_WORDS.items()),
        ),
    )
    for n, verdict in enumerate(_ENGLISH_SCALE)
)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLEANS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_NOT_IN_URLS = re.compile(r'[\s<>"{}|\\^`]')  # whitespace as str.isspace() knows it
_EMAIL = re.compile(r"[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+")


JSONSchema = dict[str, Any]


class Invalid:
    """Marks a value that was reported as wrong, so callers skip it without a second error."""


INVALID = Invalid()


@dataclass(frozen=True)
class Link:
    """A URL a file gives, where it gives it, and the URL keys of the same entry.

    Made from the declarations (every value of the `URL` kind), so the link checker
    knows each link's place and, for a source, its archived copy.
    """

    url: str
    key: str
    path: str
    line: int
    col: int
    siblings: tuple[tuple[str, str], ...] = ()
    """(key, url) of the other URLs in the same entry, e.g. a source's 'archived'."""


@dataclass
class Place:
    """Where values are being read from, where their problems are reported, and where
    the links found go (when anyone collects them)."""

    path: str
    report: Report
    links: list[Link] | None = None
    key: str = ""
    """The key whose value is being read: messages about a value start with it."""

    def error(self, node: yaml.Node, message: str, hint: str = "", keyed: bool = True) -> Invalid:
        """Report a problem at the node; `keyed=False` for a message that names the key."""
        mark = node.start_mark
        if keyed and self.key:
            message = f"{self.key}: {message}"
        self.report.error(self.path, mark.line + 1, mark.column + 1, message, hint)
        return INVALID

    def warning(self, node: yaml.Node, message: str, hint: str = "") -> None:
        mark = node.start_mark
        self.report.warning(self.path, mark.line + 1, mark.column + 1, message, hint)


# --- Value kinds -----------------------------------------------------------------------


class Spec:
    """A kind of value: converts a node (reporting problems) and describes itself in JSON Schema."""

    expected = "a value"

    def convert(self, node: yaml.Node, at: Place) -> Any:
        raise NotImplementedError

    def json_schema(self) -> JSONSchema:
        raise NotImplementedError


def _found(node: yaml.Node, quoted: bool = True) -> str:
    """What a node holds, in words; a scalar is quoted (in part) only when `quoted`."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping of keys"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return excerpt(node.value) if quoted else "text"


def _without_curly_quotes(value: str) -> str:
    """The value inside typographic quotes (“…”, «…», „…“ and single ones), or '' if it has none:
    YAML keeps those as part of the text, so `verdict: “false”` is not the verdict false."""
    if len(value) > 2 and value[0] in CURLY_QUOTES and value[-1] in CURLY_QUOTES.values():
        return value[1:-1].strip()
    return ""


def _unfit_character(node: yaml.Node, value: str, at: Place) -> Invalid | None:
    """Characters no page or feed can carry, such as those YAML's escapes make."""
    index = first_unfit(value)
    if index is None:
        return None
    return at.error(
        node,
        f"contains {describe_character(value[index])}",
        "remove it; in double quotes, \\x, \\u, \\0 and \\e escapes make such characters",
    )


class Text(Spec):
    """Plain text: any scalar, kept exactly as written (`no` is the word no)."""

    expected = "text"

    def convert(self, node: yaml.Node, at: Place) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return at.error(node, f"expected {self.expected}, found {_found(node)}")
        value = node.value.strip()
        if not value:
            return at.error(node, "must not be empty")
        return _unfit_character(node, value, at) or value

    def json_schema(self) -> JSONSchema:
        # An editor's YAML 1.2 reading may type `no`, `010` or `true` as boolean or number:
        # all are text to the validator, so the schema accepts them; blank text is not.
        return {"type": ["string", "number", "boolean"], "pattern": r"\S"}


class Markdown(Text):
    """Text in Markdown, nested no deeper than pages can be made from."""

    expected = "text"

    def convert(self, node: yaml.Node, at: Place) -> Any:
        value = super().convert(node, at)
        problem = too_complex(value) if value is not INVALID else None
        if problem is None:
            return value
        line, message, hint = problem
        mark = node.start_mark  # a block scalar (|, >) starts on the line after its mark
        first = mark.line + 2 if getattr(node, "style", None) in ("|", ">") else mark.line + 1
        at.report.error(at.path, first + line, 1, f"{at.key}: {message}", hint)
        return INVALID


class Scalar(Text):
    """Text that must match a rule; `check` returns an error message or ''."""

    def __init__(
        self,
        expected: str,
        check: Callable[[str], str],
        schema: JSONSchema,
        parse: Callable[[str], Any] = str,
        hint: str = "",
    ) -> None:
        self.expected, self._check, self._schema = expected, check, schema
        self._parse, self._hint = parse, hint

    def convert(self, node: yaml.Node, at: Place) -> Any:
        value = super().convert(node, at)
        if value is INVALID:
            return value
        problem = self._check(value)
        if problem:
            inner = _without_curly_quotes(value)
            if inner and not self._check(inner):
                return at.error(node, problem, f"write it without the curly quotes: {inner}")
            return at.error(node, problem, self._hint)
        return self._parse(value)

    def json_schema(self) -> JSONSchema:
        return dict(self._schema)


def _date_problem(value: str) -> str:
    if not _DATE.fullmatch(value):
        return f"expected a date as YYYY-MM-DD, found {excerpt(value)}"
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        return f"{excerpt(value)} is not a real date ({exc})"
    return ""


def _url_problem(value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError as exc:  # e.g. an unclosed '[' of an IPv6 address
        return f"{excerpt(value)} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"URL must start with http:// or https://, found {excerpt(value)}"
    if not parts.netloc:
        return f"{excerpt(value)} is not a complete URL"
    bad = _NOT_IN_URLS.search(value)
    if bad:
        return (
            f"{excerpt(value)} is not a valid URL: "
            f"{excerpt(bad[0])} must be percent-encoded ({_escape(bad[0])})"
        )
    return ""


def _escape(char: str) -> str:
    return "".join(f"%{b:02X}" for b in char.encode("utf-8"))


def _contact_problem(value: str) -> str:
    if _EMAIL.fullmatch(value.removeprefix("mailto:")):
        return ""
    return _url_problem(value) and (
        f"expected an email address or http(s) URL, found {excerpt(value)}"
    )


def _id_problem(value: str) -> str:
    return "" if ID_PATTERN.fullmatch(value) else f"{excerpt(value)} is not a valid key"


def _int_problem(value: str) -> str:
    return (
        ""
        if re.fullmatch(r"[0-9]+", value) and int(value) >= 1
        else f"expected a whole number of at least 1, found {excerpt(value)}"
    )


DATE = Scalar(
    "a date",
    _date_problem,
    {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    dt.date.fromisoformat,
    "dates are written YYYY-MM-DD, e.g. 2021-10-23",
)
_URL_SCHEMA = {
    "type": "string",
    "format": "uri",
    "pattern": (  # a host, or an IPv6 [address]
        r'^[Hh][Tt][Tt][Pp][Ss]?://(?:[^\s/?#<>"{}|\\^`\[\]]+|'
        r'[^\s/?#<>"{}|\\^`\[\]]*\[[0-9A-Fa-f:.]+\](?::[0-9]*)?)(?:[/?#][^\s<>"{}|\\^`]*)?$'
    ),
}
URL = Scalar("a URL", _url_problem, _URL_SCHEMA)
CONTACT = Scalar(
    "an email address or URL",
    _contact_problem,
    {"type": "string", "anyOf": [{"pattern": f"^(mailto:)?{_EMAIL.pattern}$"}, _URL_SCHEMA]},
)
LANGUAGE = Scalar(
    "a language tag",
    lambda v: "" if _LANGUAGE_TAG.fullmatch(v) else f"{excerpt(v)} is not a language tag",
    {"type": "string", "pattern": f"^{_LANGUAGE_TAG.pattern}$"},
    hint="use a BCP 47 tag such as 'en', 'ar' or 'pt-BR'",
)
COLOR = Scalar(
    "a colour",
    lambda v: (
        "" if _COLOR.fullmatch(v) else f"expected a colour as #rgb or #rrggbb, found {excerpt(v)}"
    ),
    {"type": "string", "pattern": f"^{_COLOR.pattern}$"},
)
RATING = Scalar(
    "a rating",
    _int_problem,
    {"type": ["integer", "string"], "minimum": 1, "pattern": "^[0-9]*[1-9][0-9]*$"},
    int,
)
KEY = Scalar(
    "a key",
    _id_problem,
    {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"},
    hint="use lowercase letters, digits and single hyphens",
)


class Choice(Text):
    """One word of a fixed set, with a 'did you mean' hint for a near miss."""

    def __init__(self, what: str, choices: tuple[str, ...]) -> None:
        self.what, self.choices = what, choices
        self.expected = f"a {what}"

    def convert(self, node: yaml.Node, at: Place) -> Any:
        value = super().convert(node, at)
        if value is INVALID or value in self.choices:
            return value
        inner = _without_curly_quotes(value)
        hint = (
            f"write it without the curly quotes: {inner}"
            if inner in self.choices
            else did_you_mean(value, self.choices) or "one of: " + ", ".join(self.choices)
        )
        return at.error(node, f"unknown {self.what} {excerpt(value)}", hint, keyed=False)

    def json_schema(self) -> JSONSchema:
        # `verdict: false` is the key 'false' to the validator but a boolean to an editor.
        typed = [_BOOLEANS[c] for c in self.choices if c in ("true", "false")]
        return {"enum": [*self.choices, *typed]}


class Boolean(Spec):
    expected = "true or false"

    def convert(self, node: yaml.Node, at: Place) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.value in _BOOLEANS:
            return _BOOLEANS[node.value]
        return at.error(node, f"expected true or false, found {_found(node)}")

    def json_schema(self) -> JSONSchema:
        return {"enum": [True, False, *_BOOLEANS]}


class ListOf(Spec):
    def __init__(self, item: Spec, min_items: int = 0) -> None:
        self.item, self.min_items = item, min_items
        self.expected = "a list"

    def convert(self, node: yaml.Node, at: Place) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return at.error(
                node,
                f"expected a list, found {_found(node)}",
                "start each entry on its own line with '- '",
            )
        if len(node.value) < self.min_items:
            entries = "one entry" if self.min_items == 1 else f"{self.min_items} entries"
            return at.error(node, f"needs at least {entries}")
        items = [self.item.convert(child, at) for child in node.value]
        return INVALID if any(i is INVALID for i in items) else tuple(items)

    def json_schema(self) -> JSONSchema:
        return {"type": "array", "items": self.item.json_schema(), "minItems": self.min_items}


class Names(Spec):
    """One name or a list of names (`authors: Jane Doe` or `authors: [Jane Doe, Ali Khan]`)."""

    expected = "a name or a list of names"

    def __init__(self) -> None:
        self.text = Text()

    def convert(self, node: yaml.Node, at: Place) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value = self.text.convert(node, at)
            return value if value is INVALID else (value,)
        if not isinstance(node, yaml.SequenceNode):
            return at.error(node, f"expected {self.expected}, found {_found(node)}")
        names = [self.text.convert(child, at) for child in node.value]
        return INVALID if any(n is INVALID for n in names) else tuple(dict.fromkeys(names))

    def json_schema(self) -> JSONSchema:
        text = self.text.json_schema()
        return {"anyOf": [text, {"type": "array", "items": text}]}


class Localized(Spec):
    """A text, or a mapping from language tag to text (`label: {en: Mostly true, es:
    Mayormente verdadero}`); a text alone is in the site's language (the tag '')."""

    expected = "a text, or language tags with a text each"

    def __init__(self) -> None:
        self.text = Text()

    def convert(self, node: yaml.Node, at: Place) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value = self.text.convert(node, at)
            return value if value is INVALID else (("", value),)
        if not isinstance(node, yaml.MappingNode) or not node.value:
            return at.error(
                node,
                f"expected {self.expected}, found {_found(node)}",
                "write a text, or e.g. {en: Mostly true, es: Mayormente verdadero}",
            )
        texts: dict[str, str] = {}
        ok = True
        for key_node, value_node in node.value:
            tag, text = LANGUAGE.convert(key_node, at), self.text.convert(value_node, at)
            if tag is not INVALID and tag.lower() in texts:
                at.error(key_node, f"language '{tag}' is given twice")
                tag = INVALID
            ok = ok and tag is not INVALID and text is not INVALID
            if ok:
                texts[tag.lower()] = text
        return tuple(texts.items()) if ok else INVALID

    def json_schema(self) -> JSONSchema:
        text = self.text.json_schema()
        by_language = {
            "type": "object",
            "minProperties": 1,
            "propertyNames": LANGUAGE.json_schema(),
            "additionalProperties": text,
        }
        return {"anyOf": [text, by_language]}


@dataclass(frozen=True)
class Field:
    spec: Spec
    required: bool = False
    description: str = ""


class Record(Spec):
    """A mapping with known keys; unknown, duplicate and missing keys are errors."""

    expected = "a mapping of keys"

    def __init__(
        self,
        what: str,
        fields: Mapping[str, Field],
        make: Callable[..., Any] = dict,
        form: Callable[[str], str] | None = None,
    ) -> None:
        self.what, self.fields, self.make = what, dict(fields), make
        self.form = form
        """How to write an entry that was given as text alone (its text given)."""

    def convert(self, node: yaml.Node, at: Place, **extra: Any) -> Any:
        values = self.read(node, at)
        if isinstance(values, Invalid):
            return values
        return self.make(**values, **extra)

    def read(self, node: yaml.Node, at: Place) -> dict[str, Any] | Invalid:
        """Convert each key's value; INVALID when anything was wrong."""
        if not isinstance(node, yaml.MappingNode):
            return self._not_keys(node, at)
        outer, at.key = at.key, ""
        try:
            return self._read_keys(node, at)
        finally:
            at.key = outer

    def _not_keys(self, node: yaml.Node, at: Place) -> Invalid:
        """A value that should be keys; a whole file's text is not quoted, only named."""
        found = _found(node, quoted=bool(at.key))
        hint = ""
        if self.form is not None and isinstance(node, yaml.ScalarNode):
            hint = f"write it as {self.form(node.value.strip())}"
        return at.error(node, f"expected {self.what} as keys and values, found {found}", hint)

    def _read_keys(self, node: yaml.MappingNode, at: Place) -> dict[str, Any] | Invalid:
        values: dict[str, Any] = {}
        seen: dict[str, int] = {}
        ok = True
        found: list[tuple[str, str, yaml.Node]] = []
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            if key in seen:
                at.error(
                    key_node, f"duplicate key {excerpt(key)}", f"first given on line {seen[key]}"
                )
                ok = False
                continue
            seen[key] = key_node.start_mark.line + 1
            field = self.fields.get(key)
            if field is None:
                at.error(key_node, f"unknown key {excerpt(key)} in {self.what}", self._hint(key))
                ok = False
                continue
            if _is_null(value_node):
                if field.required:
                    at.error(key_node, f"'{key}' needs a value")
                    ok = False
                continue
            at.key = key
            value = field.spec.convert(value_node, at)
            at.key = ""
            ok = ok and value is not INVALID
            values[key] = value
            if field.spec is URL and value is not INVALID:
                found.append((key, value, value_node))
        for key, field in self.fields.items():
            if field.required and key not in seen:
                at.error(node, f"missing required key '{key}' in {self.what}")
                ok = False
        if at.links is not None:
            at.links.extend(_links(at.path, found))
        return values if ok else INVALID

    def _hint(self, key: str) -> str:
        """For an unknown key: the key it misspells, else every key there is."""
        inner = _without_curly_quotes(key)
        if inner in self.fields:
            return f"write it without the curly quotes: {inner}"
        return did_you_mean(key, self.fields) or "known keys: " + ", ".join(self.fields)

    def json_schema(self) -> JSONSchema:
        required = [k for k, f in self.fields.items() if f.required]
        return {
            "type": "object",
            "properties": {k: _property_schema(f) for k, f in self.fields.items()},
            **({"required": required} if required else {}),
            "additionalProperties": False,
        }


def _links(path: str, found: list[tuple[str, str, yaml.Node]]) -> list[Link]:
    urls = tuple((key, value) for key, value, _ in found)
    return [
        Link(
            value,
            key,
            path,
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            tuple(u for u in urls if u[0] != key),
        )
        for key, value, node in found
    ]


def _property_schema(field: Field) -> JSONSchema:
    """An optional key left empty (`key:`, `~`, `null`) counts as absent, so null is allowed."""
    schema = field.spec.json_schema()
    if not field.required:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "description": field.description}


def _is_null(node: yaml.Node) -> bool:
    """A plain (unquoted) empty, `~` or `null`; libyaml marks plain style '' not None."""
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value in _NULLS


# --- The shapes ----------------------------------------------------------------------


SOURCE = Record(
    "a source",
    {
        "title": Field(Text(), True, "the source's title"),
        "url": Field(URL, True, "where to read it"),
        "publisher": Field(Text(), description="who published it"),
        "date": Field(DATE, description="when it was published"),
        "archived": Field(URL, description="an archive copy's URL"),
        "stance": Field(
            Choice("stance", ("supports", "refutes", "context")),
            description="what the source does for the claim",
        ),
        "note": Field(Text(), description="what the source says, in a line"),
    },
    Source,
    lambda text: (
        f"{{title: ..., url: {text}}}"
        if _url_problem(text) == ""
        else f"{{title: {text}, url: https://...}}"
    ),
)

UPDATE = Record(
    "an update",
    {
        "date": Field(DATE, True, "date of the change"),
        "note": Field(Text(), True, "what changed and why"),
    },
    Update,
    lambda text: "{date: YYYY-MM-DD, note: what changed and why}",
)

RESPONSE = Record(
    "a response",
    {
        "party": Field(Text(), True, "whom the desk asked for comment"),
        "asked": Field(DATE, True, "when they were asked"),
        "answered": Field(DATE, description="when they answered, if they did"),
        "note": Field(Text(), True, "what they said, or that no answer came"),
    },
    Response,
    lambda text: "{party: ..., asked: YYYY-MM-DD, note: ...}",
)


@functools.cache
def check_record(verdicts: tuple[str, ...]) -> Record:
    """The shape of a check file, for a rating scale with these keys."""
    return Record(
        "a check",
        {
            "claim": Field(Text(), True, "the claim as checked, in neutral words"),
            "claimant": Field(Text(), True, "who made the claim"),
            "claim_date": Field(DATE, description="when the claim was made"),
            "appearance": Field(URL, description="where the claim appeared"),
            "verdict": Field(Choice("verdict", verdicts), True, "a key of the rating scale"),
            "summary": Field(Text(), True, "the conclusion in one or two sentences"),
            "analysis": Field(Markdown(), description="the reasoning, in Markdown"),
            "sources": Field(ListOf(SOURCE, 1), True, "the sources, at least one"),
            "checked_by": Field(Text(), description="who checked it"),
            "checked_on": Field(DATE, True, "date of this verdict"),
            "updates": Field(ListOf(UPDATE), description="the corrections log, oldest first"),
            "claimant_type": Field(
                Choice("claimant type", ("person", "organization")),
                description="whether the claimant is a person or an "
                "organization (default organization)",
            ),
            "responses": Field(
                ListOf(RESPONSE),
                description="the right of reply: whom the desk asked for comment, and their answer",
            ),
            "topics": Field(Names(), description="topic names, each with its own page"),
            "translation_of": Field(KEY, description="the id of the check this one translates"),
        },
        Check,
    )


CHECKED_ARTICLE = Record(
    "the checked article (source)",
    {
        "publisher": Field(Text(), description="who published the checked article"),
        "url": Field(URL, description="where it was published"),
        "published": Field(DATE, description="when it was published"),
        "author": Field(Text(), description="who wrote it"),
    },
    CheckedArticle,
)

FRONT_MATTER = Record(
    "front matter",
    {
        "title": Field(Text(), True, "the fact-check's headline"),
        "published": Field(DATE, True, "date the fact-check was published"),
        "updated": Field(DATE, description="date of the last change"),
        "summary": Field(Text(), description="what was checked and what was found"),
        "source": Field(CHECKED_ARTICLE, description="the checked article"),
        "lang": Field(LANGUAGE, description="language of the article"),
        "dir": Field(Choice("text direction", ("ltr", "rtl")), description="text direction"),
        "authors": Field(Names(), description="who wrote the fact-check: a name or a list"),
        "lead": Field(KEY, description="the id of the claim the story turns on, shown first"),
        "topics": Field(Names(), description="topic names, each with its own page"),
        "translation_of": Field(KEY, description="the slug of the article this one translates"),
    },
)

VERDICT = Record(
    "a verdict",
    {
        "label": Field(Localized(), True, "the word readers see: a text, or one per language tag"),
        "rating": Field(RATING, description="the number for structured data; higher is better"),
        "description": Field(
            Localized(), description="what the verdict means: a text, or one per language tag"
        ),
        "color": Field(COLOR, description="the chip's colour"),
    },
)


class Scale(Spec):
    """The rating scale: a mapping of verdict keys to entries, best first."""

    def convert(self, node: yaml.Node, at: Place) -> Any:
        if not isinstance(node, yaml.MappingNode) or not node.value:
            return at.error(
                node, f"expected the rating scale as keys and entries, found {_found(node)}"
            )
        verdicts: list[Verdict] = []
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = KEY.convert(key_node, at)
            if key in seen:
                at.error(key_node, f"duplicate verdict '{key}'", f"first on line {seen[key]}")
                key = INVALID
            seen[key] = key_node.start_mark.line + 1
            entry = VERDICT.read(value_node, at)
            if key is not INVALID and not isinstance(entry, Invalid):
                labels, descriptions = entry.pop("label"), entry.pop("description", ())
                verdicts.append(Verdict(key, "", labels=labels, descriptions=descriptions, **entry))
        return tuple(verdicts) if len(verdicts) == len(node.value) else INVALID

    def json_schema(self) -> JSONSchema:
        return {
            "type": "object",
            "minProperties": 1,
            "propertyNames": KEY.json_schema(),
            "additionalProperties": VERDICT.json_schema(),
        }


PUBLISHER = Record(
    "publisher",
    {
        "name": Field(Text(), True, "the fact-checking organisation"),
        "url": Field(URL, description="its home page"),
        "logo": Field(URL, description="its logo"),
    },
    Publisher,
)

SITE = Record(
    "site.yaml",
    {
        "title": Field(Text(), description="site title"),
        "base_url": Field(URL, description="absolute URL the site is served from"),
        "language": Field(LANGUAGE, description="default article language"),
        "publisher": Field(PUBLISHER, description="the fact-checking organisation"),
        "methodology": Field(Markdown(), description="Markdown for the methodology page"),
        "corrections": Field(Markdown(), description="the corrections policy, Markdown"),
        "verdicts": Field(Scale(), description="the rating scale, best first"),
        "contact": Field(CONTACT, description="where readers report errors and submit claims"),
        "strict": Field(Boolean(), description="unmarked checks are errors"),
        "about": Field(
            Markdown(),
            description="Markdown for the about page: who the desk is, who owns and funds it",
        ),
        "search": Field(Boolean(), description="build the search page and its index"),
        "share_images": Field(Boolean(), description="draw a share card for every claim page"),
        "min_sources": Field(
            Scalar("a whole number", _int_problem, RATING.json_schema(), int),
            description="the fewest independent sources (publishers) a check may cite",
        ),
    },
)


# --- Whole files ---------------------------------------------------------------------


def validate_config(text: str | None, report: Report, base_url: str | None) -> SiteConfig:
    """Site settings from site.yaml's text, with defaults for what it leaves out.

    Problems are reported and the defaults used instead; `base_url` (from the command
    line) overrides the file's.
    """
    values: dict[str, Any] = {}
    file = parse_yaml(SITE_FILE, text, report) if text is not None else None
    if file and file.node is not None:
        read = SITE.read(file.node, Place(SITE_FILE, report))
        values = read if not isinstance(read, Invalid) else {}
    title = values.get("title", "Fact checks")
    if base_url is not None:
        problem = _url_problem(base_url) if base_url else ""
        if problem:
            report.error("--base-url", 1, 1, problem)
        values["base_url"] = base_url
    return SiteConfig(
        title=title,
        base_url=_with_slash(values.get("base_url", "")),
        language=values.get("language", "en"),
        publisher=values.get("publisher", Publisher(title)),
        methodology=values.get("methodology", DEFAULT_METHODOLOGY),
        corrections=values.get("corrections", DEFAULT_CORRECTIONS),
        verdicts=in_site_language(
            values.get("verdicts", DEFAULT_SCALE), values.get("language", "en")
        ),
        contact=values.get("contact", ""),
        strict=values.get("strict", True),
        about=values.get("about", DEFAULT_ABOUT),
        search=values.get("search", True),
        share_images=values.get("share_images", True),
        min_sources=values.get("min_sources", 1),
        language_at=_key_at(file.node if file else None, "language"),
    )


def in_site_language(verdicts: tuple[Verdict, ...], language: str) -> tuple[Verdict, ...]:
    """The scale with a text given alone taken as the site language's, and each verdict's
    `label` and `description` in the site's language (else its first)."""
    found = []
    for verdict in verdicts:
        labels = tuple((tag or language, text) for tag, text in verdict.labels)
        descriptions = tuple((tag or language, text) for tag, text in verdict.descriptions)
        shown = replace(verdict, labels=labels, descriptions=descriptions)
        found.append(
            replace(
                shown,
                label=shown.label_for(language) or labels[0][1],
                description=shown.description_for(language)
                or (descriptions[0][1] if descriptions else ""),
            )
        )
    return tuple(found)


def _key_at(node: yaml.Node | None, key: str) -> tuple[int, int]:
    """(line, column) of a key's value in a mapping, (1, 1) when it is not there."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                mark = value_node.start_mark
                return mark.line + 1, mark.column + 1
    return 1, 1


def read_config(src: Path, report: Report, base_url: str | None = None) -> SiteConfig:
    """A source folder's settings alone, for the commands that need nothing else."""
    text = read_text(src, SITE_FILE, report) if os.path.lexists(src / SITE_FILE) else None
    return validate_config(text, report, base_url)


def _with_slash(url: str) -> str:
    return url if not url or url.endswith("/") else url + "/"


def validate_check(
    path: str,
    claim_id: str,
    text: str,
    verdicts: tuple[str, ...],
    report: Report,
    links: list[Link] | None = None,
) -> Check | None:
    """A check file's model, or None when it has errors (all of them reported).

    `links` collects every URL the file gives, with its place, for the link checker.
    """
    at = Place(path, report, links)
    parsed = parse_yaml(path, text, report)
    node = parsed.node
    if node is None:
        if parsed.parsed:
            report.error(
                path,
                1,
                1,
                "the check file is empty",
                "write claim, claimant, verdict, summary, sources and checked_on",
            )
        return None
    check = check_record(verdicts).convert(
        node, at, id=claim_id, path=path, translation_at=_key_at(node, "translation_of")
    )
    if not isinstance(check, Check):
        return None
    assert isinstance(node, yaml.MappingNode)  # a check record was read from it
    _check_order(check, node, at)
    if len(check.claim) > CLAIM_LENGTH_GUIDANCE:
        at.warning(
            _value_node(node, "claim"),
            f"claim is {len(check.claim)} characters long",
            f"search engines advise at most {CLAIM_LENGTH_GUIDANCE}",
        )
    return check


def _check_order(check: Check, node: yaml.MappingNode, at: Place) -> None:
    dates = [u.date for u in check.updates]
    if dates != sorted(dates):
        at.error(_value_node(node, "updates"), "updates must be listed oldest first")


def _value_node(node: yaml.MappingNode, key: str) -> yaml.Node:
    found: yaml.Node = next(v for k, v in node.value if k.value == key)
    return found


def validate_article(
    path: str, slug: str, text: str, language: str, report: Report
) -> Article | None:
    """An article's model (its Markdown body as text); None when it has errors."""
    parts = split_front_matter(path, text, report)
    if parts.front.node is None:
        if parts.front.parsed:
            report.error(
                path, 2, 1, "front matter is empty", "give at least 'title' and 'published'"
            )
        return None
    if slug in paths.RESERVED:
        report.error(
            path, 1, 1, f"'{slug}' is the name of a folder the site uses", "rename the article file"
        )
        return None
    values = FRONT_MATTER.read(parts.front.node, Place(path, report))
    if isinstance(values, Invalid):
        return None
    lang = values.pop("lang", language)
    direction = values.pop("dir", "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr")
    return Article(
        slug=slug,
        path=path,
        lang=lang,
        dir=direction,
        body=parts.body,
        body_line=parts.body_line,
        translation_at=_key_at(parts.front.node, "translation_of"),
        lang_at=_key_at(parts.front.node, "lang"),
        **values,
    )
