"""Deploy: publish a built site as the one commit of a branch, for GitHub Pages.

ghp-import writes that commit with `git fast-import` straight into the branch, so the
working branch, the index and uncommitted files are never touched. Every deploy replaces
the branch with a single commit without history: the branch never grows, and a deploy
never has to merge with the last one. Everything that can be known before building is
checked before building (`check`), so a deploy that cannot go ahead builds nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import ghp_import  # type: ignore[import-untyped]

from .errors import Report, UsageError
from .validate import read_config
from .write import BOOKKEEPING


class DeployError(UsageError):
    """Publishing cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    """Where to publish: a branch of a git remote (a name such as `origin`, or a URL)."""

    remote: str = "origin"
    branch: str = "gh-pages"
    cname: str | None = None
    message: str = "Publish the fact-check site"


def base_url(src: Path, override: str | None) -> str | None:
    """The URL the site will be served from; None when the settings have errors.

    Only site.yaml is read, so asking costs nothing beside a build.
    """
    report = Report()
    config = read_config(src, report, override)
    return None if report.errors else config.base_url


def check(repository: Path, target: Target, site_url: str | None) -> None:
    """Refuse, before anything is built, where publishing would fail or go wrong.

    That is where ghp-import would fail half-way or disturb the editor's work, where the
    push at the end could not reach the remote, and where `CNAME` would send readers to
    another host than the one the site's links name (`site_url` is None while unknown).
    """
    if target.cname is not None and site_url is not None:
        _check_cname(target.cname, site_url)
    with contextlib.chdir(repository):
        _check_repository(target.branch)
        _check_remote(target.remote)


def publish(site: Path, repository: Path, target: Target) -> None:
    """Replace `target.branch` on the remote with one commit holding `site` (after `check`).

    The branch also gets `.nojekyll` (GitHub Pages must not run Jekyll, which would drop
    `_headers`) and `CNAME` when a custom domain is given. The build's manifest stays out.
    """
    site = site.resolve()
    with contextlib.chdir(repository):
        # A leftover local branch would become the new commit's parent.
        _git("update-ref", "-d", f"refs/heads/{target.branch}")
        with tempfile.TemporaryDirectory(prefix="factcheck-deploy-") as staging:
            shutil.copytree(
                site,
                staging,
                dirs_exist_ok=True,
                ignore=lambda folder, names: _manifest_in(site, folder, names),
            )
            _import(staging, target)


def _import(staging: str, target: Target) -> None:
    try:
        ghp_import.ghp_import(
            staging,
            remote=target.remote,
            branch=target.branch,
            mesg=target.message,
            cname=target.cname,
            nojekyll=True,
            no_history=True,
            push=True,
        )
    except ghp_import.GhpError as exc:
        raise DeployError(exc.message.strip()) from None
    except subprocess.CalledProcessError:
        raise DeployError(
            f"git could not push {target.branch} to {target.remote} (git's message is above)"
        ) from None


def _check_cname(cname: str, site_url: str) -> None:
    """GitHub Pages serves the site at the `CNAME` domain: base_url must name that host."""
    host = urlsplit(site_url).hostname or ""
    if cname.rstrip(".").lower() != host:
        raise DeployError(
            f"--cname {cname} disagrees with base_url {site_url}: GitHub "
            f"would serve the site at {cname}, its links point to {host} "
            f"(make them the same host, or leave out --cname)"
        )


def _check_repository(branch: str) -> None:
    if _git("rev-parse", "--git-dir") is None:
        raise DeployError(
            "the sources are not in a git repository "
            "(run `git init` and add a remote, or deploy from a clone)"
        )
    if _git("symbolic-ref", "--quiet", "--short", "HEAD") == branch:
        raise DeployError(
            f"{branch} is the branch checked out here; switch to your "
            f"working branch first (or choose another --branch)"
        )
    for key, variable in (
        ("user.name", "GIT_COMMITTER_NAME"),
        ("user.email", "GIT_COMMITTER_EMAIL"),
    ):
        if not os.environ.get(variable) and not _git("config", key):
            raise DeployError(
                f"git does not know who is publishing; set it with `git config --global {key} ...`"
            )


def _check_remote(remote: str) -> None:
    """The remote is one of the repository's, or a URL or path, and answers git."""
    looks_like_url = ":" in remote or "/" in remote  # https://..., git@host:..., ../site.git
    if not looks_like_url and _git("remote", "get-url", remote) is None:
        raise DeployError(
            f"this repository has no remote named {remote} (add it with "
            f"`git remote add {remote} URL`, or pass --remote URL)"
        )
    answer = _run_git("ls-remote", "--heads", remote)
    if answer.returncode != 0:
        said = next((line for line in answer.stderr.splitlines() if line.strip()), "")
        raise DeployError(
            f"cannot reach the remote {remote}: "
            f"{said.removeprefix('fatal: ') or 'git gave no reason'}"
        )


def _git(*args: str) -> str | None:
    """A git command's output, or None when it failed."""
    done = _run_git(*args)
    return done.stdout.strip() if done.returncode == 0 else None


def _run_git(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except OSError:
        raise DeployError("git is not installed (deploying publishes with git)") from None


def _manifest_in(site: Path, folder: str, names: list[str]) -> list[str]:
    """The build's bookkeeping file is for the next build, not for readers."""
    return sorted(BOOKKEEPING & set(names)) if Path(folder) == site else []
