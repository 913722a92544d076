"""The request log: one JSON line per request on stderr, from config.middleware and the
LOGGING setting, through the configured handler and formatter."""

from __future__ import annotations

import json
import logging
import sys
from urllib.parse import quote

import pytest

from config.logs import JsonFormatter


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().split("\n") if line]


@pytest.fixture
def request_log_level():
    """Set the request logger's level for one test."""
    logger = logging.getLogger("wencui.request")
    saved = logger.level
    yield logger.setLevel
    logger.setLevel(saved)


def test_a_request_is_one_json_line_with_its_status_and_path(client, corpus_db, stderr_log):
    response = client.get("/search/", {"q": "战斗堡垒", "sort": "newest"}, HTTP_USER_AGENT="UA/1")

    assert response.status_code == 200
    [entry] = lines(stderr_log)
    assert entry["logger"] == "wencui.request"
    assert entry["level"] == "INFO"
    assert entry["message"] == "GET /search/ 200"
    assert entry["method"] == "GET"
    assert entry["path"] == "/search/"
    assert entry["status"] == 200
    assert entry["query"] == "q=战斗堡垒&sort=newest"
    assert entry["query_bytes"] == len("q=" + quote("战斗堡垒") + "&sort=newest")
    assert entry["bytes"] == len(response.content)
    assert entry["duration_ms"] > 0
    assert entry["remote_addr"] == "127.0.0.1"
    assert entry["user_agent"] == "UA/1"
    assert entry["time"].endswith("+00:00")


def test_a_not_found_page_is_logged_once_at_info(client, corpus_db, stderr_log):
    response = client.get("/articles/999999/")

    assert response.status_code == 404
    # Django's own "Not Found" warning would repeat it: it is not logged.
    [entry] = lines(stderr_log)
    assert (entry["level"], entry["status"], entry["path"]) == ("INFO", 404, "/articles/999999/")


def test_long_query_and_user_agent_are_truncated(client, corpus_db, stderr_log):
    query = "党" * 600

    client.get("/search/", {"q": query}, HTTP_USER_AGENT="x" * 1000)

    [entry] = lines(stderr_log)
    assert entry["query"] == "q=" + "党" * 198 + "…"
    assert entry["query_bytes"] == len("q=" + quote(query))
    assert entry["user_agent"] == "x" * 200 + "…"


def test_cookies_and_credentials_are_not_logged(client, corpus_db, stderr_log):
    client.cookies["sessionid"] = "cookie-secret"
    client.get("/", HTTP_AUTHORIZATION="Basic credential-secret", HTTP_X_API_KEY="key-secret")

    assert "secret" not in stderr_log.getvalue()
    assert len(lines(stderr_log)) == 1


def test_line_ends_in_the_url_do_not_split_the_line(client, corpus_db, stderr_log):
    client.get("/no%0Asuch%E2%80%A8page%C2%85/", {"q": "a\nb\u2028c"})

    text = stderr_log.getvalue()
    assert len(text.splitlines()) == 1  # splitlines() also splits at U+2028 and U+0085
    [entry] = lines(stderr_log)
    assert entry["path"] == "/no\nsuch\u2028page\x85/"
    assert entry["query"] == "q=a\nb\u2028c"


def test_health_checks_and_static_files_are_logged_at_debug_only(
    client, corpus_db, stderr_log, request_log_level
):
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/site.css").status_code == 200
    assert lines(stderr_log) == []

    request_log_level(logging.DEBUG)
    client.get("/healthz")
    client.get("/static/css/site.css")

    entries = lines(stderr_log)
    assert [(e["level"], e["path"], e["status"]) for e in entries] == [
        ("DEBUG", "/healthz", 200),
        ("DEBUG", "/static/css/site.css", 200),
    ]
    assert entries[1]["bytes"] > 0


def test_a_missing_static_file_is_logged_at_info(client, corpus_db, stderr_log):
    assert client.get("/static/css/no-such-file.css").status_code == 404

    [entry] = lines(stderr_log)
    assert (entry["level"], entry["status"]) == ("INFO", 404)


def test_an_exception_is_logged_with_its_traceback_on_the_same_line():
    try:
        raise ValueError("索引\n损坏")
    except ValueError:
        record = logging.LogRecord(
            "wencui.search", logging.ERROR, __file__, 1, "search failed", (), sys.exc_info()
        )
    record.fields = {"status": 500}

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["message"], entry["status"]) == ("ERROR", "search failed", 500)
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: 索引\n损坏")
