#!/usr/bin/env python3
"""Build a static fact-check site: `python build.py [COMMAND] [--src DIR] ...`.

The command line only parses arguments and prints; each command calls plain functions
in the `factcheck` package, importing the modules of serve, new, deploy and link checks
only when they run, so a build does not pay for loading them. Exit status: 0 built,
1 the sources have errors, 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

from factcheck import pipeline
from factcheck.errors import (
    BuildError,
    Diagnostic,
    FactcheckError,
    Report,
    fail_on_warnings,
    github_annotation,
    printable,
)
from factcheck.options import BuildOptions, source_date

HERE = Path(__file__).resolve().parent
OK, SOURCE_ERRORS, BAD_USAGE = 0, 1, 2
WARNINGS_OF_A_KIND = 5
"""Warnings printed of each kind per run: thousands alike would bury the errors."""
_VARYING = re.compile(r"'[^']*'|\bhttps?://\S+|\d+")
"""What differs between warnings of one kind: quoted values, links, numbers."""


def main(argv: list[str] | argparse.Namespace | None = None) -> int:
    args = argv if isinstance(argv, argparse.Namespace) else _parser().parse_args(argv)
    args.src = Path(args.src) if args.src else HERE
    problem = _source_folder_problem(args.src, args.command or "build")
    if problem:
        print(printable(f"build.py: error: {problem}"), file=sys.stderr)
        return BAD_USAGE
    return COMMANDS[args.command or "build"](args)


def _source_folder_problem(src: Path, command: str) -> str:
    """Why --src is not a source folder: one holds content/ or checks/ (`new` may start
    one), so pointing at content/ itself or at the wrong folder is caught at once."""
    if not src.is_dir():
        return f"source folder {src} {'is not a folder' if src.exists() else 'does not exist'}"
    if _holds_sources(src) or (command == "new" and src.name not in SOURCE_PARTS):
        return ""
    nearby = [p for p in (*src.resolve().parents[:2], *_folders_in(src)) if _holds_sources(p)]
    hint = f"did you mean --src {nearby[0]}?" if nearby else "--src is the folder that holds them"
    return f"{src} has neither content/ nor checks/ ({hint})"


SOURCE_PARTS = ("content", "checks", "templates")


def _holds_sources(folder: Path) -> bool:
    return any(os.path.lexists(folder / name) for name in SOURCE_PARTS[:2])


def _folders_in(folder: Path) -> list[Path]:
    """A few sub-folders, where a source folder given one level too high would be."""
    try:
        with os.scandir(folder) as entries:
            return sorted(Path(e.path) for e in entries if e.is_dir(follow_symlinks=False))[:100]
    except OSError:
        return []


def build_command(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else args.src / "site"
    started = time.perf_counter()
    with TerminalProgress(sys.stderr) as progress:
        result = _run(lambda: pipeline.build(args.src, out, options(args), progress), args)
    if isinstance(result, int):
        return result
    stats = result.stats
    print(
        f"built {_counts(result)} from {args.src} into {out}: {stats.written} file(s) written, "
        f"{stats.unchanged} reused or unchanged, {stats.removed} removed "
        f"({time.perf_counter() - started:.2f}s)"
    )
    return OK


def options(args: argparse.Namespace) -> BuildOptions:
    """What the command line asked for, and the environment's SOURCE_DATE_EPOCH."""
    return BuildOptions(base_url=args.base_url, strict=args.strict, source_date=source_date())


