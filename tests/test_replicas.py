"""Read replicas on PostgreSQL: a real streaming replica of the session's cluster answers page
reads; writers read from the primary; either server stopping costs no 5xx on reads."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from archive.models import Article
from config.replicas import PRIMARY_COOKIE, health
from performance.postgres_cluster import OWNER_FILE, PREFIX, Cluster, free_port
from search import rebuild_index, search_articles, use_engine
from search.engines.postgres.schema import DOCUMENTS
from tests.conftest import CORPUS

ALIAS = "replica_0"


@pytest.fixture(scope="module")
def standby(postgres_cluster, django_db_setup, django_db_blocker):
    """A streaming replica (pg_basebackup -R -X stream) of the session's cluster, holding
    the test database and its corpus, on a port of its own; removed at the end."""
    with django_db_blocker.unblock():
        if not Article.objects.exists():
            # A transactional test before this one emptied the tables: the corpus again,
            # as the session began, and the index to match.
            call_command("import_articles", str(CORPUS), stdout=StringIO(), stderr=StringIO())
            call_command("rebuild_index", stdout=StringIO())
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    (root / OWNER_FILE).write_text(str(os.getpid()))
    server = Cluster(
        root=root,
        port=free_port(),
        bin_dir=postgres_cluster.bin_dir,
        run_as=postgres_cluster.run_as,
    )
    try:
        if server.run_as:
            shutil.chown(root, user=server.run_as)
        server.run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(postgres_cluster.port), "-U", postgres_cluster.user),
            *("-D", str(server.data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"),
        )
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def replica(standby, settings, django_db_blocker):
    """The standby as the router's one replica, for this test (no test transaction: the
    replica sees only what the primary committed)."""
    replica_settings = copy.deepcopy(connections["default"].settings_dict)
    replica_settings["PORT"] = standby.port
    replica_settings["OPTIONS"]["connect_timeout"] = 2
    connections.settings[ALIAS] = replica_settings
    settings.WENCUI_REPLICAS = [ALIAS]
    health.forget()
    with django_db_blocker.unblock():
        yield standby
        for alias in (ALIAS, "default"):
            connections[alias].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]
    health.forget()


def queries(client, path, **params):
    """The response, and how many queries each server answered for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[ALIAS]) as replica,
    ):
        response = client.get(path, params)
    return response, len(primary), len(replica)


def stop(server: Cluster) -> None:
    server.run("pg_ctl", "stop", "-D", str(server.data), "-m", "fast", "-w")


def test_outside_page_requests_everything_uses_the_primary(db, settings):
    """Commands (imports, index builds) read what they just wrote: never from a replica.
    Also the one test here in a test transaction, so that running this file alone sets up
    the test database."""
    from config.replicas import ReplicaRouter
    from config.settings import replica

    settings.WENCUI_REPLICAS = [ALIAS]
    router = ReplicaRouter()
    assert router.db_for_read(Article) == "default" == router.db_for_write(Article)
    assert not router.allow_migrate(ALIAS, "archive") and router.allow_migrate("default", "archive")
    configured = replica("postgres://reader@replica.example:5432/wencui")
    assert configured["HOST"] == "replica.example" and configured["TEST"] == {"MIRROR": "default"}


def test_searches_and_pages_are_read_from_the_replica(client, replica):
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    article = Article.objects.using(ALIAS).order_by("pk").first()
    for path, params in [
        ("/search/", {"q": "党支部"}),
        (article.get_absolute_url(), {}),
        ("/", {}),
    ]:
        response, on_primary, on_replica = queries(client, path, **params)
        assert response.status_code == 200, path
        assert on_replica > 0 and on_primary == 0, path
    assert "党支部" in client.get("/search/", {"q": "党支部"}).content.decode()


def test_a_client_that_wrote_reads_from_the_primary_for_a_while(client, replica, settings):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    cookie = response.cookies[PRIMARY_COOKIE]
    assert int(cookie["max-age"]) == settings.WENCUI_REPLICA_PIN_SECONDS
    response, on_primary, on_replica = queries(client, "/search/", q="党支部")
    assert response.status_code == 200 and on_primary > 0 and on_replica == 0

    del client.cookies[PRIMARY_COOKIE]  # as when it expires
    response, on_primary, on_replica = queries(client, "/search/", q="党支部")
    assert on_replica > 0 and on_primary == 0


