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
BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SHIPPED_LOCALES = Path(__file__).resolve().parent / "locales"
"""The generator's own message catalogues, `<lang>.po`."""
SHIPPED_FACT = "i18n:shipped"
"""The fact of which languages the generator has catalogues for."""
CONTENT, CHECKS = "content", "checks"
SOURCE_FOLDERS = (CONTENT, CHECKS)
LOCALES = "locales"
"""A site's own message catalogues, `locales/<lang>.po`."""
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
TEMPLATES = "templates"
TEMPLATE_SUFFIXES = frozenset({"", ".html", ".xml", ".txt", ".css", ".js", ".json", ".svg"})
"""Files of templates/ (outside assets/) that are read as text, so must be UTF-8."""
OWN_ASSETS = f"{TEMPLATES}/assets"
FOLDER_HOLDS = {
    "content": "the articles",
    "checks": "the checks",
    TEMPLATES: "your own templates and assets",
    LOCALES: "the site's own message catalogues",
    OWN_ASSETS: "the files pages load: stylesheets, scripts, images",
}
CURLY_QUOTES = {"“": "”", "\u2018": "\u2019", "„": "“", "«": "»", "”": "”", "»": "«"}
"""Typographic opening quotes and their closing ones: text to YAML, never quotes."""
UNFIT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
"""What no page or feed may carry: control characters but tab and newline (XML forbids
them, HTML forbids them as text), C1 controls, surrogates and the noncharacters of the
first plane (those of the others are valid XML, and would slow this search fivefold)."""


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
    """'article', 'check', 'site' or 'locale'."""
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
    locales: tuple[SourceFile, ...] = ()
    """The site's own catalogues; `name` is the language tag as the file names it."""


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
    if os.path.lexists(root / SITE_FILE):
        entry = _site_entry(root, report)
        if entry is not None:
            site = SourceFile("site", "site", SITE_FILE, entry.full, entry.stamp)
    return Scan(
        root=root,
        site=site,
        articles=tuple(_articles(root, report)),
        checks=tuple(_checks(root, report)),
        templates=_templates(root, report),
        locales=tuple(_locales(root, report)),
        diagnostics=tuple(report.items),
    )


def _site_entry(root: Path, report: Report) -> _Entry | None:
    entry = _entry(root, SITE_FILE, report)
    if entry is not None and entry.is_dir:
        report.error(
            SITE_FILE,
            1,
            1,
            "site.yaml is a folder, not a file",
            "site.yaml holds the site's settings: rename or remove the folder",
        )
        return None
    return entry


def template_folders(source_templates: Path | None) -> list[Path]:
    """Where templates are looked up: the source folder's own first, then the built-in."""
    found = [p.resolve() for p in (source_templates, BUILTIN_TEMPLATES) if p is not None]
    return list(dict.fromkeys(found))


def template_files(source_templates: Path | None) -> dict[str, Path]:
    """Every template and asset a build can use, by name, as the loader resolves it."""
    found: dict[str, Path] = {}
    for folder in reversed(template_folders(source_templates)):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(folder).as_posix()] = path
    return found


def normal_tag(tag: str) -> str:
    """A language tag as catalogues are named: `pt_BR` and `pt-br` are `pt-BR`."""
    parts = tag.replace("_", "-").split("-")
    return "-".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


def shipped() -> tuple[str, ...]:
    """The languages the generator has a catalogue for."""
    return tuple(sorted(normal_tag(p.stem) for p in SHIPPED_LOCALES.glob("*.po")))


def shipped_path(name: str) -> Path:
    return SHIPPED_LOCALES / f"{name}.po"


def fact_key(name: str) -> str:
    """The fact under which the build knows a shipped catalogue's digest."""
    return f"i18n:{name}.po"


def shipped_facts() -> dict[str, str]:
    """Every shipped catalogue's digest, by fact key (an edit re-renders its language's
    pages), and which there are. Kept here, not with the translating (`i18n`), so that a
    build with nothing to do never loads Babel and Jinja."""
    names = shipped()
    found = {fact_key(name): digest(shipped_path(name).read_bytes()) for name in names}
    found[SHIPPED_FACT] = digest(" ".join(names).encode("utf-8"))
    return found


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


