"""Incremental builds are never stale: after any edits, and after a build killed at any
point, the output equals a cold build's, byte for byte, with no stray file."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_tree
from factcheck import pipeline
from factcheck.options import BuildOptions
from factcheck.write import FORMAT, JOURNAL, MANIFEST, STAGING, new_folder

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://example.org/checks/"  # so the sitemap and feed are built and checked too
VERDICTS = ("true", "mostly-true", "half-true", "mostly-false", "false", "unproven")
SMALL = BuildOptions(base_url=BASE, page_size=1, feed_size=2)  # pages come and go with edits


def article(title: str, published: str, claims: list[str]) -> str:
    marks = " ".join(f"Then [claim words {c}]{{claim={c}}} was said." for c in claims)
    return f"---\ntitle: {title}\npublished: {published}\n---\nIntro text. {marks}\n"


def check(claim_id: str, verdict: str) -> str:
    day = 1 + VERDICTS.index(verdict)  # a new verdict is a new date: the sitemap changes
    return (
        f"claim: Claim {claim_id}\nclaimant: Someone\nverdict: {verdict}\n"
        f"summary: Summary of {claim_id}.\nsources:\n  - title: Source\n"
        f"    url: https://example.org/{claim_id}\nchecked_on: 2024-01-0{day}\n"
    )


def initial(src: Path) -> None:
    write_tree(
        src,
        {
            "site.yaml": "title: Desk\nstrict: false\n",
            "content/first.md": article("First", "2024-01-01", ["a", "b"]),
            "content/second.md": article("Second", "2024-02-01", ["b", "c"]),
            "content/third.md": article("Third", "2024-03-01", ["d"]),
            "checks/a.yaml": check("a", "true"),
            "checks/b.yaml": check("b", "false"),
            "checks/c.yaml": check("c", "unproven"),
            "checks/sub/d.yaml": check("d", "half-true"),
        },
    )


# --- edits of every kind of input ---------------------------------------------------------


def set_verdict(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    files = sorted((src / "checks").rglob("*.yaml"))
    if files:
        path = files[pick % len(files)]
        path.write_text(check(path.stem, verdict))
    return None


def edit_template(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    builtin = ROOT / "templates"
    name = ("marker.html", "claim.html", "index.html", "base.html", "feed.xml", "assets/style.css")[
        pick % 6
    ]
    text = (builtin / name).read_text()
    text = (
        text.replace("Read the full check", f"More ({verdict})")
        .replace("</main>", f"<!-- {verdict} --></main>")
        .replace("</feed>", f"<!-- {verdict} --></feed>")
    )
    write_tree(
        src,
        {f"templates/{name}": text + ("" if name != "assets/style.css" else f"/* {verdict} */\n")},
    )
    return None


def remove_template(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    shutil.rmtree(src / "templates", ignore_errors=True)
    return None


def rename_check(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    files = sorted((src / "checks").rglob("*.yaml"))
    if not files:
        return None
    old = files[pick % len(files)]
    new = old.parent / f"{old.stem}-{verdict}.yaml"
    old.rename(new)
    for path in (src / "content").glob("*.md"):
        path.write_text(path.read_text().replace(f"{{claim={old.stem}}}", f"{{claim={new.stem}}}"))
    return None


def move_check(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    files = sorted((src / "checks").rglob("*.yaml"))
    if files:
        old = files[pick % len(files)]
        folder = src / "checks" / ("moved" if old.parent.name != "moved" else ".")
        folder.mkdir(exist_ok=True)
        old.rename(folder / old.name)
    return None


def delete_article(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    files = sorted((src / "content").glob("*.md"))
    if len(files) > 1:
        files[pick % len(files)].unlink()
    return None


def edit_site(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    text = f"title: Desk {verdict}\nstrict: false\n"
    if pick % 2:
        text += f"verdicts:\n  {verdict}: {{label: Only {verdict}, rating: 1}}\n"
        for path in sorted((src / "checks").rglob("*.yaml")):
            path.write_text(
                check(path.stem, "true").replace("verdict: true", f"verdict: {verdict}")
            )
    (src / "site.yaml").write_text(text)
    return None


def toggle_search(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    """Search off (its page, index and link go) or on again, or its script edited."""
    site = src / "site.yaml"
    text = site.read_text() if site.exists() else ""
    if pick % 3 == 2:
        script = (ROOT / "templates" / "search" / "search.js").read_text()
        write_tree(src, {"templates/search/search.js": script + f"/* {verdict} */\n"})
    elif "search: false" in text:
        site.write_text(text.replace("search: false\n", ""))
    else:
        site.write_text(text + "search: false\n")
    return None


def edit_article(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    files = sorted((src / "content").glob("*.md"))
    if files:
        path = files[pick % len(files)]
        text = path.read_text()
        path.write_text(
            text.replace("Intro text.", f"Intro text, {verdict}.")
            if pick % 2
            else text.replace("title:", "title: Re")
        )
    return None


def redate_article(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    """Home order changes: a claim's page may move to another article's folder."""
    files = sorted((src / "content").glob("*.md"))
    if files:
        path = files[pick % len(files)]
        month = 1 + VERDICTS.index(verdict)
        path.write_text(
            re.sub(r"published: \S+", f"published: 2023-{month:02d}-15", path.read_text())
        )
    return None


def add_article(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    claims = sorted(p.stem for p in (src / "checks").rglob("*.yaml"))[: pick % 3 + 1]
    write_tree(src, {f"content/new-{verdict}.md": article(f"New {verdict}", "2023-12-01", claims)})
    return None


CLAIMANTS = ("Lloyd Austin", "Someone", "Lloyd  Austin", "Shah Mahmood Qureshi", "Путин", "someone")
"""The last clashes with the checks' own 'Someone': that build fails, the next must recover."""


