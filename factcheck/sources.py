"""Read stage: find the source files, decode them and parse their YAML into nodes.

Nothing here knows what an article or a check must contain (that is `validate`); this
stage only knows the folder layout, the text encoding and YAML syntax. YAML is composed
into nodes, not loaded, so values keep their line and column and are never converted by
YAML 1.1 rules (`false`, `no`, `010` and dates all stay text until the validator decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Report

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FRONT_MATTER_FENCE = "---"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML text: `node` is None when the file is empty or could not be parsed."""

    path: str
    node: yaml.Node | None
    parsed: bool


@dataclass(frozen=True)
class ArticleFile:
    slug: str
    path: str
    front: YamlFile
    body: str
    body_line: int
    """1-based line of the file on which the body starts."""


@dataclass(frozen=True)
class CheckFile:
    id: str
    path: str
    yaml: YamlFile


@dataclass(frozen=True)
class Sources:
    root: Path
    site: YamlFile | None
    articles: tuple[ArticleFile, ...]
    checks: tuple[CheckFile, ...]
    templates: Path | None
    """The source folder's own templates/, which override the built-in ones."""


def read_sources(root: Path, report: Report) -> Sources:
    """Read every source file under `root`, reporting what cannot be read or parsed."""
    site_path = root / "site.yaml"
    site = None
    if site_path.is_file():
        text = read_text(root, site_path, report)
        site = parse_yaml("site.yaml", text, report) if text is not None else None
    templates = root / "templates"
    return Sources(
        root=root,
        site=site,
        articles=tuple(_read_articles(root, report)),
        checks=tuple(_read_checks(root, report)),
        templates=templates if templates.is_dir() else None,
    )


def relative(root: Path, path: Path) -> str:
    """A path as editors see it in messages: relative to the source folder, with `/`."""
    return path.relative_to(root).as_posix()


def read_text(root: Path, path: Path, report: Report) -> str | None:
    """Decode a file as UTF-8; report the first bad byte's place when it is not."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        report.error(
            relative(root, path), line, col,
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file with UTF-8 encoding",
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(path: str, text: str, report: Report) -> YamlFile:
    """Compose YAML text into a node tree; syntax problems and tabs become errors."""
    tabs = _report_tab_indents(path, text, report)
    if tabs:
        return YamlFile(path, None, parsed=False)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        report.error(path, line, col, f"invalid YAML: {problem}", _yaml_hint(problem))
        return YamlFile(path, None, parsed=False)
    except yaml.YAMLError as exc:  # reader errors, e.g. control characters
        report.error(path, 1, 1, f"invalid YAML: {exc}")
        return YamlFile(path, None, parsed=False)
    return YamlFile(path, node, parsed=True)


def _report_tab_indents(path: str, text: str, report: Report) -> bool:
    found = False
    for number, line in enumerate(text.split("\n"), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            col = line.index("\t") + 1
            report.error(path, number, col, "tab character in indentation",
                         "YAML is indented with spaces only")
            found = True
    return found


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "put text that contains ': ' in quotes"
    if "expected a single document" in problem:
        return "a file holds one YAML document: remove the extra '---'"
    return ""


def _listing(folder: Path) -> list[Path]:
    """Entries of a folder in a stable order, without dot-files and README.md."""
    return sorted(
        p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "README.md"
    )


def _read_articles(root: Path, report: Report):
    folder = root / "content"
    if not folder.is_dir():
        return
    for path in _listing(folder):
        rel = relative(root, path)
        if not _is_source_name(path, ".md", "article", "<slug>.md", rel, report):
            continue
        text = read_text(root, path, report)
        if text is not None:
            yield split_front_matter(path.stem, rel, text, report)


def split_front_matter(slug: str, path: str, text: str, report: Report) -> ArticleFile:
    """Separate the `---` fenced YAML front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FRONT_MATTER_FENCE:
        report.error(path, 1, 1, "missing front matter",
                     "start the file with a '---' line, the title and published date, "
                     "then another '---' line")
        return ArticleFile(slug, path, YamlFile(path, None, False), text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FRONT_MATTER_FENCE:
            # Keep the opening line as an empty line so YAML marks match the file's lines.
            front_text = "\n" + "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            return ArticleFile(slug, path, parse_yaml(path, front_text, report), body, index + 2)
    report.error(path, 1, 1, "front matter is not closed", "add a '---' line after it")
    return ArticleFile(slug, path, YamlFile(path, None, False), "", len(lines))


def _read_checks(root: Path, report: Report):
    folder = root / "checks"
    if not folder.is_dir():
        return
    seen: dict[str, str] = {}
    for path in _walk(folder):
        rel = relative(root, path)
        if not _is_source_name(path, ".yaml", "check", "<id>.yaml", rel, report):
            continue
        if path.stem in seen:
            report.error(rel, 1, 1, f"duplicate claim id '{path.stem}'",
                         f"also {seen[path.stem]}; ids are unique across all folders")
            continue
        seen[path.stem] = rel
        text = read_text(root, path, report)
        parsed = parse_yaml(rel, text, report) if text is not None else YamlFile(rel, None, False)
        yield CheckFile(path.stem, rel, parsed)


def _walk(folder: Path):
    """Files under a folder, sub-folders included, in a stable order."""
    for path in _listing(folder):
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _is_source_name(path: Path, suffix: str, kind: str, form: str, rel: str,
                    report: Report) -> bool:
    """Report any file whose name is not `<id><suffix>` with a valid id."""
    if path.is_dir():
        report.error(rel, 1, 1, f"unexpected folder in {path.parent.name}/",
                     f"{kind}s are files named {form}")
        return False
    if path.suffix != suffix:
        hint = f"rename it to {path.stem}{suffix}" if path.suffix in {".yml", ".markdown"} \
            else f"{path.parent.name}/ holds only {kind}s named {form}"
        report.error(rel, 1, 1, f"unexpected file '{path.name}'", hint)
        return False
    if not ID_PATTERN.fullmatch(path.stem):
        report.error(rel, 1, 1, f"'{path.stem}' is not a valid {kind} name",
                     f"use lowercase letters, digits and single hyphens, "
                     f"e.g. '{suggest_id(path.stem)}'")
        return False
    return True


def suggest_id(text: str) -> str:
    """The valid id closest to some text: lowercase, runs of other characters as '-'."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "claim"
