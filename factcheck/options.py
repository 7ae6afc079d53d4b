"""How one build runs, as a frozen value passed down from the command line.

What changes the output (the base URL, page and feed sizes, the date used where the
content gives none) is recorded as a fact by the memo, like any file the build reads;
`jobs` and `strict` change only how the build runs and when it fails.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class BuildOptions:
    base_url: str | None = None
    """Overrides site.yaml's base_url when given."""
    page_size: int = 30
    """Articles on each index page: what a phone scrolls through, as PolitiFact."""
    feed_size: int = 50
    """The newest articles in feed.xml: enough for any reader's polling interval."""
    source_date: dt.date = dt.date(1970, 1, 1)
    """The date to use where the content has none (SOURCE_DATE_EPOCH)."""
    jobs: int = 0
    """Worker processes; 0 is one per core."""
    strict: bool = False
    """Fail on warnings too, before anything is written."""

    def facts(self) -> dict[str, str]:
        """What of these options pages can show, by fact key, for the memo."""
        return {
            "opt:base_url": "" if self.base_url is None else f"={self.base_url}",
            "opt:page_size": str(self.page_size),
            "opt:feed_size": str(self.feed_size),
            "opt:source_date": self.source_date.isoformat(),
        }


def source_date(environ: Mapping[str, str] = os.environ) -> dt.date:
    """SOURCE_DATE_EPOCH as a date (reproducible builds' convention), else 1970-01-01."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "0")
    seconds = int(epoch) if epoch.isdigit() else 0
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()
