"""Diagnostics: every problem an editor can cause, with the place it happened.

Stages collect diagnostics instead of raising on the first problem, so one run reports
everything; the command line prints them and exits 1, never with a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, replace


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
        return f"{text} ({self.hint})" if self.hint else text


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
    """A hint naming the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


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
    return (
        f"::{diagnostic.severity} file={_escape(path, True)},line={diagnostic.line},"
        f"col={diagnostic.col}::{_escape(message)}"
    )


def _escape(text: str, is_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text
