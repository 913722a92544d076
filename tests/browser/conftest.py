"""Browser tests: Debian's Chromium, driven by Playwright, against a live server that
serves the session's corpus (imported once by tests/conftest.py).

The server is our own, not pytest-django's `live_server`: that one asks for
`transactional_db`, which empties the database after each test and would take the
corpus away from every test that runs later. These tests only read, through the
session's (in-memory) database connection, which the server thread shares.

Every test fails on a console error, an uncaught script error, a failed request or
a response with status >= 400 (a Content-Security-Policy violation is a console error).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("WENCUI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BASE_DIR = Path(__file__).resolve().parents[2]
# Tests write only here (git-ignored); `make screenshots` copies the README's image to docs/.
SCREENSHOTS = BASE_DIR / "test-artifacts" / "screenshots"
README_SCREENSHOT = "search-page.png"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
HERE = Path(__file__).resolve().parent


def _skip_reason() -> str | None:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return "Chromium not installed: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright not installed: pip install -r requirements-dev.txt"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="package", autouse=True)
def _async_unsafe_allowed():
    """Playwright's sync API runs an asyncio event loop in this thread; Django's ORM would
    take that for async code and refuse to run. Allowed for these tests only: the
    variable must not leak into other tests (`check --deploy` rejects it)."""
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if saved is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture(scope="package")
def live_url(django_db_setup, django_db_blocker):
    """The address of a server for the session's database, checked to hold the corpus."""
    from pytest_django.live_server_helper import LiveServer

    from archive.models import Article
    from search import search_articles

    with django_db_blocker.unblock():
        count = Article.objects.count()
        assert count == 18, f"the bundled corpus should be in the test database, found {count}"
        assert search_articles(query='"战斗堡垒"').total == count, "the index should hold it"
        server = LiveServer("127.0.0.1:0")
        server._live_server_modified_settings.enable()
    try:
        yield server.url
    finally:
        with django_db_blocker.unblock():
            server._live_server_modified_settings.disable()
            server.stop()


@pytest.fixture(scope="package")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class Problems:
    """What went wrong in the browser while a test ran."""

    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.messages.append(message)


def watch(page, problems: Problems) -> None:
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and problems.add(f"console error: {message.text} ({message.location})")
        ),
    )
    page.on("pageerror", lambda error: problems.add(f"script error: {error}"))
    # A request cut short because the page moved on (ERR_ABORTED) is not a failure.
    page.on(
        "requestfailed",
        lambda request: (
            "ERR_ABORTED" not in (request.failure or "")
            and problems.add(f"request failed: {request.url} {request.failure}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.add(f"HTTP {response.status}: {response.url}")
        ),
    )


@pytest.fixture
def open_page(corpus_db, live_url, chromium):
    """open_page(viewport=..., javascript=True, clipboard=False, locale="zh-CN") -> a new
    page in a fresh context, watched for problems; the test fails at the end if any occurred.
    `locale` is the browser's language, which it asks pages for (Accept-Language).

    `corpus_db` lets the server thread read the database during the test (and tells
    pytest-django that the session needs the test database).
    """
    problems = Problems()
    contexts = []

    def open_page(viewport=DESKTOP, *, javascript=True, clipboard=False, locale="zh-CN"):
        context = chromium.new_context(
            viewport=viewport,
            base_url=live_url,
            java_script_enabled=javascript,
            locale=locale,
            device_scale_factor=1,
        )
        if clipboard:
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch(page, problems)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems.messages, "problems in the browser:\n" + "\n".join(problems.messages)


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