def set_names(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    """A check's claimant and topics and an article's topics: claimant and topic pages (and
    their later pages, with one check to a page) come and go."""
    checks = sorted((src / "checks").rglob("*.yaml"))
    if checks:
        path = checks[pick % len(checks)]
        text = re.sub(r"(?m)^(claimant|topics): .*\n", "", path.read_text())
        names = f"claimant: {CLAIMANTS[pick % len(CLAIMANTS)]}\ntopics: [{verdict}, Shared]\n"
        path.write_text(text + names)
    articles = sorted((src / "content").glob("*.md"))
    if articles:
        path = articles[pick % len(articles)]
        text = re.sub(r"(?m)^topics: .*\n", "", path.read_text())
        path.write_text(text.replace("---\n", f"---\ntopics: [Shared, {verdict}]\n", 1))
    return None


def set_standards(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    """What the editorial-standards pages and lints read: a check's updates (a correction or
    an update) and responses, an article's authors and updated date (the byline, and the
    lint against its checks' updates), and site.yaml's about, contact and min_sources (2
    fails the build: every check has one source)."""
    day = 1 + VERDICTS.index(verdict)
    checks = sorted((src / "checks").rglob("*.yaml"))
    if checks:
        path = checks[pick % len(checks)]
        text = re.sub(r"(?m)^(updates|responses):\n(?:  .*\n)*", "", path.read_text())
        note = f"Corrected the {verdict} figure." if pick % 2 else f"Added a {verdict} source."
        path.write_text(
            f"{text}updates:\n  - date: 2024-02-0{day}\n    note: {note}\n"
            f"responses:\n  - party: Party {verdict}\n    asked: 2024-01-01\n    note: None.\n"
        )
    articles = sorted((src / "content").glob("*.md"))
    if articles:
        path = articles[pick % len(articles)]
        text = re.sub(r"(?m)^(authors|updated): .*\n", "", path.read_text())
        front = f"---\nauthors: [Ann {verdict}, Bo]\nupdated: 2024-02-0{7 - day}\n"
        path.write_text(text.replace("---\n", front, 1))
    site = src / "site.yaml"
    text = re.sub(r"(?m)^(about|contact|min_sources): .*\n", "", site.read_text())
    setting = (
        "about: Owned by nobody.",
        "contact: desk@example.org",
        f"min_sources: {1 + pick % 2}",
    )
    site.write_text(f"{text}{setting[pick % 3]}\n")
    return None


def set_lead(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    """An article's lead (one of its claims, none, or one it does not mark: an error) and
    site.yaml's share_images: the lead block, an article's share image, cards drawn or not."""
    articles = sorted((src / "content").glob("*.md"))
    if articles:
        path = articles[pick % len(articles)]
        text = re.sub(r"(?m)^lead: .*\n", "", path.read_text())
        marked = re.findall(r"\{claim=([a-z0-9-]+)\}", text)
        lead = ([*marked, "", "not-marked"])[pick % (len(marked) + 2)]
        path.write_text(text.replace("---\n", f"---\nlead: {lead}\n", 1) if lead else text)
    site = src / "site.yaml"
    text = re.sub(r"(?m)^share_images: .*\n", "", site.read_text())
    site.write_text(text + ("share_images: false\n" if pick % 2 else ""))
    return None


def edit_locale(src: Path, pick: int, verdict: str) -> BuildOptions | None:
    """A site's own catalogue (an override of a shipped language, or a language of its own)
    written, changed or removed, and an article moved into that language: the pages of that
    language, and only those, change."""
    language = ("es", "en", "ur", "sw")[pick % 4]
    path = src / "locales" / f"{language}.po"
    if pick % 3 == 2:
        path.unlink(missing_ok=True)
    else:
        write_tree(
            src,
            {
                f"locales/{language}.po": (
                    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                    f'msgid "Read the full check"\nmsgstr "{verdict} ({language})"\n'
                )
            },
        )
    articles = sorted((src / "content").glob("*.md"))
    if articles:
        article = articles[pick % len(articles)]
        text = re.sub(r"(?m)^lang: .*\n", "", article.read_text())
        article.write_text(text.replace("---\n", f"---\nlang: {language}\n", 1))
    return None


def change_options(src: Path, pick: int, verdict: str) -> BuildOptions:
    """The command line and the environment: base URL, page and feed sizes, SOURCE_DATE."""
    day = dt.date(2020, 1, 1) + dt.timedelta(days=VERDICTS.index(verdict))
    return BuildOptions(
        base_url=(BASE, "https://other.example/x/", "")[pick % 3],
        page_size=1 + pick % 2,
        feed_size=1 + pick % 3,
        source_date=day,
    )


EDITS = (
    set_verdict,
    edit_template,
    remove_template,
    rename_check,
    move_check,
    delete_article,
    edit_site,
    edit_article,
    redate_article,
    add_article,
    set_names,
    set_standards,
    set_lead,
    toggle_search,
    edit_locale,
    change_options,
)


def output(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }


def assert_clean(out: Path, options: BuildOptions, src: Path, why: str) -> None:
    """The output is a cold build's, and holds nothing else: no staging, no temporaries."""
    assert output(out) == pipeline.render_all(src, options).files, f"stale after {why}"
    assert not (out / STAGING).exists(), f"staging left after {why}"
    listed = json.loads((out / MANIFEST).read_text())
    assert isinstance(listed, list) and set(listed) == set(output(out)), why


@pytest.mark.parametrize("warm", [None, "serve"], ids=["new-process", "serve-keeps-results"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(EDITS), st.integers(0, 5), st.sampled_from(VERDICTS)),
        min_size=1,
        max_size=6,
    )
)
def test_incremental_output_equals_a_cold_build(tmp_path, edits, warm):
    """Each build in a process of its own, or all in one that keeps results (as serve)."""
    root = tmp_path / "case"
    shutil.rmtree(root, ignore_errors=True)
    src, out = root / "src", root / "out"
    options = SMALL
    kept = pipeline.Warm() if warm else None
    initial(src)
    pipeline.build(src, out, options, warm=kept)
    for edit, pick, verdict in edits:
        options = edit(src, pick, verdict) or options
        try:
            pipeline.build(src, out, options, warm=kept)
        except pipeline.BuildError:
            continue  # an edit may leave errors (a redated article marking a missing check)
        assert_clean(out, options, src, edit.__name__)


def test_a_server_keeping_results_reuses_none_that_another_build_replaced(tmp_path):
    """serve keeps its last build's results between builds; a command-line build in
    between stores new ones under it, and the server's next build must use those."""
    src, served, other = tmp_path / "src", tmp_path / "served", tmp_path / "site"
    initial(src)
    warm = pipeline.Warm()
    pipeline.build(src, served, SMALL, warm=warm)
    (src / "checks/a.yaml").write_text(check("a", "false"))
    pipeline.build(src, other, SMALL)  # the same cache, from another process's point of view
    (src / "checks/b.yaml").write_text(check("b", "true"))  # on the article that marks a
    pipeline.build(src, served, SMALL, warm=warm)
    assert output(served) == pipeline.render_all(src, SMALL).files


def test_a_server_reads_the_store_again_once_another_build_saved_into_it(tmp_path):
    """serve keeps the store open between builds; once a command-line build has saved
    into it, what serve read of it before is no longer what it holds."""
    src, served, other = tmp_path / "src", tmp_path / "served", tmp_path / "site"
    initial(src)
    pipeline.build(src, other, SMALL)
    warm = pipeline.Warm()
    pipeline.build(src, served, SMALL, warm=warm)  # reads only the rows it needs
    (src / "checks/a.yaml").write_text(check("a", "false"))
    pipeline.build(src, other, SMALL)
    (src / "checks/a.yaml").write_text(check("a", "true"))  # as serve last saw it...
    (src / "checks/b.yaml").write_text(check("b", "true"))  # ...beside an edit on its article
    pipeline.build(src, served, SMALL, warm=warm)
    assert output(served) == pipeline.render_all(src, SMALL).files


# --- faults: a build killed at any point ----------------------------------------------------

KILLER = textwrap.dedent("""
    import builtins, os, sqlite3, sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from factcheck import pipeline
    from factcheck.options import BuildOptions
    pipeline.RACY_NS = 0  # stamps trusted at once, so every run makes the same operations
    count, kill_at = 0, int(sys.argv[4])
    def counted(function):
        def call(*args, **kwargs):
            global count
            count += 1
            if count == kill_at:
                os._exit(9)  # as a kill: no cleanup, no finally
            return function(*args, **kwargs)
        return call
    os.replace, os.unlink, os.makedirs = map(counted, (os.replace, os.unlink, os.makedirs))
    builtins.open = counted(builtins.open)
    connect = sqlite3.connect
    def traced(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(counted(lambda statement: None))
        return connection
    sqlite3.connect = traced
    pipeline.build(Path(sys.argv[2]), Path(sys.argv[3]), BuildOptions(base_url=sys.argv[5]))
    print(count)
""")


def killed_build(src: Path, out: Path, kill_at: int) -> int | None:
    """Build in another process, killed at its `kill_at`-th file operation (opening,
    replacing, removing a file, making a folder, each SQL statement on the cache); the number
    of operations when it finished, None when it was killed."""
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(ROOT), str(src), str(out), str(kill_at), BASE],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 9), done.stderr
    return int(done.stdout) if done.returncode == 0 else None


