"""The index follows the database: saves and deletes, a held lock, rebuilds and check_index."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.models import Article
from search.engines.whoosh import backend as backends
from search.indexing import check_index, flush_index_queue
from search.models import PendingIndexUpdate
from search.services import search_articles


def count(query: str) -> int:
    return search_articles(query=query).total


def test_saving_an_article_indexes_it(fresh_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="新增的文章", body="独一无二的句子")
    assert count('"独一无二的句子"') == 1
    assert PendingIndexUpdate.objects.count() == 0


def test_editing_an_article_updates_its_entry(fresh_index, django_capture_on_commit_callbacks):
    article = Article.objects.get(author="杨姿姮")
    with django_capture_on_commit_callbacks(execute=True):
        article.body += "\n补充一段前所未见的话"
        article.save()
    assert count('"前所未见的话"') == 1
    assert check_index().consistent


def test_deleting_an_article_removes_it(fresh_index, django_capture_on_commit_callbacks):
    article = Article.objects.get(author="杨姿姮")
    assert count('"杨姿姮"') == 1
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert count('"杨姿姮"') == 0


@pytest.fixture
def held_lock(fresh_index, monkeypatch):
    """Another writer holds the index lock."""
    monkeypatch.setattr(backends, "WRITE_LOCK_TIMEOUT", 0.2)
    fresh_index.backend._ensure_current()
    lock = fresh_index.backend.index.storage.lock("MAIN_WRITELOCK")
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


def test_rebuild_switches_over_without_an_empty_moment(fresh_index):
    from search.indexing import rebuild_index

    before = fresh_index.version()
    seen_during_build = []
    rebuild_index(progress=lambda done, total: seen_during_build.append(count("")))
    assert seen_during_build == [18]  # searches answered from the old index while building
    assert fresh_index.version() != before
    assert count("") == 18
    assert check_index().consistent


def test_rebuild_keeps_changes_made_while_it_ran(fresh_index, django_capture_on_commit_callbacks):
    from search.indexing import rebuild_index

    def edit_during_build(done, total):
        with django_capture_on_commit_callbacks(execute=True):
            Article.objects.create(title="重建期间新增", body="重建期间写下的正文")

    rebuild_index(progress=edit_during_build)
    assert count('"重建期间写下的正文"') == 1
    assert check_index().consistent


def test_check_index_reports_missing_and_stale_entries_and_fix_repairs_them(fresh_index):
    article = Article.objects.get(author="杨姿姮")
    fresh_index.remove([article.pk])
    other = Article.objects.get(author="旦正")
    Article.objects.filter(pk=other.pk).update(title="改过的标题")  # no signal: the index is stale
    Article.objects.get(pk=other.pk).save()  # refresh fingerprint/updated, also without on_commit
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("check_index", stdout=out)
    assert error.value.returncode == 1
    assert "缺失 1 篇" in out.getvalue()
    assert "过期 1 篇" in out.getvalue()
    call_command("check_index", "--fix", stdout=StringIO())
    assert check_index().consistent
    assert count('"改过的标题"') == 1


def test_check_index_is_quiet_when_consistent(fresh_index):
    out = StringIO()
    call_command("check_index", stdout=out)
    assert "一致" in out.getvalue()


def test_haystack_update_index_command_brings_the_index_up_to_date(fresh_index):
    article = Article.objects.get(author="旦正")
    Article.objects.filter(pk=article.pk).update(title="只改了数据库的标题")
    Article.objects.get(pk=article.pk).save()
    assert not check_index().consistent
    call_command("update_index", stdout=StringIO(), stderr=StringIO())
    assert check_index().stale == []
    assert count('"只改了数据库的标题"') == 1


def test_haystack_clear_index_switches_to_an_empty_index(fresh_index):
    call_command("clear_index", "--noinput", stdout=StringIO())
    assert count("") == 0
    assert len(check_index().missing) == 18
    call_command("rebuild_index", stdout=StringIO())
    assert count("") == 18
