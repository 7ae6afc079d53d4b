"""Read stage: find the source files, read them safely, decode them and parse their YAML.

Nothing here knows what an article or a check must contain (that is `validate`); this
stage knows the folder layout, which files are sources at all, the text encoding and YAML
syntax. A source is a plain file inside the source folder: a symbolic link, a FIFO or a
device is reported and never read, so a link to a secret is never published or printed.
YAML is composed into nodes, not loaded, so values keep their line and column and are
never converted by YAML 1.1 rules (`false`, `no`, `010` and dates stay text until the
validator decides).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .errors import Diagnostic, Report

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FRONT_MATTER_FENCE = "---"
SITE_FILE = "site.yaml"
SOURCE_FOLDERS = ("content", "checks")


class _NodeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Composes nodes without resolving tags: the validator reads every value as text."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _TAGS[kind]


_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


Stamp = tuple[int, int, int, int]
"""A file's size, modification and change times (ns) and inode: any write changes it."""


class SourceFile(NamedTuple):
    """A source file found by the scan (a tuple: tens of thousands are made)."""

    kind: str
    """'article', 'check' or 'site'."""
    name: str
    """The article's slug or the check's id: the file name without `.md` or `.yaml`."""
    path: str
    """As editors see it: relative to the source folder, with `/`."""
    full: str
    stamp: Stamp


@dataclass(frozen=True)
class Scan:
    """Every source file by kind, and the problems with the folder's other entries."""

    root: Path
    site: SourceFile | None
    articles: tuple[SourceFile, ...]
    checks: tuple[SourceFile, ...]
    templates: Path | None
    """The source folder's own templates/, which override the built-in ones."""
    diagnostics: tuple[Diagnostic, ...]


