"""The JSON Schemas agree with the validator, and the shipped files are up to date."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from test_validation import CASES, CHECK_PATH

from conftest import CHECK
from factcheck import schema, validate
from factcheck.errors import Report
from factcheck.sources import parse_yaml

REPO = Path(__file__).resolve().parent.parent
# What a schema cannot see: repeated keys vanish on loading, tabs and broken YAML do not
# load, and order is beyond JSON Schema.
NOT_FOR_A_SCHEMA = {"duplicate key", "tab indentation", "YAML syntax", "updates out of order"}
CORPUS_CHECKS = {
    name: files[CHECK_PATH]
    for name, (files, _) in CASES.items()
    if set(files) == {CHECK_PATH}
    and isinstance(files[CHECK_PATH], str)
    and name not in NOT_FOR_A_SCHEMA
}

MORE_CHECKS = {
    "the example check": CHECK,
    "verdict true": CHECK.replace("verdict: false", "verdict: true"),
    "YAML 1.1 words are text": CHECK.replace("claimant: The speaker", "claimant: no").replace(
        "claim: The river is ten miles long", "claim: 010"
    ),
    "every optional key": CHECK.replace(
        "checked_on: 2024-03-01",
        """\
claim_date: 2024-02-28
appearance: https://example.org/speech
checked_by: Desk
checked_on: 2024-03-01
updates:
  - {date: 2024-03-02, note: Added the survey.}""",
    ).replace(
        "    url: https://example.org/survey",
        """\
    url: https://example.org/survey
    publisher: Survey office
    date: 2023-01-01
    archived: https://web.archive.org/web/2023/https://example.org/survey
    stance: refutes
    note: Four miles.""",
    ),
    "blank claim": CHECK.replace("claim: The river is ten miles long", 'claim: "   "'),
    "empty summary": CHECK.replace("summary: The river is four miles long.", "summary:"),
    "capitalised verdict": CHECK.replace("verdict: false", "verdict: False"),
    "incomplete URL": CHECK.replace("https://example.org/survey", "https://"),
    "no month 13": CHECK.replace("checked_on: 2024-03-01", "checked_on: 2024-13-01"),
    "sources as a mapping": CHECK.replace(
        "  - title: River survey\n", "  title: River survey\n"
    ).replace("    url:", "  url:"),
    "source without url": CHECK.replace("    url: https://example.org/survey\n", ""),
    "unknown source key": CHECK.replace("    url:", "    link: x\n    url:"),
    "update without note": CHECK + "updates:\n  - date: 2024-03-02\n",
    "claim as a mapping": CHECK.replace(
        "claim: The river is ten miles long", "claim: {text: ten miles}"
    ),
}

SITES = {
    "empty settings": "{}\n",
    "title": "title: Desk\n",
    "not strict": "strict: false\n",
    "strict True": "strict: True\n",
    "strict maybe": "strict: maybe\n",
    "custom scale": "verdicts:\n  correct: {label: Correct, rating: 3, color: '#1a7f37'}\n"
    "  wrong: {label: Wrong, description: Not so.}\n",
    "scale entry typo": "verdicts:\n  false:\n    label: False\n    ratng: 1\n",
    "rating zero": "verdicts:\n  x: {label: X, rating: 0}\n",
    "rating 007": "verdicts:\n  x: {label: X, rating: 007}\n",
    "colour name": "verdicts:\n  x: {label: X, color: red}\n",
    "verdict key not an id": "verdicts:\n  Bad_Key: {label: X}\n",
    "empty scale": "verdicts: {}\n",
    "contact email": "contact: desk@example.org\n",
    "contact mailto": "contact: mailto:desk@example.org\n",
    "contact URL": "contact: https://example.org/contact\n",
    "contact words": "contact: call us\n",
    "language": "language: pt-BR\n",
    "bad language": "language: english!\n",
    "ftp base_url": "base_url: ftp://example.org/\n",
    "publisher": "publisher: {name: Desk, url: https://example.org}\n",
    "publisher without name": "publisher: {url: https://example.org}\n",
    "unknown key": "titel: Desk\n",
}


def as_the_validator_reads(text: str):
    """Load YAML the way the validator sees it: every scalar is text, except its nulls."""

    def convert(node):
        if isinstance(node, yaml.MappingNode):
            return {key.value: convert(value) for key, value in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [convert(item) for item in node.value]
        return None if validate._is_null(node) else node.value

    node = parse_yaml("x.yaml", text, Report()).node
    return None if node is None else convert(node)


def schema_accepts(json_schema: dict, text: str) -> bool:
    checker = jsonschema.Draft7Validator(
        json_schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    return checker.is_valid(as_the_validator_reads(text))


def validator_accepts_check(text: str, config=None) -> bool:
    report = Report()
    config = config or validate.validate_config(None, Report(), None)
    validate.validate_check(
        CHECK_PATH, "river-length", text, tuple(v.key for v in config.verdicts), report
    )
    return not report.errors


def validator_accepts_site(text: str) -> bool:
    report = Report()
    validate.validate_config(text, report, None)
    return not report.errors


@pytest.mark.parametrize(
    "text", [*CORPUS_CHECKS.values(), *MORE_CHECKS.values()], ids=[*CORPUS_CHECKS, *MORE_CHECKS]
)
def test_check_schema_agrees_with_the_validator(text):
    assert schema_accepts(schema.check_schema(), text) == validator_accepts_check(text)


def test_the_examples_cover_valid_and_invalid_checks():
    outcomes = [
        validator_accepts_check(t) for t in [*CORPUS_CHECKS.values(), *MORE_CHECKS.values()]
    ]
    assert outcomes.count(True) >= 4
    assert outcomes.count(False) >= 15


@pytest.mark.parametrize("path", sorted((REPO / "checks").rglob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_check_is_valid_to_both(path):
    text = path.read_text("utf-8")
    assert validator_accepts_check(text)
    assert schema_accepts(schema.check_schema(), text)


@pytest.mark.parametrize("text", SITES.values(), ids=SITES.keys())
def test_site_schema_agrees_with_the_validator(text):
    assert schema_accepts(schema.site_schema(), text) == validator_accepts_site(text)


def test_a_custom_scale_gives_its_own_verdicts():
    config = validate.validate_config(SITES["custom scale"], Report(), None)
    check_schema = schema.check_schema(tuple(v.key for v in config.verdicts))
    for verdict, valid in (("correct", True), ("false", False)):
        text = CHECK.replace("verdict: false", f"verdict: {verdict}")
        assert validator_accepts_check(text, config) is valid
        assert schema_accepts(check_schema, text) is valid


def test_editors_that_type_booleans_and_numbers_are_not_flagged():
    """yaml-language-server reads YAML 1.2: `verdict: false` is a boolean there."""
    check = {
        "claim": 10,
        "claimant": True,
        "verdict": False,
        "summary": "s",
        "sources": [{"title": "t", "url": "https://example.org"}],
        "checked_on": "2024-01-01",
    }
    jsonschema.validate(check, schema.check_schema())
    jsonschema.validate(
        {"strict": False, "verdicts": {"x": {"label": "X", "rating": 2}}}, schema.site_schema()
    )


def test_shipped_schemas_are_what_the_generator_writes():
    for name, generated in (
        (schema.CHECK_SCHEMA, schema.check_schema()),
        (schema.SITE_SCHEMA, schema.site_schema()),
    ):
        shipped = (REPO / "schemas" / name).read_text("utf-8")
        assert shipped == schema.render(generated), f"run `python -m factcheck.schema` ({name})"
        jsonschema.Draft7Validator.check_schema(json.loads(shipped))


def test_a_site_schema_for_a_custom_scale(tmp_path, capsys):
    (tmp_path / "site.yaml").write_text(SITES["custom scale"], encoding="utf-8")
    assert schema.main(["--src", str(tmp_path)]) == 0
    written = json.loads((tmp_path / "schemas" / schema.CHECK_SCHEMA).read_text("utf-8"))
    assert written["properties"]["verdict"]["enum"] == ["correct", "wrong"]
    assert "schemas/check.schema.json" in capsys.readouterr().out
    assert schema.main(["--src", str(tmp_path / "missing")]) == 2
