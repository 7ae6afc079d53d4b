"""Editorial lints: each a warning at the file, line and column of the value at fault (an
error under --strict); fewer independent sources than site.yaml's min_sources is an error."""

from __future__ import annotations

import pytest

from conftest import ARTICLE, CHECK

PATH = "checks/river-length.yaml"
HEAD = """\
claim: The river is ten miles long
claimant: The speaker
verdict: false
summary: The river is four miles long.
analysis: The survey and the atlas agree [1][2].
checked_on: 2024-03-01
"""
"""A check without sources, which each test gives (from line 7)."""


def sources(*entries: str) -> str:
    return "sources:\n" + "".join(entries)


def source(title: str, publisher: str = "", date: str = "") -> str:
    entry = f"  - title: {title}\n    url: https://example.org/{title.lower()}\n"
    entry += f"    publisher: {publisher}\n" if publisher else ""
    return entry + (f"    date: {date}\n" if date else "")


ONE_SOURCE = sources(source("Survey", "River Board"))


def diagnostics(run, make_site, files: dict[str, str | None], *args: str) -> tuple[int, list]:
    status, _, err = run("check", *args, "--src", make_site(files))
    return status, [line for line in err if ": warning: " in line or ": error: " in line]


def test_a_clean_site_has_no_findings(run, make_site):
    assert diagnostics(run, make_site, {}) == (0, [])
    assert diagnostics(run, make_site, {PATH: HEAD + ONE_SOURCE}) == (0, [])


def test_every_source_from_one_publisher(run, make_site):
    check = HEAD + sources(source("Survey", "River Board"), source("Atlas", "RIVER BOARD"))
    assert diagnostics(run, make_site, {PATH: check}) == (
        0,
        [
            f"{PATH}:7:1: warning: every source is from one publisher, 'River Board' "
            "(cite at least one independent source)"
        ],
    )


@pytest.mark.parametrize(
    "second",
    [source("Atlas", "Map Office"), source("Atlas")],
    ids=["another publisher", "no publisher: its own"],
)
def test_sources_from_two_publishers_pass(run, make_site, second):
    check = HEAD + sources(source("Survey", "River Board"), second)
    assert diagnostics(run, make_site, {PATH: check}) == (0, [])


def test_a_source_dated_after_checked_on_needs_an_update(run, make_site):
    late = sources(source("Survey", "River Board"), source("Atlas", "Map Office", "2024-03-05"))
    expected = [
        f"{PATH}:14:11: warning: source 2 is dated 2024-03-05, after checked_on 2024-03-01, "
        "and no update records it (add an entry to 'updates', dated 2024-03-05 or later, "
        "saying what it changed)"
    ]
    assert diagnostics(run, make_site, {PATH: HEAD + late}) == (0, expected)
    earlier = "updates:\n  - date: 2024-03-04\n    note: Fixed a typo.\n"
    assert diagnostics(run, make_site, {PATH: HEAD + late + earlier}) == (0, expected)
    recorded = "updates:\n  - date: 2024-03-05\n    note: Added the atlas.\n"
    assert diagnostics(run, make_site, {PATH: HEAD + late + recorded}) == (0, [])


def test_a_claim_date_after_checked_on(run, make_site):
    check = HEAD.replace("checked_on:", "claim_date: 2024-03-02\nchecked_on:") + ONE_SOURCE
    assert diagnostics(run, make_site, {PATH: check}) == (
        0,
        [
            f"{PATH}:6:13: warning: claim_date 2024-03-02 is after checked_on 2024-03-01 "
            "(a claim is checked after it is made: correct one of the dates)"
        ],
    )


def test_a_rated_verdict_needs_an_analysis(run, make_site):
    check = HEAD.replace("analysis: The survey and the atlas agree [1][2].\n", "") + ONE_SOURCE
    assert diagnostics(run, make_site, {PATH: check}) == (
        0,
        [
            f"{PATH}:3:10: warning: verdict 'false' has a rating, but the check has no analysis "
            "(add 'analysis': the reasoning that leads from the sources to the verdict)"
        ],
    )
    unrated = check.replace("verdict: false", "verdict: unproven")
    assert diagnostics(run, make_site, {PATH: unrated}) == (0, [])


