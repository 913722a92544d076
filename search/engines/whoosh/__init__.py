"""The embedded Whoosh engine (WENCUI_SEARCH_ENGINE=whoosh, the default)."""

from search.engines.whoosh.engine import WhooshEngine

__all__ = ["WhooshEngine"]
