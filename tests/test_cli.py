"""The command line: commands, options, exit codes and messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_check_writes_nothing(make_site, tmp_path):
    src = make_site()
    result = cli("check", "--src", src)
    assert result.returncode == 0, result.stderr
    assert "checked 1 article(s), 1 claim(s): no errors" in result.stdout
    assert not (src / "site").exists()


def test_build_defaults_to_site_beside_the_sources(make_site):
    src = make_site()
    result = cli("--src", src)
    assert result.returncode == 0, result.stderr
    assert (src / "site" / "demo" / "index.html").is_file()
    assert "1 article(s), 1 claim(s)" in result.stdout


def test_errors_exit_1_without_traceback(make_site, tmp_path):
    src = make_site({"checks/river-length.yaml": "claim: [unclosed\n"})
    result = cli("build", "--src", src, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("checks/river-length.yaml:1:8: error:")


@pytest.mark.parametrize(
    "args",
    [
        ("build", "--no-such-option"),
        ("publish",),
        ("build", "--src", "/no/such/folder"),
    ],
)
def test_bad_usage_exits_2(args):
    result = cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_output_folder_may_not_hold_the_sources(make_site):
    src = make_site()
    for out in (src, src / "content", src.parent):
        result = cli("build", "--src", src, "--out", out)
        assert result.returncode == 2, out
        assert "error:" in result.stderr


def test_base_url_must_be_http(make_site, tmp_path):
    result = cli("build", "--src", make_site(), "--out", tmp_path / "o", "--base-url", "ftp://x")
    assert result.returncode == 1
    assert "--base-url:1:1: error: URL must start with http:// or https://" in result.stderr


def test_options_before_or_after_the_command(make_site, tmp_path):
    src = make_site()
    assert cli("--src", src, "check").returncode == 0
    assert cli("check", "--src", src).returncode == 0
