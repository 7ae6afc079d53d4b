"""`new ID`: a commented check file that passes `check` once filled in."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
from test_schema import as_the_validator_reads

from factcheck import schema

FILLED = {
    "claim": "The bridge is the longest in the country",
    "claimant": "The mayor",
    "verdict": "mostly-false",
    "summary": "Two bridges are longer.",
    "    url": "https://example.org/bridges",
    "  - title": "Bridges of the country",
}


def fill_in(text: str) -> str:
    for key, value in FILLED.items():
        text, count = re.subn(rf"^{re.escape(key)}:$", f"{key}: {value}", text, flags=re.M)
        assert count == 1, key
    return text


def test_new_writes_a_commented_check_with_the_schema_modeline(make_site, run):
    src = make_site()
    status, out, err = run("new", "bridge-length", "--src", src)
    assert status == 0, err
    path = src / "checks" / "bridge-length.yaml"
    text = path.read_text("utf-8")
    modeline = text.splitlines()[0]
    assert modeline.startswith("# yaml-language-server: $schema=")
    target = (path.parent / modeline.split("$schema=")[1]).resolve()
    assert target == (schema.SHIPPED / schema.CHECK_SCHEMA).resolve()
    assert "true, mostly-true, half-true, mostly-false, false, unproven" in text
    assert "[the words as published]{claim=bridge-length}" in out


def test_the_template_passes_check_once_filled_in(make_site, run):
    src = make_site()
    run("new", "bridge-length", "--src", src)
    path = src / "checks" / "bridge-length.yaml"
    status, _, err = run("check", "--src", src)
    assert status == 1
    assert "checks/bridge-length.yaml:7:1: error: 'claim' needs a value" in err
    path.write_text(fill_in(path.read_text("utf-8")), encoding="utf-8")
    article = (src / "content" / "demo.md").read_text("utf-8")
    (src / "content" / "demo.md").write_text(
        article + "\nAnd [the bridge is the longest]{claim=bridge-length}.\n", encoding="utf-8"
    )
    status, _, err = run("check", "--src", src)
    assert status == 0, err
    jsonschema.validate(as_the_validator_reads(path.read_text("utf-8")), schema.check_schema())


def test_new_never_overwrites(make_site, run):
    src = make_site({"checks/2024/bridge-length.yaml": "claim: mine\n"})
    before = (src / "checks" / "river-length.yaml").read_text("utf-8")
    status, _, err = run("new", "river-length", "--src", src)
    assert status == 2
    assert err == [
        "build.py: error: checks/river-length.yaml already exists (ids are unique "
        "across all folders); choose another id"
    ]
    assert (src / "checks" / "river-length.yaml").read_text("utf-8") == before
    status, _, err = run("new", "bridge-length", "--src", src)
    assert status == 2
    assert "checks/2024/bridge-length.yaml already exists" in err[0]
    assert not (src / "checks" / "bridge-length.yaml").exists()


def test_new_validates_the_id(make_site, run):
    src = make_site()
    status, _, err = run("new", "Bridge_Length", "--src", src)
    assert status == 2
    assert err == [
        "build.py: error: 'Bridge_Length' is not a valid check id (use lowercase "
        "letters, digits and single hyphens, e.g. 'bridge-length')"
    ]
    assert sorted(p.name for p in (src / "checks").iterdir()) == ["river-length.yaml"]


def test_a_custom_scale_is_listed_and_its_own_schema_used(make_site, run):
    src = make_site(
        {"site.yaml": "verdicts:\n  correct: {label: Correct}\n  wrong: {label: Wrong}\n"}
    )
    status, out, _ = run("new", "bridge-length", "--src", src)
    assert status == 0
    text = (src / "checks" / "bridge-length.yaml").read_text("utf-8")
    assert "# One of: correct, wrong\n" in text
    assert "python -m factcheck.schema --src" in out  # the shipped schema lists other verdicts
    assert schema.main(["--src", str(src)]) == 0
    run("new", "tunnel-length", "--src", src)
    first = (src / "checks" / "tunnel-length.yaml").read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/check.schema.json"
    assert Path(src / "checks" / "../schemas/check.schema.json").is_file()
