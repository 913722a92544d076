"""Trends over the years: matching articles and all articles per year, through each engine,
checked against counts made from the database; the API and the chart on results pages."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory

from archive.models import Article
from search import Equals, fold, searchable_segments, trend, use_engine
from search.services import pages


def matching_years(phrase: str, *, source: str | None = None) -> Counter:
    """Year → articles containing the folded phrase (None: undated), brute force."""
    needle = fold(phrase)
    articles = Article.objects.select_related("publication").prefetch_related(
        "keyword_links__keyword"
    )
    return Counter(
        a.year
        for a in articles
        if (source is None or (a.publication and a.publication.name == source))
        and any(needle in fold(s) for s in searchable_segments(a))
    )


def all_years(*, source: str | None = None) -> Counter:
    articles = Article.objects.all()
    if source is not None:
        articles = articles.filter(publication__name=source)
    return Counter(articles.values_list("year", flat=True))


@pytest.mark.parametrize("phrase", ["战斗堡垒", "党", "疫情", "組織"])
def test_each_year_counts_matching_and_all_articles(corpus_search, phrase):
    found = trend(queries=[f'"{phrase}"'])
    expected, totals = matching_years(phrase), all_years()
    (series,) = found.series
    assert found.years == tuple(sorted(y for y in totals if y is not None))
    assert [(y.year, y.articles, y.total) for y in series.years] == [
        (year, expected.get(year, 0), totals[year]) for year in found.years
    ]
    assert series.undated == expected.get(None, 0)
    assert found.undated_total == totals[None]
    for year in series.years:
        assert year.share == pytest.approx(year.articles / year.total)


def test_the_publication_filter_narrows_both_counts(corpus_search):
    found = trend(queries=['"党"'], filters={"source": Equals("商情")})
    expected, totals = matching_years("党", source="商情"), all_years(source="商情")
    assert [(y.year, y.articles, y.total) for y in found.series[0].years] == [
        (year, expected.get(year, 0), totals[year]) for year in sorted(totals)
    ]


def test_several_queries_make_one_series_each_over_the_same_years(corpus_search):
    found = trend(queries=['"战斗堡垒"', '"疫情"'])
    assert [s.query for s in found.series] == ['"战斗堡垒"', '"疫情"']
    for series, phrase in zip(found.series, ["战斗堡垒", "疫情"], strict=True):
        expected = matching_years(phrase)
        assert [y.year for y in series.years] == list(found.years)
        assert [y.articles for y in series.years] == [expected.get(y, 0) for y in found.years]


def test_api_gives_years_with_matching_total_and_share(client, corpus_search):
    data = client.get("/api/trend", {"q": "战斗堡垒"}).json()
    found = trend(queries=["战斗堡垒"])
    assert data["queries"] == ["战斗堡垒"]
    assert data["years"] == [
        {"year": y.year, "articles": y.articles, "total": y.total, "share": y.share}
        for y in found.series[0].years
    ]
    assert data["undated"] == found.series[0].undated


def test_api_gives_a_series_per_query(client, corpus_search):
    data = client.get("/api/trend", {"q": ["战斗堡垒", "疫情"], "source": "商情"}).json()
    assert data["queries"] == ["战斗堡垒", "疫情"]
    assert [s["query"] for s in data["series"]] == ["战斗堡垒", "疫情"]
    assert data["years"] == data["series"][0]["years"]
    assert all(y["total"] == all_years(source="商情")[y["year"]] for y in data["years"])


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "党", "year": "bad"}, {"q": "党" * 300}])
def test_api_refuses_bad_requests(client, corpus_search, params):
    response = client.get("/api/trend", params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_results_page_shows_the_chart_and_a_table_with_year_links(client, corpus_search):
    content = client.get("/search/", {"q": "党", "source": "商情"}).content.decode()
    assert '<svg class="trend-chart"' in content
    assert re.search(r"<circle [^>]*><title>2019年：1 / 1 篇（100.0%）</title>", content)
    # Each year filters the search to it, keeping the query and the other filters.
    assert 'href="?q=%E5%85%9A&amp;source=%E5%95%86%E6%83%85&amp;year=2019"' in content


def test_one_query_draws_its_matching_articles_as_bars_to_scale(client, corpus_search):
    series = trend(queries=['"党"']).series[0]
    content = client.get("/search/", {"q": '"党"'}).content.decode()
    heights = [float(h) for h in re.findall(r'<rect class="bar" [^>]*height="([0-9.]+)"', content)]
    assert len(heights) == len(series.years)
    most = max(y.articles for y in series.years)
    for year, height in zip(series.years, heights, strict=True):
        assert height == pytest.approx(max(heights) * year.articles / most, abs=0.1)


def test_several_queries_are_drawn_as_lines_without_bars(corpus_search):
    # Bars of different series would hide each other.
    chart = Template("{% load trend_chart %}{% trend_chart found %}")
    request = RequestFactory().get("/search/", {"q": "党"})
    one = chart.render(RequestContext(request, {"found": trend(queries=['"党"'])}))
    several = chart.render(RequestContext(request, {"found": trend(queries=['"党"', '"疫情"'])}))
    assert '<rect class="bar"' in one
    assert several.count("<polyline") == 2 and '<rect class="bar"' not in several


def test_results_page_says_how_many_matching_articles_have_no_year(client, corpus_search):
    undated = trend(queries=["党"]).undated
    assert undated > 0
    content = client.get("/search/", {"q": "党"}).content.decode()
    assert f"另有 {undated} 篇匹配文章没有年份" in content


def test_no_chart_for_the_empty_query_or_no_match(client, corpus_search):
    assert "trend-chart" not in client.get("/search/").content.decode()
    assert "trend-chart" not in client.get("/search/", {"q": '"量子计算机"'}).content.decode()


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


def test_results_page_chart_takes_its_counts_from_the_search(client, corpus_search, engine):
    counting = CountingEngine(engine)
    previous = use_engine(counting)
    try:
        pages.clear()
        client.get("/search/", {"q": '"企业"'})  # the search, and every year's articles
        assert counting.searches == 2
        content = client.get("/search/", {"q": '"战斗堡垒"', "source": "商情"}).content.decode()
        # Another query's page asks only its own search: its chart's counts come with it.
        assert counting.searches == 4  # with the totals under the publication filter
        assert '<svg class="trend-chart"' in content
        client.get("/search/", {"q": '"疫情"', "source": "商情"})
        assert counting.searches == 5
    finally:
        use_engine(previous)
