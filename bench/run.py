#!/usr/bin/env python3
"""Time our build against Hugo (three layouts), MkDocs and Pelican on the same generated corpus.

Each build is a whole process, timed from outside under `/usr/bin/time -v` (wall time,
CPU time, peak memory of the largest process). After one untimed warm-up per tool,
every figure is the median of `--runs` runs, the tools taking turns run by run so that
drift hits all alike. Cold builds go into fresh folders with no cache; nothing is
deleted until every timing is done (creating many files just after deleting many is
slow on these disks). At `--once-from` articles and more, each tool builds cold once.
Usage: python bench/run.py [--sizes 1000,3000,10000] [--runs 5] [--quick] (see --help)
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus import VERDICTS, article_slug, check_id, make_corpus, our_files, write_files
from other_formats import (
    HUGO_FAST_LAYOUT,
    HUGO_FULL_LAYOUT,
    HUGO_LAYOUT,
    OUR_ASSETS,
    OUR_FULL_ASSETS,
    write_hugo,
    write_hugo_fast,
    write_hugo_full,
    write_mkdocs,
    write_pelican,
)
from reload import ReloadFailed, measure_reloads
from timing import BuildFailed, Timing, run_timed

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
TOOLS_VENV = WORK / "venv"
OUR_CACHE_IN_SOURCES = ".factcheck-cache"
"""Where our build may keep its cache inside the sources; removed before a cold build."""

MAIN_TOOLS, PLAIN_TOOLS, PEERS = (
    ("ours", "hugo", "hugo-fast", "hugo-full"),
    ("mkdocs", "pelican"),
    ("hugo", "hugo-fast", "hugo-full"),
)
FORMAT_WRITERS = {
    "ours": lambda corpus, folder: write_files(folder, our_files(corpus)),
    "hugo": write_hugo,
    "hugo-fast": write_hugo_fast,
    "hugo-full": write_hugo_full,
    "mkdocs": write_mkdocs,
    "pelican": write_pelican,
}
GENERATOR_INPUTS = {
    "ours": [],
    "hugo": [HUGO_LAYOUT],
    "hugo-fast": [HUGO_FAST_LAYOUT, *OUR_ASSETS],
    "hugo-full": [HUGO_FAST_LAYOUT, HUGO_FULL_LAYOUT, *OUR_FULL_ASSETS],
    "mkdocs": [],
    "pelican": [],
}
"""What each tool's sources are made from, besides corpus.py and other_formats.py."""


@dataclass(frozen=True)
class Plan:
    """What is measured at one corpus size."""

    size: int
    runs: int
    once: bool = False
    rebuilds: bool = False
    plain_tools: bool = False
    serve_edits: int = 0
    hugo_timeout: float | None = None

    @property
    def tools(self) -> tuple[str, ...]:
        return MAIN_TOOLS + (PLAIN_TOOLS if self.plain_tools else ())


