"""Whether the search index can answer."""

from __future__ import annotations

from whoosh.query import Term

from search.backends import IndexUnavailable
from search.indexing import search_backend


def index_health() -> dict:
    try:
        with search_backend().searcher() as searcher:
            documents = searcher.doc_count()
            # Decode one real posting list, so that a damaged index shows here too.
            sum(1 for _ in Term("exact", "的").docs(searcher))
    except IndexUnavailable as error:
        return {"ok": False, "error": str(error)}
    return {"ok": True, "documents": documents}
