"""A corpus of bad inputs: each must give exactly these error lines, and nothing is written."""

from __future__ import annotations

import pytest

from conftest import ARTICLE, CHECK

CHECK_PATH = "checks/river-length.yaml"
ARTICLE_PATH = "content/demo.md"


def check_with(old: str, new: str) -> dict[str, str]:
    assert old in CHECK
    return {CHECK_PATH: CHECK.replace(old, new)}


def article_with(old: str, new: str) -> dict[str, str]:
    assert old in ARTICLE
    return {ARTICLE_PATH: ARTICLE.replace(old, new)}


CASES = {
    "verdict typo": (
        check_with("verdict: false", "verdict: mostly-flase"),
        [
            f"{CHECK_PATH}:3:10: error: unknown verdict 'mostly-flase' "
            "(did you mean 'mostly-false'?)"
        ],
    ),
    "key typo": (
        check_with("summary:", "sumary:"),
        [
            f"{CHECK_PATH}:1:1: error: missing required key 'summary' in a check",
            f"{CHECK_PATH}:4:1: error: unknown key 'sumary' in a check (did you mean 'summary'?)",
        ],
    ),
    "duplicate key": (
        check_with("verdict: false\n", "verdict: false\nverdict: true\n"),
        [f"{CHECK_PATH}:4:1: error: duplicate key 'verdict' (first given on line 3)"],
    ),
    "list where text belongs": (
        check_with("claimant: The speaker", "claimant:\n  - The speaker"),
        [f"{CHECK_PATH}:3:3: error: claimant: expected text, found a list"],
    ),
    "impossible date": (
        check_with("checked_on: 2024-03-01", "checked_on: 2024-02-30"),
        [
            f"{CHECK_PATH}:8:13: error: checked_on: '2024-02-30' is not a real date "
            "(day is out of range for month) (dates are written YYYY-MM-DD, e.g. 2021-10-23)"
        ],
    ),
    "date in another format": (
        check_with("checked_on: 2024-03-01", "checked_on: 01/03/2024"),
        [
            f"{CHECK_PATH}:8:13: error: checked_on: expected a date as YYYY-MM-DD, "
            "found '01/03/2024' "
            "(dates are written YYYY-MM-DD, e.g. 2021-10-23)"
        ],
    ),
    "ftp URL": (
        check_with("https://example.org/survey", "ftp://example.org/survey"),
        [
            f"{CHECK_PATH}:7:10: error: url: URL must start with http:// or https://, "
            "found 'ftp://example.org/survey'"
        ],
    ),
    "URL that cannot be parsed": (
        check_with("https://example.org/survey", "http://[bad"),
        [f"{CHECK_PATH}:7:10: error: url: 'http://[bad' is not a valid URL (Invalid IPv6 URL)"],
    ),
    "javascript URL": (
        check_with("https://example.org/survey", "javascript:alert(1)"),
        [
            f"{CHECK_PATH}:7:10: error: url: URL must start with http:// or https://, "
            "found 'javascript:alert(1)'"
        ],
    ),
    "URL with a character that must be encoded": (
        check_with("https://example.org/survey", "https://example.org/q?<script>"),
        [
            f"{CHECK_PATH}:7:10: error: url: 'https://example.org/q?<script>' is not a valid URL: "
            "'<' must be percent-encoded (%3C)"
        ],
    ),
    "not UTF-8": (
        {CHECK_PATH: CHECK.replace("four", "f\xf6ur").encode("latin-1")},
        [
            f"{CHECK_PATH}:4:24: error: file is not valid UTF-8 (byte 0xf6) "
            "(save the file with UTF-8 encoding)"
        ],
    ),
    "tab indentation": (
        check_with("    url:", "\turl:"),
        [
            f"{CHECK_PATH}:7:1: error: tab character in indentation "
            "(YAML is indented with spaces only)"
        ],
    ),
    "YAML syntax": (
        check_with("claimant: The speaker", 'claimant: "The speaker'),
        [
            f'{CHECK_PATH}:2:11: error: the text quoted with " here is never closed '
            '(end it with "; to write " inside it, write \\")'
        ],
    ),
    "marker names a missing check": (
        article_with("{claim=river-length}", "{claim=river-lenght}"),
        [f"{ARTICLE_PATH}:6:23: error: no check 'river-lenght' (did you mean 'river-length'?)"],
    ),
    "unmarked check": (
        {"checks/extra.yaml": CHECK},
        [
            "checks/extra.yaml:1:1: error: check 'extra' is not marked in any article "
            "(mark it in an article as [text]{claim=extra}, or set 'strict: false')"
        ],
    ),
    "same id in two folders": (
        {"checks/2024/river-length.yaml": CHECK},
        [
            f"{CHECK_PATH}:1:1: error: duplicate claim id 'river-length' "
            "(also checks/2024/river-length.yaml; ids are unique across all folders)"
        ],
    ),
    "file name is not an id": (
        {"checks/River_Length.yaml": CHECK},
        [
            "checks/River_Length.yaml:1:1: error: 'River_Length' is not a valid check name "
            "(use lowercase letters, digits and single hyphens, e.g. 'river-length')"
        ],
    ),
    "article named like a folder of the site": (
        {"content/page.md": "---\ntitle: Pages\npublished: 2024-01-01\n---\nText.\n"},
        [
            "content/page.md:1:1: error: 'page' is the name of a folder the site uses "
            "(rename the article file)"
        ],
    ),
    "stray file in content": (
        {"content/notes.txt": "todo"},
        [
            "content/notes.txt:1:1: error: unexpected file 'notes.txt' "
            "(content/ holds only articles named <slug>.md)"
        ],
    ),
    "marker id not valid": (
        article_with("{claim=river-length}", "{claim=River_Length}"),
        [
            f"{ARTICLE_PATH}:6:23: error: invalid claim id 'River_Length' (ids use lowercase "
            "letters, digits and single hyphens, e.g. 'river-length')"
        ],
    ),
    "marker attribute typo": (
        article_with("{claim=river-length}", "{clam=river-length}"),
        [f"{ARTICLE_PATH}:6:23: error: unknown marker attribute 'clam' (did you mean 'claim'?)"],
    ),
    "marker not closed": (
        article_with("{claim=river-length} at the rally.", "{claim=river-length at the rally."),
        [
            f"{ARTICLE_PATH}:6:23: error: claim marker is not closed with '}}' "
            "(write [text]{claim=ID} on one line)"
        ],
    ),
    "no sources": (
        check_with(
            "sources:\n  - title: River survey\n    url: https://example.org/survey\n",
            "sources: []\n",
        ),
        [f"{CHECK_PATH}:5:10: error: sources: needs at least one entry"],
    ),
    "source is not a mapping": (
        check_with(
            "  - title: River survey\n    url: https://example.org/survey\n",
            "  - https://example.org/survey\n",
        ),
        [
            f"{CHECK_PATH}:6:5: error: sources: expected a source as keys and values, "
            "found 'https://example.org/survey' "
            "(write it as {title: ..., url: https://example.org/survey})"
        ],
    ),
    "stance typo": (
        check_with(
            "    url: https://example.org/survey\n",
            "    url: https://example.org/survey\n    stance: refute\n",
        ),
        [f"{CHECK_PATH}:8:13: error: unknown stance 'refute' (did you mean 'refutes'?)"],
    ),
    "updates out of order": (
        check_with(
            "checked_on: 2024-03-01\n",
            "checked_on: 2024-03-01\nupdates:\n"
            "  - {date: 2024-03-09, note: Second}\n  - {date: 2024-03-05, note: First}\n",
        ),
        [f"{CHECK_PATH}:10:3: error: updates must be listed oldest first"],
    ),
    "empty check": (
        {CHECK_PATH: ""},
        [
            f"{CHECK_PATH}:1:1: error: the check file is empty (write claim, claimant, "
            "verdict, summary, sources and checked_on)"
        ],
    ),
    "missing front matter": (
        {ARTICLE_PATH: "Just text [claim]{claim=river-length}.\n"},
        [
            f"{ARTICLE_PATH}:1:1: error: missing front matter (start the file with a '---' "
            "line, the title and published date, then another '---' line)"
        ],
    ),
    "front matter key typo": (
        article_with("title:", "titel:"),
        [
            f"{ARTICLE_PATH}:2:1: error: missing required key 'title' in front matter",
            f"{ARTICLE_PATH}:2:1: error: unknown key 'titel' in front matter "
            "(did you mean 'title'?)",
        ],
    ),
    "front matter date": (
        article_with("published: 2024-03-01", "published: March 2024"),
        [
            f"{ARTICLE_PATH}:3:12: error: published: expected a date as YYYY-MM-DD, "
            "found 'March 2024' "
            "(dates are written YYYY-MM-DD, e.g. 2021-10-23)"
        ],
    ),
    "bad language tag": (
        article_with("summary:", "lang: english!\nsummary:"),
        [
            f"{ARTICLE_PATH}:4:7: error: lang: 'english!' is not a language tag "
            "(use a BCP 47 tag such as 'en', 'ar' or 'pt-BR')"
        ],
    ),
    "site.yaml strict not a boolean": (
        {"site.yaml": "title: Desk\nstrict: maybe\n"},
        ["site.yaml:2:9: error: strict: expected true or false, found 'maybe'"],
    ),
    "site.yaml scale entry typo": (
        {"site.yaml": "verdicts:\n  false:\n    label: False\n    ratng: 1\n"},
        ["site.yaml:4:5: error: unknown key 'ratng' in a verdict (did you mean 'rating'?)"],
    ),
    "site.yaml contact": (
        {"site.yaml": "contact: call us\n"},
        [
            "site.yaml:1:10: error: contact: expected an email address or http(s) URL, "
            "found 'call us'"
        ],
    ),
}


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_bad_input_reports_exact_lines(make_site, run, tmp_path, files, expected):
    src = make_site(files)
    status, _, err = run("build", "--src", src, "--out", tmp_path / "out")
    diagnostics = [line for line in err if ": error: " in line or ": warning: " in line]
    assert sorted(diagnostics) == sorted(expected)
    assert status == 1
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in "\n".join(err)


