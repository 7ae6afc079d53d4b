"""`build.py deploy`: publish site/ as the single commit of a branch on a real git remote."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BASE_URL = "https://example.org/checks/"


def git(*args, cwd: Path) -> str:
    done = subprocess.run(
        ["git", *map(str, args)], cwd=cwd, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


@pytest.fixture
def project(tmp_path, make_site, monkeypatch):
    """Committed sources with uncommitted work, and a bare repository as `origin`."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Fact Desk")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "desk@example.org")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    remote = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", remote, cwd=tmp_path)
    src = make_site(
        {
            "site.yaml": f"base_url: {BASE_URL}\n",
            ".gitignore": "/site/\n",
            "NOTES.md": "committed\n",
        }
    )
    git("init", "--quiet", "-b", "main", cwd=src)
    git("add", ".", cwd=src)
    git("commit", "--quiet", "-m", "Sources", cwd=src)
    git("remote", "add", "origin", remote, cwd=src)
    (src / "NOTES.md").write_text("edited, not committed\n")
    (src / "draft.txt").write_text("untracked\n")
    return src, remote


def published(remote: Path, tmp_path: Path, name: str = "clone") -> Path:
    clone = tmp_path / name
    git("clone", "--quiet", "--branch", "gh-pages", remote, clone, cwd=tmp_path)
    return clone


def working_state(src: Path) -> tuple[str, ...]:
    return (
        git("rev-parse", "HEAD", cwd=src),
        git("symbolic-ref", "HEAD", cwd=src),
        git("status", "--porcelain", "--untracked-files=no", cwd=src),
        git("diff", "HEAD", cwd=src),
        (src / "NOTES.md").read_text(),
        (src / "draft.txt").read_text(),
    )


def test_deploy_publishes_site_as_one_commit(project, run, tmp_path):
    src, remote = project
    before = working_state(src)
    status, out, err = run(
        "deploy",
        "--src",
        src,
        "--base-url",
        "https://checks.example.org/",
        "--cname",
        "checks.example.org",
    )
    assert status == 0, err
    assert "the site will be at https://checks.example.org/" in out
    site = tree(src / "site")
    assert b"https://checks.example.org/demo/" in site["demo/index.html"]  # built with it
    expected = {name: data for name, data in site.items() if name != ".factcheck-files.json"}
    expected |= {".nojekyll": b"", "CNAME": b"checks.example.org"}
    clone = published(remote, tmp_path)
    assert tree(clone) == expected
    assert git("rev-list", "--count", "gh-pages", cwd=remote) == "1"
    assert working_state(src) == before


def test_second_deploy_replaces_the_branch(project, run, tmp_path):
    src, remote = project
    assert run("deploy", "--src", src, "--message", "First")[0] == 0
    first = git("rev-parse", "gh-pages", cwd=remote)
    check = src / "checks" / "river-length.yaml"
    check.write_text(check.read_text().replace("four miles", "four and a half miles"))
    before = working_state(src)
    status, _, err = run("deploy", "--src", src, "--message", "Second")
    assert status == 0, err
    assert git("rev-parse", "gh-pages", cwd=remote) != first
    assert git("log", "--format=%s", "gh-pages", cwd=remote) == "Second"  # one commit, no history
    clone = published(remote, tmp_path)
    assert b"four and a half miles" in (clone / "demo" / "river-length" / "index.html").read_bytes()
    assert not (clone / "CNAME").exists()
    assert tree(clone) == {
        **{n: d for n, d in tree(src / "site").items() if n != ".factcheck-files.json"},
        ".nojekyll": b"",
    }
    assert working_state(src) == before


def test_deploy_to_a_remote_url_and_another_branch(project, run, tmp_path):
    src, remote = project
    for _ in range(2):  # a URL has no remote-tracking branch: still one commit
        status, _, err = run("deploy", "--src", src, "--remote", remote, "--branch", "pages")
        assert status == 0, err
    assert git("rev-list", "--count", "pages", cwd=remote) == "1"


def no_branches(remote: Path) -> bool:
    return git("branch", "--list", cwd=remote) == ""


def refused_before_building(src: Path, remote: Path | None, err: list[str]) -> str:
    """The one line of a refusal that came before the build: nothing built, nothing pushed."""
    assert len(err) == 1, err
    assert err[0].startswith("build.py: error: ") and err[0].endswith("; nothing was deployed")
    assert not (src / "site").exists()
    assert remote is None or no_branches(remote)
    return err[0]


def test_refuses_without_base_url(project, run):
    src, remote = project
    (src / "site.yaml").write_text("title: Checks\n")
    status, _, err = run("deploy", "--src", src)
    assert status == 2
    assert "base_url" in err[-1] and "nothing was deployed" in err[-1]
    assert not (src / "site").exists()
    assert no_branches(remote)


def test_refuses_a_build_with_errors(project, run):
    src, remote = project
    (src / "checks" / "river-length.yaml").write_text("claim: [unclosed\n")
    status, _, err = run("deploy", "--src", src)
    assert status == 1
    assert err[0].startswith("checks/river-length.yaml:")
    assert err[-1] == "nothing was deployed"
    assert no_branches(remote)