def first_unfit(text: str) -> int | None:
    """Where the first character no page or feed can carry is, if there is one."""
    found = UNFIT.search(text)
    return found.start() if found else None


def describe_character(char: str) -> str:
    """'the control character U+001B', as messages name a character that is not text."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "control character"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "lone surrogate"
    else:
        kind = "noncharacter"
    return f"the {kind} U+{code:04X}"


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
    entry = (
        _site_entry(root, report)
        if relative_path == SITE_FILE
        else _entry(root, relative_path, report)
    )
    if entry is None:
        return None
    try:
        data = read_bytes(SourceFile("", "", relative_path, entry.full, entry.stamp))
    except Unreadable as exc:
        report.error(relative_path, 1, 1, f"cannot read the file: {exc}")
        return None
    return decode(relative_path, data, report)


def parse_yaml(path: str, text: str, report: Report) -> YamlFile:
    """Compose YAML text into a node tree; syntax problems and tabs become errors, in
    words that say what to write instead of YAML's own."""
    if _report_tab_indents(path, text, report):
        return YamlFile(path, None, parsed=False)
    if "\x85" in text and report_unfit(path, text, report):  # a line break to YAML 1.1
        return YamlFile(path, None, parsed=False)
    try:
        node = yaml.compose(text, Loader=_NodeLoader)
    except yaml.MarkedYAMLError as exc:
        line, col, message, hint = _yaml_problem(exc, text.split("\n"))
        report.error(path, line, col, message, hint)
        return YamlFile(path, None, parsed=False)
    except yaml.YAMLError:  # a reader error: a character YAML does not accept
        if not report_unfit(path, text, report):
            report.error(path, 1, 1, "invalid YAML: the file holds a character YAML refuses")
        return YamlFile(path, None, parsed=False)
    return YamlFile(path, node, parsed=True)


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character of `text`."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def report_unfit(path: str, text: str, report: Report) -> bool:
    """A control character typed (or pasted) into the file: YAML would refuse it anyway."""
    index = first_unfit(text)
    if index is None:
        return False
    line, col = _line_col(text, index)
    report.error(path, line, col, f"{describe_character(text[index])} is not allowed", "remove it")
    return True


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


_QUOTE_IT = 'put the whole text in quotes: "..."'
_YAML_PROBLEMS = (  # (words in YAML's problem, mark to report at, message, hint)
    (
        "mapping values are not allowed",
        "problem",
        "': ' in this text makes YAML read a key",
        "put text that contains ': ' in quotes, or start keys of one level in the same column",
    ),
    (
        "expected '-' indicator",
        "problem",
        "this line does not continue the list above it",
        "start each entry with '- ' in the same column, and indent an entry's other keys "
        "under its first",
    ),
    (
        "could not find expected ':'",
        "context",
        "this line is neither 'key: value' nor part of the text above",
        "write 'key: value'; to continue a text on the next line, indent it under its key",
    ),
    (
        "did not find expected key",
        "problem",
        "this line is not indented like the keys above it",
        "start keys of one level in the same column, and indent what belongs to a key under it",
    ),
    (
        "cannot start any token",
        "problem",
        "YAML cannot read text that starts with {char}",
        _QUOTE_IT,
    ),
    ("undefined alias", "problem", "text starting with '*' is read as a YAML alias", _QUOTE_IT),
    (
        "alphabetic or numeric character",
        "context",
        "text starting with {char} is read as a YAML anchor or alias",
        _QUOTE_IT,
    ),
    (
        "block sequence entries are not allowed",
        "problem",
        "a list cannot start on its key's line",
        "start '- ' on the next line, indented; put text starting with '- ' in quotes",
    ),
    (
        "expected ',' or ']'",
        "context",
        "text starting with '[' is read as a YAML list, and the list is not closed",
        _QUOTE_IT,
    ),
    (
        "expected ',' or '}'",
        "context",
        "text starting with '{' is read as a YAML mapping, and it is not closed",
        _QUOTE_IT,
    ),
    (
        "escape",
        "problem",
        "a backslash in double-quoted text starts an escape, and this one is not valid",
        "write \\\\ for a backslash, or put the text in single quotes",
    ),
    (
        "hexdecimal number",
        "problem",
        "a backslash in double-quoted text starts an escape, and this one is not valid",
        "write \\\\ for a backslash, or put the text in single quotes",
    ),
    (
        "another document",
        "problem",
        "a second '---' line starts another YAML document",
        "a file holds one document: remove the extra '---'",
    ),
    (
        "expected comment or line break",
        "problem",
        "'|' or '>' must end its line",
        "start the text on the next line, indented under its key",
    ),
    (
        "duplicate anchor",
        "problem",
        "'&' starts a YAML anchor, and this anchor's name is given twice",
        _QUOTE_IT,
    ),
    (
        "incompatible YAML document",
        "problem",
        "the file asks for a YAML version this build cannot read",
        "remove the '%YAML' line at its top",
    ),
    (
        "unknown directive",
        "context",
        "a line starting with '%' is read as a YAML directive",
        "remove the line, or put the text in quotes",
    ),
    (
        "maximum nesting depth",
        "problem",
        "lists and mappings nest too deeply here",
        "no file of the site needs more than a few levels",
    ),
    (
        "tab character",
        "problem",
        "tab character in indentation",
        "YAML is indented with spaces only",
    ),
)


