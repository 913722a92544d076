"""Whether the search index can answer, as /healthz reports it."""

from __future__ import annotations

from search.engines import get_engine


def index_health() -> dict:
    health = get_engine().health()
    if not health.ok:
        return {"ok": False, "error": health.error}
    return {"ok": True, "documents": health.documents}
