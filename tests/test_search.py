"""Search: the page and one Pagefind index per language, the same bytes from the same
sources, rebuilt only when what it indexes changes (not for a template, not for a part of
a check that search does not hold)."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from conftest import ARTICLE, CHECK, write_tree
from factcheck import pipeline
from factcheck.features import search
from factcheck.options import BuildOptions

SPANISH_ARTICLE = """\
---
title: Comprobamos el discurso del ministro
published: 2024-04-01
lang: es
topics: [Ríos]
summary: Comprobamos una afirmación sobre el río.
---
El ministro dijo que [el río mide diez kilómetros]{claim=rio-largo}.
"""
SPANISH_CHECK = (
    CHECK.replace("claim: The river is ten miles long", "claim: El río mide diez kilómetros")
    .replace("claimant: The speaker", "claimant: El ministro")
    .replace("verdict: false", "verdict: true")
    .replace("summary: The river is four miles long.", "summary: El catastro da diez kilómetros.")
)
ROOT = Path(__file__).resolve().parent.parent
BILINGUAL = {"content/rio.md": SPANISH_ARTICLE, "checks/rio-largo.yaml": SPANISH_CHECK}


def search_files(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path.startswith("search/")}


def site_policy(files: dict[str, bytes]) -> str:
    """The Content-Security-Policy _headers gives every file."""
    lines = files["_headers"].decode().splitlines()
    return next(line for line in lines[lines.index("/*") :] if "Content-Security-Policy" in line)


def fragments(files: dict[str, bytes], language: str) -> list[dict]:
    """What one language's index shows of each page (Pagefind's fragments, gzip JSON)."""
    return sorted(
        (
            json.loads(gzip.decompress(data)[len(search.SIGNATURE) :])
            for path, data in files.items()
            if path.startswith(f"search/pagefind/{language}/") and "/fragment/" in path
        ),
        key=lambda fragment: fragment["url"],
    )


def test_each_language_has_its_index_and_the_page_loads_the_sites_first(make_site):
    files = pipeline.render_all(make_site(BILINGUAL)).files
    page = files["search/index.html"].decode()
    assert 'data-languages="en es"' in page
    assert 'data-bundles="pagefind/en/0/ pagefind/es/0/"' in page
    assert 'src="pagefind/en/0/pagefind-component-ui.js"' in page
    for language in ("en", "es"):
        folder = f"search/pagefind/{language}/0"
        entry = json.loads(files[f"{folder}/pagefind-entry.json"])
        assert list(entry["languages"]) == [language]
        assert f"{folder}/pagefind.{entry['languages'][language]['hash']}.pf_meta" in files
    # Pagefind's script, worker and WebAssembly only where the page loads them from.
    assert "search/pagefind/en/0/pagefind.js" in files
    assert "search/pagefind/en/0/wasm.en.pagefind" in files
    assert not any(p.startswith("search/pagefind/es/") and p.endswith(".js") for p in files)
    assert "search/index.html" in files["index.html"].decode()  # the site's nav links to it
    assert "script-src 'self' 'wasm-unsafe-eval';" in site_policy(files)


def test_the_index_holds_what_search_shows_and_filters_by(make_site):
    files = pipeline.render_all(make_site(BILINGUAL)).files
    spanish = fragments(files, "es")
    assert [f["url"] for f in spanish] == ["rio/index.html", "rio/rio-largo/index.html"]
    article, check = spanish
    assert check["meta"] == {
        "title": "El río mide diez kilómetros",
        "verdict": "Verdadero",  # the verdict's label in the page's language
        "verdict_key": "true",
        "claimant": "El ministro",
    }
    assert check["content"] == "El catastro da diez kilómetros."
    assert check["filters"] == {
        "verdict": ["Verdadero"],
        "claimant": ["El ministro"],
        "language": ["Español"],
    }
    assert article["meta"] == {"title": "Comprobamos el discurso del ministro", "topics": "Ríos"}
    assert article["filters"] == {"topic": ["Ríos"], "language": ["Español"]}
    assert [f["url"] for f in fragments(files, "en")] == [
        "demo/index.html",
        "demo/river-length/index.html",
    ]


def test_search_false_builds_no_search_page_index_or_link(make_site):
    files = pipeline.render_all(make_site({**BILINGUAL, "site.yaml": "search: false\n"})).files
    assert search_files(files) == {}
    assert not any(
        "search/index.html" in data.decode() for p, data in files.items() if p.endswith(".html")
    )
    assert "'wasm-unsafe-eval'" not in site_policy(files)


def varied_site() -> dict[str, str]:
    """Enough checks, verdicts, claimants and topics that any order Pagefind's hash maps
    chose would show."""
    verdicts = ("true", "false", "half-true", "mostly-false", "unproven")
    marks = " ".join(f"[claim {n}]{{claim=c{n}}}" for n in range(10))
    files = {
        "content/demo.md": ARTICLE.replace("{claim=river-length}", "{claim=river-length} " + marks)
    }
    for n in range(10):
        files[f"checks/c{n}.yaml"] = (
            CHECK.replace("claim: The river", f"claim: Claim {n}, the river")
            .replace("claimant: The speaker", f"claimant: Speaker {n % 4}")
            .replace("verdict: false", f"verdict: {verdicts[n % 5]}")
            + f"topics: [Topic {n % 3}, Topic {n % 2 + 5}]\n"
        )
    return files


def test_the_same_sources_give_byte_identical_search_files(make_site):
    src = make_site(varied_site())
    builds = [search_files(pipeline.render_all(src).files) for _ in range(3)]
    assert len(builds[0]) > 10
    assert builds[1] == builds[0] and builds[2] == builds[0]


def test_canonical_reads_and_writes_pagefinds_index_files_unchanged():
    records = [
        search.Record(f"a/{n}/index.html", "en", f"Claim {n}", "words", "True", "true", "P")
        for n in range(3)
    ]
    for path, data in search.build_bundle(records).items():
        if path.endswith((".pf_meta", ".pf_filter", ".pf_index")):
            body = gzip.decompress(data)[len(search.SIGNATURE) :]
            assert search.cbor_dumps(search.cbor_loads(body)) == body, path


@pytest.fixture
def pagefind_runs(monkeypatch) -> list[int]:
    """How many records each run of Pagefind indexed, in this test."""
    runs: list[int] = []
    build_bundle = search.build_bundle

    def counted(records):
        records = list(records)
        runs.append(len(records))
        return build_bundle(records)

    monkeypatch.setattr(search, "build_bundle", counted)
    return runs


def test_an_indexed_edit_rebuilds_the_index_and_others_do_not(
    make_site, tmp_path, pagefind_runs, monkeypatch
):
    monkeypatch.setattr(pipeline, "RACY_NS", 0)
    src, out = make_site(BILINGUAL), tmp_path / "out"
    options = BuildOptions()
    pipeline.build(src, out, options)
    assert sorted(pagefind_runs) == [2, 2]  # English and Spanish: an article and a check each
    before = {p.relative_to(out).as_posix() for p in (out / "search").rglob("*.pf_fragment")}

    template = (ROOT / "templates" / "claim.html").read_text()
    edited = template.replace("{% endblock %}", "<p>An edited template</p>{% endblock %}")
    write_tree(src, {"templates/claim.html": edited})
    pipeline.build(src, out, options)
    assert "An edited template" in (out / "demo/river-length/index.html").read_text()
    check = src / "checks/river-length.yaml"
    check.write_text(check.read_text().replace("River survey", "River survey, 2024"))
    pipeline.build(src, out, options)
    assert "River survey, 2024" in (out / "demo/river-length/index.html").read_text()
    assert sorted(pagefind_runs) == [2, 2], "a template or an unindexed part rebuilt the index"

    check.write_text(check.read_text().replace("four miles", "four and a half miles"))
    pipeline.build(src, out, options)
    assert sorted(pagefind_runs) == [2, 2, 2], "only the English index is built again"
    after = {p.relative_to(out).as_posix() for p in (out / "search").rglob("*.pf_fragment")}
    assert after != before
    assert any(b"four and a half" in gzip.decompress((out / p).read_bytes()) for p in after)
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert search_files(built) == search_files(pipeline.render_all(src, options).files)


def test_without_pagefinds_binary_the_build_says_what_to_do(make_site, run, monkeypatch):
    import pagefind_bin

    def missing():
        raise FileNotFoundError("no pagefind binary in the package")

    monkeypatch.setattr(pagefind_bin, "get_executable", missing)
    src = make_site()
    status, _, err = run("build", "--src", src, "--out", src.parent / "out")
    assert status == 2
    assert re.search(r"search needs Pagefind's binary.*search: false in site.yaml", "\n".join(err))


def test_a_large_language_is_split_and_an_edit_rebuilds_only_its_part(
    make_site, tmp_path, pagefind_runs, monkeypatch
):
    monkeypatch.setattr(pipeline, "RACY_NS", 0)
    monkeypatch.setattr(search, "SHARD_SIZE", 4)
    src, out = make_site(varied_site()), tmp_path / "out"
    pipeline.build(src, out, BuildOptions())
    page = (out / "search" / "index.html").read_text()
    bundles = re.search(r'data-bundles="([^"]*)"', page)
    assert bundles is not None
    assert bundles[1].split() == [f"pagefind/en/{n}/" for n in range(3)]  # 12 pages, 3 parts
    assert sorted(pagefind_runs) == sorted(len(f) for f in fragment_folders(out).values())
    runs = len(pagefind_runs)
    check = src / "checks" / "c3.yaml"
    check.write_text(check.read_text().replace("four miles", "five miles"))
    pipeline.build(src, out, BuildOptions())
    assert len(pagefind_runs) == runs + 1, "one part is built again, not every one"
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert search_files(built) == search_files(pipeline.render_all(src).files)


def fragment_folders(out: Path) -> dict[str, list[Path]]:
    """Each bundle's fragments (one per page it holds)."""
    found: dict[str, list[Path]] = {}
    for path in (out / "search" / "pagefind").rglob("*.pf_fragment"):
        found.setdefault(path.parent.parent.as_posix(), []).append(path)
    return found


def test_an_indexed_edit_writes_again_only_the_index_files_that_changed(
    make_site, tmp_path, monkeypatch
):
    """Pagefind builds a bundle whole, but each of its files is an output of its own: a
    bundle of a thousand pages has a thousand files, and making each of them again from
    the whole bundle made one edit cost as much as a cold build."""
    monkeypatch.setattr(pipeline, "RACY_NS", 0)
    made: list[str] = []
    bundle_file = search.Search._bundle_file

    def counted(self, reads, arg):
        made.append(arg.partition("|")[2])
        return bundle_file(self, reads, arg)

    monkeypatch.setattr(search.Search, "_bundle_file", counted)
    src, out = make_site(varied_site()), tmp_path / "out"
    pipeline.build(src, out, BuildOptions())
    every = len(made)
    made.clear()
    check = src / "checks" / "c3.yaml"
    check.write_text(check.read_text().replace("four miles", "five miles"))
    pipeline.build(src, out, BuildOptions())
    assert any(name.startswith("fragment/") for name in made)
    assert len(made) < every / 2, f"{len(made)} of {every} files made again: {made}"
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert search_files(built) == search_files(pipeline.render_all(src).files)
