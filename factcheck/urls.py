"""The one place that turns output paths into links.

Pages link to each other relatively (`../index.html`), so the site works from disk and
under any sub-path; links name `index.html` because a folder link opens a listing from
disk. Absolute URLs (canonical, sitemap, feed, structured data) join `base_url` with the
folder form (`https://example.org/checks/slug/`), with exactly one slash between parts.
"""

from __future__ import annotations

from . import paths


def relative(from_path: str, to_path: str) -> str:
    """A link from one output file to another, both relative to the site root."""
    start, target = from_path.split("/")[:-1], to_path.split("/")
    common = 0
    while common < min(len(start), len(target) - 1) and start[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:])


def absolute(base_url: str, to_path: str) -> str:
    """The public URL of an output file, or '' when no base URL is set."""
    if not base_url:
        return ""
    path = to_path.removesuffix(paths.INDEX)
    return base_url.rstrip("/") + "/" + path.lstrip("/")


class Links:
    """Link builder handed to templates for one page: relative, or absolute where asked.

    The 404 page is served at any depth, so its links are absolute when the site has a
    base URL (and relative to the root otherwise).
    """

    def __init__(self, page_path: str, base_url: str, absolute_links: bool = False) -> None:
        self.page_path, self.base_url = page_path, base_url
        self.absolute_links = absolute_links and bool(base_url)

    def __call__(self, to_path: str, fragment: str = "") -> str:
        if self.absolute_links:
            link = self.base_url.rstrip("/") + "/" + to_path.lstrip("/")
        else:
            link = relative(self.page_path, to_path)
        return f"{link}#{fragment}" if fragment else link

    def canonical(self) -> str:
        return absolute(self.base_url, self.page_path)
