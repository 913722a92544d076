"""The Whoosh engine of its own for a test, in a temporary directory."""

from __future__ import annotations

import pytest


@pytest.fixture
def whoosh_engine(tmp_path, db):
    """A Whoosh engine built from the current database, used by this process for the test."""
    from search import rebuild_index, use_engine
    from search.engines.whoosh import WhooshEngine

    engine = WhooshEngine.at(tmp_path)
    previous = use_engine(engine)
    try:
        rebuild_index()
        yield engine
    finally:
        engine.close()
        use_engine(previous)
