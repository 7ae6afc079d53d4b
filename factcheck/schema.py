"""JSON Schema for check files and site.yaml, built from the validator's own declarations.

Editors' tools (VS Code's YAML extension, any yaml-language-server client) read these to
complete keys and flag wrong values while the editor types. The shapes come from
`validate` (one source of truth); the verdict list comes from a rating scale, the default
one for the schemas shipped in `schemas/`.

Regenerate the shipped files with `python -m factcheck.schema` (or `make schemas`); write a
site's own, for its own rating scale, with `python -m factcheck.schema --src DIR`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import validate
from .errors import Report

SHIPPED = Path(__file__).resolve().parent.parent / "schemas"
CHECK_SCHEMA, SITE_SCHEMA = "check.schema.json", "site.schema.json"
DRAFT = "http://json-schema.org/draft-07/schema#"
TEXT_NOTE = (
    " Every YAML value is text to the validator (it reads YAML without type conversion): "
    "dates are 'YYYY-MM-DD' text and `verdict: false` is the verdict 'false'. To validate "
    "a file against this schema outside an editor, load it keeping scalars as strings and "
    "empty values (`key:`, `~`, `null`) as null; editors that type `false` or `010` are "
    "accepted too."
)


DEFAULT_VERDICTS = tuple(v.key for v in validate.DEFAULT_SCALE)


def check_schema(verdicts: tuple[str, ...] = DEFAULT_VERDICTS) -> dict[str, Any]:
    """The schema of `checks/<id>.yaml` for a rating scale with these keys."""
    return {
        "$schema": DRAFT,
        "title": "Fact check: one checked claim (checks/<id>.yaml)",
        "description": "Verdicts: " + ", ".join(verdicts) + "." + TEXT_NOTE,
        **validate.check_record(verdicts).json_schema(),
    }


def site_schema() -> dict[str, Any]:
    """The schema of `site.yaml`, where every key is optional."""
    return {
        "$schema": DRAFT,
        "title": "Fact-check site settings (site.yaml)",
        "description": "Every key is optional." + TEXT_NOTE,
        **validate.SITE.json_schema(),
    }


def render(schema: dict[str, Any]) -> str:
    """Stable text, so the committed files can be compared with a fresh generation."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def site_scale(src: Path) -> tuple[str, ...]:
    """The verdict keys of a source folder's rating scale (the default one if unreadable)."""
    return tuple(v.key for v in validate.read_config(src, Report()).verdicts)


def write_schemas(folder: Path, verdicts: tuple[str, ...] | None = None) -> list[Path]:
    """Write both schemas into a folder; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    check = check_schema(verdicts) if verdicts else check_schema()
    written = []
    for name, schema in ((CHECK_SCHEMA, check), (SITE_SCHEMA, site_schema())):
        (folder / name).write_text(render(schema), encoding="utf-8")
        written.append(folder / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m factcheck.schema",
        description=("Write the JSON Schemas for check files and site.yaml."),
    )
    parser.add_argument(
        "--src",
        help="write SRC/schemas/ for this site's own rating scale "
        "(default: the schemas shipped with the generator)",
    )
    args = parser.parse_args(argv)
    if args.src is None:
        written = write_schemas(SHIPPED)
    elif Path(args.src).is_dir():
        written = write_schemas(Path(args.src) / "schemas", site_scale(Path(args.src)))
    else:
        print(f"{parser.prog}: error: source folder {args.src} does not exist", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
