"""Shared fixtures: the database server of a run on PostgreSQL, the bundled corpus imported
once per session into the test database, with a real Whoosh index on disk; the log lines the
logging configuration writes."""

from __future__ import annotations

import logging
import signal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent
CORPUS = BASE_DIR / "fixtures" / "grassroots-party-organisations.txt"


def _needs_throwaway_cluster() -> bool:
    from django.conf import settings

    return settings.TEST_DATABASE == "postgres" and not settings.TEST_POSTGRES_URL


def pytest_configure(config):
    # Asked for PostgreSQL without the means to run it: a failed run that says why, not a
    # run that passes by skipping every database test.
    from performance.postgres_cluster import MISSING, server_bin_dir

    if _needs_throwaway_cluster() and server_bin_dir() is None:
        raise pytest.UsageError(MISSING)


def pytest_report_header(config):
    from django.conf import settings

    default = settings.DATABASES["default"]
    if settings.TEST_DATABASE == "postgres":
        where = "a throwaway cluster" if _needs_throwaway_cluster() else default["HOST"]
        return f"database: PostgreSQL on {where} (WENCUI_TEST_DATABASE=postgres)"
    return "database: SQLite (WENCUI_TEST_DATABASE=postgres for PostgreSQL)"


@pytest.fixture(scope="session", autouse=True)
def database_server():
    """On PostgreSQL, the server the tests use: the one WENCUI_TEST_DATABASE_URL names, else a
    cluster of the session's own, removed at its end. None on SQLite."""
    from django.conf import settings

    from performance.postgres_cluster import server_bin_dir, throwaway_cluster
    from tests import databases

    default = settings.DATABASES["default"]
    if settings.TEST_DATABASE != "postgres":
        yield None
    elif not _needs_throwaway_cluster():
        yield default
        databases.drop_databases()
    else:
        # A run stopped with SIGTERM (a CI timeout, say) still removes its cluster: pytest
        # tears down after an interrupt, not after a plain SIGTERM. One killed outright is
        # removed by the next run.
        previous = signal.getsignal(signal.SIGTERM)
        if previous == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _interrupt)
        try:
            with throwaway_cluster(server_bin_dir()) as cluster:
                # In place: Django's connections hold this very dict, none has connected yet.
                default.update(HOST="127.0.0.1", PORT=cluster.port, USER=cluster.user)
                _session["cluster"] = cluster
                yield default
        finally:
            signal.signal(signal.SIGTERM, previous)


# The session's throwaway PostgreSQL cluster, for the tests that stop it or replicate it.
_session: dict = {}


@pytest.fixture(scope="session")
def postgres_cluster(database_server):
    """The session's throwaway PostgreSQL cluster (skipped on SQLite, or on a server named
    by WENCUI_TEST_DATABASE_URL, which the tests may not stop)."""
    if "cluster" not in _session:
        pytest.skip("needs the session's own PostgreSQL cluster")
    return _session["cluster"]


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, database_server):
    """The test database is created on the session's server, once it runs."""


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the bundled corpus, and the index holds its articles."""
    with django_db_blocker.unblock():
        call_command("import_articles", str(CORPUS), stdout=StringIO(), stderr=StringIO())
        call_command("rebuild_index", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        _end_other_sessions()


def _end_other_sessions() -> None:
    """Disconnect what still holds the test database, which PostgreSQL would not drop then.

    Django keeps a connection per thread and per async context: one opened for a browser
    test, under Playwright's event loop, is not the one closed at the end.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


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


def _engine_names() -> list[str]:
    from django.conf import settings

    from search import ENGINES

    # The PostgreSQL engine's index lives in the database: only a run on PostgreSQL has it.
    return sorted(
        name for name in ENGINES if name != "postgres" or settings.TEST_DATABASE == "postgres"
    )


def _configured_engine() -> str:
    from django.conf import settings

    return settings.WENCUI_SEARCH_ENGINE


@pytest.fixture(scope="session", params=_engine_names())
def corpus_engine(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """Each search engine in turn, holding the bundled corpus: read-only, built once a session
    (the configured engine's index is the session's own, built with the database)."""
    from search import engine_at, get_engine, rebuild_index, use_engine

    if request.param == _configured_engine():
        yield get_engine()
        return
    engine = engine_at(request.param, directory=tmp_path_factory.mktemp(f"engine-{request.param}"))
    with django_db_blocker.unblock():
        previous = use_engine(engine)
        try:
            rebuild_index()
        finally:
            use_engine(previous)
    yield engine
    engine.close()


@pytest.fixture
def corpus_search(corpus_db, corpus_engine):
    """The bundled corpus, searched through each engine in turn (changes are rolled back)."""
    from search import use_engine

    previous = use_engine(corpus_engine)
    yield corpus_engine
    use_engine(previous)


@pytest.fixture(params=_engine_names())
def engine(request, tmp_path, db):
    """Each search engine in turn, in a place of its own, built from the current database and
    used by this process for the test: for tests that change articles (the session's index
    stays as it was). An engine-independent test asks for this fixture; a second engine is
    one more entry in search.engines.ENGINES."""
    from search import engine_at, rebuild_index, use_engine

    engine = engine_at(request.param, directory=tmp_path)
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


@pytest.fixture(scope="session")
def redis_url():
    """A Redis server of the session's own (skipped where redis-server is not installed;
    .ci/run installs it)."""
    import shutil

    from tests.redis_server import MISSING, throwaway_redis

    if shutil.which("redis-server") is None:
        pytest.skip(MISSING)
    with throwaway_redis() as url:
        yield url


@pytest.fixture
def shared_cache(redis_url, settings):
    """Django's default cache in that Redis server, as CACHE_URL gives it; emptied before
    and after the test."""
    from django.core.cache import cache, caches

    from config.settings import cache as cache_settings

    settings.CACHE_URL = redis_url
    settings.CACHES = {"default": cache_settings(redis_url)}
    cache.clear()  # the new backend: setting CACHES closes the previous connection
    yield caches["default"]
    cache.clear()