class TerminalProgress:
    """Counts on one self-overwriting line while a long build runs; silent off a terminal."""

    def __init__(self, stream) -> None:
        self.stream, self.shown = stream, False
        self.live = stream.isatty()

    def __call__(self, what: str, done: int, total: int) -> None:
        if self.live:
            self.stream.write(f"\r\033[K{what}: {done}/{total}")
            self.stream.flush()
            self.shown = True

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def check_command(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = _run(lambda: _check(args), args)
    if isinstance(result, int):
        return result
    print(
        f"checked {_counts(result)}: no errors{_warning_count(result.report)} in {args.src} "
        f"({time.perf_counter() - started:.2f}s)"
    )
    return _standards(args) if args.standards else OK


def _standards(args: argparse.Namespace) -> int:
    """`check --standards`: the IFCN and EFCSN checklist; exit 1 when an item is missing."""
    from factcheck import standards
    from factcheck.validate import read_config

    items = standards.audit(read_config(args.src, Report(), args.base_url))
    print("\n".join(standards.checklist(items)))
    return OK if all(item.shown for item in items) else SOURCE_ERRORS


def _check(args: argparse.Namespace) -> pipeline.Result:
    result = pipeline.check(args.src, options(args))
    if args.links:
        from factcheck import linkcheck

        links, cached = linkcheck.check_links(args.src, result.report, args.timeout)
        print(f"checked {links} link(s), {cached} of them answered from today's cache")
    if args.strict:
        fail_on_warnings(result.report)
    return result


def serve_command(args: argparse.Namespace) -> int:
    from factcheck import deploy, serve

    folders, site_file = serve.source_paths(args.src)
    port = serve.DEFAULT_PORT if args.port is None else args.port

    warm = pipeline.Warm()

    def build_preview(out: Path) -> serve.Built:
        report = pipeline.build(args.src, out, options(args), warm=warm).report
        return serve.Built(report, deploy.base_url(args.src, args.base_url) or "")

    try:
        with pipeline.preview_folder(args.src) as out:
            return serve.serve(build_preview, out, folders, site_file, port)
    except serve.ServeError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return BAD_USAGE


def new_command(args: argparse.Namespace) -> int:
    from factcheck import scaffold

    try:
        created = scaffold.new_check(args.src, args.id, dt.date.today())
    except scaffold.ScaffoldError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return BAD_USAGE
    print(
        f"wrote {created.path}; fill it in, then mark the claim in an article:\n  {created.marker}"
    )
    if created.hint:
        print(f"hint: {created.hint}")
    return OK


def translate_command(args: argparse.Namespace) -> int:
    """Write or update the site's catalogue for a language: locales/LANG.po."""
    from factcheck import i18n

    try:
        path, left = i18n.write_site_catalogue(args.src, args.language, dt.date.today())
    except FactcheckError as exc:
        print(printable(f"build.py: error: {exc}"), file=sys.stderr)
        return exc.status
    print(
        f"wrote {path} ({left}): translate each msgstr, then run python build.py check, "
        "which lists what is left with its line"
    )
    return OK


def deploy_command(args: argparse.Namespace) -> int:
    from factcheck import deploy

    base_url = deploy.base_url(args.src, args.base_url)
    if base_url == "":
        print(
            "build.py: error: deploy needs the address the site is served from, for its "
            "canonical links, sitemap, feed and 404 page (set base_url in site.yaml or "
            "pass --base-url); nothing was deployed",
            file=sys.stderr,
        )
        return BAD_USAGE
    out = Path(args.out) if args.out else args.src / "site"
    given = {"remote": args.remote, "branch": args.branch, "message": args.message}
    target = deploy.Target(cname=args.cname, **{k: v for k, v in given.items() if v})
    try:
        deploy.check(args.src, target, base_url)  # first: a deploy that cannot go ahead
        status = build_command(args)  # builds nothing
        if status == OK:
            deploy.publish(out, args.src, target)
    except deploy.DeployError as exc:
        print(f"build.py: error: {exc}; nothing was deployed", file=sys.stderr)
        return BAD_USAGE
    if status != OK:
        print("nothing was deployed", file=sys.stderr)
        return status
    print(
        f"deployed {out} to branch {target.branch} of {target.remote}; "
        f"the site will be at {base_url}"
    )
    return OK


COMMANDS = {
    "build": build_command,
    "check": check_command,
    "deploy": deploy_command,
    "serve": serve_command,
    "new": new_command,
    "translate": translate_command,
}


def _run(work, args: argparse.Namespace) -> pipeline.Result | int:
    """Run a pipeline call; print its diagnostics; an exit status when it failed."""
    try:
        result = work()
    except BuildError as failed:
        _print_report(failed.report, args)
        errors = len(failed.report.errors)
        print(
            f"{errors} error{'s' * (errors != 1)}{_warning_count(failed.report)} in {args.src}; "
            "nothing was written",
            file=sys.stderr,
        )
        return SOURCE_ERRORS
    except FactcheckError as exc:
        print(printable(f"build.py: error: {exc}"), file=sys.stderr)
        return exc.status
    _print_report(result.report, args)
    return result


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 300:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds from 0 to 300")
    return seconds


def _counts(result: pipeline.Result) -> str:
    return f"{result.articles} article(s), {result.claims} claim(s)"


def _print_report(report: Report, args: argparse.Namespace) -> None:
    """Every error, and each kind of warning at most WARNINGS_OF_A_KIND times, then how
    many more of that kind there were."""
    shown: Counter[str] = Counter()
    for diagnostic in report.sorted():
        if diagnostic.severity == "warning":
            shown[_kind(diagnostic)] += 1
            if shown[_kind(diagnostic)] > WARNINGS_OF_A_KIND:
                continue
        if args.format == "github":  # paths relative to the working folder, the repository's
            path = Path(os.path.relpath(args.src / diagnostic.path)).as_posix()
            print(github_annotation(diagnostic, path))
        else:
            print(diagnostic, file=sys.stderr)
    for kind, count in sorted(shown.items()):
        if count > WARNINGS_OF_A_KIND:
            more = count - WARNINGS_OF_A_KIND
            print(printable(f"... and {more} more warnings like this: {kind}"), file=sys.stderr)


def _kind(diagnostic: Diagnostic) -> str:
    """A warning's message with what varies between warnings of its kind left out."""
    return _VARYING.sub(lambda part: "N" if part[0].isdigit() else "...", diagnostic.message)


def _warning_count(report: Report) -> str:
    """', 3 warnings' for a summary line, or nothing without warnings."""
    count = len(report.warnings)
    return f", {count} warning{'s' * (count != 1)}" if count else ""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build a static fact-check site from articles and checks."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site (the default)")
    check = commands.add_parser("check", help="validate the sources; write nothing")
    publish = commands.add_parser(
        "deploy", help="build with the site's base_url and publish it to a git branch"
    )
    publish.add_argument("--remote", help="git remote name or URL to push to (default: origin)")
    publish.add_argument("--branch", help="branch to replace with the site (default: gh-pages)")
    publish.add_argument("--cname", help="custom domain, written to CNAME on the branch")
    publish.add_argument("--message", help="commit message on the branch")
    serving = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild on change")
    serving.add_argument(
        "--port", type=int, help="port to serve on, or the next free one (default: 8000)"
    )
    translate = commands.add_parser(
        "translate", help="write or update locales/LANG.po, the site's catalogue for a language"
    )
    translate.add_argument("language", help="a language tag, e.g. ur, sw or pt-BR")
    translate.add_argument(
        "--src", default=argparse.SUPPRESS, help="folder holding content/ and checks/"
    )
    new = commands.add_parser("new", help="write checks/ID.yaml from a commented template")
    new.add_argument("id", help="the new check's id, e.g. airspace-deal")
    new.add_argument("--src", default=argparse.SUPPRESS, help="folder holding content/ and checks/")
    check.add_argument(
        "--links",
        action="store_true",
        default=argparse.SUPPRESS,
        help="also fetch every source, archive and appearance link",
    )
    check.add_argument(
        "--standards",
        action="store_true",
        default=argparse.SUPPRESS,
        help="also list which IFCN and EFCSN transparency items the pages show",
    )
    check.add_argument(
        "--timeout",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="with --links: how long to wait for each server (default: 10)",
    )
    hidden = argparse.SUPPRESS
    for sub, strict, form in (
        (parser, False, "text"),
        (build, hidden, hidden),
        (check, hidden, hidden),
    ):
        sub.add_argument(
            "--strict", action="store_true", default=strict, help="fail on warnings too"
        )
        sub.add_argument(
            "--format",
            choices=("text", "github"),
            default=form,
            help="how to print problems: text, or GitHub Actions annotations",
        )
    parser.set_defaults(links=False, standards=False)
    # Options may come before or after the command; only the top level sets defaults.
    for sub, default in (
        (parser, None),
        (build, argparse.SUPPRESS),
        (check, argparse.SUPPRESS),
        (publish, argparse.SUPPRESS),
        (serving, argparse.SUPPRESS),
    ):
        sub.add_argument("--src", default=default, help="folder holding content/ and checks/")
        sub.add_argument(
            "--base-url",
            default=default,
            help="absolute URL the site is served from (overrides site.yaml)",
        )
    for sub, default in ((parser, None), (build, argparse.SUPPRESS), (publish, argparse.SUPPRESS)):
        sub.add_argument("--out", default=default, help="output folder (default: SRC/site)")
    return parser


if __name__ == "__main__":
    # The garbage-collection policy, here alone: a build's million objects live until it
    # ends, so collecting them during the build, or at exit, costs time and frees nothing
    # (0.15 s of each at 10,000 claims); a server builds again and again and must collect.
    arguments = _parser().parse_args()
    if arguments.command != "serve":
        gc.disable()
    status = main(arguments)
    gc.freeze()
    sys.exit(status)