def test_the_archive_stays_readable_while_the_primary_is_stopped(client, replica, postgres_cluster):
    article = Article.objects.using(ALIAS).order_by("pk").first()
    stop(postgres_cluster)
    try:
        response = client.get("/search/", {"q": "党支部"})
        assert response.status_code == 200 and "党支部" in response.content.decode()
        assert client.get(article.get_absolute_url()).status_code == 200
        assert client.get("/api/search", {"q": "党支部"}).json()["count"] > 0
        # A write needs the primary: a clear 503, not a 500.
        response = client.post("/admin/login/", {"username": "editor", "password": "x"})
        assert response.status_code == 503
        assert "数据库暂时不可用" in response.content.decode()
    finally:
        connections["default"].close()
        postgres_cluster.start()


@pytest.fixture
def postgres_search(replica, postgres_cluster):
    """The PostgreSQL engine, its index built and committed on the primary and replayed on
    the standby, used by this process for the test."""
    from search.engines.postgres import PostgresEngine

    engine = PostgresEngine()
    previous = use_engine(engine)
    try:
        rebuild_index()
        wait_for_replay()
        yield engine
    finally:
        use_engine(previous)


def wait_for_replay(timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        written = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while True:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone()[0]:
                return
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.05)


def search_statements(client, path, **params):
    """The response, and the engine's search statements each server answered for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[ALIAS]) as replica,
    ):
        response = client.get(path, params)

    def searches(captured):
        return [q["sql"] for q in captured if DOCUMENTS in (q["sql"] or "")]

    return response, searches(primary), searches(replica)


def test_the_postgres_engine_searches_on_the_replica(client, postgres_search):
    response, on_primary, on_replica = search_statements(client, "/search/", q="党支部")
    assert response.status_code == 200 and "党支部" in response.content.decode()
    assert on_replica and not on_primary
    # The same answer as the primary's (outside a page request, reads go there).
    answer = client.get("/api/search", {"q": '"党支部"'}).json()
    assert answer["count"] == search_articles(query='"党支部"').total > 0


def test_the_postgres_engine_searches_on_the_primary_for_a_client_that_wrote(
    client, postgres_search
):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response, on_primary, on_replica = search_statements(client, "/search/", q="党支部")
    assert response.status_code == 200 and on_primary and not on_replica


def test_the_postgres_engine_falls_back_to_the_primary_when_the_replica_stops(
    client, replica, postgres_search, stderr_log
):
    response, on_primary, on_replica = search_statements(client, "/search/", q="组织")
    assert on_replica and not on_primary
    stop(replica)
    try:
        # Still believed up: the search fails there and the request runs again on the primary.
        response, on_primary, _ = search_statements(client, "/search/", q="党支部")
        assert response.status_code == 200 and "党支部" in response.content.decode()
        assert on_primary
        assert "replica replica_0 failed during /search/" in stderr_log.getvalue()
        # Known down now: the next search goes to the primary at once.
        with CaptureQueriesContext(connections["default"]) as primary:
            response = client.get("/search/", {"q": "支部书记"})
        assert response.status_code == 200
        assert any(DOCUMENTS in (q["sql"] or "") for q in primary)
    finally:
        connections[ALIAS].close()
        replica.start()


def test_a_replica_that_stops_is_replaced_by_the_primary(client, replica, stderr_log):
    response, on_primary, on_replica = queries(client, "/search/", q="党支部")
    assert on_replica > 0 and on_primary == 0
    stop(replica)
    try:
        # Still believed up: the read fails there and the request runs again on the primary.
        response, on_primary, _ = queries(client, "/search/", q="党支部")
        assert response.status_code == 200 and "党支部" in response.content.decode()
        assert on_primary > 0
        assert "replica replica_0 failed during /search/" in stderr_log.getvalue()
        # Known down now: the next requests go to the primary at once.
        response = client.get(Article.objects.order_by("pk").first().get_absolute_url())
        assert response.status_code == 200
    finally:
        connections[ALIAS].close()
        replica.start()
