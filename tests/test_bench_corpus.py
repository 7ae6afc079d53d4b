"""The benchmark's corpus generator: its sources pass our build, and it is deterministic."""

from __future__ import annotations

from pathlib import Path

from bench.corpus import write_corpus
from factcheck import pipeline


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


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
