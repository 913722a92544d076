"""gunicorn as configured in config/gunicorn.conf.py, for real: long searches reach the app and
get its message, absurd request lines a 4xx from gunicorn, pages render before collectstatic,
and every request is one JSON log line."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

from search import MAX_QUERY_LENGTH, SearchForm
from tests.test_faults import fetch, live_server, manage, ok, request_log

pytestmark = pytest.mark.slow

LONGEST_FORM_QUERY = SearchForm.base_fields["q"].max_length
FOUR_BYTE_CHARACTER = "𠀀"  # U+20000: 4 bytes in UTF-8, 12 percent-encoded
TOO_LONG = "检索词太长"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A gunicorn with one worker over a migrated, empty archive; collectstatic never run."""
    data = tmp_path_factory.mktemp("gunicorn") / "data"
    ok(manage(data, "migrate", "--noinput", "-v", "0"))
    ok(manage(data, "rebuild_index", "-v", "0"))
    assert not (data.parent / "static").exists()  # the STATIC_ROOT of live_server
    with live_server(data, workers=1, LOG_LEVEL="INFO") as (base, log):
        yield base, log


def search(base: str, path: str, query: str) -> tuple[int | None, str]:
    """(status, the page, or the API's error message)."""
    status, body = fetch(base + path + "?" + urllib.parse.urlencode({"q": query}))
    if path.startswith("/api/") and status == 400:
        return status, json.loads(body)["error"]
    return status, body


@pytest.mark.parametrize("path", ["/search/", "/api/search"])
def test_a_query_just_over_the_app_limit_gets_the_app_message(server, path):
    base, _ = server

    status, body = search(base, path, "党" * (MAX_QUERY_LENGTH + 1))

    assert status == 400
    assert TOO_LONG in body


@pytest.mark.parametrize("path", ["/search/", "/api/search"])
def test_a_query_over_the_form_limit_in_four_byte_characters_reaches_the_app(server, path):
    base, _ = server
    query = FOUR_BYTE_CHARACTER * (LONGEST_FORM_QUERY + 1)
    assert len(urllib.parse.quote(query)) > 6000  # over gunicorn's default limit of 4094

    status, body = search(base, path, query)

    assert status == 400
    assert f"检索词：确保该变量包含不超过 {LONGEST_FORM_QUERY} 字符" in body


def test_an_absurd_request_line_gets_a_client_error_and_the_server_carries_on(server):
    base, log = server

    status, body = search(base, "/search/", "党" * 25_000)  # 225 KB percent-encoded

    assert status is not None, body
    assert 400 <= status < 500  # gunicorn's 414, before Django
    assert fetch(base + "/")[0] == 200
    assert "Invalid request from ip=127.0.0.1" in log.read_text(encoding="utf-8")


def test_pages_and_their_static_files_are_served_before_collectstatic(server):
    base, log = server

    status, page = fetch(base + "/")
    assert status == 200
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', page).group(1)
    assert stylesheet == "/static/css/site.css"

    status, css = fetch(base + stylesheet)
    assert status == 200
    assert css.strip()
    assert log.read_text(encoding="utf-8").count("no static files manifest") == 1


def test_each_request_is_one_json_line_and_there_is_no_access_log(server):
    base, log = server

    assert fetch(base + "/sources/?marker=once")[0] == 200

    entries = [entry for entry in request_log(log) if entry["query"] == "marker=once"]
    assert len(entries) == 1
    assert (entries[0]["path"], entries[0]["status"]) == ("/sources/", 200)
    assert "/sources/?marker=once" not in log.read_text(encoding="utf-8")  # gunicorn's format


class WarmingEngine:
    """The engine in use, recording that a worker asked it to open its index."""

    def __init__(self, engine, *, readable: bool = True) -> None:
        self.engine = engine
        self.readable = readable
        self.warmed = 0

    def __getattr__(self, name: str):
        return getattr(self.engine, name)

    def warm(self) -> bool:
        self.warmed += 1
        return self.engine.warm() and self.readable


@pytest.mark.parametrize("readable", [True, False])
def test_workers_open_the_index_before_their_first_request(corpus_db, readable):
    import runpy

    from search import get_engine, use_engine

    engine = WarmingEngine(get_engine(), readable=readable)
    hooks = runpy.run_path("config/gunicorn.conf.py")

    class Worker:
        class log:
            warnings: list[str] = []

            @classmethod
            def warning(cls, message):
                cls.warnings.append(message)

    previous = use_engine(engine)
    try:
        hooks["post_worker_init"](Worker)
    finally:
        use_engine(previous)
    assert engine.warmed == 1
    expected = [] if readable else ["search index unavailable at worker start"]
    assert Worker.log.warnings == expected
