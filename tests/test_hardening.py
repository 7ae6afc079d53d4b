"""Hostile and broken inputs: each gives exact one-line errors (or safe output), never a
traceback or a hang, and a failed build leaves the previous output untouched.

Sources that are not plain files, content that could break the build or the page, and
messages that must point at the right place and say what to write instead. Cases that
could hang (FIFOs), need root's powers dropped (unreadable files) or a resource limit
(a full disk) run the command line in a subprocess with a generous timeout.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ARTICLE, CHECK, require, write_tree
from factcheck import markup
from factcheck.errors import (
    Diagnostic,
    Report,
    did_you_mean,
    excerpt,
    github_annotation,
    printable,
)

REPO = Path(__file__).resolve().parent.parent
CHECK_PATH = "checks/river-length.yaml"
ARTICLE_PATH = "content/demo.md"
LINKED = (
    "is a symbolic link; sources are read only from plain files "
    "(replace the link with a copy of the file)"
)
ANALYSIS = "analysis: The survey measured the river from its source to the sea [1].\n"
ESCAPES = "(remove it; in double quotes, \\x, \\u, \\0 and \\e escapes make such characters)"
NOT_PLAIN = "is not a plain file (a FIFO, socket or device) (remove it from the source folder)"


def check_with(old: str, new: str) -> str:
    assert old in CHECK
    return CHECK.replace(old, new)


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a folder with its bytes and modification time."""
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def site(make_site, run, tmp_path):
    """A valid site built once into `out`; `site.reject(...)` builds it again after a
    change and checks that the build fails, prints no traceback and leaves `out` as it was."""

    class Site:
        src = make_site()
        out = tmp_path / "out"

        def __init__(self) -> None:
            assert run("build", "--src", self.src, "--out", self.out)[0] == 0
            self.before = snapshot(self.out)

        def reject(self, *args: str) -> list[str]:
            """The error lines of a failed build (or of the command given)."""
            command = args or ("build", "--src", self.src, "--out", self.out)
            status, out, err = run(*command)
            assert status == 1, err
            assert "Traceback" not in out + "\n".join(err)
            assert snapshot(self.out) == self.before
            errors = sum(": error: " in line for line in err)
            assert err[-1].startswith(f"{errors} error{'s' * (errors != 1)}")
            assert err[-1].endswith(f" in {self.src}; nothing was written")
            return [line for line in err if ": error: " in line]

        def change(self, files: dict[str, str | bytes | None]) -> Site:
            write_tree(self.src, files)
            return self

    return Site()


