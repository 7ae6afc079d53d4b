"""What search costs on a generated site: the index's build time and size, and cold builds
with and without it, as medians (the machine is shared and noisy).

    .venv/bin/python bench/search.py [--articles 1000] [--runs 3] [--builds 1]

The index is built alone, in this process, from the records a build of the corpus gives
Pagefind (every article and check): Pagefind's run (records in, files out) and the
canonical renaming are timed apart. Then cold builds run `build.py build` as a whole
process under GNU time (wall and CPU seconds) into a fresh folder with no cache, with
search on and off (share cards off in both), and two rebuilds: after an edit to a check's
summary (indexed: its language's index is built again) and after one to its analysis
(not indexed).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import make_corpus, write_corpus  # noqa: E402
from bench.sharecard import set_setting  # noqa: E402
from bench.timing import Timing, run_timed  # noqa: E402
from factcheck import paths, pipeline  # noqa: E402
from factcheck.errors import Report  # noqa: E402
from factcheck.features import search  # noqa: E402
from factcheck.validate import validate_config  # noqa: E402


def build_timed(src: Path, out: Path) -> Timing:
    """`build.py build` as a whole process under GNU time: wall and CPU seconds."""
    argv = [sys.executable, str(ROOT / "build.py"), "build", "--src", str(src), "--out", str(out)]
    return run_timed(argv, cwd=ROOT)


def cold_builds(src: Path, work: Path, runs: int, name: str) -> list[Timing]:
    """Builds into new folders, each alone in a new parent, with the source's cache removed."""
    times = []
    for n in range(runs):
        shutil.rmtree(pipeline.cache_folder(src), ignore_errors=True)
        times.append(build_timed(src, work / f"{name}-{n}" / "site"))
    return times


def seconds(found: list[Timing]) -> str:
    """Medians of wall and CPU seconds, then every run's."""
    median = statistics.median
    wall, cpu = median(t.seconds or 0.0 for t in found), median(t.cpu_seconds for t in found)
    runs = ", ".join(f"{t.seconds:.1f}/{t.cpu_seconds:.1f}" for t in found)
    return f"{wall:6.2f} s, CPU {cpu:6.2f} s  (wall/CPU: {runs})"


def corpus_records(articles: int) -> list[search.Record]:
    """The records a build of the corpus gives Pagefind: every article and check."""
    config = validate_config(None, Report(), None)
    records = []
    for article in make_corpus(articles):
        slug = article.slug
        records.append(search.Record(paths.article(slug), "en", article.title, article.summary))
        for check in article.checks:
            verdict = config.verdict(check.verdict)
            records.append(
                search.Record(
                    paths.claim(slug, check.id),
                    "en",
                    check.claim,
                    check.summary,
                    verdict.label,
                    verdict.key,
                    check.claimant,
                )
            )
    return records


def index_alone(records: list[search.Record], runs: int) -> tuple[list[float], list[float], int]:
    """Seconds to build every bundle (Pagefind's runs and the renaming, apart), over `runs`
    builds of the whole index; the bytes of the files it publishes."""
    parts = [records[n : n + search.SHARD_SIZE] for n in range(0, len(records), search.SHARD_SIZE)]
    pagefind, renaming, published = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        bundles = [search.build_bundle(part) for part in parts]
        middle = time.perf_counter()
        files = [search.canonical(bundle) for bundle in bundles]
        pagefind.append(middle - started)
        renaming.append(time.perf_counter() - middle)
        published = sum(
            len(data)
            for n, bundle in enumerate(files)
            for name, data in bundle.items()
            if search.published(name, n == 0)
        )
    return pagefind, renaming, published


def size(site: Path) -> tuple[int, int]:
    files = [p for p in (site / "search").rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def edit_seconds(src: Path, out: Path, old: str, new: str) -> Timing:
    """A rebuild after replacing `old` with `new` in the first check that has it."""
    for path in sorted((src / "checks").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            return build_timed(src, out)
    raise SystemExit(f"no check has {old!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="index builds to take the median of")
    parser.add_argument("--builds", type=int, default=1, help="cold builds of each kind (0: none)")
    args = parser.parse_args()
    median = statistics.median
    records = corpus_records(args.articles)
    pagefind, renaming, published = index_alone(records, args.runs)
    bundles = -(-len(records) // search.SHARD_SIZE)
    print(f"{args.articles} articles, {len(records)} records indexed; medians of {args.runs}")
    print(f"whole index ({bundles} bundles): Pagefind {median(pagefind):.2f} s {pagefind}")
    print(f"  renaming {median(renaming):.2f} s; one bundle {median(pagefind) / bundles:.2f} s")
    print(f"index published: {published / 1e6:.2f} MB")
    if args.builds:
        builds(args.articles, args.builds)


def builds(articles: int, runs: int) -> None:
    """Cold builds with search and without, then a rebuild after an indexed edit and one
    after an edit search does not hold. Share cards are off in both: they would dwarf it."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        src = work / "src"
        write_corpus(src, articles)
        site = src / "site.yaml"
        set_setting(site, "share_images", "false")
        set_setting(site, "search", "true")
        with_search = cold_builds(src, work, runs, "search")
        out = work / f"search-{runs - 1}" / "site"  # the cache last built it: a true rebuild
        count, total = size(out)
        summary_edit = edit_seconds(src, out, 'summary: "', 'summary: "Edited. ')
        analysis_edit = edit_seconds(src, out, "analysis: |\n  ", "analysis: |\n  Edited. ")
        set_setting(site, "search", "false")
        without = cold_builds(src, work, runs, "plain")
    print(f"search/ folder: {count} files, {total / 1e6:.2f} MB")
    print(f"cold build with search:    {seconds(with_search)}")
    print(f"cold build without search: {seconds(without)}")
    print(f"rebuild after a summary edit (index rebuilt): {seconds([summary_edit])}")
    print(f"rebuild after an analysis edit (index kept):  {seconds([analysis_edit])}")


if __name__ == "__main__":
    main()
