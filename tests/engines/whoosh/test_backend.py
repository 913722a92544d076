"""The Whoosh engine's own ways: its write lock, its files, haystack's commands, the warm-up."""

from __future__ import annotations

import runpy
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from archive.models import Article
from search import PendingIndexUpdate, check_index, flush_index_queue, search_articles
from search.engines.whoosh import backend
from tests.conftest import BASE_DIR


def count(query: str) -> int:
    return search_articles(query=query).total


@pytest.fixture
def held_lock(whoosh_engine, monkeypatch):
    """Another writer holds the index's lock (Whoosh's MAIN_WRITELOCK)."""
    monkeypatch.setattr(backend, "WRITE_LOCK_TIMEOUT", 0.2)
    whoosh_engine.backend._ensure_current()
    lock = whoosh_engine.backend.index.storage.lock("MAIN_WRITELOCK")
    assert lock.acquire(blocking=False)
    yield lock
    lock.release()


def test_delete_under_a_held_lock_is_queued_not_lost(held_lock, django_capture_on_commit_callbacks):
    article = Article.objects.get(author="杨姿姮")
    article_id = article.pk
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert PendingIndexUpdate.objects.filter(article_id=article_id).exists()
    assert count('"杨姿姮"') == 1  # not yet applied
    held_lock.release()
    flush_index_queue()
    assert count('"杨姿姮"') == 0
    assert not PendingIndexUpdate.objects.exists()
    held_lock.acquire(blocking=False)


def test_save_under_a_held_lock_is_applied_by_the_next_flush(
    held_lock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="锁住时保存", body="锁住时写下的正文")
    assert count('"锁住时写下的正文"') == 0
    report = check_index()
    assert report.missing and report.pending == 1
    held_lock.release()
    flush_index_queue()
    assert count('"锁住时写下的正文"') == 1
    held_lock.acquire(blocking=False)


def test_haystack_update_index_command_brings_the_index_up_to_date(whoosh_engine):
    article = Article.objects.get(author="旦正")
    Article.objects.filter(pk=article.pk).update(title="只改了数据库的标题")
    Article.objects.get(pk=article.pk).save()
    assert not check_index().consistent
    call_command("update_index", stdout=StringIO(), stderr=StringIO())
    assert check_index().stale == []
    assert count('"只改了数据库的标题"') == 1


def test_haystack_clear_index_switches_to_an_empty_index(whoosh_engine):
    call_command("clear_index", "--noinput", stdout=StringIO())
    assert count("") == 0
    assert len(check_index().missing) == 18
    call_command("rebuild_index", stdout=StringIO())
    assert count("") == 18


def test_deleted_index_is_reported_and_a_rebuild_restores_it(client, whoosh_engine):
    from search import rebuild_index

    shutil.rmtree(whoosh_engine.path)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["index"]["ok"] is False
    page = client.get("/search/", {"q": "党"})
    assert page.status_code == 503
    assert "检索索引暂时不可用" in page.content.decode()
    assert client.get("/").status_code == 200  # browsing needs no index
    rebuild_index()
    assert client.get("/healthz").status_code == 200
    assert client.get("/search/", {"q": "党"}).status_code == 200


def test_a_damaged_file_changes_the_version_so_no_cached_page_is_served(whoosh_engine):
    before = whoosh_engine.version()
    assert count('"战斗堡垒"') > 0  # now cached under that version
    (segment,) = whoosh_engine.backend.live_generation().glob("*.seg")
    with open(segment, "r+b") as handle:
        handle.truncate(1000)
    assert whoosh_engine.version() != before
    assert search_articles(query='"战斗堡垒"').unavailable


def test_gunicorns_worker_warm_up_reads_the_columns(whoosh_engine):
    whoosh_engine.close()
    hooks = runpy.run_path(str(BASE_DIR / "config" / "gunicorn.conf.py"))

    class Worker:
        class log:
            warnings: list[str] = []

            @classmethod
            def warning(cls, message):
                cls.warnings.append(message)

    hooks["post_worker_init"](Worker)
    searcher = whoosh_engine.backend._searcher
    assert searcher is not None and hasattr(searcher, "_archive_columns")
    assert Worker.log.warnings == []