@dataclass
class ToolResult:
    """Everything measured for one tool at one corpus size."""

    tool: str
    size: int
    pages: int = 0
    tree_pss_mb: float | None = None
    cold: list[Timing] = field(default_factory=list)
    no_op: list[Timing] = field(default_factory=list)
    one_edit: list[Timing] = field(default_factory=list)
    reloads: list[float] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = _tool_commands(args.ours.resolve())
    if commands is None:
        print(
            f"run.py: error: Hugo, MkDocs or Pelican missing from {TOOLS_VENV} "
            "(run `make bench`, which installs bench/requirements.txt there)",
            file=sys.stderr,
        )
        return 2
    started, results = time.perf_counter(), []
    _retire(WORK / "out")
    try:
        for plan in _plans(args):
            sources = _sources(plan.size, args.seed, plan.tools)
            results += Bench(commands, sources, plan, args.ours.resolve()).measure()
        print(_table(results, 3 if args.quick else args.runs))
        print(f"\n(whole benchmark: {time.perf_counter() - started:.0f}s)", flush=True)
    except (BuildFailed, ReloadFailed) as failed:
        print(f"run.py: error: {failed}", file=sys.stderr)
        return 1
    finally:
        _retire(WORK / "out")
        for folder in [*WORK.glob("trash-*"), *WORK.glob("staging-*")]:
            shutil.rmtree(folder)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    sizes = lambda text: [int(size) for size in text.split(",") if size]  # noqa: E731
    parser.add_argument(
        "--sizes",
        type=sizes,
        default=[1000, 3000, 10000],
        help="corpus sizes in articles for cold builds of us and the three Hugo "
        "layouts (default: 1000,3000,10000)",
    )
    parser.add_argument(
        "--rebuild-sizes",
        type=sizes,
        default=[1000, 10000],
        help="sizes with our no-op and one-edit rebuilds (default: 1000,10000)",
    )
    parser.add_argument(
        "--plain-sizes",
        type=sizes,
        default=[1000],
        help="sizes with MkDocs and Pelican, for scale (default: 1000)",
    )
    parser.add_argument(
        "--serve-sizes",
        type=sizes,
        default=[1000],
        help="sizes with `serve`'s save-to-reload time (default: 1000)",
    )
    parser.add_argument(
        "--once-from",
        type=int,
        default=10000,
        help="from this size on, each tool builds cold once, with no warm-up",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--serve-edits", type=int, default=9, help="saves timed under serve")
    parser.add_argument(
        "--hugo-timeout",
        type=float,
        default=300,
        help="seconds after which a single Hugo build is stopped (default: 300)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run of every measurement: N=100, 3 runs, 3 saves",
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument(
        "--ours",
        type=Path,
        default=REPO,
        help="the folder holding the build.py to time (default: this repository)",
    )
    return parser


def _plans(args: argparse.Namespace) -> list[Plan]:
    if args.quick:
        return [Plan(100, 3, rebuilds=True, plain_tools=True, serve_edits=3)]
    return [
        Plan(
            size,
            args.runs,
            once=size >= args.once_from,
            rebuilds=size in args.rebuild_sizes,
            plain_tools=size in args.plain_sizes,
            serve_edits=args.serve_edits if size in args.serve_sizes else 0,
            hugo_timeout=args.hugo_timeout if size >= args.once_from else None,
        )
        for size in args.sizes
    ]


Command = Callable[[Path, Path], tuple[list[str], Path]]
"""(sources folder, output folder) → (argv, working folder) of one build."""


def _tool_commands(ours: Path) -> dict[str, Command] | None:
    """How to run each tool; the Hugo binary directly, not its Python wrapper."""
    hugo = next(TOOLS_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"), None)
    tools_bin = TOOLS_VENV / "bin"
    if hugo is None or not (tools_bin / "mkdocs").exists() or not (tools_bin / "pelican").exists():
        return None
    run_hugo = lambda src, out: (  # noqa: E731
        [str(hugo), "--quiet", "--noBuildLock", "--destination", str(out)],
        src,
    )
    return {
        "ours": lambda src, out: (
            [sys.executable, "build.py", "build", "--src", str(src), "--out", str(out)],
            ours,
        ),
        "hugo": run_hugo,
        "hugo-fast": run_hugo,
        "hugo-full": run_hugo,
        "mkdocs": lambda src, out: (
            [str(tools_bin / "mkdocs"), "build", "--quiet", "--site-dir", str(out)],
            src,
        ),
        "pelican": lambda src, out: (
            [
                str(tools_bin / "pelican"),
                "content",
                "-o",
                str(out),
                "-s",
                "pelicanconf.py",
                "--quiet",
            ],
            src,
        ),
    }


def _retire(folder: Path) -> None:
    """Move a folder aside as trash (a cheap rename), to be deleted after the timings."""
    if folder.exists():
        folder.rename(WORK / f"trash-{folder.name}-{time.time_ns()}")


def _sources(size: int, seed: int, tools: tuple[str, ...]) -> Path:
    """The corpus in each tool's format; a format is regenerated only when its inputs changed."""
    folder = WORK / f"src-{size}"
    stale = [
        tool
        for tool in tools
        if _read(folder / f"{tool}.stamp") != _generator_hash(tool, size, seed)
    ]
    if stale:
        print(f"N={size}: generating the corpus for {', '.join(stale)}", file=sys.stderr)
        corpus = make_corpus(size, seed)
    for tool in stale:
        staging = WORK / f"staging-{size}-{tool}-{time.time_ns()}"
        FORMAT_WRITERS[tool](corpus, staging)
        folder.mkdir(parents=True, exist_ok=True)
        _retire(folder / tool)
        staging.rename(folder / tool)
        (folder / f"{tool}.stamp").write_text(_generator_hash(tool, size, seed))
    return folder


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


def _generator_hash(tool: str, size: int, seed: int) -> str:
    digest = hashlib.sha256(f"{tool}:{size}:{seed}".encode())
    inputs = [BENCH / "corpus.py", *([BENCH / "other_formats.py"] if tool != "ours" else [])]
    for path in GENERATOR_INPUTS[tool]:
        inputs += path.rglob("*") if path.is_dir() else [path]
    for path in sorted(inputs):
        if path.is_file():
            digest.update(path.as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


class Bench:
    """The measurements at one corpus size."""

    def __init__(self, commands: dict[str, Command], sources: Path, plan: Plan, ours: Path):
        self.commands, self.sources, self.plan, self.ours = commands, sources, plan, ours
        self.results = {tool: ToolResult(tool, plan.size) for tool in plan.tools}
        self.out = WORK / "out" / str(plan.size)
        self.edited_id = check_id(article_slug(plan.size // 2), 5)

    def measure(self) -> list[ToolResult]:
        if self.plan.once:
            self._single_cold_builds()
        else:
            for tool in self.plan.tools:
                self._warm_up(tool)
        if self.plan.rebuilds:
            self._rebuilds()
        if not self.plan.once:
            self._cold_runs()
        if self.plan.serve_edits:
            self._serve()
        return list(self.results.values())

    def _warm_up(self, tool: str) -> None:
        """An untimed cold build that fills the disk cache; also counts pages and PSS."""
        self._count(tool, self._build(tool, "warm", "warm-up", cold=True, sample_memory=True))

    def _single_cold_builds(self) -> None:
        """At large sizes: one cold build per tool (into the output later rebuilt)."""
        for tool in self.plan.tools:
            timing = self._build(tool, "warm", "cold build (once)", cold=True, sample_memory=True)
            self._count(tool, timing)
            self.results[tool].cold.append(timing)

    def _count(self, tool: str, timing: Timing) -> None:
        self.results[tool].tree_pss_mb = timing.tree_pss_mb
        if timing.seconds is not None:
            self.results[tool].pages = sum(1 for _ in self._output(tool, "warm").rglob("*.html"))

    def _cold_runs(self) -> None:
        tools = list(self.plan.tools)
        for run in range(self.plan.runs):
            turn = run % len(tools)
            for tool in tools[turn:] + tools[:turn]:
                self.results[tool].cold.append(
                    self._build(
                        tool, f"cold-{run}", f"cold build {run + 1}/{self.plan.runs}", cold=True
                    )
                )

    def _rebuilds(self) -> None:
        """Our no-op rebuilds, then one check's verdict flipped (and back) before each build.

        Hugo has no incremental command-line build: its rebuilds are full builds, so only
        ours are timed; they run right after our first build, into its output.
        """
        ours = self.results["ours"]
        for run in range(self.plan.runs):
            ours.no_op.append(self._build("ours", "warm", f"no-op rebuild {run + 1}"))
        edited = self._edited_check()
        original = edited.read_text(encoding="utf-8")
        try:
            for run in range(self.plan.runs):
                edited.write_text(
                    original if run % 2 else _flip_verdict(original), encoding="utf-8"
                )
                ours.one_edit.append(self._build("ours", "warm", f"one-edit rebuild {run + 1}"))
        finally:
            edited.write_text(original, encoding="utf-8")

    def _serve(self) -> None:
        """Our `serve`: seconds from saving a check to the reload event, over several saves."""
        self._drop_our_cache()
        seconds = measure_reloads(
            self.ours,
            self.sources / "ours",
            self._edited_check(),
            self.plan.serve_edits,
            _flip_verdict,
        )
        print(
            f"N={self.plan.size}: serve, save to reload: "
            + " ".join(f"{second:.2f}s" for second in seconds),
            file=sys.stderr,
        )
        self.results["ours"].reloads = seconds

    def _edited_check(self) -> Path:
        return self.sources / "ours" / "checks" / f"{self.edited_id}.yaml"

    def _build(
        self, tool: str, output: str, what: str, cold: bool = False, sample_memory: bool = False
    ) -> Timing:
        if cold and tool == "ours":
            self._drop_our_cache()
        argv, cwd = self.commands[tool](self.sources / tool, self._output(tool, output))
        timeout = self.plan.hugo_timeout if tool in PEERS else None
        timing = run_timed(argv, cwd, sample_memory, timeout)
        took = (
            f"{timing.seconds:.2f}s (CPU {timing.cpu_seconds:.1f}s, peak RSS "
            f"{timing.peak_rss_mb:.0f} MB)"
            if timing.seconds is not None
            else f"stopped after {timeout:.0f}s"
        )
        print(f"N={self.plan.size}: {what}: {tool} {took}", file=sys.stderr)
        return timing

    def _drop_our_cache(self) -> None:
        """No cache for a cold build: the output is new, and any cache in the sources goes."""
        _retire(self.sources / "ours" / OUR_CACHE_IN_SOURCES)

    def _output(self, tool: str, name: str) -> Path:
        """An output folder alone in its own parent, so no cache beside it is shared."""
        return self.out / f"{tool}-{name}" / "site"


def _flip_verdict(check_yaml: str) -> str:
    """The same check with the next verdict of the scale."""
    lines = check_yaml.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if line.startswith("verdict: "):
            verdict = line.removeprefix("verdict: ").strip()
            following = VERDICTS[(VERDICTS.index(verdict) + 1) % len(VERDICTS)]
            lines[number] = f"verdict: {following}\n"
    return "".join(lines)


def _table(results: list[ToolResult], runs: int) -> str:
    """A Markdown table; ratios are to each Hugo layout's cold build at the same N."""
    peers = {(result.tool, result.size): result for result in results if result.tool in PEERS}
    rows = [
        "| tool | N | pages | cold (s) | cold min-max (s) | CPU (s) | no-op (s) "
        "| one-edit (s) | peak RSS (MB) | tree PSS (MB) | cold/hugo | cold/hugo-fast "
        "| cold/hugo-full | RSS/hugo | RSS/hugo-fast | RSS/hugo-full |",
        "|" + "---|" * 16,
    ]
    for result in results:
        bases = [peers.get((peer, result.size)) for peer in PEERS]
        cells = [
            result.tool,
            str(result.size),
            str(result.pages or "-"),
            _seconds(result.cold),
            _spread(result.cold),
            _cpu(result.cold),
            _seconds(result.no_op),
            _seconds(result.one_edit),
            _megabytes(_median_rss(result.cold)),
            _megabytes(result.tree_pss_mb),
            *[
                _ratio(_median_seconds(result.cold), _median_seconds(base.cold) if base else None)
                for base in bases
            ],
            *[
                _ratio(_median_rss(result.cold), _median_rss(base.cold) if base else None)
                for base in bases
            ],
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(
        [
            *rows,
            "",
            _FOOTNOTE.format(runs=runs),
            "",
            *_paired(results, peers),
            *_reload_lines(results),
            *_page_mismatches(results),
        ]
    )


def _paired(results: list[ToolResult], peers: dict) -> list[str]:
    """Our cold build against each Hugo build timed next to it, run by run: the spread of
    the ratio, which the machine's drift between minutes hides in the medians."""
    lines = []
    for result in (result for result in results if result.tool == "ours"):
        for peer in PEERS:
            base = peers.get((peer, result.size))
            pairs = [
                (ours.seconds, theirs.seconds)
                for ours, theirs in zip(result.cold, base.cold if base else [], strict=False)
                if ours.seconds and theirs.seconds
            ]
            if pairs:
                ratios = [ours / theirs for ours, theirs in pairs]
                lines.append(
                    f"N={result.size}: our cold build was {min(ratios):.2f} to "
                    f"{max(ratios):.2f} times the {peer} build run next to it "
                    f"({len(ratios)} pair{'s' if len(ratios) > 1 else ''})."
                )
    return lines


def _page_mismatches(results: list[ToolResult]) -> list[str]:
    """A Hugo layout that wrote far fewer pages than we did is not doing the same job."""
    ours = {result.size: result.pages for result in results if result.tool == "ours"}
    return [
        f"N={result.size}: WARNING: {result.tool} wrote {result.pages} pages, we wrote "
        f"{ours[result.size]}: its figures are not comparable."
        for result in results
        if result.tool in PEERS
        and result.pages
        and ours.get(result.size)
        and abs(result.pages / ours[result.size] - 1) > 0.02
    ]


def _reload_lines(results: list[ToolResult]) -> list[str]:
    return [
        f"N={result.size}: serve, save to reload: median "
        f"{statistics.median(result.reloads):.2f}s over {len(result.reloads)} saves "
        f"({min(result.reloads):.2f} to {max(result.reloads):.2f}s)."
        for result in results
        if result.reloads
    ]


_FOOTNOTE = (
    "Medians of up to {runs} runs after a warm-up (one cold build, no warm-up, where min-max "
    "is a single figure); whole\nprocesses. CPU: user + system seconds of the whole process "
    "tree. Peak RSS: GNU time, the largest single process;\ntree PSS: the summed PSS of all "
    "processes of one build, sampled every 20 ms on the warm-up. Hugo has no\nincremental CLI "
    "build, so only our rebuilds are timed. MkDocs and Pelican build the plain articles only\n"
    "(no claim pages)."
)


def _timed(timings: list[Timing]) -> list[Timing]:
    return [timing for timing in timings if timing.seconds is not None]


def _median_seconds(timings: list[Timing]) -> float | None:
    timed = _timed(timings)
    return statistics.median(timing.seconds for timing in timed) if timed else None


def _median_rss(timings: list[Timing]) -> float | None:
    timed = _timed(timings)
    return statistics.median(timing.peak_rss_mb for timing in timed) if timed else None


def _seconds(timings: list[Timing]) -> str:
    if timings and not _timed(timings):
        return "stopped"
    median = _median_seconds(timings)
    return f"{median:.2f}" if median is not None else "-"


def _spread(timings: list[Timing]) -> str:
    timed = [timing.seconds for timing in _timed(timings)]
    return f"{min(timed):.2f}-{max(timed):.2f}" if timed else "-"


def _cpu(timings: list[Timing]) -> str:
    timed = _timed(timings)
    return f"{statistics.median(timing.cpu_seconds for timing in timed):.1f}" if timed else "-"


def _megabytes(value: float | None) -> str:
    return f"{value:.0f}" if value is not None else "-"


def _ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}" if value is not None and base else "-"


if __name__ == "__main__":
    sys.exit(main())
