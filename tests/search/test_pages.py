"""The search service's pages: a repeated search is answered from them, and none outlives
the index version it came from, whatever the engine."""

from __future__ import annotations

import pytest

from archive.models import Article
from search import YearRange, search_articles, use_engine


class CountingEngine:
    """The engine under test, counting the searches asked of it."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.searches = 0

    def __getattr__(self, name: str):
        return getattr(self.engine, name)

    def search(self, query):
        self.searches += 1
        return self.engine.search(query)


def test_a_repeated_search_is_answered_from_the_services_pages(corpus_search):
    counting = CountingEngine(corpus_search)
    previous = use_engine(counting)
    try:
        first = search_articles(query="战斗堡垒 组织", filters={"year": YearRange(start=2019)})
        asked = counting.searches
        again = search_articles(query="战斗堡垒 组织", filters={"year": YearRange(start=2019)})
    finally:
        use_engine(previous)
    assert asked <= 1 and counting.searches == asked
    assert [hit.article.pk for hit in again.hits] == [hit.article.pk for hit in first.hits]
    assert again.total == first.total and again.facets == first.facets


@pytest.mark.django_db(transaction=True)
def test_what_is_kept_ends_with_the_index_version(engine, django_capture_on_commit_callbacks):
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


def test_year_ranges_filter_exactly(corpus_search):
    for start, end in [(2018, 2020), (2019, 2020), (2000, 2019), (2020, 2020), (1990, 2000)]:
        outcome = search_articles(query="党", filters={"year": YearRange(start=start, end=end)})
        expected = Article.objects.filter(year__gte=start, year__lte=end).count()
        assert outcome.total == expected