@pytest.mark.parametrize(
    "claim, verdict, found",
    [
        ("It is false that the river is ten miles long", "false", "false"),
        ("The MOSTLY-FALSE story of a ten-mile river", "mostly-false", "MOSTLY-FALSE"),
        ("A half true tale: the river is long", "half-true", "half true"),
    ],
)
def test_a_claim_that_names_its_verdict(run, make_site, claim, verdict, found):
    check = HEAD.replace("The river is ten miles long", f'"{claim}"').replace(
        "verdict: false", f"verdict: {verdict}"
    )
    assert diagnostics(run, make_site, {PATH: check + ONE_SOURCE}) == (
        0,
        [
            f"{PATH}:1:8: warning: claim names its verdict, '{found}' (keep the verdict out of "
            "the claim: say what was claimed, in neutral words)"
        ],
    )


def test_another_verdicts_word_or_a_longer_word_is_not_the_verdict(run, make_site):
    check = HEAD.replace("The river is ten miles long", "The true length was falsely given")
    assert diagnostics(run, make_site, {PATH: check + ONE_SOURCE}) == (0, [])


UPDATED_ARTICLE = ARTICLE.replace(
    "published: 2024-03-01\n", "published: 2024-03-01\nupdated: 2024-03-02\n"
)


def test_an_article_updated_before_its_checks_last_update(run, make_site):
    update = "updates:\n  - date: 2024-03-03\n    note: Added a source.\n"
    files = {"content/demo.md": UPDATED_ARTICLE, PATH: CHECK + update}
    assert diagnostics(run, make_site, files) == (
        0,
        [
            "content/demo.md:4:10: warning: updated 2024-03-02 is before the last update of "
            "check 'river-length' (2024-03-03) (set updated to 2024-03-03 or later: the "
            "article shows that check)"
        ],
    )
    current = update.replace("2024-03-03", "2024-03-02")
    assert diagnostics(run, make_site, {**files, PATH: CHECK + current}) == (0, [])


def test_the_article_lint_follows_an_edited_check(run, make_site, tmp_path):
    """Across builds with the cache: a new update warns, its removal clears the warning."""
    src = make_site({"content/demo.md": UPDATED_ARTICLE})
    out = tmp_path / "out"
    assert run("build", "--src", src, "--out", out)[2] == []
    (src / PATH).write_text(CHECK + "updates:\n  - date: 2024-03-09\n    note: Added a map.\n")
    status, _, err = run("build", "--src", src, "--out", out)
    assert status == 0 and err[0].startswith("content/demo.md:4:10: warning: updated 2024-03-02")
    (src / PATH).write_text(CHECK)
    assert run("build", "--src", src, "--out", out)[2] == []


def test_min_sources_counts_independent_sources_and_is_an_error(run, make_site):
    site = {"site.yaml": "min_sources: 2\n"}
    expected = [
        f"{PATH}:7:1: error: needs at least 2 independent sources (site.yaml min_sources), "
        "found 1 (sources from the same publisher count as one)"
    ]
    assert diagnostics(run, make_site, {**site, PATH: HEAD + ONE_SOURCE}) == (1, expected)
    same = HEAD + sources(source("Survey", "River Board"), source("Atlas", "River Board"))
    assert diagnostics(run, make_site, {**site, PATH: same}) == (1, expected)
    two = HEAD + sources(source("Survey", "River Board"), source("Atlas", "Map Office"))
    assert diagnostics(run, make_site, {**site, PATH: two}) == (0, [])


def test_min_sources_must_be_a_whole_number(run, make_site):
    status, (found,) = diagnostics(run, make_site, {"site.yaml": "min_sources: none\n"})
    assert status == 1 and found.startswith("site.yaml:1:14: error: ")
    assert found.endswith("expected a whole number of at least 1, found 'none'")


def test_strict_makes_lints_errors_and_build_reports_them(run, make_site, tmp_path):
    check = HEAD.replace("checked_on:", "claim_date: 2024-03-02\nchecked_on:") + ONE_SOURCE
    status, found = diagnostics(run, make_site, {PATH: check}, "--strict")
    assert status == 1 and found == [
        f"{PATH}:6:13: error: claim_date 2024-03-02 is after checked_on 2024-03-01 "
        "(a claim is checked after it is made: correct one of the dates)"
    ]
    status, _, err = run("build", "--src", make_site({PATH: check}), "--out", tmp_path / "out")
    assert status == 0 and err[0].startswith(f"{PATH}:6:13: warning: claim_date")
