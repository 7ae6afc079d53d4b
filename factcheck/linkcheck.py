"""`check --links`: find link rot in the checks' `url`, `archived` and `appearance` links.

The links are those the validator finds, with their line and column: every value its
declarations read as a URL (`validate.URL`), so a new URL key is checked without a change
here. Each distinct URL is fetched once, concurrently, without following
redirects, with a timeout and one retry for answers that may be passing trouble (no
answer, 5xx). Problems are warnings; `--strict` makes them fail the run.

Definite answers (2xx, 3xx, 4xx) are cached for a day in `SRC/.factcheck-cache/`, so a
second run in the same day asks only about new links and ones that may have recovered.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from .errors import Report
from .memo import make_cache_folder
from .pipeline import cache_folder
from .sources import SITE_FILE, read_text, scan
from .validate import Link, validate_check, validate_config

CACHE_FILE = "links.json"
"""Kept in the build cache's folder (`pipeline.cache_folder`), marked as builds mark it."""
CACHE_SECONDS = 24 * 60 * 60
USER_AGENT = "factcheck-linkcheck/1 (a fact-check site's link rot check)"
RETRY_DELAY = 0.5


@dataclass(frozen=True)
class Answer:
    """What a server said about a URL: `status` 0 means no answer (`reason` says why)."""

    status: int
    reason: str
    location: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def answers(self) -> bool:
        return 0 < self.status < 400

    @property
    def lasting(self) -> bool:
        """Worth caching: not a timeout or server trouble that may pass."""
        return 200 <= self.status < 500


def find_links(src: Path) -> list[Link]:
    """Every URL the checks give, with its place: each value the validator reads as a URL."""
    report = Report()
    found = scan(src)
    site = read_text(src, SITE_FILE, report) if found.site else None
    scale = tuple(v.key for v in validate_config(site, report, None).verdicts)
    links: list[Link] = []
    for file in found.checks:
        text = read_text(src, file.path, report)
        if text is not None:
            validate_check(file.path, file.name, text, scale, report, links)
    return links


def _archived(link: Link) -> str:
    """A source's archive copy, for the hint on its dead `url`."""
    return dict(link.siblings).get("archived", "") if link.key == "url" else ""


def fetch(url: str, timeout: float) -> Answer:
    """One GET, not following redirects; the body is never read."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection
        if parts.scheme.lower() == "https"
        else http.client.HTTPConnection
    )
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~") + (
        f"?{quote(parts.query, safe='/%:@!$&()*+,;=?~')}" if parts.query else ""
    )
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        response = connection.getresponse()
        location = response.getheader("Location", "")
        return Answer(response.status, response.reason, urljoin(url, location) if location else "")
    except TimeoutError:
        return Answer(0, f"no answer within {timeout:g}s")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Answer(0, f"cannot connect: {exc}")
    finally:
        connection.close()


def probe(url: str, timeout: float) -> Answer:
    """Fetch, and try once more when the trouble may pass."""
    answer = fetch(url, timeout)
    if answer.lasting:
        return answer
    time.sleep(RETRY_DELAY)
    return fetch(url, timeout)


def check_links(
    src: Path,
    report: Report,
    timeout: float = 10.0,
    workers: int = 8,
    now: Callable[[], float] = time.time,
) -> tuple[int, int]:
    """Report every link problem as a warning; returns (links checked, answers from cache)."""
    links = find_links(src)
    urls = {link.url for link in links}
    cache = _load_cache(cache_folder(src) / CACHE_FILE, now())
    answers = {url: answer for url, (_, answer) in cache.items() if url in urls}
    missing = sorted(urls - answers.keys())
    with ThreadPoolExecutor(max_workers=workers) as pool:
        fetched = dict(zip(missing, pool.map(lambda u: probe(u, timeout), missing), strict=True))
    for link in links:
        _report(link, answers | fetched, report)
    checked_at = now()
    cache.update({u: (checked_at, a) for u, a in fetched.items() if a.lasting})
    _save_cache(cache_folder(src) / CACHE_FILE, cache)
    return len(urls), len(answers)


def _report(link: Link, answers: dict[str, Answer], report: Report) -> None:
    answer = answers[link.url]
    if answer.ok:
        return
    if 300 <= answer.status < 400 and answer.location:
        message = f"link redirects ({answer.status}) to {answer.location}: {link.url}"
        hint = "update the link to where it now leads"
    else:
        what = f"HTTP {answer.status} {answer.reason}" if answer.status else answer.reason
        message = f"dead link ({what}): {link.url}"
        hint = _archive_hint(link, answers)
    report.warning(link.path, link.line, link.col, message, hint)


def _archive_hint(link: Link, answers: dict[str, Answer]) -> str:
    archived = _archived(link)
    if not archived:
        return "add an 'archived' copy, e.g. from web.archive.org"
    if answers[archived].answers:
        return f"the archived copy answers: link to {archived}"
    return "its archived copy does not answer either"


def _load_cache(path: Path, now: float) -> dict[str, tuple[float, Answer]]:
    """Cached answers younger than a day; an unreadable cache is no cache."""
    try:
        entries = json.loads(path.read_text("utf-8"))
        loaded = {url: (e["at"], Answer(**e["answer"])) for url, e in entries.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}
    return {url: entry for url, entry in loaded.items() if now - entry[0] < CACHE_SECONDS}


def _save_cache(path: Path, entries: dict[str, tuple[float, Answer]]) -> None:
    make_cache_folder(path.parent)  # git ignores it even when no build made it first
    data = {url: {"at": at, "answer": asdict(a)} for url, (at, a) in entries.items()}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", "utf-8")
    temporary.replace(path)