def test_corpus_is_large_enough():
    assert len(CASES) >= 20


def test_yaml_1_1_words_stay_text(make_site, run):
    """`verdict: false` is the verdict false; `no` is the word; `010` stays text."""
    src = make_site(
        check_with("claimant: The speaker", "claimant: no") | {"site.yaml": "title: 010\n"}
    )
    status, _, err = run("check", "--src", src)
    assert status == 0, err
    from factcheck import pipeline

    result = pipeline.render_all(src)
    reviews = result.files["claims.json"].decode()
    assert '"alternateName": "False"' in reviews
    assert '"name": "no"' in reviews
    assert "010" in result.files["index.html"].decode()


def test_long_claim_is_a_warning_not_an_error(make_site, run):
    long_claim = "The river " + "is very long " * 8
    src = make_site(check_with("claim: The river is ten miles long", f"claim: {long_claim}"))
    status, _, err = run("check", "--src", src)
    assert status == 0
    assert err[0] == (
        f"{CHECK_PATH}:1:8: warning: claim is {len(long_claim.strip())} "
        "characters long (search engines advise at most 75)"
    )


def test_unmarked_check_is_a_warning_when_not_strict(make_site, run):
    src = make_site({"checks/extra.yaml": CHECK, "site.yaml": "strict: false\n"})
    status, _, err = run("check", "--src", src)
    assert status == 0
    assert err == [
        "checks/extra.yaml:1:1: warning: check 'extra' is not marked in any "
        "article (mark it in an article as [text]{claim=extra})"
    ]


def test_empty_optional_key_is_absent_and_empty_required_key_is_reported(make_site, run):
    src = make_site(check_with("checked_on: 2024-03-01", "checked_on: 2024-03-01\nclaim_date:"))
    assert run("check", "--src", src)[0] == 0
    src = make_site(check_with("claimant: The speaker", "claimant:"))
    status, _, err = run("check", "--src", src)
    assert status == 1
    assert err[0] == f"{CHECK_PATH}:2:1: error: 'claimant' needs a value"
