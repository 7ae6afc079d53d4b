"""Incremental builds are never stale: after any edits, the output equals a cold build's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_tree
from factcheck import pipeline, render
from factcheck.write import MANIFEST

BASE = "https://example.org/checks/"  # so the sitemap and feed are built and checked too
VERDICTS = ("true", "mostly-true", "half-true", "mostly-false", "false", "unproven")


def article(title: str, published: str, claims: list[str]) -> str:
    marks = " ".join(f"Then [claim words {c}]{{claim={c}}} was said." for c in claims)
    return f"---\ntitle: {title}\npublished: {published}\n---\nIntro text. {marks}\n"


def check(claim_id: str, verdict: str) -> str:
    day = 1 + VERDICTS.index(verdict)  # a new verdict is a new date: the sitemap changes
    return (f"claim: Claim {claim_id}\nclaimant: Someone\nverdict: {verdict}\n"
            f"summary: Summary of {claim_id}.\nsources:\n  - title: Source\n"
            f"    url: https://example.org/{claim_id}\nchecked_on: 2024-01-0{day}\n")


def initial(src: Path) -> None:
    write_tree(src, {
        "site.yaml": "title: Desk\nstrict: false\n",
        "content/first.md": article("First", "2024-01-01", ["a", "b"]),
        "content/second.md": article("Second", "2024-02-01", ["b", "c"]),
        "content/third.md": article("Third", "2024-03-01", ["d"]),
        "checks/a.yaml": check("a", "true"), "checks/b.yaml": check("b", "false"),
        "checks/c.yaml": check("c", "unproven"), "checks/d.yaml": check("d", "half-true"),
    })


def set_verdict(src: Path, pick: int, verdict: str) -> None:
    files = sorted((src / "checks").glob("*.yaml"))
    if files:
        path = files[pick % len(files)]
        path.write_text(check(path.stem, verdict))


def edit_template(src: Path, pick: int, verdict: str) -> None:
    builtin = Path(__file__).resolve().parent.parent / "templates"
    name = ("marker.html", "claim.html", "index.html")[pick % 3]
    text = (builtin / name).read_text()
    write_tree(src, {f"templates/{name}": text.replace("Read the full check", f"More ({verdict})")
                     .replace("</main>", f"<!-- {verdict} --></main>")})


def rename_check(src: Path, pick: int, verdict: str) -> None:
    files = sorted((src / "checks").glob("*.yaml"))
    if not files:
        return
    old = files[pick % len(files)].stem
    new = f"{old}-{verdict}"
    (src / "checks" / f"{old}.yaml").rename(src / "checks" / f"{new}.yaml")
    for path in (src / "content").glob("*.md"):
        path.write_text(path.read_text().replace(f"{{claim={old}}}", f"{{claim={new}}}"))


def delete_article(src: Path, pick: int, verdict: str) -> None:
    files = sorted((src / "content").glob("*.md"))
    if len(files) > 1:
        files[pick % len(files)].unlink()


def edit_site(src: Path, pick: int, verdict: str) -> None:
    (src / "site.yaml").write_text(f"title: Desk {verdict}\nstrict: false\n")


def edit_article(src: Path, pick: int, verdict: str) -> None:
    files = sorted((src / "content").glob("*.md"))
    if files:
        path = files[pick % len(files)]
        path.write_text(path.read_text().replace("Intro text.", f"Intro text, {verdict}."))


def add_article(src: Path, pick: int, verdict: str) -> None:
    claims = sorted(p.stem for p in (src / "checks").glob("*.yaml"))[: pick % 3 + 1]
    write_tree(src, {f"content/new-{verdict}.md": article(f"New {verdict}", "2023-12-01",
                                                          claims)})


EDITS = (set_verdict, edit_template, rename_check, delete_article, edit_site, edit_article,
         add_article)


def output(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in out.rglob("*") if p.is_file() and p.name != MANIFEST}


@pytest.mark.parametrize("in_memory", [False, True], ids=["from-file", "kept-in-memory"])
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 5), st.sampled_from(VERDICTS)),
                min_size=1, max_size=5))
def test_incremental_output_equals_a_cold_build(tmp_path, monkeypatch, in_memory, edits):
    """From the cache file, as the command line builds, or from memory, as `serve` does."""
    monkeypatch.setattr(render, "INDEX_PAGE_SIZE", 1)  # pages come and go with articles
    monkeypatch.setattr(render, "FEED_ENTRIES", 2)  # and in and out of the feed
    root = tmp_path / "case"
    shutil.rmtree(root, ignore_errors=True)
    src, out = root / "src", root / "out"
    memory = {} if in_memory else None
    initial(src)
    pipeline.build(src, out, BASE, memory=memory)
    for edit, pick, verdict in edits:
        edit(src, pick, verdict)
        pipeline.build(src, out, BASE, memory=memory)
        assert output(out) == pipeline.check(src, BASE).files, f"stale after {edit.__name__}"


def test_an_edit_renders_only_the_index_page_that_lists_the_article(make_site, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr(render, "INDEX_PAGE_SIZE", 1)
    src, out = make_site({"content/older.md": article("Older", "2020-01-01", [])}), tmp_path / "o"
    pipeline.build(src, out)
    assert (out / "page" / "2" / "index.html").is_file()
    older = src / "content" / "older.md"
    older.write_text(older.read_text().replace("Intro text.", "Intro, edited."))
    assert sorted(pipeline.build(src, out).files) == ["older/index.html", "page/2/index.html"]


def test_serve_keeps_the_cache_unpickled_between_builds(make_site, tmp_path, monkeypatch):
    from factcheck import cache

    loads, original = [], cache.pickle.loads
    monkeypatch.setattr(cache.pickle, "loads", lambda data: loads.append(1) or original(data))
    src, out, memory = make_site(), tmp_path / "out", {}
    pipeline.build(src, out, memory=memory)
    assert memory
    assert pipeline.build(src, out, memory=memory).files == {}  # a no-op keeps them all
    check = src / "checks" / "river-length.yaml"
    for verdict in ("true", "false"):
        check.write_text(check.read_text().replace("verdict: ", f"verdict: {verdict}\n#", 1))
        loads.clear()
        edited = pipeline.build(src, out, memory=memory)
        assert "demo/river-length/index.html" in edited.files
        assert len(loads) == 1  # the edited check, validated anew; nothing from the file
    assert pipeline.build(src, out).files == {}  # and the file agrees with the memory


def test_second_build_renders_nothing_and_one_edit_renders_little(make_site, tmp_path):
    src, out = make_site(), tmp_path / "out"
    first = pipeline.build(src, out)
    assert first.stats.written > 5 and not first.reused
    again = pipeline.build(src, out)
    assert again.files == {} and again.stats.written == 0
    (src / "checks" / "river-length.yaml").write_text(
        (src / "checks" / "river-length.yaml").read_text().replace("false", "true"))
    edited = pipeline.build(src, out)
    assert {"demo/index.html", "demo/river-length/index.html"} <= edited.files.keys()
    assert "assets/claims." not in " ".join(edited.files)


def test_files_unchanged_since_the_last_build_are_not_read(make_site, tmp_path, monkeypatch):
    """Stamps (size, times, inode) stand in for unchanged files; any write changes them."""
    from factcheck import sources

    monkeypatch.setattr(pipeline, "RACY_NS", 0)  # trust stamps at once instead of after 2 s
    opened = []

    def recording_open(path, mode):
        opened.append(path)
        return open(path, mode)

    monkeypatch.setattr(sources, "open", recording_open, raising=False)
    src, out = make_site(), tmp_path / "out"
    article, check = src / "content" / "demo.md", src / "checks" / "river-length.yaml"
    pipeline.build(src, out)
    opened.clear()
    article.write_text(article.read_text().replace("rally", "event"))  # the same size
    pipeline.build(src, out)
    assert opened == [str(article)]
    assert "event" in (out / "demo" / "index.html").read_text()
    opened.clear()
    check.write_text(check.read_text().replace("four miles", "five miles"))
    pipeline.build(src, out)
    assert opened == [str(check)]
    assert "five miles" in (out / "demo" / "river-length" / "index.html").read_text()
    assert output(out) == pipeline.check(src).files
