"""The benchmark's corpus generator: its sources pass our build, and it is deterministic."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

from bench.corpus import make_corpus, write_corpus
from factcheck import pipeline


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_generated_corpus_builds_with_ten_claims_per_article(tmp_path):
    write_corpus(tmp_path, 3)

    result = pipeline.check(tmp_path)

    assert (result.articles, result.claims) == (3, 30)
    assert not result.report.errors
    checks = list((tmp_path / "checks").glob("*.yaml"))
    assert len(checks) == 30
    assert all(check.read_text(encoding="utf-8").count("\n  - title: ") == 3 for check in checks)


def test_articles_are_about_650_words(tmp_path):
    write_corpus(tmp_path, 3)

    for article in (tmp_path / "content").glob("*.md"):
        body = article.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        assert 600 <= len(body.split()) <= 700, article.name
        assert body.count("{claim=") == 10


def test_generation_is_deterministic_and_seeded(tmp_path):
    first, second, other_seed = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_corpus(first, 3)
    write_corpus(second, 3)
    write_corpus(other_seed, 3, seed=1)

    assert _tree(first) == _tree(second)
    assert _tree(first) != _tree(other_seed)
    assert _tree(first).keys() == _tree(other_seed).keys()


def _other_formats(monkeypatch):
    """bench/other_formats.py, imported as bench/run.py imports it (bench/ on the path)."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "bench"))
    return importlib.import_module("other_formats")


def test_hugo_fast_data_file_holds_each_articles_checks_unchanged(tmp_path, monkeypatch):
    other_formats = _other_formats(monkeypatch)
    write_corpus(tmp_path / "ours", 2)
    other_formats.write_hugo_fast(make_corpus(2), tmp_path / "hugo")

    for article in make_corpus(2):
        data = (tmp_path / "hugo" / "data" / "articles" / f"{article.slug}.yaml").read_text()
        checks = yaml.safe_load(data)
        assert list(checks) == [check.id for check in article.checks]
        for check in article.checks:
            ours = (tmp_path / "ours" / "checks" / f"{check.id}.yaml").read_text()
            assert checks[check.id] == yaml.safe_load(ours)


def test_hugo_fast_articles_mark_every_claim_with_the_shortcode(tmp_path, monkeypatch):
    other_formats = _other_formats(monkeypatch)
    other_formats.write_hugo_fast(make_corpus(1), tmp_path)

    text = (tmp_path / "content" / "story-0001.md").read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    assert yaml.safe_load(front.removeprefix("---\n"))["source"]["publisher"] == "Example News"
    assert body.count('{{< claim "story-0001-c') == body.count("{{< /claim >}}") == 10
    assert (tmp_path / "content" / "claims" / "_content.gotmpl").is_file()
    assert (tmp_path / "assets" / "style.css").is_file()