def _yaml_problem(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int, str, str]:
    """(line, column, message, hint) for a YAML syntax error, in an editor's words."""
    problem, context = exc.problem or "", exc.context or ""
    if "end of stream" in problem and "quoted scalar" in context and exc.context_mark:
        return _unclosed_quote(exc.context_mark, lines)
    for words, where, message, hint in _YAML_PROBLEMS:
        if words in f"{problem} {context}":
            mark = (exc.context_mark if where == "context" else None) or exc.problem_mark
            line, col = (mark.line, mark.column) if mark else (0, 0)
            text = lines[line] if line < len(lines) else ""
            char = repr(text[col]) if col < len(text) else "this"
            if any(q in text for q in CURLY_QUOTES):
                hint = '“curly quotes” do not quote YAML text: use straight quotes "..."'
            elif words == "did not find expected key":
                message, hint, col = _after_closing(text, col, message, hint)
            elif "escape" in message:
                col = max(0, text.rfind("\\", 0, col + 1))  # at the backslash
            return line + 1, col + 1, message.replace("{char}", char), hint
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return line, col, f"invalid YAML: {problem or context or 'not readable'}", ""


def _after_closing(text: str, col: int, message: str, hint: str) -> tuple[str, str, int]:
    """Text after a closing quote or bracket, where YAML expected the next key."""
    last = text[:col].rstrip()[-1:]
    if last in ('"', "'"):
        return "text follows the closing quote", "put all the text inside the quotes", col
    if last in ("]", "}"):
        value = text.find(": ") + 2 if ": " in text else 0
        return (
            f"text starting with {text[value]!r} is read as a YAML list or mapping",
            _QUOTE_IT,
            value,
        )
    return message, hint, col


def _unclosed_quote(mark: Any, lines: list[str]) -> tuple[int, int, str, str]:
    text = lines[mark.line] if mark.line < len(lines) else ""
    quote = text[mark.column] if mark.column < len(text) else '"'
    inside = '\\"' if quote == '"' else "''"
    return (
        mark.line + 1,
        mark.column + 1,
        f"the text quoted with {quote} here is never closed",
        f"end it with {quote}; to write {quote} inside it, write {inside}",
    )


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
    return _Entry(rel, full, name, *_split_suffix(name), is_dir, _stamp(status))


def _stamp(status: os.stat_result) -> Stamp:
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


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
    found = []
    for name in names:  # a plain file, as nearly all are, without `_entry`'s questions
        if _is_ignored(name):
            continue
        full = f"{root}/{rel}/{name}"
        try:
            status = os.lstat(full)
        except OSError:
            status = None
        if status is not None and stat.S_ISREG(status.st_mode):
            stem, suffix = _split_suffix(name)
            found.append(_Entry(f"{rel}/{name}", full, name, stem, suffix, False, _stamp(status)))
        elif (entry := _entry(root, f"{rel}/{name}", report)) is not None:
            found.append(entry)
    return found


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
            rel, 1, 1, f"{rel} is a file, not a folder", f"{rel}/ holds {FOLDER_HOLDS[rel]}"
        )
        return False
    return entry is not None


