"""Service-level behaviour: security headers, /healthz, production settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import BASE_DIR

pytestmark = pytest.mark.usefixtures("corpus_db")


@pytest.mark.parametrize("url", ["/", "/search/?q=党", "/api/search?q=党", "/no-such-page/"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts_or_styles(client):
    for url in ["/", "/search/?q=党", "/sources/", "/years/"]:
        content = client.get(url).content.decode()
        assert "<script>" not in content
        assert " style=" not in content
        assert " onclick=" not in content


def test_healthz_reports_database_and_index(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert data["checks"]["index"]["documents"] == 18


def test_admin_requires_login(client):
    response = client.get("/admin/archive/article/")
    assert response.status_code == 302
    assert "/admin/login/" in response.headers["Location"]


def test_deploy_check_is_clean_in_production_mode(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WENCUI_PRODUCTION": "true",
        "DEBUG": "false",
        "SECRET_KEY": "x7" * 30 + "-production-secret-for-the-deploy-check",
        "ALLOWED_HOSTS": "wencui.example.org",
        "WENCUI_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "SECRET_KEY"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WENCUI_PRODUCTION": "true",
        "WENCUI_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