def test_refuses_outside_a_repository(tmp_path, make_site, run, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    src = make_site({"site.yaml": f"base_url: {BASE_URL}\n"})
    status, _, err = run("deploy", "--src", src)
    assert status == 2
    assert "not in a git repository" in refused_before_building(src, None, err)


def test_refuses_to_replace_the_checked_out_branch(project, run):
    src, remote = project
    status, _, err = run("deploy", "--src", src, "--branch", "main")
    assert status == 2
    assert "main is the branch checked out here" in refused_before_building(src, remote, err)


def test_refuses_without_a_git_identity(project, run, monkeypatch):
    src, remote = project
    monkeypatch.delenv("GIT_COMMITTER_NAME")
    status, _, err = run("deploy", "--src", src)
    assert status == 2
    assert "git config --global user.name" in refused_before_building(src, remote, err)


def test_refuses_a_remote_name_the_repository_does_not_have(project, run):
    src, remote = project
    status, _, err = run("deploy", "--src", src, "--remote", "upstream")
    assert status == 2
    assert refused_before_building(src, remote, err) == (
        "build.py: error: this repository has no remote named upstream (add it with "
        "`git remote add upstream URL`, or pass --remote URL); nothing was deployed"
    )


def test_refuses_a_remote_that_does_not_answer(project, run, tmp_path):
    src, remote = project
    missing = tmp_path / "no-such-remote.git"
    git("remote", "add", "gone", missing, cwd=src)
    for name in (str(missing), "gone"):  # a URL (here a path), and a remote's name
        status, _, err = run("deploy", "--src", src, "--remote", name)
        assert status == 2
        line = refused_before_building(src, remote, err)
        assert line.startswith(
            f"build.py: error: cannot reach the remote {name}: "
            f"'{missing}' does not appear to be a git repository"
        )


def test_a_refusal_comes_before_the_build_reports_source_errors(project, run):
    src, remote = project
    (src / "checks" / "river-length.yaml").write_text("claim: [unclosed\n")
    status, _, err = run("deploy", "--src", src, "--branch", "main")
    assert status == 2  # not 1: the build, which would fail too, did not run
    assert "main is the branch checked out here" in refused_before_building(src, remote, err)


def test_refuses_a_cname_that_disagrees_with_base_url(project, run):
    src, remote = project
    (src / "site.yaml").write_text("base_url: https://user.github.io/repo/\n")
    status, _, err = run("deploy", "--src", src, "--cname", "checks.example.org")
    assert status == 2
    assert refused_before_building(src, remote, err) == (
        "build.py: error: --cname checks.example.org disagrees with base_url "
        "https://user.github.io/repo/: GitHub would serve the site at checks.example.org, "
        "its links point to user.github.io (make them the same host, or leave out --cname); "
        "nothing was deployed"
    )
    status, out, err = run(
        "deploy",
        "--src",
        src,
        "--cname",
        "checks.example.org",
        "--base-url",
        "https://Checks.Example.org/news/",
    )
    assert status == 0, err  # the same host, in any case, under any path
    assert "the site will be at https://Checks.Example.org/news/" in out


def test_a_failed_push_is_reported(project, run):
    src, remote = project
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed today' >&2\nexit 1\n")
    hook.chmod(0o755)
    status, _, err = run("deploy", "--src", src)
    assert status == 2
    assert err[-1] == (
        "build.py: error: git could not push gh-pages to origin "
        "(git's message is above); nothing was deployed"
    )
    assert (src / "site" / "index.html").is_file()  # the push is the one step after the build
    assert no_branches(remote)


# --- the GitHub Pages workflow -------------------------------------------------------

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "pages.yml"


def test_pages_workflow_follows_the_starter_workflow(make_site, tmp_path):
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "workflow_dispatch"} <= set(triggers)
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    job = workflow["jobs"]["deploy"]
    assert job["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    steps = job["steps"]
    actions = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert actions == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ]
    by_action = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    assert by_action["actions/configure-pages"]["id"] == "pages"
    assert by_action["actions/upload-pages-artifact"]["with"]["path"] == "site"
    assert by_action["actions/deploy-pages"]["id"] == "deployment"
    runs = [s["run"] for s in steps if "run" in s]
    build_step = next(r for r in runs if "build.py" in r)
    order = [s.get("uses", s.get("run")) for s in steps]
    assert (
        order.index(by_action["actions/configure-pages"]["uses"])
        < order.index(build_step)
        < order.index(by_action["actions/upload-pages-artifact"]["uses"])
    )
    assert build_step == ('python build.py build --base-url "${{ steps.pages.outputs.base_url }}/"')
    assert any("requirements.txt" in r for r in runs)
    # The step as GitHub runs it, with the address configure-pages gives a project site.
    command = shlex.split(
        build_step.replace("${{ steps.pages.outputs.base_url }}", "https://desk.github.io/checks")
    )
    src = make_site()
    done = subprocess.run(
        [sys.executable, str(WORKFLOW.parents[2] / command[1]), *command[2:], "--src", str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    page = (src / "site" / "demo" / "index.html").read_text()
    assert '<link rel="canonical" href="https://desk.github.io/checks/demo/">' in page
