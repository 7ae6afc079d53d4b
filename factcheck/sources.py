"""Read stage: find the source files, decode them and parse their YAML into nodes.

Nothing here knows what an article or a check must contain (that is `validate`); this
stage only knows the folder layout, the text encoding and YAML syntax. YAML is composed
into nodes, not loaded, so values keep their line and column and are never converted by
YAML 1.1 rules (`false`, `no`, `010` and dates all stay text until the validator decides).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

from .errors import Report

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FRONT_MATTER_FENCE = "---"


class _NodeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Composes nodes without resolving tags: the validator reads every value as text."""

    def resolve(self, kind, value, implicit):
        return _TAGS[kind]


_TAGS = {yaml.ScalarNode: "tag:yaml.org,2002:str", yaml.SequenceNode: "tag:yaml.org,2002:seq",
         yaml.MappingNode: "tag:yaml.org,2002:map"}


Stamp = tuple[int, int, int, int]
"""A file's size, modification and change times (ns) and inode: any write changes it."""


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML text: `node` is None when the file is empty or could not be parsed."""

    path: str
    node: yaml.Node | None
    parsed: bool


@dataclass(frozen=True)
class SourceFile:
    """An article or check file, read only when needed.

    A file whose stamp is unchanged since the last build is not read again (`data` is
    None); its digest is the one it had then. Bytes are decoded only when validated, so
    an encoding error is reported with the file's other problems.
    """

    name: str
    """The article's slug or the check's id: the file name without `.md` or `.yaml`."""
    path: str
    digest: str
    full: str = ""
    stamp: Stamp | None = None
    data: bytes | None = None

    def read(self, report: Report) -> str | None:
        """The file's text; None (reported) when it is not UTF-8."""
        data = self.data
        if data is None:
            with open(self.full, "rb") as stream:
                data = stream.read()
        return _decode(self.path, data, report)

    def parse(self, report: Report) -> YamlFile:
        text = self.read(report)
        if text is None:
            return YamlFile(self.path, None, parsed=False)
        return parse_yaml(self.path, text, report)


@dataclass(frozen=True)
class FrontMatter:
    """An article file split into its YAML front matter and its Markdown body."""

    front: YamlFile
    body: str
    body_line: int
    """1-based line of the file on which the body starts."""


@dataclass(frozen=True)
class Sources:
    root: Path
    site: YamlFile | None
    site_digest: str
    articles: tuple[SourceFile, ...]
    checks: tuple[SourceFile, ...]
    templates: Path | None
    """The source folder's own templates/, which override the built-in ones."""


def read_sources(root: Path, report: Report,
                 known: Mapping[str, tuple[Stamp, str]] | None = None) -> Sources:
    """Read every source file under `root`, reporting what cannot be read or parsed.

    `known` maps article and check files to the stamp and digest they had when an earlier
    build read them: a file with the same stamp is taken to be unchanged and not read now.
    """
    site_path = root / "site.yaml"
    site, site_digest = None, ""
    if site_path.is_file():
        text, site_digest = read_source(root, site_path, report)
        site = parse_yaml("site.yaml", text, report) if text is not None else None
    templates = root / "templates"
    return Sources(
        root=root,
        site=site,
        site_digest=site_digest,
        articles=tuple(_read_articles(root, report, known or {})),
        checks=tuple(_read_checks(root, report, known or {})),
        templates=templates if templates.is_dir() else None,
    )


def digest(data: bytes) -> str:
    """A content hash: equal for equal bytes, so caches can tell what changed."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def relative(root: Path, path: Path) -> str:
    """A path as editors see it in messages: relative to the source folder, with `/`."""
    return path.relative_to(root).as_posix()


def read_text(root: Path, path: Path, report: Report) -> str | None:
    """Decode a file as UTF-8; report the first bad byte's place when it is not."""
    return read_source(root, path, report)[0]


def read_source(root: Path, path: Path, report: Report) -> tuple[str | None, str]:
    """A file's text (None when it is not UTF-8) and the digest of its bytes."""
    data = path.read_bytes()
    return _decode(relative(root, path), data, report), digest(data)


