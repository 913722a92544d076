"""The index follows the database, whatever the engine: saves and deletes, a locked index,
rebuilds and check_index."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from archive.models import Article
from search import (
    IndexLocked,
    PendingIndexUpdate,
    check_index,
    flush_index_queue,
    rebuild_index,
    search_articles,
    use_engine,
)


def count(query: str) -> int:
    return search_articles(query=query).total


def test_saving_an_article_indexes_it(engine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="新增的文章", body="独一无二的句子")
    assert count('"独一无二的句子"') == 1
    assert PendingIndexUpdate.objects.count() == 0


def test_editing_an_article_updates_its_entry(engine, django_capture_on_commit_callbacks):
    article = Article.objects.get(author="杨姿姮")
    with django_capture_on_commit_callbacks(execute=True):
        article.body += "\n补充一段前所未见的话"
        article.save()
    assert count('"前所未见的话"') == 1
    assert check_index().consistent


def test_deleting_an_article_removes_it(engine, django_capture_on_commit_callbacks):
    article = Article.objects.get(author="杨姿姮")
    assert count('"杨姿姮"') == 1
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert count('"杨姿姮"') == 0


class LockedEngine:
    """The engine under test, whose writes meet a lock held elsewhere until it is released
    (what every engine raises then: IndexLocked)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.locked = True

    def __getattr__(self, name: str):
        return getattr(self.engine, name)

    def _write(self, method: str, *args, **kwargs):
        if self.locked:
            raise IndexLocked("another writer holds the index")
        return getattr(self.engine, method)(*args, **kwargs)

    def update(self, articles) -> None:
        self._write("update", list(articles))

    def remove(self, article_ids) -> None:
        self._write("remove", list(article_ids))


@pytest.fixture
def locked(engine):
    """The engine, its writes refused as if another writer held its lock (engines writing in
    the article's own transaction have no lock of their own: a write waits, or fails with it)."""
    if getattr(engine, "updates_in_transaction", False):
        pytest.skip("the engine writes in the article's transaction: nothing is queued")
    locked_engine = LockedEngine(engine)
    previous = use_engine(locked_engine)
    yield locked_engine
    use_engine(previous)


def test_delete_meeting_a_locked_index_is_queued_not_lost(
    locked, django_capture_on_commit_callbacks
):
    article = Article.objects.get(author="杨姿姮")
    article_id = article.pk
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert PendingIndexUpdate.objects.filter(article_id=article_id).exists()
    assert count('"杨姿姮"') == 1  # not yet applied
    locked.locked = False
    flush_index_queue()
    assert count('"杨姿姮"') == 0
    assert not PendingIndexUpdate.objects.exists()


def test_save_meeting_a_locked_index_is_applied_by_the_next_flush(
    locked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="锁住时保存", body="锁住时写下的正文")
    assert count('"锁住时写下的正文"') == 0
    report = check_index()
    assert report.missing and report.pending == 1
    with pytest.raises(IndexLocked):
        flush_index_queue()
    locked.locked = False
    flush_index_queue()
    assert count('"锁住时写下的正文"') == 1


def test_rebuild_switches_over_without_an_empty_moment(engine):
    before = engine.version()
    seen_during_build = []
    rebuild_index(progress=lambda done, total: seen_during_build.append(count("")))
    assert seen_during_build == [18]  # searches answered from the old index while building
    assert engine.version() != before
    assert count("") == 18
    assert check_index().consistent


def test_rebuild_keeps_changes_made_while_it_ran(engine, django_capture_on_commit_callbacks):
    def edit_during_build(done, total):
        with django_capture_on_commit_callbacks(execute=True):
            Article.objects.create(title="重建期间新增", body="重建期间写下的正文")

    rebuild_index(progress=edit_during_build)
    assert count('"重建期间写下的正文"') == 1
    assert check_index().consistent


def test_check_index_reports_missing_and_stale_entries_and_fix_repairs_them(engine):
    article = Article.objects.get(author="杨姿姮")
    engine.remove([article.pk])
    other = Article.objects.get(author="旦正")
    # No signal: the index is stale (the article's time moved, as a save would move it).
    Article.objects.filter(pk=other.pk).update(title="改过的标题", updated=timezone.now())
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("check_index", stdout=out)
    assert error.value.returncode == 1
    assert "缺失 1 篇" in out.getvalue()
    assert "过期 1 篇" in out.getvalue()
    call_command("check_index", "--fix", stdout=StringIO())
    assert check_index().consistent
    assert count('"改过的标题"') == 1


def test_check_index_is_quiet_when_consistent(engine):
    out = StringIO()
    call_command("check_index", stdout=out)
    assert "一致" in out.getvalue()


def test_saving_an_article_in_a_rolled_back_transaction_leaves_the_index_as_it_was(engine):
    before = count('"回滚的正文"')
    with pytest.raises(RuntimeError), transaction.atomic():
        Article.objects.create(title="回滚的文章", body="回滚的正文")
        raise RuntimeError("rolled back")
    flush_index_queue()
    assert count('"回滚的正文"') == before == 0
    assert check_index().consistent