@pytest.mark.parametrize("undo", [True, False], ids=["edit-undone", "edit-kept"])
def test_a_build_killed_at_any_point_is_repaired_by_the_next(tmp_path, monkeypatch, undo):
    """A build of an edit is killed at 20 points spread over all its file operations;
    then the edit is undone (or kept), and the next build must equal a cold build."""
    monkeypatch.setattr(pipeline, "RACY_NS", 0)
    src, out = tmp_path / "src", tmp_path / "out"
    options = BuildOptions(base_url=BASE)
    initial(src)
    path = src / "checks" / "a.yaml"
    before = path.read_text()
    pipeline.build(src, out, options)
    path.write_text(before.replace("verdict: true", "verdict: false"))
    operations = killed_build(src, out, 0)  # the whole build, counting its operations
    assert operations is not None and operations > 20
    for kill_at in sorted({1 + i * operations // 20 for i in range(20)}):
        path.write_text(before)
        pipeline.build(src, out, options)  # the state the killed build starts from
        edited = before.replace("verdict: true", "verdict: false").replace(
            "Summary of", f"Killed at {kill_at}, summary of"
        )
        path.write_text(edited)
        assert killed_build(src, out, kill_at) is None, "the build was not killed"
        path.write_text(before if undo else edited)
        pipeline.build(src, out, options)
        assert_clean(out, options, src, f"a kill at operation {kill_at} of {operations}")


def test_a_first_build_killed_at_any_point_leaves_no_site_or_a_whole_one(tmp_path, monkeypatch):
    """A new output folder is made beside its place and renamed into it: killed at 20
    points, the first build leaves no output folder or the whole site, and the next build
    completes it and leaves nothing beside it."""
    monkeypatch.setattr(pipeline, "RACY_NS", 0)
    src, out = tmp_path / "src", tmp_path / "out"
    options = BuildOptions(base_url=BASE)
    initial(src)
    operations = killed_build(src, out, 0)  # a whole first build, counting its operations
    assert operations is not None and operations > 20
    whole = pipeline.render_all(src, options).files
    for kill_at in sorted({1 + i * operations // 20 for i in range(20)}):
        shutil.rmtree(out)
        shutil.rmtree(src / ".factcheck-cache")
        assert killed_build(src, out, kill_at) is None, "the build was not killed"
        assert not out.exists() or output(out) == whole, f"half a site at {kill_at}"
        pipeline.build(src, out, options)
        assert_clean(out, options, src, f"a first build killed at operation {kill_at}")
        assert not new_folder(out).exists()


# --- outputs verified, not assumed ------------------------------------------------------------


def test_a_same_size_hand_edit_of_an_output_is_repaired(make_site, tmp_path, run):
    src, out = make_site(), tmp_path / "out"
    run("build", "--src", src, "--out", out)
    page = out / "methodology" / "index.html"
    text = page.read_text()
    page.write_text(text.replace("Methodology", "Methodologx"))
    status, printed, _ = run("build", "--src", src, "--out", out)
    assert status == 0 and "1 file(s) written" in printed
    assert page.read_text() == text


def test_a_foreign_file_in_place_of_a_page_is_replaced_and_others_are_kept(
    make_site, tmp_path, run
):
    src, out = make_site(), tmp_path / "out"
    run("build", "--src", src, "--out", out)
    (out / "index.html").write_text("not ours")
    (out / "CNAME").write_text("checks.example.org\n")
    run("build", "--src", src, "--out", out)
    assert "not ours" not in (out / "index.html").read_text()
    assert (out / "CNAME").read_text() == "checks.example.org\n"


def test_stray_staging_from_a_killed_build_is_removed(make_site, tmp_path, run):
    src, out = make_site(), tmp_path / "out"
    run("build", "--src", src, "--out", out)
    write_tree(out, {f"{STAGING}/0123": "half a page"})
    run("build", "--src", src, "--out", out)
    assert not (out / STAGING).exists()


def test_an_output_inside_the_cache_is_refused_but_for_serves_preview(make_site, run):
    """The cache folder is never published and safe to delete: no output goes inside
    it, but for the preview `serve` builds there (and keeps for its next run)."""
    src = make_site()
    status, _, errors = run("build", "--src", src, "--out", src / pipeline.CACHE / "site")
    assert status == 2 and any("is inside the build cache" in line for line in errors)
    assert not (src / pipeline.CACHE / "site").exists()
    with pipeline.preview_folder(src) as preview:
        assert preview == src / pipeline.CACHE / pipeline.PREVIEW
        pipeline.build(src, preview)
        with pipeline.preview_folder(src) as another:  # a second serve gets its own
            assert another != preview and not another.is_relative_to(src)
    assert output(preview) == pipeline.render_all(src).files


@pytest.mark.parametrize("kind", ["link", "file"])
def test_a_preview_that_is_a_link_or_a_file_is_never_built_through(make_site, tmp_path, kind):
    """A cache folder that came with the sources may hold a preview/ that leads elsewhere:
    serve then builds into a temporary folder, and the link's target is untouched."""
    src, elsewhere = make_site(), tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = src / pipeline.CACHE
    cache.mkdir()
    if kind == "link":
        (cache / pipeline.PREVIEW).symlink_to(elsewhere, target_is_directory=True)
    else:
        (cache / pipeline.PREVIEW).write_text("not a folder")
    with pipeline.preview_folder(src) as preview:
        assert not preview.is_relative_to(src)
        pipeline.build(src, preview)
        assert output(preview) == pipeline.render_all(src).files
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("listed_in", [MANIFEST, JOURNAL])
def test_a_crafted_manifest_removes_nothing_outside_the_output(make_site, tmp_path, run, listed_in):
    """The manifest and a commit's journal name the files to remove when the site no
    longer has them: a name that leads out of the output folder, or into the build's own
    bookkeeping, is never one of them; a plain stale name of ours is still removed."""
    src, out = make_site(), tmp_path / "out"
    run("build", "--src", src, "--out", out)
    outside, elsewhere = tmp_path / "victim.txt", tmp_path / "elsewhere" / "kept.txt"
    write_tree(tmp_path, {"victim.txt": "keep me", "elsewhere/kept.txt": "keep me too"})
    write_tree(out, {"old/index.html": "a page the site no longer has"})
    crafted = ["../victim.txt", str(elsewhere), "old//index.html", f"{STAGING}/x", "old/index.html"]
    if listed_in == MANIFEST:
        names = json.loads((out / MANIFEST).read_text())
        (out / MANIFEST).write_text(json.dumps([*names, *crafted]))
    else:
        (out / JOURNAL).write_text(json.dumps({"format": FORMAT, "pending": [], "added": crafted}))
    run("build", "--src", src, "--out", out)
    assert outside.read_text() == "keep me" and elsewhere.read_text() == "keep me too"
    assert not (out / "old").exists()
    assert output(out) == pipeline.render_all(src).files


@pytest.mark.parametrize("journal", ["{not json", '{"format": "another"}', "[]"])
def test_a_commit_journal_that_cannot_be_read_leaves_every_file_in_doubt(
    make_site, tmp_path, run, journal
):
    """A killed commit's journal says which files may be torn; one that cannot be read
    says nothing, so every file is compared by its bytes (even one whose size and times
    are as written) and the journal is gone after."""
    src, out = make_site(), tmp_path / "out"
    run("build", "--src", src, "--out", out)
    page = out / "methodology" / "index.html"
    written = page.stat()
    page.write_bytes(page.read_bytes().replace(b"Methodology", b"Methodologx"))
    os.utime(page, ns=(written.st_atime_ns, written.st_mtime_ns))  # a torn file, unstamped
    (out / JOURNAL).write_text(journal)
    assert "1 file(s) written" in run("build", "--src", src, "--out", out)[1]
    assert not (out / JOURNAL).exists()
    assert output(out) == pipeline.render_all(src).files


# --- the cache: data only, never trusted blindly --------------------------------------------


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> tuple[set[str], set[str]]:
    """The pages that changed, and the kinds of search index file that did (Pagefind names
    its files by their content, so a changed one is a new name)."""
    names = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    search = {n for n in names if n.startswith("search/pagefind/")}
    kinds = {n.rsplit("/", 1)[-1] if n.endswith(".json") else n.rsplit(".", 1)[-1] for n in search}
    return names - search, kinds


def _database(src: Path) -> Path:
    return pipeline.cache_folder(src) / "build.sqlite"


def test_the_cache_is_marked_as_one_and_kept_out_of_git_and_the_output(make_site, tmp_path, run):
    src = make_site()
    run("build", "--src", src)  # the default output, src/site
    cache = pipeline.cache_folder(src)
    assert cache.parent == src and not cache.is_relative_to(src / "site")
    assert (
        (cache / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not any(p.suffix == ".pickle" for p in cache.rglob("*"))


# Queries whose value is a str, stored as the text itself (a claim id, a JSON-LD object).
TEXT_QUERIES = {"lead", "review"}


def test_the_cache_holds_data_not_pickles(make_site, tmp_path, run):
    src = make_site()
    run("build", "--src", src, "--out", tmp_path / "out")
    with sqlite3.connect(_database(src)) as db:
        rows = [(k, v) for k, v in db.execute("SELECT key, value FROM entries") if v is not None]
    values = [v for _, v in rows]
    assert values and all(isinstance(v, str) for v in values)  # TEXT columns, no BLOB
    for key, value in rows:
        if key.split(":")[0] in TEXT_QUERIES:
            continue  # a query whose value is text is kept as that text
        json.loads(value)  # everything else is JSON, every one


@pytest.mark.parametrize("damage", ["values", "garbage file", "foreign database", "digests"])
def test_a_crafted_or_corrupt_cache_is_ignored_with_a_warning(make_site, tmp_path, run, damage):
    src, out = make_site(), tmp_path / "out"
    run("build", "--src", src, "--out", out)
    (src / "checks" / "river-length.yaml").write_text(
        (src / "checks" / "river-length.yaml").read_text().replace("four", "five")
    )
    database = _database(src)
    if damage == "garbage file":
        database.write_bytes(b"\x80\x04\x95 not a database, a pickle maybe" * 100)
        for extra in database.parent.glob("build.sqlite-*"):
            extra.unlink()
    else:
        with sqlite3.connect(database) as db:
            if damage == "values":
                db.execute("UPDATE entries SET value = '[\"__import__(os).system\"]'")
            elif damage == "digests":
                db.execute("UPDATE entries SET value = 'cos\nsystem\n(S\"touch pwned\"\ntR.'")
            else:
                db.execute("DROP TABLE meta")
                db.execute("CREATE TABLE pickles (data BLOB)")
    status, _, err = run("build", "--src", src, "--out", out)
    assert status == 0, err
    assert any(
        "warning: the build cache was ignored" in line or "damaged" in line for line in err
    ), err
    assert not (Path.cwd() / "pwned").exists()
    assert output(out) == pipeline.render_all(src).files
    assert "five" in (out / "demo" / "river-length" / "index.html").read_text()
    status, _, err = run("build", "--src", src, "--out", out)  # and the next one is quiet
    assert status == 0 and not [line for line in err if "cache" in line], err


# --- what a rebuild redoes ------------------------------------------------------------------


def test_second_build_writes_nothing_and_one_edit_writes_little(make_site, tmp_path, run):
    src, out = make_site(), tmp_path / "out"
    run("build", "--src", src, "--out", out)
    printed = run("build", "--src", src, "--out", out)[1]
    assert "0 file(s) written" in printed
    path = src / "checks" / "river-length.yaml"
    path.write_text(path.read_text().replace("verdict: false", "verdict: mostly-false"))
    before = output(out)
    printed = run("build", "--src", src, "--out", out)[1]
    assert "11 file(s) written" in printed, printed
    changed, search = _changed(before, output(out))
    # the claim page and its embed, the article page with its chip, the index tally,
    # claims.json, the claimant's page with its tally; and in the search index (the
    # verdict is a filter) the bundle's entry, meta, filter, fragment and index files
    assert changed == {
        "demo/river-length/index.html",
        "demo/river-length/embed/index.html",
        "demo/index.html",
        "index.html",
        "claims.json",
        "claimants/the-speaker/index.html",
    }
    assert search == {"pagefind-entry.json", "pf_meta", "pf_filter", "pf_fragment", "pf_index"}


def test_a_build_with_nothing_to_do_reports_what_the_last_one_found(make_site, tmp_path, run):
    """A rebuild of an unchanged site is decided without building; it still prints the
    same warnings, fails under --strict, and is repaired when a file is not in place."""
    path = "checks/river-length.yaml"
    one_publisher = (
        "claim: The river is ten miles long\nclaimant: The speaker\nverdict: false\n"
        "summary: Four miles.\nchecked_on: 2024-03-01\nsources:\n"
        "  - title: Survey\n    url: https://example.org/survey\n    publisher: River Board\n"
        "  - title: Atlas\n    url: https://example.org/atlas\n    publisher: River Board\n"
    )
    src, out = make_site({path: one_publisher}), tmp_path / "out"
    warning = f"{path}:6:1: warning: every source is from one publisher, 'River Board'"
    first = run("build", "--src", src, "--out", out)
    again = run("build", "--src", src, "--out", out)
    assert "0 file(s) written" in again[1]
    said = [line for line in first[2] if warning in line]
    assert said and said == [line for line in again[2] if warning in line]
    assert run("build", "--strict", "--src", src, "--out", out)[0] == 1
    (out / "methodology" / "index.html").unlink()
    assert "1 file(s) written" in run("build", "--src", src, "--out", out)[1]
    assert output(out) == pipeline.render_all(src).files


def test_a_build_with_nothing_to_do_loads_no_stage(make_site, tmp_path):
    """Deciding that nothing changed reads the scan, the store and the output's stamps
    only: the stages' libraries (Jinja, Babel, Markdown) are never loaded for it."""
    src, out = make_site({}), tmp_path / "out"
    command = [sys.executable, "build.py", "build", "--src", str(src), "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    probe = (
        "import sys, build\n"
        "code = build.main(sys.argv[1:])\n"
        "print(' '.join(m for m in ('jinja2', 'babel', 'markdown') if m in sys.modules))\n"
        "sys.exit(code)\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe, *command[2:]], cwd=ROOT, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    assert "0 file(s) written" in found.stdout
    assert found.stdout.splitlines()[-1] == ""


def test_an_edit_renders_only_the_index_page_that_lists_the_article(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    initial(src)
    options = BuildOptions(page_size=1)
    pipeline.build(src, out, options)
    path = src / "content" / "first.md"  # the oldest article: on page/3/index.html
    path.write_text(path.read_text().replace("title: First", "title: First, edited"))
    before = output(out)
    written = pipeline.build(src, out, options).stats
    assert written is not None and written.written == 9, written
    changed, search = _changed(before, output(out))
    # the article, its index page, the pages of the two claims it is home to (they name it
    # in their breadcrumb), and the second article, which links claim b "first checked in"
    # it; and the search index's entry, meta, fragment and index files (titles are found)
    assert changed == {
        "first/index.html",
        "page/3/index.html",
        "first/a/index.html",
        "first/b/index.html",
        "second/index.html",
    }
    assert search == {"pagefind-entry.json", "pf_meta", "pf_fragment", "pf_index"}
    assert "First, edited" in (out / "page" / "3" / "index.html").read_text()
    assert "First, edited" not in (out / "index.html").read_text()


def test_source_date_epoch_is_a_recorded_input(tmp_path, monkeypatch):
    """With no articles the feed's date comes from SOURCE_DATE_EPOCH: changing it must
    rebuild the feed (it was missed by hand-written keys once)."""
    src, out = tmp_path / "src", tmp_path / "out"
    write_tree(src, {"site.yaml": "base_url: https://example.org/\n", "content/.keep": ""})
    first = BuildOptions(source_date=dt.date(2020, 1, 1))
    pipeline.build(src, out, first)
    assert "2020-01-01" in (out / "feed.xml").read_text()
    pipeline.build(src, out, BuildOptions(source_date=dt.date(2024, 5, 6)))
    assert "2024-05-06" in (out / "feed.xml").read_text()


def test_the_command_line_reads_source_date_epoch(tmp_path, run, monkeypatch):
    src, out = tmp_path / "src", tmp_path / "out"
    write_tree(src, {"site.yaml": "base_url: https://example.org/\n", "content/.keep": ""})
    for epoch, day in (("0", "1970-01-01"), ("1700000000", "2023-11-14")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        assert run("build", "--src", src, "--out", out)[0] == 0
        assert f"<updated>{day}T00:00:00Z</updated>" in (out / "feed.xml").read_text()


def test_files_unchanged_since_the_last_build_are_not_read(make_site, tmp_path, monkeypatch):
    from factcheck import sources

    monkeypatch.setattr(pipeline, "RACY_NS", 0)  # trust stamps at once instead of after 2 s
    opened: list[str] = []
    original = sources.read_bytes
    monkeypatch.setattr(
        sources, "read_bytes", lambda file: opened.append(file.path) or original(file)
    )
    monkeypatch.setattr(pipeline, "read_bytes", sources.read_bytes)
    from factcheck import graph

    monkeypatch.setattr(graph, "read_bytes", sources.read_bytes)
    src, out = make_site(), tmp_path / "out"
    pipeline.build(src, out)
    assert "checks/river-length.yaml" in opened
    opened.clear()
    pipeline.build(src, out)
    assert opened == []
    path = src / "checks" / "river-length.yaml"
    path.write_text(path.read_text() + "\n")
    os.utime(src / "content" / "demo.md")  # touched, not changed: read, not rebuilt
    stats = pipeline.build(src, out).stats
    assert sorted(set(opened)) == ["checks/river-length.yaml", "content/demo.md"]
    assert stats is not None and stats.written == 0
    assert output(out) == pipeline.render_all(src).files


def test_building_again_in_one_process_compiles_only_the_templates_that_changed(
    tmp_path, monkeypatch
):
    """As `serve` does: the second build reuses what the first compiled, and a template
    edited (then put back) is compiled again, so its pages show the file as it is now."""
    import jinja2

    src, out = tmp_path / "src", tmp_path / "out"
    initial(src)
    original = (ROOT / "templates" / "claim.html").read_text()
    write_tree(src, {"templates/claim.html": original})
    pipeline.build(src, out, SMALL)
    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    claim_page = out / "first" / "a" / "index.html"
    for text, shown in (
        (original.replace("</article>", "<!-- edited --></article>"), True),
        (original, False),
    ):
        write_tree(src, {"templates/claim.html": text})
        compiled.clear()
        pipeline.build(src, out, SMALL)
        assert compiled == ["claim.html"]
        assert ("<!-- edited -->" in claim_page.read_text()) is shown
    assert_clean(out, SMALL, src, "template put back")
