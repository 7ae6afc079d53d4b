"""Claimant and topic pages: names made into ids, clashes reported where they are written,
every claimant and topic listed, each page's checks newest first with a tally that counts."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import write_tree
from factcheck import paths, pipeline
from factcheck.features.claimants import Claimants
from factcheck.features.topics import Topics
from factcheck.options import BuildOptions

REPO = Path(__file__).resolve().parent.parent
ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def check(claimant: str, verdict: str, day: str, topics: str = "", **more: str) -> str:
    lines = [
        "claim: A claim",
        f"claimant: {claimant}",
        f"verdict: {verdict}",
        "summary: What we found.",
        "sources:",
        "  - title: Record",
        "    url: https://example.org/record",
        f"checked_on: {day}",
        *(f"{key}: {value}" for key, value in more.items()),
    ]
    if topics:
        lines.append(f"topics: [{topics}]")
    return "\n".join(lines) + "\n"


def article(claims: list[str], published: str = "2024-05-01", topics: str = "") -> str:
    marks = " ".join(f"[words {c}]{{claim={c}}}." for c in claims)
    front = f"title: Checking {published}\npublished: {published}\n"
    if topics:
        front += f"topics: [{topics}]\n"
    return f"---\n{front}---\nThey said {marks}\n"


def site(root: Path, checks: dict[str, str], articles: dict[str, str] | None = None) -> Path:
    files = {f"checks/{i}.yaml": text for i, text in checks.items()}
    files |= {f"content/{slug}.md": text for slug, text in (articles or {}).items()}
    if articles is None:
        files["content/story.md"] = article(list(checks))
    return write_tree(root / "src", files)


def build(run: Callable[..., tuple[int, str, list[str]]], src: Path, out: Path | None = None):
    """Build (or with no `out`, check) with the command line: the status and the errors."""
    status, _, err = run("build", "--src", src, "--out", out) if out else run("check", "--src", src)
    return status, [line for line in err if ": error: " in line]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def chips(page: BeautifulSoup, where: str) -> dict[str, int]:
    """The tally a page shows: verdict label -> count, read off the chips."""
    found = {}
    for chip in page.select(f"{where} .chip"):
        count = chip.select_one(".chip-count")
        found[chip.get_text(" ", strip=True).removeprefix(count.get_text()).strip()] = int(
            count.get_text()
        )
    return found


def target(out: Path, page: str, href: str) -> Path:
    """The file a relative link on `page` opens."""
    return out / posixpath.normpath(posixpath.join(posixpath.dirname(page), href))


# --- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Lloyd Austin", "lloyd-austin"),
        ("  lloyd   AUSTIN ", "lloyd-austin"),
        ("US foreign policy", "us-foreign-policy"),
        ("Владимир Путин", "vladimir-putin"),
        ("Shah Mahmood Qureshi", "shah-mahmood-qureshi"),
        ("شاه محمود قریشی", "shh-mhmwd-qryshy"),
        ("習近平", "xijinping"),
        ("José Ramos-Horta", "jose-ramos-horta"),
        ("Straße & Ærø", "strasse-aero"),
        ("O'Brien", "obrien"),
        ("Biden\u2019s White House", "bidens-white-house"),
        ("AT&T", "at-t"),
        ("\uff2c\uff4c\uff4f\uff59\uff44", "lloyd"),
        ("?!—", ""),
    ],
)
def test_names_become_ascii_ids(name, expected):
    assert paths.name_id(name) == expected
    assert expected == "" or ID.fullmatch(expected)


def test_a_long_name_is_cut_at_a_hyphen():
    made = paths.name_id("The Committee for " + "Very " * 40 + "Long Names")
    assert ID.fullmatch(made) and len(made) <= paths.NAME_ID_MAX
    assert made.startswith("the-committee-for-very-") and made.endswith("very")


def test_names_differing_only_in_spacing_are_one_claimant(tmp_path, run):
    src = site(
        tmp_path,
        {
            "one": check("Lloyd Austin", "true", "2024-01-01", claimant_type="person"),
            "two": check("Lloyd  Austin", "false", "2024-02-01", claimant_type="person"),
        },
    )
    status, err = build(run, src, tmp_path / "out")
    assert status == 0, err
    page = soup(tmp_path / "out/claimants/lloyd-austin/index.html")
    assert page.h1.get_text(strip=True) == "Lloyd Austin"
    assert len(page.select(".listed-check")) == 2
    assert page.select_one(".kicker").get_text() == "Person"


def test_two_names_with_one_id_are_an_error_at_the_second(tmp_path, run):
    src = site(
        tmp_path,
        {
            "alpha": check("Lloyd Austin", "true", "2024-01-01"),
            "beta": check("lloyd austin", "false", "2024-02-01"),
            "gamma": check("Lloyd Austin", "false", "2024-03-01"),
        },
    )
    status, err = build(run, src, tmp_path / "out")
    assert status == 1
    assert err[0] == (
        "checks/beta.yaml:2:11: error: claimant 'lloyd austin' makes the same id "
        "'lloyd-austin' as 'Lloyd Austin' in checks/alpha.yaml "
        "(use the same spelling as in checks/alpha.yaml)"
    )
    assert len(err) == 1
    assert not (tmp_path / "out").exists()


def test_check_reports_a_clash_too(tmp_path, run):
    src = site(
        tmp_path,
        {"a": check("NATO", "true", "2024-01-01"), "b": check("Nato", "true", "2024-01-02")},
    )
    status, err = build(run, src)
    assert status == 1
    assert err[0].startswith("checks/b.yaml:2:11: error: claimant 'Nato' makes the same id")


def test_a_name_with_no_letter_or_digit_is_an_error(tmp_path, run):
    src = site(tmp_path, {"a": check('"?!"', "true", "2024-01-01")})
    status, err = build(run, src, tmp_path / "out")
    assert status == 1
    assert err[0].startswith("checks/a.yaml:2:")
    assert "claimant '?!' has no letter or digit" in err[0]
    assert "write the name in letters" in err[0]


def test_topic_clash_between_an_article_and_a_check_names_both_files(tmp_path, run):
    src = site(
        tmp_path,
        {"a": check("Someone", "true", "2024-01-01", topics="Elections, Health care")},
        {"story": article(["a"], topics="Foreign aid, Health Care")},
    )
    status, err = build(run, src, tmp_path / "out")
    assert status == 1
    # checks/ comes before content/ in path order: the article's spelling is the second.
    assert err[0] == (
        "content/story.md:4:23: error: topic 'Health Care' makes the same id 'health-care' "
        "as 'Health care' in checks/a.yaml (use the same spelling as in checks/a.yaml)"
    )


def test_topic_clash_in_a_block_list_points_at_its_line(tmp_path, run):
    text = check("Someone", "true", "2024-01-01") + "topics:\n  - Elections\n  - ELECTIONS\n"
    src = site(tmp_path, {"a": text})
    status, err = build(run, src, tmp_path / "out")
    assert status == 1
    assert err[0].startswith("checks/a.yaml:11:5: error: topic 'ELECTIONS' makes the same id")


# --- pages -----------------------------------------------------------------------------------

VERDICTS = {  # id: (claimant, verdict, checked_on)
    "c1": ("Lloyd Austin", "true", "2024-01-05"),
    "c2": ("Lloyd Austin", "false", "2024-03-01"),
    "c3": ("Lloyd Austin", "false", "2024-02-10"),
    "c4": ("Lloyd Austin", "mostly-true", "2024-02-11"),
    "c5": ("Lloyd Austin", "false", "2023-12-31"),
    "c6": ("Shah Mahmood Qureshi", "unproven", "2024-01-01"),
}


@pytest.fixture
def tallied(tmp_path):
    checks = {
        i: check(who, verdict, day, topics="Afghanistan" if i in ("c2", "c6") else "")
        for i, (who, verdict, day) in VERDICTS.items()
    }
    articles = {
        "early": article(["c1", "c2", "c3"], "2024-03-02", topics="Afghanistan, US military"),
        "late": article(["c4", "c5", "c6"], "2024-04-01"),
    }
    src = site(tmp_path, checks, articles)
    out = tmp_path / "out"
    pipeline.build(src, out, BuildOptions(page_size=2))
    return out


def test_claimant_pages_tally_and_list_newest_first(tallied):
    pages = sorted(p.relative_to(tallied).as_posix() for p in tallied.glob("claimants/**/*.html"))
    assert pages == [
        "claimants/index.html",
        "claimants/lloyd-austin/index.html",
        "claimants/lloyd-austin/page/2/index.html",
        "claimants/lloyd-austin/page/3/index.html",
        "claimants/shah-mahmood-qureshi/index.html",
    ]
    listed, dates = [], []
    first = soup(tallied / pages[1])
    assert chips(first, ".scorecard") == {"True": 1, "Mostly true": 1, "False": 3}
    assert "not a random sample" in first.select_one(".scorecard-caveat").get_text()
    for page in pages[1:4]:
        html = soup(tallied / page)
        if page != pages[1]:  # the tally is on the first page; the later ones link to it
            assert not html.select(".scorecard")
            link = html.select_one(".scorecard-link a")["href"]
            assert link.endswith("#scorecard-title")
            assert target(tallied, page, link.split("#")[0]) == tallied / pages[1]
        for row in html.select(".listed-check"):
            listed.append(target(tallied, page, row.select_one(".listed-claim a")["href"]))
            dates.append(row.select_one("time")["datetime"])
    assert dates == ["2024-03-01", "2024-02-11", "2024-02-10", "2024-01-05", "2023-12-31"]
    assert [p.parent.name for p in listed] == ["c2", "c4", "c3", "c1", "c5"]
    assert all(p.is_file() for p in listed)


def test_claimant_pages_link_newer_and_older(tallied):
    first = soup(tallied / "claimants/lloyd-austin/index.html")
    middle = soup(tallied / "claimants/lloyd-austin/page/2/index.html")
    assert first.select_one(".pagination .older a")["href"] == "page/2/index.html"
    assert not first.select(".pagination .newer")
    assert middle.select_one(".pagination .newer a")["href"] == "../../index.html"
    assert middle.select_one(".pagination .older a")["href"] == "../3/index.html"
    assert "page 2 of 3" in middle.title.get_text()


def test_the_claimants_index_lists_every_claimant_a_to_z(tallied):
    index = soup(tallied / "claimants/index.html")
    names = [
        (a.get_text(), a.find_next_sibling("span").get_text()) for a in index.select(".name-list a")
    ]
    assert names == [("Lloyd Austin", "5 claims"), ("Shah Mahmood Qureshi", "1 claim")]
    assert [a.get_text() for a in index.select(".initials a")] == ["L", "S"]
    for link in index.select(".name-list a"):
        assert target(tallied, "claimants/index.html", link["href"]).is_file()


def test_claim_and_article_pages_link_to_claimant_and_topic_pages(tallied):
    claim = "early/c2/index.html"
    page = soup(tallied / claim)
    by = page.select_one(".claim-by a")
    assert target(tallied, claim, by["href"]) == tallied / "claimants/lloyd-austin/index.html"
    topics = page.select(".topic-links a")
    assert [a.get_text() for a in topics] == ["Afghanistan"]
    assert target(tallied, claim, topics[0]["href"]) == tallied / "topics/afghanistan/index.html"
    story = soup(tallied / "early/index.html")
    assert [a.get_text() for a in story.select(".topic-links a")] == ["Afghanistan", "US military"]
    for link in story.select(".check-claimant a, .topic-links a"):
        assert target(tallied, "early/index.html", link["href"]).is_file()
    nav = [a["href"] for a in story.select(".site-nav a")]
    assert "../claimants/index.html" in nav and "../topics/index.html" in nav


def test_topic_pages_list_articles_and_checks_newest_first(tallied):
    items = []
    for path in ("topics/afghanistan/index.html", "topics/afghanistan/page/2/index.html"):
        page = soup(tallied / path)
        assert page.h1.get_text(strip=True) == "Afghanistan"
        for li in page.select(".listed-checks > li"):
            link = target(tallied, path, li.select_one(".listed-claim a")["href"])
            assert link.is_file()
            day = li.select("time")[-1]["datetime"]
            items.append((li["class"][0], link.relative_to(tallied).as_posix(), day))
    assert items == [
        ("listed-article", "early/index.html", "2024-03-02"),
        ("listed-check", "early/c2/index.html", "2024-03-01"),
        ("listed-check", "late/c6/index.html", "2024-01-01"),
    ]
    index = soup(tallied / "topics/index.html")
    listed = [
        (a.get_text(), a.find_next_sibling("span").get_text()) for a in index.select(".name-list a")
    ]
    assert listed == [("Afghanistan", "1 fact check, 2 claims"), ("US military", "1 fact check")]


def test_topic_pages_page_through_a_long_topic(tmp_path):
    checks = {f"t{n}": check("X", "true", f"2024-01-{n:02}", topics="Budget") for n in range(1, 6)}
    src = site(tmp_path, checks)
    out = tmp_path / "out"
    pipeline.build(src, out, BuildOptions(page_size=2))
    dates = []
    for page in ("", "page/2/", "page/3/"):
        html = soup(out / f"topics/budget/{page}index.html")
        dates += [t["datetime"] for t in html.select(".listed-checks time")]
    assert dates == ["2024-01-05", "2024-01-04", "2024-01-03", "2024-01-02", "2024-01-01"]


def test_a_translated_check_is_listed_but_counted_once(tmp_path):
    src = site(
        tmp_path,
        {
            "orig": check("Lloyd Austin", "false", "2024-01-01"),
            "copy": check("Lloyd Austin", "false", "2024-01-02", translation_of="orig"),
            "other": check("Lloyd Austin", "true", "2024-01-03"),
        },
        {
            "story": article(["orig", "other"]),
            "historia": article(["copy"]).replace("---\ntitle", "---\nlang: es\ntitle"),
        },
    )
    out = tmp_path / "out"
    pipeline.build(src, out)
    page = soup(out / "claimants/lloyd-austin/index.html")
    assert len(page.select(".listed-check")) == 3
    assert chips(page, ".scorecard") == {"True": 1, "False": 1}
    assert "counted once" in page.select_one(".scorecard-caveat").get_text()


def test_an_empty_site_still_has_both_index_pages(tmp_path):
    src = write_tree(
        tmp_path / "src", {"content/only.md": "---\ntitle: T\npublished: 2024-01-01\n---\nText.\n"}
    )
    out = tmp_path / "out"
    pipeline.build(src, out)
    assert "No claims have been checked yet" in (out / "claimants/index.html").read_text()
    assert "No fact checks have topics yet" in (out / "topics/index.html").read_text()


def test_the_example_has_sensible_claimant_and_topic_pages(tmp_path):
    out = tmp_path / "out"
    pipeline.build(REPO, out)
    claims = list((REPO / "checks").rglob("*.yaml"))
    originals = [p for p in claims if "\ntranslation_of:" not in p.read_text()]
    page = soup(out / "claimants/the-new-arab/index.html")
    assert page.h1.get_text(strip=True) == "The New Arab"
    assert page.select_one(".kicker").get_text() == "Organization"
    assert len(page.select(".listed-check")) == len(claims)
    assert sum(chips(page, ".scorecard").values()) == len(originals) < len(claims)
    topics = sorted(p.parent.name for p in out.glob("topics/*/index.html"))
    assert topics == [
        "afghanistan",
        "counterterrorism",
        "pakistan",
        "us-foreign-policy",
        "us-military",
    ]
    afghanistan = soup(out / "topics/afghanistan/index.html")
    assert len(afghanistan.select(".listed-article")) == 1
    assert len(afghanistan.select(".listed-check")) == 8


# --- incremental -------------------------------------------------------------------------------


def counted(render: Callable[..., bytes], name: str, rendered: list[str]) -> Callable[..., bytes]:
    def counting(self: object, reads: object, arg: str) -> bytes:
        rendered.append(f"{name} {arg}")
        return render(self, reads, arg)

    return counting


def test_an_edit_renders_again_only_the_pages_that_show_it(tmp_path, monkeypatch):
    """Counted by wrapping each renderer: an unchanged page is not even rendered."""
    rendered: list[str] = []
    for feature, method, name in (
        (Claimants, "_index_page", "claimants-page"),
        (Claimants, "_claimant_page", "claimant-page"),
        (Topics, "_index_page", "topics-page"),
        (Topics, "_topic_page", "topic-page"),
    ):
        monkeypatch.setattr(feature, method, counted(getattr(feature, method), name, rendered))
    src = site(
        tmp_path,
        {
            "a": check("Lloyd Austin", "true", "2024-01-01", topics="Budget"),
            "b": check("Shah Mahmood Qureshi", "false", "2024-01-02", topics="Trade"),
        },
    )
    out = tmp_path / "out"
    pipeline.build(src, out)
    assert len(rendered) == 6
    rendered.clear()
    edited = check("Shah Mahmood Qureshi", "half-true", "2024-01-02", topics="Trade")
    (src / "checks/b.yaml").write_text(edited)
    pipeline.build(src, out)
    assert sorted(rendered) == ["claimant-page shah-mahmood-qureshi/1", "topic-page trade/1"]
    rendered.clear()
    (src / "checks/b.yaml").write_text(edited.replace("Shah Mahmood Qureshi", "Imran Khan"))
    pipeline.build(src, out)
    assert sorted(rendered) == [
        "claimant-page imran-khan/1",
        "claimants-page ",
        "topic-page trade/1",
    ]
    assert not (out / "claimants/shah-mahmood-qureshi").exists()
    assert pipeline.render_all(src).files == {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_a_verdict_changed_renders_again_the_first_page_and_the_one_listing_it(
    tmp_path, monkeypatch
):
    """Only a claimant's first page shows the tally: the other pages of a long list stay."""
    rendered: list[str] = []
    render = counted(Claimants._claimant_page, "claimant-page", rendered)
    monkeypatch.setattr(Claimants, "_claimant_page", render)
    days = ["2024-01-05", "2024-01-04", "2024-01-03", "2024-01-02", "2024-01-01"]
    checks = {f"c{n}": check("Lloyd Austin", "true", day) for n, day in enumerate(days)}
    src, out = site(tmp_path, checks), tmp_path / "out"
    pipeline.build(src, out, BuildOptions(page_size=2))
    assert len(rendered) == 3
    rendered.clear()
    (src / "checks/c4.yaml").write_text(check("Lloyd Austin", "false", days[4]))  # on page 3
    pipeline.build(src, out, BuildOptions(page_size=2))
    assert sorted(rendered) == ["claimant-page lloyd-austin/1", "claimant-page lloyd-austin/3"]
    first = soup(out / "claimants/lloyd-austin/index.html")
    assert chips(first, ".scorecard") == {"True": 4, "False": 1}
    assert pipeline.render_all(src, BuildOptions(page_size=2)).files == {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
