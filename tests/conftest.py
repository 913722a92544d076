"""Shared fixtures: the bundled corpus imported once per session into the test database,
with a real Whoosh index on disk; the log lines the logging configuration writes."""

from __future__ import annotations

import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent
CORPUS = BASE_DIR / "fixtures" / "grassroots-party-organisations.txt"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the bundled corpus, and the index holds its articles."""
    with django_db_blocker.unblock():
        call_command("import_articles", str(CORPUS), stdout=StringIO(), stderr=StringIO())
        call_command("rebuild_index", stdout=StringIO())


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Rendered fragments are keyed by index version and URL; a test that changes how a
    page renders (a setting, a monkeypatch) must not get another test's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def corpus_db(db):
    """Read-only access to the bundled corpus (changes are rolled back after the test)."""
    return db


@pytest.fixture
def fresh_index(tmp_path, db):
    """A search engine of its own in a new directory, built from the current database and
    used by this process for the test.

    For tests that change articles: the session-wide index stays as it was.
    """
    from search.engines import configured_name, engine_class, use_engine
    from search.indexing import rebuild_index

    engine = engine_class(configured_name()).at(tmp_path)
    previous = use_engine(engine)
    try:
        rebuild_index()
        yield engine
    finally:
        engine.close()
        use_engine(previous)


@pytest.fixture
def stderr_log():
    """What the logging configuration writes to stderr during the test, as a StringIO.

    The handler of settings.LOGGING is kept (its formatter, its place behind the root logger
    and `wencui`); only its stream is swapped.
    """
    handler = next(h for h in logging.getLogger("wencui").handlers if h.name == "stderr")
    stream = StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)
