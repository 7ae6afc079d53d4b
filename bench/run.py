#!/usr/bin/env python3
"""Time our build against Hugo, MkDocs and Pelican on the same generated corpus.

Each build is a whole process, timed from outside and run under `/usr/bin/time -v` for
its peak resident memory. After one untimed warm-up per tool, every measurement is the
median of `--runs` runs, ours and Hugo's alternating so that drift hits both alike.
Cold builds go into fresh folders; nothing is deleted until every timing is done,
because creating many files just after deleting many is slow on these disks.
Usage: python bench/run.py [--sizes 100,1000] [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus import VERDICTS, article_slug, check_id, make_corpus, our_files, write_files
from other_formats import HUGO_LAYOUT, write_hugo, write_mkdocs, write_pelican

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
TOOLS_VENV = WORK / "venv"
GNU_TIME = Path("/usr/bin/time")
FORMAT_WRITERS = {"ours": lambda corpus, folder: write_files(folder, our_files(corpus)),
                  "hugo": write_hugo, "mkdocs": write_mkdocs, "pelican": write_pelican}


@dataclass
class Timing:
    seconds: float
    peak_rss_mb: float
    tree_pss_mb: float | None = None


@dataclass
class ToolResult:
    """Everything measured for one tool at one corpus size."""

    tool: str
    size: int
    pages: int = 0
    tree_pss_mb: float = 0.0
    cold: list[Timing] = field(default_factory=list)
    no_op: list[Timing] = field(default_factory=list)
    one_edit: list[Timing] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sizes, runs = ([100], 3) if args.quick else (args.sizes, args.runs)
    commands = _tool_commands()
    if commands is None:
        print(f"run.py: error: Hugo, MkDocs or Pelican missing from {TOOLS_VENV} "
              "(run `make bench`, which installs bench/requirements.txt there)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    _retire(WORK / "out")
    results = []
    try:
        for size in sizes:
            sources = _sources(size, args.seed)
            results += Bench(commands, sources, size, runs).measure()
    finally:
        _retire(WORK / "out")
        for folder in [*WORK.glob("trash-*"), *WORK.glob("staging-*")]:
            shutil.rmtree(folder)
    print(_table(results, runs))
    print(f"\n(whole benchmark: {time.perf_counter() - started:.0f}s)")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=[100, 1000],
                        type=lambda text: [int(size) for size in text.split(",")],
                        help="corpus sizes in articles, comma-separated (default: 100,1000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--quick", action="store_true", help="a smoke run: N=100, 3 runs")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    return parser


Command = Callable[[Path, Path], tuple[list[str], Path]]
"""(sources folder, output folder) → (argv, working folder) of one build."""


def _tool_commands() -> dict[str, Command] | None:
    """How to run each tool; the Hugo binary directly, not its Python wrapper."""
    hugo = next(TOOLS_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"), None)
    tools_bin = TOOLS_VENV / "bin"
    if hugo is None or not (tools_bin / "mkdocs").exists() or not (tools_bin / "pelican").exists():
        return None
    return {
        "ours": lambda src, out: (
            [sys.executable, "build.py", "build", "--src", str(src), "--out", str(out)], REPO),
        "hugo": lambda src, out: (
            [str(hugo), "--quiet", "--noBuildLock", "--destination", str(out)], src),
        "mkdocs": lambda src, out: (
            [str(tools_bin / "mkdocs"), "build", "--quiet", "--site-dir", str(out)], src),
        "pelican": lambda src, out: (
            [str(tools_bin / "pelican"), "content", "-o", str(out), "-s", "pelicanconf.py",
             "--quiet"], src),
    }


def _retire(folder: Path) -> None:
    """Move a folder aside as trash (a cheap rename), to be deleted after the timings."""
    if folder.exists():
        folder.rename(folder.with_name(f"trash-{folder.name}-{time.time_ns()}"))


def _sources(size: int, seed: int) -> Path:
    """The corpus in every tool's format, regenerated only when the generator changed."""
    folder = WORK / f"src-{size}"
    stamp = _generator_hash(size, seed)
    if (folder / "stamp").exists() and (folder / "stamp").read_text() == stamp:
        return folder
    print(f"N={size}: generating the corpus", file=sys.stderr)
    staging = WORK / f"staging-{size}-{time.time_ns()}"
    corpus = make_corpus(size, seed)
    for tool, write in FORMAT_WRITERS.items():
        write(corpus, staging / tool)
    (staging / "stamp").write_text(stamp)
    _retire(folder)
    staging.rename(folder)
    return folder


