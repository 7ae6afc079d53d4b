"""Page types beyond the core ones, each a `graph.Feature` in a module of its own.

A feature's queries are ranked in the order of this list, after the core models: a
feature may read the queries of those before it.
"""

from __future__ import annotations

from ..graph import Feature

FEATURES: list[type[Feature]] = []