class Unreadable(Exception):
    """A source that cannot be read as a plain file; the message says why."""


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML text: `node` is None when the file is empty or could not be parsed."""

    path: str
    node: yaml.Node | None
    parsed: bool


@dataclass(frozen=True)
class FrontMatter:
    """An article file split into its YAML front matter and its Markdown body."""

    front: YamlFile
    body: str
    body_line: int
    """1-based line of the file on which the body starts."""


def scan(root: Path) -> Scan:
    """Find every source under `root`; report names that cannot be sources."""
    report = Report()
    site = None
    site_path = root / SITE_FILE
    if os.path.lexists(site_path):
        entry = _entry(root, SITE_FILE, report)
        if entry is not None:
            site = SourceFile("site", "site", SITE_FILE, entry.full, entry.stamp)
    templates = root / "templates"
    return Scan(
        root=root,
        site=site,
        articles=tuple(_articles(root, report)),
        checks=tuple(_checks(root, report)),
        templates=templates if templates.is_dir() and not templates.is_symlink() else None,
        diagnostics=tuple(report.items),
    )


def read_bytes(file: SourceFile) -> bytes:
    """The file's bytes, if it is still a plain file; never follows a link or waits on a FIFO."""
    try:
        descriptor = os.open(file.full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise Unreadable(_why(exc)) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise Unreadable("it is not a plain file")
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read()
    except OSError as exc:
        raise Unreadable(_why(exc)) from None
    finally:
        os.close(descriptor)


def _why(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)


def digest(data: bytes) -> str:
    """A content hash: equal for equal bytes, so the memo can tell what changed."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(path: str, data: bytes, report: Report) -> str | None:
    """Decode a file as UTF-8; report the first bad byte's place when it is not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        report.error(
            path,
            line,
            col,
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file with UTF-8 encoding",
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_text(root: Path, relative_path: str, report: Report) -> str | None:
    """A source file's text by its path, or None (reported) when it cannot be read."""
    entry = _entry(root, relative_path, report)
    if entry is None:
        return None
    try:
        data = read_bytes(SourceFile("", "", relative_path, entry.full, entry.stamp))
    except Unreadable as exc:
        report.error(relative_path, 1, 1, f"cannot read the file: {exc}")
        return None
    return decode(relative_path, data, report)


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
            report.error(
                path,
                number,
                col,
                "tab character in indentation",
                "YAML is indented with spaces only",
            )
            found = True
    return found


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "put text that contains ': ' in quotes"
    if "expected a single document" in problem:
        return "a file holds one YAML document: remove the extra '---'"
    return ""


def split_front_matter(path: str, text: str, report: Report) -> FrontMatter:
    """Separate the `---` fenced YAML front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FRONT_MATTER_FENCE:
        report.error(
            path,
            1,
            1,
            "missing front matter",
            "start the file with a '---' line, the title and published date, "
            "then another '---' line",
        )
        return FrontMatter(YamlFile(path, None, False), text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FRONT_MATTER_FENCE:
            # Keep the opening line as an empty line so YAML marks match the file's lines.
            front_text = "\n" + "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return FrontMatter(parse_yaml(path, front_text, report), body, index + 2)
    report.error(path, 1, 1, "front matter is not closed", "add a '---' line after it")
    return FrontMatter(YamlFile(path, None, False), "", len(lines))


# --- the folder layout -------------------------------------------------------------------


class _Entry(NamedTuple):
    """A file or folder found under the source folder."""

    rel: str
    full: str
    name: str
    stem: str
    suffix: str
    is_dir: bool
    stamp: Stamp


def _entry(root: Path, rel: str, report: Report) -> _Entry | None:
    """The entry at `rel` if it is a plain file or folder; anything else is reported."""
    full = f"{root}/{rel}"
    try:
        status = os.lstat(full)
    except OSError as exc:
        report.error(rel, 1, 1, f"cannot read it: {_why(exc)}")
        return None
    name = rel.rpartition("/")[2]
    if stat.S_ISLNK(status.st_mode):
        report.error(
            rel,
            1,
            1,
            "is a symbolic link; sources are read only from plain files",
            "replace the link with a copy of the file",
        )
        return None
    is_dir = stat.S_ISDIR(status.st_mode)
    if not is_dir and not stat.S_ISREG(status.st_mode):
        report.error(
            rel,
            1,
            1,
            "is not a plain file (a FIFO, socket or device)",
            "remove it from the source folder",
        )
        return None
    stem, suffix = _split_suffix(name)
    stamp = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    return _Entry(rel, full, name, stem, suffix, is_dir, stamp)


def _listing(root: Path, rel: str, report: Report) -> list[_Entry]:
    """Entries of a folder in a stable order, without README.md and the files editors leave.

    Those are dot-files (`.DS_Store`, vim's `.x.md.swp`) and Emacs' backups (`x.md~`)
    and autosaves (`#x.md#`): the same names Jekyll skips.
    """
    try:
        names = sorted(os.listdir(f"{root}/{rel}"))
    except OSError as exc:
        report.error(rel, 1, 1, f"cannot read the folder: {_why(exc)}")
        return []
    found = (_entry(root, f"{rel}/{name}", report) for name in names if not _is_ignored(name))
    return [entry for entry in found if entry is not None]


def _split_suffix(name: str) -> tuple[str, str]:
    """('x', '.yaml') for 'x.yaml', as os.path.splitext but without its generality."""
    stem, dot, suffix = name.rpartition(".")
    return (stem, dot + suffix) if stem else (name, "")


def _is_ignored(name: str) -> bool:
    return name.startswith((".", "#")) or name.endswith("~") or name == "README.md"


def _folder(root: Path, rel: str, report: Report) -> bool:
    """Whether the source folder has this sub-folder (a link to one is reported)."""
    if not os.path.lexists(f"{root}/{rel}"):
        return False
    entry = _entry(root, rel, report)
    if entry is not None and not entry.is_dir:
        report.error(
            rel,
            1,
            1,
            f"{rel} is a file, not a folder",
            f"{rel}/ holds the {'articles' if rel == 'content' else 'checks'}",
        )
        return False
    return entry is not None


def _articles(root: Path, report: Report) -> list[SourceFile]:
    if not _folder(root, "content", report):
        return []
    return [
        SourceFile("article", e.stem, e.rel, e.full, e.stamp)
        for e in _listing(root, "content", report)
        if _is_source_name(e, ".md", "article", "<slug>.md", report)
    ]


def _checks(root: Path, report: Report) -> list[SourceFile]:
    if not _folder(root, "checks", report):
        return []
    seen: dict[str, str] = {}
    found = []
    for entry in _walk(root, "checks", report):
        if not _is_source_name(entry, ".yaml", "check", "<id>.yaml", report):
            continue
        if entry.stem in seen:
            report.error(
                entry.rel,
                1,
                1,
                f"duplicate claim id '{entry.stem}'",
                f"also {seen[entry.stem]}; ids are unique across all folders",
            )
            continue
        seen[entry.stem] = entry.rel
        found.append(SourceFile("check", entry.stem, entry.rel, entry.full, entry.stamp))
    return found


def _walk(root: Path, rel: str, report: Report) -> list[_Entry]:
    """Files under a folder, sub-folders included, in a stable order."""
    files = []
    for entry in _listing(root, rel, report):
        if entry.is_dir and entry.suffix != ".yaml":
            files.extend(_walk(root, entry.rel, report))
        else:
            files.append(entry)
    return files


def _is_source_name(entry: _Entry, suffix: str, kind: str, form: str, report: Report) -> bool:
    """Report any file whose name is not `<id><suffix>` with a valid id."""
    folder = entry.rel.rsplit("/", 2)[-2]
    if entry.is_dir:
        report.error(
            entry.rel, 1, 1, f"unexpected folder in {folder}/", f"{kind}s are files named {form}"
        )
        return False
    if entry.suffix != suffix:
        hint = (
            f"rename it to {entry.stem}{suffix}"
            if entry.suffix in {".yml", ".markdown"}
            else f"{folder}/ holds only {kind}s named {form}"
        )
        report.error(entry.rel, 1, 1, f"unexpected file '{entry.name}'", hint)
        return False
    if not ID_PATTERN.fullmatch(entry.stem):
        report.error(
            entry.rel,
            1,
            1,
            f"'{entry.stem}' is not a valid {kind} name",
            f"use lowercase letters, digits and single hyphens, e.g. '{suggest_id(entry.stem)}'",
        )
        return False
    return True


def suggest_id(text: str) -> str:
    """The valid id closest to some text: lowercase, runs of other characters as '-'."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "claim"
