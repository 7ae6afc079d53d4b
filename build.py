#!/usr/bin/env python3
"""Build a static fact-check site: `python build.py [build|check] [--src DIR] ...`.

The command line only parses arguments and prints; the work is in `factcheck.pipeline`.
Exit status: 0 built, 1 the sources have errors, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from factcheck import pipeline
from factcheck.errors import BuildError, Report
from factcheck.write import OutputError

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    src = Path(args.src) if args.src else HERE
    if not src.is_dir():
        print(f"build.py: error: source folder {src} does not exist", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        if args.command == "check":
            result = pipeline.check(src, args.base_url)
        else:
            out = Path(args.out) if args.out else src / "site"
            result = pipeline.build(src, out, args.base_url)
    except BuildError as failed:
        _print_report(failed.report)
        errors = len(failed.report.errors)
        print(f"{errors} error{'s' * (errors != 1)}; nothing was written", file=sys.stderr)
        return 1
    except OutputError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    _print_report(result.report)
    seconds = time.perf_counter() - started
    summary = f"{result.articles} article(s), {result.claims} claim(s)"
    if result.stats is None:
        print(f"checked {summary}: no errors ({seconds:.2f}s)")
    else:
        stats = result.stats
        print(f"built {summary} into {out}: {stats.written} file(s) written, "
              f"{stats.unchanged} unchanged, {stats.removed} removed ({seconds:.2f}s)")
    return 0


def _print_report(report: Report) -> None:
    for diagnostic in report.sorted():
        print(diagnostic, file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build a static fact-check site from articles and checks.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site (the default)")
    check = commands.add_parser("check", help="validate the sources; write nothing")
    # Options may come before or after the command; only the top level sets defaults.
    for sub, default in ((parser, None), (build, argparse.SUPPRESS), (check, argparse.SUPPRESS)):
        sub.add_argument("--src", default=default, help="folder holding content/ and checks/")
        sub.add_argument("--base-url", default=default,
                         help="absolute URL the site is served from (overrides site.yaml)")
    for sub, default in ((parser, None), (build, argparse.SUPPRESS)):
        sub.add_argument("--out", default=default, help="output folder (default: SRC/site)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
