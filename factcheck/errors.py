"""Diagnostics: every problem an editor can cause, with the place it happened.

Stages collect diagnostics instead of raising on the first problem, so one run reports
everything; the command line prints them and exits 1, never with a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

EXCERPT = 60
"""The most characters of a value a message quotes: a file's contents are never printed."""
_SEPARATORS = re.compile(r"[-_\s]+")
_UNSHOWN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
"""Control characters, line and paragraph separators, bidirectional controls, surrogates
(undecodable bytes of file names) and noncharacters: what diagnostics show escaped."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at `path:line:col` (1-based); `hint` is printed after the message."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
        return printable(f"{text} ({self.hint})" if self.hint else text)


class Report:
    """The diagnostics of one run, errors and warnings, in the order they were found."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, path: str, line: int, col: int, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(path, line, col, message, hint))

    def warning(self, path: str, line: int, col: int, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(path, line, col, message, hint, "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def has_errors_under(self, folder: str) -> bool:
        return any(d.path.startswith(folder) for d in self.errors)

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics by file and position, so output is stable whatever the read order."""
        return sorted(set(self.items))


class FactcheckError(Exception):
    """The root of everything the command line reports: a message and an exit status,
    never a traceback."""

    status = 2


class UsageError(FactcheckError):
    """The command cannot run as asked (a folder, a port, a repository): exit 2."""


class BuildError(FactcheckError):
    """The sources have errors; carries the report that says which (exit 1)."""

    status = 1

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.errors)} error(s)")
        self.report = report

    def __reduce__(self) -> tuple[type[BuildError], tuple[Report]]:
        return BuildError, (self.report,)  # raised in a worker, re-raised in the build


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the choice `word` is a misspelling of, or '' when there is none.

    Only a close spelling of the same words counts: `mostly-flase` for `mostly-false`, never
    `true` for `half-true` or `untrue` (a near word of another meaning is no hint at all).
    """
    close = [(_distance(word, choice), choice) for choice in sorted(choices)]
    found = min(((d, c) for d, c in close if d is not None), default=None)
    return f"did you mean '{found[1]}'?" if found else ""


def _distance(word: str, choice: str) -> int | None:
    """Typing slips between two names word by word, or None when they are other words."""
    typed, meant = _words(word), _words(choice)
    if "".join(typed) == "".join(meant):
        return 0  # only case or separators differ: `Mostly False`, `claimdate`
    if len(typed) != len(meant):
        return None
    total = 0
    for a, b in zip(typed, meant, strict=True):
        if a == b:
            continue
        if a.isdigit() or b.isdigit() or a.endswith(b) or b.endswith(a):
            return None  # another number, or a prefix such as un-, in-, mis-: another word
        slips = _edits(a, b)
        if slips > (0 if len(b) <= 3 else 1 if len(b) <= 7 else 2):
            return None
        total += slips
    return total


def _words(name: str) -> list[str]:
    return [w for w in _SEPARATORS.split(name.lower()) if w]


def _edits(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours that make `a` into `b`."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        before, row = row, current
    return row[-1]


def printable(text: str) -> str:
    """`text` on one line with nothing a terminal or a CI log acts on: control characters,
    line breaks, bidirectional overrides and undecodable bytes are shown as escapes."""
    if not _UNSHOWN.search(text):
        return text
    return _UNSHOWN.sub(lambda found: _escaped(found[0]), text)


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}"


def excerpt(value: str, limit: int = EXCERPT) -> str:
    """A value as a message quotes it: in quotes, on one line, at most `limit` characters."""
    short = value if len(value) <= limit else value[: limit - 1] + "…"
    return f"'{printable(short)}'"


def fail_on_warnings(report: Report) -> None:
    """`--strict`: any warning fails the run, and every warning is shown as an error."""
    if report.warnings:
        strict = Report()
        strict.items = [replace(d, severity="error") for d in report.items]
        raise BuildError(strict)


def github_annotation(diagnostic: Diagnostic, path: str) -> str:
    """A GitHub Actions workflow command: the problem shows on its file and line in a PR.

    `path` is the file relative to the repository root (the build's own paths are relative
    to --src).
    """
    message = f"{diagnostic.message} ({diagnostic.hint})" if diagnostic.hint else diagnostic.message
    return printable(
        f"::{diagnostic.severity} file={_escape(path, True)},line={diagnostic.line},"
        f"col={diagnostic.col}::{_escape(message)}"
    )


def _escape(text: str, is_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text
