"""What the search remembers per index version: bounded, and never outliving the version."""

from __future__ import annotations

from array import array

import pytest

from archive.models import Article
from search.engines.whoosh.memo import Memo, approximate_bytes
from search.services import search_articles


def test_memo_computes_once_and_counts_hits():
    memo = Memo(budget=10)
    calls = []
    for _ in range(3):
        assert memo.get("k", lambda: calls.append(1) or "v") == "v"
    assert calls == [1]
    assert (memo.hits, memo.misses) == (2, 1)


def test_memo_drops_the_least_recently_used_first():
    memo = Memo(budget=3)
    for key in "abc":
        memo.get(key, lambda key=key: key)
    memo.get("a", lambda: "again")  # a is now the most recent
    memo.get("d", lambda: "d")
    assert "b" not in memo
    assert all(key in memo for key in "acd")
    assert memo.used == 3


def test_memo_measures_entries_and_keeps_none_larger_than_its_budget():
    memo = Memo(budget=100, measure=len)
    memo.get("small", lambda: "x" * 60)
    memo.get("medium", lambda: "y" * 50)  # 60 + 50 > 100: small goes
    assert "small" not in memo and "medium" in memo
    assert memo.get("huge", lambda: "z" * 101) == "z" * 101  # answered, not kept
    assert "huge" not in memo and "medium" in memo
    assert Memo(budget=0).get("k", lambda: 1) == 1


def test_arrays_are_counted_smaller_than_sets():
    docs = range(10_000)
    assert approximate_bytes(array("i", docs)) * 8 < approximate_bytes(frozenset(docs))
    assert approximate_bytes((array("i", docs), array("d", [0.0] * 10_000))) < 130_000


def test_a_repeated_search_is_answered_from_memory(corpus_db):
    from search.services import pages

    first = search_articles(query="战斗堡垒", filters={})
    hits = pages.hits
    again = search_articles(query="战斗堡垒")
    assert pages.hits == hits + 1
    assert [hit.article.pk for hit in again.hits] == [hit.article.pk for hit in first.hits]
    assert again.total == first.total and again.facets == first.facets


@pytest.mark.django_db(transaction=True)
def test_what_is_remembered_ends_with_the_index_version(
    fresh_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.create(title="记忆测试", body="第一段讲述稻田养鱼的经验。")
    query = '"稻田养鱼"'
    assert [hit.article.pk for hit in search_articles(query=query).hits] == [article.pk]
    assert search_articles(query=query).total == 1  # remembered now

    with django_capture_on_commit_callbacks(execute=True):
        article.body = "第一段改为讲述林下养鸡。"
        article.save()
    assert search_articles(query=query).total == 0
    assert search_articles(query='"林下养鸡"').total == 1

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "记忆测试（修订）"
        article.save()
    (hit,) = search_articles(query='"林下养鸡"').hits
    assert "修订" in hit.title_html  # the page was not served from before the edit

    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert search_articles(query='"林下养鸡"').total == 0


def test_year_ranges_filter_exactly_and_are_not_each_kept(corpus_db):
    from search.engines import get_engine
    from search.engines.whoosh.columns import columns_of
    from search.facets import facet
    from search.types import YearRange

    for start, end in [(2018, 2020), (2019, 2020), (2000, 2019), (2020, 2020), (1990, 2000)]:
        outcome = search_articles(query="党", filters={"year": YearRange(start=start, end=end)})
        expected = Article.objects.filter(year__gte=start, year__lte=end).count()
        assert outcome.total == expected
    with get_engine().backend.searcher() as searcher:
        columns = columns_of(searcher)
        # One group per year the archive has, whatever ranges were asked for.
        assert set(columns.groups(facet("year"))) == set(columns.facet["year"])