def cli(*args: object, prefix: tuple[str, ...] = (), timeout: float = 120):
    """build.py in a subprocess, so a hang is a failed test rather than a stuck one."""
    return subprocess.run(
        [*prefix, sys.executable, str(REPO / "build.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def unprivileged() -> tuple[str, ...]:
    """A command prefix that drops root's power to read any file, so permissions apply."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    require(setpriv is not None, "setpriv (util-linux) is needed to test unreadable files as root")
    caps = "-dac_override,-dac_read_search"
    return (str(setpriv), f"--inh-caps={caps}", f"--bounding-set={caps}")


# --- sources that are not plain files inside the source folder -------------------------


def _link(target: str, name: str):
    def make(src: Path) -> None:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, src / name)

    return make


def _outside(src: Path) -> str:
    """A valid article and check outside the source folder; returns their folder."""
    outside = src.parent / "outside"
    write_tree(outside, {"secret.md": ARTICLE.replace("Checking", "Secret"), "c/x.yaml": CHECK})
    return str(outside)


LINKS = {
    "check linked to a system file": (
        _link("/etc/passwd", "checks/leak.yaml"),
        [f"checks/leak.yaml:1:1: error: {LINKED}"],
    ),
    "article linked outside the folder": (
        lambda src: os.symlink(f"{_outside(src)}/secret.md", src / "content/secret.md"),
        [f"content/secret.md:1:1: error: {LINKED}"],
    ),
    "article linked inside the folder": (
        _link("demo.md", "content/again.md"),
        [f"content/again.md:1:1: error: {LINKED}"],
    ),
    "checks folder is a link": (
        lambda src: (
            shutil.rmtree(src / "checks"),
            os.symlink(f"{_outside(src)}/c", src / "checks"),
        ),
        [
            f"checks:1:1: error: {LINKED}",
        ],
    ),
    "sub-folder of checks is a link": (
        lambda src: os.symlink(f"{_outside(src)}/c", src / "checks/more"),
        [f"checks/more:1:1: error: {LINKED}"],
    ),
    "site.yaml is a link": (
        _link("/etc/passwd", "site.yaml"),
        [f"site.yaml:1:1: error: {LINKED}"],
    ),
    "a template is a link": (
        _link("/etc/passwd", "templates/404.html"),
        [f"templates/404.html:1:1: error: {LINKED}"],
    ),
    "a template's dot-file is a link": (
        _link("/etc/passwd", "templates/.secret.html"),
        [f"templates/.secret.html:1:1: error: {LINKED}"],
    ),
    "an asset is a link": (
        _link("/etc/passwd", "templates/assets/style.css"),
        [f"templates/assets/style.css:1:1: error: {LINKED}"],
    ),
    "templates folder is a link": (
        lambda src: os.symlink(_outside(src), src / "templates"),
        [f"templates:1:1: error: {LINKED}"],
    ),
    "link deep in sub-folders of checks": (
        _link("/etc/passwd", "checks/2024/march/leak.yaml"),
        [f"checks/2024/march/leak.yaml:1:1: error: {LINKED}"],
    ),
    "a catalogue is a link": (
        _link("/etc/passwd", "locales/ur.po"),
        [f"locales/ur.po:1:1: error: {LINKED}"],
    ),
    "locales folder is a link": (
        _link("/etc", "locales"),
        [f"locales:1:1: error: {LINKED}"],
    ),
    "dangling site.yaml": (
        _link("/no/such/site.yaml", "site.yaml"),
        [f"site.yaml:1:1: error: {LINKED}"],
    ),
    "dangling link": (
        _link("/no/such/file.yaml", "checks/gone.yaml"),
        [f"checks/gone.yaml:1:1: error: {LINKED}"],
    ),
    "link loop": (
        _link("loop.yaml", "checks/loop.yaml"),
        [f"checks/loop.yaml:1:1: error: {LINKED}"],
    ),
}


@pytest.mark.parametrize("setup, expected", LINKS.values(), ids=LINKS.keys())
def test_links_are_never_followed(site, setup, expected):
    setup(site.src)
    errors = site.reject()
    assert errors == expected
    published = b"".join(data for data, _ in snapshot(site.out).values())
    assert b"root:x:0:0" not in published and b"Secret" not in published


def test_a_linked_secret_is_never_printed_not_even_for_ci(site, run, monkeypatch):
    os.symlink("/etc/passwd", site.src / "checks/leak.yaml")
    monkeypatch.chdir(site.src)
    for command in (("check",), ("check", "--format", "github"), ("build", "--out", site.out)):
        status, out, err = run(*command, "--src", site.src)
        assert status == 1
        assert "root:x:0:0" not in out + "\n".join(err)
    assert run("check", "--format", "github", "--src", site.src)[1] == (
        f"::error file=checks/leak.yaml,line=1,col=1::{LINKED}\n"
    )
    assert snapshot(site.out) == site.before


def test_links_with_names_the_build_ignores_are_not_read(site, run):
    os.symlink("/etc/passwd", site.src / "content/.notes.md")
    os.symlink("/etc/passwd", site.src / "checks/river-length.yaml~")
    status, _, err = run("build", "--src", site.src, "--out", site.out)
    assert (status, err) == (0, [])
    assert b"root:x:0:0" not in b"".join(data for data, _ in snapshot(site.out).values())


ODD_ENTRIES = {
    "folder named like a check": (
        lambda src: (src / "checks/x.yaml").mkdir(),
        [
            "checks/x.yaml:1:1: error: unexpected folder in checks/ "
            "(checks are files named <id>.yaml)"
        ],
    ),
    "folder named like an article": (
        lambda src: (src / "content/x.md").mkdir(),
        [
            "content/x.md:1:1: error: unexpected folder in content/ "
            "(articles are files named <slug>.md)"
        ],
    ),
    "folder named like a check in a sub-folder": (
        lambda src: (src / "checks/2024/x.yaml").mkdir(parents=True),
        [
            "checks/2024/x.yaml:1:1: error: unexpected folder in checks/2024/ "
            "(checks are files named <id>.yaml)"
        ],
    ),
    "a folder in content": (
        lambda src: (src / "content/drafts").mkdir(),
        [
            "content/drafts:1:1: error: unexpected folder in content/ "
            "(articles are files named <slug>.md)"
        ],
    ),
    "a catalogue is a folder": (
        lambda src: (src / "locales/ur.po").mkdir(parents=True),
        [
            "locales/ur.po:1:1: error: unexpected folder 'ur.po' in locales/ (locales/ holds "
            "only catalogues named <language>.po, such as ur.po or pt-BR.po)"
        ],
    ),
    "locales is a file": (
        lambda src: (src / "locales").write_text("ur"),
        [
            "locales:1:1: error: locales is a file, not a folder "
            "(locales/ holds the site's own message catalogues)"
        ],
    ),
    "templates/assets is a file": (
        lambda src: write_tree(src, {"templates/assets": "body { color: red }\n"}),
        [
            "templates/assets:1:1: error: templates/assets is a file, not a folder "
            "(templates/assets/ holds the files pages load: stylesheets, scripts, images)"
        ],
    ),
    "site.yaml is a folder": (
        lambda src: (src / "site.yaml").mkdir(),
        [
            "site.yaml:1:1: error: site.yaml is a folder, not a file "
            "(site.yaml holds the site's settings: rename or remove the folder)"
        ],
    ),
    "templates is a file": (
        lambda src: (src / "templates").write_text("x"),
        [
            "templates:1:1: error: templates is a file, not a folder "
            "(templates/ holds your own templates and assets)"
        ],
    ),
    "a folder named like a template": (
        lambda src: (src / "templates/404.html").mkdir(parents=True),
        ["templates/404.html:1:1: error: '404.html' is a folder, not a template (rename it)"],
    ),
    "a control character in a template": (
        lambda src: write_tree(src, {"templates/404.html": "<p>\x00</p>\n"}),
        ["templates/404.html:1:4: error: the control character U+0000 is not allowed (remove it)"],
    ),
    "a template is not UTF-8": (
        lambda src: write_tree(src, {"templates/404.html": b"<p>\n  caf\xe9</p>\n"}),
        [
            "templates/404.html:2:6: error: file is not valid UTF-8 (byte 0xe9) "
            "(save the file with UTF-8 encoding)"
        ],
    ),
}


@pytest.mark.parametrize("setup, expected", ODD_ENTRIES.values(), ids=ODD_ENTRIES.keys())
def test_entries_that_are_not_sources_are_one_error_each(site, setup, expected):
    setup(site.src)
    assert site.reject() == expected


def _fifo(name: str):
    def make(src: Path) -> None:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(src / name)

    return make


def _socket(name: str):
    def make(src: Path) -> None:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        with socket.socket(socket.AF_UNIX) as listening:
            listening.bind(str(src / name))  # the socket file stays when it is closed

    return make


def _unreadable(name: str, content: str | None = "x: y\n"):
    def make(src: Path) -> None:
        path = src / name
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            write_tree(src, {name: content})
        path.chmod(0)

    return make


BLOCKING = {  # each would hang or fail a build that opened it blindly
    "FIFO as a check": (_fifo("checks/pipe.yaml"), [f"checks/pipe.yaml:1:1: error: {NOT_PLAIN}"]),
    "FIFO as site.yaml": (_fifo("site.yaml"), [f"site.yaml:1:1: error: {NOT_PLAIN}"]),
    "FIFO as a template": (
        _fifo("templates/404.html"),
        [f"templates/404.html:1:1: error: {NOT_PLAIN}"],
    ),
    "FIFO as an asset": (
        _fifo("templates/assets/style.css"),
        [f"templates/assets/style.css:1:1: error: {NOT_PLAIN}"],
    ),
    "FIFO as an article": (_fifo("content/pipe.md"), [f"content/pipe.md:1:1: error: {NOT_PLAIN}"]),
    "FIFO as a catalogue": (_fifo("locales/ur.po"), [f"locales/ur.po:1:1: error: {NOT_PLAIN}"]),
    "FIFO in a sub-folder of checks": (
        _fifo("checks/2024/pipe.yaml"),
        [f"checks/2024/pipe.yaml:1:1: error: {NOT_PLAIN}"],
    ),
    "socket as a check": (_socket("checks/s.yaml"), [f"checks/s.yaml:1:1: error: {NOT_PLAIN}"]),
    "unreadable check": (
        _unreadable(CHECK_PATH, CHECK),
        [f"{CHECK_PATH}:1:1: error: cannot read the file: permission denied"],
    ),
    "unreadable article": (
        _unreadable(ARTICLE_PATH, ARTICLE),
        [f"{ARTICLE_PATH}:1:1: error: cannot read the file: permission denied"],
    ),
    "unreadable site.yaml": (
        _unreadable("site.yaml", "title: Desk\n"),
        ["site.yaml:1:1: error: cannot read the file: permission denied"],
    ),
    "unreadable sub-folder of checks": (
        _unreadable("checks/2024", None),
        ["checks/2024:1:1: error: cannot read the folder: permission denied"],
    ),
    "unreadable template": (
        _unreadable("templates/404.html", "<p>x</p>"),
        ["templates/404.html:1:1: error: cannot read the file: permission denied"],
    ),
    "unreadable asset": (
        _unreadable("templates/assets/logo.png", "png"),
        ["templates/assets/logo.png:1:1: error: cannot read the file: permission denied"],
    ),
    "unreadable folder of templates": (
        _unreadable("templates/assets", None),
        ["templates/assets:1:1: error: cannot read the folder: permission denied"],
    ),
    "unreadable templates folder": (
        _unreadable("templates", None),
        ["templates:1:1: error: cannot read the folder: permission denied"],
    ),
    "unreadable catalogue": (
        _unreadable("locales/ur.po", 'msgid ""\nmsgstr ""\n'),
        ["locales/ur.po:1:1: error: cannot read the file: permission denied"],
    ),
    "unreadable locales folder": (
        _unreadable("locales", None),
        ["locales:1:1: error: cannot read the folder: permission denied"],
    ),
}


@pytest.mark.parametrize("setup, expected", BLOCKING.values(), ids=BLOCKING.keys())
def test_fifos_and_unreadable_files_are_one_error_and_never_hang(site, setup, expected):
    setup(site.src)
    result = cli("build", "--src", site.src, "--out", site.out, prefix=unprivileged())
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [*expected, f"1 error in {site.src}; nothing was written"]
    assert snapshot(site.out) == site.before


UNREAD_FOLDERS = {  # one error each: what else is marked, or exists, is not known
    "content": ["content:1:1: error: cannot read the folder: permission denied"],
    "checks": ["checks:1:1: error: cannot read the folder: permission denied"],
}


@pytest.mark.parametrize("folder", UNREAD_FOLDERS)
def test_an_unreadable_source_folder_is_named(site, folder):
    _unreadable(folder, None)(site.src)
    result = cli("build", "--src", site.src, "--out", site.out, prefix=unprivileged())
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        *UNREAD_FOLDERS[folder],
        f"1 error in {site.src}; nothing was written",
    ]
    assert snapshot(site.out) == site.before


# --- --src must be a source folder ---------------------------------------------------


def test_src_that_is_not_a_source_folder_is_bad_usage_with_a_hint(make_site, run, tmp_path):
    src, out = make_site(), tmp_path / "out"
    assert run("build", "--src", src, "--out", out)[0] == 0
    before = snapshot(out)
    for given, message in (
        (
            src / "content",
            f"{src}/content has neither content/ nor checks/ (did you mean --src {src}?)",
        ),
        (
            src / "checks",
            f"{src}/checks has neither content/ nor checks/ (did you mean --src {src}?)",
        ),
        (src.parent, f"{src.parent} has neither content/ nor checks/ (did you mean --src {src}?)"),
        (tmp_path / "nowhere", f"source folder {tmp_path}/nowhere does not exist"),
        (src / CHECK_PATH, f"source folder {src}/{CHECK_PATH} is not a folder"),
    ):
        for command in (("build", "--out", out), ("build",), ("check",)):
            assert run(*command, "--src", given) == (2, "", [f"build.py: error: {message}"])
    assert snapshot(out) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("check", "--src", empty)[2] == [
        f"build.py: error: {empty} has neither content/ nor checks/ "
        "(--src is the folder that holds them)"
    ]
    assert not (src / "content" / "site").exists() and not (tmp_path / "site").exists()


def test_new_may_start_a_source_folder_but_not_inside_content(run, tmp_path):
    fresh = tmp_path / "desk"
    fresh.mkdir()
    assert run("new", "river", "--src", fresh)[0] == 0
    assert (fresh / "checks" / "river.yaml").is_file()
    status, _, err = run("new", "other", "--src", fresh / "checks")
    assert status == 2
    assert err[0].startswith(f"build.py: error: {fresh}/checks has neither content/ nor checks/")


def test_every_summary_line_names_the_source_folder(make_site, run, tmp_path):
    src = make_site()
    status, out, _ = run("check", "--src", src)
    assert status == 0 and out.startswith("checked 1 article(s), 1 claim(s): no errors in ")
    assert f" in {src} (" in out
    status, out, _ = run("build", "--src", src, "--out", tmp_path / "out")
    assert status == 0
    assert out.startswith(f"built 1 article(s), 1 claim(s) from {src} into {tmp_path / 'out'}: ")
    write_tree(src, {CHECK_PATH: CHECK.replace("verdict: false", "verdict: flase")})
    assert run("check", "--src", src)[2][-1] == f"1 error in {src}; nothing was written"


# --- content that must not break the build or the page --------------------------------

DEEP = {  # article body, expected error (the body starts on line 6 of the file)
    "list 400 deep": (
        "".join("    " * depth + "- item\n" for depth in range(400)),
        "content/deep.md:39:1: error: lists and quotes nest more than 32 deep "
        "(indent at most 32 levels, 4 spaces each)",
    ),
    "quote 400 deep": (
        ">" * 400 + " quoted\n",
        "content/deep.md:6:1: error: lists and quotes nest more than 32 deep "
        "(indent at most 32 levels, 4 spaces each)",
    ),
    "thousands of stars": (
        "Intro.\n\n" + "*" * 5000 + "x" + "*" * 5000 + "\n",
        "content/deep.md:8:1: error: emphasis ('*' and '_') nests more than 32 deep "
        "(close each '*' or '_', or write '\\*')",
    ),
    "emphasis opened word after word": (
        "*a " * 1500 + "b" + " c*" * 1500 + "\n",
        "content/deep.md:6:1: error: emphasis ('*' and '_') nests more than 32 deep "
        "(close each '*' or '_', or write '\\*')",
    ),
    "underscores": (
        "_" * 3000 + "x" + "_" * 3000 + "\n",
        "content/deep.md:6:1: error: emphasis ('*' and '_') nests more than 32 deep "
        "(close each '*' or '_', or write '\\*')",
    ),
    "nested brackets": (
        "[" * 20000 + "x" + "]" * 20000 + "\n",
        "content/deep.md:6:1: error: '[' brackets nest more than 32 deep "
        "(close each '[' with ']', or write '\\[')",
    ),
    "brackets never closed": (
        "Text " + "[a " * 30000 + "\n",
        "content/deep.md:6:1: error: '[' brackets nest more than 32 deep "
        "(close each '[' with ']', or write '\\[')",
    ),
    "nested markers": (
        "[a " * 5000 + "x" + "]{claim=river-length}" * 5000 + "\n",
        "content/deep.md:6:1: error: '[' brackets nest more than 32 deep "
        "(close each '[' with ']', or write '\\[')",
    ),
    # Not nesting, but as slow: what the converter reads to the end of the paragraph (or
    # of the text) once for each one, so that 20,000 of them took minutes.
    "links never closed": (
        "[a](" * 20000 + "\n",
        "content/deep.md:6:1: error: links opened with '](' nest more than 32 deep "
        "(close each link's '(' with ')')",
    ),
    "thousands of headings in a row": (
        "# x\n" * 20000,
        "content/deep.md:6:1: error: this paragraph holds more than 100 headings and rules "
        "(put a blank line before and after each heading and rule)",
    ),
    "headings and text without blank lines": (
        "Intro.\n\n" + "## x\ntext\n" * 5000,
        "content/deep.md:8:1: error: this paragraph holds more than 100 headings and rules "
        "(put a blank line before and after each heading and rule)",
    ),
    "underlined headings and rules": (
        "x\n===\n***\n" * 5000,
        "content/deep.md:6:1: error: this paragraph holds more than 100 headings and rules "
        "(put a blank line before and after each heading and rule)",
    ),
    "HTML tags never closed": (
        "<a " * 20000 + "\n",
        "content/deep.md:6:1: error: HTML tags are left open here and after it, each without "
        "its closing '>' (end each tag with '>', or write &lt; for a '<' that is text)",
    ),
    "HTML tags never closed, over lines": (
        "Text.\n\nSee <img\n" + '<a href="\n' * 20000,
        "content/deep.md:8:1: error: HTML tags are left open here and after it, each without "
        "its closing '>' (end each tag with '>', or write &lt; for a '<' that is text)",
    ),
    "autolinks never closed": (
        "<https://" * 20000 + "\n",
        "content/deep.md:6:1: error: HTML tags are left open here and after it, each without "
        "its closing '>' (end each tag with '>', or write &lt; for a '<' that is text)",
    ),
}


def test_deep_nesting_is_an_error_with_its_line_in_bounded_time(make_site, tmp_path):
    """Each of these was a RecursionError traceback or minutes of work; the timeout is
    generous (a busy machine), the point is that none hangs."""
    src, out = make_site(), tmp_path / "out"
    assert cli("build", "--src", src, "--out", out).returncode == 0
    before = snapshot(out)
    header = "---\ntitle: Deep\npublished: 2024-03-01\n---\n\n"
    write_tree(
        src,
        {
            **{f"content/deep-{n}.md": header + body for n, (body, _) in enumerate(DEEP.values())},
            CHECK_PATH: check_with(
                ANALYSIS,
                "analysis: |\n  Reasons.\n\n"
                + "".join("  " + "    " * depth + "- why\n" for depth in range(100)),
            ),
            "site.yaml": "about: |\n  We are a desk.\n\n" + "  ## Who\n  ---\n" * 200,
        },
    )
    result = cli("build", "--src", src, "--out", out, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    expected = [
        line.replace("content/deep.md", f"content/deep-{n}.md")
        for n, (_, line) in enumerate(DEEP.values())
    ]
    expected.append(
        f"{CHECK_PATH}:45:1: error: analysis: lists and quotes nest more than 32 deep "
        "(indent at most 32 levels, 4 spaces each)"
    )
    expected.append(
        "site.yaml:4:1: error: about: this paragraph holds more than 100 headings and rules "
        "(put a blank line before and after each heading and rule)"
    )
    assert sorted(result.stderr.splitlines()[:-1]) == sorted(expected)
    assert snapshot(out) == before


def test_nesting_up_to_the_limit_still_renders():
    body = "".join("    " * depth + "- level\n" for depth in range(30)) + "\n" + ">" * 30 + " q\n"
    html, found = markup.BodyConverter().convert(body + "***[[x]]*** " * 3)
    assert markup.too_complex(body) is None and found == []
    assert html.count("<li>") == 30 and html.count("<blockquote>") == 30
    links = "[a](b " * 30 + "c" + ")" * 30 + "\n\n" + "# heading\n---\n" * 50 + "\n"
    tags = "<b>bold</b> " * 5000 + "a<b and c<d " * 30 + "\n"
    assert markup.too_complex(links + tags) is None and markup.too_complex("- x\n" * 1000) is None
    report = Report()
    markup.mark_up(ARTICLE_PATH, links + tags, 6, report)
    assert report.items == []


CONTROL = {
    "\\x01 escape in a check": (
        {CHECK_PATH: CHECK.replace("claimant: The speaker", 'claimant: "The \\x01 speaker"')},
        [
            f"{CHECK_PATH}:2:11: error: claimant: contains the control character U+0001 "
            "(remove it; in double quotes, \\x, \\u, \\0 and \\e escapes make such characters)"
        ],
    ),
    "\\e escape in a source title": (
        {CHECK_PATH: CHECK.replace("title: River survey", 'title: "River \\e[2J survey"')},
        [
            f"{CHECK_PATH}:6:12: error: title: contains the control character U+001B "
            "(remove it; in double quotes, \\x, \\u, \\0 and \\e escapes make such characters)"
        ],
    ),
    "\\0 in front matter": (
        {ARTICLE_PATH: ARTICLE.replace("title: Checking the demo speech", 'title: "Nul\\0"')},
        [
            f"{ARTICLE_PATH}:2:8: error: title: contains the control character U+0000 "
            "(remove it; in double quotes, \\x, \\u, \\0 and \\e escapes make such characters)"
        ],
    ),
    "U+FFFE in site.yaml": (
        {"site.yaml": 'title: "Desk \\uFFFE"\n'},
        [
            "site.yaml:1:8: error: title: contains the noncharacter U+FFFE "
            "(remove it; in double quotes, \\x, \\u, \\0 and \\e escapes make such characters)"
        ],
    ),
    "C1 control in a verdict label": (
        {"site.yaml": 'verdicts:\n  false: {label: "Fal\\x85se"}\n'},
        [
            "site.yaml:2:18: error: label: contains the control character U+0085 "
            "(remove it; in double quotes, \\x, \\u, \\0 and \\e escapes make such characters)"
        ],
    ),
    "raw ESC in a check": (
        {CHECK_PATH: CHECK.replace("The speaker", "The \x1b[31mspeaker")},
        [f"{CHECK_PATH}:2:15: error: the control character U+001B is not allowed (remove it)"],
    ),
    "raw control characters in a body": (
        {ARTICLE_PATH: ARTICLE + "Bell \x07 and \x00 and \ufffe.\n"},
        [
            f"{ARTICLE_PATH}:7:6: error: the control character U+0007 in the text (and 2 more) "
            "(remove it: pages and feeds cannot carry control characters)"
        ],
    ),
    "DEL in a body": (
        {ARTICLE_PATH: ARTICLE + "Deleted\x7f here.\n"},
        [
            f"{ARTICLE_PATH}:7:8: error: the control character U+007F in the text "
            "(remove it: pages and feeds cannot carry control characters)"
        ],
    ),
    "\\x01 in a source's URL": (
        {
            CHECK_PATH: CHECK.replace(
                "url: https://example.org/survey", 'url: "https://e.org/\\x01"'
            )
        },
        [f"{CHECK_PATH}:7:10: error: url: contains the control character U+0001 {ESCAPES}"],
    ),
    "\\a in an update's note": (
        {CHECK_PATH: CHECK + 'updates:\n  - date: 2024-03-02\n    note: "Fixed \\a"\n'},
        [f"{CHECK_PATH}:12:11: error: note: contains the control character U+0007 {ESCAPES}"],
    ),
    "\\f in an analysis": (
        {CHECK_PATH: check_with(ANALYSIS, 'analysis: "Page\\fbreak"\n')},
        [f"{CHECK_PATH}:9:11: error: analysis: contains the control character U+000C {ESCAPES}"],
    ),
    "\\e in the methodology": (
        {"site.yaml": 'methodology: "Our \\e[31m method"\n'},
        [f"site.yaml:1:14: error: methodology: contains the control character U+001B {ESCAPES}"],
    ),
    "\\x01 in a verdict's key": (
        {"site.yaml": 'verdicts:\n  "fa\\x01lse": {label: F}\n'},
        [f"site.yaml:2:3: error: verdicts: contains the control character U+0001 {ESCAPES}"],
    ),
    "\\x04 in a topic": (
        {ARTICLE_PATH: ARTICLE.replace("summary:", 'topics: ["A\\x04"]\nsummary:')},
        [f"{ARTICLE_PATH}:4:10: error: topics: contains the control character U+0004 {ESCAPES}"],
    ),
    "U+FFFF in an author": (
        {ARTICLE_PATH: ARTICLE.replace("summary:", 'authors: "A\\uFFFF"\nsummary:')},
        [f"{ARTICLE_PATH}:4:10: error: authors: contains the noncharacter U+FFFF {ESCAPES}"],
    ),
}


@pytest.mark.parametrize("files, expected", CONTROL.values(), ids=CONTROL.keys())
def test_control_characters_are_rejected_with_key_and_line(site, files, expected):
    assert site.change(files).reject() == expected


def test_text_in_every_script_is_not_a_control_character(make_site, run, tmp_path):
    words = "قال المتحدث · नमस्ते · می‌خواهم · 👩‍👩‍👧 · tab\there · «guillemets»"
    src = make_site(
        {
            CHECK_PATH: CHECK.replace("The speaker", f'"{words}"'),
            "site.yaml": "share_images: false\n",
        }
    )
    status, _, err = run(
        "build", "--src", src, "--out", tmp_path / "out", "--base-url", "https://e.org/"
    )
    assert (status, err) == (0, [])
    import xml.dom.minidom

    xml.dom.minidom.parse(str(tmp_path / "out" / "feed.xml"))  # still well-formed XML


RAW_URLS = [
    "/\\evil.invalid/x.png",
    "\\\\evil.invalid/x.png",
    " //evil.invalid/x.png",
    "/&#x09;/evil.invalid/x.png",
    "/&#x0A;/evil.invalid/x.png",
    "&#x0C;//evil.invalid/x.png",
    "\\/evil.invalid/x.png",
    "///evil.invalid/x.png",
    "HTTPS://evil.invalid/x.png",
    "http:evil.invalid/x.png",
    "&#92;&#92;evil.invalid/x.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("url", RAW_URLS)
def test_image_urls_are_judged_as_browsers_parse_them(url):
    html, _ = markup.BodyConverter().convert(f'<p><img alt="x" src="{url}"></p>\n')
    assert html == '<p><img alt="x"></p>'


@pytest.mark.parametrize("url", ["chart.png", "/assets/c.png", "../a/b.png", "/%5Cx.png", "?q=1"])
def test_local_images_stay(url):
    assert markup.is_local(url)
    html, _ = markup.BodyConverter().convert(f'<p><img alt="x" src="{url}"></p>\n')
    assert html == f'<p><img alt="x" src="{url}"></p>'


def test_remote_images_are_warned_about_with_their_place(site, run):
    site.change(
        {
            ARTICLE_PATH: ARTICLE
            + "\n![map](https://maps.example/river.png)\n\n"
            + '<p><img alt="chart" src="/\\cdn.example/c.png"></p>\n'
        }
    )
    status, _, err = run("build", "--src", site.src, "--out", site.out)
    assert status == 0
    hint = (
        "(pages load nothing from other hosts: put the image in templates/assets/ "
        'and write src="../assets/NAME")'
    )
    assert err == [
        f"{ARTICLE_PATH}:8:8: warning: image from another host removed: "
        f"'https://maps.example/river.png' {hint}",
        f"{ARTICLE_PATH}:10:26: warning: image from another host removed: "
        f"'/\\cdn.example/c.png' {hint}",
    ]
    assert b"maps.example" not in (site.out / "demo" / "index.html").read_bytes()


def test_raw_html_cannot_fake_a_chip_or_its_place():
    html, found = markup.BodyConverter().convert(
        "[x]{claim=c1} and "
        '<span class="chip verdict-true Chip" id="claim-c1">True</span>'
        '<span class="claim-note note" id="note-c1-1">fake</span>'
        '<em class="Claim-Text" id="CHECK-c1">x</em> &#xe000; &#57344;\n'
    )
    assert html.count(markup.CHIP) == 1 and len(found) == 1
    assert html.split(markup.CHIP)[1] == (
        '</span> and <span>True</span><span class="note">fake</span><em>x</em> \ufffd \ufffd</p>'
    )


# --- markers that would go unreported -----------------------------------------------

MARKERS = {
    "marker in an HTML block": (
        '<div class="box">\nSaid [it]{claim=river-length} here.\n</div>\n',
        [
            f"{ARTICLE_PATH}:9:6: error: a claim marker inside raw HTML is not read "
            "(write the marker in Markdown text, outside the HTML)"
        ],
    ),
    "marker in a raw tag's attribute": (
        'See <img alt="[it]{claim=river-length}" src="a.png">.\n',
        [
            f"{ARTICLE_PATH}:8:15: error: a claim marker inside raw HTML is not read "
            "(write the marker in Markdown text, outside the HTML)"
        ],
    ),
    "marker in image alt text": (
        "![the [river]{claim=river-length} map](map.png)\n",
        [
            f"{ARTICLE_PATH}:8:7: error: a claim marker inside an image's description is not "
            "read (mark the claim in the text beside the image)"
        ],
    ),
    "link that looks like a marker": (
        "[the river](claim=river-length)\n",
        [
            f"{ARTICLE_PATH}:8:12: error: this link looks like a claim marker, and would lead "
            "nowhere (write [text]{claim=river-length}, with braces)"
        ],
    ),
    "spaces around =": (
        "[the river]{claim = river-length}\n",
        [
            f"{ARTICLE_PATH}:8:1: error: a claim marker has no spaces inside its braces "
            "(write {claim=river-length})"
        ],
    ),
    "spaces inside the braces": (
        "[the river]{ claim=river-length }\n",
        [
            f"{ARTICLE_PATH}:8:1: error: a claim marker has no spaces inside its braces "
            "(write {claim=river-length})"
        ],
    ),
    "quoted id": (
        '[the river]{claim="river-length"}\n',
        [
            f"{ARTICLE_PATH}:8:1: error: a claim id is written without quotes "
            "(write {claim=river-length})"
        ],
    ),
    "curly-quoted id": (
        "[the river]{claim=“river-length”}\n",
        [
            f"{ARTICLE_PATH}:8:1: error: a claim id is written without quotes "
            "(write {claim=river-length})"
        ],
    ),
    "colon for =": (
        "[the river]{claim:river-length}\n",
        [
            f"{ARTICLE_PATH}:8:1: error: a claim marker is written with '=', not ':' "
            "(write {claim=river-length})"
        ],
    ),
    "two ids": (
        "[the river]{claim=river-length, other}\n",
        [
            f"{ARTICLE_PATH}:8:1: error: a marker names one claim "
            "(mark each claim with its own [text]{claim=ID})"
        ],
    ),
    "no id": (
        "[the river]{claim=}\n",
        [
            f"{ARTICLE_PATH}:8:1: error: the marker names no claim "
            "(write {claim=ID} with the id of a file in checks/)"
        ],
    ),
    "nested marker inside emphasis": (
        "[outer *em [inner]{claim=river-length}* text]{claim=river-length}\n",
        [
            f"{ARTICLE_PATH}:8:12: error: claim markers cannot be nested "
            "(it is inside the marker for 'river-length')"
        ],
    ),
    "tab inside the braces": (
        "Text.\n\n[the river]{claim=\triver-length}\n",
        [
            f"{ARTICLE_PATH}:10:1: error: a claim marker has no spaces inside its braces "
            "(write {claim=river-length})"
        ],
    ),
    "brackets for braces": (
        "Said [the river][claim=river-length] here.\n",
        [
            f"{ARTICLE_PATH}:8:6: error: this looks like a claim marker, written with '[...]' "
            "for '{...}' (write [text]{claim=river-length}, with braces)"
        ],
    ),
    "link with ':' that looks like a marker": (
        "[the river](claim:river-length)\n",
        [
            f"{ARTICLE_PATH}:8:12: error: this link looks like a claim marker, and would lead "
            "nowhere (write [text]{claim=river-length}, with braces)"
        ],
    ),
    "a misspelt attribute": (
        "[the river]{clam=river-length}\n",
        [f"{ARTICLE_PATH}:8:1: error: unknown marker attribute 'clam' (did you mean 'claim'?)"],
    ),
    "an id with capitals": (
        "[the river]{claim=River-Length}\n",
        [
            f"{ARTICLE_PATH}:8:1: error: invalid claim id 'River-Length' (ids use lowercase "
            "letters, digits and single hyphens, e.g. 'river-length')"
        ],
    ),
    "marker in a details block": (
        "<details>\n<summary>[it]{claim=river-length}</summary>\n</details>\n",
        [
            f"{ARTICLE_PATH}:9:10: error: a claim marker inside raw HTML is not read "
            "(write the marker in Markdown text, outside the HTML)"
        ],
    ),
    "marker split by a blank line": (
        "[the\n\nriver]{claim=river-length}\n",
        [
            f"{ARTICLE_PATH}:10:6: error: claim marker has no bracketed text before it "
            "(write [text]{claim=ID} within one paragraph, with nothing between ']' and '{')"
        ],
    ),
    "nested marker after a valid mark of the same claim": (
        "[outer [inner]{claim=river-length} text]{claim=river-length}\n",
        [
            f"{ARTICLE_PATH}:8:8: error: claim markers cannot be nested "
            "(it is inside the marker for 'river-length')"
        ],
    ),
}


@pytest.mark.parametrize("body, expected", MARKERS.values(), ids=MARKERS.keys())
def test_markers_that_would_be_ignored_are_reported_where_they_are(site, body, expected):
    assert site.change({ARTICLE_PATH: ARTICLE + "\n" + body}).reject() == expected


def test_markers_in_code_and_comments_stay_literal(make_site, run):
    body = (
        "\n```\n[a]{claim=river-length}\n```\n\n<pre>[b]{claim=river-length}</pre>\n\n"
        "<!-- [c]{claim=river-length} -->\n\n`<b>[d]{claim=river-length}</b>`\n"
    )
    status, _, err = run("check", "--src", make_site({ARTICLE_PATH: ARTICLE + body}))
    assert (status, err[:-1]) == (0, [])


# --- templates and the output folder ---------------------------------------------------

TEMPLATES = {
    "division by zero": (
        "<p>\n{{ 1/0 }}</p>\n",
        "templates/404.html:2:1: error: template error: ZeroDivisionError: division by zero",
    ),
    "wrong type": (
        "<p>{{ site.title + 1 }}</p>\n",
        "templates/404.html:1:1: error: template error: TypeError: "
        'can only concatenate str (not "int") to str',
    ),
    "missing asset": (
        "<p>\n\n{{ asset('nope.css') }}</p>\n",
        "templates/404.html:3:1: error: template error: no asset 'nope.css' in templates/assets/",
    ),
    "missing template": (
        "<p>\n{% include 'nope.html' %}</p>\n",
        "templates/404.html:2:1: error: template error: 'nope.html' not found in search paths: "
        "'{src}/templates', '{repo}/templates'",
    ),
    "not UTF-8": (
        b"<p>\xff</p>\n",
        "templates/404.html:1:4: error: file is not valid UTF-8 (byte 0xff) "
        "(save the file with UTF-8 encoding)",
    ),
    "syntax error": (
        "<p>\n\n{% if %}</p>\n",
        "templates/404.html:3:1: error: template error: "
        "Expected an expression, got 'end of statement block'",
    ),
    "undefined name": (
        "<p>{{ nope.title }}</p>\n",
        "templates/404.html:1:1: error: template error: 'nope' is undefined",
    ),
    # Templates come with pull requests too: sandboxed, they cannot run code or exhaust memory.
    "Python's internals": (
        "<p>\n{{ cycler.__init__.__globals__.os.system('touch pwned') }}</p>\n",
        "templates/404.html:2:1: error: template error: "
        "access to attribute '__init__' of 'type' object is unsafe.",
    ),
    "a value too big to hold": (
        "<p>{{ 'x' * 10**10 }}</p>\n",
        "templates/404.html:1:1: error: template error: a value longer than 1000000 is not allowed",
    ),
    "a number too big to hold": (
        "<p>{{ 7 ** 123456789 }}</p>\n",
        "templates/404.html:1:1: error: template error: an exponent above 64 is not allowed",
    ),
}


@pytest.mark.parametrize("template, expected", TEMPLATES.values(), ids=TEMPLATES.keys())
def test_a_template_that_fails_names_itself_and_its_line(site, template, expected):
    site.change({"templates/404.html": template})
    assert site.reject() == [expected.format(src=site.src.resolve(), repo=REPO)]


@pytest.mark.parametrize(
    "template",
    [
        "{% include '404.html' %}",
        "{% extends '404.html' %}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    ],
    ids=["includes itself", "extends itself", "endless macro"],
)
def test_a_template_without_end_is_one_error_not_a_traceback(site, template):
    site.change({"templates/404.html": f"<p>\n{template}</p>\n"})
    (error,) = site.reject()
    assert error.startswith(
        "templates/404.html:2:1: error: template error: RecursionError: "
        "maximum recursion depth exceeded"
    )


def test_a_read_only_output_folder_is_one_line_and_left_alone(site):
    site.change({CHECK_PATH: CHECK.replace("four", "five")})
    for folder in (site.out, site.out / "demo"):
        folder.chmod(0o555)
        try:
            result = cli("build", "--src", site.src, "--out", site.out, prefix=unprivileged())
        finally:
            folder.chmod(0o755)
        where = "" if folder == site.out else " at demo"
        assert (result.returncode, result.stderr) == (
            2,
            f"build.py: error: cannot write the output folder {site.out}{where}: "
            "permission denied; nothing in it was changed\n",
        )
        assert snapshot(site.out) == site.before


def test_a_full_disk_is_one_line_and_the_previous_output_stays(site):
    """RLIMIT_FSIZE makes writes past 8 kB fail (EFBIG), as a full disk's do (ENOSPC)."""
    site.change({CHECK_PATH: CHECK.replace("four miles long", "four miles long " * 900)})
    code = (
        "import resource, runpy, signal, sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (8000, 8000))\n"
        f"sys.argv = ['build.py', 'build', '--src', {str(site.src)!r}, "
        f"'--out', {str(site.out)!r}]\n"
        f"runpy.run_path({str(REPO / 'build.py')!r}, run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert (result.returncode, result.stderr) == (
        2,
        f"build.py: error: cannot write the output folder {site.out}: file too large; "
        "nothing in it was changed\n",
    )
    assert snapshot(site.out) == site.before
    assert not (site.out / ".factcheck-staging").exists()


def test_an_output_folder_under_a_file_is_one_line(site, run):
    (site.src / "notes.txt").write_text("x")
    status, _, err = run("build", "--src", site.src, "--out", site.src / "notes.txt" / "out")
    assert (status, err) == (
        2,
        [
            f"build.py: error: output {site.src / 'notes.txt' / 'out'} cannot be a folder: "
            f"{site.src / 'notes.txt'} is a file"
        ],
    )


def test_an_output_folder_that_overlaps_the_sources_is_refused(site, run):
    sources = snapshot(site.src)
    for out, problem in (
        (site.src, f"output folder {site.src} would hold the sources; choose another --out"),
        (
            site.src.parent,
            f"output folder {site.src.parent} would hold the sources; choose another --out",
        ),
        (
            site.src / "content",
            f"output folder {site.src / 'content'} is inside the sources' content/",
        ),
        (
            site.src / "checks" / "site",
            f"output folder {site.src / 'checks' / 'site'} is inside the sources' checks/",
        ),
        (
            site.src / "templates",
            f"output folder {site.src / 'templates'} is inside the sources' templates/",
        ),
    ):
        assert run("build", "--src", site.src, "--out", out) == (
            2,
            "",
            [f"build.py: error: {problem}"],
        )
    assert snapshot(site.src) == sources and snapshot(site.out) == site.before


# --- diagnostics stay on one line -------------------------------------------------------


def test_newlines_and_terminal_escapes_in_values_are_shown_escaped(site, run, monkeypatch):
    """A check cannot print a fake ::error annotation or move the cursor."""
    site.change(
        {
            CHECK_PATH: check_with("verdict: false", 'verdict: "x\\n::error file=a,line=1::forged"')
            + '"note\\e[2J\\e]0;title\\a": 1\n'
        }
    )
    verdict = (
        "unknown verdict 'x\\n::error file=a,line=1::forged' "
        "(one of: true, mostly-true, half-true, mostly-false, false, unproven)"
    )
    key = "unknown key 'note\\x1b[2J\\x1b]0;title\\x07' in a check (known keys: claim, "
    errors = site.reject()
    assert errors[0] == f"{CHECK_PATH}:3:10: error: {verdict}"
    assert errors[1].startswith(f"{CHECK_PATH}:10:1: error: {key}")
    monkeypatch.chdir(site.src)
    status, out, _ = run("check", "--format", "github", "--src", site.src)
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == f"::error file={CHECK_PATH},line=3,col=10::{verdict}"
    assert lines[1].startswith(f"::error file={CHECK_PATH},line=10,col=1::{key}")
    assert len(lines) == 2


def test_file_names_with_escapes_and_bad_bytes_are_shown_escaped(site):
    (site.src / "checks" / "x\x1b[2Jy\n.yaml").write_text(CHECK)
    content = os.fsencode(site.src / "content")
    os.close(os.open(content + b"/caf\xe9.md", os.O_CREAT | os.O_WRONLY))  # not UTF-8
    assert site.reject() == [
        "checks/x\\x1b[2Jy\\n.yaml:1:1: error: 'x\\x1b[2Jy\\n' is not a valid check name "
        "(use lowercase letters, digits and single hyphens, e.g. 'x-2jy')",
        "content/caf\\xe9.md:1:1: error: 'caf\\xe9' is not a valid article name "
        "(use lowercase letters, digits and single hyphens, e.g. 'caf')",
    ]


def test_printable_and_annotations():
    assert (
        printable("a\nb\r\x1b[2J\u202e\x85\udce9 ok é ‍")
        == "a\\nb\\r\\x1b[2J\\u202e\\x85\\xe9 ok é ‍"
    )
    diagnostic = Diagnostic("c.yaml", 1, 2, "bad\x1b]8;;http://x\x07", "hint\u2028")
    assert str(diagnostic) == "c.yaml:1:2: error: bad\\x1b]8;;http://x\\x07 (hint\\u2028)"
    assert github_annotation(diagnostic, "c.yaml") == (
        "::error file=c.yaml,line=1,col=2::bad\\x1b]8;;http://x\\x07 (hint\\u2028)"
    )
    assert excerpt("y" * 500) == "'" + "y" * 59 + "…'"


def test_a_file_that_is_not_a_source_is_never_quoted(site):
    key = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
        "-----END OPENSSH PRIVATE KEY-----\n"
    )
    site.change(
        {
            CHECK_PATH: key,
            ARTICLE_PATH: ARTICLE.replace("title: Checking", "title:\n  - x\ntitle2: " + "z" * 400),
        }
    )
    errors = site.reject()
    assert errors[0] == (
        f"{CHECK_PATH}:1:1: error: expected a check as keys and values, found text"
    )
    assert "b3Blbn" not in "\n".join(errors) and all(len(line) < 300 for line in errors)


# --- messages that point at the right place and the right fix ---------------------------

MESSAGES = {
    "sources empty": (
        CHECK.replace(
            "sources:\n  - title: River survey\n    url: https://example.org/survey\n",
            "sources: []\n",
        ),
        [f"{CHECK_PATH}:5:10: error: sources: needs at least one entry"],
    ),
    "claim is a list": (
        CHECK.replace("claim: The river is ten miles long", "claim:\n  - The river"),
        [f"{CHECK_PATH}:2:3: error: claim: expected text, found a list"],
    ),
    "source written as a plain string": (
        CHECK.replace(
            "  - title: River survey\n    url: https://example.org/survey\n", "  - River survey\n"
        ),
        [
            f"{CHECK_PATH}:6:5: error: sources: expected a source as keys and values, found "
            "'River survey' (write it as {title: River survey, url: https://...})"
        ],
    ),
    "half-true on a scale without it": (
        CHECK.replace("verdict: false", "verdict: half-true"),
        [f"{CHECK_PATH}:3:10: error: unknown verdict 'half-true' (one of: true, false, unproven)"],
    ),
    "untrue is not true": (
        CHECK.replace("verdict: false", "verdict: untrue"),
        [f"{CHECK_PATH}:3:10: error: unknown verdict 'untrue' (one of: true, false, unproven)"],
    ),
    "a misspelling is still suggested": (
        CHECK.replace("verdict: false", "verdict: Flase"),
        [f"{CHECK_PATH}:3:10: error: unknown verdict 'Flase' (did you mean 'false'?)"],
    ),
    "curly quotes around a verdict": (
        CHECK.replace("verdict: false", "verdict: “false”"),
        [
            f"{CHECK_PATH}:3:10: error: unknown verdict '“false”' "
            "(write it without the curly quotes: false)"
        ],
    ),
    "curly quotes around text with ': '": (
        CHECK.replace("claimant: The speaker", "claimant: “The speaker: a mayor”"),
        [
            f"{CHECK_PATH}:2:23: error: ': ' in this text makes YAML read a key "
            '(“curly quotes” do not quote YAML text: use straight quotes "...")'
        ],
    ),
    "curly quotes around a date": (
        CHECK.replace("checked_on: 2024-03-01", "checked_on: “2024-03-01”"),
        [
            f"{CHECK_PATH}:8:13: error: checked_on: expected a date as YYYY-MM-DD, found "
            "'“2024-03-01”' (write it without the curly quotes: 2024-03-01)"
        ],
    ),
    "a list entry out of line": (
        CHECK.replace("    url: https://example.org/survey", "   url: https://example.org/survey"),
        [
            f"{CHECK_PATH}:7:4: error: this line does not continue the list above it (start "
            "each entry with '- ' in the same column, and indent an entry's other keys "
            "under its first)"
        ],
    ),
    "a key out of line": (
        CHECK.replace("claimant: The speaker", "  claimant: The speaker"),
        [
            f"{CHECK_PATH}:2:11: error: ': ' in this text makes YAML read a key (put text that "
            "contains ': ' in quotes, or start keys of one level in the same column)"
        ],
    ),
    "a line that is not a key": (
        CHECK.replace("claimant: The speaker", "claimant: The speaker\nand the mayor"),
        [
            f"{CHECK_PATH}:3:1: error: this line is neither 'key: value' nor part of the "
            "text above "
            "(write 'key: value'; to continue a text on the next line, indent it under its key)"
        ],
    ),
    "text after a closing quote": (
        CHECK.replace("claimant: The speaker", 'claimant: "The speaker" said'),
        [
            f"{CHECK_PATH}:2:25: error: text follows the closing quote "
            "(put all the text inside the quotes)"
        ],
    ),
    "an unclosed quote": (
        CHECK.replace("claimant: The speaker", "claimant: 'The speaker"),
        [
            f"{CHECK_PATH}:2:11: error: the text quoted with ' here is never closed "
            "(end it with '; to write ' inside it, write '')"
        ],
    ),
    "text starting with @": (
        CHECK.replace("claimant: The speaker", "claimant: @speaker"),
        [
            f"{CHECK_PATH}:2:11: error: YAML cannot read text that starts with '@' "
            '(put the whole text in quotes: "...")'
        ],
    ),
    "text starting with *": (
        CHECK.replace("claimant: The speaker", "claimant: *speaker"),
        [
            f"{CHECK_PATH}:2:11: error: text starting with '*' is read as a YAML alias "
            '(put the whole text in quotes: "...")'
        ],
    ),
    "text starting with [": (
        CHECK.replace("claimant: The speaker", "claimant: [The] speaker"),
        [
            f"{CHECK_PATH}:2:11: error: text starting with '[' is read as a YAML list or "
            'mapping (put the whole text in quotes: "...")'
        ],
    ),
    "a bad escape": (
        CHECK.replace("claimant: The speaker", 'claimant: "C:\\Users\\speaker"'),
        [
            f"{CHECK_PATH}:2:14: error: a backslash in double-quoted text starts an escape, and "
            "this one is not valid (write \\\\ for a backslash, or put the text in single quotes)"
        ],
    ),
    "text starting with {": (
        CHECK.replace("claimant: The speaker", "claimant: {The} speaker"),
        [
            f"{CHECK_PATH}:2:11: error: text starting with '{{' is read as a YAML list or "
            'mapping (put the whole text in quotes: "...")'
        ],
    ),
    "text after | on its line": (
        CHECK.replace("claimant: The speaker", "claimant: |The speaker"),
        [
            f"{CHECK_PATH}:2:12: error: '|' or '>' must end its line "
            "(start the text on the next line, indented under its key)"
        ],
    ),
    "a % directive": (
        "%DESK x\n---\n" + CHECK,
        [
            f"{CHECK_PATH}:1:1: error: a line starting with '%' is read as a YAML directive "
            "(remove the line, or put the text in quotes)"
        ],
    ),
    "a second document": (
        CHECK + "---\nclaim: another\n",
        [
            f"{CHECK_PATH}:10:1: error: a second '---' line starts another YAML document "
            "(a file holds one document: remove the extra '---')"
        ],
    ),
}


@pytest.mark.parametrize("check, expected", MESSAGES.values(), ids=MESSAGES.keys())
def test_messages_name_the_key_and_say_what_to_write(site, check, expected):
    site.change(
        {
            "site.yaml": "verdicts:\n  true: {label: True}\n  false: {label: False}\n"
            "  unproven: {label: Unproven}\n"
        }
    )
    assert site.change({CHECK_PATH: check}).reject() == expected


@pytest.mark.parametrize(
    "word, choices, hint",
    [
        ("mostly-flase", ["mostly-false", "mostly-true"], "did you mean 'mostly-false'?"),
        ("Mostly False", ["mostly-false"], "did you mean 'mostly-false'?"),
        ("half-true", ["true", "false"], ""),
        ("untrue", ["true", "false"], ""),
        ("incorrect", ["correct", "misleading"], ""),
        ("misleading", ["leading"], ""),
        ("unproven", ["proven"], ""),
        ("mostly-true", ["mostly-false"], ""),
        ("austin-2021-09-28", ["austin-2021-09-29"], ""),
        ("river-depth", ["river-length"], ""),
        ("incorect", ["correct", "incorrect"], "did you mean 'incorrect'?"),
        ("sumary", ["summary", "claim"], "did you mean 'summary'?"),
        ("claimdate", ["claim_date"], "did you mean 'claim_date'?"),
        ("river-lenght", ["river-length"], "did you mean 'river-length'?"),
    ],
)
def test_did_you_mean_suggests_only_the_same_word_misspelt(word, choices, hint):
    assert did_you_mean(word, choices) == hint


def test_thousands_of_alike_warnings_are_counted_not_printed(make_site, run, tmp_path):
    long = "The river " + "is very long " * 8
    checks = {
        f"checks/c{n:03}.yaml": CHECK.replace(
            "claim: The river is ten miles long", f"claim: {long}"
        )
        for n in range(40)
    }
    marks = "".join(f"[x]{{claim=c{n:03}}} " for n in range(40))
    src, out = make_site({**checks, ARTICLE_PATH: ARTICLE + marks + "\n"}), tmp_path / "out"
    status, _, err = run("build", "--src", src, "--out", out)
    assert status == 0 and len(err) == 6 and err[-1].startswith("... and 35 more warnings")
    before = snapshot(out)
    write_tree(src, {"checks/bad.yaml": CHECK.replace("verdict: false", "verdict: flase")})
    status, _, err = run("build", "--src", src, "--out", out)
    assert status == 1 and snapshot(out) == before
    assert [line.split(":")[0] for line in err if ": warning: " in line] == [
        f"checks/c00{n}.yaml" for n in range(5)
    ]
    assert "checks/bad.yaml:3:10: error: unknown verdict 'flase' (did you mean 'false'?)" in err
    assert err[-2:] == [
        "... and 35 more warnings like this: claim is N characters long",
        f"1 error, 40 warnings in {src}; nothing was written",
    ]
