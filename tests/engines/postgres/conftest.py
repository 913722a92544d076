"""The PostgreSQL engine for a test, built from the current database (on PostgreSQL only)."""

from __future__ import annotations

import pytest


@pytest.fixture
def postgres_engine(db):
    """The PostgreSQL engine built from the current database, used by this process for the
    test (the rebuild is rolled back with the test)."""
    from search import rebuild_index, use_engine
    from search.engines.postgres import PostgresEngine
    from tests.databases import on_postgres

    if not on_postgres():
        pytest.skip("the PostgreSQL engine needs a PostgreSQL database")
    engine = PostgresEngine()
    previous = use_engine(engine)
    try:
        rebuild_index()
        yield engine
    finally:
        use_engine(previous)