def _decode(rel: str, data: bytes, report: Report) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        report.error(
            rel, line, col,
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
        node = yaml.compose(text, Loader=_NodeLoader)
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
    if "\t" not in text:
        return False
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


class _Entry(NamedTuple):
    """A file or folder found under the source folder (a tuple: tens of thousands are made)."""

    rel: str
    full: str
    name: str
    stem: str
    suffix: str
    is_dir: bool


def _listing(root: Path, rel: str) -> list[_Entry]:
    """Entries of a folder in a stable order, without README.md and the files editors leave.

    Those are dot-files (`.DS_Store`, vim's `.x.md.swp`) and Emacs' backups (`x.md~`)
    and autosaves (`#x.md#`): the same names Jekyll skips.
    """
    with os.scandir(root / rel) as found:
        entries = [_Entry(f"{rel}/{e.name}", e.path, e.name, *_split_suffix(e.name), e.is_dir())
                   for e in found if not _is_ignored(e.name)]
    return sorted(entries, key=lambda e: e.name)


def _split_suffix(name: str) -> tuple[str, str]:
    """('x', '.yaml') for 'x.yaml', as os.path.splitext but without its generality."""
    stem, dot, suffix = name.rpartition(".")
    return (stem, dot + suffix) if stem else (name, "")


def _is_ignored(name: str) -> bool:
    return name.startswith((".", "#")) or name.endswith("~") or name == "README.md"


def _read_articles(root: Path, report: Report, known: Mapping[str, tuple[Stamp, str]]):
    if not (root / "content").is_dir():
        return
    for entry in _listing(root, "content"):
        if _is_source_name(entry, ".md", "article", "<slug>.md", report):
            yield _source_file(entry, known)


def split_front_matter(path: str, text: str, report: Report) -> FrontMatter:
    """Separate the `---` fenced YAML front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FRONT_MATTER_FENCE:
        report.error(path, 1, 1, "missing front matter",
                     "start the file with a '---' line, the title and published date, "
                     "then another '---' line")
        return FrontMatter(YamlFile(path, None, False), text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FRONT_MATTER_FENCE:
            # Keep the opening line as an empty line so YAML marks match the file's lines.
            front_text = "\n" + "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            return FrontMatter(parse_yaml(path, front_text, report), body, index + 2)
    report.error(path, 1, 1, "front matter is not closed", "add a '---' line after it")
    return FrontMatter(YamlFile(path, None, False), "", len(lines))


def _read_checks(root: Path, report: Report, known: Mapping[str, tuple[Stamp, str]]):
    if not (root / "checks").is_dir():
        return
    seen: dict[str, str] = {}
    for entry in _walk(root, "checks"):
        if not _is_source_name(entry, ".yaml", "check", "<id>.yaml", report):
            continue
        if entry.stem in seen:
            report.error(entry.rel, 1, 1, f"duplicate claim id '{entry.stem}'",
                         f"also {seen[entry.stem]}; ids are unique across all folders")
            continue
        seen[entry.stem] = entry.rel
        yield _source_file(entry, known)


def _source_file(entry: _Entry, known: Mapping[str, tuple[Stamp, str]]) -> SourceFile:
    """The file read, or only stamped when its stamp says it is unchanged."""
    status = os.stat(entry.full)
    stamp = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    remembered = known.get(entry.rel)
    if remembered is not None and remembered[0] == stamp:
        return SourceFile(entry.stem, entry.rel, remembered[1], entry.full, stamp)
    with open(entry.full, "rb") as stream:
        data = stream.read()
    return SourceFile(entry.stem, entry.rel, digest(data), entry.full, stamp, data)


def _walk(root: Path, rel: str):
    """Files under a folder, sub-folders included, in a stable order."""
    for entry in _listing(root, rel):
        if entry.is_dir:
            yield from _walk(root, entry.rel)
        else:
            yield entry


def _is_source_name(entry: _Entry, suffix: str, kind: str, form: str, report: Report) -> bool:
    """Report any file whose name is not `<id><suffix>` with a valid id."""
    folder = entry.rel.rsplit("/", 2)[-2]
    if entry.is_dir:
        report.error(entry.rel, 1, 1, f"unexpected folder in {folder}/",
                     f"{kind}s are files named {form}")
        return False
    if entry.suffix != suffix:
        hint = f"rename it to {entry.stem}{suffix}" if entry.suffix in {".yml", ".markdown"} \
            else f"{folder}/ holds only {kind}s named {form}"
        report.error(entry.rel, 1, 1, f"unexpected file '{entry.name}'", hint)
        return False
    if not ID_PATTERN.fullmatch(entry.stem):
        report.error(entry.rel, 1, 1, f"'{entry.stem}' is not a valid {kind} name",
                     f"use lowercase letters, digits and single hyphens, "
                     f"e.g. '{suggest_id(entry.stem)}'")
        return False
    return True


def suggest_id(text: str) -> str:
    """The valid id closest to some text: lowercase, runs of other characters as '-'."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "claim"