def _generator_hash(size: int, seed: int) -> str:
    digest = hashlib.sha256(f"{size}:{seed}".encode())
    for path in sorted([BENCH / "corpus.py", BENCH / "other_formats.py",
                        *HUGO_LAYOUT.rglob("*")]):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


class Bench:
    """The measurements at one corpus size."""

    def __init__(self, commands: dict[str, Command], sources: Path, size: int, runs: int):
        self.commands, self.sources, self.size, self.runs = commands, sources, size, runs
        self.results = {tool: ToolResult(tool, size) for tool in commands}
        self.out = WORK / "out" / str(size)

    def measure(self) -> list[ToolResult]:
        for tool in self.commands:
            self._warm_up(tool)
        tools = list(self.commands)
        for run in range(self.runs):
            for tool in tools[run % 2:] + tools[:run % 2]:
                self.results[tool].cold.append(
                    self._build(tool, f"cold-{run}", f"cold build {run + 1}/{self.runs}"))
        for run in range(self.runs):
            for tool in _alternate(["ours", "hugo"], run):
                self.results[tool].no_op.append(
                    self._build(tool, "warm", f"no-op rebuild {run + 1}/{self.runs}"))
        self._one_edit_runs()
        return list(self.results.values())

    def _warm_up(self, tool: str) -> None:
        """An untimed cold build that fills the disk cache; also counts pages and PSS."""
        timing = self._build(tool, "warm", "warm-up", sample_memory=True)
        self.results[tool].tree_pss_mb = timing.tree_pss_mb
        self.results[tool].pages = sum(1 for _ in self._output(tool, "warm").rglob("*.html"))

    def _one_edit_runs(self) -> None:
        """Flip one check's verdict (in our checks/ and Hugo's data/) before each rebuild."""
        edited_id = check_id(article_slug(self.size // 2), 5)
        edited = [self.sources / "ours" / "checks" / f"{edited_id}.yaml",
                  self.sources / "hugo" / "data" / "claims" / f"{edited_id}.yaml"]
        original = edited[0].read_text(encoding="utf-8")
        try:
            for run in range(self.runs):
                text = original if run % 2 else _flip_verdict(original)
                for path in edited:
                    path.write_text(text, encoding="utf-8")
                for tool in _alternate(["ours", "hugo"], run):
                    self.results[tool].one_edit.append(
                        self._build(tool, "warm", f"one-edit rebuild {run + 1}/{self.runs}"))
        finally:
            for path in edited:
                path.write_text(original, encoding="utf-8")

    def _build(self, tool: str, output: str, what: str, sample_memory: bool = False) -> Timing:
        argv, cwd = self.commands[tool](self.sources / tool, self._output(tool, output))
        timing = run_timed(argv, cwd, sample_memory)
        print(f"N={self.size}: {what}: {tool} {timing.seconds:.2f}s", file=sys.stderr)
        return timing

    def _output(self, tool: str, name: str) -> Path:
        """An output folder alone in its own parent, so no cache beside it is shared."""
        return self.out / f"{tool}-{name}" / "site"


def _alternate(pair: list[str], run: int) -> list[str]:
    return pair if run % 2 == 0 else pair[::-1]


def _flip_verdict(check_yaml: str) -> str:
    """The same check with the next verdict of the scale."""
    lines = check_yaml.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if line.startswith("verdict: "):
            verdict = line.removeprefix("verdict: ").strip()
            following = VERDICTS[(VERDICTS.index(verdict) + 1) % len(VERDICTS)]
            lines[number] = f"verdict: {following}\n"
    return "".join(lines)


def run_timed(argv: list[str], cwd: Path, sample_memory: bool = False) -> Timing:
    """Run one build under GNU time; with `sample_memory`, also its process tree's peak PSS.

    GNU time's peak RSS is that of the largest single process, which understates a
    build that forks workers; summing proportional set sizes over the whole tree does
    not. The sampler costs a little CPU, so it runs only on the untimed warm-up.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        command = [str(GNU_TIME), "-v", "-o", report.name, *argv]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        sampler = TreeMemorySampler(process.pid) if sample_memory else None
        stdout, stderr = process.communicate()
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"run.py: {' '.join(argv)} failed (exit {process.returncode}):\n"
                             f"{stdout}{stderr}")
        tree_pss_mb = sampler.stop() if sampler else None
        return Timing(seconds, _max_rss_mb(report.read()), tree_pss_mb)


def _max_rss_mb(time_report: str) -> float:
    for line in time_report.splitlines():
        if "Maximum resident set size (kbytes)" in line:
            return int(line.rsplit(":", 1)[1]) / 1024
    raise SystemExit(f"run.py: no peak memory in GNU time's report:\n{time_report}")


class TreeMemorySampler:
    """Polls the summed PSS of a process's descendants every 20 ms in a thread."""

    def __init__(self, root: int):
        self.root, self.peak_kb, self.running = root, 0, True
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return self.peak_kb / 1024

    def _poll(self) -> None:
        while self.running:
            self.peak_kb = max(self.peak_kb, sum(map(_pss_kb, _descendants(self.root))))
            time.sleep(0.02)


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        parent = pending.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += map(int, children)
        pending += map(int, children)
    return found


def _pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _table(results: list[ToolResult], runs: int) -> str:
    """A Markdown table; ratios are to Hugo's cold build (and peak RSS) at the same N."""
    hugo = {result.size: result for result in results if result.tool == "hugo"}
    rows = ["| tool | N | pages | cold (s) | no-op (s) | one-edit (s) | peak RSS (MB) "
            "| tree PSS (MB) | cold/Hugo | no-op/Hugo cold | one-edit/Hugo cold | RSS/Hugo |",
            "|" + "---|" * 12]
    for result in results:
        base = hugo[result.size]
        hugo_cold, hugo_rss = _median_seconds(base.cold), _median_rss(base.cold)
        cells = [result.tool, str(result.size), str(result.pages),
                 _seconds(result.cold), _seconds(result.no_op), _seconds(result.one_edit),
                 f"{_median_rss(result.cold):.0f}", f"{result.tree_pss_mb:.0f}",
                 _ratio(result.cold, hugo_cold), _ratio(result.no_op, hugo_cold),
                 _ratio(result.one_edit, hugo_cold), f"{_median_rss(result.cold) / hugo_rss:.2f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join([*rows, "", _FOOTNOTE.format(runs=runs), "", *_paired(results, hugo)])


def _paired(results: list[ToolResult], hugo: dict[int, ToolResult]) -> list[str]:
    """Our cold build against the Hugo build timed next to it, run by run: the spread of
    the ratio, which the machine's drift between minutes hides in the medians."""
    lines = []
    for result in results:
        if result.tool == "ours" and result.cold:
            ratios = [ours.seconds / theirs.seconds
                      for ours, theirs in zip(result.cold, hugo[result.size].cold, strict=True)]
            lines.append(f"N={result.size}: our cold build was {min(ratios):.2f} to "
                         f"{max(ratios):.2f} times the Hugo build run next to it.")
    return lines


_FOOTNOTE = (
    "Medians of {runs} runs after a warm-up; whole processes. Hugo has no incremental CLI "
    "build: its no-op and one-edit\nfigures are full builds into the existing output. MkDocs "
    "and Pelican build the plain articles only (no claim\npages). Peak RSS: GNU time, the "
    "largest single process; tree PSS: the summed PSS of all processes\nof one build, sampled "
    "every 20 ms on the warm-up.")


def _median_seconds(timings: list[Timing]) -> float:
    return statistics.median(timing.seconds for timing in timings)


def _median_rss(timings: list[Timing]) -> float:
    return statistics.median(timing.peak_rss_mb for timing in timings)


def _seconds(timings: list[Timing]) -> str:
    return f"{_median_seconds(timings):.2f}" if timings else "-"


def _ratio(timings: list[Timing], hugo_cold: float) -> str:
    return f"{_median_seconds(timings) / hugo_cold:.2f}" if timings else "-"


if __name__ == "__main__":
    sys.exit(main())