def _templates(root: Path, report: Report) -> Path | None:
    """The source folder's own templates/, when every file in it can be read safely.

    Jinja's loader would follow a link out of the folder and wait on a FIFO, so every
    entry is checked here, dot-files too, and templates are decoded once; with any problem
    none is used (its errors stop the build before anything renders).
    """
    if not _folder(root, TEMPLATES, report):
        return None
    problems = len(report.items)
    for entry in _every_file(root, TEMPLATES, report):
        is_asset = entry.rel.startswith(f"{OWN_ASSETS}/")
        if is_asset or entry.suffix not in TEMPLATE_SUFFIXES:
            _open_and_close(entry, report)
            continue
        try:
            data = read_bytes(SourceFile("", "", entry.rel, entry.full, entry.stamp))
        except Unreadable as exc:
            report.error(entry.rel, 1, 1, f"cannot read the file: {exc}")
            continue
        text = decode(entry.rel, data, report)
        if text is not None:
            report_unfit(entry.rel, text, report)
    return root / TEMPLATES if len(report.items) == problems else None


def _every_file(root: Path, rel: str, report: Report) -> list[_Entry]:
    """Every plain file under templates/, ignored names too; anything else is reported,
    as is a folder named like a template (the loader would silently skip it)."""
    try:
        names = sorted(os.listdir(f"{root}/{rel}"))
    except OSError as exc:
        report.error(rel, 1, 1, f"cannot read the folder: {_why(exc)}")
        return []
    files = []
    for name in names:
        entry = _entry(root, f"{rel}/{name}", report)
        if entry is None:
            continue
        if entry.rel == OWN_ASSETS and not entry.is_dir:
            hint = f"{OWN_ASSETS}/ holds {FOLDER_HOLDS[OWN_ASSETS]}"
            report.error(entry.rel, 1, 1, f"{OWN_ASSETS} is a file, not a folder", hint)
        elif not entry.is_dir:
            files.append(entry)
        elif entry.suffix and entry.suffix in TEMPLATE_SUFFIXES:  # it would be skipped
            report.error(entry.rel, 1, 1, f"'{name}' is a folder, not a template", "rename it")
        else:
            files.extend(_every_file(root, entry.rel, report))
    return files


def _open_and_close(entry: _Entry, report: Report) -> None:
    """Report a file the build could not read when it copies it."""
    try:
        os.close(os.open(entry.full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK))
    except OSError as exc:
        report.error(entry.rel, 1, 1, f"cannot read the file: {_why(exc)}")


def _articles(root: Path, report: Report) -> list[SourceFile]:
    if not _folder(root, "content", report):
        return []
    return [
        SourceFile("article", e.stem, e.rel, e.full, e.stamp)
        for e in _listing(root, "content", report)
        if _is_source_name(e, ".md", "article", "<slug>.md", report)
    ]


def _locales(root: Path, report: Report) -> list[SourceFile]:
    """The site's catalogues: plain files named `<language tag>.po`, read as sources are."""
    if not _folder(root, LOCALES, report):
        return []
    found = []
    for entry in _listing(root, LOCALES, report):
        if entry.is_dir or entry.suffix != ".po" or not _LANGUAGE_TAG.fullmatch(entry.stem):
            report.error(
                entry.rel,
                1,
                1,
                f"unexpected {'folder' if entry.is_dir else 'file'} '{entry.name}' in {LOCALES}/",
                f"{LOCALES}/ holds only catalogues named <language>.po, such as ur.po or pt-BR.po"
                + (" (the build reads the .po itself)" if entry.suffix == ".mo" else ""),
            )
            continue
        found.append(SourceFile("locale", entry.stem, entry.rel, entry.full, entry.stamp))
    return found


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
    folder = entry.rel.rpartition("/")[0]  # checks/2024 for a file in a sub-folder
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
