"""Page types beyond the core ones, each a `graph.Feature` in a module of its own.

A feature's queries are ranked in the order of this list, after the core models: a
feature may read the queries of those before it.
"""

from __future__ import annotations

from ..graph import Feature
from .about import About
from .claimants import Claimants
from .corrections import Corrections
from .embed import Embed
from .lead import Lead
from .search import Search
from .share import Share
from .topics import Topics

FEATURES: list[type[Feature]] = [Claimants, Topics, About, Corrections, Lead, Share, Embed, Search]
