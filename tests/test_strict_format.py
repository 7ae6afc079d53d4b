"""`--strict` fails on warnings; `--format github` prints GitHub Actions annotations."""

from __future__ import annotations

import pytest

from conftest import CHECK
from factcheck.errors import Diagnostic, github_annotation

PATH = "checks/river-length.yaml"
LONG_CLAIM = "The river " + "is very long " * 8


def with_long_claim(make_site):
    return make_site(
        {PATH: CHECK.replace("claim: The river is ten miles long", f"claim: {LONG_CLAIM}")}
    )


@pytest.mark.parametrize("command", ["check", "build"])
def test_warnings_pass_without_strict_and_fail_with_it(make_site, run, tmp_path, command):
    src = with_long_claim(make_site)
    out = ("--out", tmp_path / "out") if command == "build" else ()
    status, _, err = run(command, "--src", src, *out)
    assert status == 0
    assert err[0].startswith(f"{PATH}:1:8: warning: claim is ")
    status, _, err = run(command, "--strict", "--src", src, *out)
    assert status == 1
    assert err[0].startswith(f"{PATH}:1:8: error: claim is ")
    assert err[-1] == f"1 error in {src}; nothing was written"


def test_strict_build_writes_nothing(make_site, run, tmp_path):
    src = with_long_claim(make_site)
    assert run("build", "--strict", "--src", src, "--out", tmp_path / "out")[0] == 1
    assert not (tmp_path / "out").exists()
    assert (
        run("build", "--strict", "--src", make_site({PATH: CHECK}), "--out", tmp_path / "out")[0]
        == 0
    )
    assert (tmp_path / "out" / "index.html").is_file()


def test_github_format_annotates_file_and_line(make_site, run, monkeypatch):
    src = make_site({PATH: CHECK.replace("verdict: false", "verdict: mostly-flase")})
    monkeypatch.chdir(src.parent)
    status, out, err = run("check", "--format", "github", "--src", src)
    assert status == 1
    assert out.splitlines() == [
        "::error file=src/checks/river-length.yaml,line=3,col=10::unknown verdict "
        "'mostly-flase' (did you mean 'mostly-false'?)"
    ]
    assert err == [f"1 error in {src}; nothing was written"]


def test_github_format_warnings_and_strict(make_site, run, monkeypatch):
    src = with_long_claim(make_site)
    monkeypatch.chdir(src)
    status, out, _ = run("check", "--format", "github", "--src", src)
    assert status == 0
    assert out.startswith("::warning file=checks/river-length.yaml,line=1,col=8::claim is ")
    status, out, _ = run("check", "--strict", "--format", "github", "--src", src)
    assert status == 1
    assert out.startswith("::error file=checks/river-length.yaml,line=1,col=8::claim is ")


def test_annotations_escape_what_github_would_misread():
    diagnostic = Diagnostic("a,b:c.yaml", 2, 3, "100% wrong\nreally", "see: here")
    assert github_annotation(diagnostic, diagnostic.path) == (
        "::error file=a%2Cb%3Ac.yaml,line=2,col=3::100%25 wrong%0Areally (see: here)"
    )
