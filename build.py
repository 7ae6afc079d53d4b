#!/usr/bin/env python3
"""Build a static fact-check site: `python build.py [COMMAND] [--src DIR] ...`.

The command line only parses arguments and prints; each command calls plain functions
in the `factcheck` package. Exit status: 0 built, 1 the sources have errors, 2 bad usage.
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
OK, SOURCE_ERRORS, BAD_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.src = Path(args.src) if args.src else HERE
    if not args.src.is_dir():
        print(f"build.py: error: source folder {args.src} does not exist", file=sys.stderr)
        return BAD_USAGE
    return COMMANDS[args.command or "build"](args)


def build_command(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else args.src / "site"
    started = time.perf_counter()
    result = _run(lambda: pipeline.build(args.src, out, args.base_url))
    if isinstance(result, int):
        return result
    stats = result.stats
    print(f"built {_counts(result)} into {out}: {stats.written} file(s) written, "
          f"{stats.unchanged} unchanged, {stats.removed} removed "
          f"({time.perf_counter() - started:.2f}s)")
    return OK


def check_command(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = _run(lambda: pipeline.check(args.src, args.base_url))
    if isinstance(result, int):
        return result
    print(f"checked {_counts(result)}: no errors ({time.perf_counter() - started:.2f}s)")
    return OK


COMMANDS = {"build": build_command, "check": check_command}


def _run(work) -> pipeline.Result | int:
    """Run a pipeline call; print its diagnostics; an exit status when it failed."""
    try:
        result = work()
    except BuildError as failed:
        _print_report(failed.report)
        errors = len(failed.report.errors)
        print(f"{errors} error{'s' * (errors != 1)}; nothing was written", file=sys.stderr)
        return SOURCE_ERRORS
    except OutputError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return BAD_USAGE
    _print_report(result.report)
    return result


def _counts(result: pipeline.Result) -> str:
    return f"{result.articles} article(s), {result.claims} claim(s)"


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
