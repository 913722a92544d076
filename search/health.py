"""Whether the search index can answer."""

from __future__ import annotations

from search.backends import IndexUnavailable
from search.indexing import search_backend


def index_health() -> dict:
    try:
        with search_backend().searcher() as searcher:
            documents = searcher.doc_count()
    except IndexUnavailable as error:
        return {"ok": False, "error": str(error)}
    return {"ok": True, "documents": documents}
