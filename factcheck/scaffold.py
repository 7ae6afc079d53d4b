"""`new`: start a check file from a commented template (`new-check.yaml` beside this module).

The file's first line is a yaml-language-server modeline naming the JSON Schema, so
editors complete keys and flag verdicts as the editor types. The schema is the site's
own (`SRC/schemas/check.schema.json`, written by `python -m factcheck.schema --src SRC`)
when there is one, else the one shipped with the generator, for the default scale.
"""

from __future__ import annotations

import datetime as dt
import os
import string
from dataclasses import dataclass
from pathlib import Path

from . import schema
from .errors import UsageError
from .sources import ID_PATTERN, suggest_id

TEMPLATE = Path(__file__).resolve().parent / "new-check.yaml"


class ScaffoldError(UsageError):
    """The check cannot be started: a bad id, or a check with that id exists."""


@dataclass(frozen=True)
class NewCheck:
    path: Path
    marker: str
    hint: str
    """Advice about the editor schema, or ''."""


def new_check(src: Path, check_id: str, today: dt.date) -> NewCheck:
    """Write `checks/<id>.yaml` from the template; never overwrites a check."""
    if not ID_PATTERN.fullmatch(check_id):
        raise ScaffoldError(
            f"'{check_id}' is not a valid check id (use lowercase letters, "
            f"digits and single hyphens, e.g. '{suggest_id(check_id)}')"
        )
    existing = sorted((src / "checks").rglob(f"{check_id}.yaml"))
    if existing:
        raise ScaffoldError(
            f"{existing[0].relative_to(src).as_posix()} already exists "
            "(ids are unique across all folders); choose another id"
        )
    path = src / "checks" / f"{check_id}.yaml"
    verdicts = schema.site_scale(src)
    schema_file, hint = _schema_for(src, verdicts)
    body = string.Template(TEMPLATE.read_text("utf-8")).substitute(
        id=check_id, verdicts=", ".join(verdicts), today=today.isoformat()
    )
    modeline = f"# yaml-language-server: $schema={_relative(schema_file, path.parent)}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as stream:  # "x": never overwrite
        stream.write(modeline + body)
    return NewCheck(path, f"[the words as published]{{claim={check_id}}}", hint)


def _schema_for(src: Path, verdicts: tuple[str, ...]) -> tuple[Path, str]:
    own = src / "schemas" / schema.CHECK_SCHEMA
    if own.is_file():
        return own, ""
    hint = ""
    if verdicts != schema.DEFAULT_VERDICTS:
        hint = (
            "site.yaml has its own rating scale: run `python -m factcheck.schema "
            f"--src {src}` so editors know its verdicts"
        )
    return schema.SHIPPED / schema.CHECK_SCHEMA, hint


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()
