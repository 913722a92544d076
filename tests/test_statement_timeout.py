"""WENCUI_STATEMENT_TIMEOUT_MS: on PostgreSQL a query past it is cancelled, and the request
answers a logged 503 (a page, or JSON for the API), never a 500."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from tests.databases import on_postgres

pytestmark = [
    pytest.mark.usefixtures("corpus_db"),
    pytest.mark.skipif(not on_postgres(), reason="statement_timeout is PostgreSQL's"),
]


def slow_search(**kwargs):
    """A search that takes a second in the database, under a limit of 50 ms."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(1)")
    raise AssertionError("pg_sleep was not cancelled")


def test_connections_carry_the_configured_timeout(settings):
    from config.settings import database

    assert settings.STATEMENT_TIMEOUT_MS == 5000
    options = database("postgres://u@h/db")["OPTIONS"]["options"]
    assert options == "-c statement_timeout=5000"
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "5s"


def test_a_cancelled_query_is_a_503_page(client, monkeypatch, stderr_log):
    monkeypatch.setattr("search.views.search_articles", slow_search)
    response = client.get("/search/", {"q": "党支部"})
    assert response.status_code == 503
    content = response.content.decode()
    assert "暂时无法回答" in content and "用时太长" in content
    logged = [json.loads(line) for line in stderr_log.getvalue().splitlines()]
    (entry,) = [e for e in logged if e["logger"] == "wencui.database"]
    assert entry["reason"] == "statement_timeout" and entry["path"] == "/search/"


def test_a_cancelled_query_is_json_503_in_the_api(client, monkeypatch):
    monkeypatch.setattr("search.views.search_articles", slow_search)
    response = client.get("/api/search", {"q": "党支部"})
    assert response.status_code == 503
    assert "用时太长" in response.json()["error"]


def test_the_503_page_is_in_the_readers_language(client, monkeypatch):
    monkeypatch.setattr("search.views.search_articles", slow_search)
    response = client.get("/search/", {"q": "党支部"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    content = response.content.decode()
    assert "took too long" in content and "用时太长" not in content
