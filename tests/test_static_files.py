"""Static files with the production storage: pages render before collectstatic has run, and
link to hashed names once it has."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}
STYLESHEET = re.compile(r'<link rel="stylesheet" href="(/static/css/site[^"]*\.css)">')


@pytest.fixture
def production_static(tmp_path):
    """DEBUG off, the production storage, and an empty STATIC_ROOT (collectstatic not run).

    WHITENOISE_USE_FINDERS as settings.py sets it when STATIC_ROOT has no manifest.
    """
    static_root = tmp_path / "static"
    static_root.mkdir()
    with override_settings(
        DEBUG=False,
        STORAGES=PRODUCTION_STORAGES,
        STATIC_ROOT=static_root,
        WHITENOISE_USE_FINDERS=True,
        WHITENOISE_AUTOREFRESH=False,
    ):
        yield static_root


def test_home_page_renders_without_collectstatic(client, corpus_db, production_static):
    response = client.get("/")

    assert response.status_code == 200
    assert STYLESHEET.search(response.text).group(1) == "/static/css/site.css"


def test_unhashed_stylesheet_is_served_without_collectstatic(client, corpus_db, production_static):
    stylesheet = STYLESHEET.search(client.get("/").text).group(1)

    response = client.get(stylesheet)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).strip()


def test_missing_manifest_is_warned_about_once(client, corpus_db, production_static, stderr_log):
    for _ in range(3):
        assert client.get("/").status_code == 200
        assert client.get("/sources/").status_code == 200

    warnings = [
        entry
        for entry in map(json.loads, stderr_log.getvalue().splitlines())
        if entry["logger"] == "wencui.static"
    ]
    assert len(warnings) == 1
    assert warnings[0]["level"] == "WARNING"
    assert "collectstatic" in warnings[0]["message"]
    assert str(production_static / "staticfiles.json") in warnings[0]["message"]


def test_pages_link_to_hashed_names_after_collectstatic(
    client, corpus_db, production_static, stderr_log
):
    call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())

    with override_settings(WHITENOISE_USE_FINDERS=False):
        response = client.get("/")
        stylesheet = STYLESHEET.search(response.text).group(1)
        served = client.get(stylesheet)

    assert response.status_code == 200
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", stylesheet)
    assert served.status_code == 200
    assert "immutable" in served.headers["Cache-Control"]
    assert "wencui.static" not in stderr_log.getvalue()
